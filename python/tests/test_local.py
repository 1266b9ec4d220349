"""twain.local and twain.plain against the CLI: the same prediction, bit for bit."""

import json
import subprocess

import pytest

import twain
from conftest import IMAGES, MODEL, cli_path, top_of


def test_images_are_shipped():
    assert len(IMAGES) == 10


@pytest.mark.parametrize("image", IMAGES, ids=lambda p: p.rsplit("/", 1)[-1])
def test_local_equals_cli_local(model, image, tmp_path):
    # Every logit, sorted: equal scores mean equal fixed-point values (score = value / 2^f).
    # The CLI runs while this process runs its own session.
    report = tmp_path / "r.json"
    cli = subprocess.Popen([cli_path(), "local", "--model", MODEL, "--image", image, "--topk", "10", "--logits",
                            "--json", str(report)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pred = twain.local(model, image, mode="exact", topk=10, logits=True)
    assert cli.wait(timeout=120) == 0
    with open(report, encoding="utf-8") as f:
        cli = json.load(f)
    assert pred.top_k == top_of(cli)
    assert pred.fingerprint == cli["model_fingerprint"]
    assert sorted(pred.logits, reverse=True) == [score for _, _, score in pred.top_k]
    # Exact mode: the fixed-point evaluator's outputs, every one.
    assert pred.logits == twain.plain(model, image).fixed_logits


def test_plain_equals_cli_plain():
    # `twain plain` has no --json: its printed ranking (4 decimals) is the oracle.
    out = subprocess.run([cli_path(), "plain", "--model", MODEL, "--image", IMAGES[0], "--topk", "3"], check=True,
                         capture_output=True, text=True).stdout
    reference = twain.plain(MODEL, IMAGES[0], topk=3)
    for index, label, score in reference.float_top_k + reference.fixed_top_k:
        assert "%s" % label in out and "(index %d)  score %.4f" % (index, score) in out
    assert reference.max_abs_difference < 0.05

