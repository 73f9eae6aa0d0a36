"""Ruled rows of text: the tables the documents are made of, drawn straight onto the canvas.

reportlab's ``Table`` handles spans, nesting and a style language; the documents need none of
that for their label/value grids, statement lists and answer tables, yet paid for it on every
cell (a state save, a translation and a text object per cell). ``Rows`` lays out cells the way
those tables did (fixed column widths, padding, top alignment, a rule below each row, row
backgrounds) and draws every one-line cell of a table through one text object. It splits
between rows, repeating a header row on the next page; a row taller than a whole page (a long
free-text answer) is split between its lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

__all__ = ["Lines", "Row", "Rows", "Rule", "fit"]

UNLIMITED = 1e6  # the height offered to a cell: cells never split, rows do


def fit(text: str, font: str, size: float, room: float) -> str:
    """Shorten a line with an ellipsis rather than let it run past ``room`` points."""
    if pdfmetrics.stringWidth(text, font, size) <= room:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > room:
        text = text[:-1]
    return text + "…"


class Lines(Flowable):
    """Text lines that never wrap, drawn directly: far cheaper than a Paragraph, and placed
    exactly as a one-line Paragraph of the same style would be. Inside ``Rows`` all of a
    table's lines share one text object."""

    def __init__(self, *lines: tuple[str, ParagraphStyle], align: str = "left"):
        super().__init__()
        self.lines = lines
        self.align = align

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = sum(style.leading for _, style in self.lines)
        return self.width, self.height

    def placed(self, x: float, top: float) -> list[tuple[float, float, str, ParagraphStyle]]:
        """Each line's baseline origin, text and style, for a box whose top left is (x, top)."""
        out = []
        for text, style in self.lines:
            shown = fit(text, style.fontName, style.fontSize, self.width)
            left = x
            if self.align == "right":
                left += self.width - pdfmetrics.stringWidth(shown, style.fontName, style.fontSize)
            out.append((left, top - style.fontSize, shown, style))
            top -= style.leading
        return out

    def draw(self) -> None:
        text = self.canv.beginText()
        _write(text, self.placed(0, self.height))
        self.canv.drawText(text)


def _write(text: Any, placed: Sequence[tuple[float, float, str, ParagraphStyle]]) -> None:
    """Add placed lines to a text object, changing font and colour only when they change."""
    font: tuple[str, float] | None = None
    color: Any = None
    for x, y, shown, style in placed:
        if font != (style.fontName, style.fontSize):
            font = (style.fontName, style.fontSize)
            text.setFont(*font)
        if color != style.textColor:
            color = style.textColor
            text.setFillColor(color)
        text.setTextOrigin(x, y)
        text.textOut(shown)


@dataclass(frozen=True)
class Rule:
    width: float
    color: Color


@dataclass
class Row:
    """One row: a cell (or None) per column, an optional tint, an optional bar on its left edge
    and, for a header row, its own padding (top, bottom)."""

    cells: Sequence[Flowable | None]
    background: Color | None = None
    bar: Rule | None = None
    padding: tuple[float, float] | None = None


@dataclass
class _Layout:
    left: float = 0
    right: float = 0
    top: float = 0
    bottom: float = 0
    rule: Rule | None = None  # below every row
    column_rule: Rule | None = None  # before every column but the first
    box: Rule | None = None  # around the whole table
    repeat_head: bool = False  # the first row is a header, repeated after a page break
    widths: tuple[float, ...] = field(default_factory=tuple)


