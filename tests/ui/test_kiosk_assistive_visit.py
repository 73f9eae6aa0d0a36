"""A whole kiosk visit the way a screen reader or a switch device makes it: only Qt's
accessibility interface (actions, editable text, values), not one key or mouse event. At every
page the accessibility tree is walked for unnamed controls, wrong roles and a missing heading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAccessible, QAccessibleActionInterface
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QPlainTextEdit, QWidget
from test_kiosk_a11y_tree import accessible, tree_problems
from test_kiosk_driver import KioskDriver, register, stored_checks

from intake.domain import rules
from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.ui.widgets.access import SIGN_ACTION

INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.KeyRelease,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.TouchBegin,
    QEvent.Type.TabletPress,
}


class InputCounter(QObject):
    """Counts key, mouse, touch and pen events anywhere in the application."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self.seen.append(f"{event.type().name} to {watched.objectName()}")
        return False


class ScreenReader:
    """Acts on the kiosk through QAccessible only; checks the tree on every page it reaches."""

    def __init__(self, kiosk: KioskDriver):
        self.kiosk = kiosk
        self.problems: list[str] = []
        self.pages: list[str] = []

    # --- the accessibility interface -------------------------------------------------------------

    def act(self, widget: QWidget, *wanted: str) -> None:
        iface = accessible(widget)
        assert not iface.state().disabled, f"{widget.objectName()} is disabled"
        actions = iface.actionInterface()
        assert actions is not None, f"{widget.objectName()} has no actions"
        names = actions.actionNames()
        name = next((n for n in wanted if n in names), None)
        assert name is not None, f"{widget.objectName()} offers {names}, not {wanted}"
        actions.doAction(name)

    def press(self, button: QAbstractButton, then: Callable[[], Any] | None = None) -> None:
        """The press (or toggle) action; Qt animates the press, so wait for what it does."""
        iface = accessible(button)
        was = iface.state().checked
        self.act(
            button,
            QAccessibleActionInterface.pressAction(),
            QAccessibleActionInterface.toggleAction(),
        )
        self.kiosk.wait_idle()  # a press that saves is saved and drawn before anything is read
        if then is None and iface.state().checkable:
            then = lambda: accessible(button).state().checked != was  # noqa: E731
        if then is not None:
            self.kiosk.qtbot.waitUntil(then, timeout=10_000)

    def type(self, widget: QWidget, text: str) -> None:
        iface = accessible(widget)
        assert iface.role() == QAccessible.Role.EditableText, widget.objectName()
        editable = iface.editableTextInterface()
        if editable is not None and isinstance(widget, QPlainTextEdit):
            editable.replaceText(0, len(widget.toPlainText()), text)
        else:
            iface.setText(QAccessible.Text.Value, text)
        self.kiosk.wait_idle()  # valid initials are saved as soon as they are set
        if not shiboken6.isValid(widget):
            return  # the save redrew the page (a statement marked done)
        assert iface.text(QAccessible.Text.Value) or not text  # as typed, or as tidied

    def choose(self, button: QAbstractButton) -> None:
        if not accessible(button).state().checked:
            self.press(button)

    def next(self) -> None:
        before = self.kiosk.step()
        # The press is animated (it lands a moment later), then saved off the GUI thread: the
        # step changes when the save is done, the page when it has been drawn.
        self.press(
            self.kiosk.window.nav.next,
            lambda: self.kiosk.step() != before and not self.kiosk.window.busy,
        )
        self.arrived()

    def arrived(self) -> None:
        self.kiosk.qtbot.waitUntil(lambda: self.kiosk.window.current_page is not None)
        page = self.kiosk.page
        self.pages.append(page.objectName())
        self.problems += tree_problems(self.kiosk)
        # A screen reader user starts at the new page's heading.
        heading = accessible(QApplication.focusWidget())
        if heading.role() != QAccessible.Role.Heading:
            self.problems.append(f"{page.objectName()}: focus is on a {heading.role().name}")

    # --- pages -----------------------------------------------------------------------------------

    def welcome(self, dob: dt.date, code: str) -> None:
        self.arrived()
        dates = self.kiosk.find("welcome_dob")
        for name, text in (
            ("date_month", f"{dob.month:02d}"),
            ("date_day", f"{dob.day:02d}"),
            ("date_year", str(dob.year)),
        ):
            self.type(dates.findChild(QLineEdit, name), text)
        self.type(self.kiosk.find("welcome_code", QLineEdit), code)
        self.press(
            self.kiosk.find("welcome_start", QAbstractButton),
            lambda: self.kiosk.window.flow is not None and not self.kiosk.window.busy,
        )
        self.arrived()

    def answer(self, field: Any, value: Any) -> None:
        q = field.question
        widget = field.input
        if q.type in ("name", "text", "phone", "email", "longtext"):
            self.type(widget, "" if value is None else str(value))
        elif q.type == "date":
            day = dt.date.fromisoformat(value) if isinstance(value, str) else value
            parts = {"date_month": day.month, "date_day": day.day, "date_year": day.year}
            for edit in widget.edits():
                self.type(edit, str(parts[edit.objectName()]))
        elif q.type == "choice":
            self.choose(widget.button(value))
        elif q.type == "multi":
            for v, button in widget.buttons().items():
                if accessible(button).state().checked != (v in value):
                    self.press(button)
        elif q.type == "weight":
            self.type(widget.number, str(value["value"]))
            self.choose(widget.kg if value["unit"] == "kg" else widget.lb)
        else:
            raise AssertionError(q.type)

    def intake(self, patient: ScriptedPatient) -> None:
        pages = patient.page_answers()
        while self.kiosk.step().startswith("intake:"):
            page = self.kiosk.page
            answers = pages.get(self.kiosk.step().split(":", 1)[1], {})
            for qid, value in answers.items():
                field = page.fields[qid]  # type: ignore[attr-defined]
                if qid in page.visible_ids() and not field.locked:  # type: ignore[attr-defined]
                    self.answer(field, value)
            self.next()

    def phq9(self, answers: tuple[int, ...]) -> None:
        page = self.kiosk.page
        for buttons, value in zip(page.items, answers, strict=True):  # type: ignore[attr-defined]
            self.choose(buttons.button(str(value)))
        if any(answers):
            self.choose(page.difficulty.button("not_difficult"))  # type: ignore[attr-defined]
        self.next()

    def guardian(self, first: str, last: str) -> None:
        page = self.kiosk.page
        self.type(page.first, first)  # type: ignore[attr-defined]
        self.type(page.last, last)  # type: ignore[attr-defined]
        self.choose(page.relationship.button("parent"))  # type: ignore[attr-defined]
        self.next()

    def topics(self, patient: ScriptedPatient) -> None:
        mine = rules.expected_initials_for(patient.first_name, patient.last_name)
        theirs = rules.expected_initials_for(*patient.guardian)
        while self.kiosk.step().startswith("topic:"):
            for (_sid, role), field in self.kiosk.page.fields.items():  # type: ignore[attr-defined]
                if not field.done:
                    self.type(field.edit, mine if role == "patient" else theirs)
                    assert field.done, field.error.text()
            self.next()

    def quiz(self, wrong_first: bool, patient: ScriptedPatient) -> None:
        while self.kiosk.step().startswith("quiz:"):
            page = self.kiosk.page
            question = page.question  # type: ignore[attr-defined]
            if wrong_first:
                wrong_first = False
                bad = next(c.id for c in question.choices if c.id != question.answer)
                self.choose(page.choices.button(bad))  # type: ignore[attr-defined]
                before = self.kiosk.page
                self.press(
                    self.kiosk.window.nav.next,
                    lambda p=before: p.explanation_card.isVisible(),  # type: ignore[attr-defined]
                )
                self.problems += tree_problems(self.kiosk)  # the explanation, answers locked
                self.next()  # read that part again
                self.topics(patient)
                page = self.kiosk.page
            self.choose(page.choices.button(question.answer))  # type: ignore[attr-defined]
            self.next()

    def sign(self) -> None:
        pad = self.kiosk.find("signature_pad")
        self.act(pad, SIGN_ACTION)  # the keyboard alternative, through the pad's own action
        assert pad.has_ink()
        self.next()


