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
from intake.ui.common import MessageLabel, describe_error, named
from intake.ui.operations import KNOWN_ERRORS


class PregnancyStatusWidget(QWidget):
    """Shows the patient's answer and any confirmation; records the clinician's decision."""

    status_confirmed = Signal(bool)

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Pregnancy status", "pregnancy_tab")
        self._clinician = ClinicianService(ctx)
        self._actor = actor
        self.patient_id: int | None = None
        self.patient_says: bool | None = None
        self.confirmed: bool | None = None
        self.in_use = False

        explain = QLabel(
            "“Can become pregnant” means having a uterus and at least one ovary, unless a "
            "clinician has confirmed sterilisation, hysterectomy, removal of both ovaries or "
            "menopause. The patient answers at the kiosk; you confirm or correct it here. "
            "Every decision is kept with the date, your name and the reason.",
            self,
        )
        explain.setWordWrap(True)
        self.current = named(QLabel(self), "Current pregnancy status")
        self.current.setWordWrap(True)
        self.can = named(QRadioButton("Can become pregnant", self), "Can become pregnant")
        self.cannot = named(QRadioButton("Cannot become pregnant", self), "Cannot become pregnant")
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.can)
        self.choice.addButton(self.cannot)
        self.reason = named(QLineEdit(self), "Reason")
        self.reason.setPlaceholderText(
            "Reason, e.g. hysterectomy 2019 confirmed from records (needed for a correction)"
        )
        self.confirm_button = named(
            QPushButton("Record this decision", self), "Confirm pregnancy status"
        )
        self.confirm_button.clicked.connect(self._on_confirm_button_clicked)
        self.message = MessageLabel("Pregnancy status message", self)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.current)
        layout.addWidget(self.can)
        layout.addWidget(self.cannot)
        layout.addWidget(QLabel("Reason", self))
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
        answer = {
            None: "no kiosk answer for this visit",
            True: "the patient answered that they can become pregnant",
            False: "the patient answered that they cannot become pregnant",
        }[patient_says]
        decided = {
            None: "<b>Not yet confirmed by a clinician.</b>",
            True: "Confirmed by a clinician: <b>can become pregnant</b>.",
            False: "Confirmed by a clinician: <b>cannot become pregnant</b>.",
        }[confirmed]
        if not with_visit:
            answer, decided = "open a visit to see the patient's own answer", ""
        self.current.setText(
            f"In use now: <b>{'can' if current else 'cannot'} become pregnant</b> ({answer}). {decided}"
        )
        (self.can if current else self.cannot).setChecked(True)
        self.reason.clear()
        self.message.clear_message()
        self.confirm_button.setEnabled(True)

    def clear(self) -> None:
        self.patient_id = None
        self.current.setText("Choose a patient or a visit.")
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
            self.message.show_error("Please give the reason for the correction.")
            return
        try:
            self._clinician.confirm_pregnancy_status(
                self._actor, self.patient_id, value, self.reason.text()
            )
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        self.status_confirmed.emit(value)
        self.message.show_message(
            f"Recorded: {'can' if value else 'cannot'} become pregnant (confirmed by {self._actor.name}).",
            "info",
        )
