"""Release a visit paused by a positive mood screen: the releasing person writes a short note."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.services.alerts import NOTE_MAX, AlertService
from intake.services.context import Actor
from intake.services.errors import InvalidInput, ServiceError
from intake.ui.common import describe_error, named, primary, problem_text, words
from intake.ui.shell_words import message_of


def release_role_words(role: str) -> str:
    """A staff role as it stands inside the "Released as" sentence; an unknown one as stored."""
    key = f"shell.release_role_{role}"
    return words(key) if i18n.has(key) else role.replace("_", " ")


class AlertReleaseDialog(QDialog):
    """Asks for the note; releasing stores who, when, where and the note with the visit.

    ``released(ReleaseInfo)`` once stored; the dialog then closes itself. A refusal (the wrong
    role, a note missing or too long) stays on the dialog, and nothing is saved.

    At a station signed in by someone the clinic does not let release it (the front desk), the
    dialog asks for the releasing clinician's own username and PIN: the release is theirs.
    """

    released = Signal(object)  # ReleaseInfo

    def __init__(
        self,
        service: AlertService,
        actor: Actor,
        visit_id: str,
        patient_name: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._service = service
        self._actor = actor
        self.visit_id = visit_id
        self.setWindowTitle(words("shell.release_title"))
        named(self, words("shell.release_title"), "release_dialog")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        # Wrapped texts (and a refusal shown later) get the height they need at this width.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        intro = QLabel(
            words("shell.release_intro_named", name=escape(patient_name))
            if patient_name
            else words("shell.release_intro"),
            self,
        )
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setWordWrap(True)
        intro.setMinimumWidth(500)
        named(intro, words("shell.release_intro_name"), "what_the_release_is_for")
        layout.addWidget(intro)
        label = QLabel(words("shell.release_note_label"), self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.note = named(QPlainTextEdit(self), words("shell.release_note"), "release_note")
        self.note.setPlaceholderText(words("shell.release_note_hint"))
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(84)
        label.setBuddy(self.note)
        layout.addWidget(self.note)
        self.count = named(
            QLabel(words("shell.release_count", length=0, max=NOTE_MAX), self),
            words("shell.release_note_length"),
            "note_length",
        )
        self.count.setObjectName("muted")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.count)
        self.refusal = service.refusal(actor)
        self.username: QLineEdit | None = None
        self.secret: QLineEdit | None = None
        if self.refusal:
            who = QLabel(words("shell.release_colleague"), self)
            who.setWordWrap(True)
            who.setMinimumWidth(500)
            layout.addWidget(who)
            fields = QFormLayout()
            self.username = named(
                QLineEdit(self),
                words("shell.release_username_name"),
                "releasing_clinician's_username",
            )
            self.secret = named(
                QLineEdit(self), words("shell.release_secret_name"), "releasing_clinician's_pin"
            )
            self.secret.setEchoMode(QLineEdit.EchoMode.Password)
            fields.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            fields.addRow(words("shell.release_username"), self.username)
            fields.addRow(words("shell.release_secret"), self.secret)
            layout.addLayout(fields)
            by = words("shell.release_by_colleague")
        else:
            by = words(
                "shell.release_by_self", name=actor.name, role=release_role_words(actor.role)
            )
        signed = QLabel(by, self)
        signed.setObjectName("muted")
        signed.setWordWrap(True)
        signed.setMinimumWidth(500)
        layout.addWidget(signed)
        self.message = message_of(words("shell.release_box"), "release_message", self)
        self.message.setMinimumWidth(500)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.release_button = named(
            QPushButton(words("shell.release"), self), words("shell.release"), "release_the_visit"
        )
        primary(self.release_button)
        self.cancel_button = named(
            QPushButton(words("shell.release_cancel"), self),
            words("shell.release_cancel_name"),
            "cancel_release",
        )
        self.release_button.clicked.connect(self._on_release_button_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self.note.textChanged.connect(self._on_note_text_changed)
        for box in (self.username, self.secret):
            if box is not None:
                box.textChanged.connect(self._on_credentials_changed)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.release_button)
        layout.addLayout(buttons)
        self.note.setFocus()

    @Slot()
    def _on_note_text_changed(self) -> None:
        if self.message.kind == "error":
            self.message.clear_message()
        length = len(" ".join(self.note.toPlainText().split()))
        self.count.setText(words("shell.release_count", length=length, max=NOTE_MAX))
        self.count.setStyleSheet("color:#b3261e;" if length > NOTE_MAX else "")

    @Slot()
    def _on_credentials_changed(self) -> None:
        if self.message.kind == "error":
            self.message.clear_message()

    @Slot()
    def _on_release_button_clicked(self) -> None:
        self.message.clear_message()
        try:
            if self.username is not None and self.secret is not None:
                info = self._service.release_by_colleague(
                    self._actor,
                    self.username.text(),
                    self.secret.text(),
                    self.visit_id,
                    self.note.toPlainText(),
                )
            else:
                info = self._service.release(self._actor, self.visit_id, self.note.toPlainText())
        except InvalidInput as exc:
            if self.secret is not None and "secret" in exc.errors:
                self.secret.clear()
                self.secret.setFocus()
            self.message.show_error(" ".join(problem_text(t) for t in exc.errors.values()))
            return
        except ServiceError as exc:
            self.message.show_error(exc)
            return
        except OSError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.released.emit(info)
        self.accept()
