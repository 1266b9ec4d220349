#!/usr/bin/env python3
"""Scale-out: two twain serve processes behind HAProxy (examples/haproxy.cfg, its addresses
replaced by free ports), 16 clients, one backend killed (SIGKILL) mid-run.

Each client connects to its own loopback address (127.0.1.N, all bound by the frontend), so
HAProxy's log line for it (frontend address, server, the source port it used towards the server)
ties the client to the backend session that served it, which the backends' --log-json lines name
by that port.

What must hold:
  - every client that completed has exactly the fixed-point evaluator's top-1 (`twain plain`, the
    exact-mode oracle): index and score, and its backend logged its session "done";
  - every client that failed was on the killed backend, exits with status 1 and a `twain: error:`
    line saying the connection was closed or reset; at least one failed (the kill hit sessions
    under way);
  - the clients started once HAProxy marked the killed backend DOWN all completed, on the survivor;
  - the survivor logged nothing but completed sessions, one per client it served.

usage: haproxy_test.py TWAIN MODEL IMAGES_DIR HAPROXY_CFG [--haproxy PATH]
Exits 77 (skipped) when haproxy is not installed.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from cli_oracle import parse_prediction, reference

WAVE = 8  # clients before the kill, all at once, then as many after it, 4 at a time
CLEAR_ERROR = re.compile(r"^twain: error: .*(closed|reset)", re.M)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_backend(twain, model, tmp, name):
    err_path, out_path = os.path.join(tmp, f"{name}.err"), os.path.join(tmp, f"{name}.json")
    server = subprocess.Popen([twain, "serve", "--model", model, "--port", "0", "--health-port", "0", "--log-json"],
                              stderr=open(err_path, "w"), stdout=open(out_path, "w"))
    for _ in range(600):
        text = open(err_path).read()
        port = re.search(r"listening on 127\.0\.0\.1:(\d+)", text)
        health = re.search(r"health probe on 127\.0\.0\.1:(\d+)", text)
        if port and health:
            return server, int(port.group(1)), int(health.group(1)), out_path
        if server.poll() is not None:
            break
        time.sleep(0.05)
    server.kill()
    sys.exit(f"backend {name} did not start:\n" + open(err_path).read())


def health_sessions(port):
    """Sessions running on a backend, from its health probe."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"GET /health HTTP/1.0\r\n\r\n")
            answer = b""
            while chunk := s.recv(4096):
                answer += chunk
        return int(re.search(rb"sessions (\d+)/", answer).group(1))
    except (OSError, AttributeError):
        return -1


