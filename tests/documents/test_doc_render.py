"""The three documents: content, languages, page furniture, fonts, determinism, vectors."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from doc_samples import adult_record, minor_record, pdf_pages_text, squash
from pypdf import PdfReader

from intake.documents import render
from intake.documents.errors import FormsMismatch
from intake.documents.fingerprint import record_fingerprint
from intake.domain.records import ConsentRecord, PatientInfo
from intake.forms import FormSet

HERE = Path(__file__).parent
EXPECTED = HERE / "expected_hashes.json"
KINDS = ("consent", "education", "summary")
PAGE_LABEL = {"en": "page {} of {}", "es": "página {} de {}"}

PdfOf = Callable[..., bytes]


def _needs(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


# --- every document, both languages --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("who", ["adult", "minor"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_page_has_footer_with_page_x_of_y(
    pdf_of: PdfOf, kind: str, who: str, lang: str
) -> None:
    data = pdf_of(kind, who, lang)
    assert data.startswith(b"%PDF-")
    pages = pdf_pages_text(data)
    document_id = "DOC-2026-0001" if who == "adult" else "DOC-2026-0002"
    assert len(pages) == len(PdfReader(io.BytesIO(data)).pages) >= 1
    for number, text in enumerate(pages, start=1):
        assert PAGE_LABEL[lang].format(number, len(pages)) in text
        assert document_id in text
    assert PAGE_LABEL[lang].format(len(pages) + 1, len(pages)) not in " ".join(pages)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("kind", KINDS)
def test_footer_carries_fingerprint_and_form_versions(
    pdf_of: PdfOf, forms: FormSet, kind: str, lang: str
) -> None:
    record = adult_record(forms, lang, clinician_signed=False)
    fingerprint = record_fingerprint(record)
    pages = pdf_pages_text(pdf_of(kind, "adult", lang))
    wanted = {"consent": "risks", "education": "education", "summary": "intake"}[kind]
    version = record.form_versions[wanted][0]
    for text in pages:
        assert fingerprint in text
        assert f"{wanted} {version}" in text


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("who", ["adult", "minor"])
def test_consent_has_every_statement_with_initials(
    pdf_of: PdfOf, forms: FormSet, who: str, lang: str
) -> None:
    record = (
        adult_record(forms, lang, clinician_signed=False)
        if who == "adult"
        else minor_record(forms, lang)
    )
    text = " ".join(pdf_pages_text(pdf_of("consent", who, lang)))
    assert record.statement_ids
    for sid in record.statement_ids:
        assert squash(forms.risks.statement(sid).text.get(lang)) in text, sid
    for topic in forms.risks.topics:
        if any(s.topic == topic.id for s in map(forms.risks.statement, record.statement_ids)):
            assert squash(topic.title.get(lang)) in text
    assert text.count(record.acknowledgements[0].initials) >= len(
        [a for a in record.acknowledgements if a.by == "patient"]
    )
    assert record.patient.full_name in text


def test_adult_consent_names_with_accents_survive(pdf_of: PdfOf) -> None:
    text = " ".join(pdf_pages_text(pdf_of("consent", "adult", "en")))
    assert "Zoë Nguyễn" in text
    assert "ZN" in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_long_document_ids_stay_on_one_line(
    adult: ConsentRecord, forms: FormSet, lang: str
) -> None:
    """Ids are read out and typed in: a UUID broken over two lines invites a mistake."""
    record = dataclasses.replace(
        adult,
        lang=lang,
        document_id="b4e05da7-3dd8-5010-b067-68939f60d500",
        supersedes="4e29f151-d12c-5d4f-95d2-ec95e635923c",
    )
    first = PdfReader(io.BytesIO(render.render_consent(record, forms))).pages[0].extract_text()
    # A wrapped id would have a line break inside it in the extracted text.
    assert "b4e05da7-3dd8-5010-b067-68939f60d500" in first
    assert "4e29f151-d12c-5d4f-95d2-ec95e635923c" in first


def test_minor_consent_has_both_initials_guardian_block_and_reconsent(pdf_of: PdfOf) -> None:
    text = " ".join(pdf_pages_text(pdf_of("consent", "minor", "es")))
    assert "Mateo Ñúñez" in text
    assert "Lucía Ñúñez Peña" in text
    assert "MÑ" in text and "LÑP" in text
    assert "madre" in text  # relationship of the guardian
    assert "consentimiento del tutor" in text
    assert "30 de agosto de 2027" in text  # 18th birthday: re-consent due
    assert "no aplica" in text  # guardian-only statements are not for the patient to initial


def test_minor_consent_english_labels(pdf_of: PdfOf) -> None:
    text = " ".join(pdf_pages_text(pdf_of("consent", "minor", "en")))
    assert "Parent or guardian" in text
    assert "guardian consent" in text
    assert "30 August 2027" in text


def test_adult_consent_has_no_guardian_block(pdf_of: PdfOf) -> None:
    text = " ".join(pdf_pages_text(pdf_of("consent", "adult", "en")))
    assert "Parent or guardian" not in text
    assert "guardian consent" not in text
    assert "turns 18" not in text


def test_consent_lists_contraception_only_for_pregnancy_possible(pdf_of: PdfOf) -> None:
    adult = " ".join(pdf_pages_text(pdf_of("consent", "adult", "en")))
    assert "Birth control chosen" in adult
    assert "Implant in the arm" in adult and "Male (external) condom" in adult
    minor = " ".join(pdf_pages_text(pdf_of("consent", "minor", "en")))
    assert "Birth control chosen" not in minor


def test_consent_shows_quiz_result_and_signature_evidence(
    pdf_of: PdfOf, adult: ConsentRecord
) -> None:
    text = " ".join(pdf_pages_text(pdf_of("consent", "adult", "en")))
    asked = len({a.question_id for a in adult.quiz})
    assert "Passed" in text
    assert f"Questions asked {asked}" in text
    assert f"{len(adult.quiz)}" in text
    # printed name, date and time in the clinic's zone (15:02 UTC + ~40 min = 10:4x EST), meaning
    assert "consent signature" in text
    assert re.search(r"3 February 2026, 1\d:\d\d EST", text)


def test_countersignature_due_box_only_while_clinician_has_not_signed(pdf_of: PdfOf) -> None:
    due = " ".join(pdf_pages_text(pdf_of("consent", "adult", "en", clinician_signed=False)))
    assert "Countersignature due — prescriber attestation" in due
    signed = " ".join(pdf_pages_text(pdf_of("consent", "adult", "en", clinician_signed=True)))
    assert "Countersignature due" not in signed
    assert "prescriber attestation" in signed
    assert "Dr. Amara Okafor" in signed
    due_es = " ".join(pdf_pages_text(pdf_of("consent", "adult", "es", clinician_signed=False)))
    assert "Falta la firma del médico" in due_es


def test_signatures_are_vector_paths_not_images(
    pdf_of: PdfOf, forms: FormSet, adult: ConsentRecord
) -> None:
    data = pdf_of("consent", "adult", "en", clinician_signed=True)
    reader = PdfReader(io.BytesIO(data))
    logo = render._logo_path(forms) is not None
    for number, page in enumerate(reader.pages, start=1):
        allowed = 1 if logo and number == 1 else 0  # the clinic logo, first page header only
        assert len(page.images) <= allowed
    last = reader.pages[-1].get_contents().get_data().decode("latin-1")
    signature = adult.signature("patient")
    assert signature is not None
    points = sum(len(stroke) for stroke in signature.strokes)
    # one moveto per stroke, one lineto per further point, for each of the two signatures drawn
    assert len(re.findall(r"-?[\d.]+ -?[\d.]+ l\b", last)) >= 2 * (points - len(signature.strokes))
    assert len(re.findall(r"-?[\d.]+ -?[\d.]+ m\b", last)) >= 2 * len(signature.strokes)
    assert re.search(r"\bS\b", last)  # stroked, not filled


def test_signature_strokes_are_flipped_and_fitted_into_the_box(forms: FormSet) -> None:
    """A stroke at the top of the pad ends up near the top of the box."""
    from reportlab.pdfgen.canvas import Canvas

    record = adult_record(forms)
    sig = dataclasses.replace(
        record.signatures[0], strokes=(((0.0, 0.0), (600.0, 0.0)),), pad_width=600, pad_height=200
    )
    drawing = render.SignatureDrawing(sig, 300, 100)
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1, pageCompression=0)
    drawing.drawOn(canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    content = PdfReader(io.BytesIO(out.getvalue())).pages[0].get_contents().get_data().decode()
    moves = re.findall(r"([\d.]+) ([\d.]+) m\s+([\d.]+) ([\d.]+) l", content)
    assert moves, content
    x0, y0, x1, y1 = map(float, moves[-1])
    assert y0 == y1 and y0 > 80  # the pad's y=0 is the top edge
    assert 0 <= x0 < x1 <= 300


# --- education ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "es"])
def test_education_is_personal_and_fills_placeholders(
    pdf_of: PdfOf, forms: FormSet, lang: str
) -> None:
    pages = pdf_pages_text(pdf_of("education", "adult", lang))
    text = " ".join(pages)
    assert "Zoë Nguyễn" in text
    assert "Dr. Amara Okafor" in text
    assert forms.clinic.phone in text
    assert "{clinic_phone}" not in text and "{clinic_name}" not in text
    assert ("5 March 2026" if lang == "en" else "5 de marzo de 2026") in text  # first monthly visit
    assert ("3 July 2026" if lang == "en" else "3 de julio de 2026") in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_education_when_to_call_is_alone_on_one_page(
    pdf_of: PdfOf, forms: FormSet, lang: str
) -> None:
    pages = pdf_pages_text(pdf_of("education", "adult", lang))
    summary = next(s for s in forms.education.sections if s.summary)
    body = squash(render.body_blocks(summary.body.get(lang))[0][1])
    body = body.replace("{clinic_name}", forms.clinic.name).replace(
        "{clinic_phone}", forms.clinic.phone
    )
    start, end = body[:60], squash(summary.body.get(lang)).split()[-1]
    on = [i for i, text in enumerate(pages) if start in text]
    assert len(on) == 1, "the 'when to call' section must sit on exactly one page"
    page = pages[on[0]]
    assert squash(summary.title.get(lang)) in page and end in page
    for section in forms.education.sections:
        if not section.summary:
            assert squash(section.title.get(lang)) not in page


def test_education_sections_follow_the_rules(pdf_of: PdfOf, forms: FormSet) -> None:
    pregnancy = next(s for s in forms.education.sections if s.id == "pregnancy")
    title = squash(pregnancy.title.get("en"))
    assert title in " ".join(pdf_pages_text(pdf_of("education", "adult", "en")))
    assert title not in " ".join(pdf_pages_text(pdf_of("education", "minor", "en")))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_education_bullets_follow_their_own_rules(pdf_of: PdfOf, forms: FormSet, lang: str) -> None:
    """The adult sample can become pregnant; the minor sample (16, born male) cannot."""
    bullets = {b.id: squash(b.text.get(lang)) for b in forms.education.bullets}
    adult = " ".join(pdf_pages_text(pdf_of("education", "adult", lang)))
    minor = " ".join(pdf_pages_text(pdf_of("education", "minor", lang)))
    for bid in ("when_to_call.pregnancy", "aftercare.contraception", "process.consent"):
        assert bullets[bid][:50] in adult, bid
        assert bullets[bid][:50] not in minor, bid
    for bid in ("pregnancy_all.partner", "process.consent_with_guardian", "guardian.mood"):
        assert bullets[bid][:50] in minor, bid
        assert bullets[bid][:50] not in adult, bid
    # A section's closing paragraph still comes after its bullets.
    summary = next(s for s in forms.education.sections if s.summary)
    assert summary.closing is not None
    last_bullet = bullets["when_to_call.skin_allergy"][:40]
    closing = squash(summary.closing.get(lang))[:40]
    assert minor.index(last_bullet) < minor.index(closing)


def test_body_blocks_paragraphs_and_bullets() -> None:
    text = "First line\ncontinues.\n\nList:\n- one\n- two\n  wrapped\nAfter.\n\n- last"
    assert render.body_blocks(text) == [
        ("para", "First line continues."),
        ("para", "List:"),
        ("bullet", "one"),
        ("bullet", "two wrapped"),
        ("para", "After."),
        ("bullet", "last"),
    ]


# --- intake summary -----------------------------------------------------------------------------


def test_summary_shows_flags_phq9_and_medicines(pdf_of: PdfOf, adult: ConsentRecord) -> None:
    text = " ".join(pdf_pages_text(pdf_of("summary", "adult", "en")))
    assert adult.phq9 is not None
    assert f"Total score: {adult.phq9.total} / 27" in text
    assert "Item 9 positive" in text
    assert "ALERT" in text and "REVIEW" in text
    assert "Vitamin A supplement" in text
    for flag in adult.flags:
        assert squash(flag.text) in text
    assert "Implant in the arm" in text  # option labels, not values
    assert "12 April 1998" in text  # dates spelled out
    assert "61.5 kg" in text


def test_summary_escapes_user_text(pdf_of: PdfOf) -> None:
    text = " ".join(pdf_pages_text(pdf_of("summary", "adult", "en")))
    assert 'O\'Brien <b> cream & "zinc"' in text
    assert "Penicillin <rash> & hives" in text


def test_summary_spanish_labels(pdf_of: PdfOf) -> None:
    text = " ".join(pdf_pages_text(pdf_of("summary", "minor", "es")))
    assert "Resumen de la admisión" in text
    assert "Antibiótico del grupo de las tetraciclinas" in text  # the flag's Spanish text
    assert "Ítem 9 (pensamientos de autolesión): nunca." in text


def test_markup_in_names_cannot_break_any_document(forms: FormSet) -> None:
    record = adult_record(forms)
    nasty = dataclasses.replace(
        record,
        patient=PatientInfo("RPM-<9>", "O'Brien <b>", "&amp; </para> Ñ", dt.date(1990, 1, 1)),
        dermatologist="Dr <i>Who</i>",
    )
    for kind in KINDS:
        text = " ".join(pdf_pages_text(render.__dict__[f"render_{kind}"](nasty, forms)))
        assert "O'Brien <b> &amp; </para> Ñ" in text


# --- fonts, structure, metadata -----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_only_dejavu_fonts_all_embedded(pdf_of: PdfOf, tmp_path: Path, kind: str) -> None:
    tool = _needs("pdffonts")
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(pdf_of(kind, "minor", "es"))
    out = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows
    names = {row[0].split("+")[-1] for row in rows}
    assert names == {"DejaVuSans", "DejaVuSans-Bold"}
    for row in rows:
        emb, sub = row[-5], row[-4]  # columns: ... emb sub uni object ID
        assert emb == "yes" and sub == "yes", row


@pytest.mark.parametrize("kind", KINDS)
def test_qpdf_check_passes(pdf_of: PdfOf, tmp_path: Path, kind: str) -> None:
    tool = _needs("qpdf")
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(pdf_of(kind, "adult", "es"))
    result = subprocess.run([tool, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


@pytest.mark.parametrize("size, width", [("letter", 612), ("a4", 595)])
def test_page_sizes(forms: FormSet, adult: ConsentRecord, size: str, width: int) -> None:
    data = render.render_summary(adult, forms, size)
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert round(float(box.width)) == width


def test_unknown_page_size_is_refused(forms: FormSet, adult: ConsentRecord) -> None:
    with pytest.raises(ValueError, match="page size"):
        render.render_consent(adult, forms, "legal")


@pytest.mark.parametrize("kind", KINDS)
def test_metadata_names_the_document_not_the_patient(pdf_of: PdfOf, kind: str) -> None:
    reader = PdfReader(io.BytesIO(pdf_of(kind, "adult", "en")))
    meta = reader.metadata
    assert meta is not None
    assert "Isotretinoin" in (meta.title or "")
    blob = " ".join(str(v) for v in meta.values())
    for identifier in ("Zoë", "Nguy", "RPM-000123", "1998"):
        assert identifier not in blob
    assert meta.creation_date == dt.datetime(2026, 2, 3, 15, 2, tzinfo=dt.UTC)
    assert reader.pdf_header.startswith("%PDF-")
    assert reader.trailer["/Root"].get("/Lang") == "en"


# --- determinism --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_same_record_same_bytes(forms: FormSet, adult: ConsentRecord, kind: str) -> None:
    renderer = render.__dict__[f"render_{kind}"]
    assert renderer(adult, forms) == renderer(adult, forms)


def test_other_record_other_bytes(forms: FormSet, adult: ConsentRecord) -> None:
    later = dataclasses.replace(adult, created_at=adult.created_at + dt.timedelta(seconds=1))
    assert render.render_consent(later, forms) != render.render_consent(adult, forms)


def test_same_bytes_in_a_fresh_process(pdf_of: PdfOf) -> None:
    """Nothing in the bytes depends on the process: hash seeds, object ids, the clock."""
    code = (
        "import sys, hashlib; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "from doc_samples import adult_record; from intake.forms import load_forms;"
        "from intake.documents.render import render_consent; f = load_forms();"
        "print(hashlib.sha256(render_consent(adult_record(f), f)).hexdigest())"
    )
    root = HERE.parents[1]
    env = dict(os.environ, PYTHONHASHSEED="12345", TZ="Asia/Tokyo")
    out = subprocess.run(
        [sys.executable, "-c", code, str(root), str(HERE)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.strip()
    assert out == hashlib.sha256(pdf_of("consent", "adult", "en")).hexdigest()


def test_rendered_consent_matches_the_committed_hash(pdf_of: PdfOf, forms: FormSet) -> None:
    """Any change to how a consent looks must be made on purpose: see expected_hashes.json."""
    import reportlab

    expected = json.loads(EXPECTED.read_text("utf-8"))
    actual = {
        "reportlab": reportlab.Version,
        "forms": {k: list(v) for k, v in sorted(forms.versions().items())},
        "consent_adult_en_letter": hashlib.sha256(pdf_of("consent", "adult", "en")).hexdigest(),
        "consent_minor_es_a4": hashlib.sha256(
            pdf_of("consent", "minor", "es", page_size="a4")
        ).hexdigest(),
    }
    if os.environ.get("UPDATE_EXPECTED_HASHES") == "1":
        expected.update(actual)
        EXPECTED.write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n", "utf-8")
    for key in ("reportlab", "forms"):
        assert actual[key] == expected[key], (
            f"{key} changed since the hashes were recorded; check the documents by eye, then "
            "rerun with UPDATE_EXPECTED_HASHES=1"
        )
    for key in ("consent_adult_en_letter", "consent_minor_es_a4"):
        assert actual[key] == expected[key], (
            f"{key}: the rendered consent changed. If that is intended, look at the PDFs, then "
            "rerun with UPDATE_EXPECTED_HASHES=1 and commit expected_hashes.json"
        )


# --- integrity of the input ---------------------------------------------------------------------


def test_consent_refuses_forms_of_another_version(forms: FormSet, adult: ConsentRecord) -> None:
    versions = dict(adult.form_versions, risks=("0.9.0", "0" * 64))
    with pytest.raises(FormsMismatch, match="0.9.0"):
        render.render_consent(dataclasses.replace(adult, form_versions=versions), forms)


def test_consent_refuses_unknown_statement(forms: FormSet, adult: ConsentRecord) -> None:
    record = dataclasses.replace(adult, statement_ids=(*adult.statement_ids, "mood.nonexistent"))
    with pytest.raises(FormsMismatch, match=r"mood\.nonexistent"):
        render.render_consent(record, forms)


def test_fingerprint_is_short_stable_and_sensitive(adult: ConsentRecord) -> None:
    fp = record_fingerprint(adult)
    assert re.fullmatch(r"[0-9a-f]{12}", fp)
    assert record_fingerprint(dataclasses.replace(adult)) == fp
    changed = dataclasses.replace(adult, answers=dict(adult.answers, weight_kg=62))
    assert record_fingerprint(changed) != fp
    ack = adult.acknowledgements[0]
    moved = dataclasses.replace(ack, at=ack.at + dt.timedelta(seconds=1))
    retimed = dataclasses.replace(adult, acknowledgements=(moved, *adult.acknowledgements[1:]))
    assert record_fingerprint(retimed) != fp


def test_answer_text_formats(forms: FormSet) -> None:
    q = forms.intake.question
    assert render.answer_text(q("sex_at_birth"), "female", "es") == "Femenino"
    assert render.answer_text(q("date_of_birth"), "2001-02-03", "en") == "3 February 2001"
    assert (
        render.answer_text(q("date_of_birth"), dt.date(2001, 2, 3), "es") == "3 de febrero de 2001"
    )
    assert render.answer_text(q("weight_kg"), 70, "en") == "70 kg"
    assert (
        render.answer_text(q("conditions"), ["anxiety", "diabetes"], "en")
        == "• Anxiety\n• Diabetes"
    )
    assert render.answer_text(q("other_medicines"), "", "en") == "—"
    assert render.answer_text(None, True, "es") == "Sí"


def test_importing_the_package_loads_no_pdf_libraries() -> None:
    code = (
        "import sys, intake.documents, intake.documents.signing;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('reportlab', 'pyhanko', 'pyhanko_certvalidator', 'cryptography', 'PySide6', 'sqlalchemy')];"
        "print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parents[1],
    ).stdout.strip()
    assert out == "[]"


def test_missing_guardian_signature_gets_its_own_due_box(
    forms: FormSet, minor: ConsentRecord
) -> None:
    unsigned = dataclasses.replace(
        minor, signatures=tuple(s for s in minor.signatures if s.role != "guardian")
    )
    text = " ".join(pdf_pages_text(render.render_consent(unsigned, forms)))
    assert "Falta la firma del tutor — consentimiento del tutor" in text
    assert "Falta la firma del médico" not in text  # the minor's consent is countersigned


def test_a_long_when_to_call_section_still_fits_one_page(
    forms: FormSet, adult: ConsentRecord
) -> None:
    sections = tuple(
        dataclasses.replace(
            s,
            body=type(s.body)(
                tuple((lang, "\n\n".join([text] * 4)) for lang, text in s.body.values)
            ),
        )
        if s.summary
        else s
        for s in forms.education.sections
    )
    long_forms = dataclasses.replace(
        forms, education=dataclasses.replace(forms.education, sections=sections)
    )
    pages = pdf_pages_text(render.render_education(adult, long_forms))
    summary = next(s for s in sections if s.summary)
    title = squash(summary.title.get("en"))
    last = squash(summary.body.get("en")).split()[-1]
    on = [i for i, text in enumerate(pages) if text.count(title) and last in text]
    assert len(on) == 1
    assert pages[on[0]].count(last) >= 4  # all four copies shrunk onto that one page


def test_fast_canonical_json_matches_the_plain_tree(forms) -> None:  # type: ignore[no-untyped-def]
    import json

    from doc_samples import adult_record, minor_record

    from intake.documents import fingerprint

    for record in (adult_record(forms), minor_record(forms)):
        plain = json.dumps(
            fingerprint._tree(record), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        assert fingerprint.canonical_record(record) == plain.encode("utf-8")


@pytest.mark.parametrize("style", ["para", "cell", "bullet", "urgent_bullet", "h2"])
@pytest.mark.parametrize(
    "text",
    [
        "Isotretinoin can cause severe birth defects. Zoë Nguyễn, Ñúñez.",
        "  a line\n   broken   over\n\nthree lines  ",
        "O'Brien &amp; <b>bold</b> words",  # markup: parsed as before
    ],
)
def test_plain_text_paragraphs_draw_exactly_as_reportlab_would(style: str, text: str) -> None:
    """Markup-free text skips reportlab's parser; the page it makes must not change by a byte."""
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    render.register_fonts()
    st = render._styles()[style]
    bullet = "•" if "bullet" in style else None

    def page(cls: type[Paragraph]) -> bytes:
        out = io.BytesIO()
        doc = SimpleDocTemplate(out, invariant=1)
        doc.build([cls(text, st, bulletText=bullet) for _ in range(3)])
        return out.getvalue()

    assert page(render.Para) == page(Paragraph)


