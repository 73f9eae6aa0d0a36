"""Drives the kiosk the way a patient does (clicks, typing, a drawn signature), for the kiosk tests.

Also tests the pieces the driver relies on: the signature pad records only pressed-button
strokes, answer buttons wrap and honour "none of these".
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from intake.domain import rules
from intake.services.context import AppContext
from intake.services.patients import PatientService
from intake.services.scripted import STAFF_PIN, ScriptedPatient, ensure_staff
from intake.services.staff import staff_actor
from intake.services.visits import StartedVisit, VisitService
from intake.ui.kiosk import KioskWindow
from intake.ui.operations import wait_for_operations
from intake.ui.widgets.choices import ChoiceButtons, WrapButton
from intake.ui.widgets.signature_pad import SignaturePadWidget

INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, SignaturePadWidget)


@dataclass
class Registered:
    patient: ScriptedPatient
    patient_id: int
    started: StartedVisit


def register(ctx: AppContext, patient: ScriptedPatient) -> Registered:
    """The front desk registers the patient and starts a visit (the code goes on a slip)."""
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk", STAFF_PIN))
    row = PatientService(ctx).register(
        desk,
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        sex_at_birth=patient.sex_at_birth,
        lang=patient.lang,
    )
    started = VisitService(ctx).start_visit(desk, row.id, patient.lang)
    return Registered(patient, row.id, started)


def desk_actor(ctx: AppContext):  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk", STAFF_PIN))


def type_text(widget: QWidget, text: str) -> None:
    """Key presses for every character, accents included (QTest.keyClicks takes ASCII only)."""
    for ch in text:
        if ch.isascii() and ch.isalnum():
            key = ord(ch.upper())
        elif ch == " ":
            key = Qt.Key.Key_Space
        else:
            key = Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))


def draw(pad: QWidget, points: Iterable[tuple[float, float]]) -> None:
    """One stroke with the left button held down, as real mouse events."""
    pts = list(points)

    def send(kind: QEvent.Type, x: float, y: float, button: Qt.MouseButton, held: Any) -> None:
        local = QPointF(x, y)
        event = QMouseEvent(
            kind, local, pad.mapToGlobal(local), button, held, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(pad, event)

    left = Qt.MouseButton.LeftButton
    send(QEvent.Type.MouseButtonPress, *pts[0], left, left)
    for x, y in pts[1:]:
        send(QEvent.Type.MouseMove, x, y, Qt.MouseButton.NoButton, left)
    send(QEvent.Type.MouseButtonRelease, *pts[-1], left, Qt.MouseButton.NoButton)


def signature_points(width: int, height: int, part: int = 0) -> list[tuple[float, float]]:
    import math

    return [
        (
            width * (0.1 + 0.38 * i / 39 + 0.42 * part),
            height * (0.5 + 0.22 * math.sin(i / 39 * 9 + part)),
        )
        for i in range(40)
    ]


class KioskDriver:
    def __init__(self, qtbot: Any, window: KioskWindow, ctx: AppContext):
        self.qtbot = qtbot
        self.window = window
        self.ctx = ctx
        self.pages_seen: list[str] = []
        window.page_changed.connect(self.pages_seen.append)
        # Issuing may finish while the driver waits for the last signature's save to be drawn.
        self.documents: list[Any] = []
        self._documents_taken = 0
        window.documents_finished.connect(self.documents.append)

    # --- finding ---------------------------------------------------------------------------------

    @property
    def page(self) -> QWidget:
        page = self.window.current_page
        assert page is not None
        return page

    def find(self, name: str, kind: type = QWidget) -> Any:
        widget = self.page.findChild(kind, name)
        if widget is None and self.window.pin_dialog is not None:
            widget = self.window.pin_dialog.findChild(kind, name)
        if widget is None:
            widget = self.window.findChild(kind, name)
        assert widget is not None, f"no {kind.__name__} named {name!r} on {self.page.objectName()}"
        return widget

    def by_accessible_name(self, name: str) -> QWidget:
        for w in self.page.findChildren(QWidget):
            if w.accessibleName() == name and w.isVisibleTo(self.window):
                return w
        raise AssertionError(f"nothing called {name!r} on {self.page.objectName()}")

    # --- doing -----------------------------------------------------------------------------------

    def click(self, widget: QWidget | str) -> None:
        if isinstance(widget, str):
            widget = self.find(widget)
        assert widget.isEnabled(), f"{widget.objectName()} is disabled"
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        self.wait_idle()

    def type_into(self, widget: QWidget | str, text: str, *, replace: bool = True) -> None:
        if isinstance(widget, str):
            widget = self.find(widget)
        if replace and isinstance(widget, QLineEdit | QPlainTextEdit):
            widget.clear()
        widget.setFocus()
        type_text(widget, text)
        self.wait_idle()  # valid initials are saved as soon as they are typed

    def next(self) -> None:
        button = self.window.nav.next
        assert button.isVisible(), "no Next button on this page"
        assert button.isEnabled(), f"Next is disabled on {self.page.objectName()}"
        self.click(button)

    def back(self) -> None:
        button = self.window.nav.back
        assert button.isVisible() and button.isEnabled(), "Back is not offered"
        self.click(button)

    def step(self) -> str:
        flow = self.window.flow
        assert flow is not None
        return flow.current.id

    def wait_ready(self) -> None:
        self.qtbot.waitUntil(self.window.is_ready, timeout=20_000)

    def wait_idle(self) -> None:
        """Until what the kiosk saves off the GUI thread is saved and drawn."""
        if self.window.busy:
            self.qtbot.waitUntil(lambda: not self.window.busy, timeout=30_000)

    # --- welcome ---------------------------------------------------------------------------------

    def enter_date(self, widget: QWidget, date: dt.date | str) -> None:
        if isinstance(date, dt.date):
            month, day, year = f"{date.month:02d}", f"{date.day:02d}", str(date.year)
        else:
            month, day, year = date.split("/")
        for name, text in (("date_month", month), ("date_day", day), ("date_year", year)):
            edit = widget.findChild(QLineEdit, name)
            edit.clear()
            edit.setFocus()
            type_text(edit, text)

    def open_with_code(self, dob: dt.date, code: str) -> None:
        self.wait_ready()
        self.check_page()
        self.enter_date(self.find("welcome_dob"), dob)
        self.type_into("welcome_code", code)
        self.click("welcome_start")

    def staff_pin(self, username: str = "desk", pin: str = STAFF_PIN) -> None:
        self.qtbot.waitUntil(lambda: self.window.pin_dialog is not None)
        dialog = self.window.pin_dialog
        assert dialog is not None
        self.qtbot.waitUntil(dialog.isVisible)
        with self.qtbot.waitSignal(dialog.staff_confirmed, timeout=20_000):
            self.type_into(dialog.username, username)
            self.type_into(dialog.secret, pin)
            self.click(dialog.confirm_button)
        self.wait_idle()  # what the kiosk does with the staff member's sign-in

    def release_mood_alert(
        self, note: str = "Seen in private; safety plan agreed.", username: str = "drruiz"
    ) -> None:
        """A clinician (the clinic's release role) signs in at the help page and writes a note."""
        ensure_staff(self.ctx, "clinician", username, "Dr Ana Ruiz", STAFF_PIN)
        self.click("help_staff_continue")
        self.staff_pin(username)
        self.qtbot.waitUntil(lambda: self.window.release_dialog is not None)
        dialog = self.window.release_dialog
        assert dialog is not None
        self.qtbot.waitUntil(dialog.isVisible)
        self.type_into(dialog.note, note)  # type: ignore[attr-defined]
        self.click(dialog.release_button)  # type: ignore[attr-defined]
        self.qtbot.waitUntil(lambda: self.window.release_dialog is None)
        self.wait_idle()

    # --- pages -----------------------------------------------------------------------------------

    def answer(self, qid: str, value: Any) -> None:
        field = self.page.fields[qid]  # type: ignore[attr-defined]
        widget = field.input
        q = field.question
        if q.type in ("name", "text", "phone", "email", "longtext"):
            self.type_into(widget, "" if value is None else str(value))
        elif q.type == "date":
            date = dt.date.fromisoformat(value) if isinstance(value, str) else value
            self.enter_date(widget, date)
        elif q.type == "choice":
            self.click(widget.button(value))
        elif q.type == "multi":
            for v, button in widget.buttons().items():
                if button.isChecked() != (v in value):
                    self.click(button)
        elif q.type == "weight":
            self.type_into(widget.number, str(value["value"]))
            self.click(widget.kg if value["unit"] == "kg" else widget.lb)
        else:
            raise AssertionError(q.type)

    def fill_intake_page(self, answers: dict[str, Any]) -> None:
        page = self.page
        for qid in list(answers):
            if qid in page.visible_ids():  # type: ignore[attr-defined]
                if page.fields[qid].locked:  # type: ignore[attr-defined]
                    continue  # shown from the patient record, not typed
                self.answer(qid, answers[qid])

    def fill_intake(self, patient: ScriptedPatient) -> None:
        pages = patient.page_answers()
        while self.step().startswith("intake:"):
            self.check_page()
            page_id = self.step().split(":", 1)[1]
            self.fill_intake_page(pages.get(page_id, {}))
            self.next()

    def answer_phq9(self, answers: Iterable[int], difficulty: str = "not_difficult") -> None:
        assert self.step() == "phq9"
        self.check_page()
        page = self.page
        for buttons, value in zip(page.items, answers, strict=True):  # type: ignore[attr-defined]
            self.click(buttons.button(str(value)))
        self.click(page.difficulty.button(difficulty))  # type: ignore[attr-defined]
        self.next()

    def fill_guardian(self, first: str, last: str, relationship: str = "parent") -> None:
        assert self.step() == "guardian"
        self.check_page()
        self.type_into("guardian_first", first)
        self.type_into("guardian_last", last)
        self.click(self.page.relationship.button(relationship))  # type: ignore[attr-defined]
        self.next()

    def initial_topic(self, patient: ScriptedPatient) -> None:
        page = self.page
        mine = rules.expected_initials_for(patient.first_name, patient.last_name)
        theirs = rules.expected_initials_for(*patient.guardian)
        for (_sid, role), field in page.fields.items():  # type: ignore[attr-defined]
            if not field.done:
                self.type_into(field.edit, mine if role == "patient" else theirs)
                assert field.done, field.error.text()

    def walk_topics(self, patient: ScriptedPatient) -> list[str]:
        seen = []
        while self.step().startswith("topic:"):
            self.check_page()
            seen.append(self.step())
            self.initial_topic(patient)
            self.next()
        return seen

    def answer_quiz(
        self, wrong: set[str] | None = None, patient: ScriptedPatient | None = None
    ) -> None:
        """Answer every question right; a question in ``wrong`` is first answered wrongly."""
        wrong = set(wrong or ())
        while self.step().startswith("quiz:"):
            self.check_page()
            page = self.page
            question = page.question  # type: ignore[attr-defined]
            if question.id in wrong:
                wrong.discard(question.id)
                bad = next(c.id for c in question.choices if c.id != question.answer)
                self.click(page.choices.button(bad))  # type: ignore[attr-defined]
                self.next()
                assert page.explanation_card.isVisible()  # type: ignore[attr-defined]
                self.next()  # "read that part again"
                assert patient is not None
                while self.step().startswith("topic:"):
                    self.initial_topic(patient)
                    self.next()
                assert self.step() == f"quiz:{question.id}"
                page = self.page
            self.click(page.choices.button(question.answer))  # type: ignore[attr-defined]
            self.next()

    def sign(self, *, expect_next: str | None = None) -> None:
        assert self.step().startswith("sign:")
        self.check_page()
        pad = self.find("signature_pad", SignaturePadWidget)
        draw(pad, signature_points(pad.width(), pad.height(), 0))
        draw(pad, signature_points(pad.width(), pad.height(), 1))
        self.next()
        if expect_next is not None:
            assert self.step() == expect_next

    def walk_visit_to_signing(self, patient: ScriptedPatient) -> None:
        """From the first intake page to the (first) signature page."""
        self.fill_intake(patient)
        self.answer_phq9(patient.phq9)
        if self.step() == "guardian":
            self.fill_guardian(*patient.guardian)
        self.walk_topics(patient)
        self.answer_quiz()
        assert self.step() == "review"
        self.next()
        assert self.step().startswith("sign:")

    def walk_visit(self, patient: ScriptedPatient, *, phq9: Iterable[int] | None = None) -> None:
        """From the first intake page to Done, answering like the scripted patient."""
        self.fill_intake(patient)
        self.answer_phq9(phq9 or patient.phq9)
        if self.step() == "guardian":
            self.fill_guardian(*patient.guardian)
        self.walk_topics(patient)
        self.answer_quiz()
        assert self.step() == "review"
        self.check_page()
        self.next()
        self.sign()
        if self.step() == "sign:guardian":
            self.sign()
        assert self.step() == "done"
        self.check_page()

    def wait_documents(self) -> Any:
        """The documents issued after the last signature (None: left to staff)."""
        self.qtbot.waitUntil(lambda: len(self.documents) > self._documents_taken, timeout=60_000)
        self._documents_taken += 1
        return self.documents[self._documents_taken - 1]

    # --- checks ----------------------------------------------------------------------------------

    def check_page(self) -> None:
        """Every visible interactive widget has an accessible name and a 44 px touch target."""
        self.wait_idle()
        QApplication.processEvents()  # pending layout requests: sizes are final
        roots: list[QWidget] = [self.page, self.window.bar, self.window.nav]
        for root in roots:
            for w in [root, *root.findChildren(QWidget)]:
                if not isinstance(w, INTERACTIVE) or not w.isVisibleTo(self.window):
                    continue
                where = f"{self.page.objectName()}/{w.objectName() or type(w).__name__}"
                assert w.accessibleName().strip(), f"{where} has no accessible name"
                if isinstance(w, QAbstractButton | QLineEdit | SignaturePadWidget):
                    assert w.height() >= 44, f"{where} is only {w.height()} px high"
                    assert w.width() >= 44, f"{where} is only {w.width()} px wide"


def stored_checks(ctx: AppContext, reg: Registered, *, lang: str, signers: tuple[str, ...]) -> None:
    """The visit in storage is complete and submitted, in the patient's language."""
    visits = VisitService(ctx)
    desk = desk_actor(ctx)
    draft = visits.draft(desk, reg.started.visit_id)
    assert draft.status == "submitted"
    assert draft.lang == lang
    assert set(draft.signed_roles) == set(signers)
    assert draft.quiz_passed
    assert visits.completeness(desk, reg.started.visit_id).missing == []
    facts = draft.facts()
    for st in rules.applicable_statements(ctx.forms.risks, facts):
        for role in rules.acknowledgers(st, facts):
            assert (st.id, role) in draft.acknowledged


def pdf_checks(
    ctx: AppContext, reg: Registered, documents: object, *, lang: str, words: tuple[str, ...]
) -> None:
    try:
        from intake.services.documents import DocumentService
    except ImportError:
        assert documents is None
        return
    from pypdf import PdfReader

    assert documents, "the Done page made no documents"
    service = DocumentService(ctx)
    desk = desk_actor(ctx)
    infos = service.documents(desk, reg.started.visit_id)
    assert {d.kind for d in infos} >= {"consent", "education", "summary"}
    consent = next(d for d in infos if d.kind == "consent")
    assert consent.lang == lang
    data = service.open_pdf(desk, consent.id)
    assert data.startswith(b"%PDF")
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    for word in words:
        assert word in text, f"{word!r} is not in the consent PDF"
    assert service.verify_bytes(data).valid


def every_text(root: QWidget) -> list[str]:
    """Every text a widget tree shows or tells assistive technology."""
    out = [root.windowTitle()]
    for w in [root, *root.findChildren(QWidget)]:
        out += [w.accessibleName(), w.accessibleDescription(), w.toolTip(), w.windowTitle()]
        for attr in ("text", "toPlainText", "placeholderText", "currentText"):
            getter = getattr(w, attr, None)
            if callable(getter):
                try:
                    value = getter()
                except TypeError:
                    continue
                if isinstance(value, str):
                    out.append(value)
        if isinstance(w, WrapButton):
            out.append(w.full_text())
    return [s for s in out if s]


# --- the pieces the driver relies on ---------------------------------------------------------------


def test_pad_records_pressed_button_strokes_only(qtbot) -> None:  # type: ignore[no-untyped-def]
    pad = SignaturePadWidget()
    qtbot.addWidget(pad)
    pad.resize(600, 200)
    pad.show()
    with qtbot.assertNotEmitted(pad.signed_changed):
        qtbot.mouseMove(pad, QPoint(10, 10))
        qtbot.mouseMove(pad, QPoint(200, 100))
    assert not pad.has_ink()
    with qtbot.waitSignal(pad.signed_changed) as blocker:
        draw(pad, signature_points(600, 200))
    assert blocker.args == [True]
    assert len(pad.strokes) == 1 and len(pad.strokes[0]) >= 30
    assert all(0 <= x <= 600 and 0 <= y <= 200 for x, y in pad.strokes[0])
    # QTest's own press/move/release draw too.
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(50, 50))
    QTest.mouseMove(pad, QPoint(150, 120))
    QTest.mouseMove(pad, QPoint(250, 60))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(300, 80))
    assert len(pad.strokes) == 2 and len(pad.strokes[1]) >= 3
    with qtbot.waitSignal(pad.signed_changed) as blocker:
        pad.clear()
    assert blocker.args == [False] and pad.strokes == []


