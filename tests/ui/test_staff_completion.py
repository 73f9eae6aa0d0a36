"""The dermatologist records the end of a course from the course view: the dialog (texts from
the catalogue, saved off the GUI thread), the course shown completed with the post-course test
due and then recorded, and the aftercare packet previewed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    desk,
    signed_visit,
)

from intake.i18n import tr
from intake.services.clinician import ClinicianService
from intake.services.scripted import countersign_consent
from intake.services.visits import VisitService
from intake.ui.staff.completion import CompletionDialog
from intake.ui.staff.review import ReviewWidget
from intake.ui.staff.status_board import stage_text

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _name(widget) -> str:  # type: ignore[no-untyped-def]
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def test_record_completion_then_the_post_course_test_then_the_packet(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    vid, patient_id = signed_visit(ctx, first_name="Eva", last_name="Lind")
    doctor = clinician(ctx)
    countersign_consent(ctx, doctor, vid)
    service = ClinicianService(ctx)
    for month in (1, 2):
        service.record_follow_up(
            doctor, patient_id, month, seen_on=ctx.today(), weight=60, daily_dose_mg=60
        )
    review = ReviewWidget(ctx, doctor)
    qtbot.addWidget(review)
    review.resize(1100, 800)
    review.show()
    assert review.show_visit(vid, patient_id)
    course = review.course
    review.tabs.setCurrentWidget(course)
    assert course.completion_button.isEnabled() and not course.aftercare_button.isEnabled()
    assert not course.completion_label.isVisible()
    assert course.completion_button.text() == tr("staff.completion_button", "en")

    with qtbot.waitSignal(course.completion_dialog_opened) as opened:
        qtbot.mouseClick(course.completion_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert isinstance(dialog, CompletionDialog)
    assert _name(dialog.last_dose) == "Last dose on"
    assert _name(dialog.record_button) == "Record completion"
    assert dialog.dose.text() == "60"  # what the follow-ups add up to
    assert dialog.last_dose.text() == ctx.today().isoformat()

    # "Other" with no details: the message sits by the field, nothing recorded.
    dialog.reason.setCurrentIndex(dialog.reason.findData("other"))
    with qtbot.waitSignal(dialog.tasks.failed):
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["reason_text"].isVisible()
    assert "say why" in dialog.errors["reason_text"].text()
    assert service.course(doctor, patient_id).completion is None

    dialog.reason.setCurrentIndex(dialog.reason.findData("completed"))
    with qtbot.waitSignal(course.completion_recorded):
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: course.completion_label.isVisible())
    completed = service.course(doctor, patient_id).completion
    assert completed is not None and completed.aftercare.pregnancy_test_due is not None
    due = completed.aftercare.pregnancy_test_due.isoformat()
    shown = course.completion_label.text()
    assert "Course completed" in shown and f"due on <b>{due}</b>" in shown
    assert "no further prescription" in course.window_label.text()
    assert not course.completion_button.isEnabled() and course.aftercare_button.isEnabled()
    # The status board's "Part of the visit" says so too.
    board_row = next(r for r in VisitService(ctx).board(desk(ctx)) if r.visit_id == vid)
    assert stage_text(ctx, board_row).endswith(
        f"course completed, post-course pregnancy test due {due}"
    )

    # The post-course test, recorded a month later, shows instead of "due".
    later = ctx.now() + (completed.aftercare.pregnancy_test_due - ctx.today())
    ctx.clock = lambda: later
    service.record_post_course_test(doctor, patient_id, ctx.today(), "negative")
    qtbot.mouseClick(review.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "recorded: negative" in course.completion_label.text())

    with qtbot.waitSignal(course.aftercare_opened, timeout=30_000) as shown_packet:
        qtbot.mouseClick(course.aftercare_button, Qt.MouseButton.LeftButton)
    preview = shown_packet.args[0]
    assert preview.page_count >= 1
    preview.reject()


def test_an_administrator_sees_the_course_but_cannot_record_its_end(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.scripted import ensure_staff
    from intake.services.staff import staff_actor
    from intake.ui.staff.course import CourseWidget

    ctx = sqlite_ctx
    _vid, patient_id = signed_visit(ctx, first_name="Ole", last_name="Berg")
    admin = staff_actor(ensure_staff(ctx, "admin", "boss", "Clinic Boss"))
    widget = CourseWidget(ctx, admin)
    qtbot.addWidget(widget)
    widget.show_course(patient_id, ClinicianService(ctx).course(admin, patient_id))
    assert widget.save_button.isEnabled()
    assert not widget.completion_button.isEnabled()
    assert not widget.aftercare_button.isEnabled()


@pytest.mark.parametrize("kind", ["aftercare", "checklist"])
@pytest.mark.parametrize("leave", ["another patient", "cleared"])
def test_a_document_made_for_a_patient_no_longer_shown_is_dropped(
    qtbot, sqlite_ctx, monkeypatch, kind, leave
) -> None:  # type: ignore[no-untyped-def]
    import threading

    from intake.services.documents import DocumentService

    ctx = sqlite_ctx
    vid_a, pid_a = signed_visit(ctx, first_name="Eva", last_name="Lind")
    vid_b, pid_b = signed_visit(ctx, first_name="Ole", last_name="Berg")
    doctor = clinician(ctx)
    countersign_consent(ctx, doctor, vid_a)
    ClinicianService(ctx).record_completion(doctor, pid_a, ctx.today())
    review = ReviewWidget(ctx, doctor)
    qtbot.addWidget(review)
    review.show()
    assert review.show_visit(vid_a, pid_a)
    course = review.course
    record_a = course.record_number
    assert record_a

    # The service call is held on its worker thread until the screen has moved on.
    called, release = threading.Event(), threading.Event()
    method = "issue_aftercare" if kind == "aftercare" else "checklist_pdf"
    original = getattr(DocumentService, method)

    def held(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        called.set()
        release.wait(30)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DocumentService, method, held)
    tasks = course.aftercare_tasks if kind == "aftercare" else course.tasks
    opened = course.aftercare_opened if kind == "aftercare" else course.checklist_opened
    button = course.aftercare_button if kind == "aftercare" else course.checklist_button
    try:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(called.is_set)
        if leave == "another patient":
            assert review.show_visit(vid_b, pid_b)
            assert course.patient_id == pid_b and course.record_number != record_a
        else:
            review.clear()
            # Shown again before the job ends: the job started for the screen that was cleared.
            assert review.show_visit(vid_a, pid_a)
        with qtbot.assertNotEmitted(opened):
            release.set()
            qtbot.waitUntil(lambda: not tasks.busy)
    finally:
        release.set()
    assert course.preview is None
    assert not course.message.isVisible() or not course.message.text()

    # Shown for the patient on screen, the print job is named with her record number.
    monkeypatch.setattr(DocumentService, method, original)
    assert review.show_visit(vid_a, pid_a)
    with qtbot.waitSignal(opened, timeout=30_000) as shown:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    preview = shown.args[0]
    assert preview.job_name.endswith(f" · {record_a}")
    preview.reject()


def test_the_dialog_says_to_countersign_a_consent_first(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    vid, patient_id = signed_visit(ctx, first_name="Ada", last_name="Moss")
    doctor = clinician(ctx)
    review = ReviewWidget(ctx, doctor)
    qtbot.addWidget(review)
    review.show()
    assert review.show_visit(vid, patient_id)
    course = review.course
    with qtbot.waitSignal(course.completion_dialog_opened) as opened:
        qtbot.mouseClick(course.completion_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    with qtbot.waitSignal(dialog.tasks.failed):
        qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert dialog.message.isVisible() and "not countersigned yet" in dialog.message.text()
    assert ClinicianService(ctx).course(doctor, patient_id).completion is None
    dialog.reject()
