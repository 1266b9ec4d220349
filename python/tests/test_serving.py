"""Server and client in one process and in two, the image forms, the report, progress."""

import json
import signal
import subprocess
import sys
import time

import numpy
import pytest

import twain
from conftest import MODEL, TROUSER, child, cli_path, python_env, run_cli, top_of


@pytest.fixture(scope="module")
def expected(model):
    # Exact mode equals the fixed-point evaluator bit for bit (test_local.py checks it against
    # the CLI), so the plaintext reference is the oracle here, at no session's cost.
    return twain.plain(model, TROUSER, topk=3).fixed_top_k


@pytest.fixture(scope="module")
def served(server):
    """One inference by an in-process client, with the progress events it saw."""
    events = []
    client = twain.Client(server.address, expect_model=server.fingerprint)
    return client.infer(TROUSER, topk=3, progress=lambda *event: events.append(event)), events


def test_same_process(server, served, expected):
    pred, _ = served
    assert pred.top_k == expected
    assert pred.label == "Trouser" and pred.index == 1 and pred.fingerprint == server.fingerprint
    # The same data as `twain query --json`.
    assert set(pred.report) >= {"top_k", "model_fingerprint", "phases", "layers", "peak_rss_bytes",
                                "statistical_bits_session", "flooded_responses"}
    assert set(pred.report["phases"]) == {"setup", "offline", "online"}
    assert len(pred.report["layers"]) == server.model.num_ops
    assert all({"name", "op", "seconds", "bytes_sent", "bytes_received", "rounds"} <= set(step)
               for step in pred.report["layers"])
    # The server logs once its side has ended, which may be just after the client's.
    deadline = time.monotonic() + 60
    while not any(": done in " in line for line in server.log_lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(line.startswith("session ") and ": done in " in line for line in server.log_lines)


def test_progress_callback(server, served):
    _, events = served
    assert {total for _, total, _ in events} == {server.model.num_ops}
    assert [done for done, _, _ in events][:3] == [0, 1, 2]
    assert all(isinstance(label, str) and label for _, _, label in events)


def test_cli_query_against_the_python_server(server, served, expected, tmp_path):
    report = run_cli("query", "--server", server.address, "--image", TROUSER, "--topk", "3",
                     json_file=tmp_path / "q.json")
    assert top_of(report) == expected
    pred, _ = served
    assert set(pred.report) == set(report)
    assert [step["name"] for step in pred.report["layers"]] == [step["name"] for step in report["layers"]]


def test_image_forms(model, server, expected):
    from PIL import Image
    picture = Image.open(TROUSER)
    pixels = numpy.asarray(picture)
    # The card's normalisation done here, in float32 as the C++ side does it.
    normalised = ((pixels.astype(numpy.float32) * numpy.float32(1 / 255) - numpy.float32(0.286))
                  / numpy.float32(0.353))[None]
    with open(TROUSER, "rb") as f:
        encoded = f.read()
    # plain() and infer() turn an image into the model's input by the same code: every form
    # through the plaintext evaluator, one through a session (with a progress bar).
    reference = twain.plain(model, TROUSER, topk=10).fixed_logits
    for image in (picture, picture.convert("RGB"), pixels, pixels[:, :, None], normalised, normalised[None], encoded):
        assert twain.plain(model, image, topk=10).fixed_logits == reference
    assert twain.Client(server.address).infer(picture, topk=3, progress=True).top_k == expected


def test_logits_and_the_gil_released_during_a_session(model, server):
    # A Python thread keeps counting while the session runs; with the GIL held throughout it
    # could not count at all.
    import threading
    count = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        before = count[0]
        pred = twain.Client(server.address).infer(TROUSER, topk=10, logits=True)
        during = count[0] - before
    finally:
        stop.set()
        thread.join()
    assert during > 1000
    assert pred.logits == twain.plain(model, TROUSER).fixed_logits


SERVE = """
import sys, twain
server = twain.Server(sys.argv[1], port=0, max_topk=3)
print(server.port, flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    print("closed", len(server.log_lines), flush=True)
"""


def test_two_processes_python_server(expected):
    proc = subprocess.Popen([sys.executable, "-u", "-c", SERVE, MODEL], env=python_env(), stdout=subprocess.PIPE,
                            text=True)
    try:
        port = int(proc.stdout.readline())
        assert twain.Client("127.0.0.1:%d" % port).infer(TROUSER, topk=2).top_k == expected[:2]
        proc.send_signal(signal.SIGINT)  # Ctrl-C: serve_forever closes, then raises
        assert proc.stdout.readline().split() == ["closed", "1"]
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()


def test_two_processes_cli_server(expected):
    proc = subprocess.Popen([cli_path(), "serve", "--model", MODEL, "--port", "0", "--max-topk", "3"],
                            stderr=subprocess.PIPE, text=True)
    try:
        port = None
        while port is None:
            line = proc.stderr.readline()
            assert line, "twain serve ended"
            if "listening on" in line:
                port = int(line.rsplit(":", 1)[1])
        assert twain.Client("127.0.0.1:%d" % port).infer(TROUSER, topk=3).top_k == expected
    finally:
        proc.kill()
        proc.wait()


def test_python_client_in_a_child_process(server, expected):
    proc = child("import twain, json; print(json.dumps(twain.Client(%r).infer(%r, topk=3).top_k))"
                 % (server.address, TROUSER))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert [tuple(entry) for entry in json.loads(out)] == expected


def test_a_closed_server_refuses(model):
    closed = twain.Server(model, max_topk=3)
    with closed.serving():
        assert closed.running
    assert not closed.running
    with pytest.raises(twain.NetworkError, match="127.0.0.1"):
        twain.Client(closed.address, connect_timeout=0.5).infer(TROUSER, topk=1)
    with pytest.raises(twain.InvalidArgument, match="serves once"):
        closed.start()

