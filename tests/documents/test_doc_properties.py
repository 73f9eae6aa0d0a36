"""Whatever a patient can type, within what the kiosk accepts, every document is still made.

Names and free-text answers go through the same validators the kiosk uses, then into all three
documents; the PDFs must open, carry the page furniture, and show the typed text.
"""

from __future__ import annotations

import dataclasses
import io
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from intake.documents import render
from intake.domain import validation as v
from intake.domain.errors import ValidationError
from intake.domain.records import ConsentRecord
from intake.forms import FormSet

# Anything a keyboard or a paste can give, but lone surrogates (not text at all).
TYPED = st.characters(blacklist_categories=("Cs",))
FREE_TEXT_FIELDS = ("other_medicines", "allergies_detail", "previous_treatments_notes", "address")


def _valid(validator, raw):  # type: ignore[no-untyped-def]
    try:
        return validator(raw)
    except ValidationError:
        return None


names = st.text(TYPED, min_size=1, max_size=v.MAX_NAME).map(lambda s: _valid(v.name, s))
answers = st.text(TYPED, max_size=v.MAX_TEXT).map(lambda s: _valid(v.free_text, s))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(
    first=names.filter(bool),
    last=names.filter(bool),
    field=st.sampled_from(FREE_TEXT_FIELDS),
    answer=answers.filter(lambda a: a is not None),
    lang=st.sampled_from(["en", "es"]),
)
def test_any_accepted_input_makes_all_three_documents(
    adult: ConsentRecord,
    forms: FormSet,
    first: str,
    last: str,
    field: str,
    answer: str,
    lang: str,
) -> None:
    patient = dataclasses.replace(adult.patient, first_name=first, last_name=last)
    record = dataclasses.replace(
        adult, lang=lang, patient=patient, answers={**adult.answers, field: answer}
    )
    consent = PdfReader(io.BytesIO(render.render_consent(record, forms)))
    # The validators only let through names the fonts print: the name is there, as typed.
    assert re.sub(r"\s+", "", f"{first}{last}") in re.sub(
        r"\s+", "", consent.pages[0].extract_text()
    )
    for make in (render.render_consent, render.render_education, render.render_summary):
        reader = PdfReader(io.BytesIO(make(record, forms)))
        pages = [page.extract_text() for page in reader.pages]
        label = "page {} of {}" if lang == "en" else "página {} de {}"
        for number, text in enumerate(pages, start=1):
            assert label.format(number, len(pages)) in text
    # The summary shows what was typed: each word of it, wherever lines and pages broke.
    summary = PdfReader(io.BytesIO(render.render_summary(record, forms)))
    shown = re.sub(r"\s+", "", "".join(page.extract_text() for page in summary.pages))
    in_font = pdfmetrics.getFont(render.FONT).face.charToGlyph
    for word in answer.split()[:20]:
        # A very long word may be broken over a page end, with a footer in between; a letter
        # the font has no glyph for is drawn as a box and cannot be read back.
        if len(word) <= 200 and all(ch.isprintable() and ord(ch) in in_font for ch in word):
            assert re.sub(r"\s+", "", word) in shown