def test_plain_text_is_not_sent_through_the_markup_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.platypus.paraparser import ParaParser

    render.register_fonts()
    st = render._styles()["para"]
    render.Para("warm the stand-in fragment", st)
    calls: list[str] = []
    original = ParaParser.parse

    def counting(self: ParaParser, text: str, style: object) -> object:
        calls.append(text)
        return original(self, text, style)

    monkeypatch.setattr(ParaParser, "parse", counting)
    render.Para("Zoë Nguyễn reads every statement.", st)
    assert calls == []
    render.Para("<b>bold</b> needs the parser", st)
    assert calls == ["<b>bold</b> needs the parser"]


LONG_ANSWERS = {
    "many-lines": "\n".join(f"Line {i}: ibuprofen 200 mg when needed" for i in range(60))[:2000],
    "one-long-word": "W" * 2000,  # one unbroken word, as long as the kiosk allows
    "thousand-lines": "a\n" * 1000,
}


def _answer_marks(text: str, case: str) -> int:
    """How much of a long answer a document's text shows, counted in a way that header and
    footer lines cannot disturb."""
    if case == "many-lines":
        return len(re.findall(r"Line \d+: ibuprofen", text))
    if case == "one-long-word":
        return sum(len(run) for run in re.findall(r"W{5,}", text))
    return sum(1 for line in text.splitlines() if line.strip() == "a")


