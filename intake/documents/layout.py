"""What every document shares: fonts and styles, page furniture (header, footer, QR code,
"page X of Y"), the document template, tables and signature blocks."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

from intake.documents.fingerprint import check_payload, record_fingerprint
from intake.documents.pdfa import Attachment, make_pdfa
from intake.documents.rows import Lines, Row, Rows, Rule, fit
from intake.documents.strings import (
    _CONTROL,
    UI,
    _ui,
    _ui_for,
    language_name,
)
from intake.domain.dates import month_name, weekday_name
from intake.domain.flags import stored_text
from intake.domain.records import ConsentRecord, SignatureRecord
from intake.forms.model import FormSet

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
PAGE_SIZES: dict[str, tuple[float, float]] = {"letter": LETTER, "a4": A4}
PRODUCER = "isotretinoin-intake documents"
RECORD_FILE = "record.fhir.json"
FHIR_MIME = "application/fhir+json"

# A calm palette: dark slate text, one blue accent, tints only where attention is needed.
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#c3ccd5")
ACCENT = colors.HexColor("#1d4e89")
PALE = colors.HexColor("#eef2f6")
ALERT_BG = colors.HexColor("#fbe4e4")
ALERT_INK = colors.HexColor("#9b1c1c")
WARN_BG = colors.HexColor("#fff3d6")
WARN_INK = colors.HexColor("#8a5a00")
OK_INK = colors.HexColor("#1e6b3a")

MARGIN_X = 54.0
FOOTER_H = 62.0  # frame bottom: room for the footer rule and its two lines
HEADER_FIRST_H = 104.0  # distance from the page top to the first page's frame
HEADER_LATER_H = 66.0
# The QR code in each footer's right corner (quiet zone included): 0.65 in, ~0.4 mm a module.
QR_SIZE = 47.0
QR_BOTTOM = 14.0  # dark modules ~20 pt (7 mm) above the edge: clear of a printer's unprinted margin
QR_GAP = 8.0
QR_QUIET = 4  # modules of white around the code, as the QR standard asks


# --- text and dates ---------------------------------------------------------------------------


def esc(value: object) -> str:
    """Any text from a person or a form, made safe for Paragraph markup; newlines kept."""
    text = _CONTROL.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return escape(text).replace("\n", "<br/>")


def format_date(value: dt.date, lang: str, weekday: bool = False) -> str:
    ui = _ui(lang)
    text = ui["date_long"].format(
        day=value.day, month=month_name(value.month, lang), year=value.year
    )
    if not weekday:
        return text
    return ui["date_weekday"].format(weekday=weekday_name(value, lang), date=text)


def _aware(moment: dt.datetime) -> dt.datetime:
    # Records hold UTC-aware times; a naive one can only have come from UTC storage.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def format_datetime(moment: dt.datetime, lang: str, tz: ZoneInfo) -> str:
    local = _aware(moment).astimezone(tz)
    return f"{format_date(local.date(), lang)}, {local:%H:%M} {local.tzname()}"


def _short_datetime(moment: dt.datetime, lang: str, tz: ZoneInfo) -> str:
    local = _aware(moment).astimezone(tz)
    month = month_name(local.month, lang)[:3]
    return f"{local.day} {month} {local.year} {local:%H:%M}"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _zone(forms: FormSet) -> ZoneInfo:
    return ZoneInfo(forms.clinic.timezone)


# --- fonts and styles ---------------------------------------------------------------------------


@functools.cache
def register_fonts() -> None:
    """Register DejaVu once per process: it covers accented Latin and Vietnamese names."""
    from reportlab import rl_config
    from reportlab.lib.fonts import addMapping

    # Plain Flate streams: ASCII85 on top makes files a quarter bigger and costs time. Set once,
    # never toggled, so that no two renderings in one process can ever differ because of it.
    rl_config.useA85 = 0

    fonts = RESOURCES / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    # No italic face is shipped: <i> falls back to the upright faces rather than to Helvetica.
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, textColor=INK)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": base,
        "title": style("title", fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=4),
        "subtitle": style("subtitle", fontSize=10, leading=14, textColor=MUTED, spaceAfter=10),
        "h2": style(
            "h2",
            fontName=FONT_BOLD,
            fontSize=12.5,
            leading=16,
            textColor=ACCENT,
            spaceBefore=12,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "h3": style("h3", fontName=FONT_BOLD, fontSize=10.5, leading=14, keepWithNext=1),
        "intro": style(
            "intro", fontSize=9.5, leading=13, textColor=MUTED, spaceAfter=4, keepWithNext=1
        ),
        "para": style("para", spaceBefore=3, spaceAfter=5),
        "bullet": style("bullet", leftIndent=16, bulletIndent=5, spaceAfter=3, bulletFontName=FONT),
        "cell": style("cell", fontSize=9.5, leading=12.5),
        # A consent statement the patient acknowledges: at least 10.5 pt.
        "statement": style("statement", fontSize=10.5, leading=14),
        "cell_bold": style("cell_bold", fontName=FONT_BOLD, fontSize=9.5, leading=12.5),
        "cell_label": style("cell_label", fontSize=8.5, leading=11.5, textColor=MUTED),
        "cell_head": style("cell_head", fontSize=8, leading=10, textColor=MUTED),
        "ack_time": style("ack_time", fontSize=7.5, leading=10, textColor=MUTED),
        "ack_missing": style(
            "ack_missing", fontName=FONT_BOLD, fontSize=8, leading=11, textColor=ALERT_INK
        ),
        "small": style("small", fontSize=8.5, leading=11.5, textColor=MUTED),
        "alert": style("alert", fontName=FONT_BOLD, fontSize=10, leading=14, textColor=ALERT_INK),
        "warn": style("warn", fontName=FONT_BOLD, fontSize=10, leading=14, textColor=WARN_INK),
        "urgent_title": style(
            "urgent_title",
            fontName=FONT_BOLD,
            fontSize=22,
            leading=27,
            textColor=ALERT_INK,
            spaceAfter=12,
        ),
        "urgent_para": style("urgent_para", fontSize=12.5, leading=18, spaceAfter=9),
        "urgent_bullet": style(
            "urgent_bullet",
            fontSize=12.5,
            leading=18,
            leftIndent=20,
            bulletIndent=6,
            spaceAfter=6,
            bulletFontName=FONT_BOLD,
            bulletFontSize=12.5,
        ),
    }


class Para(Paragraph):
    """A Paragraph that remembers its last wrap: tables and keep-together groups wrap the same
    cell two or three times at one width, and line breaking is most of a document's cost.

    Text with no markup at all (most of the forms' text) skips reportlab's HTML parser: its
    one fragment is what the parser would have made, copied from a parse of a stand-in.
    """

    _wrapped_at: float | None = None

    def __init__(
        self,
        text: str | None,
        style: ParagraphStyle,
        bulletText: str | None = None,  # noqa: N803 - reportlab's name
        frags: list[Any] | None = None,
        **kwargs: Any,
    ):
        # reportlab makes the two halves of a split paragraph with text=None and their frags.
        plain = text is not None and "<" not in text and "&" not in text
        if frags is None and plain and not getattr(style, "textTransform", None):
            text = cleanBlockQuotedText(text)
            frags = [_plain_fragment(style).clone(text=text)]
        super().__init__(text, style, bulletText, frags=frags, **kwargs)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # reportlab drops the line breaks (blPara) in some split paths: then wrap again.
        if self._wrapped_at == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth
        return size


# Keyed by the style object: the styles come from the cached _styles() and never change.
_PLAIN_FRAGMENTS: dict[ParagraphStyle, Any] = {}


def _plain_fragment(style: ParagraphStyle) -> Any:
    """The fragment reportlab's parser makes for markup-free text in ``style``."""
    fragment = _PLAIN_FRAGMENTS.get(style)
    if fragment is None:
        parsed_style, frags, _ = ParaParser().parse("x", style)
        if parsed_style is not style or frags is None or len(frags) != 1:
            raise RuntimeError(f"reportlab parsed plain text in {style.name} unexpectedly")
        fragment = _PLAIN_FRAGMENTS[style] = frags[0]
    return fragment


def _p(text: str, style: str = "body") -> Paragraph:
    """A paragraph from markup that is already escaped."""
    return Para(text, _styles()[style])


# --- page furniture -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Furniture:
    """What the header and footer of every page show."""

    lang: str
    title: str
    clinic_name: str
    clinic_lines: tuple[str, ...]
    document_id: str
    issue: int
    fingerprint: str
    versions: str
    logo: Path | None
    created_at: dt.datetime


def _logo_path(forms: FormSet) -> Path | None:
    """The clinic logo, if the file named in the clinic form exists inside resources/."""
    return _logo_file(forms.clinic.logo) if forms.clinic.logo else None


@functools.lru_cache(maxsize=8)
def _logo_file(name: str) -> Path | None:
    # Looked up once per process: the resources folder does not change while the app runs.
    root = RESOURCES.resolve()
    # The name may be given from the project root ("resources/logo.png") or from resources/.
    for path in ((root.parent / name).resolve(), (root / name).resolve()):
        # Only files inside resources/: the name comes from an editable form file.
        if root in path.parents and path.is_file():
            return path
    return None


def _furniture(
    record: ConsentRecord, forms: FormSet, title: str, form_ids: Sequence[str], issue: int
) -> _Furniture:
    c = forms.clinic
    versions = []
    own = {m.id: m.version for m in forms.metas}
    for form_id in form_ids:
        version = record.form_versions.get(form_id, (own.get(form_id, "?"), ""))[0]
        versions.append(f"{form_id} {version}")
    if "risks" in form_ids and record.ruleset_id:
        versions.append(f"{_ui(record.lang)['rules']} {record.ruleset_id}")
    contact = " · ".join(x for x in (c.address, c.phone, c.email) if x)
    lines = tuple(x for x in (c.department_in(record.lang), contact, c.hours.get(record.lang)) if x)
    return _Furniture(
        lang=record.lang,
        title=title,
        clinic_name=c.name,
        clinic_lines=lines,
        document_id=record.document_id,
        issue=issue,
        fingerprint=record_fingerprint(record),
        versions=" · ".join(versions),
        logo=_logo_path(forms),
        created_at=record.created_at,
    )


def _draw_first(canv: Canvas, doc: _DocTemplate) -> None:
    f = doc.furniture
    width, height = doc.pagesize
    canv.saveState()
    top = height - 40
    x = MARGIN_X
    if f.logo is not None:
        try:
            canv.drawImage(
                str(f.logo), x, top - 44, width=44, height=44, preserveAspectRatio=True, mask="auto"
            )
            x += 56
        except Exception:  # a broken logo file must never stop a consent from printing
            pass
    canv.setFillColor(INK)
    canv.setFont(FONT_BOLD, 14)
    canv.drawString(x, top - 10, f.clinic_name)
    canv.setFont(FONT, 8.5)
    canv.setFillColor(MUTED)
    y = top - 24
    for line in f.clinic_lines:
        canv.drawString(x, y, fit(line, FONT, 8.5, width - MARGIN_X - x))
        y -= 11
    canv.setStrokeColor(ACCENT)
    canv.setLineWidth(1.2)
    canv.line(
        MARGIN_X, height - HEADER_FIRST_H + 14, width - MARGIN_X, height - HEADER_FIRST_H + 14
    )
    canv.restoreState()
    _draw_footer(canv, doc)


def _draw_later(canv: Canvas, doc: _DocTemplate) -> None:
    f = doc.furniture
    width, height = doc.pagesize
    canv.saveState()
    y = height - 40
    canv.setFont(FONT_BOLD, 9)
    canv.setFillColor(INK)
    canv.drawString(MARGIN_X, y, f.clinic_name)
    canv.setFont(FONT, 9)
    canv.setFillColor(MUTED)
    room = width - 2 * MARGIN_X - pdfmetrics.stringWidth(f.clinic_name, FONT_BOLD, 9) - 24
    canv.drawRightString(width - MARGIN_X, y, fit(f.title, FONT, 9, room))
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.6)
    canv.line(MARGIN_X, y - 8, width - MARGIN_X, y - 8)
    canv.restoreState()
    _draw_footer(canv, doc)


