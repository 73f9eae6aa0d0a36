"""What to do with an unfinished visit: carry on with a new code, or abandon it with a reason."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal, Slot
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

from intake.ui.common import MessageLabel, named, primary

REASON_PLACEHOLDER = "e.g. the patient left; started by mistake (no medical details)"


class _ReasonField(QWidget):
    """A required short reason with its inline problem line."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = named(QLineEdit(self), "Reason for abandoning")
        self.edit.setPlaceholderText(REASON_PLACEHOLDER)
        self.edit.setMaxLength(200)
        self.error = MessageLabel("Reason problem", self, wrap=True)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow("Reason", self.edit)
        layout.addRow("", self.error)


class AbandonVisitDialog(QDialog):
    """Abandon one unfinished visit: asks why (the reason is kept with the visit)."""

    reason_given = Signal(str)  # the reason typed; the dialog stays open until closed

    def __init__(self, patient_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Abandon visit")
        named(self, "Abandon visit?", "abandon_confirm")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        text = QLabel(
            f"Abandon <b>{escape(patient_name)}</b>'s unfinished visit? The code stops working; "
            "what was saved is kept.",
            self,
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.reason = _ReasonField(self)
        layout.addWidget(self.reason)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = named(QPushButton("Keep the visit", self), "Keep the visit")
        self.cancel_button.setDefault(True)
        self.abandon_button = named(QPushButton("Abandon visit", self), "Confirm abandon")
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.abandon_button)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(self.reject)
        self.abandon_button.clicked.connect(self._on_abandon_button_clicked)

    def text(self) -> str:
        return " ".join(w.text() for w in self.findChildren(QLabel) if w.text())

    def show_reason_error(self, text: str) -> None:
        self.reason.error.show_error(text)

    @Slot()
    def _on_abandon_button_clicked(self) -> None:
        self.reason.error.clear_message()
        self.reason_given.emit(self.reason.edit.text())


class OpenVisitDialog(QDialog):
    """The patient already has an unfinished visit: carry on with it, or abandon it and start
    again. Neither happens silently; closing the dialog does nothing."""

    resume_chosen = Signal()  # carry on with the open visit: a new code for it
    restart_chosen = Signal(str)  # abandon it (the reason) and start a new visit

    def __init__(
        self,
        patient_name: str,
        started: str,
        where: str,
        resumable: bool,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("Unfinished visit")
        named(self, "Unfinished visit", "open_visit_dialog")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.intro = intro = named(
            QLabel(
                f"<b>{escape(patient_name)}</b> already has an unfinished visit, started "
                f"{escape(started)}{' — ' + escape(where) if where else ''}. "
                "A second visit would leave two codes that both work.",
                self,
            ),
            "Open visit",
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.resume_button = named(
            QPushButton("Carry on with this visit (new code)", self), "Carry on with the visit"
        )
        primary(self.resume_button)
        layout.addWidget(self.resume_button)
        self.resume_note = named(QLabel("", self), "Carry on note")
        self.resume_note.setObjectName("muted")
        self.resume_note.setWordWrap(True)
        if resumable:
            self.resume_note.setText(
                "The patient continues where they stopped; the old code stops working."
            )
        else:
            self.resume_button.setEnabled(False)
            self.resume_note.setText(
                "It was started on an earlier day, and a visit is dated the day it starts: "
                "abandon it and start a new one."
            )
        layout.addWidget(self.resume_note)

        self.reason = _ReasonField(self)
        layout.addWidget(self.reason)
        buttons = QHBoxLayout()
        self.restart_button = named(
            QPushButton("Abandon it and start a new visit", self), "Abandon and start new"
        )
        self.cancel_button = named(QPushButton("Cancel", self), "Cancel")
        buttons.addWidget(self.restart_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.message = MessageLabel("Open visit message", self)
        layout.addWidget(self.message)

        self.resume_button.clicked.connect(self._on_resume_button_clicked)
        self.restart_button.clicked.connect(self._on_restart_button_clicked)
        self.cancel_button.clicked.connect(self.reject)

    def show_reason_error(self, text: str) -> None:
        self.reason.error.show_error(text)

    @Slot()
    def _on_resume_button_clicked(self) -> None:
        self.message.clear_message()
        self.resume_chosen.emit()

    @Slot()
    def _on_restart_button_clicked(self) -> None:
        self.reason.error.clear_message()
        self.message.clear_message()
        self.restart_chosen.emit(self.reason.edit.text())
