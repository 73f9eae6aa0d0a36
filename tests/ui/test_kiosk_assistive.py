"""What assistive technology does through Qt's accessibility interface (the path a screen reader
or a switch device takes: QAccessible text, value and action interfaces, no key or mouse
events) counts exactly as typing and pressing do."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAccessible, QAccessibleActionInterface
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QWidget
from test_kiosk_driver import KioskDriver, register

from intake.domain import rules
from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService


def set_text(widget: QWidget, text: str) -> None:
    """What AT-SPI's EditableText does: the accessible interface sets the text."""
    iface = QAccessible.queryAccessibleInterface(widget)
    assert iface is not None and iface.isValid()
    iface.setText(QAccessible.Text.Value, text)


def press(widget: QWidget) -> None:
    """What AT-SPI's Action (or a switch device) does: the accessible press action."""
    iface = QAccessible.queryAccessibleInterface(widget)
    assert iface is not None
    actions = iface.actionInterface()
    assert actions is not None
    names = actions.actionNames()
    wanted = (QAccessibleActionInterface.pressAction(), QAccessibleActionInterface.toggleAction())
    name = next(n for n in wanted if n in names)
    actions.doAction(name)


def test_welcome_takes_a_date_and_code_set_through_the_accessibility_interface(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    dob = patient.date_of_birth
    welcome = kiosk.find("welcome_dob")
    start = kiosk.find("welcome_start", QAbstractButton)
    assert not start.isEnabled()
    for name, text in (
        ("date_month", f"{dob.month:02d}"),
        ("date_day", f"{dob.day:02d}"),
        ("date_year", str(dob.year)),
    ):
        set_text(welcome.findChild(QLineEdit, name), text)
    set_text(kiosk.find("welcome_code", QLineEdit), reg.started.code)
    assert start.isEnabled()  # it reacted to the text, whoever set it
    press(start)
    kiosk.qtbot.waitUntil(lambda: kiosk.step() == "intake:identity")


def test_initials_set_through_the_accessibility_interface_count(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    while not kiosk.step().startswith("topic:"):
        kiosk.next()
    mine = rules.expected_initials_for(patient.first_name, patient.last_name)
    page = kiosk.page
    fields = page.fields  # type: ignore[attr-defined]
    for (_sid, _role), field in fields.items():
        set_text(field.edit, mine)
        kiosk.wait_idle()
        assert field.done, field.error.text()
    draft = VisitService(sqlite_ctx).draft(kiosk.window.control.visit.actor, reg.started.visit_id)  # type: ignore[union-attr]
    assert {sid for sid, _ in fields} <= {sid for sid, _ in draft.acknowledged}
    assert kiosk.window.nav.next.isEnabled()
    # Marking the statement done sets its text too: that is not a second acknowledgement.
    with sqlite_ctx.db.session() as s:
        from intake.store.models import Acknowledgement

        count = s.query(Acknowledgement).filter_by(visit_id=reg.started.visit_id).count()
    assert count == len(fields)


def test_an_accessibility_action_counts_as_activity_for_the_idle_timer(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    watcher = kiosk.window.idle
    watcher.set_timeouts(3_000, 20_000)
    watcher.poke()
    timer = watcher._idle  # the countdown to "Are you still there?"
    kiosk.qtbot.waitUntil(lambda: 0 < timer.remainingTime() < 2_400, timeout=5_000)
    # A switch user presses an answer through the accessibility interface: no input event.
    choice = kiosk.page.fields["sex_at_birth"].input  # type: ignore[attr-defined]
    other = next(v for v in ("male", "female") if not choice.button(v).isChecked())
    press(choice.button(other))  # Qt animates the press: the click lands a moment later
    kiosk.qtbot.waitUntil(choice.button(other).isChecked, timeout=2_000)
    assert timer.remainingTime() > 2_600
    kiosk.qtbot.waitUntil(lambda: 0 < timer.remainingTime() < 2_400, timeout=5_000)
    # Text set by a screen reader is activity too.
    set_text(kiosk.page.fields["phone"].input, "555 0101")  # type: ignore[attr-defined]
    assert timer.remainingTime() > 2_600
    assert not watcher.warning


def test_a_habitual_tab_after_initials_does_not_skip_a_statement(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    """Valid initials move the keyboard to the next statement's box by itself; the Tab a
    keyboard user types out of habit right after stays there (WCAG 2.4.3)."""
    from PySide6.QtCore import Qt

    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    while not kiosk.step().startswith("topic:"):
        kiosk.next()
    mine = rules.expected_initials_for(patient.first_name, patient.last_name)
    boxes = [f.edit for f in kiosk.page.fields.values()]  # type: ignore[attr-defined]
    assert len(boxes) >= 3
    boxes[0].setFocus()
    kiosk.qtbot.keyClicks(boxes[0], mine)
    kiosk.qtbot.waitUntil(boxes[1].hasFocus)
    kiosk.qtbot.keyClick(boxes[1], Qt.Key.Key_Tab)
    assert boxes[1].hasFocus()  # not skipped
    kiosk.qtbot.keyClicks(boxes[1], mine)
    kiosk.qtbot.waitUntil(boxes[2].hasFocus)
    # Typed into a box reached by Tab, without a jump: Tab moves on as ever.
    kiosk.qtbot.keyClick(boxes[2], Qt.Key.Key_A)
    kiosk.qtbot.keyClick(boxes[2], Qt.Key.Key_Tab)
    assert not boxes[2].hasFocus()


def test_the_kiosk_tells_assistive_technology_its_language(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    """A screen reader switches voice by the locale each object reports."""
    from PySide6.QtCore import QLocale

    def spoken_locale(widget: QWidget) -> str:
        iface = QAccessible.queryAccessibleInterface(widget)
        assert iface is not None
        attributes = iface.attributesInterface()
        assert attributes is not None
        return attributes.attributeValue(QAccessible.Attribute.Locale).name()

    start = kiosk.find("welcome_start", QAbstractButton)
    assert spoken_locale(start) == QLocale("en_US").name()
    kiosk.click(kiosk.window.bar.languages["es"])
    start = kiosk.find("welcome_start", QAbstractButton)
    assert spoken_locale(start).startswith("es")
    assert spoken_locale(kiosk.window.nav.next).startswith("es")


def test_help_texts_are_what_a_screen_reader_says_after_a_fields_name(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    def described(widget: QWidget) -> str:
        iface = QAccessible.queryAccessibleInterface(widget)
        assert iface is not None
        return iface.text(QAccessible.Text.Description)

    dob = kiosk.find("welcome_dob")
    parts = {e.objectName(): described(e) for e in dob.findChildren(QLineEdit)}
    assert parts == {"date_month": "Month", "date_day": "Day", "date_year": "Year"}
    code = described(kiosk.find("welcome_code", QLineEdit))
    assert "6 digits" in code and "front desk" in code
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    question = next(
        q for page in sqlite_ctx.forms.intake.pages for q in page.questions
        if q.help is not None and q.id in kiosk.page.fields  # type: ignore[attr-defined]
    )
    field = kiosk.page.fields[question.id]  # type: ignore[attr-defined]
    assert question.help("en") in described(field.input)
    field.show_error("Please fill this in.")
    assert described(field.input).startswith("Please fill this in.")
    assert question.help("en") in described(field.input)


def test_errors_are_announced_and_tied_to_their_field(
    kiosk: KioskDriver, sqlite_ctx: AppContext, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A wrong visit code, an initials mismatch, a wrong quiz answer: each is said at once
    (an assertive announcement event through the accessibility interface) and the field says
    it is invalid."""
    from intake.ui.kiosk import base

    said: list[tuple[str, object]] = []

    def record(event) -> None:  # type: ignore[no-untyped-def]
        said.append((event.message(), event.politeness()))

    monkeypatch.setattr(base, "_deliver", record)
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    wrong = "000000" if reg.started.code != "000000" else "111111"
    kiosk.enter_date(kiosk.find("welcome_dob"), patient.date_of_birth)
    kiosk.type_into("welcome_code", wrong)
    kiosk.click("welcome_start")
    code = kiosk.find("welcome_code", QLineEdit)
    kiosk.qtbot.waitUntil(lambda: bool(said))
    text, politeness = said[-1]
    assert text and politeness == QAccessible.AnnouncementPoliteness.Assertive
    assert code.property("invalid") and text in QAccessible.queryAccessibleInterface(
        code
    ).text(QAccessible.Text.Description)
    kiosk.type_into("welcome_code", reg.started.code)
    kiosk.click("welcome_start")
    kiosk.qtbot.waitUntil(lambda: kiosk.step() == "intake:identity")
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    while not kiosk.step().startswith("topic:"):
        kiosk.next()
    field = next(iter(kiosk.page.fields.values()))  # type: ignore[attr-defined]
    said.clear()
    field.edit.setFocus()
    kiosk.type_into(field.edit, "ZZ")
    field.edit.clearFocus()  # leaving the box checks it
    kiosk.qtbot.waitUntil(lambda: bool(said))
    assert field.error.text() in said[-1][0]


def test_the_idle_warning_is_modal_and_announced(
    kiosk: KioskDriver, sqlite_ctx: AppContext, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.kiosk import base

    said: list[str] = []
    monkeypatch.setattr(base, "_deliver", lambda event: said.append(event.message()))
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    window = kiosk.window
    window.idle.set_timeouts(200, 20_000)
    window.idle.poke()
    kiosk.qtbot.waitUntil(lambda: window.idle.warning, timeout=5_000)
    overlay = window._idle_guard.overlay
    assert overlay.isVisible()
    answer = kiosk.page.fields["sex_at_birth"].input.button("male")  # type: ignore[attr-defined]
    assert not answer.isEnabled() and not window.nav.next.isEnabled()  # nothing behind it works
    assert said and overlay.title.text() in said[-1] and "20" in said[-1]
    iface = QAccessible.queryAccessibleInterface(overlay)
    assert iface.text(QAccessible.Text.Name) == overlay.title.text()
    press(overlay.button)  # "I'm still here", through the accessibility interface
    kiosk.qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=2_000)
    assert answer.isEnabled() and not window.idle.warning


class FocusSpy(QObject):
    """Every widget that receives the keyboard focus, in order (Qt sends a screen reader its
    accessibility focus event for the same widget)."""

    def __init__(self) -> None:
        super().__init__()
        self.focused: list[QWidget] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            self.focused.append(watched)
        return False


def test_a_page_change_is_said_once_by_its_focused_heading(
    kiosk: KioskDriver, sqlite_ctx: AppContext, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The new page's heading takes the focus (a screen reader says it, as a heading); the
    title is not announced as well, which would have it heard twice."""
    from intake.ui.kiosk import base

    said: list[tuple[str, object]] = []
    monkeypatch.setattr(base, "_deliver", lambda e: said.append((e.message(), e.politeness())))
    spy = FocusSpy()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(spy)
    try:
        patient = ScriptedPatient()
        reg = register(sqlite_ctx, patient)
        kiosk.open_with_code(patient.date_of_birth, reg.started.code)
        identity = sqlite_ctx.forms.intake.pages[0]
        titles = [identity.title("en")]
        answers = patient.page_answers().get(identity.id, {})
        kiosk.fill_intake_page(answers)
        spy.focused.clear()
        kiosk.next()
        titles.append(kiosk.page.title_text)  # type: ignore[attr-defined]
        assert titles[1] and titles[1] != titles[0]
        kiosk.qtbot.waitUntil(lambda: kiosk.page.heading in spy.focused)  # type: ignore[attr-defined]
        iface = QAccessible.queryAccessibleInterface(kiosk.page.heading)  # type: ignore[attr-defined]
        assert iface.role() == QAccessible.Role.Heading and iface.state().focused
        assert iface.text(QAccessible.Text.Name) == titles[1]
    finally:
        app.removeEventFilter(spy)
    # Neither the first page's title nor the second's was announced.
    assert not [text for text, _ in said if any(title in text for title in titles)]
