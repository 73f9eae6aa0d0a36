"""A printable checklist for one monthly follow-up visit (one page, for the consulting room)."""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from intake.forms.model import FormSet

_ITEMS = {
    "en": [
        "Weight measured (kg)",
        "Daily dose reviewed (mg); cumulative dose in mg/kg noted",
        "Side effects asked: dryness, nosebleeds, joint or muscle pain, headache, vision, stomach pain, rash",
        "Mood re-screen (PHQ-9) done; item 9 reviewed",
        "Sexual function asked about",
        "Liver tests (ALT, AST) and lipids (cholesterol, triglycerides) ordered or reviewed",
        "Reminded: no vitamin A, no tetracyclines, limit alcohol, no blood donation, no waxing or laser",
        "Prescription for at most 30 days",
    ],
    "pregnancy": [
        "Pregnancy test done; date and result recorded (negative)",
        "Two contraception methods confirmed (or committed abstinence)",
        "Prescription to be collected within {days} days of the negative test: by {collect_by}",
    ],
    # A patient who cannot get pregnant, under programme rules that still ask for these.
    "counselling": ["Programme counselling documented for this month"],
    "collect": ["Prescription to be collected by {collect_by}"],
}


def render_checklist(
    forms: FormSet,
    who: tuple[str, str, dt.date, str],
    month: int,
    can_become_pregnant: bool,
    mg_per_kg: float,
    collect_by: dt.date | None,
    today: dt.date,
    *,
    collect_days: int = 7,
    monthly_counselling: bool = False,
) -> bytes:
    """``collect_days``: the programme's days from a negative test to pick up the prescription;
    ``monthly_counselling``: for a patient who cannot get pregnant, whether the rules in force
    ask for this month's counselling to be documented (and ``collect_by``, their pick-up date,
    where the rules set one)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from intake.documents.layout import FONT, FONT_BOLD, register_fonts

    register_fonts()
    record_number, name, dob, _lang = who
    clinic = forms.clinic
    body = ParagraphStyle("b", fontName=FONT, fontSize=10.5, leading=14)
    head = ParagraphStyle("h", fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=4)
    small = ParagraphStyle(
        "s", fontName=FONT, fontSize=9, leading=12, textColor=colors.HexColor("#555555")
    )
    low, high = clinic.target_mg_per_kg
    story = [
        Paragraph(escape(f"{clinic.name} · {clinic.department}"), small),
        Paragraph(escape(f"Isotretinoin follow-up checklist — month {month}"), head),
        Paragraph(
            escape(
                f"{name} · {record_number} · born {dob.isoformat()} · printed {today.isoformat()}"
            ),
            body,
        ),
        Paragraph(
            escape(
                f"Cumulative dose so far: {mg_per_kg:.1f} mg/kg (clinic target {low:.0f}–{high:.0f} mg/kg)"
            ),
            body,
        ),
        Spacer(1, 6 * mm),
    ]
    items = list(_ITEMS["en"])
    if can_become_pregnant:
        window = collect_by.isoformat() if collect_by else "____________"
        items += [i.format(collect_by=window, days=collect_days) for i in _ITEMS["pregnancy"]]
    else:
        if monthly_counselling:
            items += _ITEMS["counselling"]
        if collect_by is not None:
            items += [i.format(collect_by=collect_by.isoformat()) for i in _ITEMS["collect"]]
    rows = [["☐", Paragraph(escape(item), body), ""] for item in items]
    table = Table(
        [["", Paragraph("<b>Check</b>", body), Paragraph("<b>Notes</b>", body)], *rows],
        colWidths=[10 * mm, 110 * mm, 55 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 13),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c4cc")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 12 * mm),
        Paragraph("Dermatologist: ______________________________   Date: ______________", body),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=letter,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title="Isotretinoin monthly checklist",
        author=clinic.name,
        invariant=1,
    )
    doc.build(story)
    return out.getvalue()
