"""Refusals and faults of the environment become messages; our own bugs surface as failures."""

from __future__ import annotations

import pytest
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    desk,
    search,
)

from intake.services.errors import STORAGE_MESSAGE, StorageUnavailable
from intake.services.patients import PatientService
from intake.services.visits import VisitService
from intake.ui.staff.front_desk import FrontDeskPage
from intake.ui.staff.status_board import StatusBoardWidget


def _board(qtbot, ctx) -> StatusBoardWidget:  # type: ignore[no-untyped-def]
    board = StatusBoardWidget(ctx, desk(ctx), refresh_ms=60_000)
    qtbot.addWidget(board)
    with qtbot.waitSignal(board.refreshed, timeout=10_000):
        board.show()
    return board


def test_a_board_refresh_the_database_refuses_is_a_message(qtbot, sqlite_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    board = _board(qtbot, sqlite_ctx)

    def unavailable(*_a, **_k):  # type: ignore[no-untyped-def]
        raise StorageUnavailable(STORAGE_MESSAGE)

    monkeypatch.setattr(VisitService, "board", unavailable)
    with qtbot.waitSignal(board._refreshing.failed, timeout=10_000):
        board.refresh()
    assert board.message.text() == STORAGE_MESSAGE
    assert board.refresh_button.isEnabled()  # and it can be tried again


def test_a_bug_behind_a_button_on_the_gui_thread_surfaces(qtbot, sqlite_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    patient = PatientService(sqlite_ctx).register(
        desk(sqlite_ctx), first_name="Ola", last_name="Berg", date_of_birth="1995-01-02"
    )
    started = VisitService(sqlite_ctx).start_visit(desk(sqlite_ctx), patient.id, "en")
    board = _board(qtbot, sqlite_ctx)

    def buggy(*_a, **_k):  # type: ignore[no-untyped-def]
        raise KeyError("visit")

    monkeypatch.setattr(VisitService, "new_code", buggy)
    with pytest.raises(KeyError):
        board.issue_new_code(started.visit_id)
    assert board.message.text() == ""


def test_a_bug_behind_a_board_refresh_surfaces(qtbot, sqlite_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    board = _board(qtbot, sqlite_ctx)

    def buggy(*_a, **_k):  # type: ignore[no-untyped-def]
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(VisitService, "board", buggy)
    with qtbot.captureExceptions() as exceptions:
        board.refresh()
        qtbot.waitUntil(lambda: bool(exceptions), timeout=10_000)
    assert [type(e[1]) for e in exceptions] == [TypeError]
    assert "Something went wrong" not in board.message.text()


def test_a_search_the_database_refuses_is_a_message(qtbot, sqlite_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    page = FrontDeskPage(sqlite_ctx, desk(sqlite_ctx), board_refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(page)
    page.show()

    def unreachable(*_a, **_k):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("db.clinic.local:5432")

    monkeypatch.setattr(PatientService, "search", unreachable)
    with qtbot.waitSignal(page.search_panel.search_failed, timeout=10_000):
        page.search_for("berg")
    assert "could not be reached" in page.message.text()
    assert "5432" not in page.message.text()


def test_a_refusal_is_worded_from_the_staff_catalogue_by_its_code(
    qtbot, sqlite_ctx, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The board shows a refusal in the staff catalogue's words for its code, not the text the
    service happened to give; a code the staff catalogue lacks keeps the service's text."""
    from intake import i18n
    from intake.services.errors import Conflict, NotFound
    from intake.ui.common import describe_error

    board = _board(qtbot, sqlite_ctx)

    def stale(*_a, **_k):  # type: ignore[no-untyped-def]
        raise Conflict("stale", code="changed_elsewhere")

    monkeypatch.setattr(VisitService, "board", stale)
    with qtbot.waitSignal(board._refreshing.failed, timeout=10_000):
        board.refresh()
    assert board.message.text() == i18n.tr("staff.error_changed_elsewhere", "en")
    assert describe_error(NotFound("No staff account named 'x'.")) == (
        "No staff account named 'x'."
    )
