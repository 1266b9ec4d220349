"""The results: Prediction (a secure inference) and Reference (the plaintext evaluators)."""

import json


class Prediction:
    """What the client learnt from one secure inference.

    top_k: ``[(index, label, score), ...]`` best first (label: the card's class name, or
    ``"class N"``); logits: every class's score when they were asked for (``logits=True``) and
    allowed, else None; report: the session's measurements as ``twain query --json`` writes them
    (``phases`` setup/offline/online with seconds, bytes each way and rounds; ``layers``: one
    entry per online op; ``top_k``; ``model_fingerprint``; ``peak_rss_bytes``;
    ``statistical_bits_session``; ``flooded_responses``; ``tls`` over TLS); fingerprint: the
    SHA-256 of the model description and card the server sent (what ``expect_model`` pins).
    """

    def __init__(self, fields):
        self.top_k = [tuple(entry) for entry in fields["top_k"]]
        self.logits = fields["logits"]
        self.labels = list(fields["labels"])
        self.fingerprint = fields["fingerprint"]
        self.report = json.loads(fields["report"])

    @property
    def index(self):
        """The top class's index."""
        return self.top_k[0][0]

    @property
    def label(self):
        """The top class's name."""
        return self.top_k[0][1]

    @property
    def score(self):
        """The top class's score (its logit)."""
        return self.top_k[0][2]

    def __repr__(self):
        return "twain.Prediction(top_k=%r)" % (self.top_k,)


class Reference:
    """The plaintext references of one image, as ``twain plain`` prints them (no cryptography).

    float_logits / fixed_logits: every output of the float graph and of the fixed-point
    evaluator (dequantised); float_top_k / fixed_top_k: ``[(index, label, score), ...]`` best
    first; max_abs_difference: the largest ``|float - fixed|`` over the outputs.
    """

    def __init__(self, fields):
        self.float_logits = list(fields["float_logits"])
        self.fixed_logits = list(fields["fixed_logits"])
        self.float_top_k = [tuple(entry) for entry in fields["float_top_k"]]
        self.fixed_top_k = [tuple(entry) for entry in fields["fixed_top_k"]]
        self.max_abs_difference = fields["max_abs_difference"]

    def __repr__(self):
        return "twain.Reference(float_top_k=%r, fixed_top_k=%r)" % (self.float_top_k[:3], self.fixed_top_k[:3])
