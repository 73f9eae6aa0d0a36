"""The consent: identity, every risk statement with its acknowledgements, the quiz, signatures."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Spacer,
)

from intake.documents.errors import FormsMismatch
from intake.documents.layout import (
    RULE,
    Para,
    _aware,
    _DocTemplate,
    _grid,
    _identity_rows,
    _language_name,
    _p,
    _short_datetime,
    _signature_block,
    _styles,
    _zone,
    esc,
    format_date,
)
from intake.documents.rows import Lines, Row, Rows, Rule
from intake.documents.strings import (
    SIGNATURE_ROLES,
    _ui_for,
)
from intake.domain import rules
from intake.domain.records import ConsentRecord
from intake.forms.model import FormSet, Question

# --- consent ------------------------------------------------------------------------------------


def _check_forms(record: ConsentRecord, forms: FormSet) -> None:
    recorded = record.form_versions.get("risks")
    meta = forms.risks.meta
    if recorded and recorded[1] and recorded[1] != meta.sha256:
        raise FormsMismatch(
            f"this record was made with the risk statements version {recorded[0]} "
            f"but version {meta.version} is loaded; the consent must show the statements as signed"
        )
    known = {s.id for s in forms.risks.statements}
    missing = [sid for sid in record.statement_ids if sid not in known]
    if missing:
        raise FormsMismatch(
            f"statements {', '.join(missing)} are not in risks version {meta.version}"
        )


def _ack_cell(
    record: ConsentRecord, sid: str, by: str, tz: ZoneInfo, ui: dict[str, str]
) -> Flowable:
    st = _styles()
    ack = record.acknowledgement(sid, by)
    if ack is None:
        return Lines((ui["not_acknowledged"], st["ack_missing"]))
    lines = [
        (ack.initials, st["cell_bold"]),
        (_short_datetime(ack.at, record.lang, tz), st["ack_time"]),
    ]
    if ack.read_aloud:  # the person listened to it at the kiosk rather than read it
        lines.append((ui["ack_read_aloud"], st["ack_time"]))
    return Lines(*lines)


def _consent_story(record: ConsentRecord, forms: FormSet, doc: _DocTemplate) -> list[Flowable]:
    ui = _ui_for(record)
    lang = record.lang
    tz = _zone(forms)
    width = doc.width
    story: list[Flowable] = [_p(esc(ui["consent_title"]), "title"), Spacer(0, 6)]

    risks_version = record.form_versions.get("risks", (forms.risks.meta.version, ""))[0]
    rows = _identity_rows(record, ui) + [
        (ui["language"], esc(_language_name(record))),
        (ui["dermatologist"], esc(record.dermatologist or ui["dermatologist_pending"])),
        (ui["consent_form"], esc(f"{forms.risks.meta.id} {risks_version}")),
        (ui["ruleset"], esc(record.ruleset_id or ui["not_recorded"])),
    ]
    # Identifiers get a whole row each, so that one is never broken over two lines.
    ids = [(ui["document_id"], esc(record.document_id))]
    if record.supersedes:
        ids.append((ui["supersedes"], esc(record.supersedes)))
    if record.reconsent is not None:
        ids.append((ui["renews"], esc(record.reconsent.renews_document_id)))
    story += [_grid(rows, width), _grid(ids, width, columns=1, label=0.2), Spacer(0, 10)]

    tz_name = _aware(record.created_at).astimezone(tz).tzname() or forms.clinic.timezone
    intro = ui["consent_intro_minor" if record.is_minor else "consent_intro"].format(tz=tz_name)
    story.append(_p(esc(intro), "small"))
    if record.reconsent is not None:
        story += _reconsent_section(record, forms, ui, risks_version)

    wanted = set(record.statement_ids)
    renewal = record.reconsent
    who = ("patient", "guardian") if record.is_minor else ("patient",)
    ack_w = 86.0
    text_w = width - ack_w * len(who)
    for topic in forms.risks.topics:
        statements = [s for s in topic.statements if s.id in wanted]
        if not statements:
            continue
        heads = [ui["col_statement"]]
        heads += (
            [ui["col_patient"], ui["col_guardian"]] if record.is_minor else [ui["col_initials"]]
        )
        rows_ = [Row([Lines((h, _styles()["cell_head"])) for h in heads], padding=(1, 3))]
        for s in statements:
            text = esc(s.text.get(lang))
            if renewal is not None and (s.id in renewal.new or s.id in renewal.changed):
                mark = ui["statement_new" if s.id in renewal.new else "statement_changed"]
                text = f"<b>{esc(mark)}</b> · {text}"
            row: list[Flowable | None] = [_p(text, "statement")]
            for by in who:
                if by == "patient" and s.audience == "guardian":
                    row.append(Lines((ui["not_applicable"], _styles()["cell_label"])))
                else:
                    row.append(_ack_cell(record, s.id, by, tz, ui))
            rows_.append(Row(row))
        table = Rows(
            rows_,
            [text_w] + [ack_w] * len(who),
            padding=(4, 6, 4, 5),
            rule=Rule(0.25, RULE),
            column_rule=Rule(0.25, RULE),
            repeat_head=True,
        )
        block: list[Flowable] = [_p(esc(topic.title.get(lang)), "h2")]
        if topic.intro is not None:
            block.append(_p(esc(topic.intro.get(lang)), "intro"))
        story += block + [table]

    story += _carried_section(record, forms, ui)
    story += _quiz_section(record, ui, width)
    if record.can_become_pregnant:
        story += _contraception_section(record, forms, ui)
    # The signatures stay together on one page (with the note on a minor's consent, which
    # qualifies them), so no signature is ever left alone on a last page.
    signing: list[Flowable] = []
    if record.is_minor:
        due = rules.reconsent_due(record.patient.date_of_birth, record.visit_date)
        if due is not None:
            signing += [
                _p(esc(ui["minor_title"]), "h2"),
                _p(ui["minor_note"].format(date=esc(format_date(due, lang))), "para"),
            ]
    signing += [
        _p(esc(ui["signatures_title"]), "h2"),
        _p(esc(ui["signatures_intro"].format(fp=doc.furniture.fingerprint)), "small"),
        Spacer(0, 8),
    ]
    for role in SIGNATURE_ROLES:
        if role == "guardian" and not record.is_minor:
            continue
        signing.append(_signature_block(record, role, forms, width))
    story.append(KeepTogether(signing))
    return story


def _reconsent_section(
    record: ConsentRecord, forms: FormSet, ui: dict[str, str], risks_version: str
) -> list[Flowable]:
    """What a re-consent renews and replaces, why, and the statements it carries over."""
    renewal = record.reconsent
    assert renewal is not None
    lang = record.lang
    when = format_date(renewal.renews_date, lang)
    before = renewal.previous_version("risks") or ui["not_recorded"]
    out: list[Flowable] = [
        _p(esc(ui["reconsent_title"]), "h2"),
        _p(
            ui["reconsent_renews" if before != risks_version else "reconsent_renews_same"].format(
                date=esc(when),
                old=esc(f"{forms.risks.meta.id} {before}"),
                new=esc(f"{forms.risks.meta.id} {risks_version}"),
                doc=esc(renewal.renews_document_id),
            ),
            "para",
        ),
    ]
    if "form_changed" in renewal.reasons:
        out.append(
            _p(
                esc(
                    ui["reconsent_changed"].format(
                        new=len(renewal.new), changed=len(renewal.changed)
                    )
                ),
                "para",
            )
        )
    if "turned_18" in renewal.reasons:
        out.append(_p(esc(ui["reconsent_turned_18"]), "para"))
    if not record.statement_ids:
        out.append(_p(esc(ui["reconsent_nothing_asked"]), "para"))
    return [KeepTogether(out), Spacer(0, 6)]


def _carried_section(record: ConsentRecord, forms: FormSet, ui: dict[str, str]) -> list[Flowable]:
    """The statements a re-consent carried over unchanged from the consent it renews."""
    renewal = record.reconsent
    if renewal is None:
        return []
    known = {s.id: s for s in forms.risks.statements}
    carried = [known[sid] for sid in renewal.carried_over if sid in known]
    if not carried:
        return []
    when = format_date(renewal.renews_date, record.lang)
    head = [
        _p(esc(ui["reconsent_carried_title"]), "h2"),
        _p(esc(ui["reconsent_carried"].format(date=when)), "para"),
    ]
    items: list[Flowable] = [
        Para(esc(s.text.get(record.lang)), _styles()["bullet"], bulletText="•") for s in carried
    ]
    return [KeepTogether([*head, items[0]]), *items[1:]]


def _quiz_section(record: ConsentRecord, ui: dict[str, str], width: float) -> list[Flowable]:
    asked: list[str] = []
    first_right = 0
    for answer in record.quiz:
        if answer.question_id not in asked:
            asked.append(answer.question_id)
            first_right += answer.correct
    result = (
        f"<font color='#1e6b3a'><b>{esc(ui['quiz_passed'])}</b></font>"
        if record.quiz_passed
        else f"<font color='#9b1c1c'><b>{esc(ui['quiz_not_passed'])}</b></font>"
    )
    rows = [
        (ui["quiz_result"], result),
        (ui["quiz_questions"], str(len(asked))),
        (ui["quiz_answers"], str(len(record.quiz))),
        (ui["quiz_first_time"], f"{first_right} / {len(asked)}"),
    ]
    return [KeepTogether([_p(esc(ui["quiz_title"]), "h2"), _grid(rows, width, columns=1)])]


def _contraception_section(
    record: ConsentRecord, forms: FormSet, ui: dict[str, str]
) -> list[Flowable]:
    chosen = record.answers.get("contraception_methods") or []
    if isinstance(chosen, str):
        chosen = [chosen]
    try:
        question: Question | None = forms.intake.question("contraception_methods")
    except KeyError:
        question = None
    labels = [
        question.option_label(v, record.lang) if question else str(v)
        for v in chosen
        if v != "none_yet"
    ]
    out: list[Flowable] = [_p(esc(ui["contraception_title"]), "h2")]
    if labels:
        out.append(_p(esc(ui["contraception_intro"]), "para"))
        out += [Para(esc(label), _styles()["bullet"], bulletText="•") for label in labels]
    else:
        out.append(_p(esc(ui["contraception_none"]), "para"))
    return [KeepTogether(out)]
