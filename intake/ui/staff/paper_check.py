"""Check a printed copy: type its document id or fingerprint, or scan its QR code.

A handheld scanner types what it reads and presses Enter, so the line edit checks on Enter.
The answer is the one ``main.py verify --id`` prints (``describe_check``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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

from intake.domain.errors import Coded
from intake.services.context import Actor, AppContext
from intake.services.documents import DocumentService, PaperCheck
from intake.ui.common import Clock, MessageLabel, coded_words, named, primary
from intake.ui.operations import Operation
from intake.ui.staff.signing_words import said, said_or


def _kind(value: Any) -> str:
    return said_or(f"paper_kind_{value}", str(value))


def verdict_text(check: PaperCheck) -> str:
    """The service's verdict (``PaperCheck.reason``) worded by its code, the document's kind
    in the staff screens' words too."""
    reason = check.reason
    if not isinstance(reason, Coded) or not reason.code:
        return reason
    params = dict(reason.params)
    if "kind" in params:
        params["kind"] = _kind(params["kind"])
    return coded_words(reason.code, params, str(reason))


def check_lines(check: PaperCheck, timezone: str) -> list[str]:
    """The answer of a paper check as lines a person reads, in the staff screens' language (what
    ``describe_check`` prints for ``main.py verify``); the first line is the service's verdict."""
    if not check.found or check.document is None:
        return [verdict_text(check)]
    d = check.document
    clock = Clock(timezone)

    def when(moment: dt.datetime) -> str:
        return clock.datetime(moment)[:16]

    lines = [
        verdict_text(check),
        said("paper_record", record=check.record_number, visit=d.visit_id),
        said("paper_issue", kind=_kind(d.kind), issue=d.issue, when=when(d.created_at), id=d.id),
    ]
    later = check.superseded_by
    if check.current:
        lines.append(said("paper_current"))
    elif later is not None:
        lines.append(
            said("paper_superseded", issue=later.issue, id=later.id, when=when(later.created_at))
        )
    for sig in check.signatures:
        code = str(getattr(sig.role, "value", sig.role))
        role = said_or(f"role_{code}", code)
        if sig.name:
            lines.append(
                said("paper_signed_by_named", role=role, name=sig.name, when=when(sig.signed_at))
            )
        else:
            lines.append(said("paper_signed_by", role=role, when=when(sig.signed_at)))
    if not check.signatures:
        lines.append(said("paper_no_signatures"))
    return lines


class PaperCheckWidget(QWidget):
    """A line edit for the id, fingerprint or QR text, and what the stored record says."""

    checked = Signal(object)  # PaperCheck

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, said("paper_title"), "paper_check")
        self._ctx, self._actor = ctx, actor
        self.tasks = Operation(self, "paper check")
        intro = QLabel(said("paper_intro"), self)
        intro.setWordWrap(True)
        self.entry = named(
            QLineEdit(self), said("paper_entry_name"), "printed_copy_id,_fingerprint_or_qr_code"
        )
        self.entry.setPlaceholderText(said("paper_entry_hint"))
        self.entry.setMaxLength(200)
        self.check_button = primary(
            named(
                QPushButton(said("paper_check"), self),
                said("paper_check_name"),
                "check_printed_copy",
            )
        )
        self.check_button.setAutoDefault(False)  # Enter is the line edit's: one check a scan
        self.message = MessageLabel(said("paper_result_name"), self)
        self.message.setObjectName("printed_copy_check_result")
        self.details = named(QLabel(self), said("paper_details_name"), "printed_copy_details")
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
            self.message.show_message(said("paper_empty"), "warning")
            return
        self.check_button.setEnabled(False)
        service = DocumentService(self._ctx)
        self.tasks.run(
            lambda: service.check_printed(self._actor, text), self._on_done, self._on_failed
        )

    def _on_done(self, result: PaperCheck) -> None:
        self.check_button.setEnabled(True)
        lines = check_lines(result, self._ctx.forms.clinic.timezone)
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
        named(self, said("paper_title"), "paper_check_dialog")
        self.setWindowTitle(said("paper_title"))
        self.widget = PaperCheckWidget(ctx, actor, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(said("paper_close"))
        named(close, said("paper_close_name"), "close_printed_copy_check")
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
