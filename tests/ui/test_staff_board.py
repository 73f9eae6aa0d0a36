"""The status board on a busy day: waiting times, parts of the visit, sorting, filtering,
hiding done rows, opening a row, banners that neither push the table nor outstay their
news; and the dermatologist's queue, counted and paged."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtCore import QPoint, Qt
from sqlalchemy import insert
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    desk,
    refresh_board,
    refresh_queue,
)

from intake.services.context import AppContext
from intake.services.patients import PatientService, fold
from intake.services.visits import VisitService
from intake.store.models import Patient, Visit
from intake.ui.staff.clinician import QUEUE_PAGE, ClinicianPage
from intake.ui.staff.front_desk import FrontDeskPage
from intake.ui.staff.status_board import StatusBoardWidget
from intake.ui.staff.style import STAFF_QSS

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

STATUS, PATIENT, RECORD, PART, WAITING = range(5)


class Clock:
    def __init__(self, ctx: AppContext):
        self.now = ctx.now()
        ctx.clock = lambda: self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def bulk(ctx: AppContext, names: list[str], status: str, first_id: int, **times: dt.datetime) -> list[str]:  # fmt: skip
    """Visits inserted as they stand (signed or countersigned), one patient each."""
    now = ctx.now()
    ids = []
    with ctx.db.engine.begin() as conn:
        for i, name in enumerate(names):
            pid, vid = first_id + i, str(uuid.UUID(int=first_id + i))
            first, last = name.split()
            conn.execute(
                insert(Patient.__table__),
                {
                    "id": pid, "record_number": f"B-{pid:07d}", "first_name": first,
                    "last_name": last, "preferred_name": "", "date_of_birth": dt.date(1990, 1, 1),
                    "sex_at_birth": "female", "phone": "", "email": "", "lang": "en",
                    "search_name": fold(f"{last} {first}"), "search_alt": fold(f"{first} {last}"),
                    "version": 1, "created_at": now, "actor": "test", "station": "test",
                },
            )  # fmt: skip
            submitted = times.get("submitted_at", now) - dt.timedelta(minutes=i)
            conn.execute(
                insert(Visit.__table__),
                {
                    "id": vid, "patient_id": pid, "status": status, "lang": "en",
                    "visit_date": now.date(), "code_hash": "", "page": "done",
                    "kiosk_station": "k1", "needs_staff": "", "form_versions": {},
                    "ruleset_id": "", "quiz_passed": True, "record_sha256": "",
                    "started_at": submitted - dt.timedelta(minutes=40),
                    "submitted_at": submitted,
                    "countersigned_at": now if status == "countersigned" else None,
                    "updated_at": now, "version": 1, "actor": "test", "station": "test",
                },
            )  # fmt: skip
            ids.append(vid)
    return ids


def start(ctx: AppContext, first: str, last: str, born: str) -> tuple[str, str, int]:
    p = PatientService(ctx).register(
        desk(ctx), first_name=first, last_name=last, date_of_birth=born, sex_at_birth="female"
    )
    started = VisitService(ctx).start_visit(desk(ctx), p.id, "en")
    return started.visit_id, started.code, p.id


@pytest.fixture
def busy(ctx):  # type: ignore[no-untyped-def]
    """A morning: one waiting, one at the kiosk, one who walked away, one for the
    dermatologist, one done."""
    clock = Clock(ctx)
    visits = VisitService(ctx)
    waiting, _, _ = start(ctx, "Ana", "Abel", "1990-02-03")  # started 50 min ago
    clock.advance(minutes=20)
    at_kiosk, code, _ = start(ctx, "Zoë", "Nguyễn", "1999-04-12")  # 30 min ago
    kiosk = visits.open_by_code(dt.date(1999, 4, 12), code)
    visits.set_page(kiosk, at_kiosk, "phq9")
    clock.advance(minutes=10)
    left, code, _ = start(ctx, "Bo", "Berg", "1985-05-06")  # 20 min ago
    gone = visits.open_by_code(dt.date(1985, 5, 6), code)
    visits.set_page(gone, left, f"intake:{ctx.forms.intake.pages[0].id}")
    visits.release_kiosk(gone, left, "idle")
    clock.advance(minutes=15)
    (signed,) = bulk(ctx, ["Cy Cole"], "submitted", 900, submitted_at=clock.now)
    (done,) = bulk(ctx, ["Di Dahl"], "countersigned", 950)
    clock.advance(minutes=5)
    return {
        "waiting": waiting,
        "at_kiosk": at_kiosk,
        "left": left,
        "signed": signed,
        "done": done,
        "clock": clock,
    }


@pytest.fixture
def board(qtbot, ctx, busy):  # type: ignore[no-untyped-def]
    widget = StatusBoardWidget(ctx, desk(ctx), refresh_ms=60_000, banner_ms=60_000)
    widget.setStyleSheet(STAFF_QSS)
    qtbot.addWidget(widget)
    widget.resize(900, 520)
    widget.show()
    qtbot.waitUntil(lambda: len(widget.rows) == 5)
    return widget


def shown(board: StatusBoardWidget, column: int) -> list[str]:
    return [board.text_at(i, column) for i in range(board.proxy.rowCount())]


def test_board_says_how_long_each_waits_where_they_are_and_who_left(board, busy) -> None:  # type: ignore[no-untyped-def]
    by_visit = {
        r.visit_id: [board.text_at(i, c) for c in range(5)]
        for i, r in enumerate(board.shown_rows())
    }
    assert by_visit[busy["waiting"]][STATUS] == "Waiting for the kiosk"
    assert by_visit[busy["waiting"]][PART] == "Not started"
    assert by_visit[busy["waiting"]][WAITING] == "50 min"  # since it started, not last change
    assert by_visit[busy["at_kiosk"]][STATUS] == "At the kiosk"
    assert by_visit[busy["at_kiosk"]][PART] == "Mood questions"
    assert by_visit[busy["at_kiosk"]][WAITING] == "30 min"
    assert by_visit[busy["left"]][STATUS].startswith("Left the kiosk")
    assert "at the kiosk" not in by_visit[busy["left"]][STATUS].lower()
    assert by_visit[busy["left"]][PART] == "About you"
    assert by_visit[busy["signed"]][STATUS] == "Waiting for the dermatologist"
    assert by_visit[busy["signed"]][WAITING] == "5 min"  # since signing
    assert by_visit[busy["done"]][STATUS] == "Done" and by_visit[busy["done"]][WAITING] == "—"
    assert "left the kiosk 1" in board.counts_label.text()


def test_columns_sort_by_their_own_meaning(qtbot, board, busy) -> None:  # type: ignore[no-untyped-def]
    header = board.table.horizontalHeader()
    # The board's own order: who needs someone first (left the kiosk before waiting).
    assert [r.visit_id for r in board.shown_rows()][:2] == [busy["left"], busy["waiting"]]
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(header.sectionViewportPosition(WAITING) + 5, 5)
    )  # fmt: skip
    assert board.table.horizontalHeader().sortIndicatorSection() == WAITING
    waits = [r.visit_id for r in board.shown_rows()]
    if header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder:
        waits.reverse()
    # By minutes waited (5, 20, 30, 50), not alphabetically ("20 min" < "5 min").
    assert waits == [busy["done"], busy["signed"], busy["left"], busy["at_kiosk"], busy["waiting"]]
    board.table.sortByColumn(PATIENT, Qt.SortOrder.AscendingOrder)
    assert shown(board, PATIENT) == ["Ana Abel", "Bo Berg", "Cy Cole", "Di Dahl", "Zoë Nguyễn"]
    refresh_board(qtbot, board)  # a refresh keeps the order chosen
    assert shown(board, PATIENT)[0] == "Ana Abel"


def test_filter_box_and_hide_done(qtbot, board, busy) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(board.filter_box, "zoe")  # no accent typed
    assert shown(board, PATIENT) == ["Zoë Nguyễn"]
    assert "showing 1 of 5" in board.counts_label.text()
    board.filter_box.clear()
    qtbot.keyClicks(board.filter_box, "kiosk")
    assert {r.visit_id for r in board.shown_rows()} == {
        busy["waiting"],
        busy["at_kiosk"],
        busy["left"],
    }
    board.filter_box.clear()
    assert board.proxy.rowCount() == 5
    qtbot.mouseClick(board.hide_done_box, Qt.MouseButton.LeftButton)
    assert board.hide_done_box.isChecked()
    assert busy["done"] not in [r.visit_id for r in board.shown_rows()]
    assert board.proxy.rowCount() == 4
    assert not board.select_visit(busy["done"])  # hidden rows cannot be acted on
    refresh_board(qtbot, board)
    assert board.proxy.rowCount() == 4  # stays hidden after a refresh


def test_a_row_opens_that_patient_at_the_front_desk(qtbot, ctx, busy) -> None:  # type: ignore[no-untyped-def]
    page = FrontDeskPage(ctx, desk(ctx), board_refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    board = page.board
    qtbot.waitUntil(lambda: len(board.rows) == 5)
    row = board.row_for(busy["at_kiosk"])
    assert row is not None and board.select_visit(row.visit_id)
    index = board.table.currentIndex()
    with qtbot.waitSignal(board.visit_activated) as opened:
        centre = board.table.visualRect(index).center()
        # A double-click as a hand makes it: press, release, then the second press.
        qtbot.mouseClick(board.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(board.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert opened.args == [row.visit_id, row.patient_id]
    qtbot.waitUntil(lambda: page.selected_patient() is not None)  # found off the GUI thread
    assert page.selected_patient().id == row.patient_id
    assert "Nguyễn" in page.details.text()

    other = board.row_for(busy["left"])
    assert other is not None and board.select_visit(other.visit_id)
    board.table.setFocus()
    with qtbot.waitSignal(board.visit_activated) as opened:
        qtbot.keyClick(board.table, Qt.Key.Key_Return)
    assert opened.args == [other.visit_id, other.patient_id]
    qtbot.waitUntil(lambda: page.selected_patient().id == other.patient_id)


def test_banners_float_over_the_table_and_go_when_out_of_date(qtbot, ctx, board, busy) -> None:  # type: ignore[no-untyped-def]
    before = board.table.geometry()
    assert board.select_visit(busy["waiting"])
    with qtbot.waitSignal(board.refreshed):
        qtbot.mouseClick(board.new_code_button, Qt.MouseButton.LeftButton)
    banner = board.message
    assert banner.isVisible() and "New visit code for Ana Abel" in banner.text()
    assert board.table.geometry() == before  # the table is not pushed down
    assert banner.parentWidget() is board.table
    assert board.table.rect().contains(banner.geometry())
    refresh_board(qtbot, board)
    assert banner.isVisible()  # nothing changed yet: still true
    # The patient opens the visit at a kiosk: the row changed, the banner is out of date.
    busy["clock"].advance(minutes=1)
    VisitService(ctx).hand_over(desk(ctx), busy["waiting"])
    refresh_board(qtbot, board)
    assert not banner.isVisible() and banner.text() == ""

    # A confirmation goes by itself, too.
    short = StatusBoardWidget(ctx, desk(ctx), refresh_ms=60_000, banner_ms=150)
    qtbot.addWidget(short)
    short.show()
    qtbot.waitUntil(lambda: len(short.rows) == 5)
    assert short.select_visit(busy["left"])
    with qtbot.waitSignal(short.refreshed):
        short.issue_new_code(busy["left"])
    assert short.message.isVisible()
    qtbot.waitUntil(lambda: not short.message.isVisible(), timeout=3000)
    # And the dismiss button closes one at once.
    with qtbot.waitSignal(short.refreshed):
        short.issue_new_code(busy["left"])
    qtbot.mouseClick(short.message.close_button, Qt.MouseButton.LeftButton)
    assert not short.message.isVisible()


def test_queue_counts_every_signed_visit_and_shows_more(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    now = ctx.now()
    ids = bulk(
        ctx, [f"Pat P{i:03d}" for i in range(120)], "submitted", 2000,
        submitted_at=now - dt.timedelta(days=45),
    )  # fmt: skip
    page = ClinicianPage(ctx, clinician(ctx), refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    with qtbot.waitSignal(page.queue_refreshed, timeout=10_000):
        page.show()
    assert page.queue_total == 120
    assert "120 visits signed and waiting for review" in page.queue_label.text()
    assert len(page.queue) == QUEUE_PAGE and page.more_button.isVisible()
    while page.more_button.isVisible():
        with qtbot.waitSignal(page.queue_refreshed, timeout=10_000):
            qtbot.mouseClick(page.more_button, Qt.MouseButton.LeftButton)
            assert not page.more_button.isEnabled()  # one page at a time
    assert sorted(r.visit_id for r in page.queue) == sorted(ids)  # 45 days old, still there
    assert page.queue_table.rowCount() == 120
    refresh_queue(qtbot, page)
    assert len(page.queue) == 120  # a refresh keeps what was shown
    assert page.queue_table.item(0, 1).text().startswith("45 d")


def test_the_board_says_how_many_signed_visits_of_earlier_days_wait_in_the_queue(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    today = bulk(ctx, ["Ada Lind"], "submitted", 7000)
    older = bulk(ctx, ["Bea Holm", "Cai Dahl"], "submitted", 7100)
    with ctx.db.engine.begin() as conn:
        conn.execute(
            Visit.__table__.update()
            .where(Visit.id.in_(older))
            .values(updated_at=ctx.now() - dt.timedelta(days=3))
        )
    board = StatusBoardWidget(ctx, desk(ctx), refresh_ms=60_000)
    board.setStyleSheet(STAFF_QSS)
    qtbot.addWidget(board)
    with qtbot.waitSignal(board.refreshed, timeout=10_000):
        board.show()
    assert [board.model.rows[0].visit_id] == today
    assert "2 signed visits of earlier days in the review queue" in board.counts_label.text()
