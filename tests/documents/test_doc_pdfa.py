"""Rendering gives PDF/A-3b with a QR code on every page, the same bytes every time."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from doc_samples import adult_record

from intake.documents import render
from intake.documents.fingerprint import check_payload, record_fingerprint
from intake.forms import FormSet

KINDS = ("consent", "education", "summary")


@pytest.mark.parametrize("kind", KINDS)
def test_rendered_documents_are_pdfa_3b(pdf_of, kind: str) -> None:  # type: ignore[no-untyped-def]
    pdf = pikepdf.open(io.BytesIO(pdf_of(kind, "adult", "en")))
    meta = pdf.open_metadata()
    assert meta.pdfa_status == "3B"
    assert meta["dc:title"] == str(pdf.docinfo["/Title"])
    assert meta["dc:creator"] == [str(pdf.docinfo["/Author"])]
    # No producer before sealing: the seal names itself in Info and XMP alike.
    assert "/Producer" not in pdf.docinfo and "pdf:Producer" not in meta
    assert str(pdf.Root.OutputIntents[0].S) == "/GTS_PDFA1"
    assert not pdf.is_encrypted and "/AF" not in pdf.Root  # only the consent carries a file


def test_the_consent_embeds_the_given_bundle_the_same_way_every_time(forms: FormSet) -> None:
    record = adult_record(forms, "en", clinician_signed=True)
    bundle = b'{"resourceType": "Bundle", "type": "collection"}\n'
    one = render.render_consent(record, forms, "a4", bundle, issue=2)
    assert one == render.render_consent(record, forms, "a4", bundle, issue=2)
    assert one != render.render_consent(record, forms, "a4", bundle + b" ", issue=2)
    pdf = pikepdf.open(io.BytesIO(one))
    (spec,) = pdf.Root.AF
    assert str(spec.AFRelationship) == "/Data"
    assert str(spec.EF.F.Subtype) == "/application/fhir+json"
    assert spec.EF.F.read_bytes() == bundle
    assert pdf.attachments[render.RECORD_FILE].get_file().read_bytes() == bundle


@pytest.mark.parametrize("page_size", ["letter", "a4"])
def test_each_page_has_a_readable_qr_code(forms: FormSet, tmp_path: Path, page_size: str) -> None:
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp reads the QR codes")
    from PIL import Image

    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.skip("pdftoppm (poppler-utils) is needed to turn the pages into images")
    record = adult_record(forms, "es", clinician_signed=False)
    path = tmp_path / "education.pdf"
    path.write_bytes(render.render_education(record, forms, page_size, issue=3))
    # 100 dpi: a plain office scan, coarser than any printer.
    subprocess.run([tool, "-r", "100", "-png", str(path), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) > 1
    wanted = check_payload(record.document_id, 3, record_fingerprint(record))
    for png in pages:
        image = Image.open(png)
        found = zxingcpp.read_barcodes(image)
        assert [r.text for r in found] == [wanted], png.name
        # Printers leave a margin of up to about 6.35 mm (1/4 inch) unprinted: the code's dark
        # modules stay clear of it on every side, so a printed copy still carries a whole code.
        margin_px = 6.35 / 25.4 * 100
        corners = found[0].position
        xs = [corners.top_left.x, corners.top_right.x, corners.bottom_left.x, corners.bottom_right.x]
        ys = [corners.top_left.y, corners.top_right.y, corners.bottom_left.y, corners.bottom_right.y]
        assert min(xs) >= margin_px and max(xs) <= image.width - margin_px, png.name
        assert min(ys) >= margin_px and max(ys) <= image.height - margin_px, png.name
