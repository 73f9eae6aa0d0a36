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

from intake.ui.common import named, primary, words
from intake.ui.staff.desk_text import fit_to_text, message_line


class _ReasonField(QWidget):
    """A required short reason with its inline problem line."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = named(
            QLineEdit(self), words("desk.abandon_reason_name"), "reason_for_abandoning"
        )
        self.edit.setPlaceholderText(words("desk.abandon_reason_hint"))
        self.edit.setMaxLength(200)
        self.error = message_line(words("desk.reason_problem"), "reason_problem", self, wrap=True)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(words("desk.reason"), self.edit)
        layout.addRow("", self.error)


class AbandonVisitDialog(QDialog):
    """Abandon one unfinished visit: asks why (the reason is kept with the visit)."""

    reason_given = Signal(str)  # the reason typed; the dialog stays open until closed

    def __init__(self, patient_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(words("desk.abandon_title"))
        named(self, words("desk.abandon_name"), "abandon_confirm")
        layout = QVBoxLayout(self)
        fit_to_text(layout, 480)
        text = QLabel(words("desk.abandon_text", name=escape(patient_name)), self)
        text.setWordWrap(True)
        layout.addWidget(text)
        self.reason = _ReasonField(self)
        layout.addWidget(self.reason)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = named(
            QPushButton(words("desk.keep_visit"), self), words("desk.keep_visit"), "keep_the_visit"
        )
        self.cancel_button.setDefault(True)
        self.abandon_button = named(
            QPushButton(words("desk.abandon_visit"), self),
            words("desk.abandon_confirm_name"),
            "confirm_abandon",
        )
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

    def __init__(self, intro: str, resumable: bool, parent: QWidget | None = None):
        """``intro`` says whose visit it is, when it started and where it is (rich text)."""
        super().__init__(parent)
        self.setWindowTitle(words("desk.open_title"))
        named(self, words("desk.open_title"), "open_visit_dialog")
        layout = QVBoxLayout(self)
        fit_to_text(layout, 520)
        layout.setSpacing(10)
        self.intro = named(QLabel(intro, self), words("desk.open_intro_name"), "open_visit")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)

        self.resume_button = named(
            QPushButton(words("desk.carry_on"), self),
            words("desk.carry_on_name"),
            "carry_on_with_the_visit",
        )
        primary(self.resume_button)
        layout.addWidget(self.resume_button)
        self.resume_note = named(
            QLabel("", self), words("desk.carry_on_note_name"), "carry_on_note"
        )
        self.resume_note.setObjectName("muted")
        self.resume_note.setWordWrap(True)
        if resumable:
            self.resume_note.setText(words("desk.carry_on_note"))
        else:
            self.resume_button.setEnabled(False)
            self.resume_note.setText(words("desk.carry_on_earlier"))
        layout.addWidget(self.resume_note)

        self.reason = _ReasonField(self)
        layout.addWidget(self.reason)
        buttons = QHBoxLayout()
        self.restart_button = named(
            QPushButton(words("desk.restart"), self),
            words("desk.restart_name"),
            "abandon_and_start_new",
        )
        self.cancel_button = named(
            QPushButton(words("desk.cancel"), self), words("desk.cancel"), "cancel"
        )
        buttons.addWidget(self.restart_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.message = message_line(words("desk.open_message"), "open_visit_message", self)
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
