"""The personalised education packet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    KeepTogether,
    PageBreak,
    Spacer,
    TableStyle,
)

from intake.documents.layout import (
    ALERT_INK,
    PALE,
    RULE,
    _body_flowables,
    _cell,
    _DocTemplate,
    _grid,
    _language_name,
    _p,
    _table,
    esc,
    format_date,
)
from intake.documents.rows import Row, Rows, Rule
from intake.documents.strings import (
    _ui,
)
from intake.domain import rules
from intake.domain.records import ConsentRecord
from intake.forms.model import Bullet, FormSet, Section

# --- education ----------------------------------------------------------------------------------


def _facts(record: ConsentRecord) -> dict[str, Any]:
    """What conditions in the forms may name, as the record settled it."""
    facts: dict[str, Any] = dict(record.answers)
    facts["can_become_pregnant"] = record.can_become_pregnant
    facts["is_minor"] = record.is_minor
    facts["age"] = rules.age_on(record.patient.date_of_birth, record.visit_date)
    return facts


def _education_story(record: ConsentRecord, forms: FormSet, doc: _DocTemplate) -> list[Flowable]:
    ui = _ui(record.lang)
    lang = record.lang
    c = forms.clinic
    width = doc.width
    story: list[Flowable] = [
        _p(esc(ui["education_title"]), "title"),
        _p(
            esc(
                ui["prepared_for"].format(
                    name=record.patient.full_name, date=format_date(record.visit_date, lang)
                )
            ),
            "subtitle",
        ),
    ]
    details = [
        (ui["patient"], f"<b>{esc(record.patient.full_name)}</b>"),
        (ui["record_number"], esc(record.patient.record_number)),
        (ui["language"], esc(_language_name(record))),
        (ui["dermatologist"], esc(record.dermatologist or ui["dermatologist_pending"])),
    ]
    clinic_rows = [
        (
            ui["name"],
            f"<b>{esc(c.name)}</b>"
            + (f"<br/>{esc(c.department_in(record.lang))}" if c.department else ""),
        ),
        (ui["phone"], f"<b>{esc(c.phone)}</b>"),
        (ui["address"], esc(c.address)),
        (ui["hours"], esc(c.hours.get(lang))),
    ]
    if c.email:
        clinic_rows.insert(2, (ui["email"], esc(c.email)))
    # The clinic side holds the long lines (address, e-mail): give it the larger share.
    left_w, right_w = 0.42 * (width - 32), 0.58 * (width - 32)
    left = [_p(esc(ui["your_details"]), "h3"), _grid(details, left_w, columns=1, label=0.4)]
    right = [_p(esc(ui["your_clinic"]), "h3"), _grid(clinic_rows, right_w, columns=1, label=0.24)]
    box = _table([[left, right]], colWidths=[left_w + 16, right_w + 16])
    box.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), PALE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    story += [box, Spacer(0, 4)]

    course: list[Flowable] = [_p(esc(ui["course_title"]), "h2")]
    lo, hi = c.course_months
    course.append(
        _p(
            esc(
                ui["course_intro"].format(
                    lo=lo,
                    hi=hi,
                    days=c.visit_interval_days,
                    pregnancy=ui["course_pregnancy"] if record.can_become_pregnant else "",
                )
            ),
            "para",
        )
    )
    if record.course_visits:
        rows = [
            Row(
                [_cell(esc(ui["visit"]), "cell_head", 84), _cell(esc(ui["date"]), "cell_head", 214)]
            )
        ]
        for i, day in enumerate(record.course_visits, start=1):
            rows.append(
                Row(
                    [
                        _cell(f"{esc(ui['visit'])} {i}", "cell", 84),
                        _cell(esc(format_date(day, lang, weekday=True)), "cell", 214),
                    ]
                )
            )
        table = Rows(rows, [90, 220], padding=(0, 6, 3, 3), rule=Rule(0.25, RULE))
        course.append(table)
    else:
        course.append(_p(esc(ui["course_none"]), "para"))
    story.append(KeepTogether(course))

    packet = rules.applicable_packet(forms.education, _facts(record))
    for i, (section, bullets) in enumerate(packet):
        text = section_text(section, bullets, lang)
        if section.summary:
            story += _urgent_page(section.title.get(lang), text, forms, doc)
            if i + 1 < len(packet):
                story.append(PageBreak())
            continue
        story.append(_p(esc(section.title.get(lang)), "h2"))
        body = _body_flowables(text, forms)
        if i + 1 == len(packet) or packet[i + 1][0].summary:
            # A page break follows (the "when to call" page starts a page of its own): the
            # section's last blocks stay together, so that page never holds only its last line
            # or two. Elsewhere the next section fills the page after a split.
            tail = max(len(body) - SECTION_TAIL_BLOCKS, 0)
            body = body[:tail] + [KeepTogether(body[tail:])]
        story += body
    return story


SECTION_TAIL_BLOCKS = 4


def section_text(section: Section, bullets: Sequence[Bullet], lang: str) -> str:
    """A packet section as body text: its paragraphs, the bullets that apply, its closing."""
    parts = [section.body.get(lang).strip()]
    if bullets:
        parts.append("\n".join("- " + " ".join(b.text.get(lang).split()) for b in bullets))
    if section.closing is not None:
        parts.append(section.closing.get(lang).strip())
    return "\n\n".join(p for p in parts if p)


def _urgent_page(title: str, body: str, forms: FormSet, doc: _DocTemplate) -> list[Flowable]:
    """The 'when to call us now' section: alone on one page, in a red-edged box."""
    inner: list[Flowable] = [_p(esc(title), "urgent_title")]
    inner += _body_flowables(body, forms, urgent=True)
    inner += [
        Spacer(0, 10),
        _p(
            f"<b>{esc(forms.clinic.name)}</b> · <font size=16><b>{esc(forms.clinic.phone)}</b></font>",
            "urgent_para",
        ),
    ]
    box = _table([[inner]], colWidths=[doc.width])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 3, ALERT_INK),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff8f7")),
                ("LEFTPADDING", (0, 0), (-1, -1), 20),
                ("RIGHTPADDING", (0, 0), (-1, -1), 20),
                ("TOPPADDING", (0, 0), (-1, -1), 18),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 18),
            ]
        )
    )
    # Shrink, never split: this page is meant to be pinned up on its own.
    fitted = KeepInFrame(doc.width, doc.later_frame_height - 2, [box], mode="shrink")
    return [PageBreak(), fitted]
