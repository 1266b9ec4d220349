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
    return twain.local(model, TROUSER, topk=3).top_k


def test_same_process(server, expected):
    client = twain.Client(server.address, expect_model=server.fingerprint)
    pred = client.infer(TROUSER, topk=3)
    assert pred.top_k == expected
    assert pred.label == "Trouser"
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


def test_cli_query_against_the_python_server(server, expected, tmp_path):
    report = run_cli("query", "--server", server.address, "--image", TROUSER, "--topk", "3",
                     json_file=tmp_path / "q.json")
    assert top_of(report) == expected
    pred = twain.Client(server.address).infer(TROUSER, topk=3)
    assert set(pred.report) == set(report)
    assert [step["name"] for step in pred.report["layers"]] == [step["name"] for step in report["layers"]]


def test_image_forms(server, expected):
    from PIL import Image
    client = twain.Client(server.address)
    picture = Image.open(TROUSER)
    pixels = numpy.asarray(picture)
    # The card's normalisation done here, in float32 as the C++ side does it.
    normalised = ((pixels.astype(numpy.float32) * numpy.float32(1 / 255) - numpy.float32(0.286))
                  / numpy.float32(0.353))[None]
    with open(TROUSER, "rb") as f:
        encoded = f.read()
    for image in (picture, pixels, pixels[:, :, None], normalised, encoded):
        assert client.infer(image, topk=3).top_k == expected


def test_logits_when_allowed(server):
    pred = twain.Client(server.address).infer(TROUSER, topk=10, logits=True)
    assert len(pred.logits) == 10 and pred.index == 1


def test_progress_callback(server):
    events = []
    twain.Client(server.address).infer(TROUSER, topk=1, progress=lambda *e: events.append(e))
    totals = {total for _, total, _ in events}
    assert totals == {server.model.num_ops}
    assert [done for done, _, _ in events][:3] == [0, 1, 2]
    assert all(isinstance(label, str) and label for _, _, label in events)
    # A bar (tqdm when installed) must not get in the way.
    assert twain.Client(server.address).infer(TROUSER, topk=1, progress=True).label == "Trouser"


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
        client = twain.Client("127.0.0.1:%d" % port)
        assert client.infer(TROUSER, topk=3).top_k == expected
        assert client.infer(TROUSER, topk=2).top_k == expected[:2]
        proc.send_signal(signal.SIGINT)  # Ctrl-C: serve_forever closes, then raises
        assert proc.stdout.readline().split() == ["closed", "2"]
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


def test_the_gil_is_released_during_a_session(server):
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
        twain.Client(server.address).infer(TROUSER, topk=1)
        during = count[0] - before
    finally:
        stop.set()
        thread.join()
    assert during > 1000