def progress(kiosk: KioskDriver) -> float:
    value = accessible(kiosk.window.nav.bar).valueInterface()
    assert value is not None
    return float(value.currentValue())


@pytest.mark.parametrize("who", ["adult_can_become_pregnant", "minor_with_guardian"])
def test_a_whole_visit_through_the_accessibility_interface_alone(
    kiosk: KioskDriver, sqlite_ctx: AppContext, who: str
) -> None:
    today = sqlite_ctx.today()
    if who == "minor_with_guardian":
        patient = ScriptedPatient(
            first_name="Mateo",
            last_name="Álvarez",
            date_of_birth=today.replace(year=today.year - 16) - dt.timedelta(days=40),
            sex_at_birth="male",
            can_become_pregnant=False,
        )
    else:
        patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    counter = InputCounter()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(counter)
    try:
        reader = ScreenReader(kiosk)
        reader.welcome(patient.date_of_birth, reg.started.code)
        start = progress(kiosk)
        reader.intake(patient)
        assert progress(kiosk) > start  # the progress bar's value, as a screen reader reads it
        reader.phq9(patient.phq9)
        if who == "minor_with_guardian":
            assert kiosk.step() == "guardian"
            reader.guardian(*patient.guardian)
        reader.topics(patient)
        reader.quiz(wrong_first=who == "adult_can_become_pregnant", patient=patient)
        assert kiosk.step() == "review"
        reader.next()
        reader.sign()
        signers: tuple[str, ...] = ("patient",)
        if who == "minor_with_guardian":
            assert kiosk.step() == "sign:guardian"
            assert kiosk.page.printed_name.text() == " ".join(patient.guardian)  # type: ignore[attr-defined]
            reader.sign()
            signers = ("patient", "guardian")
        assert kiosk.step() == "done"
    finally:
        app.removeEventFilter(counter)
    assert counter.seen == [], "key or mouse events were sent"
    assert reader.problems == []
    assert {"page_identity", "page_phq9", "page_review", "page_done"} <= set(reader.pages)
    assert any(p.startswith("page_quiz") for p in reader.pages)
    assert any(p.startswith("page_sign") for p in reader.pages)
    kiosk.wait_documents()
    stored_checks(sqlite_ctx, reg, lang="en", signers=signers)