# No footer text is smaller than this (points).
FOOTER_MIN_PT = 8.0


def _draw_footer(canv: Canvas, doc: _DocTemplate) -> None:
    # "page X of Y" is drawn later by _NumberedCanvas, once Y is known.
    f = doc.furniture
    ui = _ui(f.lang)
    width, _ = doc.pagesize
    canv.saveState()
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.6)
    canv.line(MARGIN_X, 46, width - MARGIN_X - QR_SIZE - QR_GAP, 46)
    canv.setFillColor(MUTED)
    canv.setFont(FONT, 8)
    canv.drawString(
        MARGIN_X,
        34,
        f"{ui['document']} {f.document_id} · {ui['issue']} {f.issue}"
        f" · {ui['fingerprint']} {f.fingerprint}",
    )
    canv.setFont(FONT, FOOTER_MIN_PT)
    room = width - 2 * MARGIN_X - QR_SIZE - QR_GAP
    canv.drawString(MARGIN_X, 23, fit(f"{ui['forms']}: {f.versions}", FONT, FOOTER_MIN_PT, room))
    canv.restoreState()
    payload = check_payload(f.document_id, f.issue, f.fingerprint)
    # Every page carries the same code: it is encoded and drawn once per document, as a form
    # XObject each page shows (choosing its mask and writing its ~200 rectangles cost more than
    # the rest of a page's furniture).
    form = f"qr-{payload}"
    if not canv.hasForm(form):
        canv.beginForm(form)
        _draw_qr(canv, qr_modules(payload), width - MARGIN_X)
        canv.endForm()
    canv.doForm(form)


