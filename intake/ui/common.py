"""Small pieces every staff screen uses: messages, formatting, naming."""

from __future__ import annotations

import datetime as dt
import logging
import os
import traceback
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer, Slot
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

from intake import i18n
from intake.domain.errors import Coded
from intake.services.errors import InvalidInput, ServiceError

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


STAFF_LANG_ENV = "INTAKE_STAFF_LANG"


def staff_lang() -> str:
    """The staff screens' language: INTAKE_STAFF_LANG when it names a language the catalogue has
    (the pseudo-locales only with INTAKE_PSEUDO_LOCALE=1), else the catalogue's source language.
    Read at each use, so a workstation's setting applies to the next screen built."""
    wanted = os.environ.get(STAFF_LANG_ENV, "").strip()
    return wanted if wanted in i18n.offered() else i18n.source_language()


def words(msg_id: str, **args: object) -> str:
    """A staff screen's text from the message catalogue, in the staff screens' language."""
    return i18n.tr(msg_id, staff_lang(), **args)


def staff_number(value: int | float | Decimal, *, places: int | None = None) -> str:
    """A number as the staff screens' language writes it ("55.5" in English, "55,5" in Spanish)."""
    return i18n.number(value, staff_lang(), places=places)


def coded_words(code: str, params: Mapping[str, Any], english: str) -> str:
    """A coded message (a service's refusal, a validation problem) in the staff screens' words:
    ``staff.error_<code>`` when the catalogue has it. Otherwise, in the source language, the
    service's own ``english`` (written for whoever is at the screen); in another, the kiosk's
    wording of the code (``kiosk.error_<code>``, which every code a person can meet has), or
    its "ask for help": a Spanish station never shows English."""
    lang = staff_lang()
    key = f"staff.error_{code}"
    if code and i18n.has(key):
        return i18n.tr(key, lang, **params)
    if lang == i18n.source_language():
        return english
    args = dict(params)
    count = args.get("minutes", args.get("seconds"))
    if isinstance(count, int):  # the kiosk's plural texts count minutes or seconds
        args.setdefault("count", count)
    key = f"kiosk.error_{code}"
    return i18n.tr(key if code and i18n.has(key) else "kiosk.error_refused", lang, **args)


def problem_text(text: str) -> str:
    """A validation problem a service gave for a field, in the staff screens' words when it
    carries a code (``Coded``); a text without one is shown as it is."""
    if isinstance(text, Coded) and text.code:
        return coded_words(text.code, text.params, str(text))
    return text


def refusal_text(exc: ServiceError) -> str:
    """A service's refusal in the staff screens' words, by its code (see ``coded_words``); a
    refusal of several fields' input says each field's problem."""
    if (
        isinstance(exc, InvalidInput)
        and exc.errors
        and staff_lang() != i18n.source_language()
        and not i18n.has(f"staff.error_{exc.code}")
    ):
        return "; ".join(problem_text(text) for text in exc.errors.values())
    return coded_words(exc.code, exc.params, str(exc))


def describe_error(exc: BaseException) -> str:
    """A message fit for the person at the screen; our own bugs are logged without patient data."""
    if isinstance(exc, ServiceError):
        return refusal_text(exc)
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
        return words("staff.error_database_unreachable")
    return words("staff.error_unexpected", kind=type(exc).__name__)


class MessageLabel(QLabel):
    """An inline message under a form: errors in red, confirmations in green."""

    STYLES = {
        "error": f"background:{RED_BG}; color:{RED_FG}; border:1px solid #f3b4b1;",
        "warning": f"background:{AMBER_BG}; color:{AMBER_FG}; border:1px solid #f0cf8f;",
        "info": f"background:{GREEN_BG}; color:{GREEN_FG}; border:1px solid #a9d8b4;",
    }

    def __init__(self, name: str = "", parent: QWidget | None = None, *, wrap: bool = True):
        super().__init__(parent)
        named(self, name or words("staff.message"), None if name else "message")
        self.setWordWrap(wrap)
        self.kind = ""
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.kind = kind
        self.setText(text)
        self.setStyleSheet(f"QLabel {{ {self.STYLES[kind]} border-radius:4px; padding:6px 8px; }}")
        self.setVisible(bool(text))

    def show_error(self, exc_or_text: BaseException | str) -> None:
        if isinstance(exc_or_text, str):
            text = problem_text(exc_or_text)
        else:
            text = describe_error(exc_or_text)
        self.show_message(text, "error")

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()


class BusyBar(QProgressBar):
    """An indeterminate bar shown while an operation runs (``intake.ui.operations``)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, words("staff.working"), "working")
        self.setRange(0, 0)
        self.setTextVisible(False)
        self.setMaximumHeight(6)
        self.hide()

    @Slot(bool)
    def _on_tasks_busy_changed(self, busy: bool) -> None:
        self.setVisible(busy)


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


def visit_status_words(status: str) -> str:
    """A visit's stored status as the staff screens say it; an unknown one (changed outside the
    app) is shown as stored rather than hidden."""
    key = f"staff.visit_status_{status}"
    return words(key) if i18n.has(key) else status


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
