"""Front desk: a visit paused for the patient's identity says so on the board; staff accept the
proposal (a new record version) or keep the record; kiosk contact updates show in the details."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from test_staff_support import background_work_finishes, desk, refresh_board, search  # noqa: F401

from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService
from intake.ui.staff.front_desk import FrontDeskPage
from intake.ui.staff.style import STAFF_QSS

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _paused_visit(ctx, last_name: str = "Bergman"):  # type: ignore[no-untyped-def]
    scripted = ScriptedPatient(first_name="Lena", last_name="Berg")
    p = PatientService(ctx).register(
        desk(ctx), first_name="Lena", last_name="Berg", date_of_birth=scripted.date_of_birth
    )
    visits = VisitService(ctx)
    started = visits.start_visit(desk(ctx), p.id, "en")
    kiosk = visits.open_by_code(scripted.date_of_birth, started.code)
    page = {**scripted.page_answers()["identity"], "last_name": last_name}
    visits.save_page(kiosk, started.visit_id, "identity", page)
    return p, started.visit_id


@pytest.fixture
def page(qtbot, sqlite_ctx):  # type: ignore[no-untyped-def]
    widget = FrontDeskPage(sqlite_ctx, desk(sqlite_ctx), board_refresh_ms=60_000, debounce_ms=0)
    widget.setStyleSheet(STAFF_QSS)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


def test_board_names_the_identity_check_and_staff_accept_it(qtbot, page, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    p, vid = _paused_visit(sqlite_ctx)
    board = page.board
    refresh_board(qtbot, board)
    assert board.select_visit(vid)
    assert board.text_at(0, 0) == "Needs staff — check the patient's name or date of birth"
    assert "Bergman" not in board.text_at(0, 0)
    assert board.identity_button.isEnabled()
    qtbot.mouseClick(board.identity_button, Qt.MouseButton.LeftButton)
    dialog = board.identity_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert "Bergman" in dialog.proposal.text() and not dialog.date_of_birth.isVisible()
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)  # no reason yet
    assert "why" in dialog.message.text()
    qtbot.keyClicks(dialog.reason, "married name, checked the ID")
    with qtbot.waitSignal(dialog.settled) as settled:
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert settled.args == ["accepted"]
    assert PatientService(sqlite_ctx).get(desk(sqlite_ctx), p.id).last_name == "Bergman"
    qtbot.waitUntil(
        lambda: board.row_for(vid) is not None and board.row_for(vid).stage == "at_kiosk"
    )
    assert "may continue at the kiosk" in board.message.text()
    # The front desk sees the new versions and why they were made.
    search(qtbot, page, "bergman")
    assert page.select_patient(p.id)
    details = page.details.text()
    assert "married name, checked the ID" in details
    assert "updated by the patient at the kiosk" in details  # the phone typed at the kiosk


def test_keeping_the_record_lets_the_visit_continue(qtbot, page, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    p, vid = _paused_visit(sqlite_ctx)
    board = page.board
    refresh_board(qtbot, board)
    assert board.select_visit(vid)
    qtbot.mouseClick(board.identity_button, Qt.MouseButton.LeftButton)
    dialog = board.identity_dialog
    assert dialog is not None
    with qtbot.waitSignal(dialog.settled):
        qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    assert PatientService(sqlite_ctx).get(desk(sqlite_ctx), p.id).last_name == "Berg"
    assert VisitService(sqlite_ctx).draft(desk(sqlite_ctx), vid).needs_staff == ""