def qr_modules(payload: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR code of ``payload`` (error correction M, the mask chosen by the standard's
    penalty rules): its size in modules and its dark runs (row, first column, length), one per
    run of dark modules in a row.

    Encoded by zxing-cpp: reportlab's pure-Python encoder spent ~30 ms choosing the mask, half of
    a three-page summary's layout; this takes ~1 ms."""
    import zxingcpp

    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    # The image has the buffer protocol; the package's stubs do not say so.
    image = memoryview(cast("Any", code.to_image(scale=1, add_quiet_zones=False)))
    count = image.shape[0] if image.shape else 0
    pixels = image.tobytes()  # one byte a module, row by row: 0 dark, 255 light
    runs = []
    for row in range(count):
        line = pixels[row * count : (row + 1) * count]
        col = 0
        while col < count:
            if line[col]:
                col += 1
                continue
            start = col
            while col < count and not line[col]:
                col += 1
            runs.append((row, start, col - start))
    return count, tuple(runs)


def _draw_qr(
    canv: Canvas, modules: tuple[int, tuple[tuple[int, int, int], ...]], right: float
) -> None:
    """A QR code (``qr_modules``) in the footer's right corner, its quiet zone included."""
    # Drawn module by module on the page's canvas (reportlab's widget renderer would name
    # Helvetica, a font that is not embedded, which PDF/A forbids).
    count, runs = modules
    unit = QR_SIZE / (count + 2 * QR_QUIET)
    left = right - QR_SIZE + QR_QUIET * unit
    top = QR_BOTTOM + QR_SIZE - QR_QUIET * unit
    canv.saveState()
    canv.setFillColor(colors.black)
    path = canv.beginPath()
    for row, start, length in runs:
        # One rectangle per run of dark modules in a row.
        path.rect(left + start * unit, top - (row + 1) * unit, length * unit, unit)
    canv.drawPath(path, stroke=0, fill=1)
    canv.restoreState()


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so each footer can say "page X of Y" in one pass."""

    page_label = UI["en"]["page"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            width = self._pagesize[0]
            self.drawRightString(
                width - MARGIN_X - QR_SIZE - QR_GAP,
                34,
                self.page_label.format(page=number, pages=total),
            )
            self.restoreState()
            super().showPage()
        super().save()


def _canvas_maker(lang: str) -> type[_NumberedCanvas]:
    return type("NumberedCanvas", (_NumberedCanvas,), {"page_label": _ui(lang)["page"]})


def _timestamp(moment: dt.datetime) -> TimeStamp:
    """reportlab's document time stamp, set to the record's own time (in UTC)."""
    stamp = TimeStamp(invariant=True)
    seconds = _aware(moment).timestamp()
    stamp.t = seconds
    stamp.lt = time.gmtime(seconds)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0
    stamp.tzname = "UTC"
    return stamp


class _DocTemplate(BaseDocTemplate):
    """First page with the full clinic header, later pages with a one-line header."""

    def __init__(self, out: io.BytesIO, furniture: _Furniture, page_size: str, subject: str):
        if page_size not in PAGE_SIZES:
            raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
        self.furniture = furniture
        size = PAGE_SIZES[page_size]
        super().__init__(
            out,
            pagesize=size,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=HEADER_LATER_H,
            bottomMargin=FOOTER_H,
            title=furniture.title,
            author=furniture.clinic_name,
            subject=subject,
            creator=PRODUCER,
            producer=PRODUCER,
            keywords=[],
            invariant=1,
            pageCompression=1,
            lang=furniture.lang,
            initialFontName=FONT,
        )
        width, height = size
        frame_w = width - 2 * MARGIN_X

        def frame(fid: str, header: float) -> Frame:
            return Frame(
                MARGIN_X,
                FOOTER_H,
                frame_w,
                height - header - FOOTER_H,
                id=fid,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )

        self.addPageTemplates(
            [
                PageTemplate("first", [frame("first", HEADER_FIRST_H)], onPage=_draw_first),
                PageTemplate("later", [frame("later", HEADER_LATER_H)], onPage=_draw_later),
            ]
        )
        self.later_frame_height = height - HEADER_LATER_H - FOOTER_H

    def beforeDocument(self) -> None:  # noqa: N802 - reportlab's name
        self.canv._doc._timeStamp = _timestamp(self.furniture.created_at)


def _build(
    record: ConsentRecord,
    forms: FormSet,
    page_size: str,
    kind: str,
    form_ids: Sequence[str],
    story_fn: Callable[[_DocTemplate], list[Flowable]],
    attachments: Sequence[Attachment] = (),
    issue: int = 1,
) -> bytes:
    register_fonts()
    ui = _ui(record.lang)
    furniture = _furniture(record, forms, ui[f"{kind}_meta_title"], form_ids, issue)
    out = io.BytesIO()
    # Subject names the document, never the patient: metadata is shown by file browsers.
    doc = _DocTemplate(out, furniture, page_size, f"{ui['document']} {record.document_id}")
    story: list[Flowable] = [NextPageTemplate("later")]
    story += story_fn(doc)
    doc.build(story, canvasmaker=_canvas_maker(record.lang))
    return make_pdfa(out.getvalue(), record.lang, attachments)


# --- shared pieces ------------------------------------------------------------------------------


def _table(data: Any, **kw: Any) -> Table:
    """A Table whose plain-string cells use DejaVu too (reportlab's default is Helvetica)."""
    table = Table(data, **kw)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT)]))
    return table


