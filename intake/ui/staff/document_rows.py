"""The documents tab's list: a visit's documents in order, each issue a row, its timestamp state
in words (pending in amber), and the note over the list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTableWidgetItem

from intake.domain.timestamps import TimestampState
from intake.ui.common import AMBER_BG, AMBER_FG, GREY_FG, Clock
from intake.ui.staff.packets import KIND_TITLES
from intake.ui.staff.timestamps import ACTION_TEXT

COLUMNS = ("Document", "Issue", "Made", "Timestamp", "Language", "SHA-256", "Size", "Replaces")
TIMESTAMP_COLUMN = 3
KIND_ORDER = ("consent", "education", "summary", "checklist", "aftercare")


def in_order(documents: Sequence[Any]) -> list[Any]:
    """By kind (consent first), the newest issue of each kind first."""
    return sorted(
        documents,
        key=lambda d: (KIND_ORDER.index(d.kind) if d.kind in KIND_ORDER else 9, -d.issue),
    )


def document_rows(
    documents: Sequence[Any], clock: Clock
) -> tuple[list[tuple[Any, ...]], list[tuple[str, str, bool] | None]]:
    """A row per issue, in the order given, and its style: an earlier issue greyed."""
    latest: dict[str, int] = {}
    for d in documents:
        latest[d.kind] = max(latest.get(d.kind, 0), d.issue)
    rows: list[tuple[Any, ...]] = []
    styles: list[tuple[str, str, bool] | None] = []
    by_id = {d.id: d for d in documents}
    for d in documents:
        current = d.issue == latest[d.kind]
        replaces = by_id.get(d.supersedes_id) if d.supersedes_id else None
        rows.append(
            (
                KIND_TITLES.get(d.kind, d.kind) + ("" if current else " (earlier version)"),
                d.issue,
                clock.datetime(d.created_at)[:16],
                timestamp_text(d, clock),
                "Español" if d.lang == "es" else "English",
                d.sha256[:16] + "…",
                f"{d.size / 1024:.0f} KB",
                f"issue {replaces.issue}" if replaces else "",
            )
        )
        styles.append(None if current else ("", GREY_FG, False))
    return rows, styles


def timestamp_text(d: Any, clock: Clock) -> str:
    """Short, for the column (it must leave the document's name room at 1280 wide)."""
    if d.timestamp is TimestampState.PENDING:
        return "Timestamp pending"
    if d.timestamp.proven:
        if d.timestamped_at is None:  # the token could not be read: the level stands
            return "B-T"
        return f"B-T, {clock.datetime(d.timestamped_at)}"
    return "None (B-B)"


def style_timestamp_cell(item: QTableWidgetItem | None, d: Any, clock: Clock) -> None:
    """Pending in amber; the tooltip says in words what the state means."""
    if item is None:
        return
    state = d.timestamp
    when = f" at {clock.datetime(d.timestamped_at)}" if d.timestamped_at is not None else ""
    if state is TimestampState.PENDING:
        item.setBackground(QBrush(QColor(AMBER_BG)))
        item.setForeground(QBrush(QColor(AMBER_FG)))
        item.setToolTip(
            "Timestamp pending: sealed (PAdES B-B) while the time-stamping authority could"
            " not be reached; its timestamp is added as a new stored version once it answers."
        )
    elif state is TimestampState.AT_SEALING:
        item.setToolTip(
            f"Timestamped{when} (PAdES B-T): the time-stamping authority's token, given when"
            " the document was sealed, proves the signing time."
        )
    elif state is TimestampState.ADDED:
        item.setToolTip(
            f"Timestamped{when} (PAdES B-T): a document timestamp from the time-stamping"
            " authority was added after sealing; the timestamped file is the one opened and"
            " printed."
        )
    else:
        item.setToolTip(
            "No timestamp (PAdES B-B): no time-stamping authority was set when it was"
            " sealed; the signing time is the one the clinic's computer gave."
        )


def documents_note(documents: Sequence[Any], signed: bool) -> str:
    """The line over the list: what it keeps, and what waits for its timestamp."""
    if not signed:
        return "The documents are made once the patient has signed."
    pending = sum(1 for d in documents if d.timestamp_pending)
    return (
        "Every issue is kept. A countersigned consent is a new issue linked to the one it replaces."
        if documents
        else "The documents for this visit have not been made yet."
    ) + (
        f" {pending} {'was' if pending == 1 else 'were'} sealed while the"
        f" time-stamping authority could not be reached: “{ACTION_TEXT}” adds"
        f" {'its timestamp' if pending == 1 else 'their timestamps'}."
        if pending
        else ""
    )
