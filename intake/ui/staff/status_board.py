"""The live status board: who is waiting, at the kiosk, needs staff, waiting for the dermatologist, done."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QFont, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from intake.domain.kinds import FINISHED, Stage, VisitStatus
from intake.services.context import Actor, AppContext
from intake.services.visits import BoardRow, StartedVisit, VisitService
from intake.ui.common import (
    AMBER_BG,
    BLUE_BG,
    GREEN_BG,
    RED_BG,
    RED_FG,
    Clock,
    MessageLabel,
    describe_error,
    humanise,
    named,
    words,
)
from intake.ui.operations import Operation, Reentry
from intake.ui.release_dialog import AlertReleaseDialog
from intake.ui.staff.board_actions import BoardActions
from intake.ui.staff.completion import text as staff_text
from intake.ui.staff.completion import visit_kind_text
from intake.ui.staff.identity_dialog import IdentityCheckDialog
from intake.ui.staff.visit_choice import AbandonVisitDialog
from intake.ui.widgets.flow import FlowLayout

STAGE_ORDER = ("needs_staff", "left_kiosk", "waiting", "at_kiosk", "for_dermatologist", "done")
STAGE_COLOURS = {
    "needs_staff": RED_BG,
    "left_kiosk": AMBER_BG,
    "waiting": "#ffffff",
    "at_kiosk": BLUE_BG,
    "for_dermatologist": AMBER_BG,
    "done": GREEN_BG,
}
# Discreet: the board says that staff are needed and roughly why, never a score or an answer
# (board.stage_needs_staff_<reason>; another reason says only that the visit is paused).
NEEDS_STAFF_REASONS = ("item9", "identity")
# The parts of a kiosk visit (intake.domain.wizard.SECTIONS) the front desk names
# (board.part_<section>), and the units a part's pages are counted in (board.part_<unit>).
PARTS = ("welcome", "about_you", "health", "mood", "risks", "check", "sign", "done")
UNITS = ("page", "topic", "question")
# The stages the board names (board.stage_<stage>); another is the program's identifier.
STAGES = (*STAGE_ORDER, "abandoned")
BANNER_MS = 20_000  # a confirmation goes by itself after this; an error stays until it is over


def part_words(section: str) -> str:
    """A part of the visit by name; a part the program does not know, by its identifier."""
    return words(f"board.part_{section}") if section in PARTS else humanise(section)


def part_text(row: BoardRow) -> str:
    """Which part of the visit the patient is on, in words ("Risks: topic 3 of 10")."""
    if row.status in FINISHED:
        return words("board.part_done")
    place = row.place
    if place is None:
        if row.stage == Stage.WAITING:
            return words("board.part_not_started")
        return words("board.part_welcome") if row.page in ("", "welcome") else ""
    part = part_words(place.section)
    if place.unit and place.n:
        if place.unit in UNITS:
            return words(f"board.part_{place.unit}", part=part, n=place.n, total=place.total)
        return words("board.part_unit", part=part, unit=place.unit, n=place.n, total=place.total)
    if place.section == "risks" and place.unit:
        return words("board.part_guardian", part=part)
    return part


def waiting_seconds(ctx: AppContext, row: BoardRow) -> int:
    """How long the patient has waited: since the visit started, or since they signed."""
    if row.stage in (Stage.DONE, Stage.ABANDONED) or row.waiting_since is None:
        return -1
    return max(0, int((ctx.now() - row.waiting_since).total_seconds()))


def waiting_text(seconds: int) -> str:
    if seconds < 0:
        return "—"
    minutes = seconds // 60
    if minutes < 1:
        return words("board.waiting_under_minute")
    if minutes < 60:
        return words("board.waiting_minutes", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return words("board.waiting_hours", hours=hours, minutes=f"{minutes:02d}")
    days, hours = divmod(hours, 24)
    return words("board.waiting_days", days=days, hours=hours)


def stage_text(ctx: AppContext, row: BoardRow) -> str:
    text = _stage_text(ctx, row)
    code = code_text(ctx, row)
    if code:
        text = words("board.stage_with_code", stage=text, code=code)
    for more in (
        visit_kind_text(row.kind, row.course_month, row.reconsent_reasons),
        course_end_text(row),
    ):
        if more:
            text = words("board.status_and", status=text, more=more)
    return text


def course_end_text(row: BoardRow) -> str:
    """The patient's course is completed, and where the post-course pregnancy test stands."""
    if row.course_end is None:
        return ""
    if row.course_end in ("due", "overdue") and row.post_course_test_due is not None:
        key = "board_test_due" if row.course_end == "due" else "board_test_overdue"
        return staff_text(key, date=row.post_course_test_due.isoformat())
    if row.course_end in ("negative", "positive"):
        return staff_text("board_test_recorded", result=staff_text(f"test_{row.course_end}"))
    return staff_text("board_completed")


