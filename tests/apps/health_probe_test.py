#!/usr/bin/env python3
"""twain serve --health-port: the probe a load balancer polls.

What must hold:
  - GET answers 200 with "twain ok FINGERPRINT sessions R/C waiting W" (the fingerprint serve
    prints), HEAD the same status without a body; anything else is 400;
  - a garbage prober (bytes with no end of headers) is answered 400 once it passes the byte cap,
    and a slow or silent one is closed at the request deadline; neither delays a valid probe, and
    a flood of silent probers does not keep a valid probe out;
  - while the only slot is taken and a second valid request waits for it, the probe answers 503;
  - no probe starts a session: serve's --log-json lines (one JSON object per line, with the
    documented fields) are exactly the connections made to the serving port.

usage: health_probe_test.py TWAIN MODEL IMAGE
"""
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time

PROBE_DEADLINE = 1.0  # HealthProbeOptions::request_timeout


def start_server(twain, model, tmp, *extra):
    err_path, out_path = os.path.join(tmp, "serve.err"), os.path.join(tmp, "serve.json")
    server = subprocess.Popen([twain, "serve", "--model", model, "--port", "0", "--health-port", "0", "--log-json",
                               *extra], stderr=open(err_path, "w"), stdout=open(out_path, "w"))
    for _ in range(600):
        text = open(err_path).read()
        port = re.search(r"listening on 127\.0\.0\.1:(\d+)", text)
        health = re.search(r"health probe on 127\.0\.0\.1:(\d+)", text)
        if port and health:
            fingerprint = re.search(r"model fingerprint ([0-9a-f]{64})", text).group(1)
            return server, int(port.group(1)), int(health.group(1)), fingerprint, out_path
        if server.poll() is not None:
            break
        time.sleep(0.05)
    server.kill()
    sys.exit("server did not start:\n" + open(err_path).read())


def exchange(port, data, timeout=5.0):
    """Sends data, returns (everything the probe answered before closing, seconds it took)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        chunks = []
        try:
            s.sendall(data)
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (ConnectionResetError, BrokenPipeError):
            # The probe closed with our unread bytes in its buffer: the kernel resets, and may
            # drop the answer it sent before.
            chunks.append(b"(reset)")
    return b"".join(chunks).decode("latin-1"), time.monotonic() - start


def health(port):
    answer, _ = exchange(port, b"GET /health HTTP/1.0\r\n\r\n")
    status = int(answer.split(" ", 2)[1])
    return status, answer.split("\r\n\r\n", 1)[1]


class StallingProxy:
    """Forwards one client's first `forward` bytes to the server, then nothing more from it (the
    server's answers still flow): the session it started holds its slot."""

    def __init__(self, port, forward=1 << 20):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.server_port, self.forward = port, forward
        self.stalled = threading.Event()
        self.sockets = []
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        client, _ = self.listener.accept()
        server = socket.create_connection(("127.0.0.1", self.server_port))
        self.sockets = [client, server]
        threading.Thread(target=self.pump, args=(server, client, None), daemon=True).start()
        self.pump(client, server, self.forward)

    def pump(self, src, dst, limit):
        sent = 0
        try:
            while limit is None or sent < limit:
                data = src.recv(65536 if limit is None else min(65536, limit - sent))
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                dst.sendall(data)
                sent += len(data)
            self.stalled.set()
        except OSError:
            pass

    def close(self):
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)  # wakes the pumps; a bare close would wait for them
                s.close()
            except OSError:
                pass


