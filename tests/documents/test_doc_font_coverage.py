"""The letters a name may have are exactly those the documents' fonts can print.

``intake/domain/printable_ranges.py`` lists them as code-point ranges so that the domain (which reads
no font) can refuse a name the consent could not show. This test derives the ranges from the
fonts shipped in resources/ (regular and bold: a name is printed in both) and compares. After a
font change: ``UPDATE_FONT_COVERAGE=1 uv run pytest tests/documents -k coverage``.
"""

from __future__ import annotations

import os
from pathlib import Path

from reportlab.pdfbase import pdfmetrics

from intake.documents import render
from intake.domain import printable, printable_ranges

MODULE = Path(printable_ranges.__file__)
HEADER = '''"""Code points the documents' embedded fonts (DejaVu Sans, regular and bold) can print.

Generated from the fonts by tests/documents/test_doc_font_coverage.py, which also checks that
this list still matches them; edit the fonts, not this file.
"""

from __future__ import annotations

'''


def font_ranges() -> list[tuple[int, int]]:
    render.register_fonts()
    regular = pdfmetrics.getFont(render.FONT).face.charToGlyph
    bold = pdfmetrics.getFont(render.FONT_BOLD).face.charToGlyph
    points = sorted(p for p in regular if p in bold and regular[p] and bold[p])
    ranges: list[tuple[int, int]] = []
    for p in points:
        if ranges and ranges[-1][1] == p - 1:
            ranges[-1] = (ranges[-1][0], p)
        else:
            ranges.append((p, p))
    return ranges


def module_text(ranges: list[tuple[int, int]]) -> str:
    rows = [f"    (0x{a:04X}, 0x{b:04X})," for a, b in ranges]
    body = "RANGES: tuple[tuple[int, int], ...] = (\n" + "\n".join(rows) + "\n)\n"
    return HEADER + body


def test_the_printable_letters_match_the_fonts() -> None:
    expected = module_text(font_ranges())
    if os.environ.get("UPDATE_FONT_COVERAGE"):
        MODULE.write_text(expected, encoding="utf-8")
    assert MODULE.read_text(encoding="utf-8") == expected, (
        "intake/domain/printable_ranges.py no longer matches the fonts: run with UPDATE_FONT_COVERAGE=1"
    )


def test_names_from_the_clinic_print_and_others_are_named() -> None:
    assert printable.unprintable("Zoë Nguyễn Ñúñez Łukasz Øvergård Ἀλέξανδρος Юлия") == ""
    assert printable.unprintable("王 小明") == "王小明"
    assert printable.unprintable("Ana 王 Li 王") == "王"  # each letter named once