def _grid(
    rows: Sequence[tuple[str, str]], width: float, columns: int = 2, label: float | None = None
) -> Rows:
    """Label/value pairs laid out ``columns`` pairs to a row; values are escaped markup.

    ``label`` is the share of each pair's width given to the label.
    """
    share = label if label is not None else (0.4 if columns == 2 else 0.36)
    label_w = share * width / columns
    value_w = width / columns - label_w
    lines: list[Row] = []
    cells: list[Flowable | None] = []
    for text, value in rows:
        cells += [_cell(esc(text), "cell_label", label_w - 6), _cell(value, "cell", value_w - 6)]
        if len(cells) == 2 * columns:
            lines.append(Row(cells))
            cells = []
    if cells:
        lines.append(Row(cells + [None] * (2 * columns - len(cells))))
    return Rows(lines, [label_w, value_w] * columns, padding=(0, 6, 3, 3), rule=Rule(0.25, RULE))


def _identity_rows(record: ConsentRecord, ui: dict[str, str]) -> list[tuple[str, str]]:
    p = record.patient
    name = esc(p.full_name)
    if p.preferred_name and p.preferred_name != p.first_name:
        name += f" ({esc(p.preferred_name)})"
    return [
        (ui["patient"], f"<b>{name}</b>"),
        (ui["dob"], esc(format_date(p.date_of_birth, record.lang))),
        (ui["record_number"], esc(p.record_number)),
        (ui["visit_date"], esc(format_date(record.visit_date, record.lang))),
    ]


