"""The keyboard at the staff stations: the search box first, arrows into the results, shortcuts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician_info,
    desk,
    desk_info,
    search,
    signed_visit,
)

from intake.services.patients import PatientService
from intake.services.scripted import STAFF_PIN, ensure_staff
from intake.services.visits import VisitService
from intake.ui.app import STATION_SIZE, AppWindow
from intake.ui.staff.front_desk import VisitCodeDialog
from intake.ui.staff.patient_dialog import PatientDialog
from intake.ui.staff.window import StaffWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def press(widget: QWidget, keys: str) -> None:
    """Type a key combination ("Ctrl+Shift+S") into ``widget``, as a person at the keyboard."""
    combo = QKeySequence(keys)[0]
    QTest.keyClick(widget, combo.key(), combo.keyboardModifiers())


def focused() -> QWidget | None:
    return QApplication.focusWidget()


@pytest.fixture
def make_window(qtbot):  # type: ignore[no-untyped-def]
    made: list[AppWindow] = []

    def make() -> AppWindow:
        window = AppWindow(refresh_ms=60_000, debounce_ms=0)
        qtbot.addWidget(window)
        made.append(window)
        with qtbot.waitSignal(window.context_opened, timeout=20_000):
            window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        return window

    yield make
    from intake.ui.operations import wait_for_operations

    wait_for_operations()
    for window in made:
        if window.ctx is not None:
            window.ctx.db.dispose()


def sign_in(qtbot, window: AppWindow, username: str) -> StaffWindow:  # type: ignore[no-untyped-def]
    page = window.login_page
    page.username.clear()
    qtbot.keyClicks(page.username, username)
    qtbot.keyClicks(page.secret, STAFF_PIN)
    with qtbot.waitSignal(window.signed_in, timeout=10_000):
        QTest.keyClick(page.secret, Qt.Key.Key_Return)
    assert window.staff_window is not None
    return window.staff_window


@pytest.fixture
def staff(qtbot, sqlite_ctx):  # type: ignore[no-untyped-def]
    """An administrator's window (every page), shown and active, as after signing in."""
    info = ensure_staff(sqlite_ctx, "admin", "adm", "Clinic Admin")
    window = StaffWindow(sqlite_ctx, info, refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.resize(STATION_SIZE)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.focus_search()
    return window


def test_after_sign_in_the_cursor_is_in_the_search_box(qtbot, sqlite_ctx, make_window) -> None:  # type: ignore[no-untyped-def]
    desk_info(sqlite_ctx)
    clinician_info(sqlite_ctx)
    window = make_window()
    staff = sign_in(qtbot, window, "desk")
    qtbot.waitUntil(lambda: focused() is staff.front_desk.search_box)
    # Typing goes straight into it.
    QTest.keyClicks(focused(), "lund")
    assert staff.front_desk.search_box.text() == "lund"

    # After a lock, a dermatologist: their page, the same.
    with qtbot.waitSignal(window.locked):
        press(focused(), "Ctrl+L")
    staff = sign_in(qtbot, window, "derm")
    assert staff.tabs.currentWidget() is staff.clinician
    qtbot.waitUntil(lambda: focused() is staff.clinician.search_box)
    # Switching to the front desk page puts the cursor in its search box.
    press(focused(), "Ctrl+2")
    assert staff.tabs.currentWidget() is staff.front_desk
    assert focused() is staff.front_desk.search_box


def test_down_and_enter_pick_a_search_result(qtbot, staff, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    patients = PatientService(sqlite_ctx)
    for first in ("Ana", "Bea"):
        patients.register(
            desk(sqlite_ctx), first_name=first, last_name="Lund", date_of_birth="1990-02-03"
        )
    page = staff.front_desk
    staff.tabs.setCurrentWidget(page)
    box = page.search_box
    assert focused() is box
    search(qtbot, page, "lund")
    assert page.model.rowCount() == 2 and page.selected_patient() is None

    QTest.keyClick(box, Qt.Key.Key_Down)
    assert focused() is page.table
    first = page.selected_patient()
    assert first is not None and first.id == page.model.patient(0).id
    assert first.full_name in page.details.text()  # picked: the details show
    QTest.keyClick(page.table, Qt.Key.Key_Down)
    assert page.selected_patient().id == page.model.patient(1).id
    QTest.keyClick(page.table, Qt.Key.Key_Up)
    QTest.keyClick(page.table, Qt.Key.Key_Up)  # from the first row, back to the box
    assert focused() is box
    QTest.keyClick(box, Qt.Key.Key_Down)  # the row picked stays picked
    assert page.selected_patient().id == page.model.patient(0).id
    # Enter on a result does what a double-click does: the patient's details, to correct.
    with qtbot.waitSignal(page.search_panel.patient_activated) as activated:
        QTest.keyClick(page.table, Qt.Key.Key_Return)
    assert activated.args[0].id == first.id
    assert isinstance(page.dialog, PatientDialog)
    page.dialog.reject()

    # Nothing found: Down stays in the box.
    search(qtbot, page, "nobody-here")
    staff.activateWindow()  # back from the dialog
    qtbot.waitUntil(staff.isActiveWindow)
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_Down)
    assert focused() is box


def test_enter_on_a_patient_opens_their_latest_visit_for_the_dermatologist(
    qtbot, staff, sqlite_ctx
) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Nora", last_name="Kim")
    page = staff.clinician
    staff.tabs.setCurrentWidget(page)
    assert focused() is page.search_box
    search(qtbot, page, "kim")
    QTest.keyClick(page.search_box, Qt.Key.Key_Down)
    assert page.search_panel.selected_patient().id == patient_id
    with qtbot.waitSignal(page.review.visit_loaded, timeout=10_000):
        QTest.keyClick(page.results, Qt.Key.Key_Enter)
    assert page.review.visit_id == vid


def test_shortcuts_press_the_buttons_when_they_can_be_pressed(qtbot, staff, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    page = staff.front_desk
    staff.tabs.setCurrentWidget(page)
    actions = staff.shortcut_actions

    # New patient: Ctrl+N opens the register dialog, as the button does.
    with qtbot.waitSignal(page.register_button.clicked):
        press(page.search_box, "Ctrl+N")
    dialog = page.dialog
    assert isinstance(dialog, PatientDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is dialog)
    # While the dialog is open, nothing behind it fires, wherever the keys are sent.
    with qtbot.assertNotEmitted(page.register_button.clicked):
        press(QApplication.focusWidget() or dialog, "Ctrl+N")
        press(page.search_box, "Ctrl+N")
        actions["new_patient"].trigger()
    assert page.dialog is dialog
    dialog.reject()
    qtbot.waitUntil(lambda: page.dialog is None)
    staff.activateWindow()  # back from the dialog
    qtbot.waitUntil(staff.isActiveWindow)

    # Start visit: not until a patient is chosen; then Ctrl+Shift+S starts one.
    patient = PatientService(sqlite_ctx).register(
        desk(sqlite_ctx), first_name="Ola", last_name="Berg", date_of_birth="1995-01-02"
    )
    assert not page.start_button.isEnabled() and not actions["start_visit"].isEnabled()
    with qtbot.assertNotEmitted(page.visit_started):
        press(page.search_box, "Ctrl+Shift+S")
    search(qtbot, page, "berg")
    QTest.keyClick(page.search_box, Qt.Key.Key_Down)
    assert page.start_button.isEnabled() and actions["start_visit"].isEnabled()
    with qtbot.waitSignal(page.visit_started):
        press(page.table, "Ctrl+Shift+S")
    assert isinstance(page.dialog, VisitCodeDialog)
    assert [v.patient_id for v in VisitService(sqlite_ctx).visits_for(desk(sqlite_ctx), patient.id)]
    page.dialog.accept()
    qtbot.waitUntil(lambda: page.dialog is None)

    # Ctrl+F: back to the search box, its text selected to type over.
    page.table.setFocus()
    press(page.table, "Ctrl+F")
    assert focused() is page.search_box and page.search_box.selectedText() == "berg"

    # The dermatologist's shortcuts stay off while their page is not on screen.
    assert not actions["countersign"].isEnabled() and not actions["print_document"].isEnabled()
    # Ctrl+1 / Ctrl+2 choose the page.
    press(page.search_box, "Ctrl+2")
    assert staff.tabs.currentWidget() is staff.clinician
    assert not actions["print_packet"].isEnabled()  # the front desk is out of sight now


def test_countersign_shortcut_follows_the_button(qtbot, staff, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Em", last_name="Sato")
    page = staff.clinician
    staff.tabs.setCurrentWidget(page)
    action = staff.shortcut_actions["countersign"]
    assert not action.isEnabled()  # no visit open: the button is not even shown
    # An administrator sees the visit but does not countersign: the button and Ctrl+K are off.
    with qtbot.waitSignal(page.review.documents.documents_issued, timeout=30_000):
        page.open_visit(vid, patient_id)
    button = page.review.countersign_button
    assert button.isVisible() and not button.isEnabled() and not action.isEnabled()
    with qtbot.assertNotEmitted(button.clicked):
        press(page.search_box, "Ctrl+K")
    assert page.review.dialog is None
    # Enabled with the button (as it is for a dermatologist): Ctrl+K opens the dialog.
    button.setEnabled(True)
    assert action.isEnabled()
    with qtbot.waitSignal(button.clicked):
        press(page.search_box, "Ctrl+K")
    dialog = page.review.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is dialog)
    with qtbot.assertNotEmitted(button.clicked):
        press(dialog, "Ctrl+K")
    dialog.reject()
    # Leaving the visit hides the button, and the shortcut goes with it.
    page.review.clear()
    assert not action.isEnabled()


def test_shortcuts_show_in_menus_tooltips_and_to_screen_readers(qtbot, staff) -> None:  # type: ignore[no-untyped-def]
    native = QKeySequence.SequenceFormat.NativeText
    expected = {
        "find": QKeySequence(QKeySequence.StandardKey.Find),
        "new_patient": QKeySequence(QKeySequence.StandardKey.New),
        "start_visit": QKeySequence("Ctrl+Shift+S"),
        "print_packet": QKeySequence(QKeySequence.StandardKey.Print),
        "countersign": QKeySequence("Ctrl+K"),
        "print_document": QKeySequence(QKeySequence.StandardKey.Print),
        "lock": QKeySequence("Ctrl+L"),
    }
    in_menus = {
        a.objectName(): a for m in staff.menu_bar.actions() if m.menu() for a in m.menu().actions()
    }
    for name, keys in expected.items():
        action = staff.shortcut_actions[name]
        assert in_menus[f"{name}_action"] is action
        assert action.shortcut() == keys, name
    buttons = {
        "new_patient": staff.front_desk.register_button,
        "start_visit": staff.front_desk.start_button,
        "print_packet": staff.front_desk.print_button,
        "countersign": staff.clinician.review.countersign_button,
        "lock": staff.lock_button,
    }
    for name, button in buttons.items():
        text = expected[name].toString(native)
        assert button.toolTip().endswith(f"({text})"), (name, button.toolTip())
        face = QAccessible.queryAccessibleInterface(button)
        assert face is not None
        assert text in face.text(QAccessible.Text.Description), name
        assert face.text(QAccessible.Text.Name) == button.accessibleName()
    # A tooltip the screen sets later keeps naming the shortcut.
    button = staff.clinician.review.countersign_button
    button.setToolTip("Only a dermatologist countersigns.")
    assert button.toolTip() == "Only a dermatologist countersigns. (Ctrl+K)"
    # The menus name them too, for a screen reader as for the eye.
    bar = QAccessible.queryAccessibleInterface(staff.menu_bar)
    names = [bar.child(i).text(QAccessible.Text.Name) for i in range(bar.childCount())]
    assert names == ["Patient", "Visit", "Station"]
