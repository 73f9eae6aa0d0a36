"""The live status board: who is waiting, at the kiosk, needs staff, waiting for the dermatologist, done."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from intake.services.alerts import MOOD_REASON, AlertService
from intake.services.context import Actor, AppContext
from intake.services.errors import InvalidInput
from intake.services.identity_review import IdentityReviewService
from intake.services.visits import BoardRow, StartedVisit, VisitService
from intake.ui.staff.common import (
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
)
from intake.ui.staff.identity_dialog import IdentityCheckDialog
from intake.ui.staff.release_dialog import AlertReleaseDialog
from intake.ui.staff.visit_choice import AbandonVisitDialog

STAGE_ORDER = ("needs_staff", "waiting", "at_kiosk", "for_dermatologist", "done")
STAGE_COLOURS = {
    "needs_staff": RED_BG,
    "waiting": "#ffffff",
    "at_kiosk": BLUE_BG,
    "for_dermatologist": AMBER_BG,
    "done": GREEN_BG,
}
# Discreet: the board says that staff are needed and roughly why, never a score or an answer.
NEEDS_STAFF_WORDING = {
    "item9": "Needs staff — mood screen",
    "identity": "Needs staff — check the patient's name or date of birth",
}
KIOSK_PAGES = {
    "welcome": "welcome",
    "language": "language",
    "phq9": "mood questions",
    "mood": "mood questions",
    "risks": "risk statements",
    "quiz": "understanding check",
    "sign": "signing",
    "signature": "signing",
    "done": "finished",
}


def page_label(ctx: AppContext, page: str) -> str:
    """A kiosk page id as words: intake pages by their title, the others by name."""
    base = page.split(":", 1)[0].split("/", 1)[0]
    for p in ctx.forms.intake.pages:
        if p.id == base:
            return p.title("en").lower()
    topics = {t.id for t in ctx.forms.risks.topics}
    if base.startswith("risk") or base.split(".", 1)[0] in topics:
        return "risk statements"
    return KIOSK_PAGES.get(base, humanise(base).lower() if base else "")


def stage_text(ctx: AppContext, row: BoardRow) -> str:
    base = _stage_text(ctx, row)
    code = code_text(ctx, row)
    return f"{base} — {code}" if code else base


def code_text(ctx: AppContext, row: BoardRow) -> str:
    """What staff must know about an unfinished visit's code: locked, void or expired."""
    if row.code == "void":
        return "code void: issue a new code"
    if row.code == "locked" and row.code_locked_until is not None:
        minutes = max(1, math.ceil((row.code_locked_until - ctx.now()).total_seconds() / 60))
        return f"code locked after wrong tries ({minutes} min): issue a new code to let them in"
    if row.code == "expired":
        return "code expired: issue a new code"
    return ""


def _stage_text(ctx: AppContext, row: BoardRow) -> str:
    if row.stage == "needs_staff":
        return NEEDS_STAFF_WORDING.get(row.needs_staff, "Needs staff — visit paused")
    if row.stage == "waiting":
        return "Waiting for the kiosk"
    if row.stage == "at_kiosk":
        where = page_label(ctx, row.page)
        return f"At the kiosk — {where}" if where else "At the kiosk"
    if row.stage == "for_dermatologist":
        return "Waiting for the dermatologist"
    if row.stage == "done":
        return "Done"
    return humanise(row.stage)


