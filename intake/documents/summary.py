"""The intake summary for the dermatologist: flags, answers, mood screen, medicines, status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Spacer,
)

from intake.documents.layout import (
    ALERT_BG,
    ALERT_INK,
    RULE,
    WARN_BG,
    WARN_INK,
    _as_date,
    _cell,
    _DocTemplate,
    _grid,
    _identity_rows,
    _language_name,
    _p,
    _styles,
    _zone,
    esc,
    format_date,
    format_datetime,
)
from intake.documents.rows import Lines, Row, Rows, Rule
from intake.documents.strings import (
    INTERACTION_FLAGS,
    MEDICINE_QUESTIONS,
    SIGNATURE_ROLES,
    _ui,
    _ui_for,
)
from intake.domain import phq9, rules
from intake.domain.flags import worded
from intake.domain.records import ConsentRecord
from intake.domain.validation import format_phone
from intake.forms.model import FormSet, Question

# --- intake summary -----------------------------------------------------------------------------


def answer_text(question: Question | None, value: Any, lang: str) -> str:
    """An answer as a person reads it: option labels, dates spelled out, weights with units."""
    ui = _ui(lang)
    if value is None or value == "" or value == [] or value == ():
        return "—"
    if isinstance(value, bool):
        return ui["yes"] if value else ui["no"]
    if (question is not None and question.type == "date") or isinstance(value, dt.date):
        day = _as_date(value)
        if day is not None:
            return format_date(day, lang)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else list(value)
        lines = [answer_text(question, v, lang) for v in items]
        # Several choices each get a bullet, so a wrapped label is not read as two answers.
        return lines[0] if len(lines) == 1 else "\n".join(f"• {line}" for line in lines)
    if question is not None and question.options:
        return question.option_label(str(value), lang)
    if question is not None and question.type == "phone":
        return format_phone(str(value))
    if question is not None and question.type == "weight":
        if isinstance(value, Mapping):
            return " ".join(str(value.get(k, "")) for k in ("value", "unit")).strip()
        if isinstance(value, int | float):
            return f"{value:g} {ui['kg']}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _flag_table(
    record: ConsentRecord, flags: Sequence[Any], ui: dict[str, str], width: float
) -> Rows:
    rows = []
    for flag in flags:
        alert = flag.severity == "alert"
        text = worded(flag, record.lang)
        cells = [
            Lines((ui["alert" if alert else "warning"], _styles()["alert" if alert else "warn"])),
            _cell(esc(text), "cell_bold" if alert else "cell", width - 82),
        ]
        bar = Rule(4, ALERT_INK if alert else WARN_INK)
        rows.append(Row(cells, background=ALERT_BG if alert else WARN_BG, bar=bar))
    return Rows(rows, [70, width - 70], padding=(6, 6, 4, 5), rule=Rule(1.5, colors.white))


def _summary_story(record: ConsentRecord, forms: FormSet, doc: _DocTemplate) -> list[Flowable]:
    ui = _ui_for(record)
    lang = record.lang
    width = doc.width
    story: list[Flowable] = [
        _p(esc(ui["summary_title"]), "title"),
        _p(esc(ui["summary_audience"]), "subtitle"),
    ]
    rows = _identity_rows(record, ui) + [
        (ui["language"], esc(_language_name(record))),
        (ui["dermatologist"], esc(record.dermatologist or ui["dermatologist_pending"])),
        (ui["can_become_pregnant"], esc(ui["yes" if record.can_become_pregnant else "no"])),
        (ui["is_minor"], esc(ui["yes" if record.is_minor else "no"])),
    ]
    story.append(_grid(rows, width))
    if record.supersedes:
        story.append(
            _grid([(ui["supersedes"], esc(record.supersedes))], width, columns=1, label=0.2)
        )

    story.append(_p(esc(ui["flags_title"]), "h2"))
    if record.flags:
        story.append(_flag_table(record, record.flags, ui, width))
    else:
        story.append(_p(esc(ui["flags_none"]), "para"))

    story += _phq9_section(record, forms, ui, width)
    story += _medicines_section(record, forms, ui, width)
    story += _status_section(record, forms, ui, width)

    story.append(_p(esc(ui["answers_title"]), "h2"))
    shown: set[str] = set()
    for page in forms.intake.pages:
        answered = [q for q in page.questions if q.id in record.answers]
        if not answered:
            continue
        rows_ = [
            (q.label.get(lang), esc(answer_text(q, record.answers[q.id], lang))) for q in answered
        ]
        shown.update(q.id for q in answered)
        story += [_p(esc(page.title.get(lang)), "h3"), _answer_table(rows_, width), Spacer(0, 6)]
    # The mood screen's answers have their own section above; never list them by their ids.
    rest = [k for k in record.answers if k not in shown and k not in phq9.ANSWER_IDS]
    if rest:
        rows_ = [(k, esc(answer_text(None, record.answers[k], lang))) for k in sorted(rest)]
        story += [_p(esc(ui["other_answers"]), "h3"), _answer_table(rows_, width)]
    return story


def _answer_table(rows: Sequence[tuple[str, str]], width: float) -> Rows:
    cells = [
        Row(
            [
                _cell(esc(label), "cell_label", 0.45 * width - 8),
                _cell(value, "cell", 0.55 * width - 8),
            ]
        )
        for label, value in rows
    ]
    return Rows(cells, [0.45 * width, 0.55 * width], padding=(0, 8, 3, 4), rule=Rule(0.25, RULE))


def _phq9_section(
    record: ConsentRecord, forms: FormSet, ui: dict[str, str], width: float
) -> list[Flowable]:
    lang = record.lang
    out: list[Flowable] = [_p(esc(ui["phq9_title"]), "h2")]
    result = record.phq9
    if result is None:
        return out + [_p(esc(ui["phq9_missing"]), "para")]
    band = next((b.label.get(lang) for b in forms.phq9.bands if b.id == result.band), result.band)
    out.append(
        _p(
            f"{esc(ui['phq9_total'])}: <b>{result.total}</b> / 27 &nbsp;·&nbsp; "
            f"{esc(ui['phq9_band'])}: <b>{esc(band)}</b>",
            "para",
        )
    )
    if result.item9_positive:
        alert = Rows(
            [Row([_p(esc(ui["phq9_item9_positive"]), "alert")], background=ALERT_BG)],
            [width],
            padding=(8, 8, 6, 7),
            box=Rule(1.5, ALERT_INK),
        )
        out += [alert, Spacer(0, 6)]
    else:
        out.append(_p(esc(ui["phq9_item9_negative"]), "small"))
    out += _release_lines(record, forms, ui, width)
    options = dict(forms.phq9.options)
    widths = [0.62 * width, 0.3 * width, 0.08 * width]

    def cells(*texts: str, style: str = "cell") -> list[Flowable | None]:
        made: list[Flowable | None] = [
            _cell(t, style, w - 8) for t, w in zip(texts, widths, strict=False)
        ]
        if len(made) == 3 and isinstance(made[2], Lines):
            made[2].align = "right"  # scores line up under the heading
        return made + [None] * (3 - len(made))

    heading = (esc(ui["phq9_item"]), esc(ui["phq9_answer"]), esc(ui["phq9_score"]))
    rows = [Row(cells(*heading, style="cell_head"))]
    for n, ((_, text), value) in enumerate(
        zip(forms.phq9.items, result.answers, strict=False), start=1
    ):
        label = options.get(value)
        answer = esc(label.get(lang) if label else value)
        flagged = n == 9 and result.item9_positive
        rows.append(
            Row(
                cells(f"{n}. {esc(text.get(lang))}", answer, str(value)),
                background=ALERT_BG if flagged else None,
            )
        )
    if result.difficulty:
        diff = next(
            (
                o.label.get(lang)
                for o in forms.phq9.difficulty_options
                if o.value == result.difficulty
            ),
            result.difficulty,
        )
        rows.append(Row(cells(esc(ui["phq9_difficulty"]), esc(diff))))
    table = Rows(rows, widths, padding=(2, 6, 2, 3), rule=Rule(0.25, RULE), repeat_head=True)
    return out + [table]


def _release_lines(
    record: ConsentRecord, forms: FormSet, ui: dict[str, str], width: float
) -> list[Flowable]:
    """Who released the visit after the positive item 9, when, and their note."""
    rows = [
        (
            ui["released_title"],
            esc(
                ui["released_line"].format(
                    who=r.released_by,
                    role=ui.get(f"role_{r.role}", r.role),
                    when=format_datetime(r.released_at, record.lang, _zone(forms)),
                )
            )
            + f"<br/><i>{esc(r.note)}</i>",
        )
        for r in record.alert_releases
        if r.reason == "item9"
    ]
    if not rows:
        return []
    return [_grid(rows, width, columns=1, label=0.3), Spacer(0, 6)]


def _medicines_section(
    record: ConsentRecord, forms: FormSet, ui: dict[str, str], width: float
) -> list[Flowable]:
    lang = record.lang
    out: list[Flowable] = [_p(esc(ui["medicines_title"]), "h2")]
    interactions = [f for f in record.flags if f.id in INTERACTION_FLAGS]
    if interactions:
        out += [_flag_table(record, interactions, ui, width), Spacer(0, 4)]
    else:
        out.append(_p(esc(ui["medicines_none"]), "small"))
    rows = []
    for qid in MEDICINE_QUESTIONS:
        if qid not in record.answers:
            continue
        try:
            question: Question | None = forms.intake.question(qid)
        except KeyError:
            question = None
        label = question.label.get(lang) if question else qid
        rows.append((label, esc(answer_text(question, record.answers[qid], lang))))
    if rows:
        out.append(_answer_table(rows, width))
    return out


def _status_section(
    record: ConsentRecord, forms: FormSet, ui: dict[str, str], width: float
) -> list[Flowable]:
    facts = {"is_minor": record.is_minor}
    needed = 0
    done = 0
    for sid in record.statement_ids:
        try:
            who = rules.acknowledgers(forms.risks.statement(sid), facts)
        except KeyError:
            who = ("patient", "guardian") if record.is_minor else ("patient",)
        for by in who:
            needed += 1
            done += record.acknowledgement(sid, by) is not None
    signatures = []
    for role in SIGNATURE_ROLES:
        if role == "guardian" and not record.is_minor:
            continue
        present = record.signature(role) is not None
        mark = (
            f"<font color='#1e6b3a'>✓ {esc(ui['signed'])}</font>"
            if present
            else f"<font color='#8a5a00'><b>{esc(ui['missing'])}</b></font>"
        )
        signatures.append(f"{esc(ui[role])}: {mark}")
    quiz = ui["quiz_passed"] if record.quiz_passed else ui["quiz_not_passed"]
    rows = [
        (ui["statements_acknowledged"], f"{done} / {needed}"),
        (ui["statements_read_aloud"], esc(_read_aloud(record, forms, ui, done))),
        (ui["quiz_title"], esc(quiz)),
        (ui["signatures_present"], "<br/>".join(signatures)),
    ]
    return [
        KeepTogether([_p(esc(ui["consent_status_title"]), "h2"), _grid(rows, width, columns=1)])
    ]


def _read_aloud(record: ConsentRecord, forms: FormSet, ui: dict[str, str], done: int) -> str:
    """How many acknowledgements were given after the statement was read aloud at the kiosk
    (the patient listened rather than read), and in which topics."""
    wanted = set(record.statement_ids)
    listened = [a for a in record.acknowledgements if a.read_aloud and a.statement_id in wanted]
    if not listened:
        return ui["statements_read_aloud_none"]
    topics = []
    for topic in forms.risks.topics:
        ids = {s.id for s in topic.statements}
        n = sum(a.statement_id in ids for a in listened)
        if n:
            topics.append(f"{topic.title.get(record.lang)} ({n})")
    return ui["statements_read_aloud_some"].format(
        n=len(listened), total=done, topics=", ".join(topics)
    )
