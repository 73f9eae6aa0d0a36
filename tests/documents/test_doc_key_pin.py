"""The clinic certificate is pinned in the secret store: a key pair planted in the data folder
(by someone who can write there but cannot read the secret store) is refused, never adopted."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from clinic_pki import (
    P12_PASSPHRASE,
    issue_leaf,
    make_ca,
    new_leaf_key,
    plant_pair,
    write_pkcs12,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from intake.documents.signing import (
    CERT_FILE,
    KEY_FILE,
    PIN_SECRET,
    CertificateReplaced,
    ClinicSigner,
    SigningKeyError,
    installation_certificate,
    sign_pdf,
    verify_pdf,
)
from intake.secrets import get_secret

WHEN = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
PdfOf = Callable[..., bytes]


def _fp(pem: bytes) -> str:
    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex(":").upper()


def _pin_files() -> list[Path]:
    return [
        p for p in Path(os.environ["INTAKE_SECRETS_DIR"]).iterdir() if p.name.endswith(PIN_SECRET)
    ]


def test_a_fresh_installation_pins_its_certificate(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    signer = ClinicSigner.load_or_create(folder)
    assert get_secret(PIN_SECRET, folder=folder) == _fp(signer.certificate_pem)
    # The pin lives in the secret store, not in the data folder.
    assert not [p for p in folder.iterdir() if PIN_SECRET in p.name]
    assert ClinicSigner.load_or_create(folder).certificate_pem == signer.certificate_pem


def test_a_planted_pair_is_refused_by_signing_and_checking(tmp_path: Path, pdf_of: PdfOf) -> None:
    folder = tmp_path / "data"
    genuine = ClinicSigner.load_or_create(folder)
    sealed = sign_pdf(pdf_of("summary"), genuine, WHEN)
    planted_key, planted_cert = plant_pair(folder)
    assert b"ENCRYPTED" not in planted_key

    with pytest.raises(CertificateReplaced) as refused:
        ClinicSigner.load_or_create(folder)
    message = str(refused.value)
    assert "is not the one this installation made" in message
    assert _fp(planted_cert) in message and _fp(genuine.certificate_pem) in message
    # The planted key was not adopted: not encrypted with this installation's passphrase.
    assert (folder / KEY_FILE).read_bytes() == planted_key
    assert get_secret(PIN_SECRET, folder=folder) == _fp(genuine.certificate_pem)

    with pytest.raises(CertificateReplaced, match="someone replaced it"):
        installation_certificate(folder)
    # The genuine document still checks against the genuine certificate.
    assert verify_pdf(sealed, genuine.certificate_pem).valid


def test_a_clear_key_beside_the_genuine_certificate_is_not_converted(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    genuine = ClinicSigner.load_or_create(folder)
    (tmp_path / "elsewhere").mkdir()
    planted_key, _ = plant_pair(tmp_path / "elsewhere")
    (folder / KEY_FILE).write_bytes(planted_key)
    with pytest.raises(CertificateReplaced, match="in the clear"):
        ClinicSigner.load_or_create(folder)
    assert (folder / KEY_FILE).read_bytes() == planted_key
    assert installation_certificate(folder) == genuine.certificate_pem


def test_an_installation_from_before_pinning_is_pinned_on_load(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    made = ClinicSigner.load_or_create(folder)
    for path in _pin_files():
        path.unlink()  # as an earlier version left it: an encrypted key, nothing pinned
    assert get_secret(PIN_SECRET, folder=folder) is None
    # Checking reads only: it does not pin.
    assert installation_certificate(folder) == made.certificate_pem
    assert get_secret(PIN_SECRET, folder=folder) is None

    ClinicSigner.load_or_create(folder)
    assert get_secret(PIN_SECRET, folder=folder) == _fp(made.certificate_pem)
    plant_pair(folder)
    with pytest.raises(CertificateReplaced):
        ClinicSigner.load_or_create(folder)


def test_a_legacy_clear_key_is_converted_and_pinned_when_nothing_is_pinned(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    clear_key, cert = plant_pair(folder)  # an earlier version's files look just like this
    signer = ClinicSigner.load_or_create(folder)
    assert (
        signer.key_pem.strip()
        == serialization.load_pem_private_key(clear_key, None)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .strip()
    )
    assert (folder / KEY_FILE).read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert get_secret(PIN_SECRET, folder=folder) == _fp(cert)


def test_a_deleted_certificate_is_remade_for_the_own_key_and_pinned(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    first = ClinicSigner.load_or_create(folder)
    (folder / CERT_FILE).unlink()
    again = ClinicSigner.load_or_create(folder)
    assert again.key_pem == first.key_pem
    assert get_secret(PIN_SECRET, folder=folder) == _fp(again.certificate_pem)

    # But a clear key put there with the certificate removed is refused, and gets none.
    planted_key, _ = plant_pair(folder)
    (folder / CERT_FILE).unlink()
    with pytest.raises(CertificateReplaced, match="in the clear"):
        ClinicSigner.load_or_create(folder)
    assert not (folder / CERT_FILE).exists()
    assert (folder / KEY_FILE).read_bytes() == planted_key


def test_a_damaged_certificate_is_a_signing_key_error(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    ClinicSigner.load_or_create(folder)
    (folder / CERT_FILE).write_bytes(b"not a certificate")
    with pytest.raises(SigningKeyError, match="damaged"):
        ClinicSigner.load_or_create(folder)
    with pytest.raises(SigningKeyError, match="damaged"):
        installation_certificate(folder)


def test_a_pkcs12_key_is_not_pinned(tmp_path: Path) -> None:
    ca = make_ca()
    key = new_leaf_key("rsa2048")
    p12 = write_pkcs12(tmp_path / "clinic.p12", ca, key, issue_leaf(ca, key))
    folder = tmp_path / "data"
    signer = ClinicSigner.load_or_create(folder, pkcs12=p12, passphrase=P12_PASSPHRASE)
    assert signer.certificate_pem
    assert get_secret(PIN_SECRET, folder=folder) is None
    assert installation_certificate(folder, pkcs12=p12, passphrase=P12_PASSPHRASE)
    assert get_secret(PIN_SECRET, folder=folder) is None