def _language_name(record: ConsentRecord) -> str:
    return language_name(record.lang, record.lang)


def body_blocks(text: str) -> list[tuple[str, str]]:
    """Split form body text into ("para" | "bullet", text) blocks.

    A blank line ends a paragraph, a line starting with "- " is a bullet, and an indented
    line right after a bullet continues it.
    """
    blocks: list[tuple[str, str]] = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip()):
        kind, lines = "", list[str]()
        for raw in chunk.splitlines():
            line = raw.strip()
            if not line:
                continue
            if line.startswith("- ") or line == "-":
                if lines:
                    blocks.append((kind, " ".join(lines)))
                kind, lines = "bullet", [line[2:].strip()]
            elif kind == "bullet" and raw[:1] in (" ", "\t"):
                lines.append(line)
            elif kind == "bullet":
                blocks.append((kind, " ".join(lines)))
                kind, lines = "para", [line]
            else:
                kind = "para"
                lines.append(line)
        if lines:
            blocks.append((kind, " ".join(lines)))
    return blocks


def _body_flowables(text: str, forms: FormSet, urgent: bool = False) -> list[Flowable]:
    """Form body text as paragraphs and bullets, with the clinic's name and phone filled in."""
    # A phone number split over two lines is easy to misdial: keep it on one.
    phone = forms.clinic.phone.replace(" ", "\u00a0")
    text = text.replace("{clinic_name}", forms.clinic.name).replace("{clinic_phone}", phone)
    styles = _styles()
    para = styles["urgent_para" if urgent else "para"]
    bullet = styles["urgent_bullet" if urgent else "bullet"]
    out: list[Flowable] = []
    for kind, body in body_blocks(text):
        if kind == "bullet":
            out.append(Para(esc(body), bullet, bulletText="•"))
        else:
            out.append(Para(esc(body), para))
    return out


