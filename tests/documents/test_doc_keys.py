"""The clinic key at rest, checking without the key, and keys a clinic buys from a CA."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clinic_pki import (
    LEAF_KINDS,
    P12_PASSPHRASE,
    CertificateAuthority,
    der,
    issue_leaf,
    make_ca,
    new_leaf_key,
    write_pkcs12,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from intake.documents import signing
from intake.documents.errors import DocumentError
from intake.documents.signing import (
    CERT_FILE,
    KEY_FILE,
    PASSPHRASE_SECRET,
    ClinicSigner,
    SigningKeyError,
    installation_certificate,
    sign_pdf,
    verify_pdf,
)
from intake.secrets import get_secret, set_secret

# A fixed signing time for repeatable bytes, inside the validity of certificates made now (a
# signing time outside it is refused).
WHEN = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
PdfOf = Callable[..., bytes]
POSIX = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _no_temporary_files(folder: Path) -> None:
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def _sha256_fingerprint(pem_or_der: bytes) -> str:
    cert = (
        x509.load_pem_x509_certificate(pem_or_der)
        if pem_or_der.startswith(b"-----")
        else x509.load_der_x509_certificate(pem_or_der)
    )
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def _clear_key_files(folder: Path) -> tuple[bytes, bytes]:
    """A key and certificate as earlier versions left them: the key in the clear."""
    made = ClinicSigner.load_or_create(folder / "made-elsewhere", key_passphrase=b"elsewhere")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / KEY_FILE).write_bytes(made.key_pem)
    (folder / CERT_FILE).write_bytes(made.certificate_pem)
    return made.key_pem, made.certificate_pem


# --- the key at rest ----------------------------------------------------------------------------


def test_the_key_file_is_encrypted_with_the_passphrase_from_the_secret_store(
    tmp_path: Path,
) -> None:
    signer = ClinicSigner.load_or_create(tmp_path / "data")
    stored = (tmp_path / "data" / KEY_FILE).read_bytes()
    assert stored.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert b"PRIVATE KEY-----" in signer.key_pem and signer.key_pem not in stored
    with pytest.raises(TypeError):  # useless without the passphrase
        serialization.load_pem_private_key(stored, None)
    secret = get_secret(PASSPHRASE_SECRET)
    assert secret is not None
    key = serialization.load_pem_private_key(stored, secret.encode("ascii"))
    assert signing._clear_pem(key) == signer.key_pem
    # The passphrase lives outside the data folder.
    assert secret.encode() not in b"".join(
        p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file()
    )


@POSIX
def test_key_file_and_folder_are_owner_only_even_when_they_already_exist(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    ClinicSigner.load_or_create(folder)
    assert _mode(folder / KEY_FILE) == 0o600 and _mode(folder) == 0o700
    os.chmod(folder / KEY_FILE, 0o644)
    os.chmod(folder, 0o755)
    ClinicSigner.load_or_create(folder)
    assert _mode(folder / KEY_FILE) == 0o600
    assert _mode(folder) == 0o700


def test_a_clear_key_from_an_earlier_version_is_encrypted_on_first_load(
    tmp_path: Path, pdf_of: PdfOf
) -> None:
    folder = tmp_path / "data"
    clear_key, cert = _clear_key_files(folder)
    os.chmod(folder / KEY_FILE, 0o644)
    sealed_before = sign_pdf(pdf_of("summary"), ClinicSigner(clear_key, cert, "old"), WHEN)

    signer = ClinicSigner.load_or_create(folder)

    stored = (folder / KEY_FILE).read_bytes()
    assert stored.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert b"-----BEGIN PRIVATE KEY-----" not in stored
    assert signer.key_pem == clear_key  # the same key, so nothing sealed so far is orphaned
    assert (folder / CERT_FILE).read_bytes() == cert
    if os.name != "nt":
        assert _mode(folder / KEY_FILE) == 0o600
    _no_temporary_files(folder)
    assert verify_pdf(sealed_before, signer).valid
    # And later loads read the encrypted file.
    assert ClinicSigner.load_or_create(folder).key_pem == clear_key


def test_a_failed_conversion_leaves_the_clear_key_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    clear_key, _cert = _clear_key_files(folder)

    def truncated(key: Any, secret: bytes) -> bytes:
        # A write that went wrong: the encrypted copy does not load back.
        return b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----\n"

    monkeypatch.setattr(signing, "_encrypted_pem", truncated)
    with pytest.raises(SigningKeyError, match="could not be encrypted"):
        ClinicSigner.load_or_create(folder)
    assert (folder / KEY_FILE).read_bytes() == clear_key
    _no_temporary_files(folder)


def test_a_key_whose_passphrase_is_lost_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    ClinicSigner.load_or_create(folder)
    key_before = (folder / KEY_FILE).read_bytes()
    for path in Path(os.environ["INTAKE_SECRETS_DIR"]).iterdir():
        path.unlink()  # the secret store was not restored with the data folder

    with pytest.raises(SigningKeyError, match="passphrase.*not in this installation's secret"):
        ClinicSigner.load_or_create(folder)
    # No new passphrase was made up on the way, and the key file is untouched.
    assert get_secret(PASSPHRASE_SECRET) is None
    assert (folder / KEY_FILE).read_bytes() == key_before


def test_a_key_with_another_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    ClinicSigner.load_or_create(folder)
    set_secret(PASSPHRASE_SECRET, "00" * 32)
    with pytest.raises(SigningKeyError, match="cannot be decrypted with the passphrase"):
        ClinicSigner.load_or_create(folder)


# --- checking reads the certificate only --------------------------------------------------------


def test_installation_certificate_reads_without_making_anything(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert installation_certificate(empty) is None
    assert list(empty.iterdir()) == []
    assert get_secret(PASSPHRASE_SECRET) is None
    made = ClinicSigner.load_or_create(tmp_path / "data")
    assert installation_certificate(tmp_path / "data") == made.certificate_pem


def test_no_certificate_is_not_valid_and_names_the_signer(tmp_path: Path, pdf_of: PdfOf) -> None:
    signer = ClinicSigner.load_or_create(tmp_path / "data")
    result = verify_pdf(sign_pdf(pdf_of("summary"), signer, WHEN), None)
    assert not result.valid
    assert "no clinic certificate in this installation" in result.reason
    assert _sha256_fingerprint(signer.certificate_pem) in result.reason


def test_unknown_signer_names_both_fingerprints(tmp_path: Path, pdf_of: PdfOf) -> None:
    ours = ClinicSigner.load_or_create(tmp_path / "ours")
    theirs = ClinicSigner.load_or_create(tmp_path / "theirs")
    result = verify_pdf(sign_pdf(pdf_of("summary"), theirs, WHEN), ours.certificate_pem)
    assert not result.valid and result.reason.startswith("unknown signer")
    assert _sha256_fingerprint(theirs.certificate_pem) in result.reason
    assert _sha256_fingerprint(ours.certificate_pem) in result.reason
    assert result.signer_sha256 == _sha256_fingerprint(theirs.certificate_pem)


# --- a clinic's own PKCS#12 from a CA -----------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return make_ca()


@pytest.fixture(scope="module")
def leaves(ca: CertificateAuthority) -> dict[str, tuple[Any, x509.Certificate]]:
    made = {}
    for kind in LEAF_KINDS:
        key = new_leaf_key(kind)
        made[kind] = (key, issue_leaf(ca, key))
    return made


@pytest.fixture
def p12_of(
    ca: CertificateAuthority,
    leaves: dict[str, tuple[Any, x509.Certificate]],
    tmp_path: Path,
) -> Callable[[str], Path]:
    def make(kind: str) -> Path:
        key, leaf = leaves[kind]
        return write_pkcs12(tmp_path / f"clinic-{kind}.p12", ca, key, leaf)

    return make


def test_the_test_rsa4096_leaf_is_as_large_as_a_real_one(
    leaves: dict[str, tuple[Any, x509.Certificate]],
) -> None:
    assert len(der(leaves["rsa4096"][1])) >= 1900


def _validate_with_pyhanko(signed: bytes, root: x509.Certificate) -> Any:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    embedded = PdfFileReader(io.BytesIO(signed)).embedded_regular_signatures
    assert len(embedded) == 1
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(der(root))], allow_fetching=False
    )
    return embedded[0], validate_pdf_signature(embedded[0], context)


@pytest.mark.parametrize("kind", LEAF_KINDS)
def test_a_ca_issued_pkcs12_seals_documents_that_validators_accept(
    kind: str,
    ca: CertificateAuthority,
    leaves: dict[str, tuple[Any, x509.Certificate]],
    p12_of: Callable[[str], Path],
    pdf_of: PdfOf,
    tmp_path: Path,
) -> None:
    from pypdf import PdfReader

    p12 = p12_of(kind)
    signer = ClinicSigner.load_or_create(tmp_path / "data", pkcs12=p12, passphrase=P12_PASSPHRASE)
    assert not (tmp_path / "data" / KEY_FILE).exists()
    document = pdf_of("consent", "adult", "en")
    signed = sign_pdf(document, signer, WHEN)
    assert signed.startswith(document)

    # pyHanko's validator, trusting the CA's root, builds the path through the intermediate.
    embedded, status = _validate_with_pyhanko(signed, ca.root)
    assert status.intact and status.valid and status.trusted, status.summary()
    assert status.bottom_line, status.summary()
    assert status.signing_cert.dump() == der(leaves[kind][1])

    # Each certificate of the chain is in the signature once, the signer's too.
    embedded_certs = [c.chosen.dump() for c in embedded.signed_data["certificates"]]
    assert sorted(embedded_certs) == sorted(
        [der(leaves[kind][1]), der(ca.intermediate), der(ca.root)]
    )

    # pypdf reads it and sees the signature field; qpdf finds the file sound.
    reader = PdfReader(io.BytesIO(signed))
    assert len(reader.pages) == len(PdfReader(io.BytesIO(document)).pages)
    assert "ClinicSignature" in (reader.get_fields() or {})
    tool = shutil.which("qpdf")
    if tool is None:
        pytest.skip("qpdf is not installed")
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    check = subprocess.run([tool, "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr

    # And this installation's own check accepts it against the certificate in the PKCS#12.
    installed = installation_certificate(tmp_path / "data", pkcs12=p12, passphrase=P12_PASSPHRASE)
    assert installed is not None
    result = verify_pdf(signed, installed)
    assert result.valid, result.reason


def test_rsa_pkcs12_sealing_stays_repeatable(p12_of: Callable[[str], Path], pdf_of: PdfOf) -> None:
    signer = ClinicSigner.from_pkcs12(p12_of("rsa4096"), P12_PASSPHRASE)
    document = pdf_of("summary")
    assert sign_pdf(document, signer, WHEN) == sign_pdf(document, signer, WHEN)


def test_a_pkcs12_whose_chain_repeats_the_leaf_embeds_it_once(
    ca: CertificateAuthority,
    leaves: dict[str, tuple[Any, x509.Certificate]],
    tmp_path: Path,
    pdf_of: PdfOf,
) -> None:
    from cryptography.hazmat.primitives.serialization import pkcs12

    key, leaf = leaves["rsa2048"]
    blob = pkcs12.serialize_key_and_certificates(
        b"clinic",
        key,
        leaf,
        [leaf, ca.intermediate, ca.intermediate],
        serialization.BestAvailableEncryption(P12_PASSPHRASE.encode()),
    )
    (tmp_path / "dup.p12").write_bytes(blob)
    signer = ClinicSigner.from_pkcs12(tmp_path / "dup.p12", P12_PASSPHRASE)
    embedded, status = _validate_with_pyhanko(sign_pdf(pdf_of("summary"), signer, WHEN), ca.root)
    assert status.bottom_line, status.summary()
    certs = [c.chosen.dump() for c in embedded.signed_data["certificates"]]
    assert sorted(certs) == sorted([der(leaf), der(ca.intermediate)])


def test_the_self_signed_key_is_embedded_once(tmp_path: Path, pdf_of: PdfOf) -> None:
    signer = ClinicSigner.load_or_create(tmp_path / "data")
    from pyhanko.pdf_utils.reader import PdfFileReader

    signed = sign_pdf(pdf_of("summary"), signer, WHEN)
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_regular_signatures
    certs = [c.chosen.dump() for c in embedded.signed_data["certificates"]]
    assert certs == [signing._asn1_cert(signer.certificate_pem).dump()]


def test_a_sealing_failure_is_a_document_error_with_a_reason(
    p12_of: Callable[[str], Path], pdf_of: PdfOf
) -> None:
    signer = ClinicSigner.from_pkcs12(p12_of("rsa4096"), P12_PASSPHRASE)
    # The 8 KB of hex that used to be reserved for every signature: too small for this chain.
    signer.__dict__["signature_reserve"] = 8192
    with pytest.raises(DocumentError, match="could not be sealed.*larger than expected"):
        sign_pdf(pdf_of("summary"), signer, WHEN)


def test_the_reservation_follows_the_certificates(
    p12_of: Callable[[str], Path], tmp_path: Path
) -> None:
    own = ClinicSigner.load_or_create(tmp_path / "data")
    bought = ClinicSigner.from_pkcs12(p12_of("rsa4096"), P12_PASSPHRASE)
    assert own.signature_reserve == signing.SIGNATURE_RESERVE  # the self-signed layout is kept
    chain = sum(len(c.dump()) for c in [signing._asn1_cert(bought.certificate_pem), *bought.chain])
    assert bought.signature_reserve > 2 * (chain + 512)