def test_pad_can_be_signed_from_the_keyboard(qtbot) -> None:  # type: ignore[no-untyped-def]
    pad = SignaturePadWidget()
    qtbot.addWidget(pad)
    pad.resize(600, 200)
    assert not pad.adopt_typed("   ")
    assert pad.adopt_typed("Zoë Nguyễn")
    points = [p for s in pad.strokes for p in s]
    assert len(points) > 50
    xs = [x for x, _ in points]
    assert max(xs) - min(xs) > 0.5 * 600
    assert all(0 <= x <= 600 and 0 <= y <= 200 for x, y in points)
    pad.setFocus()
    QTest.keyClick(pad, Qt.Key.Key_Delete)
    assert not pad.has_ink()


def test_exclusive_option_clears_the_others(qtbot) -> None:  # type: ignore[no-untyped-def]
    host = QWidget()  # a window without a layout: no size hints for the offscreen platform
    qtbot.addWidget(host)
    buttons = ChoiceButtons(
        [("a", "Apple"), ("b", "Banana"), ("none", "None of these")],
        multi=True,
        exclusive=["none"],
        name="Fruit",
        parent=host,
    )
    buttons.resize(600, 200)
    host.resize(600, 200)
    host.show()
    qtbot.mouseClick(buttons.button("a"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(buttons.button("b"), Qt.MouseButton.LeftButton)
    assert buttons.value() == ["a", "b"]
    qtbot.mouseClick(buttons.button("none"), Qt.MouseButton.LeftButton)
    assert buttons.value() == ["none"]
    qtbot.mouseClick(buttons.button("a"), Qt.MouseButton.LeftButton)
    assert buttons.value() == ["a"]


def test_long_option_labels_wrap_instead_of_clipping(qtbot) -> None:  # type: ignore[no-untyped-def]
    text = "I have had an operation to make me permanently unable to get pregnant (sterilization)"
    host = QWidget()
    qtbot.addWidget(host)
    button = WrapButton(text, host, marks=("○", "●"))
    short = button.heightForWidth(2000)
    narrow = button.heightForWidth(300)
    assert narrow > short >= 44
    button.resize(300, narrow)
    host.show()
    assert "\n" in button.text()
    assert button.accessibleName() == text
    assert all(
        button.fontMetrics().horizontalAdvance(line) <= 300 for line in button.text().split("\n")
    )


def test_driver_helpers_leave_no_background_work(qtbot) -> None:  # type: ignore[no-untyped-def]
    assert wait_for_operations(1000)


def test_pad_draws_with_touch_and_pen(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QPointingDevice, QTabletEvent

    pad = SignaturePadWidget()
    qtbot.addWidget(pad)
    pad.resize(600, 200)
    pad.show()
    finger = QTest.createTouchDevice()
    touch = QTest.touchEvent(pad, finger)
    touch.press(0, QPoint(40, 100)).commit()
    for x in range(60, 300, 20):
        QTest.touchEvent(pad, finger).move(0, QPoint(x, 100 + x % 40)).commit()
    QTest.touchEvent(pad, finger).release(0, QPoint(300, 120)).commit()
    assert len(pad.strokes) == 1 and len(pad.strokes[0]) >= 10

    pen = QPointingDevice.primaryPointingDevice()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton

    def tablet(kind: QEvent.Type, x: float, button: Qt.MouseButton, held: Qt.MouseButton) -> None:
        pos = QPointF(x, 60 + x / 10)
        event = QTabletEvent(
            kind,
            pen,
            pos,
            pad.mapToGlobal(pos),
            0.6,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            Qt.KeyboardModifier.NoModifier,
            button,
            held,
        )
        QApplication.sendEvent(pad, event)

    tablet(QEvent.Type.TabletPress, 320, left, left)
    for x in range(330, 560, 10):
        tablet(QEvent.Type.TabletMove, x, none, left)
    tablet(QEvent.Type.TabletRelease, 560, left, none)
    assert len(pad.strokes) == 2 and len(pad.strokes[1]) >= 20
