"""Sealing documents with the clinic key and detecting every later change."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from intake.documents.errors import DocumentError, NotAPdf
from intake.documents.signing import (
    CERT_FILE,
    KEY_FILE,
    PIN_SECRET,
    ClinicSigner,
    SigningKeyError,
    VerifyResult,
    sign_pdf,
    verify_pdf,
)

# A fixed signing time for repeatable bytes, inside the validity of certificates made now (a
# signing time outside it is refused).
WHEN = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
PdfOf = Callable[..., bytes]
# Module-wide signers are made before each test's own secret store exists: they are given
# their key file's passphrase rather than reaching for the machine's.
FIXTURE_KEY_PASSPHRASE = b"module fixture passphrase"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> ClinicSigner:
    return ClinicSigner.load_or_create(
        tmp_path_factory.mktemp("clinic"),
        common_name="RPM Health documents",
        organisation="RPM Health",
        key_passphrase=FIXTURE_KEY_PASSPHRASE,
    )


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> ClinicSigner:
    """Another self-signed key with the very same names: only the key tells them apart."""
    return ClinicSigner.load_or_create(
        tmp_path_factory.mktemp("stranger"),
        common_name="RPM Health documents",
        organisation="RPM Health",
        key_passphrase=FIXTURE_KEY_PASSPHRASE,
    )


@pytest.fixture(scope="module")
def signed(clinic: ClinicSigner, pdf_of: PdfOf) -> bytes:
    return sign_pdf(pdf_of("consent", "adult", "en"), clinic, WHEN)


def _invalid(result: VerifyResult) -> VerifyResult:
    assert isinstance(result, VerifyResult)
    assert result.valid is False
    assert result.reason
    return result


# --- the key ------------------------------------------------------------------------------------


def test_first_use_creates_a_private_key_and_a_certificate(tmp_path: Path) -> None:
    signer = ClinicSigner.load_or_create(tmp_path / "data")
    key, cert = tmp_path / "data" / KEY_FILE, tmp_path / "data" / CERT_FILE
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert cert.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    if os.name != "nt":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert signer.certificate_pem == cert.read_bytes()
    assert "Clinic document signing" in signer.subject
    assert [p.name for p in (tmp_path / "data").iterdir() if p.name.endswith(".tmp")] == []


def test_later_uses_load_the_same_key(tmp_path: Path) -> None:
    first = ClinicSigner.load_or_create(tmp_path)
    second = ClinicSigner.load_or_create(tmp_path)
    assert second.key_pem == first.key_pem
    assert second.certificate_pem == first.certificate_pem


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_a_key_readable_by_others_is_made_private_again(tmp_path: Path) -> None:
    ClinicSigner.load_or_create(tmp_path)
    os.chmod(tmp_path / KEY_FILE, 0o644)
    ClinicSigner.load_or_create(tmp_path)
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600


def test_a_lost_certificate_is_remade_for_the_same_key(tmp_path: Path, pdf_of: PdfOf) -> None:
    first = ClinicSigner.load_or_create(tmp_path)
    (tmp_path / CERT_FILE).unlink()
    second = ClinicSigner.load_or_create(tmp_path)
    assert second.key_pem == first.key_pem
    sealed = sign_pdf(pdf_of("summary"), second, WHEN)
    assert verify_pdf(sealed, second).valid


def test_key_and_certificate_that_do_not_match_are_refused(tmp_path: Path) -> None:
    ClinicSigner.load_or_create(tmp_path / "a")
    ClinicSigner.load_or_create(tmp_path / "b")
    shutil.copy(tmp_path / "b" / CERT_FILE, tmp_path / "a" / CERT_FILE)
    # The pinned certificate is checked first...
    with pytest.raises(SigningKeyError, match="not the one this installation made"):
        ClinicSigner.load_or_create(tmp_path / "a")
    # ...and without a pin (an installation from before pinning), the pair itself.
    from intake.secrets import _file_path

    _file_path(PIN_SECRET, tmp_path / "a").unlink()
    with pytest.raises(SigningKeyError, match="do not match"):
        ClinicSigner.load_or_create(tmp_path / "a")


def test_damaged_key_file_is_refused(tmp_path: Path) -> None:
    ClinicSigner.load_or_create(tmp_path)
    (tmp_path / KEY_FILE).write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a key\n")
    with pytest.raises(SigningKeyError, match="damaged"):
        ClinicSigner.load_or_create(tmp_path)


def _pkcs12(path: Path, passphrase: bytes) -> ClinicSigner:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    made = ClinicSigner.load_or_create(path.parent / "p12-source")
    key = serialization.load_pem_private_key(made.key_pem, None)
    cert = x509.load_pem_x509_certificate(made.certificate_pem)
    blob = pkcs12.serialize_key_and_certificates(
        b"clinic",
        key,  # type: ignore[arg-type]
        cert,
        None,
        serialization.BestAvailableEncryption(passphrase),
    )
    path.write_bytes(blob)
    return made


def test_a_configured_pkcs12_file_is_used(tmp_path: Path, pdf_of: PdfOf) -> None:
    p12 = tmp_path / "clinic.p12"
    made = _pkcs12(p12, b"s3cret")
    signer = ClinicSigner.load_or_create(tmp_path / "data", pkcs12=p12, passphrase="s3cret")
    assert signer.certificate_pem == made.certificate_pem
    assert not (tmp_path / "data" / KEY_FILE).exists()  # nothing is made beside a configured key
    result = verify_pdf(sign_pdf(pdf_of("summary"), signer, WHEN), made.certificate_pem)
    assert result.valid, result.reason


def test_a_wrong_pkcs12_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    p12 = tmp_path / "clinic.p12"
    _pkcs12(p12, b"s3cret")
    with pytest.raises(SigningKeyError, match="passphrase"):
        ClinicSigner.load_or_create(tmp_path, pkcs12=p12, passphrase=b"wrong")


# --- sealing and checking -----------------------------------------------------------------------


def test_signed_document_is_intact_and_covers_the_whole_file(
    signed: bytes, clinic: ClinicSigner
) -> None:
    result = verify_pdf(signed, clinic.certificate_pem)
    assert result.valid, result.reason
    assert result.covers_whole_file
    assert result.signed_at == WHEN
    assert "RPM Health documents" in result.signer_subject
    assert "intact" in result.reason


def test_signing_keeps_the_rendered_bytes_and_appends(signed: bytes, pdf_of: PdfOf) -> None:
    original = pdf_of("consent", "adult", "en")
    assert signed.startswith(original)  # an incremental update: the rendered file is untouched
    assert len(signed) > len(original)


def test_signing_is_repeatable(clinic: ClinicSigner, pdf_of: PdfOf, signed: bytes) -> None:
    assert sign_pdf(pdf_of("consent", "adult", "en"), clinic, WHEN) == signed
    later = sign_pdf(pdf_of("consent", "adult", "en"), clinic, WHEN + dt.timedelta(seconds=1))
    assert later != signed


def test_signature_is_invisible_pades(signed: bytes) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(signed))
    fields = reader.get_fields() or {}
    assert "ClinicSignature" in fields
    value = fields["ClinicSignature"].value
    assert value["/SubFilter"] == "/ETSI.CAdES.detached"
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            rect = [float(v) for v in annot.get_object()["/Rect"]]
            assert rect[2] - rect[0] == 0 and rect[3] - rect[1] == 0


def test_trusted_certificate_may_be_given_in_several_forms(
    signed: bytes, clinic: ClinicSigner, tmp_path: Path
) -> None:
    from cryptography import x509

    path = tmp_path / "cert.pem"
    path.write_bytes(clinic.certificate_pem)
    for trusted in (
        clinic,
        clinic.certificate_pem,
        path,
        str(path),
        x509.load_pem_x509_certificate(clinic.certificate_pem),
    ):
        assert verify_pdf(signed, trusted).valid


def test_qpdf_accepts_the_signed_file(signed: bytes, tmp_path: Path) -> None:
    tool = shutil.which("qpdf")
    if tool is None:
        pytest.skip("qpdf is not installed")
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    result = subprocess.run([tool, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("where", [0.1, 0.5, 0.85])
def test_a_flipped_byte_in_the_content_is_detected(
    signed: bytes, clinic: ClinicSigner, pdf_of: PdfOf, where: float
) -> None:
    original = pdf_of("consent", "adult", "en")
    at = int(len(original) * where)
    damaged = bytearray(signed)
    damaged[at] ^= 0x01
    _invalid(verify_pdf(bytes(damaged), clinic.certificate_pem))


def _container(signed: bytes) -> tuple[int, int]:
    """Where the signature's hex string starts in the file, and its DER length in bytes."""
    from asn1crypto import cms

    start = signed.rindex(b"/Contents <") + len(b"/Contents <")
    end = signed.index(b">", start)
    der = bytes.fromhex(signed[start:end].decode())
    return start, len(cms.ContentInfo.load(der).dump())


