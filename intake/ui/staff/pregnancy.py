"""The clinician confirms or corrects 'can become pregnant' (audited, dated, with a reason)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from intake.services.clinician import ClinicianService
from intake.services.context import Actor, AppContext
from intake.ui.common import describe_error, named
from intake.ui.operations import KNOWN_ERRORS
from intake.ui.staff.signing_words import message_label, said

ANSWERS = {
    None: "pregnancy_answer_none",
    True: "pregnancy_answer_can",
    False: "pregnancy_answer_cannot",
}
DECIDED = {
    None: "pregnancy_decided_none",
    True: "pregnancy_decided_can",
    False: "pregnancy_decided_cannot",
}


class PregnancyStatusWidget(QWidget):
    """Shows the patient's answer and any confirmation; records the clinician's decision."""

    status_confirmed = Signal(bool)

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, said("pregnancy_name"), "pregnancy_tab")
        self._clinician = ClinicianService(ctx)
        self._actor = actor
        self.patient_id: int | None = None
        self.patient_says: bool | None = None
        self.confirmed: bool | None = None
        self.in_use = False

        explain = QLabel(said("pregnancy_explain"), self)
        explain.setWordWrap(True)
        self.current = named(
            QLabel(self), said("pregnancy_current_name"), "current_pregnancy_status"
        )
        self.current.setWordWrap(True)
        can, cannot = said("pregnancy_can"), said("pregnancy_cannot")
        self.can = named(QRadioButton(can, self), can, "can_become_pregnant")
        self.cannot = named(QRadioButton(cannot, self), cannot, "cannot_become_pregnant")
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.can)
        self.choice.addButton(self.cannot)
        self.reason = named(QLineEdit(self), said("pregnancy_reason"), "reason")
        self.reason.setPlaceholderText(said("pregnancy_reason_hint"))
        self.confirm_button = named(
            QPushButton(said("pregnancy_record"), self),
            said("pregnancy_record_name"),
            "confirm_pregnancy_status",
        )
        self.confirm_button.clicked.connect(self._on_confirm_button_clicked)
        self.message = message_label("pregnancy_name", "pregnancy_status_message", self)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.current)
        layout.addWidget(self.can)
        layout.addWidget(self.cannot)
        reason_label = QLabel(said("pregnancy_reason"), self)
        reason_label.setBuddy(self.reason)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.message)
        layout.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.clear()

    def show_status(
        self,
        patient_id: int,
        patient_says: bool | None,
        confirmed: bool | None,
        current: bool,
        *,
        with_visit: bool = True,
    ) -> None:
        """``patient_says``: the kiosk answer; ``confirmed``: the clinician's latest decision."""
        self.patient_id, self.patient_says, self.confirmed = patient_id, patient_says, confirmed
        self.in_use = current
        answer, decided = said(ANSWERS[patient_says]), said(DECIDED[confirmed])
        if not with_visit:
            answer, decided = said("pregnancy_answer_no_visit"), ""
        in_use = "pregnancy_in_use_can" if current else "pregnancy_in_use_cannot"
        self.current.setText(said(in_use, answer=answer, decided=decided).strip())
        (self.can if current else self.cannot).setChecked(True)
        self.reason.clear()
        self.message.clear_message()
        self.confirm_button.setEnabled(True)

    def clear(self) -> None:
        self.patient_id = None
        self.current.setText(said("pregnancy_choose"))
        self.reason.clear()
        self.message.clear_message()
        self.confirm_button.setEnabled(False)

    @Slot()
    def _on_confirm_button_clicked(self) -> None:
        if self.patient_id is None:
            return
        value = self.can.isChecked()
        baseline = self.in_use if self.confirmed is None else self.confirmed
        if self.confirmed is None and self.patient_says is not None:
            baseline = self.patient_says
        if value != baseline and not self.reason.text().strip():
            self.message.show_error(said("pregnancy_reason_needed"))
            return
        try:
            self._clinician.confirm_pregnancy_status(
                self._actor, self.patient_id, value, self.reason.text()
            )
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        self.status_confirmed.emit(value)
        recorded = "pregnancy_recorded_can" if value else "pregnancy_recorded_cannot"
        self.message.show_message(said(recorded, name=self._actor.name), "info")