@pytest.mark.parametrize("case", sorted(LONG_ANSWERS))
def test_the_longest_free_text_answer_still_makes_every_document(
    adult: ConsentRecord, forms: FormSet, case: str
) -> None:
    answer = LONG_ANSWERS[case]
    record = dataclasses.replace(adult, answers={**adult.answers, "other_medicines": answer})
    summary = PdfReader(io.BytesIO(render.render_summary(record, forms)))
    text = "\n".join(page.extract_text() for page in summary.pages)
    once = {"many-lines": answer.count("ibuprofen"), "one-long-word": 2000}.get(case, 1000)
    # Shown twice: under "Medicines and interactions" and again among all the answers.
    assert _answer_marks(text, case) == 2 * once, "every part of the answer, nothing lost"
    for make in (render.render_consent, render.render_education):
        assert PdfReader(io.BytesIO(make(record, forms))).pages


def test_a_paragraph_longer_than_a_page_splits_across_pages() -> None:
    """reportlab builds the halves of a split paragraph itself, from fragments."""
    from reportlab.platypus import SimpleDocTemplate

    render.register_fonts()
    words = " ".join(f"word{i}" for i in range(3000))
    out = io.BytesIO()
    SimpleDocTemplate(out, invariant=1).build([render.Para(words, render._styles()["para"])])
    pages = pdf_pages_text(out.getvalue())
    assert len(pages) > 2
    assert squash(" ".join(pages)).split() == words.split()


