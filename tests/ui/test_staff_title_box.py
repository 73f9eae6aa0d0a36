"""The accounts screen's title box: an administrator sets, changes or clears the title printed
before a staff member's name; a title that is not short letters and a dot is refused there."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible

from intake.services.scripted import ensure_staff
from intake.services.staff import StaffService, staff_actor
from intake.store.models import AuditEvent
from intake.ui.staff.staff_title import StaffTitleBox
from intake.ui.staff.window import StaffAccountsPage


def _box(qtbot, ctx) -> tuple[StaffAccountsPage, StaffTitleBox]:  # type: ignore[no-untyped-def]
    ensure_staff(ctx, "front_desk", "desk", "Front Desk")  # makes the administrator first
    ensure_staff(ctx, "clinician", "ana.ruiz", "Ana Ruiz")
    admin = next(i for i in StaffService(ctx).list() if i.role == "admin")
    page = StaffAccountsPage(ctx, staff_actor(admin))
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    box = page.findChild(StaffTitleBox)
    assert box is not None
    qtbot.waitUntil(lambda: box.account.findData("ana.ruiz") >= 0)
    return page, box


def _name(widget) -> str:  # type: ignore[no-untyped-def]
    iface = QAccessible.queryAccessibleInterface(widget)
    assert iface is not None
    return iface.text(QAccessible.Text.Name)


def test_the_title_box_sets_and_clears_a_title(qtbot, sqlite_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, box = _box(qtbot, sqlite_ctx)
    # Qt's accessible combo box reads out its current entry; the name is the widget's own.
    assert box.account.accessibleName() == "Account for a title"
    assert _name(box) == "Title printed before the name"
    assert _name(box.title_edit) == "Title"
    assert _name(box.save_button) == "Save title"
    box.account.setCurrentIndex(box.account.findData("ana.ruiz"))
    assert box.title_edit.text() == ""

    qtbot.keyClicks(box.title_edit, "Dr 2")  # a digit: refused, nothing saved
    with qtbot.waitSignal(box.saving.finished):
        qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    assert "letters" in box.error.text()
    assert next(i for i in StaffService(sqlite_ctx).list() if i.username == "ana.ruiz").title == ""

    box.title_edit.clear()
    qtbot.keyClicks(box.title_edit, "Dra.")
    with qtbot.waitSignal(box.title_saved) as saved:
        qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].title == "Dra."
    assert box.error.text() == ""
    assert box.message.text() == "Ana Ruiz is now printed as Dra. Ana Ruiz."
    assert (
        next(i for i in StaffService(sqlite_ctx).list() if i.username == "ana.ruiz").title == "Dra."
    )
    qtbot.waitUntil(lambda: box.account.currentText() == "Dra. Ana Ruiz (ana.ruiz)")
    if out := os.environ.get("INTAKE_SHOTS_DIR"):
        page.grab().save(str(Path(out) / "staff-title-box.png"))
    page.grab().save(str(tmp_path / "staff-title-box.png"))
    assert (tmp_path / "staff-title-box.png").stat().st_size > 0

    box.title_edit.clear()
    with qtbot.waitSignal(box.title_saved):
        qtbot.keyClick(box.title_edit, Qt.Key.Key_Return)
    assert box.message.text() == "Ana Ruiz is now printed without a title."
    with sqlite_ctx.db.session() as s:
        titles = [
            e.detail["title"]
            for e in s.query(AuditEvent).filter_by(entity="staff", action="set_title")
        ]
    assert titles == ["Dra.", ""]


def test_an_account_added_on_the_page_can_be_given_a_title(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    page, box = _box(qtbot, sqlite_ctx)
    info = StaffService(sqlite_ctx).list()[0]
    page.account_added.emit(info)  # the page says so once an account is added
    qtbot.waitUntil(lambda: not box.loading.busy)
    assert box.account.findData(info.username) >= 0