@pytest.mark.parametrize("part", ["certificate", "signature value", "padding", "last hex digit"])
def test_a_flipped_byte_in_the_signature_container_is_detected(
    signed: bytes, clinic: ClinicSigner, part: str
) -> None:
    start, used = _container(signed)
    offset = {
        "certificate": 2 * 200,  # the embedded certificate starts after a few dozen bytes
        "signature value": 2 * (used - 20),  # the RSA value closes the DER structure
        "padding": 2 * (used + 100),
        "last hex digit": 2 * used + 1,
    }[part]
    damaged = bytearray(signed)
    at = start + offset
    damaged[at] = ord("0") if damaged[at] != ord("0") else ord("7")
    _invalid(verify_pdf(bytes(damaged), clinic.certificate_pem))


def test_any_byte_changed_is_caught_with_the_stored_hash(
    signed: bytes, clinic: ClinicSigner
) -> None:
    import hashlib

    stored = hashlib.sha256(signed).hexdigest()
    assert verify_pdf(signed, clinic, expected_sha256=stored).valid
    # The hex digits' case carries no meaning to PDF readers: only the stored hash sees this.
    start, _ = _container(signed)
    at = next(i for i in range(start, start + 200) if chr(signed[i]) in "abcdefABCDEF")
    recased = bytearray(signed)
    recased[at] = ord(chr(signed[at]).swapcase())
    result = _invalid(verify_pdf(bytes(recased), clinic, expected_sha256=stored))
    assert "stored record" in result.reason


