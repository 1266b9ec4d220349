#!/usr/bin/env python3
"""Soak: many Fashion-MNIST sessions against one twain serve, --concurrency at a time, one client in
ten killed (SIGKILL) at a random point, garbage and silent peers mixed in.

What must hold:
  - every client that was not killed gets exactly the prediction of the fixed-point evaluator
    (`twain plain`, the exact-mode oracle) for its image: index and score;
  - the server logs one line per connection, and the only lines from the clients' address that
    are not a completed session are at most one per killed client;
  - the server's resident memory is flat: the peak over the last hundred completed sessions
    (a fifth of them for short runs) is at most the first hundred's plus 25% (and 16 MiB of slack).

usage: soak_test.py TWAIN MODEL IMAGES_DIR [--sessions N] [--concurrency C] [--seed S] [--json FILE]
TWAIN_SOAK_SESSIONS, when set, overrides --sessions.
"""
import argparse
import concurrent.futures
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from cli_oracle import parse_prediction, reference

HOSTILE_HOST = "127.0.0.2"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("twain")
    ap.add_argument("model")
    ap.add_argument("images")
    ap.add_argument("--sessions", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--json")
    args = ap.parse_args()
    if os.environ.get("TWAIN_SOAK_SESSIONS"):  # the full form from ctest: TWAIN_SOAK_SESSIONS=1000
        args.sessions = int(os.environ["TWAIN_SOAK_SESSIONS"])
    rng = random.Random(args.seed)
    images = sorted(os.path.join(args.images, f) for f in os.listdir(args.images) if f.endswith(".png"))
    expected = {image: reference(args.twain, args.model, image) for image in images}

    log_path = os.path.join(tempfile.mkdtemp(), "server.log")
    log = open(log_path, "w")
    server = subprocess.Popen([args.twain, "serve", "--model", args.model, "--port", "0", "--max-concurrent",
                               str(args.concurrency)], stderr=log, stdout=subprocess.DEVNULL)
    port = None
    for _ in range(300):
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", open(log_path).read())
        if m:
            port = int(m.group(1))
            break
        time.sleep(0.1)
    if port is None:
        server.kill()
        sys.exit("server did not start:\n" + open(log_path).read())

    # Each session: (image, kill after this many seconds or None); garbage and silent peers every 50.
    plan = [(rng.choice(images), rng.uniform(0.0, 0.3) if rng.random() < 0.1 else None) for _ in range(args.sessions)]
    silent = []
    hostile = {"garbage": 0, "silent": 0}
    lock = threading.Lock()

    def hostile_peer(i):
        s = socket.socket()
        s.bind((HOSTILE_HOST, 0))
        s.connect(("127.0.0.1", port))
        if i % 2 == 0:
            s.sendall(rng.randbytes(rng.randrange(1, 2048)))
            s.close()
            hostile["garbage"] += 1
        else:
            with lock:
                silent.append(s)  # held open, never a byte: the server drops it at its handshake deadline
            hostile["silent"] += 1

    def run(item):
        image, kill_after = item
        cmd = [args.twain, "query", "--server", f"127.0.0.1:{port}", "--image", image, "--topk", "1"]
        if kill_after is None:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            return image, None, out.returncode, out.stdout, out.stderr
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return image, kill_after, None, "", ""

    start = time.monotonic()
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        futures = []
        for i, item in enumerate(plan):
            if i % 50 == 25:
                hostile_peer(i // 50)
            futures.append(pool.submit(run, item))
        for n, f in enumerate(concurrent.futures.as_completed(futures), 1):
            results.append(f.result())
            if n % 100 == 0:
                print(f"soak: {n} of {args.sessions} sessions", flush=True)
    elapsed = time.monotonic() - start
    time.sleep(0.5)
    for s in silent:
        s.close()
    time.sleep(0.5)
    server.send_signal(signal.SIGKILL)
    server.wait()
    text = open(log_path).read()

    wrong, failed = [], []
    killed = sum(1 for r in results if r[1] is not None)
    for image, kill_after, rc, stdout, stderr in results:
        if kill_after is not None:
            continue
        if rc != 0:
            failed.append(f"{image}: exit {rc}: {stderr.strip()}")
        elif parse_prediction(stdout) != expected[image]:
            wrong.append(f"{image}: got {parse_prediction(stdout)}, expected {expected[image]}")
    lines = [l for l in text.splitlines() if l.startswith("twain serve: session")]
    done = [l for l in lines if ": done in " in l]
    client_errors = [l for l in lines if "from 127.0.0.1:" in l and ": done in " not in l]
    others = [l for l in text.splitlines() if l.startswith("twain serve:") and not l.startswith("twain serve: session")
              and "listening on" not in l and "fingerprint" not in l]
    resident = [int(m.group(1)) for m in (re.search(r"server resident memory (\d+) MiB", l) for l in done) if m]
    window = min(100, max(1, len(resident) // 5))
    first, last = max(resident[:window]), max(resident[-window:])
    report = {
        "sessions": args.sessions, "concurrency": args.concurrency, "killed": killed, "completed": len(done),
        "garbage_peers": hostile["garbage"], "silent_peers": hostile["silent"], "wrong_predictions": len(wrong),
        "failed_clients": len(failed), "server_errors_from_clients": len(client_errors), "seconds": round(elapsed, 1),
        "resident_mib_first_window": first, "resident_mib_last_window": last, "window": window,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    problems = []
    if wrong:
        problems.append("wrong predictions:\n  " + "\n  ".join(wrong[:10]))
    if failed:
        problems.append("clients that were not killed failed:\n  " + "\n  ".join(failed[:10]))
    if len(client_errors) > killed:
        problems.append(f"{len(client_errors)} server errors from clients, only {killed} were killed:\n  " +
                        "\n  ".join(client_errors[:10]))
    # A client killed before it connected leaves no line; every other connection leaves one.
    hostile_lines = [l for l in lines if f"from {HOSTILE_HOST}:" in l]
    client_lines = len(lines) - len(hostile_lines)
    if len(hostile_lines) != hostile["garbage"] + hostile["silent"] or not (
            args.sessions - killed <= client_lines <= args.sessions):
        problems.append(f"{client_lines} lines for {args.sessions} sessions ({killed} killed) and "
                        f"{len(hostile_lines)} for {hostile['garbage'] + hostile['silent']} hostile peers")
    if others:
        problems.append("other server lines:\n  " + "\n  ".join(others[:10]))
    if last > first * 1.25 + 16:
        problems.append(f"server memory grew: {first} MiB over the first {window} sessions, {last} MiB over the last")
    if problems:
        sys.exit("\n".join(problems))
    print(f"soak: {args.sessions} sessions ({killed} killed, {hostile['garbage']} garbage and {hostile['silent']} "
          f"silent peers): no wrong prediction, no server error but the killed sessions', resident memory "
          f"{first} -> {last} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
