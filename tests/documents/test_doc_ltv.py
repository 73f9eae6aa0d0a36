"""Long-term signatures: certification (DocMDP), PAdES B-T against a loopback TSA, a document
timestamp added later, and signing times the certificate does not cover."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from intake.documents.errors import DocumentError
from intake.documents.signing import (
    ClinicSigner,
    TimestampUnavailable,
    add_document_timestamp,
    sign_pdf,
    time_stamper,
    verify_pdf,
)

sys.path.insert(0, str(Path(__file__).parents[1]))
from tsa import LocalTSA, closed_port_url, make_tsa, serve  # noqa: E402

WHEN = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
STAMPED = WHEN + dt.timedelta(seconds=90)  # the TSA's time, so that it differs from the claim
PdfOf = Callable[..., bytes]


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> ClinicSigner:
    return ClinicSigner.load_or_create(
        tmp_path_factory.mktemp("clinic"),
        common_name="RPM Health documents",
        key_passphrase=b"module fixture passphrase",
    )


@pytest.fixture(scope="module")
def tsa() -> LocalTSA:
    authority = make_tsa()
    authority.fixed_time = STAMPED
    return authority


@pytest.fixture(scope="module")
def tsa_url(tsa: LocalTSA) -> Iterator[str]:
    with serve(tsa) as url:
        yield url


@pytest.fixture(scope="module")
def sealed_bt(clinic: ClinicSigner, pdf_of: PdfOf, tsa_url: str) -> bytes:
    return sign_pdf(pdf_of("consent"), clinic, WHEN, timestamper=time_stamper(tsa_url))


@pytest.fixture(scope="module")
def sealed_bb(clinic: ClinicSigner, pdf_of: PdfOf) -> bytes:
    return sign_pdf(pdf_of("consent"), clinic, WHEN)


@pytest.fixture(scope="module")
def stamped_later(sealed_bb: bytes, tsa_url: str) -> bytes:
    return add_document_timestamp(sealed_bb, time_stamper(tsa_url))


def _pdfsig(tmp_path: Path, data: bytes) -> str:
    if shutil.which("pdfsig") is None:
        pytest.skip("poppler's pdfsig is not installed (apt-get install poppler-utils)")
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    run = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return run.stdout + run.stderr


def _qpdf_ok(tmp_path: Path, data: bytes) -> None:
    if shutil.which("qpdf") is None:
        pytest.skip("qpdf is not installed")
    path = tmp_path / "q.pdf"
    path.write_bytes(data)
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


# --- certification ------------------------------------------------------------------------------


def test_every_seal_is_a_certification_signature_permitting_no_changes(sealed_bb: bytes) -> None:
    from pypdf import PdfReader

    root = PdfReader(io.BytesIO(sealed_bb)).trailer["/Root"]
    sig = root["/Perms"]["/DocMDP"].get_object()
    (reference,) = sig["/Reference"]
    assert reference.get_object()["/TransformMethod"] == "/DocMDP"
    assert reference.get_object()["/TransformParams"]["/P"] == 1


def test_an_annotation_added_to_a_certified_document_is_flagged_by_pyhanko(
    sealed_bb: bytes, clinic: ClinicSigner, tmp_path: Path
) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    writer = IncrementalPdfFileWriter(io.BytesIO(sealed_bb))
    page = writer.root["/Pages"]["/Kids"][0]
    annot = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/Text"),
                generic.NameObject("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (10, 10, 30, 30)]
                ),
                generic.NameObject("/Contents"): generic.TextStringObject("changed my mind"),
            }
        )
    )
    page.get_object()[generic.NameObject("/Annots")] = generic.ArrayObject([annot])
    writer.update_container(page.get_object())
    out = io.BytesIO()
    writer.write(out)
    edited = out.getvalue()

    from asn1crypto import pem, x509

    root = x509.Certificate.load(pem.unarmor(clinic.certificate_pem)[2])
    embedded = PdfFileReader(io.BytesIO(edited)).embedded_signatures[0]
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root]))
    assert status.intact and status.valid  # the signed revision itself is untouched
    assert status.docmdp_ok is False and not status.bottom_line
    result = verify_pdf(edited, clinic)
    assert not result.valid and "added" in result.reason
    assert "Not total document signed" in _pdfsig(tmp_path, edited)


# --- B-T: a timestamp over the signature -------------------------------------------------------


def test_a_seal_with_the_tsa_is_b_t_and_proves_the_tsa_time(
    sealed_bt: bytes, clinic: ClinicSigner, tsa: LocalTSA
) -> None:
    result = verify_pdf(sealed_bt, clinic, tsa_roots=tsa.root_pem())
    assert result.valid, result.reason
    assert result.level == "B-T" and result.time_proven and not result.document_timestamp
    assert result.signed_at == STAMPED and result.claimed_at == WHEN
    assert "Test Time Stamping Unit 1" in result.tsa_subject
    assert "PAdES B-T" in result.level_text() and "proven by a signature timestamp" in (
        result.level_text()
    )


def test_pdfsig_qpdf_and_pyhanko_accept_a_b_t_document(
    sealed_bt: bytes, tsa: LocalTSA, clinic: ClinicSigner, tmp_path: Path
) -> None:
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    report = _pdfsig(tmp_path, sealed_bt)
    assert "Signature is Valid" in report and "Total document signed" in report
    _qpdf_ok(tmp_path, sealed_bt)
    roots = [x509.Certificate.load(pem.unarmor(clinic.certificate_pem)[2])]
    tsa_root = x509.Certificate.load(pem.unarmor(tsa.root_pem())[2])
    embedded = PdfFileReader(io.BytesIO(sealed_bt)).embedded_signatures[0]
    status = validate_pdf_signature(
        embedded,
        ValidationContext(trust_roots=roots),
        ts_validation_context=ValidationContext(trust_roots=[tsa_root]),
    )
    assert status.bottom_line and status.timestamp_validity is not None
    assert status.timestamp_validity.trusted and status.timestamp_validity.timestamp == STAMPED


def test_a_timestamp_from_an_authority_not_trusted_is_refused(
    sealed_bt: bytes, clinic: ClinicSigner
) -> None:
    other = make_tsa()
    for roots in (None, other.root_pem()):
        result = verify_pdf(sealed_bt, clinic, tsa_roots=roots)
        assert not result.valid and "does not trust" in result.reason and result.level == ""


def test_a_token_from_a_certificate_without_the_time_stamping_usage_is_refused(
    clinic: ClinicSigner, pdf_of: PdfOf
) -> None:
    rogue = make_tsa(time_stamping=False)
    with serve(rogue) as url:
        sealed = sign_pdf(pdf_of("summary"), clinic, WHEN, timestamper=time_stamper(url))
    result = verify_pdf(sealed, clinic, tsa_roots=rogue.root_pem())
    assert (
        not result.valid and result.level == "" and "not issued for time-stamping" in result.reason
    )


def test_without_a_timestamp_the_level_is_b_b_and_the_time_only_claimed(
    sealed_bb: bytes, clinic: ClinicSigner, tsa: LocalTSA
) -> None:
    result = verify_pdf(sealed_bb, clinic, tsa_roots=tsa.root_pem())
    assert result.valid and result.level == "B-B" and not result.time_proven
    assert result.signed_at == WHEN and "claimed by the signer" in result.level_text()


def test_a_tsa_that_cannot_be_reached_or_refuses_raises_timestamp_unavailable(
    clinic: ClinicSigner, pdf_of: PdfOf
) -> None:
    with pytest.raises(TimestampUnavailable, match="cannot be reached"):
        sign_pdf(pdf_of("summary"), clinic, WHEN, timestamper=time_stamper(closed_port_url()))
    refusing = make_tsa()
    refusing.refuse = True
    with serve(refusing) as url, pytest.raises(TimestampUnavailable):
        sign_pdf(pdf_of("summary"), clinic, WHEN, timestamper=time_stamper(url))


def test_tsa_credentials_are_sent(clinic: ClinicSigner, pdf_of: PdfOf) -> None:
    guarded = make_tsa()
    with serve(guarded, user="clinic", password="tsa secret") as url:
        with pytest.raises(TimestampUnavailable):
            sign_pdf(pdf_of("summary"), clinic, WHEN, timestamper=time_stamper(url))
        sealed = sign_pdf(
            pdf_of("summary"),
            clinic,
            WHEN,
            timestamper=time_stamper(url, user="clinic", password="tsa secret"),
        )
    assert guarded.requests == 1
    assert verify_pdf(sealed, clinic, tsa_roots=guarded.root_pem()).level == "B-T"


# --- a document timestamp added later -----------------------------------------------------------


def test_a_document_timestamp_after_a_b_b_seal_makes_it_b_t(
    stamped_later: bytes, sealed_bb: bytes, clinic: ClinicSigner, tsa: LocalTSA, tmp_path: Path
) -> None:
    assert stamped_later.startswith(sealed_bb)  # an incremental update: the seal is untouched
    result = verify_pdf(stamped_later, clinic, tsa_roots=tsa.root_pem())
    assert result.valid, result.reason
    assert result.level == "B-T" and result.document_timestamp and result.signed_at == STAMPED
    assert result.covers_whole_file
    report = _pdfsig(tmp_path, stamped_later)
    assert "Signature #2" in report and "Test Time Stamping Unit 1" in report
    _qpdf_ok(tmp_path, stamped_later)


def test_only_one_document_timestamp_and_nothing_else_may_follow_the_seal(
    stamped_later: bytes, clinic: ClinicSigner, tsa: LocalTSA, tsa_url: str
) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers import PdfTimeStamper

    with pytest.raises(DocumentError, match="timestamped already"):
        add_document_timestamp(stamped_later, time_stamper(tsa_url))
    # A second document timestamp, made with pyHanko directly, is refused by verify.
    writer = IncrementalPdfFileWriter(io.BytesIO(stamped_later))
    twice = PdfTimeStamper(time_stamper(tsa_url)).timestamp_pdf(
        writer, "sha256", output=io.BytesIO()
    )
    result = verify_pdf(twice.getvalue(), clinic, tsa_roots=tsa.root_pem())
    assert not result.valid and "added" in result.reason
    # Any other incremental update after the timestamp is refused too.
    appended = stamped_later + b"\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
    assert not verify_pdf(appended, clinic, tsa_roots=tsa.root_pem()).valid


def test_a_document_timestamp_is_refused_on_a_file_the_clinic_did_not_seal(
    pdf_of: PdfOf, tsa_url: str
) -> None:
    with pytest.raises(DocumentError, match="not sealed"):
        add_document_timestamp(pdf_of("summary"), time_stamper(tsa_url))


# --- signing times the certificate does not cover ----------------------------------------------


def test_a_claimed_signing_time_before_the_certificate_is_refused(
    clinic: ClinicSigner, pdf_of: PdfOf
) -> None:
    from asn1crypto import pem, x509

    cert = x509.Certificate.load(pem.unarmor(clinic.certificate_pem)[2])
    assert cert.not_valid_before.year >= 2026
    sealed = sign_pdf(pdf_of("summary"), clinic, dt.datetime(2019, 6, 1, 9, 0, tzinfo=dt.UTC))
    result = verify_pdf(sealed, clinic)
    assert not result.valid and "claimed signing time 2019-06-01" in result.reason
    assert "outside the validity" in result.reason


def test_a_proven_signing_time_before_the_certificate_is_refused(
    clinic: ClinicSigner, pdf_of: PdfOf, sealed_bb: bytes
) -> None:
    # A trusted TSA whose clock says 2019 (its certificate valid then): the proof itself holds,
    # but the clinic's certificate did not exist at that time.
    back = make_tsa(valid_from=dt.datetime(2018, 1, 1, tzinfo=dt.UTC))
    back.fixed_time = dt.datetime(2019, 6, 1, 9, 0, tzinfo=dt.UTC)
    with serve(back) as url:
        stamped = add_document_timestamp(sealed_bb, time_stamper(url))
    result = verify_pdf(stamped, clinic, tsa_roots=back.root_pem())
    assert not result.valid and "proven signing time 2019-06-01" in result.reason


def test_a_claimed_time_long_after_the_proven_one_is_refused(
    clinic: ClinicSigner, pdf_of: PdfOf, tsa: LocalTSA, tsa_url: str
) -> None:
    later = WHEN + dt.timedelta(days=1)
    sealed = sign_pdf(pdf_of("summary"), clinic, later, timestamper=time_stamper(tsa_url))
    result = verify_pdf(sealed, clinic, tsa_roots=tsa.root_pem())
    assert not result.valid and "after the time the timestamp proves" in result.reason
