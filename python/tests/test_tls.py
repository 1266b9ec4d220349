"""Serving over TLS 1.3: the prediction equals the plain one, the key pin is checked, and the
server's log callback sees every connection."""

import shutil
import subprocess

import pytest

import twain
from conftest import TROUSER


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a certificate")
    directory = tmp_path_factory.mktemp("pki")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(directory / "server.key"), "-out", str(directory / "server.pem"), "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return directory / "server.pem", directory / "server.key"


def test_tls_session(model, certificate):
    lines = []
    cert, key = certificate
    server = twain.Server(model, max_topk=3, tls_cert=cert, tls_key=key, log=lines.append)
    assert server.pin.startswith("sha256:")
    with server.serving():
        by_pin = twain.Client(server.address, tls_pin=server.pin).infer(TROUSER, topk=3)
        by_ca = twain.Client(server.address, tls_ca=str(cert)).infer(TROUSER, topk=3)
        with pytest.raises(twain.NetworkError):
            twain.Client(server.address, tls_pin="sha256:" + "0" * 64).infer(TROUSER, topk=3)
    assert by_pin.top_k == by_ca.top_k == twain.plain(model, TROUSER, topk=3).fixed_top_k
    assert by_pin.report["tls"]["record_bytes_sent"] > 0
    assert lines == server.log_lines and len(lines) == 3
    assert "TLS records" in lines[0] and "TLS records" in lines[1]
