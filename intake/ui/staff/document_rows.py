"""The documents tab's list: a visit's documents in order, each issue a row, its timestamp state
in words (pending in amber), and the note over the list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTableWidgetItem

from intake import i18n
from intake.domain.timestamps import TimestampState
from intake.ui.common import AMBER_BG, AMBER_FG, GREY_FG, Clock, staff_number
from intake.ui.staff.signing_words import kind_title, said, said_or
from intake.ui.staff.timestamps import action_text

# The columns by their source-language names (tests and code find a column by these); the
# headers shown are ``headers()``.
COLUMNS = ("Document", "Issue", "Made", "Timestamp", "Language", "SHA-256", "Size", "Replaces")
COLUMN_KEYS = ("document", "issue", "made", "timestamp", "language", "sha", "size", "replaces")
TIMESTAMP_COLUMN = 3
KIND_ORDER = ("consent", "education", "summary", "checklist", "aftercare")


def headers() -> tuple[str, ...]:
    """The column headers in the staff screens' language."""
    return tuple(said(f"column_{key}") for key in COLUMN_KEYS)


def language_name(code: str) -> str:
    """The language a document is in, as the staff screens name it."""
    try:
        fallback = i18n.language(code).name
    except i18n.UnknownLanguage:
        fallback = code
    return said_or(f"language_{code}", fallback)


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
        title = kind_title(d.kind)
        rows.append(
            (
                title if current else said("earlier_version", title=title),
                d.issue,
                clock.datetime(d.created_at)[:16],
                timestamp_text(d, clock),
                language_name(d.lang),
                d.sha256[:16] + "…",
                said("size_kb", size=staff_number(d.size / 1024, places=0)),
                said("replaces_issue", issue=replaces.issue) if replaces else "",
            )
        )
        styles.append(None if current else ("", GREY_FG, False))
    return rows, styles


def timestamp_text(d: Any, clock: Clock) -> str:
    """Short, for the column (it must leave the document's name room at 1280 wide)."""
    if d.timestamp is TimestampState.PENDING:
        return said("timestamp_pending")
    if d.timestamp.proven:
        if d.timestamped_at is None:  # the token could not be read: the level stands
            return said("timestamp_proven")
        return said("timestamp_proven_at", when=clock.datetime(d.timestamped_at))
    return said("timestamp_none")


def style_timestamp_cell(item: QTableWidgetItem | None, d: Any, clock: Clock) -> None:
    """Pending in amber; the tooltip says in words what the state means."""
    if item is None:
        return
    state = d.timestamp
    if state is TimestampState.PENDING:
        item.setBackground(QBrush(QColor(AMBER_BG)))
        item.setForeground(QBrush(QColor(AMBER_FG)))
        item.setToolTip(said("timestamp_pending_tip"))
    elif state in (TimestampState.AT_SEALING, TimestampState.ADDED):
        key = (
            "timestamp_at_sealing_tip"
            if state is TimestampState.AT_SEALING
            else "timestamp_added_tip"
        )
        if d.timestamped_at is None:
            item.setToolTip(said(f"{key}_no_time"))
        else:
            item.setToolTip(said(key, when=clock.datetime(d.timestamped_at)))
    else:
        item.setToolTip(said("timestamp_none_tip"))


def documents_note(documents: Sequence[Any], signed: bool) -> str:
    """The line over the list: what it keeps, and what waits for its timestamp."""
    if not signed:
        return said("note_unsigned")
    pending = sum(1 for d in documents if d.timestamp_pending)
    note = said("note_kept" if documents else "note_none_yet")
    if not pending:
        return note
    return f"{note} {said('note_pending', count=pending, action=action_text())}"
