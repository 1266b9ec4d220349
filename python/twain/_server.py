"""twain.Server: serving one model from a background thread, as ``twain serve`` does."""

import atexit
import contextlib
import os
import time
import weakref

from . import _twain
from ._model import as_model

# Servers still serving when the interpreter exits are stopped first (their threads call back
# into Python for the log).
_serving = weakref.WeakSet()


@atexit.register
def _close_all():
    for server in list(_serving):
        server.close()


class Server:
    """A twain server of one model: load, quantise and preprocess once, then serve clients
    concurrently, each session on its own thread, with what ``twain serve`` enforces (a session
    slot only after a valid request within handshake_timeout, at most max_concurrent sessions,
    max_per_peer from one address, a wall-clock budget per session).

    model: a :class:`Model` or an ONNX path. port: 0 picks a free port (see :attr:`port`).
    max_topk: the most classes a client learns; allow_logits: whether a client may learn every
    logit; send_names: tensor and op names travel in the description. threads: of the linear
    layers per session. handshake_timeout, session_timeout (None: from the plan, as ``twain
    serve``), max_handshakes, max_concurrent, max_per_peer (None: max_concurrent): as the options
    of ``twain serve``. max_sessions: connections to accept before serving stops (None: no
    limit). tls_cert / tls_key: PEM files; serve TLS 1.3 only. log: a callable given each
    connection's one line (``"session N from PEER: done in ..."``) on a serving thread; every
    line is also kept in :attr:`log_lines`.

    The listener is bound when the Server is made; :meth:`serving` (or :meth:`start`) starts the
    background thread, :meth:`close` stops it.
    """

    def __init__(self, model, *, port=0, host="127.0.0.1", max_topk=5, allow_logits=False, send_names=False,
                 threads=1, max_concurrent=4, max_per_peer=None, handshake_timeout=5.0, session_timeout=None,
                 max_handshakes=512, max_sessions=None, kernel_cache_mib=4096, min_statistical_bits=32,
                 tls_cert=None, tls_key=None, log=None):
        """Loads and preprocesses the model and binds host:port; serves nothing yet."""
        model = as_model(model)
        self._core = _twain.Server(
            model, host, port, max_topk, allow_logits, send_names, kernel_cache_mib, min_statistical_bits, threads,
            max_concurrent, max_per_peer, float(handshake_timeout),
            None if session_timeout is None else float(session_timeout), max_handshakes, max_sessions,
            None if tls_cert is None else os.fspath(tls_cert), None if tls_key is None else os.fspath(tls_key), log)
        self.model = model

    @property
    def port(self):
        """The port the server listens on (the one picked when port=0)."""
        return self._core.port

    @property
    def host(self):
        """The address the server listens on."""
        return self._core.host

    @property
    def address(self):
        """``"HOST:PORT"``, what :class:`Client` takes."""
        return "%s:%d" % (self.host, self.port)

    @property
    def fingerprint(self):
        """SHA-256 of the model description and card (what a client pins with expect_model)."""
        return self._core.fingerprint

    @property
    def pin(self):
        """``"sha256:HEX"`` of the TLS certificate's key (a client's tls_pin), None without TLS."""
        return self._core.pin

    @property
    def running(self):
        """True while the background thread serves."""
        return self._core.running

    @property
    def log_lines(self):
        """Every connection's line so far (the last 10000), oldest first."""
        return self._core.log_lines()

    def start(self):
        """Starts serving on a background thread (once per Server)."""
        self._core.start()
        _serving.add(self)

    def close(self):
        """Stops accepting, then waits for the sessions under way (each ends by its deadline at
        the latest). Safe to call more than once."""
        self._core.stop()
        _serving.discard(self)

    @contextlib.contextmanager
    def serving(self):
        """Serves on a background thread for the ``with`` block; closes on exit."""
        self.start()
        try:
            yield self
        finally:
            self.close()

    def serve_forever(self):
        """Serves until max_sessions connections were taken or Ctrl-C (then closes, and the
        KeyboardInterrupt propagates)."""
        self.start()
        try:
            while self.running:
                time.sleep(0.1)
        finally:
            self.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        return "twain.Server(%s, %s)" % (self.address, "serving" if self.running else "not serving")
