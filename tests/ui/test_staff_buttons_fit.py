"""Every staff button shows its whole text at the station's 1280x800 and at 1024x768."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QPushButton, QWidget
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    search,
    signed_visit,
)

from intake.services.scripted import ensure_staff
from intake.ui.staff.window import StaffWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

SIZES = (QSize(1280, 800), QSize(1024, 768))
PADDING = 2 * 12  # the style sheet's horizontal padding of a button


def clipped_buttons(root: QWidget) -> list[str]:
    """The visible buttons under ``root`` whose text does not show whole, or that stick out of
    the window."""
    window = root.window()
    bad = []
    for button in root.findChildren(QPushButton):
        if not button.isVisibleTo(window) or not button.text():
            continue
        text = button.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        fits = button.width() >= button.sizeHint().width() or (
            QFontMetrics(button.font()).horizontalAdvance(text) + PADDING
            <= button.contentsRect().width()
        )
        top_left = button.mapTo(window, button.rect().topLeft())
        inside = window.rect().contains(top_left) and window.rect().contains(
            button.mapTo(window, button.rect().bottomRight())
        )
        if not (fits and inside):
            bad.append(f"{text!r} {button.width()}<{button.sizeHint().width()} inside={inside}")
    return bad


def grab(widget: QWidget, name: str) -> None:
    """Keep a picture of the screen when INTAKE_GRAB_DIR names a folder (to look at by eye)."""
    folder = os.environ.get("INTAKE_GRAB_DIR")
    if folder:
        widget.grab().save(str(Path(folder) / f"{name}.png"))


@pytest.fixture
def staff(qtbot, sqlite_ctx):  # type: ignore[no-untyped-def]
    """An administrator's window (every page) with a patient on a course selected at the desk."""
    info = ensure_staff(sqlite_ctx, "admin", "adm", "Clinic Admin")
    window = StaffWindow(sqlite_ctx, info, refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.show()
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Pia", last_name="Lund")
    window.signed = (vid, patient_id)
    desk = window.front_desk
    assert desk is not None
    search(qtbot, desk, "lund")
    assert desk.select_patient(patient_id)
    assert desk.checkin_button.isVisibleTo(window)
    return window


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_front_desk_buttons_show_their_whole_text(qtbot, staff, size) -> None:  # type: ignore[no-untyped-def]
    staff.resize(size)
    desk = staff.front_desk
    staff.tabs.setCurrentWidget(desk)
    qtbot.waitUntil(lambda: desk.isVisible())
    assert staff.size() == size, (staff.size(), staff.minimumSizeHint())
    grab(staff, f"front_desk_{size.width()}")
    assert desk.checkin_button.text() == "Start Month 1 check-in"
    assert clipped_buttons(desk) == []


def test_every_other_page_and_review_tab_shows_whole_buttons_at_1280(qtbot, staff) -> None:  # type: ignore[no-untyped-def]
    # The dermatologist's page needs a little over 1024 (the course tab's follow-up form), so
    # the other pages are held to the station's size.
    size = SIZES[0]
    staff.resize(size)
    page = staff.clinician
    staff.tabs.setCurrentWidget(page)
    with qtbot.waitSignal(page.review.documents.documents_issued, timeout=30_000):
        assert page.open_visit(*staff.signed)
    review = page.review
    checked = 0
    for tab in range(review.tabs.count()):
        review.tabs.setCurrentIndex(tab)
        qtbot.waitUntil(review.tabs.currentWidget().isVisible)
        assert staff.size() == size, (staff.size(), staff.minimumSizeHint())
        name = review.tabs.tabText(tab).split(" ")[0].replace("&&", "and").lower()
        grab(staff, f"review_{name}_{size.width()}")
        assert clipped_buttons(page) == [], review.tabs.tabText(tab)
        checked += 1
    accounts = staff.accounts
    staff.tabs.setCurrentWidget(accounts)
    qtbot.waitUntil(accounts.isVisible)
    grab(staff, f"accounts_{size.width()}")
    assert clipped_buttons(accounts) == []
    assert clipped_buttons(staff) == []  # the bar across the top too
    assert checked == 8
