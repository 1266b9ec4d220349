"""Every twain exception type, each raised by a crafted bad input (a refused model, a garbage,
closing, silent or corrupting peer, a request over the server's policy, an input beyond the
ring), and the Python hierarchy mirroring the C++ one."""

import os
import socket
import threading

import numpy
import pytest

import twain
from conftest import MODEL, TROUSER

HIERARCHY = {
    "Error": Exception,
    "InvalidArgument": twain.Error,
    "ParameterError": twain.Error,
    "FormatError": twain.Error,
    "ImportError": twain.FormatError,
    "NetworkError": twain.Error,
    "TimeoutError": twain.NetworkError,
    "IntegrityError": twain.NetworkError,
    "PolicyError": twain.Error,
    "CapacityError": twain.Error,
    "SystemError": twain.Error,
}


@pytest.mark.parametrize("name", sorted(HIERARCHY))
def test_each_cpp_type_arrives_as_its_python_class(name):
    cls = getattr(twain, name)
    assert issubclass(cls, HIERARCHY[name]) and cls.__module__ == "twain" and cls.__doc__
    with pytest.raises(cls, match="crafted") as caught:
        twain._twain._raise_for_tests(name, "crafted " + name)
    assert type(caught.value) is cls


def test_invalid_argument_is_a_value_error():
    assert issubclass(twain.InvalidArgument, ValueError)


def test_import_error_names_node_and_operator(tmp_path):
    with open(MODEL, "rb") as f:
        data = f.read()
    bad = tmp_path / "model.onnx"
    bad.write_bytes(data.replace(b"Relu", b"Selu"))  # same length: the protobuf stays well formed
    with pytest.raises(twain.ImportError, match=r"node \d+ '[^']*' \(Selu\)"):
        twain.Model(bad)
    (tmp_path / "empty.onnx").write_bytes(b"")
    with pytest.raises(twain.ImportError):
        twain.Model(tmp_path / "empty.onnx")


def test_format_error_from_a_malformed_model_card(tmp_path):
    with open(MODEL, "rb") as f:
        (tmp_path / "model.onnx").write_bytes(f.read())
    (tmp_path / "preprocess.json").write_text('{"input": [1, 28, 28], "color": "purple"}')
    with pytest.raises(twain.FormatError) as caught:
        twain.Model(tmp_path / "model.onnx")
    assert not isinstance(caught.value, twain.ImportError)


def fake_server(behaviour):
    """A peer that sends garbage, closes at once, or stays silent; returns its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    done = threading.Event()

    def run():
        connection, _ = listener.accept()
        if behaviour == "garbage":
            connection.sendall(b"\xff" * 64)
        if behaviour != "close":
            done.wait(5)
        connection.close()
        listener.close()

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1], done


@pytest.mark.parametrize("behaviour, error", [("garbage", twain.FormatError), ("close", twain.NetworkError),
                                              ("silent", twain.TimeoutError)])
def test_errors_from_a_bad_peer(behaviour, error):
    port, done = fake_server(behaviour)
    try:
        with pytest.raises(error) as caught:
            twain.Client("127.0.0.1:%d" % port, io_timeout=0.3).infer(TROUSER)
        assert type(caught.value) is error
    finally:
        done.set()


def corrupting_proxy(target_port, flip_at):
    """Relays one connection, flipping one bit of the server's stream at byte `flip_at`."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def pump(source, sink, flip):
        seen = 0
        try:
            while True:
                data = source.recv(1 << 16)
                if not data:
                    break
                if flip is not None and seen <= flip < seen + len(data):
                    data = bytearray(data)
                    data[flip - seen] ^= 1
                seen += len(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def run():
        client, _ = listener.accept()
        upstream = socket.create_connection(("127.0.0.1", target_port))
        threading.Thread(target=pump, args=(upstream, client, flip_at), daemon=True).start()
        threading.Thread(target=pump, args=(client, upstream, None), daemon=True).start()
        listener.close()

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1]


def test_integrity_error_from_a_flipped_bit(server):
    # Byte 5e6 of the server's stream lies in the offline phase's correlations: only the
    # end-of-session transcript check can tell.
    port = corrupting_proxy(server.port, 5_000_000)
    with pytest.raises(twain.IntegrityError, match="transcript check failed"):
        twain.Client("127.0.0.1:%d" % port).infer(TROUSER, topk=1)


def test_policy_errors(model, server):
    small = twain.Server(model, max_topk=3)
    with small.serving():
        with pytest.raises(twain.PolicyError, match="at most the top 3"):
            twain.Client(small.address).infer(TROUSER, topk=5)
        with pytest.raises(twain.PolicyError, match="logits"):
            twain.Client(small.address).infer(TROUSER, topk=3, logits=True)
    with pytest.raises(twain.PolicyError, match="expected"):
        twain.Client(server.address, expect_model="0" * 64).infer(TROUSER)
    with pytest.raises(twain.PolicyError, match="weight bound"):
        twain.Model(MODEL, weight_bits=0)


def test_capacity_error_from_an_input_beyond_the_ring(model):
    with pytest.raises(twain.CapacityError, match="does not fit the ring"):
        twain.plain(model, numpy.full((1, 28, 28), 1e9, dtype=numpy.float32))


def test_invalid_arguments(model, server):
    client = twain.Client(server.address)
    with pytest.raises(twain.InvalidArgument, match="mode"):
        client.infer(TROUSER, mode="slow")
    with pytest.raises(twain.InvalidArgument, match="cannot open the image"):
        client.infer(os.path.join(os.path.dirname(TROUSER), "missing.png"))
    with pytest.raises(twain.InvalidArgument, match="does not fit the model's input"):
        client.infer(numpy.zeros((3, 28, 28), dtype=numpy.float32))
    with pytest.raises(twain.InvalidArgument, match="neither PNG nor JPEG"):
        client.infer(b"GIF89a" + bytes(32))
    with pytest.raises(twain.InvalidArgument):
        twain.Client("no-port-here")
    with pytest.raises(twain.InvalidArgument):
        twain.Model(MODEL, bits=99)
    with pytest.raises(twain.InvalidArgument):
        twain.local(model, TROUSER, topk=0)


def test_network_error_for_a_port_in_use(server):
    with pytest.raises(twain.NetworkError):
        twain.Server(server.model, port=server.port)