def code_text(ctx: AppContext, row: BoardRow) -> str:
    """What staff must know about an unfinished visit's code: locked, void or expired."""
    if row.code == "void":
        return words("board.code_void")
    if row.code == "locked" and row.code_locked_until is not None:
        minutes = max(1, math.ceil((row.code_locked_until - ctx.now()).total_seconds() / 60))
        return words("board.code_locked", minutes=minutes)
    if row.code == "expired":
        return words("board.code_expired")
    return ""


def _stage_text(ctx: AppContext, row: BoardRow) -> str:
    if row.stage == Stage.NEEDS_STAFF and row.needs_staff in NEEDS_STAFF_REASONS:
        return words(f"board.stage_needs_staff_{row.needs_staff}")
    if row.stage in STAGES:
        return words(f"board.stage_{row.stage}")
    return humanise(row.stage)


def _fold(text: str) -> str:
    """Lower case without accents: "zoe" finds "Zoë"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class BoardModel(QAbstractTableModel):
    """The board's rows; the status column sorts in the board's own order (stage, then time)."""

    COLUMNS = ("status", "patient", "record", "part", "waiting")  # board.column_<column>
    STATUS, PATIENT, RECORD, PART, WAITING = range(5)
    SORT_ROLE = Qt.ItemDataRole.UserRole + 1
    VISIT_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, ctx: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self.rows: list[BoardRow] = []
        self._cells: list[tuple[str, ...]] = []
        self._waiting: list[int] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: list[BoardRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self._waiting = [waiting_seconds(self._ctx, r) for r in rows]
        self._cells = [
            (
                stage_text(self._ctx, r),
                r.patient_name,
                r.record_number,
                part_text(r),
                waiting_text(w),
            )
            for r, w in zip(rows, self._waiting, strict=True)
        ]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return words(f"board.column_{self.COLUMNS[section]}")
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][column]
        if role == self.SORT_ROLE:
            if column == self.STATUS:
                return index.row()  # the rows come in the board's order
            if column == self.PART:
                place = row.place  # where in the visit: part, then page of the part
                done = 0 if row.status == VisitStatus.DRAFT else 1
                return done * 10_000 + (place.part * 100 + place.n if place else 0)
            if column == self.WAITING:
                return self._waiting[index.row()]
            return _fold(self._cells[index.row()][column])
        if role == self.VISIT_ROLE:
            return row.visit_id
        if role == Qt.ItemDataRole.ToolTipRole:
            station = (
                words("board.kiosk_station", station=row.kiosk_station)
                if row.kiosk_station
                else None
            )
            if column == self.STATUS:  # the whole status, where the column cuts it short
                status = self._cells[index.row()][column]
                return f"{status}\n{station}" if station else status
            return station
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(STAGE_COLOURS.get(row.stage, "#ffffff")))
        if role == Qt.ItemDataRole.ForegroundRole and self._urgent(row):
            return QBrush(QColor(RED_FG))
        if role == Qt.ItemDataRole.FontRole and self._urgent(row):
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.WAITING:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _urgent(row: BoardRow) -> bool:
        return row.stage == Stage.NEEDS_STAFF or row.code in ("void", "locked")


class BoardFilter(QSortFilterProxyModel):
    """Sorts by each column's own key; keeps the rows whose words hold every word typed."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._words: list[str] = []
        self.hide_done = False
        self.setSortRole(BoardModel.SORT_ROLE)

    def set_filter(self, text: str, hide_done: bool) -> None:
        self.beginFilterChange()
        self._words = _fold(text).split()
        self.hide_done = hide_done
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        assert isinstance(model, BoardModel)
        row = model.rows[source_row]
        if self.hide_done and row.stage == Stage.DONE:
            return False
        if not self._words:
            return True
        text = _fold(
            " ".join(str(model.index(source_row, c).data()) for c in range(len(BoardModel.COLUMNS)))
        )
        return all(word in text for word in self._words)

    def lessThan(
        self,
        left: QModelIndex | QPersistentModelIndex,
        right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        a, b = left.data(BoardModel.SORT_ROLE), right.data(BoardModel.SORT_ROLE)
        if a == b:  # ties keep the board's own order
            return left.row() < right.row()
        return bool(a < b)


class BoardBanner(QFrame):
    """A message over the foot of the table: it never moves the table, and goes when it is
    out of date (the row it speaks of changed, or after ``BANNER_MS`` for a confirmation)."""

    STYLES = MessageLabel.STYLES

    def __init__(self, parent: QWidget, *, timeout_ms: int = BANNER_MS):
        super().__init__(parent)
        named(self, words("board.message_name"), "board_message")
        self.kind = ""
        self.about: tuple[str, tuple[Any, ...]] | None = None  # visit id, the row as it was
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.close_button = named(QToolButton(self), words("board.dismiss_name"), "dismiss_message")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.clear_message)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.clear_message)
        parent.installEventFilter(self)
        if isinstance(parent, QAbstractScrollArea):  # a scroll bar comes or goes
            parent.viewport().installEventFilter(self)
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def show_message(self, text: str, kind: str = "error", about: BoardRow | None = None) -> None:
        self.kind = kind
        self.about = (about.visit_id, row_state(about)) if about is not None else None
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.setStyleSheet(
            f"QFrame#board_message {{ {self.STYLES[kind]} border-radius:4px; }}"
            " QLabel { background: transparent; border: none; }"
        )
        if kind == "error":
            self._timer.stop()
        else:
            self._timer.start()
        self.setVisible(bool(text))
        self._place()
        self.raise_()

    def show_error(self, exc_or_text: BaseException | str) -> None:
        text = exc_or_text if isinstance(exc_or_text, str) else describe_error(exc_or_text)
        self.show_message(text, "error")

    def clear_message(self) -> None:
        self.kind = ""
        self.about = None
        self._timer.stop()
        self.label.setText("")
        self.hide()

    def rows_changed(self, rows: list[BoardRow]) -> None:
        """Goes when the row it speaks of is gone or has changed since."""
        if self.about is None or not self.isVisible():
            return
        visit_id, state = self.about
        now = next((r for r in rows if r.visit_id == visit_id), None)
        if now is None or row_state(now) != state:
            self.clear_message()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        watched_parent = watched is parent or (
            isinstance(parent, QAbstractScrollArea) and watched is parent.viewport()
        )
        if watched_parent and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        margin = 8
        bottom = parent.height()
        if isinstance(parent, QAbstractScrollArea):  # above a scroll bar, never under it
            bottom = parent.viewport().geometry().bottom() + 1
        width = max(100, parent.width() - 2 * margin)
        height = max(self.sizeHint().height(), self.heightForWidth(width))
        self.setGeometry(margin, max(0, bottom - height - margin), width, height)


