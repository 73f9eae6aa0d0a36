"""Small pieces every staff screen uses: messages, formatting, background work, naming."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import traceback
from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from intake.services.errors import ServiceError

log = logging.getLogger("intake.ui.staff")

# Colours shared by the board, the review flags and lab highlighting.
RED_BG = "#fde2e1"
RED_FG = "#9b1c1c"
AMBER_BG = "#fff1d6"
AMBER_FG = "#8a5300"
GREEN_BG = "#e3f4e6"
GREEN_FG = "#1e6b34"
BLUE_BG = "#e4eefc"
GREY_FG = "#5b6470"


W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, object_name: str | None = None) -> W:
    """Give a widget its accessible name (screen readers and tests find it by this)."""
    widget.setAccessibleName(name)
    widget.setObjectName(object_name or name.lower().replace(" ", "_"))
    return widget


def primary(button: W) -> W:
    """Mark the main action of a screen (styled by the staff style sheet)."""
    button.setProperty("primary", True)
    return button


def describe_error(exc: BaseException) -> str:
    """A message fit for the person at the screen; our own bugs are logged without patient data."""
    if isinstance(exc, ServiceError):
        return str(exc)
    if type(exc).__name__ == "DatabaseKeyError":
        # The environment's fault (no key in the store, a plain file where the encrypted one
        # belongs): its message names the store and what to do, never a key or patient data.
        return str(exc)
    # Only the exception type and the code locations are logged: values may carry patient data.
    log.error(
        "unexpected %s\n%s",
        type(exc).__name__,
        "".join(traceback.format_tb(exc.__traceback__)),
    )
    if isinstance(exc, OSError | ConnectionError) or type(exc).__name__ in (
        "OperationalError",
        "InterfaceError",
    ):
        return "The database could not be reached. Nothing was changed; please try again, or call support if it persists."
    return f"Something went wrong ({type(exc).__name__}). Nothing was changed; please try again, or call support if it persists."


class MessageLabel(QLabel):
    """An inline message under a form: errors in red, confirmations in green."""

    STYLES = {
        "error": f"background:{RED_BG}; color:{RED_FG}; border:1px solid #f3b4b1;",
        "warning": f"background:{AMBER_BG}; color:{AMBER_FG}; border:1px solid #f0cf8f;",
        "info": f"background:{GREEN_BG}; color:{GREEN_FG}; border:1px solid #a9d8b4;",
    }

    def __init__(self, name: str = "Message", parent: QWidget | None = None, *, wrap: bool = True):
        super().__init__(parent)
        named(self, name)
        self.setWordWrap(wrap)
        self.kind = ""
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.kind = kind
        self.setText(text)
        self.setStyleSheet(f"QLabel {{ {self.STYLES[kind]} border-radius:4px; padding:6px 8px; }}")
        self.setVisible(bool(text))

    def show_error(self, exc_or_text: BaseException | str) -> None:
        text = exc_or_text if isinstance(exc_or_text, str) else describe_error(exc_or_text)
        self.show_message(text, "error")

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()


class BusyBar(QProgressBar):
    """An indeterminate bar shown while background work runs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Working")
        self.setRange(0, 0)
        self.setTextVisible(False)
        self.setMaximumHeight(6)
        self.hide()

    @Slot(bool)
    def _on_tasks_busy_changed(self, busy: bool) -> None:
        self.setVisible(busy)


class _Relay(QObject):
    finished = Signal(int, object)
    failed = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.job_id, self.fn, self.relay = job_id, fn, relay

    def run(self) -> None:
        failed = False
        try:
            payload: Any = self.fn()
        except Exception as exc:  # handed to the GUI thread, which decides what to show
            failed, payload = True, exc
        # RuntimeError: the screen that asked was closed (e.g. the station locked) meanwhile.
        with contextlib.suppress(RuntimeError):
            signal = self.relay.failed if failed else self.relay.finished
            signal.emit(self.job_id, payload)


