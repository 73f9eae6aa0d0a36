"""The board's release of a positive mood screen (a note, the right role), the dermatologist's
summary showing who released it, and choosing the dermatologist at the front desk."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    clinician_info,
    desk,
    refresh_board,
    search,
)

from intake.services.dermatologists import DermatologistService
from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient, ensure_staff, walk_visit
from intake.services.staff import staff_actor
from intake.services.visits import VisitService
from intake.ui.release_dialog import AlertReleaseDialog
from intake.ui.staff.front_desk import FrontDeskPage, VisitCodeDialog
from intake.ui.staff.review import ReviewWidget
from intake.ui.staff.status_board import StatusBoardWidget
from intake.ui.staff.style import STAFF_QSS

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

ITEM9 = (2, 2, 1, 1, 1, 0, 1, 0, 1)
NOTE = "Seen in the quiet room; safety plan agreed; mother collecting her."


def _paused(ctx) -> str:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(first_name="Rosa", last_name="Díaz", phq9=ITEM9)
    row = PatientService(ctx).register(
        desk(ctx),
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        sex_at_birth=patient.sex_at_birth,
    )
    visits = VisitService(ctx)
    started = visits.start_visit(desk(ctx), row.id, "en")
    kiosk = visits.open_by_code(patient.date_of_birth, started.code)
    visits.save_phq9(kiosk, started.visit_id, list(patient.phq9), "somewhat")
    return started.visit_id


def _board(qtbot, ctx, actor) -> StatusBoardWidget:  # type: ignore[no-untyped-def]
    board = StatusBoardWidget(ctx, actor, refresh_ms=60_000)
    board.setStyleSheet(STAFF_QSS)
    qtbot.addWidget(board)
    board.resize(900, 500)
    board.show()
    return board


def _needs_staff(ctx, vid: str) -> str:  # type: ignore[no-untyped-def]
    row = next(r for r in VisitService(ctx).board(desk(ctx)) if r.visit_id == vid)
    return row.needs_staff


def test_at_the_front_desk_the_clinician_releases_with_their_own_username_and_pin(
    qtbot, sqlite_ctx
) -> None:  # type: ignore[no-untyped-def]
    """The desk is signed in, the dermatologist saw the patient: the release is the doctor's, with
    the doctor's own credentials; a wrong PIN, or the desk's own, releases nothing."""
    from intake.services.alerts import AlertService
    from intake.services.scripted import STAFF_PIN

    vid = _paused(sqlite_ctx)
    clinician_info(sqlite_ctx)
    board = _board(qtbot, sqlite_ctx, desk(sqlite_ctx))
    refresh_board(qtbot, board)
    assert board.select_visit(vid) and board.attend_button.isEnabled()
    qtbot.mouseClick(board.attend_button, Qt.MouseButton.LeftButton)
    dialog = board.release_dialog
    assert isinstance(dialog, AlertReleaseDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.username is not None and dialog.secret is not None
    assert "released by a clinician" in dialog.refusal
    qtbot.keyClicks(dialog.note, NOTE)
    qtbot.keyClicks(dialog.username, "derm")
    qtbot.keyClicks(dialog.secret, STAFF_PIN + "9")
    qtbot.mouseClick(dialog.release_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "username and PIN are not right" in dialog.message.text()
    assert dialog.secret.text() == ""  # a wrong PIN is not left in the box
    assert _needs_staff(sqlite_ctx, vid) == "item9"
    # The desk's own account does not have the role, whatever its PIN.
    dialog.username.setText("desk")
    qtbot.keyClicks(dialog.secret, STAFF_PIN)
    qtbot.mouseClick(dialog.release_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "released by a clinician" in dialog.message.text()
    assert _needs_staff(sqlite_ctx, vid) == "item9"
    dialog.username.setText("derm")
    assert not dialog.message.isVisible()  # a changed name clears the refusal
    dialog.secret.setText(STAFF_PIN)
    dialog.grab().save("/tmp/release_dialog_colleague.png")
    with qtbot.waitSignal(board.attended):
        qtbot.mouseClick(dialog.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.release_dialog is None)
    assert _needs_staff(sqlite_ctx, vid) == ""
    (release,) = AlertService(sqlite_ctx).releases(desk(sqlite_ctx), vid)
    assert (release.released_by, release.role, release.note) == ("Dr Ana Ruiz", "clinician", NOTE)


def test_a_clinician_releases_from_the_board_with_a_note(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid = _paused(sqlite_ctx)
    board = _board(qtbot, sqlite_ctx, clinician(sqlite_ctx))
    refresh_board(qtbot, board)
    board.select_visit(vid)
    qtbot.mouseClick(board.attend_button, Qt.MouseButton.LeftButton)
    dialog = board.release_dialog
    assert isinstance(dialog, AlertReleaseDialog)
    qtbot.waitUntil(dialog.isVisible)
    # No note: refused on the dialog, nothing saved.
    qtbot.mouseClick(dialog.release_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "short note" in dialog.message.text()
    assert _needs_staff(sqlite_ctx, vid) == "item9"
    dialog.grab().save("/tmp/release_dialog_refused.png")
    qtbot.keyClicks(dialog.note, NOTE)
    assert dialog.count.text() == f"{len(NOTE)} / 200"
    assert not dialog.message.isVisible()  # typing the note clears the refusal
    dialog.grab().save("/tmp/release_dialog.png")
    with qtbot.waitSignal(board.attended):
        qtbot.mouseClick(dialog.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.release_dialog is None)
    assert _needs_staff(sqlite_ctx, vid) == ""
    assert "Released with a note" in board.message.text()


def test_the_summary_tab_shows_who_released_it_when_and_the_note(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(phq9=ITEM9))
    patient_id = VisitService(sqlite_ctx).board(desk(sqlite_ctx))[0].patient_id
    review = ReviewWidget(sqlite_ctx, clinician(sqlite_ctx))
    review.setStyleSheet(STAFF_QSS)
    qtbot.addWidget(review)
    review.resize(1280, 800)
    review.show()
    assert review.show_visit(vid, patient_id)
    label = review.summary.releases
    assert label.isVisible()
    text = label.text()
    assert "Mood screen released" in text and "Dr Ana Ruiz (clinician)" in text
    assert "Seen in private; safety plan agreed; no immediate risk." in text
    assert "test-station" in text
    review.grab().save("/tmp/summary_tab.png")


def test_the_dermatologist_is_chosen_at_the_front_desk_and_changed_in_the_review(
    qtbot, sqlite_ctx
) -> None:  # type: ignore[no-untyped-def]
    lee = ensure_staff(sqlite_ctx, "clinician", "drlee", "Dr Mina Lee")
    ruiz = clinician_info(sqlite_ctx)
    ensure_staff(sqlite_ctx, "front_desk", "desk2", "Second Desk")  # never offered: not a clinician
    page = FrontDeskPage(sqlite_ctx, desk(sqlite_ctx), board_refresh_ms=60_000, debounce_ms=0)
    page.setStyleSheet(STAFF_QSS)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    p = PatientService(sqlite_ctx).register(
        desk(sqlite_ctx), first_name="Ines", last_name="Mora", date_of_birth="1990-01-02"
    )
    search(qtbot, page, "mora")
    assert page.select_patient(p.id)
    combo = page.dermatologist.combo
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert offered[0].startswith("None yet") and sorted(offered[1:]) == [
        "Dr Ana Ruiz",
        "Dr Mina Lee",
    ]
    assert page.dermatologist.choose(lee.id)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, VisitCodeDialog)
    assert "Dr Mina Lee" in dialog.dermatologist_label.text()
    dialog.accept()
    vid = VisitService(sqlite_ctx).visits_for(desk(sqlite_ctx), p.id)[0].visit_id
    service = DermatologistService(sqlite_ctx)
    assert service.of_visit(desk(sqlite_ctx), vid).id == lee.id  # type: ignore[union-attr]
    # The front desk changes it for the open visit.
    assert page.dermatologist.choose(ruiz.id)
    apply = page.dermatologist.apply_button
    assert apply is not None and apply.isVisible() and apply.isEnabled()
    qtbot.mouseClick(apply, Qt.MouseButton.LeftButton)
    assert service.of_visit(desk(sqlite_ctx), vid).id == ruiz.id  # type: ignore[union-attr]
    assert "Dr Ana Ruiz" in page.message.text()
    # And the clinician, in the review's summary, back to Dr Lee.
    review = ReviewWidget(sqlite_ctx, staff_actor(lee))
    qtbot.addWidget(review)
    review.show()
    assert review.show_visit(vid, p.id)
    picker = review.summary.dermatologist
    assert picker.chosen() == ruiz.id and picker.combo.isEnabled()
    assert picker.choose(lee.id)
    assert picker.apply_button is not None
    qtbot.mouseClick(picker.apply_button, Qt.MouseButton.LeftButton)
    assert service.of_visit(desk(sqlite_ctx), vid).id == lee.id  # type: ignore[union-attr]
    assert review.summary.dermatologist.chosen() == lee.id  # reloaded
