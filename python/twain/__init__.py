"""twain: two-party private CNN inference from Python.

A server owns an ONNX model, a client owns an image; the client learns the prediction (top-k
classes with scores, or the logits if the server allows), the server learns nothing, and the
client learns nothing about the weights beyond the architecture and public bounds. Linear layers
run under RLWE homomorphic encryption, non-linear layers under Boolean GMW with silent-OT
triples; this package runs the same engine as the ``twain`` command-line tool.

    import twain
    server = twain.Server("models/fashion_mnist/model.onnx", port=0, max_topk=3)
    with server.serving():
        client = twain.Client(f"127.0.0.1:{server.port}")
        pred = client.infer("models/fashion_mnist/images/0002_trouser.png", topk=3)
    pred.top_k    # [(index, label, score), ...]
    pred.report   # phases, per-op time, bytes, rounds: what `twain query --json` writes

Errors are subclasses of :class:`twain.Error` mirroring the C++ ones (``twain.ImportError``,
``twain.NetworkError``, ``twain.TimeoutError``, ...). ``twain.ImportError``,
``twain.TimeoutError`` and ``twain.SystemError`` share their names with Python built-ins and are
left out of ``from twain import *``; use them as ``twain.ImportError``.
"""

from ._twain import (  # noqa: F401  (re-exported)
    CapacityError,
    Error,
    FormatError,
    ImportError,
    IntegrityError,
    InvalidArgument,
    NetworkError,
    ParameterError,
    PolicyError,
    SystemError,
    TimeoutError,
)
from ._model import Model
from ._prediction import Prediction, Reference
from ._client import Client, local, plain
from ._server import Server

__version__ = "0.1.0"

__all__ = [
    "Model",
    "Server",
    "Client",
    "Prediction",
    "Reference",
    "local",
    "plain",
    "Error",
    "InvalidArgument",
    "ParameterError",
    "FormatError",
    "NetworkError",
    "IntegrityError",
    "PolicyError",
    "CapacityError",
]
