"""The status board speaks only the message catalogue: built in the pseudo-locale on a day with
visits in every state (waiting, at the kiosk at several pages, left the kiosk, paused for the
mood screen or the patient's identity, signed, countersigned, a check-in, a completed course with
its post-course test due or overdue, a re-consent, codes void, locked and expired), with each
action's dialog or message shown; and in Spanish, with real Spanish words."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest
from pseudo_text import staff_texts, unmarked, unmarked_staff_texts
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    desk,
    refresh_board,
)

from intake.domain import wizard
from intake.services.context import AppContext
from intake.services.patients import PatientService
from intake.services.scripted import (
    ScriptedPatient,
    countersign_consent,
    finish_course,
    walk_checkin,
    walk_visit,
)
from intake.services.visits import BoardRow, VisitService
from intake.ui.release_dialog import AlertReleaseDialog
from intake.ui.staff.identity_dialog import IdentityCheckDialog
from intake.ui.staff.status_board import StatusBoardWidget
from intake.ui.staff.style import STAFF_QSS
from intake.ui.staff.visit_choice import AbandonVisitDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

ITEM9 = (2, 2, 1, 1, 1, 0, 1, 0, 1)


def _register(ctx: AppContext, first: str, last: str, born: dt.date) -> int:
    return (
        PatientService(ctx)
        .register(desk(ctx), first_name=first, last_name=last, date_of_birth=born)
        .id
    )


def _day(ctx: AppContext) -> dict[str, str]:
    """Visits in every state a front desk meets, through the real services."""
    visits = VisitService(ctx)
    ids: dict[str, str] = {}

    def started(key: str, first: str, last: str, born: dt.date) -> tuple[str, str]:
        pid = _register(ctx, first, last, born)
        s = visits.start_visit(desk(ctx), pid, "en")
        ids[key] = s.visit_id
        return s.visit_id, s.code

    started("waiting", "Ana", "Abel", dt.date(1990, 2, 3))
    vid, code = started("health", "Bea", "Berg", dt.date(1991, 3, 4))
    kiosk = visits.open_by_code(dt.date(1991, 3, 4), code)
    visits.set_page(kiosk, vid, f"intake:{ctx.forms.intake.pages[1].id}")
    vid, code = started("signing", "Cai", "Cole", dt.date(1992, 4, 5))
    kiosk = visits.open_by_code(dt.date(1992, 4, 5), code)
    visits.set_page(kiosk, vid, "sign:patient")
    vid, code = started("left", "Dan", "Dahl", dt.date(1985, 5, 6))
    kiosk = visits.open_by_code(dt.date(1985, 5, 6), code)
    visits.set_page(kiosk, vid, "phq9")
    visits.release_kiosk(kiosk, vid, "idle")
    vid, code = started("mood", "Rosa", "Díaz", dt.date(1999, 4, 12))
    kiosk = visits.open_by_code(dt.date(1999, 4, 12), code)
    visits.save_phq9(kiosk, vid, list(ITEM9), "somewhat")
    lena = ScriptedPatient(first_name="Lena", last_name="Berg", date_of_birth=dt.date(1998, 1, 2))
    vid, code = started("identity", "Lena", "Berg", lena.date_of_birth)
    kiosk = visits.open_by_code(lena.date_of_birth, code)
    page = {**lena.page_answers()["identity"], "last_name": "Bergström"}
    visits.save_page(kiosk, vid, "identity", page)

    # Signed with its flags (a positive mood screen, an interacting medicine), for the doctor.
    flagged = ScriptedPatient(
        first_name="Eva",
        last_name="Lind",
        phq9=(2, 2, 2, 1, 1, 1, 1, 1, 0),
        extra_answers={"takes_tetracycline": "yes"},
    )
    ids["signed"], _, _ = walk_visit(ctx, flagged)
    # Countersigned, then a month's check-in signed.
    ivo = ScriptedPatient(first_name="Ivo", last_name="Ivanov", sex_at_birth="male",
                          can_become_pregnant=False)  # fmt: skip
    ids["countersigned"], _, _ = walk_visit(ctx, ivo)
    countersign_consent(ctx, clinician(ctx), ids["countersigned"])
    ivo_id = _patient_of(ctx, ids["countersigned"])
    ids["checkin"], _, _ = walk_checkin(ctx, ivo, ivo_id)
    # A course completed today: the post-course pregnancy test is due.
    mia = ScriptedPatient(first_name="Mia", last_name="Moreno", date_of_birth=dt.date(1997, 7, 8))
    ids["completed"], _, _ = walk_visit(ctx, mia)
    countersign_consent(ctx, clinician(ctx), ids["completed"])
    finish_course(ctx, clinician(ctx), _patient_of(ctx, ids["completed"]), ctx.today())
    return ids


def _patient_of(ctx: AppContext, visit_id: str) -> int:
    row = next(r for r in VisitService(ctx).board(desk(ctx)) if r.visit_id == visit_id)
    return row.patient_id


def _variants(rows: list[BoardRow], ids: dict[str, str], now: dt.datetime) -> list[BoardRow]:
    """The same day's rows in the states a board meets less often: codes void, locked and
    expired, a guardian's details, a topic and a question counted, a test overdue, tested
    negative or positive, a re-consent, a visit paused for another reason."""
    by = {r.visit_id: r for r in rows}
    health = by[ids["health"]]
    place = health.place
    assert place is not None
    out = []
    for n, (code, extra) in enumerate(
        [
            ("void", {}),
            ("locked", {"code_locked_until": now + dt.timedelta(minutes=14)}),
            ("expired", {}),
        ]
    ):
        out.append(dataclasses.replace(health, visit_id=f"v-code-{n}", code=code, **extra))
    for n, new_place in enumerate(
        [
            wizard.Place("risks", 4, 6, "topic", 0, 10),
            wizard.Place("risks", 4, 6, "topic", 3, 10),
            wizard.Place("check", 5, 6, "question", 2, 4),
            wizard.Place("about_you", 1, 6),
            wizard.Place("mood", 3, 6),
            wizard.Place("sign", 6, 6, "page", 1, 2),
        ]
    ):
        out.append(dataclasses.replace(health, visit_id=f"v-place-{n}", place=new_place))
    paused = by[ids["mood"]]
    out.append(dataclasses.replace(paused, visit_id="v-paused", needs_staff="help"))
    done = by[ids["completed"]]
    due = done.post_course_test_due or now.date()
    for n, end in enumerate(("overdue", "negative", "positive", "")):
        out.append(
            dataclasses.replace(
                done, visit_id=f"v-end-{n}", course_end=end, post_course_test_due=due
            )
        )
    checkin = by[ids["checkin"]]
    out.append(
        dataclasses.replace(
            checkin, visit_id="v-renews", reconsent_reasons=("form_changed", "turned_18")
        )
    )
    return out


def _data(board: StatusBoardWidget) -> tuple[str, ...]:
    """What the board shows that is the patients' own, or the clinic's set-up."""
    out: list[str] = []
    for r in board.rows:
        out += [r.patient_name, r.record_number]
        if r.kiosk_station:
            out.append(r.kiosk_station)
    return tuple(out)


def _outside(board: StatusBoardWidget, dialog: QWidget | None) -> list[str]:
    """The board's own unmarked texts; a dialog the desk area's code builds (the identity
    check, the abandon box) is checked where it is made (desk area)."""
    data = _data(board)
    found = unmarked_staff_texts(board, data)
    if dialog is None:
        return found
    theirs = set(unmarked_staff_texts(dialog, data))
    return [p for p in found if p not in theirs]


def _shoot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("INTAKE_PSEUDO_SHOTS")
    if folder:
        QApplication.sendPostedEvents()  # the layout settles around the texts just set
        widget.grab().save(str(Path(folder) / f"board-{name}.png"))


def _board(qtbot, ctx: AppContext) -> StatusBoardWidget:  # type: ignore[no-untyped-def]
    board = StatusBoardWidget(ctx, desk(ctx), refresh_ms=60_000, banner_ms=60_000)
    board.setStyleSheet(STAFF_QSS)
    qtbot.addWidget(board)
    board.resize(1280, 800)
    board.show()
    refresh_board(qtbot, board)
    return board


def _gone(qtbot, board: StatusBoardWidget, kind: type[QWidget]) -> None:  # type: ignore[no-untyped-def]
    """A closed dialog is deleted (its texts are no longer the board's)."""
    qtbot.waitUntil(lambda: not board.findChildren(kind))


def _select(qtbot, board: StatusBoardWidget, visit_id: str) -> None:  # type: ignore[no-untyped-def]
    assert board.select_visit(visit_id)
    qtbot.waitUntil(lambda: board.selected_row() is not None)


def test_the_board_speaks_only_the_catalogue(qtbot, sqlite_ctx, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    # Empty: the headers, the filter, the buttons, the counts.
    empty = _board(qtbot, ctx)
    assert not _outside(empty, None)
    empty.filter_box.setText("nobody")
    assert not _outside(empty, None)

    ids = _day(ctx)
    board = _board(qtbot, ctx)
    assert {board.row_for(v) is not None for v in ids.values()} == {True}
    assert not _outside(board, None)
    _shoot(board, "pseudo")

    # The rarer states, and a filter that hides some rows.
    board._fill(board.rows + _variants(board.rows, ids, ctx.now()))
    board.filter_box.setText("a")
    board.hide_done_box.setChecked(True)
    assert not _outside(board, None)
    board.filter_box.clear()
    board.hide_done_box.setChecked(False)

    # Each action, its dialog and what the board says after it.
    _select(qtbot, board, ids["mood"])
    qtbot.mouseClick(board.attend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.release_dialog is not None)
    assert not _outside(board, None)  # the release dialog too
    release = board.release_dialog
    assert release is not None
    release.note.setPlainText("ok")  # too short: the service's refusal, worded by its code
    release.release_button.click()
    assert release.message.kind == "error" and release.message.text().startswith("⟦")
    assert not _outside(board, None)
    board.release_dialog.reject()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: board.release_dialog is None)
    _gone(qtbot, board, AlertReleaseDialog)

    _select(qtbot, board, ids["identity"])
    qtbot.mouseClick(board.identity_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.identity_dialog is not None)
    assert not _outside(board, board.identity_dialog)  # desk area
    board.identity_dialog.reject()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: board.identity_dialog is None)
    _gone(qtbot, board, IdentityCheckDialog)

    _select(qtbot, board, ids["left"])
    qtbot.mouseClick(board.new_code_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.message.isVisible())
    assert not _outside(board, None)
    _shoot(board, "pseudo-new-code")

    _select(qtbot, board, ids["signing"])
    qtbot.mouseClick(board.abandon_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.confirm_box is not None)
    box = board.confirm_box
    assert box is not None
    for reason in ("", "x" * 300):  # no reason, then one too long: said in the box
        problem = board.abandon(ids["signing"], reason)
        assert problem
        box.show_reason_error(problem)
        assert not _outside(board, box)  # desk area
        assert box.reason.error.text() == problem and not unmarked(problem, _data(board))
    box.reject()
    qtbot.waitUntil(lambda: board.confirm_box is None)
    _gone(qtbot, board, AbandonVisitDialog)
    assert board.abandon(ids["signing"], "The patient had to leave") == ""
    qtbot.waitUntil(lambda: board.message.isVisible())
    assert not _outside(board, None)

    # A service's refusal on the banner: the row is no longer unfinished.
    board._fill(board.rows)
    board.row_actions.issue_new_code(ids["signed"])
    qtbot.waitUntil(lambda: board.message.kind == "error")
    assert not _outside(board, None)

    # A screen reader hears the catalogue's names.
    for widget, msg in (
        (board.table, "Visits on the board"),
        (board.refresh_button, "Refresh board"),
        (board.new_code_button, "Issue new code"),
    ):
        heard = QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)
        assert heard.startswith("⟦") and heard.endswith("⟧"), (msg, heard)


