"""PDF/A-3b documents with the record inside, and paper copies checked by id, fingerprint or QR.

veraPDF is not installable here, so the PDF/A requirements that pikepdf can read are checked
one by one: the identification in the XMP packet and its agreement with the Info dictionary,
the sRGB output intent, no encryption, no JavaScript or actions, the embedded fonts, and the
associated file's entries (AFRelationship, MIME type, parameters).
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from sqlalchemy import select

from intake import cli
from intake.documents.fingerprint import check_payload, parse_check_text
from intake.services.context import SYSTEM
from intake.services.documents import MAX_VERIFY_BYTES, DocumentService, describe_check
from intake.services.fhir import FhirService
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.store.models import AuditEvent, Document, Patient, Visit

RECORD_FILE = "record.fhir.json"


def _countersigned(ctx: Any) -> tuple[str, dict[str, Any], Any]:
    """A visit signed by the patient, documents issued, then countersigned (consent issue 2)."""
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    docs = DocumentService(ctx)
    first = {d.kind: d for d in docs.issue_documents(kiosk, vid)}
    doctor = staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    docs.countersign(
        doctor,
        vid,
        "Dr Ana Ruiz",
        signature_strokes(seed=4),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=review_everything(ctx, doctor, vid),
    )
    return vid, first, doctor


def _pdf(ctx: Any, document_id: str) -> bytes:
    with ctx.db.session() as s:
        d = s.get(Document, document_id)
        assert d is not None
        return bytes(d.pdf)


def _rows(ctx: Any, visit_id: str, kind: str) -> list[tuple[str, int, str | None]]:
    with ctx.db.session() as s:
        return [
            (d.id, d.issue, d.record_sha256)
            for d in s.scalars(
                select(Document)
                .where(Document.visit_id == visit_id, Document.kind == kind)
                .order_by(Document.issue)
            )
        ]


def _every_object_key(pdf: pikepdf.Pdf) -> set[str]:
    keys: set[str] = set()
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            keys.update(str(k) for k in obj.keys())  # noqa: SIM118 - a Stream iterates its data
    return keys


def assert_pdfa_3b(data: bytes) -> pikepdf.Pdf:
    pdf = pikepdf.open(io.BytesIO(data))
    assert not pdf.is_encrypted and "/Encrypt" not in pdf.trailer
    assert pdf.pdf_version >= "1.7"
    meta = pdf.open_metadata()
    assert meta.pdfa_status == "3B"
    assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "B"
    info = pdf.docinfo
    assert meta["dc:title"] == str(info["/Title"])
    assert meta["dc:creator"] == [str(info["/Author"])]
    assert meta["dc:description"] == str(info["/Subject"])
    assert meta["pdf:Producer"] == str(info["/Producer"])
    assert meta["xmp:CreatorTool"] == str(info["/Creator"])
    # The same moments in the two notations (the seal's time is the modification date).
    for xmp_key, info_key in (("xmp:CreateDate", "/CreationDate"), ("xmp:ModifyDate", "/ModDate")):
        digits = "".join(c for c in meta[xmp_key] if c.isdigit())[:14]
        assert str(info[info_key]).startswith(f"D:{digits}"), (xmp_key, meta[xmp_key])
    assert "/Filter" not in pdf.Root.Metadata.stream_dict  # PDF/A: the packet stays readable
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1"
    assert str(intent.OutputConditionIdentifier) == "sRGB IEC61966-2.1"
    profile = intent.DestOutputProfile
    assert int(profile.N) == 3
    icc = profile.read_bytes()
    assert icc[12:16] == b"mntr" and icc[16:20] == b"RGB " and icc[36:40] == b"acsp"
    keys = _every_object_key(pdf)
    assert not keys & {"/JS", "/JavaScript", "/AA", "/OpenAction", "/Launch"}
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None and "/FontFile2" in descriptor, font.get("/BaseFont")
    return pdf


def test_every_document_is_pdfa_3b_and_still_passes_the_readers(
    sqlite_ctx: Any, tmp_path: Path
) -> None:
    vid, first, _ = _countersigned(sqlite_ctx)
    docs = DocumentService(sqlite_ctx)
    with sqlite_ctx.db.session() as s:
        ids = [d.id for d in s.scalars(select(Document).where(Document.visit_id == vid))]
    assert len(ids) == 5  # consent 1 and 2, education, summary 1 and 2
    qpdf = shutil.which("qpdf")
    for document_id in ids:
        data = _pdf(sqlite_ctx, document_id)
        assert_pdfa_3b(data)
        assert docs.verify_bytes(data).valid  # the pyHanko validator still accepts the seal
        if qpdf is not None:
            path = tmp_path / f"{document_id}.pdf"
            path.write_bytes(data)
            check = subprocess.run([qpdf, "--check", str(path)], capture_output=True)
            assert check.returncode == 0, check.stdout


def _embedded(data: bytes) -> tuple[pikepdf.Pdf, bytes]:
    pdf = pikepdf.open(io.BytesIO(data))
    (spec,) = pdf.Root.AF
    assert str(spec.AFRelationship) == "/Data"
    assert str(spec.F) == str(spec.UF) == RECORD_FILE
    names = list(pdf.Root.Names.EmbeddedFiles.Names)
    assert [str(names[0])] == [RECORD_FILE] and names[1].objgen == spec.objgen
    stream = spec.EF.F
    assert str(stream.Subtype) == "/application/fhir+json"
    body = stream.read_bytes()
    params = stream.Params
    assert int(params.Size) == len(body)
    assert bytes(params.CheckSum) == hashlib.md5(body).digest()
    assert str(params.ModDate).startswith("D:")
    return pdf, body


def test_the_consent_carries_the_visits_record_as_fhir_inside_the_seal(sqlite_ctx: Any) -> None:
    import json

    vid, first, _ = _countersigned(sqlite_ctx)
    (one, _, _), (two, _, _) = _rows(sqlite_ctx, vid, "consent")
    fresh = FhirService(sqlite_ctx).record_bundle(SYSTEM, vid).data
    _, inside_two = _embedded(_pdf(sqlite_ctx, two))
    assert inside_two == fresh  # the latest consent holds the record as it stands
    _, inside_one = _embedded(_pdf(sqlite_ctx, one))
    assert inside_one != fresh  # the first issue holds it as it was: before the countersignature

    def provenance_roles(raw: bytes) -> list[str]:
        bundle = json.loads(raw)
        assert bundle["resourceType"] == "Bundle"
        return sorted(
            e["resource"]["id"]
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "Provenance"
        )

    assert len(provenance_roles(inside_two)) == len(provenance_roles(inside_one)) + 1
    # The audit trail names the embedded bundle by its hash, never its content.
    with sqlite_ctx.db.session() as s:
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.entity_id == two)
        ).one()
        assert event.detail["fhir_sha256"] == hashlib.sha256(inside_two).hexdigest()
        assert "Nguy" not in json.dumps(event.detail)
    # The seal covers the embedded record: a copy with the bundle swapped is refused.
    pdf = pikepdf.open(io.BytesIO(_pdf(sqlite_ctx, two)))
    pdf.Root.AF[0].EF.F.write(inside_two.replace(b'"proposed"', b'"rejected"'))
    swapped = io.BytesIO()
    pdf.save(swapped)
    assert not DocumentService(sqlite_ctx).verify_bytes(swapped.getvalue()).valid


def _page_codes(data: bytes, tmp_path: Path) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp reads the QR codes")
    from PIL import Image

    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.skip("pdftoppm (poppler-utils) is needed to print the pages to images")
    pdf_path = tmp_path / "doc.pdf"
    pdf_path.write_bytes(data)
    subprocess.run([tool, "-r", "150", "-png", str(pdf_path), str(tmp_path / "page")], check=True)
    codes = []
    for png in sorted(tmp_path.glob("page-*.png")):
        found = zxingcpp.read_barcodes(Image.open(png))
        assert len(found) == 1, png.name
        codes.append(found[0].text)
    return codes


def test_every_page_carries_a_qr_code_of_id_issue_and_fingerprint(
    sqlite_ctx: Any, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    vid, first, _ = _countersigned(sqlite_ctx)
    document_id, issue, record_sha = _rows(sqlite_ctx, vid, "consent")[1]
    assert record_sha is not None
    data = _pdf(sqlite_ctx, document_id)
    codes = _page_codes(data, tmp_path)
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(codes) == len(pages) > 1
    assert set(codes) == {check_payload(document_id, issue, record_sha[:12])}
    for page in pages:  # beside the printed id, issue and fingerprint
        text = page.extract_text()
        assert document_id in text and record_sha[:12] in text and f"issue {issue}" in text
    check = DocumentService(sqlite_ctx).check_printed(SYSTEM, codes[0] + "\n")
    assert check.found and check.fingerprint_matches is True
    assert check.document is not None and check.document.id == document_id


def test_a_printed_copy_is_checked_by_id_fingerprint_or_qr(ctx: Any) -> None:
    vid, first, doctor = _countersigned(ctx)
    (one, _, sha_one), (two, _, sha_two) = _rows(ctx, vid, "consent")
    assert sha_one and sha_two and sha_one != sha_two
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    docs = DocumentService(ctx)
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None
        patient = s.get(Patient, visit.patient_id)
        assert patient is not None
        record_number = patient.record_number
    for text in (one, one.upper(), sha_one[:12], f" {check_payload(one, 1, sha_one[:12])}\r\n"):
        check = docs.check_printed(desk, text)
        assert check.found, text
        assert check.document is not None and check.document.id == one
        assert check.record_number == record_number
        assert not check.current and check.superseded_by is not None
        assert check.superseded_by.issue == 2 and check.superseded_by.id == two
        assert [g.role for g in check.signatures] == ["patient"]  # signed before issue 1
        lines = describe_check(check, ctx.forms.clinic.timezone)
        assert any("superseded by issue 2" in line for line in lines)
        assert not any("Nguy" in line or "Zoë" in line for line in lines)
    latest = docs.check_printed(desk, check_payload(two, 2, sha_two[:12]))
    assert latest.found and latest.current and latest.superseded_by is None
    assert [(g.role, g.name) for g in latest.signatures] == [
        ("patient", ""),
        ("clinician", "Dr Ana Ruiz"),
    ]
    lines = describe_check(latest, ctx.forms.clinic.timezone)
    assert "current: the latest issue of this document" in lines
    assert any(line.startswith("signed by the clinician (Dr Ana Ruiz) at ") for line in lines)
    # A made-up copy: a real id with another fingerprint, or the wrong issue.
    for forged in (check_payload(two, 2, "0" * 12), check_payload(two, 1, sha_two[:12])):
        bad = docs.check_printed(desk, forged)
        assert not bad.found and bad.recognised and bad.reason.startswith("NOT GENUINE")
    unknown = docs.check_printed(desk, "ffffffffffff")
    assert not unknown.found and unknown.recognised and "no stored document" in unknown.reason
    garbage = docs.check_printed(desk, "hello; DROP TABLE documents")
    assert not garbage.found and not garbage.recognised
    with ctx.db.session() as s:
        entities = [
            e.entity for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "verify"))
        ]
    assert len(entities) == 9  # every check, found or not
    assert entities.count("paper") == 2


def test_the_check_text_is_taken_apart_strictly() -> None:
    payload = check_payload("3c56a411-e908-583a-b022-514f7c5ca004", 2, "c80b37ffc219")
    assert payload == "RPMDOC:1:3c56a411-e908-583a-b022-514f7c5ca004:2:c80b37ffc219"
    parsed = parse_check_text(payload.lower())
    assert parsed is not None and parsed.issue == 2 and parsed.fingerprint == "c80b37ffc219"
    for bad in (
        "",
        "RPMDOC:2:x:1:c80b37ffc219",
        "RPMDOC:1:x:one:c80b37ffc219",
        "c80b37ffc21",
        "x" * 500,
    ):
        assert parse_check_text(bad) is None


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_verify_id_and_verify_file_commands(
    sqlite_ctx: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vid, first, _ = _countersigned(sqlite_ctx)
    (one, _, sha_one), (two, _, _) = _rows(sqlite_ctx, vid, "consent")
    code, out, _ = _run(["verify", "--id", check_payload(one, 1, (sha_one or "")[:12])], capsys)
    assert code == 0
    assert "consent issue 1" in out and "superseded by issue 2" in out and "RPM-" in out
    assert "signed by the patient at" in out and "Zoë" not in out
    code, out, _ = _run(["verify", "--id", (sha_one or "")[:12]], capsys)
    assert code == 0 and "found by its fingerprint" in out
    assert _run(["verify", "--id", "0" * 12], capsys)[0] == 1
    assert _run(["verify", "--id", "not a document"], capsys)[0] == 2
    assert _run(["verify"], capsys)[0] == 2

    # An older issue is still genuine (exit 0) and says which issue replaced it.
    older = tmp_path / "consent-1.pdf"
    older.write_bytes(_pdf(sqlite_ctx, one))
    code, out, _ = _run(["verify", str(older)], capsys)
    assert code == 0 and f"superseded by issue 2 ({two})" in out
    latest = tmp_path / "consent-2.pdf"
    latest.write_bytes(_pdf(sqlite_ctx, two))
    code, out, _ = _run(["verify", str(latest)], capsys)
    assert code == 0 and "superseded" not in out

    # A failed check is audited with the file's hash and size only.
    data = latest.read_bytes()
    flipped = tmp_path / "flipped.pdf"
    middle = len(data) // 3
    flipped.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :])
    assert _run(["verify", str(flipped)], capsys)[0] == 1
    digest = hashlib.sha256(flipped.read_bytes()).hexdigest()
    with sqlite_ctx.db.session() as s:
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.entity == "file", AuditEvent.entity_id == digest)
        ).one()
        assert event.action == "verify"
        assert event.detail == {"sha256": digest, "size": len(data), "result": "not valid"}

    # A genuine PDF with 60 MB appended is refused from its size alone, without reading it.
    big = tmp_path / "big.pdf"
    big.write_bytes(data)
    with big.open("r+b") as f:
        f.truncate(MAX_VERIFY_BYTES + 10 * 1024 * 1024)  # sparse: no 60 MB written
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the large file was read"))
    started = time.monotonic()
    code, _, err = _run(["verify", str(big)], capsys)
    assert code == 2 and "not usable" in err and "MB" in err
    assert time.monotonic() - started < 10
    with sqlite_ctx.db.session() as s:
        results = [
            e.detail.get("result")
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.entity == "file").order_by(AuditEvent.seq)
            )
        ]
    assert results == ["not valid", "too large"]
