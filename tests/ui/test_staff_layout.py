"""The staff screens at the stations' 1280x800: the window fits, tabs and headers show whole."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QToolButton
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    clinician_info,
    draw_signature,
    search,
    signed_visit,
)

from intake.services.clinician import ClinicianService
from intake.services.scripted import STAFF_PIN, ensure_staff
from intake.ui.app import STATION_SIZE, AppWindow, initial_size
from intake.ui.staff.clinician import ClinicianPage
from intake.ui.staff.window import StaffWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

MOOD_ALERT = (2, 2, 1, 1, 1, 0, 1, 0, 1)  # item 9 positive
# Item 9, a tetracycline and vitamin A: three alerts, the longest summary label of a busy day.
THREE_ALERTS = {
    "phq9": MOOD_ALERT,
    "extra_answers": {"takes_vitamin_a": "yes", "takes_tetracycline": "yes"},
}


@pytest.fixture
def staff(qtbot, sqlite_ctx):  # type: ignore[no-untyped-def]
    """An administrator's window (every page) at the station size, a busy visit open."""
    info = ensure_staff(sqlite_ctx, "admin", "adm", "Clinic Admin")
    window = StaffWindow(sqlite_ctx, info, refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.resize(STATION_SIZE)
    window.show()
    return window


def _open_busy_visit(qtbot, window: StaffWindow, ctx) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, **THREE_ALERTS)
    page = window.clinician
    assert page is not None
    window.tabs.setCurrentWidget(page)
    with qtbot.waitSignal(page.review.documents.documents_issued, timeout=30_000):
        assert page.open_visit(vid, patient_id)


def test_the_window_opens_at_the_station_size_within_the_screen(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = AppWindow(open_context=lambda: (_ for _ in ()).throw(RuntimeError("not here")))
    qtbot.addWidget(window)
    screen = window.screen().availableGeometry().size()
    assert window.size() == STATION_SIZE.boundedTo(screen)
    assert window.height() <= 800 and window.width() <= 1280
    assert initial_size(None) == QSize(1280, 800)


def test_every_page_and_review_tab_fits_1280x800(qtbot, staff, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    _open_busy_visit(qtbot, staff, sqlite_ctx)
    review = staff.clinician.review
    for page in range(staff.tabs.count()):
        staff.tabs.setCurrentIndex(page)
        for tab in range(review.tabs.count()):
            review.tabs.setCurrentIndex(tab)
            need = staff.minimumSizeHint()
            assert need.width() <= 1280 and need.height() <= 800, (
                staff.tabs.tabText(page),
                review.tabs.tabText(tab),
                need,
            )


def test_review_tabs_show_whole_at_1280_wide(qtbot, staff, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    _open_busy_visit(qtbot, staff, sqlite_ctx)
    review = staff.clinician.review
    bar = review.tabs.tabBar()
    assert review.tabs.tabText(0) == "Summary · 3 alerts"
    assert review.tabs.tabText(1) == "Mood · item 9!"
    bold = QFont(bar.font())
    bold.setBold(True)
    for i in range(bar.count()):
        review.tabs.setCurrentIndex(i)  # the chosen tab's label is bold, so wider
        for j in range(bar.count()):
            rect = bar.tabRect(j)
            text = bar.tabText(j).replace("&&", "&")
            metrics = QFontMetrics(bold if j == i else bar.font())
            assert rect.left() >= 0 and rect.right() <= bar.width(), text
            assert rect.width() >= metrics.horizontalAdvance(text) + 12, (text, i)
        assert bar.tabToolTip(i)  # the full name of a short label
    # Nothing scrolls out of sight: no scroll arrows.
    assert not any(b.isVisible() for b in bar.findChildren(QToolButton))


def test_lab_table_headers_are_not_cut_short(qtbot, staff, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    _open_busy_visit(qtbot, staff, sqlite_ctx)
    review = staff.clinician.review
    review.tabs.setCurrentWidget(review.labs)
    labs = review.labs
    # A baseline panel with critical results: the widest cells a table shows.
    for test, value in {
        "alt": "300",
        "ast": "41",
        "cholesterol": "310",
        "triglycerides": "900",
    }.items():
        labs.values[test].setText(value)
    with qtbot.waitSignal(labs.lab_recorded):
        qtbot.mouseClick(labs.record_lab_button, Qt.MouseButton.LeftButton)
    assert labs.labs_table.rowCount() == 1
    header = labs.labs_table.horizontalHeader()
    qtbot.waitUntil(lambda: header.sectionSize(0) > 0)
    for column in range(header.count()):
        label = labs.labs_table.horizontalHeaderItem(column).text()
        assert header.sectionSize(column) >= header.sectionSizeHint(column), label
    # The results fit too.
    table = labs.labs_table
    for column in range(table.columnCount()):
        assert table.columnWidth(column) >= table.sizeHintForColumn(column), column
    assert header.length() <= table.viewport().width()


def test_after_countersigning_the_visit_list_shows_the_new_state(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, first_name="Luis", last_name="Mora", sex_at_birth="male")
    clinician_info(ctx)
    page = ClinicianPage(ctx, clinician(ctx), refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(page)
    page.resize(STATION_SIZE)
    page.show()
    search(qtbot, page, "mora")
    assert page.select_patient(patient_id)
    with qtbot.waitSignal(page.review.documents.documents_issued, timeout=30_000):
        page.visits_table.selectRow(0)
    assert page.visits_table.item(0, 1).text() == "signed, for the dermatologist"
    qtbot.waitUntil(lambda: [r.visit_id for r in page.queue] == [vid])

    qtbot.mouseClick(page.review.countersign_button, Qt.MouseButton.LeftButton)
    dialog = page.review.dialog
    assert dialog is not None
    draw_signature(dialog.pad)
    for box in dialog.review_boxes.values():
        box.setChecked(True)
    if dialog.username is not None:  # the first countersignature since sign-in
        qtbot.keyClicks(dialog.username, "derm")
    qtbot.keyClicks(dialog.secret, STAFF_PIN)
    with qtbot.waitSignal(page.review.countersigned, timeout=30_000):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert ClinicianService(ctx).review(clinician(ctx), vid).status == "countersigned"
    assert page.visits_table.rowCount() == 1
    assert page.visits_table.item(0, 1).text() == "countersigned"
    assert page.visits_table.currentRow() == 0  # still the visit on screen
    qtbot.waitUntil(lambda: page.queue == [])  # the queue is read again, off the GUI thread
