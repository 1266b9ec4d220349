"""twain.Model: an ONNX model imported and quantised once, and Model.from_torch."""

import json
import os
import tempfile

from . import _twain


class Model(_twain.Model):
    """An ONNX model imported, optimised and quantised to fixed point (l = bits, f = frac).

    ``Model(path)`` refuses a model twain cannot run with :class:`twain.ImportError`, whose
    message names the node (index, name) and its operator. The ``preprocess.json`` next to the
    file (and the labels it names) becomes the model card a server sends its clients: how an
    image is resized and normalised, and the class names. A :class:`Server`, :func:`local` and
    :func:`plain` accept a Model or a path.

    Attributes: ``path``, ``input_shape`` (``[1, C, H, W]``), ``num_ops``, ``labels``,
    ``ring_bits``, ``frac_bits``, ``weight_bits``, ``card`` (the model card as JSON text, ``""``
    when there is none).
    """

    def __init__(self, path, *, bits=37, frac=12, weight_bits=None):
        """Imports and quantises the ONNX file `path` (str or path-like).

        bits: the ring's bit width l (24..48); frac: fractional bits f (1..20); weight_bits:
        the public weight bound's exponent (default f + 1), as ``twain serve --weight-bits``.
        """
        _check_range("bits", bits, 24, 48)
        _check_range("frac", frac, 1, 20)
        if weight_bits is not None:
            _check_range("weight_bits", weight_bits, 0, 39)
        super().__init__(os.fspath(path), bits, frac, weight_bits)

    def __repr__(self):
        return "twain.Model(%r, ops=%d, input=%s, l=%d, f=%d)" % (
            self.path, self.num_ops, self.input_shape, self.ring_bits, self.frac_bits)

    @classmethod
    def from_torch(cls, module, example_input, *, labels=None, preprocess=None, bits=37, frac=12,
                   weight_bits=None, opset_version=13):
        """Exports a PyTorch module with ``torch.onnx.export``, then imports it as a Model.

        module: a ``torch.nn.Module`` (put in eval mode); example_input: a tensor of the input's
        shape ``[1, C, H, W]``. labels: class names, index order. preprocess: the model card's
        preprocessing as in ``preprocess.json`` (``{"input": [C, H, W], "color": "gray"|"rgb",
        "resize": [H, W], "scale": ..., "mean": [...], "std": [...]}``); without it, images given
        as paths, PIL images or uint8 arrays are scaled to [0, 1] and not normalised further, and
        float arrays are used as they are. The exported file lives in a temporary directory kept
        as long as the Model.
        """
        import torch  # only this constructor needs PyTorch

        directory = tempfile.TemporaryDirectory(prefix="twain-torch-")
        path = os.path.join(directory.name, "model.onnx")
        module.eval()
        with torch.no_grad():
            torch.onnx.export(module, example_input, path, opset_version=opset_version,
                              input_names=["input"], output_names=["output"], do_constant_folding=True)
        if labels is not None or preprocess is not None:
            shape = list(example_input.shape)
            channels, height, width = (shape[1:] + [1, 1, 1])[:3]
            card = dict(preprocess) if preprocess is not None else {
                "input": [channels, height, width],
                "color": "gray" if channels == 1 else "rgb",
                "resize": [height, width],
                "scale": 1.0 / 255.0,
                "mean": [0.0] * channels,
                "std": [1.0] * channels,
            }
            card.pop("labels", None)
            if labels is not None:
                with open(os.path.join(directory.name, "labels.txt"), "w", encoding="utf-8") as out:
                    out.write("".join(str(label) + "\n" for label in labels))
                card["labels"] = "labels.txt"
            with open(os.path.join(directory.name, "preprocess.json"), "w", encoding="utf-8") as out:
                json.dump(card, out)
        model = cls(path, bits=bits, frac=frac, weight_bits=weight_bits)
        model._directory = directory  # the file must outlive the Model (plain() reads it again)
        return model


def _check_range(name, value, least, most):
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= most:
        raise _twain.InvalidArgument("%s must be an integer in %d..%d, got %r" % (name, least, most, value))


def as_model(model):
    """A Model from a Model or a path (internal)."""
    if isinstance(model, _twain.Model):
        return model
    if isinstance(model, (str, os.PathLike)):
        return Model(model)
    raise _twain.InvalidArgument("model must be a twain.Model or the path of an ONNX file, got %r" % type(model).__name__)
