"""What will be signed, in the patient's language: who, the answers, every statement initialled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QWidget

from intake import i18n
from intake.domain.wizard import KioskFlow, is_empty
from intake.forms import model as fm
from intake.services.kiosk_payloads import Payload, ReviewRead
from intake.ui.kiosk.base import KioskPage, card, make_label
from intake.ui.kiosk.text import t


def format_date(value: dt.date, lang: str) -> str:
    month = i18n.month_name(value.month, lang)
    return t("date_long", lang, day=value.day, month=month, year=value.year)


def format_answer(question: fm.Question, value: Any, lang: str) -> str:
    if is_empty(value):
        return t("review_not_answered", lang)
    if question.type == "choice":
        return question.option_label(str(value), lang)
    if question.type == "multi" and isinstance(value, list | tuple):
        return ", ".join(question.option_label(v, lang) for v in value)
    if isinstance(value, dt.date):
        return format_date(value, lang)
    if question.type == "weight" and isinstance(value, int | float):
        return t("review_weight", lang, kg=i18n.number(value, lang))
    return str(value)


class ReviewPage(KioskPage):
    """The whole record before signing. The first sections are built at once; the rest follow a
    few at a time on the next turns of the event loop, so the page appears without a stall."""

    FIRST = 2
    CHUNK = 3

    def __init__(self, flow: KioskFlow, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.setObjectName("page_review")
        self.add_title(t("review_title", lang))
        self.add_text(t("review_intro", lang), "lead")
        self.notice = self.add_text("", "notice")
        self.notice.hide()
        answers = flow.answers
        # (kind, heading, lines): "rows" lines are (question, answer) pairs, "list" lines are
        # statements; plain-text labels throughout (rich-text tables size themselves badly).
        sections: list[tuple[str, str, list[Any]]] = []

        who = [
            (
                t("review_patient", lang),
                f"{answers.get('first_name', '')} {answers.get('last_name', '')}".strip(),
            )
        ]
        dob = answers.get("date_of_birth")
        if isinstance(dob, dt.date):
            label = flow.forms.intake.question("date_of_birth").label(lang)
            who.append((label, format_date(dob, lang)))
        if flow.guardian is not None:
            relationship = t(f"rel_{flow.guardian.relationship}", lang)
            who.append((t("review_guardian", lang), f"{flow.guardian.full_name} ({relationship})"))
        sections.append(("rows", t("review_patient", lang), who))
        for step in flow.steps():
            if step.kind != "intake":
                continue
            page = flow.page(step.key)
            rows = [
                (q.label(lang), format_answer(q, answers.get(q.id), lang))
                for q in flow.visible_questions(page.id)
            ]
            sections.append(("rows", page.title(lang), rows))
        sections.append(("heading", t("review_statements", lang), []))
        for topic, statements in flow.topics():
            sections.append(("list", topic.title(lang), [s.text(lang) for s in statements]))
        if flow.quiz_questions():
            sections.append(("good", "✓ " + t("review_quiz", lang), []))
        self.finish()
        self._pending = sections
        self._add_sections(self.FIRST)
        # A child timer: it dies with the page if the patient moves on before it fires.
        self._more = QTimer(self)
        self._more.setSingleShot(True)
        self._more.setInterval(0)
        self._more.timeout.connect(self._on_more_timer_timeout)
        if self._pending:
            self._more.start()

    def payload(self) -> Payload:
        return ReviewRead()

    @property
    def complete_on_screen(self) -> bool:
        return not self._pending

    def _add_sections(self, count: int) -> None:
        at = self.content.count() - 1  # before the closing stretch
        for _ in range(min(count, len(self._pending))):
            kind, heading, lines = self._pending.pop(0)
            widget: QWidget
            if kind == "rows":
                frame, layout = card(self.body)
                layout.addWidget(make_label(heading, "subtitle", frame))
                grid = QGridLayout()
                grid.setHorizontalSpacing(24)
                grid.setVerticalSpacing(6)
                for row, (question, answer) in enumerate(lines):
                    grid.addWidget(make_label(question, None, frame), row, 0)
                    grid.addWidget(make_label(answer, "strong", frame), row, 1)
                grid.setColumnStretch(0, 5)
                grid.setColumnStretch(1, 4)
                layout.addLayout(grid)
                widget = frame
            elif kind == "list":
                frame, layout = card(self.body)
                layout.addWidget(make_label(heading, "subtitle", frame))
                for line in lines:
                    layout.addWidget(make_label(f"•  {line}", None, frame))
                widget = frame
            else:
                widget = make_label(heading, "subtitle" if kind == "heading" else kind, self.body)
            self.content.insertWidget(at, widget)
            at += 1

    def _on_more_timer_timeout(self) -> None:
        self._add_sections(self.CHUNK)
        if self._pending:
            self._more.start()

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def focus_first(self) -> None:
        self.focus_heading()  # nothing to fill in: the title, then Tab goes on to Next
