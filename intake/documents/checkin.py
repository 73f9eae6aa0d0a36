"""The monthly check-in record: what the patient reported this month, and their attestation."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Spacer

from intake.documents.layout import (
    _DocTemplate,
    _grid,
    _identity_rows,
    _p,
    _signature_block,
    esc,
)
from intake.documents.strings import _ui_for
from intake.documents.summary import (
    _answer_table,
    _flag_table,
    _phq9_section,
    answer_text,
)
from intake.domain.records import ConsentRecord
from intake.forms.model import FormSet


def _checkin_story(record: ConsentRecord, forms: FormSet, doc: _DocTemplate) -> list[Flowable]:
    ui = _ui_for(record)
    lang = record.lang
    width = doc.width
    month = record.course_month or 1
    story: list[Flowable] = [
        _p(esc(ui["checkin_title"]), "title"),
        _p(esc(ui["checkin_month"].format(month=month)), "subtitle"),
    ]
    rows = _identity_rows(record, ui) + [
        (ui["dermatologist"], esc(record.dermatologist or ui["dermatologist_pending"])),
        (ui["can_become_pregnant"], esc(ui["yes" if record.can_become_pregnant else "no"])),
    ]
    story.append(_grid(rows, width))

    story.append(_p(esc(ui["flags_title"]), "h2"))
    if record.flags:
        story.append(_flag_table(record, record.flags, ui, width))
    else:
        story.append(_p(esc(ui["flags_none"]), "para"))

    # What the patient answered, page by page of the check-in (not the identity page:
    # the header above already names the patient).
    pages = forms.for_visit("checkin").intake.pages
    for page in pages[1:]:
        answered = [q for q in page.questions if q.id in record.answers]
        if not answered:
            continue
        table = [
            (q.label.get(lang), esc(answer_text(q, record.answers[q.id], lang))) for q in answered
        ]
        story += [_p(esc(page.title.get(lang)), "h2"), _answer_table(table, width), Spacer(0, 6)]

    story += _phq9_section(record, forms, ui, width)

    story.append(_p(esc(ui["quiz_title"]), "h2"))
    asked: list[str] = []
    for answer in record.quiz:
        if answer.question_id not in asked:
            asked.append(answer.question_id)
    wrong_first = sum(
        1 for qid in asked if not next(a for a in record.quiz if a.question_id == qid).correct
    )
    story.append(
        _p(
            esc(ui["checkin_quiz"].format(asked=len(asked), right_first=len(asked) - wrong_first)),
            "para",
        )
    )
    if record.quiz_passed:
        story.append(_p(esc(ui["checkin_quiz_passed"]), "para"))
    if record.statement_ids:
        story.append(
            _p(esc(ui["checkin_reacknowledged"].format(count=len(record.statement_ids))), "para")
        )

    # A minor's guardian co-signs the month's attestation, beside the patient.
    guardian = record.is_minor or record.signature("guardian") is not None
    story.append(
        KeepTogether(
            [
                _p(esc(ui["checkin_attestation_title"]), "h2"),
                _p(esc(ui["checkin_attestation"]), "para"),
                _p(esc(ui["signatures_intro"].format(fp=doc.furniture.fingerprint)), "small"),
                Spacer(0, 8),
                _signature_block(record, "patient", forms, width),
            ]
            + ([_signature_block(record, "guardian", forms, width)] if guardian else [])
            # The prescriber's countersignature, once given (the record is then reissued).
            + (
                [_signature_block(record, "clinician", forms, width)]
                if record.signature("clinician") is not None
                else []
            )
        )
    )
    return story