def test_the_board_in_spanish(qtbot, sqlite_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INTAKE_STAFF_LANG", "es")
    ctx = sqlite_ctx
    ids = _day(ctx)
    board = _board(qtbot, ctx)
    board._fill(board.rows + _variants(board.rows, ids, ctx.now()))
    _shoot(board, "es")
    texts = [t for _, t in staff_texts(board)]
    joined = "\n".join(texts)
    assert "⟦" not in joined
    for spanish in ("Paciente", "Actualizar", "Ocultar terminadas", "Esperando al dermatólogo"):
        assert spanish in joined, spanish
    heard = QAccessible.queryAccessibleInterface(board.table).text(QAccessible.Text.Name)
    assert heard == "Visitas en el panel"
    assert board.table.objectName() == "visits_on_the_board"

    _select(qtbot, board, ids["left"])
    qtbot.mouseClick(board.new_code_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.message.isVisible())
    assert board.message.text() == (
        "Código de visita nuevo para Dan Dahl; el código anterior ya no funciona."
    )
    board.resize(1024, 700)
    # The banner stays over the rows.
    qtbot.waitUntil(lambda: board.table.viewport().geometry().contains(board.message.geometry()))
    _shoot(board, "es-1024")
    # Every column is on screen at 1024 wide: a long status is cut short, not the columns
    # after it, and its tooltip says it whole.
    header = board.table.horizontalHeader()
    qtbot.waitUntil(lambda: header.length() <= board.table.viewport().width())
    assert not board.table.horizontalScrollBar().isVisible()
    model = board.table.model()
    longest = max(
        (model.index(r, 0) for r in range(model.rowCount())),
        key=lambda i: len(str(i.data())),
    )
    assert str(longest.data()) in str(longest.data(Qt.ItemDataRole.ToolTipRole))
