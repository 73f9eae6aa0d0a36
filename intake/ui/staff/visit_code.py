"""The visit code, large, for the front desk to give the patient (and to hand the station over)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from intake import i18n
from intake.domain.kinds import VisitKind
from intake.services.patients import PatientRow
from intake.services.visits import BoardRow, StartedVisit
from intake.ui.common import named, words
from intake.ui.staff.desk_text import fit_to_text


def reconsent_reason(reason: str) -> str:
    """Why a visit is a re-consent, as the code dialog says it (intake.domain.reconsent's
    reasons, ``desk.reconsent_<reason>``)."""
    key = f"desk.reconsent_{reason}"
    return words(key) if i18n.has(key) else reason


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
        title = words("desk.code_title_new" if new_code else "desk.code_title_started")
        self.setWindowTitle(title)
        named(self, title, "visit_code_dialog")
        self.started = started
        layout = QVBoxLayout(self)
        fit_to_text(layout, 460)
        layout.setSpacing(14)
        name = patient.full_name if isinstance(patient, PatientRow) else patient.patient_name
        who = QLabel(
            words(
                "desk.code_for_checkin"
                if started.kind == VisitKind.CHECKIN
                else "desk.code_for_visit",
                month=started.course_month,
                name=escape(name),
                record=patient.record_number,
            ),
            self,
        )
        who.setWordWrap(True)
        layout.addWidget(who)
        if dermatologist is not None:
            self.dermatologist_label = named(
                QLabel(
                    words("desk.code_dermatologist", name=escape(dermatologist))
                    if dermatologist
                    else words("desk.code_dermatologist_none"),
                    self,
                ),
                words("desk.code_dermatologist_name"),
                "dermatologist_for_the_visit",
            )
            self.dermatologist_label.setWordWrap(True)
            layout.addWidget(self.dermatologist_label)
        if started.reconsent:
            why = " ".join(reconsent_reason(r) for r in started.reconsent)
            self.reconsent_label = named(
                QLabel(words("desk.reconsent", reasons=why), self),
                words("desk.reconsent_name"),
                "re-consent",
            )
            self.reconsent_label.setObjectName("reconsent_notice")
            self.reconsent_label.setWordWrap(True)
            layout.addWidget(self.reconsent_label)
        hint = QLabel(words("desk.code_hint_new" if new_code else "desk.code_hint"), self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        code = started.code
        self.code_label = named(
            QLabel(f"{code[:3]} {code[3:]}", self), words("desk.code_name"), "visit_code"
        )
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
            QPushButton(words("desk.hand_over"), self),
            words("desk.hand_over_name"),
            "hand_over_this_station",
        )
        self.hand_over_button.clicked.connect(self._on_hand_over_button_clicked)
        self.done_button = named(QPushButton(words("desk.done"), self), words("desk.done"), "done")
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