# --- signatures ---------------------------------------------------------------------------------


class _FixedBox(Flowable):
    """A flowable of a fixed size, whatever room the frame offers."""

    def __init__(self, width: float, height: float):
        super().__init__()
        self.width = width
        self.height = height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height


class SignatureDrawing(_FixedBox):
    """A drawn signature as vector strokes, fitted into a box; never a bitmap."""

    def __init__(self, signature: SignatureRecord, width: float, height: float):
        super().__init__(width, height)
        self.signature = signature

    def draw(self) -> None:
        c = self.canv
        sig = self.signature
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.line(0, 8, self.width, 8)
        points = [pt for stroke in sig.strokes for pt in stroke]
        if not points:
            return
        pad_w, pad_h = sig.pad_width, sig.pad_height
        if pad_w <= 0 or pad_h <= 0:  # no pad size recorded: fit the strokes themselves
            pad_w = max(x for x, _ in points) or 1.0
            pad_h = max(y for _, y in points) or 1.0
        inset = 4.0
        scale = min((self.width - 2 * inset) / pad_w, (self.height - 2 * inset) / pad_h)
        ox = inset + (self.width - 2 * inset - pad_w * scale) / 2
        oy = inset + (self.height - 2 * inset - pad_h * scale) / 2

        def at(x: float, y: float) -> tuple[float, float]:
            # The pad's y runs downwards, PDF's upwards.
            return ox + x * scale, oy + (pad_h - y) * scale

        c.saveState()
        clip = c.beginPath()
        clip.rect(0, 0, self.width, self.height)
        c.clipPath(clip, stroke=0, fill=0)
        path = c.beginPath()
        for stroke in sig.strokes:
            if not stroke:
                continue
            path.moveTo(*at(*stroke[0]))
            if len(stroke) == 1:  # a dot: a zero-length line shows as a round blob
                x, y = at(*stroke[0])
                path.lineTo(x + 0.01, y)
            for x, y in stroke[1:]:
                path.lineTo(*at(x, y))
        c.setStrokeColor(INK)
        c.setLineWidth(1.3)
        c.setLineCap(1)
        c.setLineJoin(1)
        c.drawPath(path, stroke=1, fill=0)
        c.restoreState()


class SignatureDue(_FixedBox):
    """A blank, clearly marked box where a signature is still missing."""

    def __init__(self, label: str, width: float, height: float):
        super().__init__(width, height)
        self.label = label

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setFillColor(WARN_BG)
        c.setStrokeColor(WARN_INK)
        c.setLineWidth(1)
        c.setDash(4, 3)
        c.roundRect(0, 0, self.width, self.height, 4, stroke=1, fill=1)
        c.restoreState()
        style = ParagraphStyle(
            "due",
            fontName=FONT_BOLD,
            fontSize=9.5,
            leading=12.5,
            textColor=WARN_INK,
            alignment=TA_CENTER,
        )
        para = Paragraph(esc(self.label), style)
        _, h = para.wrap(self.width - 16, self.height)
        para.drawOn(c, 8, (self.height - h) / 2)


