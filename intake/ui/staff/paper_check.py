"""Check a printed copy: type its document id or fingerprint, or scan its QR code.

A handheld scanner types what it reads and presses Enter, so the line edit checks on Enter.
The answer is the one ``main.py verify --id`` prints (``describe_check``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake.services.context import Actor, AppContext
from intake.services.documents import DocumentService, PaperCheck, describe_check
from intake.ui.common import MessageLabel, named, primary
from intake.ui.operations import Operation


class PaperCheckWidget(QWidget):
    """A line edit for the id, fingerprint or QR text, and what the stored record says."""

    checked = Signal(object)  # PaperCheck

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Check a printed copy", "paper_check")
        self._ctx, self._actor = ctx, actor
        self.tasks = Operation(self, "paper check")
        intro = QLabel(
            "Type the document id or the fingerprint printed at the foot of a page, or scan"
            " the page's QR code.",
            self,
        )
        intro.setWordWrap(True)
        self.entry = named(QLineEdit(self), "Printed copy id, fingerprint or QR code")
        self.entry.setPlaceholderText("document id, fingerprint or scan the QR code")
        self.entry.setMaxLength(200)
        self.check_button = primary(named(QPushButton("Check", self), "Check printed copy"))
        self.check_button.setAutoDefault(False)  # Enter is the line edit's: one check a scan
        self.message = MessageLabel("Printed copy check result", self)
        self.details = named(QLabel(self), "Printed copy details")
        self.details.setWordWrap(True)
        self.details.hide()
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.details)
        layout.addStretch(1)
        self.entry.returnPressed.connect(self._on_entry_return_pressed)
        self.check_button.clicked.connect(self._on_check_button_clicked)

    @Slot()
    def _on_entry_return_pressed(self) -> None:
        self.check()

    @Slot()
    def _on_check_button_clicked(self) -> None:
        self.check()

    def check(self) -> None:
        text = self.entry.text()
        if not text.strip():
            self.message.show_message("Type or scan something to check first.", "warning")
            return
        self.check_button.setEnabled(False)
        service = DocumentService(self._ctx)
        self.tasks.run(
            lambda: service.check_printed(self._actor, text), self._on_done, self._on_failed
        )

    def _on_done(self, result: PaperCheck) -> None:
        self.check_button.setEnabled(True)
        lines = describe_check(result, self._ctx.forms.clinic.timezone)
        if result.found:
            self.message.show_message(lines[0], "info" if result.current else "warning")
        else:
            self.message.show_message(lines[0], "error" if result.recognised else "warning")
        self.details.setText("\n".join(lines[1:]))
        self.details.setVisible(len(lines) > 1)
        # Ready for the next scan: the scanner's text replaces this one.
        self.entry.selectAll()
        self.checked.emit(result)

    def _on_failed(self, exc: BaseException) -> None:
        self.check_button.setEnabled(True)
        self.details.hide()
        self.message.show_error(exc)

    def clear(self) -> None:
        self.entry.clear()
        self.details.clear()
        self.details.hide()
        self.message.clear_message()


class PaperCheckDialog(QDialog):
    """The check in a window of its own, opened from the staff workspace."""

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Check a printed copy", "paper_check_dialog")
        self.setWindowTitle("Check a printed copy")
        self.widget = PaperCheckWidget(ctx, actor, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        named(close, "Close printed copy check")
        close.setAutoDefault(False)  # Enter from the scanner checks, it never closes
        close.setDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.widget)
        layout.addWidget(buttons)
        self.resize(560, 320)

    def done(self, result: int) -> None:  # noqa: D102 - Qt's name
        self.widget.clear()  # no record number left on screen once it is closed
        super().done(result)
