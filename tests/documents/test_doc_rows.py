"""The ruled-rows tables the documents are built from, laid out by reportlab's own frames and
read back with pypdf (text and its positions)."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from intake.documents import render
from intake.documents.rows import Lines, Row, Rows, Rule, fit

render.register_fonts()
STYLE = ParagraphStyle("t", fontName=render.FONT, fontSize=10, leading=13)
HEAD = ParagraphStyle("h", fontName=render.FONT_BOLD, fontSize=8, leading=10)


def build(*flowables: object) -> PdfReader:
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=LETTER, invariant=1).build(list(flowables))
    return PdfReader(io.BytesIO(out.getvalue()))


def positions(page: object) -> dict[str, tuple[float, float]]:
    """Where each shown run of text starts on the page, in page coordinates."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.setdefault(text.strip(), (x, y))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return found


def at(where: dict[str, tuple[float, float]], start: str) -> tuple[float, float]:
    return next(xy for text, xy in where.items() if text.startswith(start))


def table(count: int, repeat_head: bool = True) -> Rows:
    rows = [Row([Lines(("Statement", HEAD)), Lines(("Initials", HEAD))], padding=(1, 3))]
    rows += [
        Row([Paragraph(f"statement {i} " + "word " * 30, STYLE), Lines((f"AB{i}", STYLE))])
        for i in range(count)
    ]
    return Rows(
        rows,
        [380, 88],
        padding=(4, 6, 4, 5),
        rule=Rule(0.25, colors.grey),
        column_rule=Rule(0.25, colors.grey),
        repeat_head=repeat_head,
    )


def test_a_long_table_splits_between_rows_and_repeats_its_header() -> None:
    reader = build(table(40))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) > 2
    for text in pages:
        assert text.count("Statement") == 1, "each page starts with the header row"
    # Every row appears exactly once, whole, in order: no row is cut between pages.
    joined = "\n".join(pages)
    order = [joined.index(f"statement {i} ") for i in range(40)]
    assert order == sorted(order)
    for i in range(40):
        assert joined.count(f"AB{i}\n") + joined.endswith(f"AB{i}") == 1
        page = next(t for t in pages if f"statement {i} " in t)
        assert f"AB{i}" in page, "a row's cells stay on one page"


def test_without_a_header_the_continuation_repeats_nothing() -> None:
    reader = build(table(40, repeat_head=False))
    assert "Statement" in reader.pages[0].extract_text()
    assert all("Statement" not in p.extract_text() for p in reader.pages[1:])


def test_cells_are_top_aligned_and_padded_inside_their_column() -> None:
    reader = build(table(2))
    where = positions(reader.pages[0])
    (x_text, y_text), (x_init, y_init) = at(where, "statement 0"), at(where, "AB0")
    x_head, y_head = at(where, "Statement")
    # The frame starts at the 1-inch margin plus its own 6pt padding; cells add their 4pt.
    assert abs(x_text - (72 + 6 + 4)) < 0.01
    assert abs(x_head - x_text) < 0.01, "header and body share the column's padding"
    assert y_head > y_text
    assert abs(x_init - (x_text + 380)) < 0.01, "second column starts one column width later"
    assert abs(y_text - y_init) < 0.01, "both cells' first lines share a baseline"


def test_right_aligned_lines_end_at_the_cell_edge() -> None:
    narrow = Rows(
        [
            Row([Lines(("1", STYLE), align="right")]),
            Row([Lines(("27", STYLE), align="right")]),
        ],
        [60],
        padding=(2, 6, 2, 3),
    )
    where = positions(build(narrow).pages[0])
    one, twenty_seven = at(where, "1"), at(where, "27")
    from reportlab.pdfbase.pdfmetrics import stringWidth

    end_one = one[0] + stringWidth("1", render.FONT, 10)
    end_27 = twenty_seven[0] + stringWidth("27", render.FONT, 10)
    assert abs(end_one - end_27) < 0.01
    assert one[1] > twenty_seven[1]


