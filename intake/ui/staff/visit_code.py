"""The visit code, large, for the front desk to give the patient (and to hand the station over)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from intake.domain.kinds import VisitKind
from intake.services.patients import PatientRow
from intake.services.visits import BoardRow, StartedVisit
from intake.ui.common import named

# Why a visit is a re-consent, as the code dialog says it (intake.domain.reconsent's reasons).
RECONSENT_REASONS = {
    "form_changed": "The risk statements have changed since the patient last signed: the kiosk"
    " shows only the new and changed ones.",
    "turned_18": "The patient has turned 18 since consenting as a minor: they now sign for"
    " themselves, without a parent or guardian.",
}


class VisitCodeDialog(QDialog):
    """Shows the visit code, large, to give to the patient; can hand this station over at once."""

    hand_over_requested = Signal(str)  # visit id

    def __init__(
        self,
        patient: PatientRow | BoardRow,
        started: StartedVisit,
        parent: QWidget | None = None,
        *,
        new_code: bool = False,
        dermatologist: str | None = None,
    ):
        super().__init__(parent)
        title = "New visit code" if new_code else "Visit started"
        self.setWindowTitle(title)
        named(self, title, "visit_code_dialog")
        self.setMinimumWidth(460)
        self.started = started
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        name = patient.full_name if isinstance(patient, PatientRow) else patient.patient_name
        what = (
            f"Month {started.course_month} check-in"
            if started.kind == VisitKind.CHECKIN
            else "Kiosk visit"
        )
        who = QLabel(f"{what} for <b>{name}</b> ({patient.record_number})", self)
        layout.addWidget(who)
        if dermatologist is not None:
            self.dermatologist_label = named(
                QLabel(
                    f"Dermatologist: <b>{escape(dermatologist)}</b>"
                    if dermatologist
                    else "Dermatologist: none chosen yet — a clinic dermatologist countersigns",
                    self,
                ),
                "Dermatologist for the visit",
            )
            layout.addWidget(self.dermatologist_label)
        if started.reconsent:
            why = [RECONSENT_REASONS.get(r, r) for r in started.reconsent]
            self.reconsent_label = named(
                QLabel("<b>Re-consent.</b> " + " ".join(why), self), "Re-consent"
            )
            self.reconsent_label.setObjectName("reconsent_notice")
            self.reconsent_label.setWordWrap(True)
            layout.addWidget(self.reconsent_label)
        hint = QLabel(
            "Give the patient this code. At any kiosk they type it with their date of birth. "
            "It works once, for 12 hours." + (" The old code no longer works." if new_code else ""),
            self,
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        code = started.code
        self.code_label = named(QLabel(f"{code[:3]} {code[3:]}", self), "Visit code")
        font = QFont(self.code_label.font())
        font.setPointSize(44)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 6)
        self.code_label.setFont(font)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setObjectName("visit_code")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.code_label)
        buttons = QHBoxLayout()
        self.hand_over_button = named(
            QPushButton("Hand over this station to the patient", self), "Hand over this station"
        )
        self.hand_over_button.clicked.connect(self._on_hand_over_button_clicked)
        self.done_button = named(QPushButton("Done", self), "Done")
        self.done_button.setDefault(True)
        self.done_button.clicked.connect(self.accept)
        buttons.addWidget(self.hand_over_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout.addLayout(buttons)

    @Slot()
    def _on_hand_over_button_clicked(self) -> None:
        self.hand_over_requested.emit(self.started.visit_id)
        self.accept()