class Rows(Flowable):
    """A table of ``Row``s with fixed column widths; cells are aligned to the top."""

    def __init__(
        self,
        rows: Sequence[Row],
        widths: Sequence[float],
        *,
        padding: tuple[float, float, float, float] = (0, 0, 0, 0),
        rule: Rule | None = None,
        column_rule: Rule | None = None,
        box: Rule | None = None,
        repeat_head: bool = False,
    ):
        super().__init__()
        left, right, top, bottom = padding
        self._layout = _Layout(
            left, right, top, bottom, rule, column_rule, box, repeat_head, tuple(widths)
        )
        self.rows = list(rows)
        self.width = sum(widths)
        self._heights: list[float] | None = None

    def _clone(self, rows: Sequence[Row]) -> Rows:
        twin = Rows.__new__(Rows)
        Flowable.__init__(twin)
        twin._layout, twin.rows, twin.width, twin._heights = (
            self._layout,
            list(rows),
            self.width,
            None,
        )
        return twin

    def _pads(self, row: Row) -> tuple[float, float]:
        return row.padding if row.padding is not None else (self._layout.top, self._layout.bottom)

    def _measure(self) -> list[float]:
        if self._heights is None:
            lay = self._layout
            heights = []
            for row in self.rows:
                top, bottom = self._pads(row)
                tallest = 0.0
                for cell, width in zip(row.cells, lay.widths, strict=True):
                    if cell is not None:
                        _, h = cell.wrapOn(self.canv, width - lay.left - lay.right, UNLIMITED)
                        tallest = max(tallest, h)
                heights.append(tallest + top + bottom)
            self._heights = heights
        return self._heights

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.height = sum(self._measure())
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        heights = self._measure()
        head = 1 if self._layout.repeat_head else 0
        used, fits = 0.0, 0
        for h in heights:
            if used + h > avail_height:
                break
            used += h
            fits += 1
        if fits == len(self.rows):
            return [self]
        if fits < head:
            return []
        # A row that a whole frame could hold moves to the next one whole. A row that no frame
        # can hold (a long free-text answer) is broken between its lines, starting right here
        # (after the rows that fit, or at the top of a frame).
        frame = getattr(self, "_frame", None)
        at_top = bool(getattr(frame, "_atTop", False))
        head_height = sum(heights[:head])
        never_fits = head_height + heights[fits] > getattr(frame, "_aH", float("inf"))
        if never_fits or (at_top and fits == head):
            halves = self._split_row(self.rows[fits], avail_height - used)
            if halves is not None:
                first, rest = halves
                return [
                    self._clone(self.rows[:fits] + [first]),
                    self._clone(self.rows[:head] + [rest] + self.rows[fits + 1 :]),
                ]
            # reportlab may have dropped a cell's line breaks while trying: measure afresh.
            self._heights = None
        if fits > head:
            return [self._clone(self.rows[:fits]), self._clone(self.rows[:head] + self.rows[fits:])]
        return []

    def _split_row(self, row: Row, room: float) -> tuple[Row, Row] | None:
        """The row cut to fit ``room``: each cell taller than that split, the rest kept whole
        in the first part; None if a cell that needs it cannot be split."""
        lay = self._layout
        pad_top, pad_bottom = self._pads(row)
        inner = room - pad_top - pad_bottom
        firsts: list[Flowable | None] = []
        rests: list[Flowable | None] = []
        for cell, width in zip(row.cells, lay.widths, strict=True):
            if cell is None:
                firsts.append(None)
                rests.append(None)
                continue
            cell_width = width - lay.left - lay.right
            _, h = cell.wrapOn(self.canv, cell_width, UNLIMITED)
            if h <= inner:
                firsts.append(cell)
                rests.append(None)
                continue
            parts = cell.splitOn(self.canv, cell_width, inner)
            if len(parts) != 2:
                return None
            firsts.append(parts[0])
            rests.append(parts[1])
        return (
            Row(firsts, row.background, row.bar, row.padding),
            Row(rests, row.background, row.bar, row.padding),
        )

    def draw(self) -> None:
        canv, lay = self.canv, self._layout
        heights = self._measure()
        canv.saveState()
        tops = [self.height]
        for h in heights:
            tops.append(tops[-1] - h)
        for row, top, bottom in zip(self.rows, tops, tops[1:], strict=False):
            if row.background is not None:
                canv.setFillColor(row.background)
                canv.rect(0, bottom, self.width, top - bottom, stroke=0, fill=1)
        placed: list[tuple[float, float, str, ParagraphStyle]] = []
        for row, top in zip(self.rows, tops, strict=False):
            pad_top, _ = self._pads(row)
            x = 0.0
            for cell, width in zip(row.cells, lay.widths, strict=True):
                if isinstance(cell, Lines):
                    placed += cell.placed(x + lay.left, top - pad_top)
                elif cell is not None:
                    cell.drawOn(canv, x + lay.left, top - pad_top - cell.height)
                x += width
        if placed:
            text = canv.beginText()
            _write(text, placed)
            canv.drawText(text)
        self._draw_rules(tops)
        canv.restoreState()

    def _draw_rules(self, tops: list[float]) -> None:
        canv, lay = self.canv, self._layout
        if lay.rule is not None:
            canv.setStrokeColor(lay.rule.color)
            canv.setLineWidth(lay.rule.width)
            canv.lines([(0, y, self.width, y) for y in tops[1:]])
        if lay.column_rule is not None:
            canv.setStrokeColor(lay.column_rule.color)
            canv.setLineWidth(lay.column_rule.width)
            x, edges = 0.0, []
            for width in lay.widths[:-1]:
                x += width
                edges.append((x, tops[-1], x, tops[0]))
            canv.lines(edges)
        for row, top, bottom in zip(self.rows, tops, tops[1:], strict=False):
            if row.bar is not None:
                canv.setStrokeColor(row.bar.color)
                canv.setLineWidth(row.bar.width)
                canv.line(0, bottom, 0, top)
        if lay.box is not None:
            canv.setStrokeColor(lay.box.color)
            canv.setLineWidth(lay.box.width)
            canv.rect(0, tops[-1], self.width, tops[0] - tops[-1], stroke=1, fill=0)