def test_a_changed_visible_word_is_detected(signed: bytes, clinic: ClinicSigner) -> None:
    # The document id sits uncompressed in the metadata: a forger's easiest target.
    assert b"DOC\\0552026\\0550001" in signed
    forged = signed.replace(b"DOC\\0552026\\0550001", b"DOC\\0552026\\0550009", 1)
    result = _invalid(verify_pdf(forged, clinic.certificate_pem))
    assert "changed" in result.reason


def test_an_appended_incremental_update_is_detected(signed: bytes, clinic: ClinicSigner) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    info = writer.trailer["/Info"].get_object()
    info["/Title"] = generic.TextStringObject("Something else")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    updated = out.getvalue()
    assert updated.startswith(signed)
    result = _invalid(verify_pdf(updated, clinic.certificate_pem))
    assert result.covers_whole_file is False
    assert "added" in result.reason


def test_bytes_appended_after_the_end_are_detected(signed: bytes, clinic: ClinicSigner) -> None:
    result = _invalid(verify_pdf(signed + b"\n% trailing junk\n", clinic.certificate_pem))
    assert result.covers_whole_file is False


@pytest.mark.parametrize("cut", [1, 200, 5000, 0.5])
def test_a_truncated_file_is_invalid_not_a_crash(
    signed: bytes, clinic: ClinicSigner, cut: float
) -> None:
    keep = int(len(signed) * cut) if isinstance(cut, float) else len(signed) - int(cut)
    _invalid(verify_pdf(signed[:keep], clinic.certificate_pem))


def test_a_document_signed_by_another_key_has_an_unknown_signer(
    stranger: ClinicSigner, clinic: ClinicSigner, pdf_of: PdfOf
) -> None:
    forged = sign_pdf(pdf_of("consent", "adult", "en"), stranger, WHEN)
    assert verify_pdf(forged, stranger.certificate_pem).valid  # a good signature, just not ours
    result = _invalid(verify_pdf(forged, clinic.certificate_pem))
    assert "unknown signer" in result.reason
    assert "RPM Health documents" in result.signer_subject


def test_an_unsigned_pdf_is_not_valid(clinic: ClinicSigner, pdf_of: PdfOf) -> None:
    result = _invalid(verify_pdf(pdf_of("summary"), clinic.certificate_pem))
    assert "not signed" in result.reason


@pytest.mark.parametrize(
    "data", [b"", b"hello world", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, b"PK\x03\x04zipfile"]
)
def test_input_that_is_not_a_pdf_raises_not_a_pdf(data: bytes, clinic: ClinicSigner) -> None:
    with pytest.raises(NotAPdf):
        verify_pdf(data, clinic.certificate_pem)
    with pytest.raises(NotAPdf):
        sign_pdf(data, clinic, WHEN)


def test_not_a_pdf_is_its_own_error_type() -> None:
    assert issubclass(NotAPdf, DocumentError)
    assert not issubclass(DocumentError, NotAPdf)


def test_a_sealed_document_is_not_sealed_twice(signed: bytes, clinic: ClinicSigner) -> None:
    with pytest.raises(DocumentError, match="already sealed"):
        sign_pdf(signed, clinic, WHEN)


def test_a_pdf_that_cannot_be_parsed_is_not_signed(clinic: ClinicSigner) -> None:
    with pytest.raises(DocumentError):
        sign_pdf(b"%PDF-1.7\n%broken beyond repair\n", clinic, WHEN)


def test_stations_starting_at_once_end_up_with_one_key(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        signers = list(pool.map(lambda _: ClinicSigner.load_or_create(tmp_path), range(4)))
    assert len({s.key_pem for s in signers}) == 1
    assert len({s.certificate_pem for s in signers}) == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_processes_starting_at_once_end_up_with_one_key(tmp_path: Path) -> None:
    import hashlib
    import subprocess
    import sys

    code = (
        "import sys, hashlib; from intake.documents.signing import ClinicSigner;"
        "s = ClinicSigner.load_or_create(sys.argv[1]);"
        "print(hashlib.sha256(s.key_pem + s.certificate_pem).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path)], cwd=root, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    final = ClinicSigner.load_or_create(tmp_path)
    assert outputs == {hashlib.sha256(final.key_pem + final.certificate_pem).hexdigest()}
