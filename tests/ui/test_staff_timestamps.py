"""Timestamps at the staff station: the documents tab shows which documents are timestamped
(PAdES B-T, with the authority's time) or pending, and "Add pending timestamps" (the tab's
button and the Station menu) asks the time-stamping authority again, off the GUI thread."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    audit_events,
    background_work_finishes,
    clinician,
    clinician_info,
    desk_info,
    signed_visit,
)

from intake.domain.timestamps import TimestampState
from intake.services import documents as document_service
from intake.services.documents import DocumentService
from intake.services.scripted import ensure_staff
from intake.ui.app import STATION_SIZE
from intake.ui.staff.review import ReviewWidget
from intake.ui.staff.window import StaffWindow

sys.path.insert(0, str(Path(__file__).parents[1]))
from tsa import LocalTSA, make_tsa, serve  # noqa: E402

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

# Screenshots for a person to look at (TSUI_SHOTS=folder); none are written otherwise.
SHOTS = os.environ.get("TSUI_SHOTS", "")


def shot(widget: QWidget, name: str) -> None:
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"tsui_{name}.png"))


def accessible_name(widget: QWidget) -> str:
    face = QAccessible.queryAccessibleInterface(widget)
    assert face is not None
    return face.text(QAccessible.Text.Name)


@pytest.fixture(scope="module")
def authority() -> LocalTSA:
    return make_tsa()


@pytest.fixture
def tsa(authority: LocalTSA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalTSA]:
    """The loopback authority, refusing every request (down) until the test sets it up."""
    monkeypatch.setenv("INTAKE_TSA_CA", str(authority.write_root(tmp_path / "tsa-root.pem")))
    monkeypatch.setattr(document_service, "_tsa_down_until", {})
    authority.refuse = True
    with serve(authority) as url:
        monkeypatch.setenv("INTAKE_TSA_URL", url)
        yield authority
    authority.refuse = False


@pytest.fixture
def review(qtbot, sqlite_ctx):  # type: ignore[no-untyped-def]
    widget = ReviewWidget(sqlite_ctx, clinician(sqlite_ctx))
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    return widget


def column_texts(table, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_the_documents_tab_shows_pending_and_adds_the_timestamps(  # type: ignore[no-untyped-def]
    qtbot, review, sqlite_ctx, tsa: LocalTSA
) -> None:
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Noa", last_name="Lund")
    tab = review.documents
    # The visit's documents are made off-thread when it opens; the authority is down.
    with qtbot.waitSignal(tab.documents_issued, timeout=60_000):
        review.show_visit(vid, patient_id)
    review.tabs.setCurrentWidget(tab)
    assert [d.timestamp for d in tab.documents] == [TimestampState.PENDING] * 3
    column = tab.COLUMNS.index("Timestamp")
    assert column_texts(tab.table, column) == ["Timestamp pending"] * 3
    cell = tab.table.item(0, column)
    assert "could not be reached" in cell.toolTip()
    assert cell.background().color().name() == "#fff1d6"  # amber
    assert "3 were sealed while the time-stamping authority could not be reached" in tab.note.text()
    button = tab.timestamp_button
    assert button.isVisible() and button.isEnabled()
    assert button.text() == "Add pending timestamps"
    assert accessible_name(button) == "Add pending timestamps"
    assert "time-stamping authority" in button.toolTip()
    qtbot.waitUntil(lambda: not tab.tasks.busy)
    shot(review, "pending")

    # Still down: busy while it asks, a second click does nothing, and it says why.
    attempts = tsa.attempts
    with qtbot.waitSignal(tab.timestamps_added, timeout=60_000) as said:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert not button.isEnabled() and tab.busy.isVisible()
        assert accessible_name(tab.busy) == "Working"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # ignored: the button is off
    assert said.args[0].startswith("0 timestamped, 3 still pending (")
    assert tsa.attempts == attempts + 1  # one run, stopped at its first refusal
    assert tab.message.text() == said.args[0] and tab.message.kind == "warning"
    assert button.isVisible() and button.isEnabled() and not tab.busy.isVisible()
    assert column_texts(tab.table, column) == ["Timestamp pending"] * 3
    shot(review, "still_pending")

    # The authority answers now.
    tsa.refuse = False
    with qtbot.waitSignal(tab.timestamps_added, timeout=60_000) as said:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert not button.isEnabled()
    assert said.args[0] == "3 timestamped, 0 still pending."
    assert tab.message.text() == said.args[0] and tab.message.kind == "info"
    assert [d.timestamp for d in tab.documents] == [TimestampState.ADDED] * 3
    texts = column_texts(tab.table, column)
    assert all(t.startswith("B-T, 20") and len(t) == len("B-T, 2025-01-01 10:00:00") for t in texts)
    tip = tab.table.item(0, column).toolTip()
    assert (
        tip.startswith(f"Timestamped at {texts[0][5:]} (PAdES B-T)")
        and "added after sealing" in tip
    )
    assert not button.isVisible()  # nothing left pending for this visit
    assert "could not be reached" not in tab.note.text()
    # Audited under the dermatologist's name, one event per document.
    stamped = audit_events(sqlite_ctx, "timestamp", "document")
    assert {e.actor for e in stamped} == {clinician(sqlite_ctx).id} and len(stamped) == 3
    shot(review, "timestamped")


def test_no_authority_set_is_said_plainly(
    qtbot, review, sqlite_ctx, tsa: LocalTSA, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Ari", last_name="Dahl")
    with qtbot.waitSignal(review.documents.documents_issued, timeout=60_000):
        review.show_visit(vid, patient_id)
    monkeypatch.delenv("INTAKE_TSA_URL")
    tab = review.documents
    review.tabs.setCurrentWidget(tab)
    with qtbot.waitSignal(tab.timestamps_added, timeout=60_000) as said:
        qtbot.mouseClick(tab.timestamp_button, Qt.MouseButton.LeftButton)
    assert "no time-stamping authority is set (INTAKE_TSA_URL)" in said.args[0]
    assert "3 documents still pending" in said.args[0]
    assert tab.message.kind == "warning" and tab.timestamp_button.isVisible()


def test_documents_sealed_with_the_authority_show_the_time_and_no_button(  # type: ignore[no-untyped-def]
    qtbot, review, sqlite_ctx, tsa: LocalTSA
) -> None:
    tsa.refuse = False
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Eva", last_name="Berg")
    with qtbot.waitSignal(review.documents.documents_issued, timeout=60_000):
        review.show_visit(vid, patient_id)
    tab = review.documents
    review.tabs.setCurrentWidget(tab)
    column = tab.COLUMNS.index("Timestamp")
    assert all(t.startswith("B-T, 20") for t in column_texts(tab.table, column))
    assert "given when the document was sealed" in tab.table.item(0, column).toolTip()
    assert not tab.timestamp_button.isVisible()
    shot(review, "sealed_b_t")


def test_the_station_menu_adds_pending_timestamps(qtbot, sqlite_ctx, tsa: LocalTSA) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Ola", last_name="Sand")
    # Sealed while the authority is down (three pending documents).
    DocumentService(sqlite_ctx).issue_documents(clinician(sqlite_ctx), vid)
    assert len(DocumentService(sqlite_ctx).pending_timestamps()) == 3
    window = StaffWindow(sqlite_ctx, clinician_info(sqlite_ctx), refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.resize(STATION_SIZE)
    window.show()
    action = window.shortcut_actions["add_timestamps"]
    station = next(
        a.menu() for a in window.menu_bar.actions() if a.menu() and a.text() == "&Station"
    )
    assert action in station.actions() and action.isEnabled()
    # Named for a screen reader in the menu, like every other entry.
    face = QAccessible.queryAccessibleInterface(station)
    names = [face.child(i).text(QAccessible.Text.Name) for i in range(face.childCount())]
    assert "Add pending timestamps" in names
    # The visit is open on the documents tab: the tab's button is the same run as the menu's.
    review = window.clinician.review
    review.show_visit(vid, patient_id)
    review.tabs.setCurrentWidget(review.documents)
    assert review.documents.timestamps is window.timestamps
    button = review.documents.timestamp_button
    assert button.isVisible()

    # Down: both the action and the button are off while it runs; the window says why.
    with qtbot.waitSignal(window.timestamps.finished, timeout=60_000):
        action.trigger()
        assert not action.isEnabled() and not button.isEnabled()
        assert window.station_busy.isVisible()
        assert accessible_name(window.station_busy) == "Adding timestamps"
        action.trigger()  # a second press while busy starts nothing
    message = window.station_message
    assert message.text().startswith("Pending timestamps: 0 timestamped, 3 still pending (")
    assert accessible_name(message) == "Station message"
    assert action.isEnabled() and button.isEnabled() and not window.station_busy.isVisible()
    assert not review.documents.message.isVisible()  # the answer is where it was asked
    shot(window, "window_still_pending")

    tsa.refuse = False
    with qtbot.waitSignal(window.timestamps.finished, timeout=60_000):
        action.trigger()
    assert message.text() == "Pending timestamps: 3 timestamped, 0 still pending."
    assert DocumentService(sqlite_ctx).pending_timestamps() == []
    # The open documents tab shows the new state at once.
    column = review.documents.COLUMNS.index("Timestamp")
    assert all(t.startswith("B-T, 20") for t in column_texts(review.documents.table, column))
    assert not button.isVisible()
    # At the station size the time leaves the document's name room (it once squeezed it to
    # "Co…").
    table = review.documents.table
    assert table.columnWidth(0) > table.fontMetrics().horizontalAdvance("Education packet")
    shot(window, "window_timestamped")

    with qtbot.waitSignal(window.timestamps.finished, timeout=60_000):
        action.trigger()
    assert message.text() == (
        "Pending timestamps: 0 timestamped, 0 still pending: no document was waiting for a"
        " timestamp."
    )


def test_the_action_is_for_administrators_and_dermatologists(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    admin = ensure_staff(sqlite_ctx, "admin", "adm", "Clinic Admin")
    for info, offered in (
        (admin, True),
        (clinician_info(sqlite_ctx), True),
        (desk_info(sqlite_ctx), False),
    ):
        window = StaffWindow(sqlite_ctx, info, refresh_ms=60_000, debounce_ms=0)
        qtbot.addWidget(window)
        assert ("add_timestamps" in window.shortcut_actions) is offered, info.role
        assert (window.timestamps is not None) is offered