class BackgroundTasks(QObject):
    """Runs slow service calls (documents, countersigning) off the GUI thread.

    Results come back on the GUI thread, to the callbacks given to ``run``.
    """

    busy_changed = Signal(bool)

    _pool: QThreadPool | None = None

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_relay_finished)
        self._relay.failed.connect(self._on_relay_failed)
        self._pending: dict[int, tuple[Callable[[Any], None], Callable[[BaseException], None]]] = {}
        self._ids = itertools.count(1)

    @classmethod
    def pool(cls) -> QThreadPool:
        if cls._pool is None:
            cls._pool = QThreadPool()
            cls._pool.setMaxThreadCount(2)
        return cls._pool

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        job_id = next(self._ids)
        was_busy = self.busy
        self._pending[job_id] = (on_done, on_error)
        if not was_busy:
            self.busy_changed.emit(True)
        self.pool().start(_Job(job_id, fn, self._relay))

    @classmethod
    def wait_all(cls, msecs: int = 30_000) -> bool:
        return cls.pool().waitForDone(msecs)

    @Slot(int, object)
    def _on_relay_finished(self, job_id: int, result: Any) -> None:
        callbacks = self._pending.pop(job_id, None)
        if not self._pending:
            self.busy_changed.emit(False)
        if callbacks:
            callbacks[0](result)

    @Slot(int, object)
    def _on_relay_failed(self, job_id: int, exc: BaseException) -> None:
        callbacks = self._pending.pop(job_id, None)
        if not self._pending:
            self.busy_changed.emit(False)
        if callbacks:
            callbacks[1](exc)


class Clock:
    """Shows dates and times in the clinic's time zone."""

    def __init__(self, timezone: str):
        self.zone = ZoneInfo(timezone)

    def time(self, when: dt.datetime | None) -> str:
        if when is None:
            return ""
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return when.astimezone(self.zone).strftime("%H:%M")

    def datetime(self, when: dt.datetime | None) -> str:
        if when is None:
            return ""
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return when.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def local_date(self, when: dt.datetime | None) -> str:
        """The clinic's calendar date of a moment (stored times are UTC)."""
        return self.datetime(when)[:10]

    @staticmethod
    def date(day: dt.date | None) -> str:
        return day.isoformat() if day else ""


VISIT_STATUS_WORDS = {
    "draft": "not finished",
    "submitted": "signed, for the dermatologist",
    "countersigned": "countersigned",
    "abandoned": "abandoned",
}


def humanise(identifier: str) -> str:
    """'dry_skin_lips' -> 'Dry skin lips'."""
    text = identifier.replace("_", " ").replace(".", " · ").strip()
    return text[:1].upper() + text[1:]


def make_table(
    parent: QWidget, name: str, columns: tuple[str, ...], stretch: int | tuple[int, ...] = -1
) -> QTableWidget:
    """A read-only, row-selecting table with an accessible name.

    ``stretch``: the columns that share the spare width (the others fit their contents).
    """
    table = QTableWidget(0, len(columns), parent)
    named(table, name)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    stretched = (stretch,) if isinstance(stretch, int) else stretch
    for column in stretched:
        header.setSectionResizeMode(
            column if column >= 0 else len(columns) - 1, QHeaderView.ResizeMode.Stretch
        )
    # Row heights depend on the wrapped text, so on the column widths: recompute once they settle.
    relayout = QTimer(table)
    relayout.setSingleShot(True)
    relayout.setInterval(0)
    relayout.timeout.connect(table.resizeRowsToContents)
    header.sectionResized.connect(lambda *_: relayout.start())
    return table


def fill_table(
    table: QTableWidget,
    rows: list[tuple[Any, ...]],
    styles: list[tuple[str, str, bool] | None] | None = None,
) -> None:
    """Replace the rows; ``styles`` gives (background, foreground, bold) per row, or None."""
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        style = styles[r] if styles else None
        for c, value in enumerate(values):
            item = QTableWidgetItem("" if value is None else str(value))
            if style:
                background, foreground, bold = style
                if background:
                    item.setBackground(QBrush(QColor(background)))
                if foreground:
                    item.setForeground(QBrush(QColor(foreground)))
                if bold:
                    font = QFont(table.font())
                    font.setBold(True)
                    item.setFont(font)
            table.setItem(r, c, item)
    table.resizeRowsToContents()
