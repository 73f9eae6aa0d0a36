"""The administrator's accounts screen: adding, the "Active" switch and new PINs, each confirmed by PIN."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from intake.services.errors import LoginFailed
from intake.services.scripted import STAFF_PIN, ensure_staff
from intake.services.staff import StaffService, staff_actor
from intake.store.models import AuditEvent
from intake.ui.staff.window import StaffAccountsPage


def _page(qtbot, ctx):  # type: ignore[no-untyped-def]
    ensure_staff(ctx, "front_desk", "desk", "Front Desk")
    admin = next(i for i in StaffService(ctx).list() if i.role == "admin")
    page = StaffAccountsPage(ctx, staff_actor(admin))
    qtbot.addWidget(page)
    page.show()
    return page


def _confirm(qtbot, page, pin: str) -> None:  # type: ignore[no-untyped-def]
    dialog = page.pin_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.secret, pin)
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)


def test_the_active_switch_asks_the_admins_pin_and_disables_the_account(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, sqlite_ctx)
    switch = page.switches["desk"]
    assert switch.accessibleName() == "Active: desk" and switch.isChecked()
    switch.click()
    # Nothing changes until the administrator confirms: the switch still shows what is saved.
    assert switch.isChecked()
    assert page.pin_dialog is not None
    qtbot.mouseClick(page.pin_dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert page.pin_dialog is None
    assert next(a for a in StaffService(sqlite_ctx).list() if a.username == "desk").active

    page.switches["desk"].click()
    _confirm(qtbot, page, "000001")  # a wrong PIN: refused in the dialog, nothing changed
    assert page.pin_dialog is not None
    assert page.pin_dialog.message.text() == "That PIN is not right."
    assert next(a for a in StaffService(sqlite_ctx).list() if a.username == "desk").active
    page.pin_dialog.secret.clear()
    with qtbot.waitSignal(page.account_changed):
        _confirm(qtbot, page, STAFF_PIN)
    assert page.pin_dialog is None
    assert not page.switches["desk"].isChecked()
    assert "disabled" in page.message.text()
    with pytest.raises(LoginFailed):
        StaffService(sqlite_ctx).login("desk", STAFF_PIN)
    # And back on.
    page.switches["desk"].click()
    with qtbot.waitSignal(page.account_changed):
        _confirm(qtbot, page, STAFF_PIN)
    assert page.switches["desk"].isChecked()
    assert StaffService(sqlite_ctx).login("desk", STAFF_PIN).username == "desk"
    with sqlite_ctx.db.session() as s:
        actions = [e.action for e in s.query(AuditEvent).filter_by(entity="staff")]
    assert actions.count("disable") == 1 and actions.count("enable") == 1


def test_an_admin_cannot_switch_off_their_own_account(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, sqlite_ctx)
    admin = next(i for i in StaffService(sqlite_ctx).list() if i.role == "admin")
    page.switches[admin.username].click()
    _confirm(qtbot, page, STAFF_PIN)
    assert "own account" in page.message.text()
    assert page.switches[admin.username].isChecked()


def test_a_new_pin_is_checked_then_confirmed_by_the_admin(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, sqlite_ctx)
    page.reset_account.setCurrentIndex(page.reset_account.findData("desk"))
    qtbot.keyClicks(page.reset_secret, "123456")
    qtbot.keyClicks(page.reset_secret_again, "123456")
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    assert "first anyone would try" in page.reset_error.text()
    assert page.pin_dialog is None
    for edit in (page.reset_secret, page.reset_secret_again):
        edit.clear()
        qtbot.keyClicks(edit, "550931")
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.account_changed):
        _confirm(qtbot, page, STAFF_PIN)
    assert "new PIN" in page.message.text()
    assert StaffService(sqlite_ctx).login("desk", "550931").username == "desk"


def test_adding_an_account_asks_the_admins_pin(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, sqlite_ctx)
    before = StaffService(sqlite_ctx).list()
    qtbot.keyClicks(page.display_name, "Dr Ana Ruiz")
    qtbot.keyClicks(page.username, "ana.ruiz")
    page.role.setCurrentIndex(page.role.findData("clinician"))
    for edit in (page.secret, page.secret_again):
        qtbot.keyClicks(edit, "550931")
    with qtbot.assertNotEmitted(page.account_added):
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        _confirm(qtbot, page, "000001")  # a wrong PIN: refused in the dialog, nothing added
    assert page.pin_dialog is not None
    assert page.pin_dialog.message.text() == "That PIN is not right."
    assert StaffService(sqlite_ctx).list() == before
    # Cancelled: still nothing added, and the form keeps what was typed.
    qtbot.mouseClick(page.pin_dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert page.pin_dialog is None
    assert StaffService(sqlite_ctx).list() == before
    assert page.username.text() == "ana.ruiz"

    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.account_added) as added:
        _confirm(qtbot, page, STAFF_PIN)
    assert page.pin_dialog is None
    assert added.args[0].username == "ana.ruiz"
    assert "Added Dr Ana Ruiz" in page.message.text()
    assert StaffService(sqlite_ctx).login("ana.ruiz", "550931").role == "clinician"
    with sqlite_ctx.db.session() as s:
        created = s.query(AuditEvent).filter_by(entity="staff", action="create").count()
    assert created == len(before) + 1


def test_the_service_refuses_an_add_without_the_admins_pin(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    """The page's dialog is not the only check: the service itself wants the admin's PIN."""
    page = _page(qtbot, sqlite_ctx)
    before = StaffService(sqlite_ctx).list()
    qtbot.keyClicks(page.display_name, "Dr Ana Ruiz")
    qtbot.keyClicks(page.username, "ana.ruiz")
    for edit in (page.secret, page.secret_again):
        qtbot.keyClicks(edit, "550931")
    page._add("000001")  # as if the dialog had been got round: the service refuses
    assert page.message.text() == "That PIN is not right."
    assert StaffService(sqlite_ctx).list() == before