def wait_for(predicate, seconds, what):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise SystemExit("timed out waiting for " + what)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    twain, model, image = sys.argv[1:]
    tmp = tempfile.mkdtemp()
    # One slot, two requests from one address allowed: the second waits for the slot.
    server, port, hport, fingerprint, json_path = start_server(
        twain, model, tmp, "--max-concurrent", "1", "--max-per-peer", "2", "--session-timeout", "30")
    connections = 0
    try:
        # 1. A valid probe, before and after a real session.
        status, body = health(hport)
        if status != 200 or body != f"twain ok {fingerprint} sessions 0/1 waiting 0\n":
            raise SystemExit(f"unexpected answer to GET: {status} {body!r}")
        answer, _ = exchange(hport, b"HEAD / HTTP/1.0\r\nUser-Agent: test\r\n\r\n")
        if not answer.startswith("HTTP/1.0 200 OK\r\n") or not answer.endswith("\r\n\r\n"):
            raise SystemExit(f"unexpected answer to HEAD: {answer!r}")
        query = subprocess.run([twain, "query", "--server", f"127.0.0.1:{port}", "--image", image],
                               capture_output=True, text=True, timeout=120)
        connections += 1
        if query.returncode != 0:
            raise SystemExit("the query failed:\n" + query.stderr)

        # 2. Garbage: another method, and bytes without an end of headers past the cap.
        answer, _ = exchange(hport, b"POST /health HTTP/1.0\r\n\r\n")
        if not answer.startswith("HTTP/1.0 400 "):
            raise SystemExit(f"POST was not refused: {answer!r}")
        answer, seconds = exchange(hport, os.urandom(1 << 16).replace(b"\n", b"x"))
        if not (answer.startswith("HTTP/1.0 400 ") or answer.endswith("(reset)")) or seconds > PROBE_DEADLINE:
            raise SystemExit(f"64 KiB of garbage got {answer[:40]!r} after {seconds:.2f} s")

        # 3. A slow prober is cut at the deadline and delays no valid probe; nor do 200 silent ones.
        slow = socket.create_connection(("127.0.0.1", hport))
        slow.sendall(b"GET /hea")
        start = time.monotonic()
        status, _ = health(hport)
        answered = time.monotonic() - start
        if status != 200:
            raise SystemExit(f"a valid probe next to a slow one: {status}")
        # Answered while the slow one still waits for its deadline (unless this machine is so busy
        # that the deadline passed meanwhile).
        if answered < 0.8 * PROBE_DEADLINE and select.select([slow], [], [], 0)[0]:
            raise SystemExit("the slow prober was dropped before its deadline")
        slow.settimeout(PROBE_DEADLINE + 5)
        if slow.recv(100) != b"" or not PROBE_DEADLINE - 0.2 < time.monotonic() - start < PROBE_DEADLINE + 3:
            raise SystemExit(f"the slow prober was not closed at its deadline ({time.monotonic() - start:.2f} s)")
        silent = [socket.create_connection(("127.0.0.1", hport)) for _ in range(200)]
        start = time.monotonic()
        status, _ = health(hport)
        if status != 200 or time.monotonic() - start > PROBE_DEADLINE:
            raise SystemExit(f"a valid probe after 200 silent ones: {status} in {time.monotonic() - start:.2f} s")
        for s in silent:
            s.close()

        # 4. Busy: the only slot held by a stalled session, a second valid request waiting for it.
        first, second = StallingProxy(port), StallingProxy(port)
        clients = [subprocess.Popen([twain, "query", "--server", f"127.0.0.1:{p.port}", "--image", image],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in (first,)]
        connections += 1
        if not first.stalled.wait(60):
            raise SystemExit("the first stalled client never got past its request")
        wait_for(lambda: health(hport) == (200, f"twain ok {fingerprint} sessions 1/1 waiting 0\n"), 10,
                 "the stalled session to hold the slot")
        clients.append(subprocess.Popen([twain, "query", "--server", f"127.0.0.1:{second.port}", "--image", image],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        connections += 1
        wait_for(lambda: health(hport) == (503, f"twain busy {fingerprint} sessions 1/1 waiting 1\n"), 10,
                 "503 while a request waits for the slot")
        for c in clients:
            c.kill()
            c.wait()
        first.close()
        second.close()
        wait_for(lambda: health(hport) == (200, f"twain ok {fingerprint} sessions 0/1 waiting 0\n"), 40,
                 "the slot to be free again")

        # 5. The JSON log: one object per connection to the serving port, none for the probes.
        lines = wait_for(lambda: (lambda l: l if len(l) >= connections else None)(
            [line for line in open(json_path).read().splitlines() if line]), 40, "the log lines")
        records = [json.loads(line) for line in lines]
        if len(records) != connections:
            raise SystemExit(f"{len(records)} log lines for {connections} connections:\n" + "\n".join(lines))
        for r in records:
            for key in ("session", "number", "peer", "model", "outcome", "reason", "time", "seconds", "bytes_sent",
                        "bytes_received", "bytes", "rounds"):
                if key not in r:
                    raise SystemExit(f"log line without {key}: {r}")
            if r["model"] != fingerprint or r["bytes"] != r["bytes_sent"] + r["bytes_received"]:
                raise SystemExit(f"bad log line: {r}")
        done = records[0]
        if done["outcome"] != "done" or set(done["phases"]) != {"setup", "offline", "online"} or done["inferences"] != 1:
            raise SystemExit(f"the valid session's line: {done}")
        phase_bytes = sum(p["bytes_sent"] + p["bytes_received"] for p in done["phases"].values())
        if phase_bytes > done["bytes"] or sum(p["rounds"] for p in done["phases"].values()) > done["rounds"]:
            raise SystemExit(f"the phases exceed the connection's traffic: {done}")
        ids = {r["session"] for r in records}
        if len(ids) != len(records) or len({i.rsplit("-", 1)[0] for i in ids}) != 1:
            raise SystemExit(f"session ids are not one process's distinct ids: {ids}")
        if any(r["outcome"] == "done" for r in records[1:]):
            raise SystemExit(f"a stalled session was reported done: {records[1:]}")
    finally:
        server.kill()
        server.wait()
    print(f"health probe: 200/HEAD/400 answers, garbage and slow probers cut, 503 while busy, "
          f"{connections} JSON log lines for {connections} sessions")


if __name__ == "__main__":
    main()
