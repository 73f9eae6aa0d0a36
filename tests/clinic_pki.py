"""A test certificate authority (root -> intermediate -> clinic leaf) and PKCS#12 files of it.

The leaves look like what a clinic buys from a CA: issued by an intermediate, with the
extensions CAs add (key identifiers, CRL and OCSP addresses, policies, extended key usages),
so an RSA-4096 leaf is about 1.9 KB of DER. By default their CRL and OCSP addresses are on
``.invalid`` hosts that nothing answers; with ``revocation=`` (the URL of a
:func:`serve_revocation` server on 127.0.0.1) the CA publishes real CRLs (and OCSP answers)
there, so that sealing can fetch them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

P12_PASSPHRASE = "clinic p12 passphrase"
LEAF_KINDS = ("rsa2048", "rsa4096", "ec-p256")
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
ADOBE_AUTHENTIC_DOCUMENTS = ObjectIdentifier("1.2.840.113583.1.1.5")


@dataclass(frozen=True)
class CertificateAuthority:
    root: x509.Certificate
    root_key: Any
    intermediate: x509.Certificate
    intermediate_key: Any


def _name(cn: str, ou: str = "Certification Services") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Massachusetts"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "Boston"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Trust Services Inc."),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _validity(builder: x509.CertificateBuilder, years: int) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return builder.not_valid_before(now - dt.timedelta(days=2)).not_valid_after(
        now + dt.timedelta(days=365 * years)
    )


def make_ca(revocation: str | None = None) -> CertificateAuthority:
    """A root and an intermediate; ``revocation`` is the base URL where the root's CRL is
    published (``{revocation}/root.crl``), else an address nothing answers."""
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    root_name = _name("Test Trust Root CA R1")
    root = (
        _validity(x509.CertificateBuilder(), 20)
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    inter_key = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    intermediate = (
        _validity(x509.CertificateBuilder(), 10)
        .subject_name(_name("Test Trust Document Signing CA G2"))
        .issuer_name(root_name)
        .public_key(inter_key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(inter_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [
                            x509.UniformResourceIdentifier(
                                f"{revocation}/root.crl"
                                if revocation
                                else "http://crl.test-trust.invalid/root.crl"
                            )
                        ],
                        None,
                        None,
                        None,
                    )
                ]
            ),
            False,
        )
        .sign(root_key, hashes.SHA256())
    )
    return CertificateAuthority(root, root_key, intermediate, inter_key)


def new_leaf_key(kind: str) -> Any:
    if kind == "rsa2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "rsa4096":
        return rsa.generate_private_key(public_exponent=65537, key_size=4096)
    if kind == "ec-p256":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(kind)


def issue_leaf(
    ca: CertificateAuthority, key: Any, revocation: str | None = None, *, ocsp: bool = True
) -> x509.Certificate:
    """A clinic certificate; its CRL (and, with ``ocsp``, OCSP) addresses are under
    ``revocation`` when given, else on hosts nothing answers."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Massachusetts"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "Boston"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "RPM Health Dermatology Associates"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Clinical Records"),
            x509.NameAttribute(NameOID.COMMON_NAME, "RPM Health document signing"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "records@rpmhealth.example"),
        ]
    )
    base = revocation or "http://pki.test-trust.invalid"
    if revocation:
        points = [x509.UniformResourceIdentifier(f"{base}/docsign-g2.crl")]
    else:
        points = [
            x509.UniformResourceIdentifier(f"{base}/crl/docsign-g2.crl"),
            x509.UniformResourceIdentifier(f"{base}/crl/backup/docsign-g2.crl"),
        ]
    access = [
        x509.AccessDescription(
            x509.AuthorityInformationAccessOID.CA_ISSUERS,
            x509.UniformResourceIdentifier(f"{base}/certs/docsign-g2.crt"),
        )
    ]
    if ocsp:
        access.insert(
            0,
            x509.AccessDescription(
                x509.AuthorityInformationAccessOID.OCSP,
                x509.UniformResourceIdentifier(f"{base}/ocsp"),
            ),
        )
    return (
        _validity(x509.CertificateBuilder(), 3)
        .subject_name(subject)
        .issuer_name(ca.intermediate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
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
                    ExtendedKeyUsageOID.EMAIL_PROTECTION,
                    DOCUMENT_SIGNING,
                    ADOBE_AUTHENTIC_DOCUMENTS,
                ]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.intermediate_key.public_key()),
            False,
        )
        .add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name("records@rpmhealth.example")]), False
        )
        .add_extension(
            x509.CRLDistributionPoints([x509.DistributionPoint(points, None, None, None)]),
            False,
        )
        .add_extension(x509.AuthorityInformationAccess(access), False)
        .add_extension(
            x509.CertificatePolicies(
                [
                    x509.PolicyInformation(
                        ObjectIdentifier("2.23.140.1.2.2"),
                        [
                            f"{base}/repository/cps",
                            x509.UserNotice(
                                None,
                                "This certificate is for signing clinical documents of the "
                                "named organisation only. Reliance is subject to the CPS.",
                            ),
                        ],
                    )
                ]
            ),
            False,
        )
        .sign(ca.intermediate_key, hashes.SHA256())
    )