class StatusBoardWidget(QWidget):
    """Today's visits, refreshed on its own every ``refresh_ms`` while shown."""

    refreshed = Signal(int)  # rows now on the board
    visit_activated = Signal(str, int)  # visit id, patient id (double-click)
    attended = Signal(str)  # a paused visit may continue (visit id)
    abandoned = Signal(str)  # visit id
    code_issued = Signal(object, object)  # BoardRow, StartedVisit (its code to give the patient)

    COLUMNS = ("Status", "Patient", "Record no.", "Since")

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        refresh_ms: int = 4000,
        title: str = "Today's visits",
    ):
        super().__init__(parent)
        named(self, "Status board", "status_board")
        self._ctx = ctx
        self._actor = actor
        self._visits = VisitService(ctx)
        self._clock = Clock(ctx.forms.clinic.timezone)
        self.rows: list[BoardRow] = []
        self.confirm_box: AbandonVisitDialog | None = None
        self.identity_dialog: IdentityCheckDialog | None = None
        self.release_dialog: AlertReleaseDialog | None = None
        self._releasing: BoardRow | None = None

        heading = QLabel(title, self)
        heading.setObjectName("section")
        self.updated_label = named(QLabel("", self), "Board updated")
        self.updated_label.setObjectName("muted")
        self.counts_label = named(QLabel("", self), "Board counts")
        self.counts_label.setObjectName("muted")
        self.table = named(QTableWidget(0, len(self.COLUMNS), self), "Visits on the board")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.table.cellDoubleClicked.connect(self._on_table_cell_double_clicked)

        self.attend_button = named(
            QPushButton("Patient attended — let the visit continue", self), "Attended"
        )
        self.attend_button.clicked.connect(self._on_attend_button_clicked)
        self.identity_button = named(QPushButton("Check identity…", self), "Check identity")
        self.identity_button.clicked.connect(self._on_identity_button_clicked)
        self.abandon_button = named(QPushButton("Abandon visit", self), "Abandon visit")
        self.abandon_button.clicked.connect(self._on_abandon_button_clicked)
        self.new_code_button = named(QPushButton("Issue new code", self), "Issue new code")
        self.new_code_button.setToolTip(
            "A new visit code for this unfinished visit; the old one stops working"
        )
        self.new_code_button.clicked.connect(self._on_new_code_button_clicked)
        self.refresh_button = named(QPushButton("Refresh", self), "Refresh board")
        self.refresh_button.clicked.connect(self.refresh)
        self.message = MessageLabel("Board message", self)

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.updated_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.attend_button)
        buttons.addWidget(self.identity_button)
        buttons.addWidget(self.new_code_button)
        buttons.addWidget(self.abandon_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)
        self._update_buttons()

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
        try:
            rows = self._visits.board(self._actor)
        except Exception as exc:
            self.message.show_error(describe_error(exc))
            return
        if self.message.kind == "error":
            self.message.clear_message()
        rows = [r for r in rows if r.stage in STAGE_ORDER]
        rows.sort(key=lambda r: (STAGE_ORDER.index(r.stage), -r.updated_at.timestamp()))
        self._fill(rows)
        self.updated_label.setText(f"Updated {self._clock.time(self._ctx.now())}")
        self.refreshed.emit(len(rows))

    def _fill(self, rows: list[BoardRow]) -> None:
        selected = self.selected_row()
        keep = selected.visit_id if selected else None
        self.rows = rows
        self.table.setRowCount(len(rows))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for i, row in enumerate(rows):
            since = row.updated_at if row.stage != "waiting" else row.started_at
            values = (
                stage_text(self._ctx, row),
                row.patient_name,
                row.record_number,
                self._clock.time(since),
            )
            where = f"Kiosk station: {row.kiosk_station}" if row.kiosk_station else ""
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(where)
                item.setBackground(QBrush(QColor(STAGE_COLOURS.get(row.stage, "#ffffff"))))
                if row.stage == "needs_staff" or row.code in ("void", "locked"):
                    item.setFont(bold)
                    item.setForeground(QBrush(QColor(RED_FG)))
                item.setData(Qt.ItemDataRole.UserRole, row.visit_id)
                self.table.setItem(i, column, item)
            if row.visit_id == keep:
                self.table.selectRow(i)
        counts = {stage: sum(1 for r in rows if r.stage == stage) for stage in STAGE_ORDER}
        self.counts_label.setText(
            f"Needs staff {counts['needs_staff']} · waiting {counts['waiting']} · "
            f"at the kiosk {counts['at_kiosk']} · for the dermatologist "
            f"{counts['for_dermatologist']} · done {counts['done']}"
        )
        self._update_buttons()

    def clear(self) -> None:
        self.timer.stop()
        self.rows = []
        self.table.setRowCount(0)

    # --- acting on a row -------------------------------------------------------------------------

    def selected_row(self) -> BoardRow | None:
        index = self.table.currentRow()
        selected = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not selected or not 0 <= index < len(self.rows):
            return None
        return self.rows[index]

    def row_for(self, visit_id: str) -> BoardRow | None:
        return next((r for r in self.rows if r.visit_id == visit_id), None)

    def select_visit(self, visit_id: str) -> bool:
        for i, row in enumerate(self.rows):
            if row.visit_id == visit_id:
                self.table.selectRow(i)
                return True
        return False

    def _update_buttons(self) -> None:
        row = self.selected_row()
        self.attend_button.setEnabled(bool(row and row.stage == "needs_staff"))
        self.identity_button.setEnabled(bool(row and row.needs_staff == "identity"))
        self.abandon_button.setEnabled(bool(row and row.status == "draft"))
        self.new_code_button.setEnabled(bool(row and row.status == "draft"))

    @Slot()
    def _on_table_item_selection_changed(self) -> None:
        self._update_buttons()

    @Slot(int, int)
    def _on_table_cell_double_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.rows):
            self.visit_activated.emit(self.rows[row].visit_id, self.rows[row].patient_id)

    @Slot()
    def _on_attend_button_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if row.needs_staff == MOOD_REASON:
            self._release_mood_alert(row)
            return
        try:
            self._visits.staff_continue(self._actor, row.visit_id)
        except Exception as exc:
            self.message.show_error(describe_error(exc))
            return
        self.message.show_message(f"{row.patient_name}'s visit may continue at the kiosk.", "info")
        self.attended.emit(row.visit_id)
        self.refresh()

    def _release_mood_alert(self, row: BoardRow) -> None:
        """A positive mood screen: only the clinic's role releases it, with a note (a dialog)."""
        service = AlertService(self._ctx)
        refusal = service.refusal(self._actor)
        if refusal:
            self.message.show_error(refusal)
            return
        dialog = AlertReleaseDialog(service, self._actor, row.visit_id, row.patient_name, self)
        dialog.released.connect(self._on_release_dialog_released)
        dialog.finished.connect(self._on_release_dialog_finished)
        self._releasing = row
        self.release_dialog = dialog
        dialog.open()

    @Slot(object)
    def _on_release_dialog_released(self, _info: object) -> None:
        row = self._releasing
        if row is None:
            return
        self.message.show_message(
            f"Released with a note; {row.patient_name}'s visit may continue at the kiosk.", "info"
        )
        self.attended.emit(row.visit_id)
        self.refresh()

    @Slot(int)
    def _on_release_dialog_finished(self, _result: int) -> None:
        dialog, self.release_dialog, self._releasing = self.release_dialog, None, None
        if dialog is not None:
            dialog.deleteLater()

    @Slot()
    def _on_identity_button_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        service = IdentityReviewService(self._ctx)
        try:
            check = service.check(self._actor, row.visit_id)
        except Exception as exc:
            self.message.show_error(describe_error(exc))
            return
        dialog = IdentityCheckDialog(service, self._actor, check, row.patient_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.settled.connect(lambda decision, r=row: self._on_identity_settled(r, decision))
        dialog.finished.connect(self._on_identity_dialog_finished)
        self.identity_dialog = dialog
        dialog.open()

    def _on_identity_settled(self, row: BoardRow, decision: str) -> None:
        done = "The record was corrected" if decision == "accepted" else "The record was kept"
        self.message.show_message(
            f"{done}; {row.patient_name}'s visit may continue at the kiosk.", "info"
        )
        self.attended.emit(row.visit_id)
        self.refresh()

    @Slot(int)
    def _on_identity_dialog_finished(self, _result: int) -> None:
        self.identity_dialog = None

    @Slot()
    def _on_abandon_button_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        box = AbandonVisitDialog(row.patient_name, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        visit_id = row.visit_id
        box.reason_given.connect(lambda reason: self._on_abandon_reason_given(visit_id, reason))
        box.finished.connect(self._on_confirm_box_finished)
        self.confirm_box = box
        box.open()

    def _on_abandon_reason_given(self, visit_id: str, reason: str) -> None:
        box = self.confirm_box
        problem = self.abandon(visit_id, reason)
        if box is None:
            return
        if problem:
            box.show_reason_error(problem)
        else:
            box.accept()

    @Slot(int)
    def _on_confirm_box_finished(self, _result: int) -> None:
        self.confirm_box = None

    def abandon(self, visit_id: str, reason: str) -> str:
        """Abandon an unfinished visit, saying why; returns what is wrong with the reason."""
        row = self.row_for(visit_id)
        if row is None:
            return ""
        try:
            self._visits.abandon(self._actor, row.visit_id, reason)
        except InvalidInput as exc:
            return exc.errors.get("reason", str(exc))
        except Exception as exc:
            self.message.show_error(describe_error(exc))
            return ""
        self.message.show_message(f"{row.patient_name}'s visit was abandoned.", "info")
        self.abandoned.emit(visit_id)
        self.refresh()
        return ""

    @Slot()
    def _on_new_code_button_clicked(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.issue_new_code(row.visit_id)

    def issue_new_code(self, visit_id: str) -> StartedVisit | None:
        """A new code for an unfinished visit (the old one stops working); for the patient's slip."""
        row = self.row_for(visit_id)
        if row is None:
            return None
        try:
            started = self._visits.new_code(self._actor, visit_id)
        except Exception as exc:
            self.message.show_error(describe_error(exc))
            return None
        self.message.show_message(
            f"New visit code for {row.patient_name}; the old code no longer works.", "info"
        )
        self.code_issued.emit(row, started)
        self.refresh()
        return started
