"""A medical-history page, built from the form definition: one topic per page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from intake import i18n
from intake.domain.answers import validate_answer
from intake.domain.errors import ValidationError
from intake.domain.identity import IDENTITY_FIELDS
from intake.domain.wizard import KioskFlow
from intake.forms import model as fm
from intake.services.kiosk_payloads import IntakeAnswers, PageProblems, Payload
from intake.ui.kiosk.base import KioskPage, announce, make_label, set_flag
from intake.ui.kiosk.text import message, t
from intake.ui.widgets.choices import ChoiceButtons
from intake.ui.widgets.entries import DateEntryWidget, WeightEntryWidget

SHORT_OPTION = 16
# Shown, not typed: the patient record decides it (only staff correct the record).
LOCKED = ("date_of_birth",)


def shown_date(value: dt.date, lang: str) -> str:
    """A date as the patient types it: MM/DD/YYYY in English, DD/MM/YYYY in Spanish."""
    return t("date_typed", lang, day=value.day, month=value.month, year=value.year)


def option_columns(question: fm.Question, lang: str) -> int:
    labels = [o.label(lang) for o in question.options]
    if len(labels) <= 4 and all(len(label) <= SHORT_OPTION for label in labels):
        return len(labels)
    if len(labels) > 6 and all(len(label) <= 90 for label in labels):
        return 2  # a long list: two columns, so less scrolling (labels wrap as needed)
    if len(labels) > 4 and all(len(label) <= 44 for label in labels):
        return 2
    return 1


class QuestionField(QWidget):
    """One question: its label, help, the input that suits its type, and its message."""

    changed = Signal()
    disputed = Signal()  # a locked field: "this is not mine"

    def __init__(
        self,
        question: fm.Question,
        lang: str,
        parent: QWidget | None = None,
        *,
        locked_value: Any = None,
    ):
        super().__init__(parent)
        self.question = question
        self.lang = lang
        self.locked = locked_value is not None
        self._locked_value = locked_value
        self.setObjectName(f"field_{question.id}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        label = question.label(lang)
        self.title = make_label(label, "subtitle", self)
        layout.addWidget(self.title)
        help_text = question.help(lang) if question.help is not None else ""
        if not question.required:
            help_text = f"{t('optional', lang)}. {help_text}".strip()
            label = f"{label} ({t('optional', lang)})"
        if help_text:
            layout.addWidget(make_label(help_text, "help", self))
        self._help = help_text
        self.input: QWidget
        self.input = self._make_locked(label) if self.locked else self._make_input(question, label)
        self.input.setObjectName(f"q_{question.id}")
        # The help text ("As it appears on your ID…") is the field's description.
        self.input.setAccessibleDescription(help_text)
        layout.addWidget(self.input)
        self.error = make_label("", "error", self)
        self.error.hide()
        layout.addWidget(self.error)
        self.title.setBuddy(self._focus_target())

    def _make_locked(self, spoken: str) -> QWidget:
        """The record's value, shown with a way to say it is wrong (staff then check it)."""
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        value = self._locked_value
        text = shown_date(value, self.lang) if isinstance(value, dt.date) else str(value)
        self.shown = make_label(text, "lead", box)
        self.shown.setObjectName(f"shown_{self.question.id}")
        self.shown.setAccessibleName(f"{spoken}: {text}")
        layout.addWidget(self.shown)
        layout.addWidget(make_label(t("dob_on_record", self.lang), "help", box))
        self.dispute_button = QPushButton(t("dob_not_mine", self.lang), box)
        self.dispute_button.setObjectName("dob_not_mine")
        # A screen reader hears which date is meant; the help text is its description.
        self.dispute_button.setAccessibleName(f"{t('dob_not_mine', self.lang)}: {text}")
        self.dispute_button.setAccessibleDescription(t("dob_on_record", self.lang))
        self.dispute_button.setProperty("role", "quiet")
        self.dispute_button.setMinimumHeight(48)
        # Pausing the visit for staff takes a second, deliberate tap: one stray tap (or a
        # keyboard user's first Space on the first control) must not stop the patient.
        self._dispute_armed = False
        self.dispute_button.clicked.connect(self._on_dispute_button_clicked)
        layout.addWidget(self.dispute_button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def _on_dispute_button_clicked(self) -> None:
        if not self._dispute_armed:
            self._dispute_armed = True
            confirm = t("dob_not_mine_confirm", self.lang)
            self.dispute_button.setText(confirm)
            self.dispute_button.setAccessibleName(confirm)
            return
        self.disputed.emit()

    def _make_input(self, q: fm.Question, spoken: str) -> QWidget:
        lang = self.lang
        if q.type in ("name", "text", "phone", "email"):
            edit = QLineEdit(self)
            edit.setAccessibleName(spoken)
            edit.setMinimumHeight(48)
            edit.setMaxLength(254 if q.type == "email" else 120)
            edit.setMaximumWidth(720 if q.type in ("email", "text") else 560)
            if q.type == "phone":
                edit.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
            elif q.type == "email":
                edit.setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
            edit.textChanged.connect(self._on_input_changed)
            edit.editingFinished.connect(self._on_input_editing_finished)
            return edit
        if q.type == "longtext":
            box = QPlainTextEdit(self)
            box.setAccessibleName(spoken)
            box.setTabChangesFocus(True)
            box.setMinimumHeight(130)
            box.setMaximumHeight(220)
            box.textChanged.connect(self._on_input_changed)
            return box
        if q.type == "date":
            labels = {
                "month": t("month", lang),
                "day": t("day", lang),
                "year": t("year", lang),
                "month_hint": t("month_hint", lang),
                "day_hint": t("day_hint", lang),
                "year_hint": t("year_hint", lang),
            }
            date = DateEntryWidget(labels, i18n.language(lang).date_order, spoken, self)
            date.changed.connect(self._on_input_changed)
            for edit in date.edits():
                edit.editingFinished.connect(self._on_input_editing_finished)
            return date
        if q.type in ("choice", "multi"):
            buttons = ChoiceButtons(
                [(o.value, o.label(lang)) for o in q.options],
                columns=option_columns(q, lang),
                multi=q.type == "multi",
                exclusive=q.exclusive,
                name=spoken,
                parent=self,
            )
            buttons.changed.connect(self._on_input_changed)
            return buttons
        if q.type == "weight":
            labels = {"number": t("weight_number", lang), "in_kg": t("weight_in_kg", lang)}
            for unit in q.units:
                labels[unit] = t(f"unit_{unit}", lang)
                labels[f"{unit}_name"] = t(f"unit_{unit}_name", lang)
            weight = WeightEntryWidget(labels, spoken, self, units=q.units)
            weight.changed.connect(self._on_input_changed)
            weight.number.editingFinished.connect(self._on_input_editing_finished)
            return weight
        raise ValueError(f"no kiosk input for question type {q.type!r}")

    def _focus_target(self) -> QWidget:
        if self.locked:
            return self.dispute_button
        w = self.input
        if isinstance(w, DateEntryWidget):
            return w.edits()[0]
        if isinstance(w, WeightEntryWidget):
            return w.number
        if isinstance(w, ChoiceButtons):
            return next(iter(w.buttons().values()))
        return w

    def focus_first(self) -> None:
        self._focus_target().setFocus(Qt.FocusReason.TabFocusReason)

    # --- values ----------------------------------------------------------------------------------

    def raw(self) -> Any:
        """What the person gave, as the visit service validates it."""
        if self.locked:
            return self._locked_value
        w = self.input
        if isinstance(w, QLineEdit):
            return w.text()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        if isinstance(w, DateEntryWidget):
            return w.raw()
        if isinstance(w, ChoiceButtons):
            return w.value()
        if isinstance(w, WeightEntryWidget):
            return "" if w.is_empty() else w.value()
        return None

    def set_value(self, value: Any) -> None:
        if self.locked:
            return  # the record's value stays what is shown
        w = self.input
        if isinstance(w, QLineEdit):
            w.setText("" if value is None else str(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText("" if value is None else str(value))
        elif isinstance(w, DateEntryWidget | WeightEntryWidget):
            w.set_value(value)
        elif isinstance(w, ChoiceButtons):
            w.set_value(value if value is not None else [])

    def local_problem(self) -> str:
        """A problem this widget can tell without the service (a half-typed date)."""
        if isinstance(self.input, DateEntryWidget):
            problem = self.input.problem()
            if problem == "incomplete":
                return t("date_incomplete", self.lang)
            if problem == "invalid":
                return t("date_invalid", self.lang)
        return ""

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        for w in [self.input, *self.input.findChildren(QLineEdit)]:
            if isinstance(w, QLineEdit | QPlainTextEdit):
                set_flag(w, "invalid", bool(text))
        # An error is said first, then the help that goes with the field.
        self.input.setAccessibleDescription(" ".join(p for p in (text, self._help) if p))
        announce(self.error, text)

    def check(self, today: dt.date) -> None:
        """Validate this answer as soon as the person leaves it; say what is wrong, kindly."""
        problem = self.local_problem()
        if not problem:
            raw = self.raw()
            if raw in ("", None, []):
                self.show_error("")
                return
            try:
                validate_answer(self.question, raw, today)
            except ValidationError as exc:
                problem = message(exc.message, self.lang)
        self.show_error(problem)

    def _on_input_changed(self, *_args: object) -> None:
        if self.error.isVisible() and not self.local_problem():
            self.show_error("")
        self.changed.emit()

    def _on_input_editing_finished(self) -> None:
        page = self.parent()
        while page is not None and not isinstance(page, QuestionPage):
            page = page.parent()
        if isinstance(page, QuestionPage):
            self.check(page.today)


class QuestionPage(KioskPage):
    """The questions of one intake page; only those that apply are shown, as answers change.

    On the identity page the date of birth is the record's, shown and not typed; the patient
    can say it is not theirs (``dob_disputed``), which pauses the visit for staff.
    """

    def __init__(self, flow: KioskFlow, page_id: str, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.flow = flow
        self.page_id = page_id
        self.today = flow.visit_date
        page = flow.page(page_id)
        self.setObjectName(f"page_{page_id}")
        self.add_title(page.title(lang))
        if page.intro is not None:
            self.add_text(page.intro(lang), "lead")
        self.fields: dict[str, QuestionField] = {}
        ids = {q.id for q in page.questions}
        if ids & {"first_name", "last_name"}:
            self.add_text(t("identity_name_note", lang), "help")
        for q in page.questions:
            stored = flow.answers.get(q.id)
            locked = q.id in LOCKED and q.id in IDENTITY_FIELDS and stored is not None
            field = QuestionField(q, lang, self.body, locked_value=stored if locked else None)
            if stored is not None:
                field.set_value(stored)
            field.changed.connect(self._on_field_changed)
            field.disputed.connect(self.dob_disputed)
            self.content.addWidget(field)
            self.fields[q.id] = field
        self.hint = self.add_text(t("complete_to_continue", lang), "help")
        self.page_error = self.add_text("", "error")
        self.page_error.hide()
        self.finish()
        self._update_visibility()

    def visible_ids(self) -> list[str]:
        typed = {qid: f.raw() for qid, f in self.fields.items()}
        return [q.id for q in self.flow.visible_questions(self.page_id, typed)]

    def raw_values(self) -> dict[str, Any]:
        return {qid: self.fields[qid].raw() for qid in self.visible_ids()}

    def local_problems(self) -> dict[str, str]:
        out = {}
        for qid in self.visible_ids():
            problem = self.fields[qid].local_problem()
            if problem:
                out[qid] = problem
        return out

    def is_complete(self) -> bool:
        return not self.flow.page_missing(self.page_id, self.raw_values())

    def payload(self) -> Payload:
        problems = self.local_problems()
        if problems:
            return PageProblems(problems)
        return IntakeAnswers(self.page_id, self.raw_values())

    def _update_visibility(self) -> None:
        visible = set(self.visible_ids())
        shown = {qid for qid, field in self.fields.items() if not field.isHidden()}
        changed = [qid for qid in self.fields if (qid in visible) != (qid in shown)]

        def apply() -> None:
            for qid, field in self.fields.items():
                field.setVisible(qid in visible)

        # A follow-up appearing (or going) must not move the question below it, which the
        # patient's finger may be on its way to: that one stays where it is on screen.
        order = list(self.fields)
        below = (
            [
                self.fields[qid]
                for qid in order[order.index(changed[0]) + 1 :]
                if qid in visible and qid in shown
            ]
            if changed and self.isVisible()
            else []
        )
        if below:
            self.keep_in_place(below[0], apply)
        else:
            apply()
        self.hint.setVisible(not self.is_complete())

    def _on_field_changed(self) -> None:
        self._update_visibility()
        self.completeness_changed.emit(self.is_complete())

    def show_errors(self, errors: dict[str, str]) -> None:
        first: QuestionField | None = None
        for qid, field in self.fields.items():
            text = errors.get(qid, "")
            field.show_error(message(text, self.lang) if text else "")
            if text and first is None:
                first = field
        unknown = [msg for key, msg in errors.items() if key not in self.fields]
        self.page_error.setText(" ".join(message(m, self.lang) for m in unknown))
        self.page_error.setVisible(bool(unknown))
        if first is not None:
            self.reveal(first)
            first.focus_first()

    def snapshot(self) -> dict[str, Any]:
        return {qid: f.raw() for qid, f in self.fields.items()}

    def restore(self, snapshot: dict[str, Any]) -> None:
        for qid, value in snapshot.items():
            if qid in self.fields:
                self.fields[qid].set_value(value)
        self._update_visibility()

    def focus_first(self) -> None:
        for qid in self.visible_ids():
            self.fields[qid].focus_first()
            return

    def field_label(self, qid: str) -> QLabel:
        return self.fields[qid].title