def row_state(row: BoardRow) -> tuple[Any, ...]:
    """What a banner about a row depends on: when that changes, the banner is out of date."""
    return (row.stage, row.status, row.needs_staff, row.code, row.updated_at)


class StatusBoardWidget(QWidget):
    """Today's visits, refreshed on its own every ``refresh_ms`` while shown."""

    refreshed = Signal(int)  # rows now on the board
    visit_activated = Signal(str, int)  # visit id, patient id (double-click or Enter on a row)
    attended = Signal(str)  # a paused visit may continue (visit id)
    abandoned = Signal(str)  # visit id
    code_issued = Signal(object, object)  # BoardRow, StartedVisit (its code to give the patient)

    COLUMNS = BoardModel.COLUMNS

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        refresh_ms: int = 4000,
        title: str = "",
        banner_ms: int = BANNER_MS,
    ):
        super().__init__(parent)
        named(self, words("board.name"), "status_board")
        self._ctx = ctx
        self._actor = actor
        self._visits = VisitService(ctx)
        self._clock = Clock(ctx.forms.clinic.timezone)
        self._earlier = 0  # signed visits of earlier days, in the dermatologist's queue

        heading = QLabel(title or words("board.title"), self)
        heading.setObjectName("section")
        heading.setWordWrap(True)
        self.updated_label = named(QLabel("", self), words("board.updated_name"), "muted")
        self.counts_label = named(QLabel("", self), words("board.counts_name"), "muted")
        self.counts_label.setWordWrap(True)  # on a 1024-wide screen the counts take two lines
        self.filter_box = named(QLineEdit(self), words("board.filter_name"), "filter_the_board")
        self.filter_box.setPlaceholderText(words("board.filter_hint"))
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self._on_filter_box_text_changed)
        self.hide_done_box = named(
            QCheckBox(words("board.hide_done"), self), words("board.hide_done"), "hide_done"
        )
        self.hide_done_box.toggled.connect(self._on_hide_done_box_toggled)

        self.model = BoardModel(ctx, self)
        self.proxy = BoardFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = named(QTableView(self), words("board.table_name"), "visits_on_the_board")
        self.table.setModel(self.proxy)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(False)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(BoardModel.STATUS, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Status and name share the width left by the short columns: a long status (a locked
        # code, in Spanish) is cut short with "…" and said whole by its tooltip, rather than
        # pushing the record number and waiting time off the screen.
        header.setSectionResizeMode(BoardModel.STATUS, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(BoardModel.PATIENT, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.activated.connect(self._on_table_activated)
        self.message = BoardBanner(self.table, timeout_ms=banner_ms)

        # What is done to the selected row: its buttons and what they do.
        self.row_actions = BoardActions(ctx, actor, self)
        self.row_actions.attended.connect(self.attended)
        self.row_actions.abandoned.connect(self.abandoned)
        self.row_actions.code_issued.connect(self.code_issued)
        self.attend_button = self.row_actions.attend_button
        self.identity_button = self.row_actions.identity_button
        self.abandon_button = self.row_actions.abandon_button
        self.new_code_button = self.row_actions.new_code_button
        self.refresh_button = named(
            QPushButton(words("board.refresh"), self), words("board.refresh_name"), "refresh_board"
        )
        self.refresh_button.clicked.connect(self.refresh)

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.updated_label)
        tools = QHBoxLayout()
        tools.addWidget(self.filter_box, 1)
        tools.addWidget(self.hide_done_box)
        # The row's buttons flow on to as many rows as their labels need (Spanish ones are
        # long), so every label shows whole on the right half of a 1024-wide screen.
        actions = QWidget(self)
        flow = FlowLayout(actions, spacing=6, row_spacing=6)
        for button in (
            self.attend_button,
            self.identity_button,
            self.new_code_button,
            self.abandon_button,
        ):
            flow.addWidget(button)
        buttons = QHBoxLayout()
        buttons.addWidget(actions, 1)
        buttons.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.counts_label)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self._on_timer_timeout)
        self._after_refresh: list[Callable[[], None]] = []
        self._refreshing = Operation(
            self,
            "refresh the board",
            on_success=self._on_refresh_done,
            on_failure=self._on_refresh_failed,
            reentry=Reentry.LATEST,
            disables=(self.refresh_button,),
        )
        self._update_buttons()

    @property
    def rows(self) -> list[BoardRow]:
        """Every row on the board, in the board's order (filtered out or not)."""
        return self.model.rows

    # --- refreshing ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()
        self.timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.timer.stop()
        super().hideEvent(event)

    @Slot()
    def refresh(self) -> None:
        """Read the board again off the GUI thread; a refresh asked for while one runs follows
        it (the first one's rows, read before whatever changed, are not shown)."""
        actor, visits = self._actor, self._visits
        self._refreshing.run(lambda: (visits.board(actor), visits.earlier_for_review(actor)))

    def refresh_then(self, then: Callable[[], None]) -> None:
        """Refresh, and call ``then`` once the new rows are on the board."""
        self._after_refresh.append(then)
        self.refresh()

    @property
    def refreshing(self) -> bool:
        return self._refreshing.busy

    @Slot()
    def _on_timer_timeout(self) -> None:
        if not self._refreshing.busy:  # a slow database: the ticks do not pile up
            self.refresh()

    def _on_refresh_failed(self, exc: BaseException) -> None:
        self._after_refresh.clear()
        self.message.show_error(exc)

    def _on_refresh_done(self, result: tuple[list[BoardRow], int]) -> None:
        rows, self._earlier = result
        if self.message.kind == "error" and self.message.about is None:
            self.message.clear_message()
        rows = [r for r in rows if r.stage in STAGE_ORDER]
        # Longest waiting first within a stage; then the newest activity.
        rows.sort(
            key=lambda r: (
                STAGE_ORDER.index(r.stage),
                r.waiting_since or r.updated_at,
                -r.updated_at.timestamp(),
            )
        )
        self._fill(rows)
        self.updated_label.setText(words("board.updated", time=self._clock.time(self._ctx.now())))
        after, self._after_refresh = self._after_refresh, []
        for then in after:
            then()
        self.refreshed.emit(len(rows))

    def _fill(self, rows: list[BoardRow]) -> None:
        selected = self.selected_row()
        keep = selected.visit_id if selected else None
        self.model.set_rows(rows)
        if keep is not None:
            self.select_visit(keep)
        self.message.rows_changed(rows)
        self._update_counts()
        self._update_buttons()

    def _update_counts(self) -> None:
        rows = self.model.rows
        counts = {stage: sum(1 for r in rows if r.stage == stage) for stage in STAGE_ORDER}
        text = words("board.counts", **counts)
        shown = self.proxy.rowCount()
        if shown != len(rows):
            text = words("board.counts_showing", counts=text, shown=shown, total=len(rows))
        if self._earlier:
            text = words("board.counts_earlier", counts=text, count=self._earlier)
        self.counts_label.setText(text)

    def clear(self) -> None:
        self.timer.stop()
        self._refreshing.cancel()  # no patient comes back onto a locked screen
        self._after_refresh.clear()
        self.message.clear_message()
        self.filter_box.clear()
        self.model.set_rows([])

    # --- what is shown -----------------------------------------------------------------------

    def text_at(self, row: int, column: int) -> str:
        """The text of a cell as shown (``row`` counts the rows on screen, sorted and filtered)."""
        return str(self.proxy.index(row, column).data() or "")

    def font_at(self, row: int, column: int) -> QFont:
        font = self.proxy.index(row, column).data(Qt.ItemDataRole.FontRole)
        return font if isinstance(font, QFont) else self.table.font()

    def shown_rows(self) -> list[BoardRow]:
        """The rows on screen, in the order shown."""
        return [
            self.model.rows[self.proxy.mapToSource(self.proxy.index(i, 0)).row()]
            for i in range(self.proxy.rowCount())
        ]

    @Slot(str)
    def _on_filter_box_text_changed(self, text: str) -> None:
        self._apply_filter()

    @Slot(bool)
    def _on_hide_done_box_toggled(self, _checked: bool) -> None:
        self._apply_filter()

    def _apply_filter(self) -> None:
        self.proxy.set_filter(self.filter_box.text(), self.hide_done_box.isChecked())
        self._update_counts()
        self._update_buttons()

    # --- acting on a row -------------------------------------------------------------------------

    def selected_row(self) -> BoardRow | None:
        selection = self.table.selectionModel()
        selected = selection.selectedRows() if selection is not None else []
        if not selected:
            return None
        source = self.proxy.mapToSource(selected[0])
        return self.model.rows[source.row()] if 0 <= source.row() < len(self.model.rows) else None

    def row_for(self, visit_id: str) -> BoardRow | None:
        return next((r for r in self.model.rows if r.visit_id == visit_id), None)

    def select_visit(self, visit_id: str) -> bool:
        """Select the visit's row; False when it is not on the board or filtered out."""
        for i, row in enumerate(self.model.rows):
            if row.visit_id == visit_id:
                index = self.proxy.mapFromSource(self.model.index(i, 0))
                if not index.isValid():
                    return False
                self.table.selectRow(index.row())
                self.table.setCurrentIndex(index)
                return True
        return False

    def _update_buttons(self) -> None:
        self.row_actions.update_buttons(self.selected_row())

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_buttons()

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        """Double-click or Enter on a row: the front desk shows that patient."""
        source = self.proxy.mapToSource(index)
        if 0 <= source.row() < len(self.model.rows):
            row = self.model.rows[source.row()]
            self.visit_activated.emit(row.visit_id, row.patient_id)

    # The dialogs the row's actions open, while open (None otherwise).

    @property
    def confirm_box(self) -> AbandonVisitDialog | None:
        return self.row_actions.confirm_box

    @property
    def identity_dialog(self) -> IdentityCheckDialog | None:
        return self.row_actions.identity_dialog

    @property
    def release_dialog(self) -> AlertReleaseDialog | None:
        return self.row_actions.release_dialog

    def abandon(self, visit_id: str, reason: str) -> str:
        return self.row_actions.abandon(visit_id, reason)

    def issue_new_code(self, visit_id: str) -> StartedVisit | None:
        return self.row_actions.issue_new_code(visit_id)
