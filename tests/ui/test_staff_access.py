"""Every interactive widget on the staff screens has an accessible name."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QTabWidget,
    QWidget,
)
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    clinician_info,
    search,
    signed_visit,
)

from intake.services.context import SYSTEM
from intake.services.scripted import STAFF_PIN
from intake.services.staff import StaffService
from intake.ui.staff.countersign import CountersignDialog
from intake.ui.staff.front_desk import VisitCodeDialog
from intake.ui.staff.patient_dialog import PatientDialog
from intake.ui.staff.window import StaffWindow

# The offscreen platform plugin warns whenever a window's size limits change; that is the test
# platform talking, not the application.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTabWidget,
)


def ancestors(widget: QWidget, root: QWidget) -> list[QWidget]:
    found = []
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        found.append(parent)
        parent = parent.parentWidget()
    return found


def unnamed(root: QWidget) -> list[str]:
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE):
            continue
        # Parts Qt builds inside a composite widget (a spin box's editor, a combo box's popup
        # list, a line edit's clear button, a tab bar's scroll arrows) are named by it.
        if any(
            isinstance(a, QAbstractSpinBox | QComboBox | QAbstractItemView | QLineEdit)
            or type(a).__name__ in ("QTabBar", "QPdfView")
            for a in ancestors(widget, root)
        ):
            continue
        if type(widget).__name__ in ("QTableCornerButton",):
            continue
        if not widget.accessibleName().strip():
            missing.append(f"{type(widget).__name__} '{widget.objectName()}'")
    return missing


def test_every_staff_screen_names_its_controls(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Ida", last_name="Lark")
    admin = next(i for i in StaffService(sqlite_ctx).list() if i.role == "admin")
    window = StaffWindow(sqlite_ctx, admin, refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.clinician.open_visit(vid, patient_id)
    search(qtbot, window.front_desk, "lark")
    assert unnamed(window) == []

    patient = window.front_desk.model.patient(0)
    from intake.services.visits import StartedVisit

    dialogs = [
        PatientDialog(window.front_desk._patients, window.actor, None),
        PatientDialog(window.front_desk._patients, window.actor, patient),
        VisitCodeDialog(patient, StartedVisit("x", "123456")),
        CountersignDialog(sqlite_ctx, clinician(sqlite_ctx), vid, "Ida Lark"),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        assert unnamed(dialog) == [], dialog.windowTitle()


def test_first_run_and_sign_in_name_their_controls(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.login import FirstRunPage, StaffLoginPage

    first = FirstRunPage(sqlite_ctx)
    qtbot.addWidget(first)
    assert unnamed(first) == []
    StaffService(sqlite_ctx).add(SYSTEM, "admin", "Admin", "admin", STAFF_PIN)
    clinician_info(sqlite_ctx)
    login = StaffLoginPage(sqlite_ctx)
    qtbot.addWidget(login)
    assert unnamed(login) == []


def test_sign_in_checks_the_pin_off_the_gui_thread_once_per_press(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.login import StaffLoginPage

    clinician_info(sqlite_ctx)
    login = StaffLoginPage(sqlite_ctx)
    qtbot.addWidget(login)
    login.show()
    entered: list[object] = []
    login.signed_in.connect(entered.append)
    qtbot.keyClicks(login.username, "derm")
    qtbot.keyClicks(login.secret, STAFF_PIN)
    qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)
    assert login.signing_in
    assert not login.secret.isEnabled() and not login.sign_in_button.isEnabled()
    assert login.secret.text() == ""  # the PIN is not left on screen while it is checked
    login.secret.setText(STAFF_PIN)
    login.secret.returnPressed.emit()  # a second press meanwhile is no second attempt
    with qtbot.waitSignal(login.signed_in, timeout=10_000):
        pass
    assert len(entered) == 1 and not login.signing_in
    assert login.secret.isEnabled() and login.sign_in_button.isEnabled()
