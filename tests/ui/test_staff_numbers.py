"""The follow-up form reads numbers as the kiosk does: a weight written in pounds moves the unit
box to lb and is saved as pounds; a signed or exponent number stays as typed, with its message."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from test_kiosk_driver import type_text
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    desk,
)

from intake.services.clinician import ClinicianService
from intake.services.context import AppContext
from intake.services.patients import PatientService
from intake.ui.staff.course import CourseWidget

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def course(qtbot, sqlite_ctx: AppContext) -> CourseWidget:  # type: ignore[no-untyped-def]
    pid = (
        PatientService(sqlite_ctx)
        .register(
            desk(sqlite_ctx),
            first_name="Kai",
            last_name="Lee",
            date_of_birth="2000-01-01",
            sex_at_birth="male",
        )
        .id
    )
    widget = CourseWidget(sqlite_ctx, clinician(sqlite_ctx))
    qtbot.addWidget(widget)
    widget.show()
    widget.show_course(pid, ClinicianService(sqlite_ctx).course(clinician(sqlite_ctx), pid))
    widget.seen_on.setText((sqlite_ctx.today() - dt.timedelta(days=3)).isoformat())
    widget.dose.setText("40")
    return widget


def test_a_weight_typed_in_pounds_moves_the_unit_box_and_is_saved_as_pounds(
    qtbot, course: CourseWidget, sqlite_ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    assert course.weight_unit.currentText() == "kg"
    course.weight.setFocus()
    type_text(course.weight, "154 lb")
    assert course.weight.text() == "154 lb"
    assert course.weight_unit.currentText() == "lb"
    with qtbot.waitSignal(course.follow_up_saved) as saved:
        qtbot.mouseClick(course.save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].weight_kg == 69.9


@pytest.mark.parametrize(
    ("box", "typed", "needle"),
    [("weight", "-70", "sign"), ("weight", "1e2", "without an e"), ("dose", "4e1", "without an e")],
)
def test_a_number_that_cannot_be_read_stays_with_its_message(
    qtbot, course: CourseWidget, box: str, typed: str, needle: str
) -> None:  # type: ignore[no-untyped-def]
    course.weight.setText("70")
    edit = getattr(course, box)
    edit.clear()
    edit.setFocus()
    type_text(edit, typed)
    qtbot.mouseClick(course.save_button, Qt.MouseButton.LeftButton)
    key = "weight" if box == "weight" else "daily_dose_mg"
    assert course.errors[key].isVisible() and needle in course.errors[key].text()
    assert edit.text() == typed
    assert course.table.rowCount() == 0
