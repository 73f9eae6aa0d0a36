"""PAdES B-LT/B-LTA: a CA-issued clinic certificate whose CA publishes CRLs and OCSP answers on
127.0.0.1, the loopback TSA, validation data in the DSS under an archive timestamp; what verify
accepts after the seal, and what happens when the revocation service is down or says revoked."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from intake.documents.signing import (
    CertificateRevoked,
    ClinicSigner,
    RevocationUnavailable,
    fetch_validation_data,
    sign_pdf,
    time_stamper,
    verify_pdf,
)

sys.path.insert(0, str(Path(__file__).parents[1]))
from clinic_pki import (  # noqa: E402
    P12_PASSPHRASE,
    CertificateAuthority,
    RevocationServer,
    issue_leaf,
    make_ca,
    new_leaf_key,
    serve_revocation,
    write_pkcs12,
)
from tsa import LocalTSA, closed_port_url, make_tsa, serve  # noqa: E402

WHEN = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=1)
PdfOf = Callable[..., bytes]


@dataclass
class Clinic:
    ca: CertificateAuthority
    signer: ClinicSigner
    serial: int


@pytest.fixture(scope="module")
def revocation() -> Iterator[RevocationServer]:
    with serve_revocation() as server:
        yield server


@pytest.fixture(scope="module")
def tsa(revocation: RevocationServer) -> LocalTSA:
    # The TSA's certificate names a CRL too, so that both chains have revocation data.
    authority = make_tsa(crl_url=f"{revocation.url}/tsa-root.crl")
    revocation.publish("tsa-root.crl", authority.root, authority.root_key)
    return authority


@pytest.fixture(scope="module")
def tsa_url(tsa: LocalTSA) -> Iterator[str]:
    with serve(tsa) as url:
        yield url


def _clinic(
    tmp: Path, server: RevocationServer | str | None, prefix: str = "", *, ocsp: bool = True
) -> Clinic:
    """A CA and its clinic's PKCS#12; the CA published on ``server`` under ``prefix``
    (a URL string: certificates naming it, nothing published; None: ``.invalid`` hosts)."""
    base = server.base(prefix) if isinstance(server, RevocationServer) else server
    ca = make_ca(base)
    key = new_leaf_key("rsa2048")
    leaf = issue_leaf(ca, key, base, ocsp=ocsp)
    p12 = write_pkcs12(tmp / f"clinic{prefix}.p12", ca, key, leaf)
    if isinstance(server, RevocationServer):
        server.publish_ca(ca, prefix)
    return Clinic(ca, ClinicSigner.from_pkcs12(p12, P12_PASSPHRASE), leaf.serial_number)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory, revocation: RevocationServer) -> Clinic:
    return _clinic(tmp_path_factory.mktemp("ca"), revocation)


@pytest.fixture(scope="module")
def sealed_lta(clinic: Clinic, pdf_of: PdfOf, tsa: LocalTSA, tsa_url: str) -> bytes:
    stamper = time_stamper(tsa_url)
    data = fetch_validation_data(clinic.signer, timestamper=stamper, tsa_roots=tsa.root_pem())
    return sign_pdf(pdf_of("consent"), clinic.signer, WHEN, timestamper=stamper, validation=data)


def _installed(clinic: Clinic) -> bytes:
    return clinic.signer.certificate_pem + clinic.signer.chain_pem


def _check(data: bytes, clinic: Clinic, tsa: LocalTSA) -> Any:
    return verify_pdf(data, _installed(clinic), tsa_roots=tsa.root_pem())


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


# --- a B-LTA seal -------------------------------------------------------------------------------


def test_a_ca_issued_seal_with_revocation_data_and_the_tsa_is_b_lta(
    sealed_lta: bytes, clinic: Clinic, tsa: LocalTSA
) -> None:
    result = _check(sealed_lta, clinic, tsa)
    assert result.valid, result.reason
    assert result.level == "B-LTA" and result.time_proven and result.covers_whole_file
    assert result.claimed_at == WHEN and result.signed_at is not None
    # The TSA's time: when the seal was made (after WHEN, taken as the module was imported,
    # however long the suite ran before this test), not later than now.
    assert WHEN <= result.signed_at <= dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    text = result.level_text()
    assert text.startswith("PAdES B-LTA; signing time ")
    assert "proven by a signature timestamp of" in text and "archive timestamp" in text


def test_the_file_holds_the_dss_and_an_archive_timestamp_over_it(
    sealed_lta: bytes, clinic: Clinic
) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import DocumentSecurityStore

    reader = PdfFileReader(io.BytesIO(sealed_lta))
    (signature,) = reader.embedded_regular_signatures
    (archive,) = reader.embedded_timestamp_signatures
    assert reader.xrefs.total_revisions == signature.signed_revision + 2
    assert archive.signed_revision == signature.signed_revision + 1
    dss = DocumentSecurityStore.read_dss(reader)
    loaded = list(dss.load_certs())
    assert {c.dump() for c in clinic.signer.chain} <= {c.dump() for c in loaded}
    assert any("Time Stamping" in c.subject.human_friendly for c in loaded)  # the TSA's
    # The leaf by OCSP, the intermediate by the root's CRL, the TSA by its root's CRL.
    assert len(dss.ocsps) == 1 and len(dss.crls) == 2


def test_pyhankos_own_long_term_validation_accepts_it_offline(
    sealed_lta: bytes, clinic: Clinic, tsa: LocalTSA, revocation: RevocationServer
) -> None:
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.ades.report import AdESPassed
    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
    from pyhanko_certvalidator.registry import SimpleTrustManager

    # pyHanko 0.38 has no validate_pdf_ltv_signature any more: its AdES LTA validation
    # (ETSI EN 319 102-1) takes its place, here with every certificate's revocation data
    # required and nothing fetched.
    def der(pem_bytes: bytes) -> Any:
        return x509.Certificate.load(pem.unarmor(pem_bytes)[2])

    from cryptography.hazmat.primitives.serialization import Encoding

    roots = [der(clinic.ca.root.public_bytes(Encoding.PEM)), der(tsa.root_pem())]
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=roots),
                revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    asked = revocation.requests
    signature = PdfFileReader(io.BytesIO(sealed_lta)).embedded_regular_signatures[0]
    outcome = asyncio.run(ades_lta_validation(signature, spec))
    assert outcome.ades_subindic == AdESPassed.OK, outcome
    assert outcome.oldest_evidence_record_timestamp is not None  # the archive timestamp
    assert revocation.requests == asked  # all from the file


def test_qpdf_and_pdfsig_accept_it(sealed_lta: bytes, tmp_path: Path) -> None:
    path = tmp_path / "blta.pdf"
    path.write_bytes(sealed_lta)
    run = subprocess.run(
        [_tool("qpdf"), "--check", str(path)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stdout + run.stderr
    run = subprocess.run([_tool("pdfsig"), str(path)], capture_output=True, text=True, timeout=60)
    report = run.stdout + run.stderr
    assert "Signature #1" in report and "Signature is Valid" in report
    assert "Signature #2" in report and "ClinicArchiveTimestamp" in report
    assert "Total document signed" in report  # the archive timestamp covers the whole file


def test_verifying_reads_nothing_from_the_network(
    sealed_lta: bytes, clinic: Clinic, tsa: LocalTSA, revocation: RevocationServer
) -> None:
    asked = revocation.requests
    revocation.down = True
    try:
        assert _check(sealed_lta, clinic, tsa).level == "B-LTA"
    finally:
        revocation.down = False
    assert revocation.requests == asked


# --- what may follow the seal -------------------------------------------------------------------


def _appended(data: bytes, change: Callable[[Any], None]) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_annotation(writer: Any) -> None:
    from pyhanko.pdf_utils import generic

    page = writer.root["/Pages"]["/Kids"][0].get_object()
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
    annots = page.get("/Annots", generic.ArrayObject())
    page[generic.NameObject("/Annots")] = generic.ArrayObject([*annots, annot])
    writer.update_container(page)


def _retitle(writer: Any) -> None:
    from pyhanko.pdf_utils import generic

    info = writer.trailer["/Info"].get_object()
    info[generic.NameObject("/Title")] = generic.TextStringObject("Something else")
    writer.update_container(info)


def test_an_annotation_appended_after_the_archive_timestamp_is_refused(
    sealed_lta: bytes, clinic: Clinic, tsa: LocalTSA
) -> None:
    edited = _appended(sealed_lta, _add_annotation)
    result = _check(edited, clinic, tsa)
    assert not result.valid and "added" in result.reason and result.level == ""


def test_a_revision_that_only_changes_the_title_is_refused(
    sealed_lta: bytes, clinic: Clinic, tsa: LocalTSA
) -> None:
    edited = _appended(sealed_lta, _retitle)
    assert not _check(edited, clinic, tsa).valid
    # ... also when it comes with a DSS update and a timestamp of its own.
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers import PdfTimeStamper
    from pyhanko.sign.validation import DocumentSecurityStore

    writer = IncrementalPdfFileWriter(io.BytesIO(sealed_lta))
    _retitle(writer)
    DocumentSecurityStore.supply_dss_in_writer(
        writer, None, certs=[c for c in clinic.signer.chain], embed_roots=True
    )
    stamped = PdfTimeStamper(tsa.stamper()).timestamp_pdf(writer, "sha256", output=io.BytesIO())
    result = _check(stamped.getvalue(), clinic, tsa)
    assert not result.valid and "added" in result.reason


def test_a_bare_second_timestamp_is_refused_but_a_renewed_archive_timestamp_is_not(
    sealed_lta: bytes, clinic: Clinic, tsa: LocalTSA, tsa_url: str
) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers import PdfTimeStamper
    from pyhanko_certvalidator import ValidationContext

    # A timestamp over nothing new is not something PAdES adds.
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed_lta))
    bare = PdfTimeStamper(time_stamper(tsa_url)).timestamp_pdf(
        writer, "sha256", output=io.BytesIO()
    )
    result = _check(bare.getvalue(), clinic, tsa)
    assert not result.valid and "added" in result.reason

    # Renewing the archive timestamp (validation data for the last one, then a new one) is.
    from asn1crypto import pem, x509

    context = ValidationContext(
        trust_roots=[x509.Certificate.load(pem.unarmor(tsa.root_pem())[2])],
        allow_fetching=False,
    )
    renewed = PdfTimeStamper(time_stamper(tsa_url)).update_archival_timestamp_chain(
        PdfFileReader(io.BytesIO(sealed_lta)), context, in_place=False, output=io.BytesIO()
    )
    result = _check(renewed.getvalue(), clinic, tsa)
    assert result.valid, result.reason
    assert result.level == "B-LTA"


def test_bytes_appended_after_the_archive_timestamp_are_refused(
    sealed_lta: bytes, clinic: Clinic, tsa: LocalTSA
) -> None:
    appended = sealed_lta + b"\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
    assert not _check(appended, clinic, tsa).valid


def test_a_dss_update_without_an_archive_timestamp_is_b_lt(
    clinic: Clinic, pdf_of: PdfOf, tsa: LocalTSA, tsa_url: str
) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import DocumentSecurityStore

    stamper = time_stamper(tsa_url)
    data = fetch_validation_data(clinic.signer, timestamper=stamper, tsa_roots=tsa.root_pem())
    sealed = sign_pdf(pdf_of("summary"), clinic.signer, WHEN, timestamper=stamper)
    assert _check(sealed, clinic, tsa).level == "B-T"
    signature = PdfFileReader(io.BytesIO(sealed)).embedded_regular_signatures[0]
    out = io.BytesIO(sealed)
    DocumentSecurityStore.add_dss(
        out,
        signature.pkcs7_content,
        certs=list(data.certs),
        ocsps=list(data.ocsps),
        crls=list(data.crls),
    )
    lt = out.getvalue()
    result = _check(lt, clinic, tsa)
    assert result.valid, result.reason
    assert result.level == "B-LT" and result.level_text().startswith("PAdES B-LT; ")
    # Anything after that is refused as before.
    assert not _check(_appended(lt, _add_annotation), clinic, tsa).valid
    _ = IncrementalPdfFileWriter  # the same writer pyHanko uses above


def test_a_proven_signing_time_outside_the_certificate_is_still_refused(
    clinic: Clinic, pdf_of: PdfOf
) -> None:
    back = make_tsa(valid_from=dt.datetime(2018, 1, 1, tzinfo=dt.UTC))
    back.fixed_time = dt.datetime(2019, 6, 1, 9, 0, tzinfo=dt.UTC)
    with serve(back) as url:
        stamper = time_stamper(url)
        data = fetch_validation_data(clinic.signer, timestamper=stamper, tsa_roots=back.root_pem())
        sealed = sign_pdf(
            pdf_of("summary"), clinic.signer, WHEN, timestamper=stamper, validation=data
        )
    result = verify_pdf(sealed, _installed(clinic), tsa_roots=back.root_pem())
    assert not result.valid and "proven signing time 2019-06-01" in result.reason


# --- when the revocation data cannot be had, or says revoked ------------------------------------


def test_a_revocation_service_that_is_down_gives_no_data_and_the_seal_stays_b_t(
    tmp_path: Path, pdf_of: PdfOf, tsa: LocalTSA, tsa_url: str
) -> None:
    base = closed_port_url().removesuffix("/tsa")
    made = _clinic(tmp_path, base)
    started = time.monotonic()
    with pytest.raises(RevocationUnavailable, match="could not be had"):
        fetch_validation_data(made.signer, timestamper=time_stamper(tsa_url))
    assert time.monotonic() - started < 15
    sealed = sign_pdf(pdf_of("summary"), made.signer, WHEN, timestamper=time_stamper(tsa_url))
    result = verify_pdf(sealed, made.signer, tsa_roots=tsa.root_pem())
    assert result.valid and result.level == "B-T"
    assert "no revocation data embedded, so not PAdES B-LT" in result.level_text()


def test_a_revocation_service_that_never_answers_costs_at_most_the_timeout(
    tmp_path: Path, tsa_url: str
) -> None:
    with serve_revocation(lifetime=60) as slow:
        made = _clinic(tmp_path, slow)
        slow.hang = True
        started = time.monotonic()
        with pytest.raises(RevocationUnavailable, match="within 2 seconds"):
            fetch_validation_data(made.signer, timestamper=time_stamper(tsa_url), timeout=2)
        assert time.monotonic() - started < 6


def test_certificates_on_unreachable_hosts_are_not_even_looked_up(tmp_path: Path) -> None:
    made = _clinic(tmp_path, None)  # the .invalid addresses of a certificate as CAs sell them
    started = time.monotonic()
    with pytest.raises(RevocationUnavailable, match="can be reached"):
        fetch_validation_data(made.signer)
    assert time.monotonic() - started < 1


def test_the_self_signed_default_has_no_revocation_data(tmp_path: Path) -> None:
    own = ClinicSigner.load_or_create(tmp_path / "own", key_passphrase=b"test passphrase")
    with pytest.raises(RevocationUnavailable, match="self-signed"):
        fetch_validation_data(own)


def test_a_revoked_clinic_certificate_is_refused(
    tmp_path: Path, revocation: RevocationServer, tsa_url: str
) -> None:
    for ocsp in (True, False):  # told by the OCSP responder, or by the CRL alone
        made = _clinic(tmp_path, revocation, f"revoked-{ocsp}", ocsp=ocsp)
        revocation.revoked.add(made.serial)
        try:
            with pytest.raises(CertificateRevoked, match="revoked"):
                fetch_validation_data(made.signer, timestamper=time_stamper(tsa_url))
        finally:
            revocation.revoked.discard(made.serial)


def _rewrite_dss(writer: Any, *, strip: bool) -> None:
    """What someone holding a genuine B-LTA file could append: the archived validation data
    replaced in place (an OCSP answer swapped for another) or dropped from the DSS."""
    from pyhanko.pdf_utils import generic

    dss = writer.root["/DSS"]
    if strip:
        for key in ("/OCSPs", "/CRLs"):
            if key in dss:
                del dss[key]
    else:
        key = "/OCSPs" if "/OCSPs" in dss else "/CRLs"
        ref = dss[key].raw_get(0).reference
        writer.mark_update(ref)
        writer.objects[(ref.generation, ref.idnum)] = generic.StreamObject(
            stream_data=b"\x30\x03\x02\x01\x00"
        )
    writer.update_container(dss)
    writer.update_root()


@pytest.mark.parametrize("strip", [False, True], ids=["rewritten", "stripped"])
def test_validation_data_the_archive_timestamp_sealed_cannot_be_rewritten_or_dropped(
    sealed_lta: bytes, clinic: Clinic, tsa: LocalTSA, strip: bool
) -> None:
    edited = _appended(sealed_lta, lambda w: _rewrite_dss(w, strip=strip))
    result = _check(edited, clinic, tsa)
    assert not result.valid and "added" in result.reason
