"""A test certificate authority (root -> intermediate -> clinic leaf) and PKCS#12 files of it.

The leaves look like what a clinic buys from a CA: issued by an intermediate, with the
extensions CAs add (key identifiers, CRL and OCSP addresses, policies, extended key usages),
so an RSA-4096 leaf is about 1.9 KB of DER.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
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


def make_ca() -> CertificateAuthority:
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
                        [x509.UniformResourceIdentifier("http://crl.test-trust.invalid/root.crl")],
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


def issue_leaf(ca: CertificateAuthority, key: Any) -> x509.Certificate:
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
    base = "http://pki.test-trust.invalid"
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
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [
                            x509.UniformResourceIdentifier(f"{base}/crl/docsign-g2.crl"),
                            x509.UniformResourceIdentifier(f"{base}/crl/backup/docsign-g2.crl"),
                        ],
                        None,
                        None,
                        None,
                    )
                ]
            ),
            False,
        )
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(f"{base}/ocsp"),
                    ),
                    x509.AccessDescription(
                        x509.AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(f"{base}/certs/docsign-g2.crt"),
                    ),
                ]
            ),
            False,
        )
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
