"""Staff decide on a patient's identity proposal from the kiosk: correct the record, or keep it."""

from __future__ import annotations

from html import escape

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
from intake.ui.common import describe_error, named, primary, words
from intake.ui.staff.desk_text import fit_to_text, message_line, problem_text


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
        self.setWindowTitle(words("desk.identity_title"))
        named(self, words("desk.identity_title"), "identity_dialog")
        layout = QVBoxLayout(self)
        fit_to_text(layout, 560)
        record = QLabel(
            words(
                "desk.identity_record",
                record=check.record_number,
                first_name=escape(check.first_name),
                last_name=escape(check.last_name),
                date=check.date_of_birth.isoformat(),
            ),
            self,
        )
        record.setTextFormat(Qt.TextFormat.RichText)
        record.setWordWrap(True)
        named(record, words("desk.identity_record_name"), "details_on_the_record")
        layout.addWidget(record)
        self.proposal = named(
            QLabel(self._proposal_text(check), self),
            words("desk.identity_proposal_name"),
            "patient's_proposal",
        )
        self.proposal.setTextFormat(Qt.TextFormat.PlainText)
        self.proposal.setWordWrap(True)
        layout.addWidget(self.proposal)
        hint = QLabel(words("desk.identity_hint", name=patient_name), self)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        layout.addWidget(hint)
        form = QFormLayout()
        self.date_of_birth = named(
            QLineEdit(self), words("desk.confirmed_date_name"), "confirmed_date_of_birth"
        )
        self.date_of_birth.setPlaceholderText(words("desk.confirmed_date_hint"))
        # Not filled in from what the patient typed: staff type the date from the ID they saw,
        # since it decides whether a guardian must co-sign.
        dob_shown = check.date_of_birth_disputed or check.proposed_date_of_birth is not None
        if dob_shown:
            form.addRow(words("desk.field_date_of_birth"), self.date_of_birth)
        else:
            self.date_of_birth.hide()
        self.reason = named(
            QLineEdit(self), words("desk.correction_reason_name"), "reason_for_the_correction"
        )
        self.reason.setPlaceholderText(words("desk.identity_reason_hint"))
        form.addRow(words("desk.reason"), self.reason)
        layout.addLayout(form)
        self.message = message_line(words("desk.identity_message"), "identity_check_message", self)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.accept_button = named(
            QPushButton(words("desk.accept_correction"), self),
            words("desk.accept_correction_name"),
            "accept_correction",
        )
        primary(self.accept_button)
        self.keep_button = named(
            QPushButton(words("desk.keep_record"), self),
            words("desk.keep_record_name"),
            "keep_the_record",
        )
        self.cancel_button = named(
            QPushButton(words("desk.cancel"), self), words("desk.cancel"), "cancel"
        )
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
        first, last = check.proposed_first_name, check.proposed_last_name
        born = check.proposed_date_of_birth
        # desk.proposed_<which>: what the patient typed, in one sentence
        which = "_".join(
            part
            for part, given in (
                ("names" if first and last else "first" if first else "last", first or last),
                ("date", born is not None),
            )
            if given
        )
        sentences = []
        if which:
            sentences.append(
                words(
                    f"desk.proposed_{which}",
                    first_name=first,
                    last_name=last,
                    date=born.isoformat() if born is not None else "",
                )
            )
        if check.date_of_birth_disputed:
            sentences.append(words("desk.date_disputed"))
        return " ".join(sentences)

    def _problem_text(self, key: str, text: str) -> str:
        """A problem in the staff screens' words: a detail's by its code; the reason, which the
        service words without a code, when none was given."""
        if key == "reason" and not self.reason.text().strip():
            return words("desk.correction_reason_needed")
        if key == "date_of_birth" and not self.date_of_birth.text().strip():
            return words("desk.confirmed_date_needed")
        if key == "identity":
            return words("desk.identity_nothing_waiting")
        return problem_text(text)

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
                " ".join(self._problem_text(k, t) for k, t in exc.errors.items())
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
