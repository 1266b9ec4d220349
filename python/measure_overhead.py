#!/usr/bin/env python3
"""The Python path's overhead against the CLI for one Fashion-MNIST inference (a measurement to
report, not a test). Runs alternate so that a change in machine load hits both sides alike.

    PYTHONPATH=build/python /usr/bin/python3 python/measure_overhead.py build/apps/twain [runs]

query: `twain query` (one process per run) against `twain serve`, versus Client.infer in this
interpreter and in a fresh interpreter per run (start-up and `import twain` included).
local: `twain local` (one process per run), versus twain.local(path, image) in this interpreter
(both load and preprocess the model each time).
"""

import os
import statistics
import subprocess
import sys
import time

import twain

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MODEL = os.path.join(ROOT, "models", "fashion_mnist", "model.onnx")
IMAGE = os.path.join(ROOT, "models", "fashion_mnist", "images", "0002_trouser.png")


def timed(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


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
                                   "cli local", "python local (in process)")}
    try:
        client.infer(IMAGE, topk=3)  # warm the page cache and the server
        for _ in range(runs):
            results["cli query"].append(timed(lambda: subprocess.run(
                [cli, "query", "--server", address, "--image", IMAGE, "--topk", "3"], **quiet)))
            results["python infer (in process)"].append(timed(lambda: client.infer(IMAGE, topk=3)))
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
    for python, reference in (("python infer (in process)", "cli query"),
                              ("python infer (new interpreter)", "cli query"),
                              ("python local (in process)", "cli local")):
        print("%-34s %+.1f %% against %s" % (python, 100 * (median[python] / median[reference] - 1), reference))


if __name__ == "__main__":
    main()
