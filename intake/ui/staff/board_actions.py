"""What the front desk does to a row of the status board: let a paused visit continue (a mood
screen by release with a note), check a patient's identity, abandon a visit, issue a new code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QPushButton

from intake.domain.kinds import Stage, VisitStatus
from intake.services.alerts import MOOD_REASON, AlertService
from intake.services.context import Actor, AppContext
from intake.services.errors import InvalidInput
from intake.services.identity_review import IdentityReviewService
from intake.services.visits import ABANDON_REASON_MAX, BoardRow, StartedVisit, VisitService
from intake.ui.common import describe_error, named, words
from intake.ui.operations import KNOWN_ERRORS
from intake.ui.release_dialog import AlertReleaseDialog
from intake.ui.staff.identity_dialog import IdentityCheckDialog
from intake.ui.staff.visit_choice import AbandonVisitDialog

if TYPE_CHECKING:
    from intake.ui.staff.status_board import StatusBoardWidget


class BoardActions(QObject):
    """The board's buttons for the selected row, each enabled only where it applies, and what
    each does: a confirmation about the row goes on the board's banner once the row is read
    again, an error about it at once."""

    attended = Signal(str)  # a paused visit may continue (visit id)
    abandoned = Signal(str)  # visit id
    code_issued = Signal(object, object)  # BoardRow, StartedVisit (its code to give the patient)

    def __init__(self, ctx: AppContext, actor: Actor, board: StatusBoardWidget):
        super().__init__(board)
        self._ctx, self._actor, self._board = ctx, actor, board
        self._visits = VisitService(ctx)
        self.confirm_box: AbandonVisitDialog | None = None
        self.identity_dialog: IdentityCheckDialog | None = None
        self.release_dialog: AlertReleaseDialog | None = None
        self._releasing: BoardRow | None = None
        self.attend_button = self._button(board, "attend", "attended")
        self.attend_button.clicked.connect(self._on_attend_button_clicked)
        self.identity_button = self._button(board, "identity", "check_identity")
        self.identity_button.clicked.connect(self._on_identity_button_clicked)
        self.abandon_button = self._button(board, "abandon", "abandon_visit")
        self.abandon_button.clicked.connect(self._on_abandon_button_clicked)
        self.new_code_button = self._button(board, "new_code", "issue_new_code")
        self.new_code_button.setToolTip(words("board.new_code_tip"))
        self.new_code_button.clicked.connect(self._on_new_code_button_clicked)

    @staticmethod
    def _button(board: StatusBoardWidget, key: str, object_name: str) -> QPushButton:
        """A row's button: its label board.<key>, its accessible name board.<key>_name."""
        button = QPushButton(words(f"board.{key}"), board)
        return named(button, words(f"board.{key}_name"), object_name)

    def update_buttons(self, row: BoardRow | None) -> None:
        """Enable what applies to the selected row (None: no row is selected)."""
        self.attend_button.setEnabled(bool(row and row.stage == Stage.NEEDS_STAFF))
        self.identity_button.setEnabled(bool(row and row.needs_staff == "identity"))
        self.abandon_button.setEnabled(bool(row and row.status == VisitStatus.DRAFT))
        self.new_code_button.setEnabled(bool(row and row.status == VisitStatus.DRAFT))

    def _error(self, exc: Exception, row: BoardRow) -> None:
        self._board.message.show_message(describe_error(exc), "error", about=row)

    def _tell_when_read(self, visit_id: str, text: str) -> None:
        """Read the board again, then confirm; the confirmation goes when that row changes."""
        board = self._board
        board.refresh_then(
            lambda: board.message.show_message(text, "info", about=board.row_for(visit_id))
        )

    # --- a paused visit ----------------------------------------------------------------------------

    @Slot()
    def _on_attend_button_clicked(self) -> None:
        row = self._board.selected_row()
        if row is None:
            return
        if row.needs_staff == MOOD_REASON:
            self._release_mood_alert(row)
            return
        try:
            self._visits.staff_continue(self._actor, row.visit_id)
        except KNOWN_ERRORS as exc:
            self._error(exc, row)
            return
        self.attended.emit(row.visit_id)
        self._tell_when_read(row.visit_id, words("board.continues", name=row.patient_name))

    def _release_mood_alert(self, row: BoardRow) -> None:
        """A positive mood screen: only the clinic's role releases it, with a note (a dialog)."""
        service = AlertService(self._ctx)
        dialog = AlertReleaseDialog(
            service, self._actor, row.visit_id, row.patient_name, self._board
        )
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
        self._board.message.show_message(words("board.released", name=row.patient_name), "info")
        self.attended.emit(row.visit_id)
        self._board.refresh()

    @Slot(int)
    def _on_release_dialog_finished(self, _result: int) -> None:
        dialog, self.release_dialog, self._releasing = self.release_dialog, None, None
        if dialog is not None:
            dialog.deleteLater()

    @Slot()
    def _on_identity_button_clicked(self) -> None:
        row = self._board.selected_row()
        if row is None:
            return
        service = IdentityReviewService(self._ctx)
        try:
            check = service.check(self._actor, row.visit_id)
        except KNOWN_ERRORS as exc:
            self._error(exc, row)
            return
        dialog = IdentityCheckDialog(service, self._actor, check, row.patient_name, self._board)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.settled.connect(lambda decision, r=row: self._on_identity_settled(r, decision))
        dialog.finished.connect(self._on_identity_dialog_finished)
        self.identity_dialog = dialog
        dialog.open()

    def _on_identity_settled(self, row: BoardRow, decision: str) -> None:
        key = "identity_corrected" if decision == "accepted" else "identity_kept"
        self.attended.emit(row.visit_id)
        self._tell_when_read(row.visit_id, words(f"board.{key}", name=row.patient_name))

    @Slot(int)
    def _on_identity_dialog_finished(self, _result: int) -> None:
        self.identity_dialog = None

    # --- an unfinished visit ---------------------------------------------------------------------

    @Slot()
    def _on_abandon_button_clicked(self) -> None:
        row = self._board.selected_row()
        if row is None:
            return
        box = AbandonVisitDialog(row.patient_name, self._board)
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
        row = self._board.row_for(visit_id)
        if row is None:
            return ""
        try:
            self._visits.abandon(self._actor, row.visit_id, reason)
        except InvalidInput as exc:
            if "reason" not in exc.errors:
                return describe_error(exc)
            return reason_problem(reason)
        except KNOWN_ERRORS as exc:
            self._error(exc, row)
            return ""
        self.abandoned.emit(visit_id)
        self._board.refresh()
        self._board.message.show_message(words("board.abandoned", name=row.patient_name), "info")
        return ""

    @Slot()
    def _on_new_code_button_clicked(self) -> None:
        row = self._board.selected_row()
        if row is not None:
            self.issue_new_code(row.visit_id)

    def issue_new_code(self, visit_id: str) -> StartedVisit | None:
        """A new code for an unfinished visit (the old one stops working); for the patient's slip."""
        row = self._board.row_for(visit_id)
        if row is None:
            return None
        try:
            started = self._visits.new_code(self._actor, visit_id)
        except KNOWN_ERRORS as exc:
            self._error(exc, row)
            return None
        self.code_issued.emit(row, started)
        self._tell_when_read(visit_id, words("board.new_code_issued", name=row.patient_name))
        return started


def reason_problem(reason: str) -> str:
    """What is wrong with a reason the visit service refused: none given, or too long."""
    if len(" ".join(reason.split())) > ABANDON_REASON_MAX:
        return words("board.abandon_reason_long", max=ABANDON_REASON_MAX)
    return words("board.abandon_reason_missing")
