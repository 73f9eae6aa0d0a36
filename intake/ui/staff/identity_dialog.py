"""Staff decide on a patient's identity proposal from the kiosk: correct the record, or keep it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake.services.context import Actor
from intake.services.errors import Conflict, InvalidInput, ServiceError
from intake.services.identity_review import IdentityCheck, IdentityReviewService
from intake.ui.common import MessageLabel, describe_error, named, primary


class IdentityCheckDialog(QDialog):
    """The record beside what the patient proposed; accepting corrects the record (a new version,
    with a reason), keeping leaves it; either way the paused visit may continue."""

    settled = Signal(str)  # "accepted" | "kept"

    def __init__(
        self,
        service: IdentityReviewService,
        actor: Actor,
        check: IdentityCheck,
        patient_name: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._service = service
        self._actor = actor
        self.check = check
        self.setWindowTitle("Check the patient's details")
        named(self, "Check the patient's details", "identity_dialog")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        record = QLabel(
            f"On the record ({check.record_number}): <b>{check.first_name} {check.last_name}</b>, "
            f"born {check.date_of_birth.isoformat()}.",
            self,
        )
        record.setTextFormat(Qt.TextFormat.RichText)
        record.setWordWrap(True)
        named(record, "Details on the record")
        layout.addWidget(record)
        self.proposal = named(QLabel(self._proposal_text(check), self), "Patient's proposal")
        self.proposal.setWordWrap(True)
        layout.addWidget(self.proposal)
        hint = QLabel(
            f"Check {patient_name}'s ID with them. Accepting corrects the record as a new version; "
            "keeping leaves the record as it is. The consent prints the record's name and date "
            "of birth.",
            self,
        )
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        layout.addWidget(hint)
        form = QFormLayout()
        self.date_of_birth = named(QLineEdit(self), "Confirmed date of birth")
        self.date_of_birth.setPlaceholderText("YYYY-MM-DD, as on the patient's ID")
        # Not filled in from what the patient typed: staff type the date from the ID they saw,
        # since it decides whether a guardian must co-sign.
        dob_shown = check.date_of_birth_disputed or check.proposed_date_of_birth is not None
        if dob_shown:
            form.addRow("Date of birth", self.date_of_birth)
        else:
            self.date_of_birth.hide()
        self.reason = named(QLineEdit(self), "Reason for the correction")
        self.reason.setPlaceholderText("e.g. checked against the patient's ID")
        form.addRow("Reason", self.reason)
        layout.addLayout(form)
        self.message = MessageLabel("Identity check message", self)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.accept_button = named(
            QPushButton("Accept and correct the record", self), "Accept correction"
        )
        primary(self.accept_button)
        self.keep_button = named(QPushButton("Keep the record as it is", self), "Keep the record")
        self.cancel_button = named(QPushButton("Cancel", self), "Cancel")
        self.accept_button.clicked.connect(self._on_accept_button_clicked)
        self.keep_button.clicked.connect(self._on_keep_button_clicked)
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)

    @staticmethod
    def _proposal_text(check: IdentityCheck) -> str:
        parts = []
        if check.proposed_first_name:
            parts.append(f"first name “{check.proposed_first_name}”")
        if check.proposed_last_name:
            parts.append(f"last name “{check.proposed_last_name}”")
        if check.proposed_date_of_birth is not None:
            parts.append(f"date of birth {check.proposed_date_of_birth.isoformat()}")
        text = "The patient typed " + " and ".join(parts) + "." if parts else ""
        if check.date_of_birth_disputed:
            text = (text + " " if text else "") + (
                "The patient says the date of birth on the record is not theirs."
            )
        return text

    def _run(self, decision: str) -> None:
        self.message.clear_message()
        try:
            if decision == "accepted":
                self._service.accept(
                    self._actor,
                    self.check.visit_id,
                    self.check.version,
                    self.reason.text(),
                    date_of_birth=self.date_of_birth.text().strip() or None,
                )
            else:
                self._service.keep(self._actor, self.check.visit_id)
        except (InvalidInput, Conflict) as exc:
            text = (
                " ".join(exc.errors.values())
                if isinstance(exc, InvalidInput)
                else describe_error(exc)
            )
            self.message.show_error(text)
            return
        except ServiceError as exc:
            self.message.show_error(exc)
            return
        except OSError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.settled.emit(decision)
        self.accept()

    @Slot()
    def _on_accept_button_clicked(self) -> None:
        self._run("accepted")

    @Slot()
    def _on_keep_button_clicked(self) -> None:
        self._run("kept")
