#!/usr/bin/env python3
"""The Python path's overhead against the CLI for one Fashion-MNIST inference (a measurement to
report, not a test). Runs alternate so that a change in machine load hits both sides alike.

    PYTHONPATH=build/python /usr/bin/python3 python/tools/measure_overhead.py build/apps/twain [runs]

query: `twain query` (one process per run) against `twain serve`, versus Client.infer in this
interpreter and in a fresh interpreter per run (start-up and `import twain` included); also the
session itself as each client reports it (setup + offline + online seconds of --json / report).
local: `twain local` (one process per run), versus twain.local(path, image) in this interpreter
(both load and preprocess the model each time).
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import twain

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MODEL = os.path.join(ROOT, "models", "fashion_mnist", "model.onnx")
IMAGE = os.path.join(ROOT, "models", "fashion_mnist", "images", "0002_trouser.png")


# Before each run: the server finishes the previous session (its last checks, freeing, its log
# line) before the next one starts, so that no run pays for the one before it.
SETTLE_SECONDS = 0.3


def timed(run):
    time.sleep(SETTLE_SECONDS)
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def cpu_seconds(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def cpu_timed(run, who):
    """CPU seconds `run` took in this process (RUSAGE_SELF) or in the children it waited for
    (RUSAGE_CHILDREN): less sensitive than wall time to other work on the machine."""
    time.sleep(SETTLE_SECONDS)
    start = cpu_seconds(who)
    run()
    return cpu_seconds(who) - start


def summary(name, times):
    return "%-34s median %.3f s  range %.3f .. %.3f s  (%d runs)" % (
        name, statistics.median(times), min(times), max(times), len(times))


def main():
    cli = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    server = subprocess.Popen([cli, "serve", "--model", MODEL, "--port", "0", "--max-topk", "3"],
                              stderr=subprocess.PIPE, text=True)
    line = ""
    while "listening on" not in line:
        line = server.stderr.readline()
    address = line.rsplit(" ", 1)[1].strip()
    child = ("import twain; twain.Client(%r).infer(%r, topk=3)" % (address, IMAGE))
    client = twain.Client(address)
    results = {key: [] for key in ("cli query", "python infer (in process)", "python infer (new interpreter)",
                                   "cli local", "python local (in process)", "cli query: session",
                                   "python infer: session", "cli query: CPU", "python infer: CPU")}
    report_file = os.path.join(tempfile.mkdtemp(prefix="twain-overhead-"), "query.json")

    def session_seconds(report):
        return sum(phase["seconds"] for phase in report["phases"].values())

    try:
        client.infer(IMAGE, topk=3)  # warm the page cache and the server
        for _ in range(runs):
            results["cli query"].append(timed(lambda: subprocess.run(
                [cli, "query", "--server", address, "--image", IMAGE, "--topk", "3", "--json", report_file],
                **quiet)))
            with open(report_file, encoding="utf-8") as f:
                results["cli query: session"].append(session_seconds(json.load(f)))
            pred = []
            results["python infer (in process)"].append(timed(lambda: pred.append(client.infer(IMAGE, topk=3))))
            results["python infer: session"].append(session_seconds(pred[0].report))
            results["cli query: CPU"].append(cpu_timed(lambda: subprocess.run(
                [cli, "query", "--server", address, "--image", IMAGE, "--topk", "3"], **quiet),
                resource.RUSAGE_CHILDREN))
            results["python infer: CPU"].append(cpu_timed(lambda: client.infer(IMAGE, topk=3), resource.RUSAGE_SELF))
            results["python infer (new interpreter)"].append(timed(lambda: subprocess.run(
                [sys.executable, "-c", child], **quiet)))
            results["cli local"].append(timed(lambda: subprocess.run(
                [cli, "local", "--model", MODEL, "--image", IMAGE, "--topk", "3"], **quiet)))
            results["python local (in process)"].append(timed(lambda: twain.local(MODEL, IMAGE, topk=3)))
    finally:
        server.kill()
        server.wait()
    for name, times in results.items():
        print(summary(name, times))
    median = {name: statistics.median(times) for name, times in results.items()}
    for python, reference in (("python infer: CPU", "cli query: CPU"),
                              ("python infer: session", "cli query: session"),
                              ("python infer (in process)", "cli query"),
                              ("python infer (new interpreter)", "cli query"),
                              ("python local (in process)", "cli local")):
        print("%-34s %+.1f %% against %s" % (python, 100 * (median[python] / median[reference] - 1), reference))


if __name__ == "__main__":
    main()