def test_a_row_taller_than_the_room_left_moves_whole_to_the_next_page() -> None:
    filler = Spacer(0, LETTER[1] - 72 * 2 - 30)  # leaves 30pt: less than any row needs
    reader = build(filler, table(1, repeat_head=False))
    assert "statement 0" not in reader.pages[0].extract_text()
    assert "statement 0" in reader.pages[1].extract_text()
    assert "AB0" in reader.pages[1].extract_text()


def test_fit_shortens_with_an_ellipsis_only_when_needed() -> None:
    assert fit("short", render.FONT, 10, 200) == "short"
    long = "Nguyễn " * 20
    shortened = fit(long, render.FONT, 10, 100)
    assert shortened.endswith("…") and len(shortened) < len(long)
    from reportlab.pdfbase.pdfmetrics import stringWidth

    assert stringWidth(shortened, render.FONT, 10) <= 100


def test_a_row_taller_than_a_page_is_broken_between_its_lines() -> None:
    """A long free-text answer must never stop a document from being made."""
    answer = "<br/>".join(f"medicine line {i:03d}" for i in range(160))
    rows = [
        Row([Lines(("First question", STYLE)), Paragraph("Short answer", STYLE)]),
        Row([Lines(("Other medicines", STYLE)), Paragraph(answer, STYLE)]),
        Row([Lines(("Last question", STYLE)), Paragraph("After the long one", STYLE)]),
    ]
    table = Rows(rows, [150, 300], padding=(0, 8, 3, 4), rule=Rule(0.25, colors.grey))
    reader = build(table)
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 3
    joined = "\n".join(pages)
    for i in range(160):
        assert joined.count(f"medicine line {i:03d}") == 1
    # The label stays with the first part; the long answer starts on page one, right below
    # the row before it, instead of leaving that page empty.
    assert joined.count("Other medicines") == 1
    assert "medicine line 000" in pages[0] and "First question" in pages[0]
    assert joined.index("medicine line 159") < joined.index("After the long one")


def test_a_row_that_fits_on_a_fresh_page_moves_there_whole() -> None:
    """Ordinary rows are never cut in two: only a row no page can hold is broken."""
    filler = Spacer(0, LETTER[1] - 72 * 2 - 60)
    answer = "<br/>".join(f"line {i}" for i in range(10))  # ~130pt: more than the 60pt left
    table = Rows(
        [Row([Lines(("Question", STYLE)), Paragraph(answer, STYLE)])],
        [150, 300],
        padding=(0, 8, 3, 4),
    )
    reader = build(filler, table)
    assert "line 0" not in reader.pages[0].extract_text()
    assert all(f"line {i}" in reader.pages[1].extract_text() for i in range(10))


def test_a_row_no_page_can_hold_starts_right_after_the_rows_before_it() -> None:
    """No header repeated mid-page, no gap: the long row continues the table where it is."""
    long = "<br/>".join(f"line {i:03d}" for i in range(120))
    rows = [Row([Lines(("Statement", HEAD)), Lines(("Initials", HEAD))], padding=(1, 3))]
    rows += [Row([Paragraph(f"statement {i}", STYLE), Lines((f"AB{i}", STYLE))]) for i in range(2)]
    rows.append(Row([Paragraph(long, STYLE), Lines(("AB2", STYLE))]))
    table = Rows(rows, [380, 88], padding=(4, 6, 4, 5), repeat_head=True)
    reader = build(table)
    first = reader.pages[0].extract_text()
    assert first.count("Statement") == 1
    assert "AB2" in first and "line 000" in first
    later = [p.extract_text() for p in reader.pages[1:]]
    assert later and all(p.count("Statement") == 1 for p in later)  # repeated on new pages
    joined = "\n".join([first, *later])
    assert all(joined.count(f"line {i:03d}") == 1 for i in range(120))