def _meaning(sig: SignatureRecord | None, role: str, ui: dict[str, str], lang: str) -> str:
    from intake.domain.records import (
        CHECKIN_GUARDIAN_MEANING,
        CHECKIN_MEANING,
        SIGNATURE_MEANINGS,
    )

    meanings = {
        **SIGNATURE_MEANINGS,
        "checkin": CHECKIN_MEANING,
        "checkin_guardian": CHECKIN_GUARDIAN_MEANING,
    }
    if sig is None or not sig.meaning or sig.meaning == meanings.get(role):
        return ui.get(f"meaning_{role}", role)
    return sig.meaning if lang == "en" else ui.get(f"meaning_{role}", sig.meaning)


def _signature_block(record: ConsentRecord, role: str, forms: FormSet, width: float) -> Flowable:
    ui = _ui_for(record)
    sig = record.signature(role)
    # A check-in's signatures are a monthly attestation (the patient's, and a minor's
    # guardian's), worded as one; at a check-in carrying a re-consent they are a consent.
    attests = record.visit_kind == "checkin" and record.reconsent is None
    said = (
        {"patient": "checkin", "guardian": "checkin_guardian"}.get(role, role) if attests else role
    )
    box_w, box_h = 0.42 * width, 78.0
    drawn: Flowable
    if sig is None:
        drawn = SignatureDue(ui[f"due_{role}"], box_w, box_h)
        details = [
            (ui["printed_name"], "&nbsp;"),
            (ui["signed_at"], "&nbsp;"),
            (ui["meaning"], esc(_meaning(None, said, ui, record.lang))),
        ]
    else:
        drawn = SignatureDrawing(sig, box_w, box_h)
        details = [
            (ui["printed_name"], f"<b>{esc(sig.printed_name)}</b>"),
            (ui["signed_at"], esc(format_datetime(sig.signed_at, record.lang, _zone(forms)))),
            (ui["meaning"], esc(_meaning(sig, said, ui, record.lang))),
        ]
        if role == "guardian" and sig.relationship:
            details.append((ui["relationship"], esc(sig.relationship)))
        if sig.method == "typed":
            details.append((ui["method"], esc(ui["method_typed"])))
        # A countersignature keeps the serious flags ticked as reviewed and, under a rule set
        # that asks for them, the prescriber's attestations ("attestation:<id>").
        ticked = [r for r in sig.reviewed if not r[0].startswith("attestation:")]
        attested = [r for r in sig.reviewed if r[0].startswith("attestation:")]
        for label, items in ((ui["attested"], attested), (ui["reviewed"], ticked)):
            if items:
                details.append(
                    (
                        label,
                        "<br/>".join(
                            "✓ " + esc(stored_text(text, text_es, record.lang))
                            for _, text, text_es in items
                        ),
                    )
                )
    right_w = width - box_w - 14
    detail_rows = [
        [
            _cell(esc(label), "cell_label", 0.36 * right_w - 4),
            _cell(value, "cell", 0.64 * right_w - 4),
        ]
        for label, value in details
    ]
    detail_table = _table(detail_rows, colWidths=[0.36 * right_w, 0.64 * right_w])
    detail_table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)
                if sig is not None
                else ("LINEBELOW", (1, 0), (1, 1), 0.6, MUTED),
            ]
        )
    )
    outer = _table([[drawn, detail_table]], colWidths=[box_w + 14, right_w])
    outer.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return KeepTogether(
        [
            _p(esc(ui[role]), "h3"),
            _p(esc(ui[f"declaration_{said}"]), "small"),
            Spacer(0, 4),
            outer,
            Spacer(0, 12),
        ]
    )


_PLAIN = re.compile(r"[<&\n]")


def _cell(markup: str, style: str, width: float) -> Flowable:
    """A table cell: direct lines when the text is plain and fits, else a wrapping Paragraph."""
    st = _styles()[style]
    if _PLAIN.search(markup) is None and (
        pdfmetrics.stringWidth(markup, st.fontName, st.fontSize) <= width
    ):
        return Lines((markup, st))
    return Para(markup, st)
