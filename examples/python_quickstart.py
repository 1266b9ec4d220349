#!/usr/bin/env python3
"""A secure inference from Python: a server of the bundled Fashion-MNIST model on a background
thread, a client that classifies one image through it, the same image with both parties in
this process, and the plaintext references.

    ./run.sh build
    PYTHONPATH=build/python /usr/bin/python3 examples/python_quickstart.py [IMAGE]

Copy it anywhere: the paths below are relative to the repository, which TWAIN_SOURCE_DIR can name.
"""

import os
import sys

import twain

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("TWAIN_SOURCE_DIR", os.path.normpath(os.path.join(HERE, "..")))
MODEL = os.path.join(ROOT, "models", "fashion_mnist", "model.onnx")
IMAGE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "fashion_mnist", "images",
                                                           "0002_trouser.png")


def main():
    model = twain.Model(MODEL)  # imported, quantised and checked once
    server = twain.Server(model, port=0, max_topk=3)  # port 0: any free port
    with server.serving():  # serves on a background thread until the block ends
        client = twain.Client(server.address, expect_model=server.fingerprint)
        pred = client.infer(IMAGE, topk=3, progress=True)
    print("secure inference of", IMAGE)
    for rank, (index, label, score) in enumerate(pred.top_k, 1):
        print("  %d. %-12s (index %d)  score %.4f" % (rank, label, index, score))
    for phase in ("setup", "offline", "online"):
        p = pred.report["phases"][phase]
        print("  %-8s %.3f s  %.2f MiB  %d rounds" % (phase, p["seconds"], p["bytes_total"] / 2**20, p["rounds"]))
    print("server:", server.log_lines[-1])

    # Both parties in this process; exact mode equals the fixed-point evaluator bit for bit.
    local = twain.local(model, IMAGE, mode="exact", topk=3)
    reference = twain.plain(model, IMAGE, topk=3)
    print("local:", local.top_k)
    print("fixed-point reference:", reference.fixed_top_k)
    print("float reference:", reference.float_top_k)
    assert [s for _, _, s in local.top_k] == [s for _, _, s in reference.fixed_top_k]

    try:
        twain.Client(server.address, connect_timeout=1).infer(IMAGE)  # the server has closed
    except twain.NetworkError as error:
        print("after close:", type(error).__name__)


if __name__ == "__main__":
    main()