def server_states(stats_socket):
    """{server name: status} of the backend, from HAProxy's stats socket."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(stats_socket)
        s.sendall(b"show stat\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    lines = data.decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    states = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(",")))
        if row.get("pxname") == "twain_servers" and row.get("svname") not in ("BACKEND", None):
            states[row["svname"]] = row["status"]
    return states


def wait_for(predicate, seconds, what):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit("timed out waiting for " + what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("twain")
    ap.add_argument("model")
    ap.add_argument("images")
    ap.add_argument("config")
    ap.add_argument("--haproxy", default=shutil.which("haproxy") or "/usr/sbin/haproxy")
    args = ap.parse_args()
    if not os.access(args.haproxy, os.X_OK):
        print("haproxy is not installed (Debian package haproxy): skipped")
        sys.exit(77)
    images = sorted(os.path.join(args.images, f) for f in os.listdir(args.images) if f.endswith(".png"))
    expected = {image: reference(args.twain, args.model, image) for image in images}
    tmp = tempfile.mkdtemp()

    backends = {name: start_backend(args.twain, args.model, tmp, name) for name in ("a", "b")}
    front = free_port()
    clients = [f"127.0.1.{i + 1}" for i in range(2 * WAVE)]
    config = open(args.config).read()
    for old, new in (("127.0.0.1:7001", f"127.0.0.1:{backends['a'][1]}"), ("port 7101", f"port {backends['a'][2]}"),
                     ("127.0.0.1:7002", f"127.0.0.1:{backends['b'][1]}"), ("port 7102", f"port {backends['b'][2]}"),
                     ("bind 127.0.0.1:7000", "bind " + ",".join(f"{c}:{front}" for c in clients))):
        if old not in config:
            sys.exit(f"{args.config} has no '{old}' to replace")
        config = config.replace(old, new)
    stats = os.path.join(tmp, "stats.sock")
    # The test's additions: the stats socket, and a log line that names the client's address, the
    # server and the source port towards it, and how the connection ended.
    config = config.replace("global\n", f"global\n    stats socket {stats} mode 600 level admin\n", 1)
    config = config.replace("    default_backend twain_servers\n",
                            '    default_backend twain_servers\n    log-format "%fi %s %bp %ts"\n', 1)
    config_path = os.path.join(tmp, "haproxy.cfg")
    open(config_path, "w").write(config)
    haproxy_log = os.path.join(tmp, "haproxy.log")
    haproxy = subprocess.Popen([args.haproxy, "-db", "-f", config_path], stdout=open(haproxy_log, "w"),
                               stderr=subprocess.STDOUT)
    results = {}

    def run_client(index):
        image = images[index % len(images)]
        started = time.monotonic()
        done = subprocess.run([args.twain, "query", "--server", f"{clients[index]}:{front}", "--image", image,
                               "--topk", "1"],
                              capture_output=True, text=True, timeout=120)
        results[index] = (image, done, started)

    try:
        wait_for(lambda: os.path.exists(stats) and server_states(stats) == {"a": "UP", "b": "UP"}, 30,
                 "both backends UP in HAProxy")
        with concurrent.futures.ThreadPoolExecutor(WAVE) as pool:
            first = [pool.submit(run_client, i) for i in range(WAVE)]
            # Mid-run: once a has sessions under way.
            wait_for(lambda: health_sessions(backends["a"][2]) >= 2, 60, "two sessions under way on a")
            backends["a"][0].send_signal(signal.SIGKILL)
            backends["a"][0].wait()
            killed_at = time.monotonic()
            for f in first:
                f.result()
        wait_for(lambda: server_states(stats).get("a", "").startswith("DOWN"), 30, "HAProxy to mark a DOWN")
        down_at = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for f in [pool.submit(run_client, i) for i in range(WAVE, 2 * WAVE)]:
                f.result()
        # HAProxy logs a connection when it closes; every client has closed its own.
        wait_for(lambda: len(open(haproxy_log).read().splitlines()) >= 2 * WAVE, 10, "HAProxy's log lines")
    finally:
        haproxy.terminate()
        haproxy.wait()
        for server, *_ in backends.values():
            server.kill()
            server.wait()

    routes = {}  # client address -> (server, source port towards it, termination state)
    for line in open(haproxy_log).read().splitlines():
        m = re.fullmatch(r"(127\.0\.1\.\d+) (\S+) (\d+|-) (\S+)", line.strip())
        if m:
            routes[m.group(1)] = (m.group(2), m.group(3), m.group(4))
    sessions = {name: {} for name in backends}  # backend -> {peer port: outcome}
    for name, (_, _, _, json_path) in backends.items():
        for line in open(json_path).read().splitlines():
            record = json.loads(line)
            sessions[name][record["peer"].rsplit(":", 1)[1]] = record["outcome"]

    failures, completed, on_b, example = [], 0, 0, ""
    for index in range(2 * WAVE):
        image, done, started = results[index]
        if clients[index] not in routes:
            raise SystemExit(f"client {index}: no HAProxy log line for {clients[index]}:\n" + open(haproxy_log).read())
        server, port, state = routes[clients[index]]
        where = f"client {index} ({os.path.basename(image)}, server {server}, HAProxy state {state})"
        if done.returncode == 0:
            got = parse_prediction(done.stdout)
            if got != expected[image]:
                failures.append(f"{where}: prediction {got}, the fixed-point evaluator says {expected[image]}")
            if server not in sessions or sessions[server].get(port) != "done":
                failures.append(f"{where}: completed, but {server} logged no completed session from port {port}")
            completed += 1
        else:
            if server != "a" or started > killed_at:
                failures.append(f"{where}: failed, but not on the killed backend during the run:\n{done.stderr}")
            error = CLEAR_ERROR.search(done.stderr)
            if done.returncode != 1 or not error:
                failures.append(f"{where}: no clear error (status {done.returncode}):\n{done.stderr}")
            elif not example:
                example = done.stderr[error.start():].splitlines()[0]
        if started > down_at and (server != "b" or done.returncode != 0):
            failures.append(f"{where}: started after a was DOWN, but not served by b")
        on_b += server == "b"
    if any(outcome != "done" for outcome in sessions["b"].values()) or len(sessions["b"]) != on_b:
        failures.append(f"the survivor's log: {sessions['b']} for {on_b} clients routed to it")
    if completed == 2 * WAVE:
        failures.append("no client failed: the kill hit no session under way")
    if failures:
        raise SystemExit("\n".join(failures) + "\nHAProxy log:\n" + open(haproxy_log).read())
    print(f"haproxy: {completed} of {2 * WAVE} clients completed with the oracle's prediction; "
          f"{2 * WAVE - completed} on the killed backend failed with a clear error ({example}); "
          f"the {WAVE} clients after it was marked DOWN all went to the survivor")


if __name__ == "__main__":
    main()
