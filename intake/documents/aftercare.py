"""The aftercare packet: the patient's own dates after the last dose, and what to do."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Spacer, TableStyle

from intake import i18n
from intake.documents.education import section_text
from intake.documents.layout import (
    PALE,
    RULE,
    _body_flowables,
    _cell,
    _DocTemplate,
    _grid,
    _p,
    _table,
    esc,
    format_date,
)
from intake.documents.rows import Row, Rows, Rule
from intake.documents.strings import _ui
from intake.domain import rules
from intake.domain.completion import AftercareRecord
from intake.forms.model import FormSet


def _check(record: AftercareRecord) -> None:
    if record.completion is None or record.aftercare is None:
        raise ValueError("an aftercare packet needs the course's completion and its dates")
    # The pregnancy section is chosen from can_become_pregnant and filled from the dates: both
    # must come from the same decision (the stored completion's), or the packet drops a needed
    # section or prints one with blank dates.
    if record.can_become_pregnant != (record.aftercare.pregnancy_test_due is not None):
        raise ValueError("the aftercare dates do not match whether the patient can become pregnant")


def placeholders(record: AftercareRecord, lang: str) -> dict[str, str]:
    """The form's date placeholders, written the language's way ("" where none applies)."""
    _check(record)
    assert record.aftercare is not None

    def day(value: object) -> str:
        return format_date(value, lang, weekday=True) if value is not None else ""  # type: ignore[arg-type]

    a = record.aftercare
    return {
        "last_dose": day(a.last_dose_on),
        "pregnancy_test_due": day(a.pregnancy_test_due),
        "contraception_until": day(a.contraception_until),
        "no_blood_donation_until": day(a.no_blood_donation_until),
        "no_cosmetic_until": day(a.no_cosmetic_procedures_until),
    }


def _fill(text: str, values: dict[str, str]) -> str:
    """The text with its date placeholders filled; a placeholder with no date is refused (a
    sentence such as "have a pregnancy test on ." must never reach a patient)."""
    for key, value in values.items():
        placeholder = "{" + key + "}"
        if placeholder not in text:
            continue
        if not value:
            raise ValueError(f"the aftercare text needs {placeholder}, which has no date here")
        # Keep a date on one line: a date split over two lines is easy to misread.
        text = text.replace(placeholder, value.replace(" ", "\u00a0"))
    return text


def _aftercare_story(record: AftercareRecord, forms: FormSet, doc: _DocTemplate) -> list[Flowable]:
    _check(record)
    assert record.completion is not None and record.aftercare is not None
    lang = record.lang
    ui = _ui(lang)
    done, after = record.completion, record.aftercare
    width = doc.width
    story: list[Flowable] = [
        _p(esc(ui["aftercare_title"]), "title"),
        _p(
            esc(
                ui["aftercare_prepared"].format(
                    name=record.patient.full_name, date=format_date(done.completed_on, lang)
                )
            ),
            "subtitle",
        ),
    ]
    details = [
        (ui["patient"], f"<b>{esc(record.patient.full_name)}</b>"),
        (ui["record_number"], esc(record.patient.record_number)),
        (ui["aftercare_last_dose"], esc(format_date(done.completed_on, lang))),
        (
            ui["aftercare_dose"],
            esc(ui["aftercare_dose_value"].format(value=i18n.number(done.mg_per_kg, lang))),
        ),
        (ui["aftercare_ended"], esc(ui[f"reason_{done.reason}"])),
        (ui["aftercare_recorded_by"], esc(record.completed_by or record.dermatologist)),
    ]
    box = _table([[[_p(esc(ui["aftercare_course"]), "h3"), _grid(details, width - 16)]]])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PALE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    story += [box, Spacer(0, 6)]

    # The dates first, in order, as a table the patient can pin up.
    candidates = [
        (after.pregnancy_test_due, "aftercare_test_due"),
        (after.contraception_until, "aftercare_contraception_until"),
        (after.no_blood_donation_until, "aftercare_no_blood_until"),
        (after.no_cosmetic_procedures_until, "aftercare_no_cosmetic_until"),
    ]
    dated = [(day, key) for day, key in candidates if day is not None]
    when_w, what_w = 0.38 * width, 0.62 * width
    rows = [
        Row(
            [
                _cell(esc(ui["aftercare_when"]), "cell_head", when_w - 6),
                _cell(esc(ui["aftercare_what"]), "cell_head", what_w - 6),
            ]
        )
    ]
    for day, key in sorted(dated, key=lambda d: d[0]):  # stable: the test first on a day
        rows.append(
            Row(
                [
                    _cell(
                        f"<b>{esc(format_date(day, lang, weekday=True))}</b>", "cell", when_w - 6
                    ),
                    _cell(esc(ui[key]), "cell", what_w - 6),
                ]
            )
        )
    dates: list[Flowable] = [
        _p(esc(ui["aftercare_dates_title"]), "h2"),
        Rows(rows, [when_w, what_w], padding=(0, 6, 3, 3), rule=Rule(0.25, RULE)),
        _p(esc(ui["aftercare_rules"].format(ruleset=after.ruleset_id)), "cell_label"),
    ]
    story.append(KeepTogether(dates))

    values = placeholders(record, lang)
    facts = {
        **record.answers,
        "can_become_pregnant": record.can_become_pregnant,
        "is_minor": record.is_minor,
        "age": rules.age_on(record.patient.date_of_birth, done.completed_on),
    }
    for section, bullets in rules.applicable_packet(forms.aftercare, facts):
        text = _fill(section_text(section, bullets, lang), values)
        story.append(
            KeepTogether([_p(esc(section.title.get(lang)), "h2"), *_body_flowables(text, forms)])
        )
    return story
