"""The front desk offers "Start Month N check-in" for a patient on a course, and starts it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    desk,
    search,
    signed_visit,
)

from intake.domain.kinds import VisitKind
from intake.services.patients import PatientService
from intake.ui.staff.front_desk import FrontDeskPage, VisitCodeDialog
from intake.ui.staff.style import STAFF_QSS

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def page(qtbot, sqlite_ctx):  # type: ignore[no-untyped-def]
    widget = FrontDeskPage(sqlite_ctx, desk(sqlite_ctx), board_refresh_ms=60_000, debounce_ms=0)
    widget.setStyleSheet(STAFF_QSS)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


def test_a_patient_on_a_course_gets_a_month_1_check_in(qtbot, page, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    _vid, patient_id = signed_visit(sqlite_ctx, first_name="Pia", last_name="Lund")
    search(qtbot, page, "lund")
    assert page.select_patient(patient_id)
    assert page.checkin_button.isVisible() and page.checkin_button.isEnabled()
    assert page.checkin_button.accessibleName() == "Start Month 1 check-in"
    with qtbot.waitSignal(page.visit_started) as started:
        qtbot.mouseClick(page.checkin_button, Qt.MouseButton.LeftButton)
    visit = started.args[0]
    assert (visit.kind, visit.course_month) == (VisitKind.CHECKIN, 1)
    dialog = page.dialog
    assert isinstance(dialog, VisitCodeDialog)
    assert dialog.code_label.text().replace(" ", "") == visit.code


def test_a_patient_without_a_course_is_offered_no_check_in(qtbot, page, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    patient = PatientService(sqlite_ctx).register(
        desk(sqlite_ctx), first_name="Jon", last_name="Smyth", date_of_birth="1990-05-06"
    )
    search(qtbot, page, "smyth")
    assert page.select_patient(patient.id)
    assert page.start_button.isEnabled() and not page.checkin_button.isVisible()
