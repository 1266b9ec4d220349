#!/usr/bin/env python3
"""Sessions per second through HAProxy (examples/haproxy.cfg) with one and with two twain serve
backends on this machine, and straight to one twain serve for reference: each run sends
--sessions queries, --concurrency at a time, and times them end to end; the setups take turns in
every round so that a drift in the machine's load affects all of them. Prints each run and, per
setup, the median and range.

usage: haproxy_bench.py TWAIN MODEL IMAGES_DIR [--config examples/haproxy.cfg] [--runs 5]
                        [--sessions 32] [--concurrency 8] [--json FILE]
"""
import argparse
import concurrent.futures
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_backend(twain, model, tmp, name, *extra):
    err_path = os.path.join(tmp, f"{name}.err")
    server = subprocess.Popen([twain, "serve", "--model", model, "--port", "0", "--health-port", "0", *extra],
                              stderr=open(err_path, "w"), stdout=subprocess.DEVNULL)
    for _ in range(600):
        text = open(err_path).read()
        port = re.search(r"listening on 127\.0\.0\.1:(\d+)", text)
        health = re.search(r"health probe on 127\.0\.0\.1:(\d+)", text)
        if port and health:
            return server, int(port.group(1)), int(health.group(1))
        time.sleep(0.05)
    server.kill()
    sys.exit(f"backend {name} did not start:\n" + open(err_path).read())


def up(front):
    try:
        socket.create_connection(("127.0.0.1", front), timeout=1).close()
        return True
    except OSError:
        return False


def one_run(args, tmp, backends_count):
    """backends_count 0: one backend, no HAProxy."""
    # Straight to one server, every client comes from one address: it may wait for a slot instead
    # of being refused by --max-per-peer (behind HAProxy, maxconn keeps the rest queued there).
    extra = [] if backends_count else ["--max-per-peer", str(args.concurrency)]
    backends = [start_backend(args.twain, args.model, tmp, f"s{i}", *extra) for i in range(max(1, backends_count))]
    front = free_port() if backends_count else backends[0][1]
    config = open(args.config).read().replace("bind 127.0.0.1:7000", f"bind 127.0.0.1:{front}")
    config = config.replace("127.0.0.1:7001", f"127.0.0.1:{backends[0][1]}").replace("port 7101", f"port {backends[0][2]}")
    if backends_count == 2:
        config = config.replace("127.0.0.1:7002", f"127.0.0.1:{backends[1][1]}").replace("port 7102",
                                                                                          f"port {backends[1][2]}")
    else:
        config = "\n".join(line for line in config.splitlines() if not line.strip().startswith("server b "))
    path = os.path.join(tmp, "haproxy.cfg")
    open(path, "w").write(config + "\n")
    haproxy = subprocess.Popen(["haproxy", "-db", "-f", path], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) if backends_count else None
    try:
        if haproxy:
            while not up(front):
                time.sleep(0.05)
            time.sleep(2.5)  # the servers' first checks (rise 2, inter 1 s)
        images = sorted(os.path.join(args.images, f) for f in os.listdir(args.images) if f.endswith(".png"))

        def query(i):
            return subprocess.run([args.twain, "query", "--server", f"127.0.0.1:{front}", "--image",
                                   images[i % len(images)], "--topk", "1"], capture_output=True).returncode

        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            codes = list(pool.map(query, range(args.sessions)))
        seconds = time.monotonic() - start
        if any(codes):
            sys.exit(f"{sum(1 for c in codes if c)} sessions failed")
        return args.sessions / seconds
    finally:
        if haproxy:
            haproxy.terminate()
            haproxy.wait()
        for server, *_ in backends:
            server.terminate()
            server.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("twain")
    ap.add_argument("model")
    ap.add_argument("images")
    ap.add_argument("--config", default=os.path.join(os.path.dirname(__file__), "..", "examples", "haproxy.cfg"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sessions", type=int, default=32)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--json")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    rates = {0: [], 1: [], 2: []}
    names = {0: "direct, no HAProxy", 1: "1 backend", 2: "2 backends"}
    for run in range(args.runs):
        for count in (0, 1, 2) if run % 2 == 0 else (2, 1, 0):
            rate = one_run(args, tmp, count)
            rates[count].append(rate)
            print(f"run {run + 1}: {names[count]}: {rate:.2f} sessions/s (load average {os.getloadavg()[0]:.1f})",
                  flush=True)
    summary = {names[count]: {"median": statistics.median(r), "min": min(r), "max": max(r), "runs": r}
               for count, r in rates.items()}
    for count, r in rates.items():
        print(f"{names[count]}: median {statistics.median(r):.2f} sessions/s (range {min(r):.2f} .. {max(r):.2f}, "
              f"{len(r)} runs of {args.sessions} sessions, {args.concurrency} at a time)")
    if args.json:
        json.dump(summary, open(args.json, "w"), indent=2)


if __name__ == "__main__":
    main()
