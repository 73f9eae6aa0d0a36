"""A time-stamping authority for the tests: an RFC 3161 responder on 127.0.0.1 only.

A test root CA issues the TSA certificate (critical extended key usage id-kp-timeStamping, as
RFC 3161 requires); pyHanko's ``DummyTimeStamper`` builds and signs each token, and a
``ThreadingHTTPServer`` in a thread answers ``application/timestamp-query`` POSTs with it. The
server binds the loopback interface, so no test reaches any other address.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Time Services"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


@dataclass
class LocalTSA:
    root: x509.Certificate
    cert: x509.Certificate
    key: Any
    fixed_time: dt.datetime | None = None
    requests: int = 0  # tokens issued
    attempts: int = 0  # requests received, refused ones too
    refuse: bool = False  # answer every request with HTTP 503
    root_key: Any = None  # to sign the root's CRL (see make_tsa's crl_url)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def write_root(self, path: Path) -> Path:
        path.write_bytes(self.root_pem())
        return path

    def stamper(self) -> Any:
        from asn1crypto import keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps import DummyTimeStamper

        der = serialization.Encoding.DER
        key_der = self.key.private_bytes(
            der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(self.cert.public_bytes(der)),
            tsa_key=keys.PrivateKeyInfo.load(key_der),
            certs_to_embed=[asn1_x509.Certificate.load(self.root.public_bytes(der))],
            fixed_dt=self.fixed_time,
        )


def make_tsa(
    valid_from: dt.datetime | None = None,
    *,
    time_stamping: bool = True,
    crl_url: str | None = None,
) -> LocalTSA:
    """A root and a TSA certificate it issued; ``time_stamping=False`` leaves out the
    id-kp-timeStamping key usage (a certificate no TSA may use). With ``crl_url`` the TSA
    certificate names that address for its root's CRL (see ``clinic_pki.serve_revocation``)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = valid_from or now - dt.timedelta(days=2)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name("Test Time Root CA")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Test Time Stamping Unit 1"))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [
                    ExtendedKeyUsageOID.TIME_STAMPING
                    if time_stamping
                    else ExtendedKeyUsageOID.CODE_SIGNING
                ]
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
    )
    if crl_url:
        cert = cert.add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)]
            ),
            False,
        )
    return LocalTSA(root, cert.sign(root_key, hashes.SHA256()), key, root_key=root_key)


@contextmanager
def serve(tsa: LocalTSA, *, user: str = "", password: str = "") -> Iterator[str]:
    """Run ``tsa`` on 127.0.0.1 (a free port) while the block runs; yields its URL.

    With ``user``/``password``, requests without those HTTP basic credentials get 401.
    """
    import base64

    from asn1crypto import tsp

    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode() if user else ""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with tsa.lock:
                tsa.attempts += 1
            if tsa.refuse:
                self.send_error(503)
                return
            if expected and self.headers.get("Authorization") != expected:
                self.send_error(401)
                return
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            with tsa.lock:
                tsa.requests += 1
                reply = tsa.stamper().request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was just bound and released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"