def test_summary_never_lists_mood_screen_answers_by_their_ids(
    adult: ConsentRecord, forms: FormSet
) -> None:
    """A visit keeps the PHQ-9 among its answers (phq9_1 .. phq9_9, phq9_difficulty); the
    summary shows them in the mood-screen section, not again as raw ids and codes."""
    mood = {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_difficulty": "not_difficult"}
    extra = {"legacy_question": "kept"}
    record = dataclasses.replace(adult, answers={**adult.answers, **mood, **extra})
    text = " ".join(pdf_pages_text(render.render_summary(record, forms)))
    assert "phq9_" not in text and "not_difficult" not in text
    assert "legacy_question" in text and "kept" in text  # an unknown answer is still shown


def test_summary_shows_a_stored_phone_number_as_people_read_it(
    adult: ConsentRecord, forms: FormSet
) -> None:
    record = dataclasses.replace(adult, answers={**adult.answers, "phone": "5550102233"})
    text = " ".join(pdf_pages_text(render.render_summary(record, forms)))
    assert "(555) 010-2233" in text and "5550102233" not in text


@pytest.mark.parametrize("lines", range(46, 56))
@pytest.mark.parametrize("flag_count", [0, 1, 5])
def test_answers_just_too_tall_for_the_first_page_still_render(
    adult: ConsentRecord, forms: FormSet, lines: int, flag_count: int
) -> None:
    """The first page holds less than the others: a row can be too tall for it yet fit on the
    next, where it must arrive whole and drawable, after a failed attempt to break it."""
    answer = "\n".join(f"medicine line {i:02d}" for i in range(lines))
    record = dataclasses.replace(
        adult,
        flags=adult.flags[:flag_count],
        answers={**adult.answers, "other_medicines": answer},
    )
    text = "\n".join(pdf_pages_text(render.render_summary(record, forms)))
    assert all(text.count(f"medicine line {i:02d}") == 2 for i in range(lines))


def test_a_style_that_transforms_text_is_honoured() -> None:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    render.register_fonts()
    shouting = ParagraphStyle("upper", parent=render._styles()["para"], textTransform="uppercase")
    para, plain = render.Para("hello", shouting), Paragraph("hello", shouting)
    assert [f.text for f in para.frags] == [f.text for f in plain.frags] == ["HELLO"]