def write_pkcs12(path: Path, ca: CertificateAuthority, key: Any, leaf: x509.Certificate) -> Path:
    """The leaf, its key and the chain (intermediate, root), as a CA's PKCS#12 export holds."""
    blob = pkcs12.serialize_key_and_certificates(
        b"RPM Health document signing",
        key,
        leaf,
        [ca.intermediate, ca.root],
        serialization.BestAvailableEncryption(P12_PASSPHRASE.encode()),
    )
    path.write_bytes(blob)
    return path


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def plant_pair(folder: Path) -> tuple[bytes, bytes]:
    """Write a clear key and a self-signed certificate of one's own, as an intruder would."""
    tool = shutil.which("openssl")
    key_path, cert_path = folder / "clinic-key.pem", folder / "clinic-cert.pem"
    if tool is not None:
        run = subprocess.run(
            [
                tool,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "30",
                "-subj",
                "/CN=Clinic document signing",
                "-keyout",
                str(key_path),
                "-out",
                str(cert_path),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
    else:  # the same pair made without the openssl command
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Clinic document signing")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(key, hashes.SHA256())
        )
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path.read_bytes(), cert_path.read_bytes()


# --- a CA's revocation services on 127.0.0.1 -----------------------------------------------------


@dataclass
class RevocationServer:
    """CRLs (and OCSP answers) of the CAs published on it, made fresh for every request.

    ``publish`` names the issuer of a CRL path; ``revoked`` holds the serial numbers revoked;
    ``down`` answers every request with HTTP 503, ``hang`` answers none (until the server
    stops); ``requests`` counts the requests received.
    """

    url: str = ""
    issuers: dict[str, tuple[x509.Certificate, Any]] = field(default_factory=dict)
    revoked: set[int] = field(default_factory=set)
    down: bool = False
    hang: bool = False
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def publish(self, path: str, issuer: x509.Certificate, key: Any) -> None:
        self.issuers[path.lstrip("/")] = (issuer, key)

    def publish_ca(self, ca: CertificateAuthority, prefix: str = "") -> None:
        """The CRLs and OCSP answers that ``make_ca(base)`` and ``issue_leaf(..., base)``
        certificates name, for ``base`` = ``self.base(prefix)``."""
        where = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.publish(f"{where}root.crl", ca.root, ca.root_key)
        self.publish(f"{where}docsign-g2.crl", ca.intermediate, ca.intermediate_key)
        self.publish(f"{where}ocsp", ca.intermediate, ca.intermediate_key)

    def base(self, prefix: str = "") -> str:
        """The base URL for a CA published under ``prefix`` (several CAs share one server)."""
        return f"{self.url}/{prefix.strip('/')}" if prefix.strip("/") else self.url

    def crl(self, path: str) -> bytes:
        issuer, key = self.issuers[path]
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + dt.timedelta(days=7))
            .add_extension(x509.CRLNumber(int(now.timestamp())), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()), False
            )
        )
        for serial in sorted(self.revoked):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - dt.timedelta(hours=1))
                .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), False)
                .build()
            )
        return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def ocsp(self, path: str, body: bytes) -> bytes:
        from cryptography.x509 import ocsp

        issuer, key = self.issuers[path]
        request = ocsp.load_der_ocsp_request(body)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        serial = request.serial_number
        if serial in self.revoked:
            status, revoked_at, reason = (
                ocsp.OCSPCertStatus.REVOKED,
                now - dt.timedelta(hours=1),
                x509.ReasonFlags.key_compromise,
            )
        else:
            status, revoked_at, reason = ocsp.OCSPCertStatus.GOOD, None, None
        # The response names the certificate by its issuer's name and key hashes and its
        # serial, which is all a responder needs: a stand-in with that serial carries them.
        stand_in = (
            x509.CertificateBuilder()
            .subject_name(issuer.subject)
            .issuer_name(issuer.subject)
            .public_key(issuer.public_key())
            .serial_number(serial)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256())
        )
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=stand_in,
                issuer=issuer,
                algorithm=request.hash_algorithm,
                cert_status=status,
                this_update=now - dt.timedelta(minutes=5),
                next_update=now + dt.timedelta(days=1),
                revocation_time=revoked_at,
                revocation_reason=reason,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer)
        )
        return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@contextmanager
def serve_revocation(lifetime: float = 300.0) -> Iterator[RevocationServer]:
    """A :class:`RevocationServer` on 127.0.0.1 (a free port) while the block runs.

    It stops itself after ``lifetime`` seconds even if the block never ends, so a test that
    hangs leaves no server behind.
    """
    state = RevocationServer()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: bytes | None) -> None:
            with state.lock:
                state.requests += 1
            if state.hang:
                state.stopping.wait(lifetime)
                return
            if state.down:
                self.send_error(503)
                return
            path = self.path.split("?")[0].lstrip("/")
            try:
                ocsp_path = path.rsplit("/", 1)[-1] == "ocsp"
                if ocsp_path and body is not None and path in state.issuers:
                    reply, kind = state.ocsp(path, body), "application/ocsp-response"
                elif path in state.issuers and body is None:
                    reply, kind = state.crl(path), "application/pkix-crl"
                else:
                    self.send_error(404)
                    return
            except ValueError:
                self.send_error(400)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self._answer(None)

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self._answer(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    timer = threading.Timer(lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        yield state
    finally:
        timer.cancel()
        state.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
