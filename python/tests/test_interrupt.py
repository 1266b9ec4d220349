"""A client interrupted mid-session (Ctrl-C, an exception in its callback, a killed process)
ends its own session only: the server goes on serving."""

import signal
import subprocess
import sys
import time

import pytest

import twain
from conftest import TROUSER, python_env


def served_after(server, lines_before):
    """Serves the next client, then waits (bounded) until the server has logged both the
    interrupted session's end and the next one's; returns the lines since `lines_before`. The
    order of the two lines is not fixed: the interrupted session may be computing when its
    peer goes away and only notice at its next message."""
    assert twain.Client(server.address).infer(TROUSER, topk=1).label == "Trouser"
    deadline = time.monotonic() + 60
    while True:
        lines = server.log_lines[lines_before:]
        if len(lines) >= 2 or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def ended_and_served(lines):
    return (sum("ended with an error" in line for line in lines) == 1
            and sum(": done in " in line for line in lines) == 1)


def test_exception_in_the_progress_callback(server):
    before = len(server.log_lines)

    def stop(done, total, label):
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        twain.Client(server.address).infer(TROUSER, progress=stop)
    assert ended_and_served(served_after(server, before))


# The child prints each op as it starts; the test sends it SIGINT mid-session, as Ctrl-C would.
CLIENT = """
import sys, twain
def show(done, total, label):
    print(done, flush=True)
try:
    twain.Client(sys.argv[1]).infer(sys.argv[2], progress=show)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


def run_child_until_op(server, op, stop):
    proc = subprocess.Popen([sys.executable, "-u", "-c", CLIENT, server.address, TROUSER], env=python_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            if line.strip() == str(op):
                stop(proc)
                break
        out, _ = proc.communicate(timeout=60)
        return proc.returncode, out
    finally:
        proc.kill()
        proc.wait()


def test_ctrl_c_in_a_client_process(server):
    before = len(server.log_lines)
    code, out = run_child_until_op(server, 3, lambda proc: proc.send_signal(signal.SIGINT))
    assert code == 0 and out.split()[-1] == "interrupted"
    assert ended_and_served(served_after(server, before))


def test_killed_client_process(server):
    before = len(server.log_lines)
    code, _ = run_child_until_op(server, 3, lambda proc: proc.kill())
    assert code == -signal.SIGKILL
    assert ended_and_served(served_after(server, before))


def test_interrupted_local_session(model):
    def stop(done, total, label):
        if done == 3:
            raise KeyboardInterrupt

    # topk=10 and logits: the options of test_local.py, whose preprocessed model is reused.
    with pytest.raises(KeyboardInterrupt):
        twain.local(model, TROUSER, topk=10, logits=True, progress=stop)
    assert twain.local(model, TROUSER, topk=10, logits=True).label == "Trouser"
