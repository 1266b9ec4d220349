#!/usr/bin/env python3
"""twain serve under hostile peers: silent and trickling connections, garbage, a stalled session.

What must hold (checked against the same server unloaded, in the same run):
  1. With 64 silent connections and 64 that trickle one byte every 10 s held open all along (each
     one that the server drops is opened again at once), after 200 garbage peers, a valid client
     finishes within twice its unloaded time (medians of --runs runs each) and gets the same
     prediction.
  2. A client that stalls after its request holds its slot only until --session-timeout; while it
     holds it, a second session from the same address is refused (--max-per-peer 1), and a client
     from another address is served.
  3. An idle server prints nothing; every connection ends in exactly one line.

usage: hostile_peers_test.py TWAIN MODEL IMAGE [--runs N] [--json FILE]
Exits 77 (skipped) when MODEL does not exist (the exported ImageNet models are optional).
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HOSTILE_HOST = "127.0.0.2"  # the attackers' source address; the valid client uses 127.0.0.1


def start_server(twain, model, log_path, *extra):
    log = open(log_path, "w")
    proc = subprocess.Popen([twain, "serve", "--model", model, "--port", "0", *extra], stderr=log,
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        text = open(log_path).read()
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", text)
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            sys.exit("server exited early:\n" + text)
        time.sleep(0.1)
    proc.kill()
    sys.exit("server did not start")


def query(twain, port, image, source=None):
    """Runs twain query; returns (seconds, stdout). source: connect through a proxy bound there."""
    start = time.monotonic()
    out = subprocess.run([twain, "query", "--server", f"127.0.0.1:{port}", "--image", image, "--topk", "1"],
                         capture_output=True, text=True, timeout=900)
    seconds = time.monotonic() - start
    if out.returncode != 0:
        raise RuntimeError(f"query failed ({out.returncode}): {out.stderr}")
    return seconds, prediction(out.stdout)


def prediction(stdout):
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("prediction (top"):
            return lines[i + 1].strip()
    raise RuntimeError("no prediction in:\n" + stdout)


def connect_from(host, port, source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.connect((host, port))
    return s


class Attackers:
    """Keeps `silent` connections that never send and `trickling` ones that send a byte every
    `interval` s open, re-opening each one the server drops."""

    def __init__(self, port, silent, trickling, interval):
        self.port, self.interval = port, interval
        self.stop = threading.Event()
        self.reconnects = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.hold, args=(False,), daemon=True) for _ in range(silent)]
        self.threads += [threading.Thread(target=self.hold, args=(True,), daemon=True) for _ in range(trickling)]
        for t in self.threads:
            t.start()

    def hold(self, trickle):
        while not self.stop.is_set():
            try:
                s = connect_from("127.0.0.1", self.port, HOSTILE_HOST)
            except OSError:
                time.sleep(0.05)
                continue
            s.settimeout(0.5)
            last = time.monotonic()
            try:
                while not self.stop.is_set():
                    try:
                        if not s.recv(65536):  # drain what the server sends; b"" = dropped
                            break
                    except socket.timeout:
                        pass
                    if trickle and time.monotonic() - last >= self.interval:
                        s.send(b"\x01")
                        last = time.monotonic()
            except OSError:
                pass
            finally:
                s.close()
            with self.lock:
                self.reconnects += 1

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join()


def garbage(port, count):
    rng = __import__("random").Random(13)
    for i in range(count):
        try:
            s = connect_from("127.0.0.1", port, HOSTILE_HOST)
            s.sendall(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096))))
            s.close()
        except OSError:
            pass


class StallingProxy:
    """Accepts one client, connects to the server from `source`, forwards the client's first
    `forward` bytes (its request and key), then only one byte a second of the client's stream."""

    def __init__(self, port, source, forward):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.server_port, self.source, self.forward = port, source, forward
        self.stalled = threading.Event()  # set once `forward` bytes went through
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        client, _ = self.listener.accept()
        server = connect_from("127.0.0.1", self.server_port, self.source)
        threading.Thread(target=self.pump, args=(server, client, None), daemon=True).start()
        self.pump(client, server, self.forward, self.stalled)

    @staticmethod
    def pump(src, dst, limit, stalled=None):
        sent = 0
        try:
            while limit is None or sent < limit:
                data = src.recv(65536 if limit is None else min(65536, limit - sent))
                if not data:
                    dst.shutdown(socket.SHUT_WR)  # pass the end of the stream on
                    return
                dst.sendall(data)
                sent += len(data)
            stalled.set()
            # The stall: one byte a second, which keeps the server's inactivity timer from firing
            # so that only the session's time budget can end it.
            while True:
                data = src.recv(1)
                if not data:
                    return
                dst.sendall(data)
                time.sleep(1.0)
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("twain")
    ap.add_argument("model")
    ap.add_argument("image")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not os.path.exists(args.model):
        print(f"skipped: {args.model} does not exist")
        return 77
    tmp = tempfile.mkdtemp()
    report = {"model": args.model}

    # 1. Silent, trickling and garbage peers.
    log1 = os.path.join(tmp, "load.log")
    server, port = start_server(args.twain, args.model, log1, "--max-concurrent", "4")
    try:
        time.sleep(1.5)
        idle = open(log1).read()
        if "twain serve: session" in idle:
            raise SystemExit("an idle server printed:\n" + idle)
        unloaded, answers = [], set()
        for _ in range(args.runs):
            seconds, answer = query(args.twain, port, args.image)
            unloaded.append(seconds)
            answers.add(answer)
        attackers = Attackers(port, 64, 64, 10.0)
        time.sleep(1.0)
        garbage(port, 200)
        loaded = []
        for _ in range(args.runs):
            seconds, answer = query(args.twain, port, args.image)
            loaded.append(seconds)
            answers.add(answer)
        attackers.close()
    finally:
        server.kill()
        server.wait()
    text = open(log1).read()
    if len(answers) != 1:
        raise SystemExit(f"predictions differ: {answers}")
    report.update(unloaded_s=unloaded, loaded_s=loaded, unloaded_median_s=statistics.median(unloaded),
                  loaded_median_s=statistics.median(loaded), attacker_reconnects=attackers.reconnects,
                  prediction=answers.pop())
    done = len(re.findall(r": done in ", text))
    if done != 2 * args.runs:
        raise SystemExit(f"{done} sessions done, expected {2 * args.runs}:\n{text[-4000:]}")
    for line in text.splitlines():
        if line.startswith("twain serve: session") and ": done in " not in line and HOSTILE_HOST not in line:
            raise SystemExit("a valid client's connection failed: " + line)
    print(f"valid client: unloaded {report['unloaded_median_s']:.3f} s (runs {unloaded}), with 64 silent, "
          f"64 trickling and 200 garbage peers {report['loaded_median_s']:.3f} s (runs {loaded}); "
          f"the attackers reconnected {attackers.reconnects} times")
    if report["loaded_median_s"] > 2 * report["unloaded_median_s"]:
        raise SystemExit("the valid client took more than twice its unloaded time under load")

    # 2. A stalled session: bounded by --session-timeout, and --max-per-peer.
    log2 = os.path.join(tmp, "stall.log")
    # Long enough for a valid session, with room: the stalled one is cut when it runs out.
    session_timeout = max(3.0, 3 * report["unloaded_median_s"])
    server, port = start_server(args.twain, args.model, log2, "--max-per-peer", "1", "--session-timeout",
                                f"{session_timeout:.1f}", "--max-sessions", "3")
    try:
        # The request is 8 + 25 bytes; the key follows: forward well past both, then stall.
        proxy = StallingProxy(port, HOSTILE_HOST, 1 << 20)
        stalled = subprocess.Popen([args.twain, "query", "--server", f"127.0.0.1:{proxy.port}", "--image", args.image],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not proxy.stalled.wait(120):
            raise SystemExit("the stalled client never got past its request")
        second = StallingProxy(port, HOSTILE_HOST, 1 << 20)
        refused = subprocess.run([args.twain, "query", "--server", f"127.0.0.1:{second.port}", "--image", args.image],
                                 capture_output=True, text=True, timeout=120)
        _, answer = query(args.twain, port, args.image)
        stalled.kill()
        server.wait(timeout=120)
    finally:
        server.kill()
    text = open(log2).read()
    print(text)
    if refused.returncode == 0:
        raise SystemExit("the second session from one address was served despite --max-per-peer 1")
    print("the refused client said: " + refused.stderr.strip())
    if "refused the session" not in refused.stderr:
        raise SystemExit("the refused client's error does not say that the server refused it")
    if not re.search(r"from 127\.0\.0\.2:\d+: refused: 127\.0\.0\.2 already has 1 sessions", text):
        raise SystemExit("no per-peer refusal in the log")
    if not re.search(r"from 127\.0\.0\.2:\d+: ended with an error: .*time allowed", text):
        raise SystemExit("the stalled session was not cut by its time budget")
    if not re.search(r"from 127\.0\.0\.1:\d+: done in ", text) or answer != report["prediction"]:
        raise SystemExit("the client from another address was not served correctly")
    lines = [l for l in text.splitlines() if l.startswith("twain serve: session")]
    if len(lines) != 3:
        raise SystemExit(f"expected one line per connection (3), got {len(lines)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    print("hostile peers: the valid client was served within twice its unloaded time; a stalled session "
          "was cut by its budget; --max-per-peer refused the second session from one address")
    return 0


if __name__ == "__main__":
    sys.exit(main())
