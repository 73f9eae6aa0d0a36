"""Type sizes and page breaks: consent statements at least 10.5 pt, footers at least 8 pt, and
no page that holds three lines or fewer of the document's own text."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from pypdf import PdfReader

from intake.domain.records import ConsentRecord
from intake.forms import FormSet

PdfOf = Callable[..., bytes]
FOOTER_TOP = 50.0  # the footer's rule is at 46 pt from the bottom of the page
HEADER_HEIGHT = 60.0  # the running header's rule, from the top of the page


def runs(data: bytes) -> list[list[tuple[str, float, float]]]:
    """Each page's shown text runs: (text, size in points, y from the bottom of the page)."""
    pages: list[list[tuple[str, float, float]]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[3] * cm[3]) or 1.0
            pages[-1].append((text.strip(), round(size * scale, 2), y))

    for page in PdfReader(io.BytesIO(data)).pages:
        pages.append([])
        page.extract_text(visitor_text=visit)
    return pages


@pytest.mark.parametrize(("who", "lang"), [("adult", "en"), ("minor", "es")])
def test_consent_statements_are_at_least_10_5_points(
    pdf_of: PdfOf,
    forms: FormSet,
    adult: ConsentRecord,
    minor: ConsentRecord,
    who: str,
    lang: str,
) -> None:
    record = adult if who == "adult" else minor
    starts = {
        " ".join(s.text.get(lang).split()[:3])
        for s in forms.risks.statements
        if s.id in record.statement_ids
    }
    seen: set[str] = set()
    for page in runs(pdf_of("consent", who, lang)):
        for text, size, _ in page:
            found = {s for s in starts if text.startswith(s)}
            if found:
                seen |= found
                assert size >= 10.5, f"{text!r} is {size} pt"
    assert seen == starts  # every statement was found and measured


@pytest.mark.parametrize("kind", ["consent", "education", "summary"])
@pytest.mark.parametrize(("who", "lang"), [("adult", "en"), ("minor", "es")])
def test_footers_are_at_least_8_points(pdf_of: PdfOf, kind: str, who: str, lang: str) -> None:
    pages = runs(pdf_of(kind, who, lang))
    for number, page in enumerate(pages, start=1):
        footer = [(text, size) for text, size, y in page if y < FOOTER_TOP]
        assert len(footer) >= 2, f"page {number} has its footer lines"
        small = [(text, size) for text, size in footer if size < 8]
        assert not small, f"page {number}: {small}"


@pytest.mark.parametrize("kind", ["consent", "education", "summary"])
@pytest.mark.parametrize("who", ["adult", "minor"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_page_holds_three_lines_or_fewer(pdf_of: PdfOf, kind: str, who: str, lang: str) -> None:
    data = pdf_of(kind, who, lang)
    height = float(PdfReader(io.BytesIO(data)).pages[0].mediabox.height)
    for number, page in enumerate(runs(data), start=1):
        lines = {round(y) for _, _, y in page if FOOTER_TOP < y < height - HEADER_HEIGHT}
        assert len(lines) > 3, f"{kind} {who} {lang}: page {number} holds {len(lines)} lines"
