"""twain.Client (a client of a remote server), twain.local and twain.plain."""

from . import _twain
from ._image import image_arg
from ._model import as_model
from ._prediction import Prediction, Reference
from ._progress import progress_arg


def _with_progress(progress, run):
    callback, bar = progress_arg(progress)
    try:
        return run(callback)
    finally:
        if bar is not None:
            bar.close()


def _endpoint(address):
    """("host", port) from "HOST:PORT" (HOST: a name, IPv4 address or [IPv6] address)."""
    if not isinstance(address, str) or ":" not in address:
        raise _twain.InvalidArgument("address must be 'HOST:PORT', got %r" % (address,))
    host, _, port = address.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise _twain.InvalidArgument("address must be 'HOST:PORT' with a port in 1..65535, got %r" % (address,))
    return host, int(port)


class Client:
    """The client of a twain server: each :meth:`infer` is one secure inference, on its own
    connection, as ``twain query`` runs it.

    address: ``"HOST:PORT"``. tls_ca (a PEM file of trusted CAs) and/or tls_pin
    (``"sha256:HEX"`` of the server's key, :attr:`Server.pin`): connect over TLS 1.3 and check
    the server. expect_model: the server's model fingerprint (:attr:`Server.fingerprint`); any
    other model is refused with :class:`twain.PolicyError` before anything is sent. threads: of
    the client's linear layers. connect_timeout: seconds to keep retrying the connection;
    io_timeout: seconds the server may stay silent.
    """

    def __init__(self, address, *, tls_ca=None, tls_pin=None, expect_model=None, threads=1,
                 connect_timeout=10.0, io_timeout=30.0):
        """Checks the arguments; nothing is connected until :meth:`infer`."""
        self.host, self.port = _endpoint(address)
        self.tls_ca = tls_ca
        self.tls_pin = tls_pin
        self.expect_model = expect_model
        self.threads = threads
        self.connect_timeout = float(connect_timeout)
        self.io_timeout = float(io_timeout)

    def infer(self, image, *, topk=5, mode="exact", ot="auto", logits=False, progress=None):
        """Runs one secure inference of `image` and returns a :class:`Prediction`.

        image: a path, PNG/JPEG bytes, a PIL image or a NumPy array (H x W x C uint8 pixels,
        or C x H x W floats already normalised); the server's model card says how the first
        ones are resized and normalised. topk: classes to learn (at most the server's
        max_topk); mode: ``"exact"`` (equal to the fixed-point evaluator bit for bit) or
        ``"fast"`` (one unit off per truncation allowed); ot: ``"auto"``, ``"ferret"`` or
        ``"iknp"``; logits: learn every logit (when the server allows it). progress: a callable
        ``(done, total, op_name)`` called before each online op, or True for a bar (tqdm when
        installed). The GIL is released while the protocol runs; Ctrl-C (or an exception from
        the callback) ends the session, closing the connection, and propagates.
        """
        fields = _with_progress(progress, lambda callback: _twain.infer(
            self.host, self.port, image_arg(image), topk, mode, ot, logits, self.threads, self.expect_model,
            self.tls_ca, self.tls_pin, self.connect_timeout, self.io_timeout, callback))
        return Prediction(fields)

    def __repr__(self):
        return "twain.Client(%r)" % ("%s:%d" % (self.host, self.port),)


def local(model, image, *, mode="exact", topk=5, ot="auto", logits=False, threads=1, kernel_cache_mib=4096,
          progress=None):
    """Both parties in this process, over loopback TCP, as ``twain local`` runs them.

    model: a :class:`Model` or an ONNX path; image, mode, topk, ot, logits, progress: as
    :meth:`Client.infer` (one user owns both sides, so the topk and logits asked are allowed);
    threads: of each party's linear layers. Returns a :class:`Prediction`.
    """
    model = as_model(model)
    fields = _with_progress(progress, lambda callback: _twain.local(
        model, image_arg(image), topk, mode, ot, logits, threads, kernel_cache_mib, callback))
    return Prediction(fields)


def plain(model, image, *, topk=5):
    """The float and fixed-point references of `image`, as ``twain plain`` computes them (no
    cryptography). Returns a :class:`Reference`."""
    model = as_model(model)
    return Reference(_twain.plain(model, image_arg(image), topk))
