"""The front desk's words that several of its screens share: a detail's problem by its code, a
message line whose objectName stays the same in every language."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QDialog, QLayout, QWidget

from intake import i18n
from intake.domain.errors import Coded
from intake.ui.common import MessageLabel, words
from intake.ui.common import problem_text as coded_problem_text


def problem_text(text: str) -> str:
    """A problem with a detail typed, in the staff screens' words by its code (``desk.error_<code>``);
    any other coded problem is worded by the staff screens' fallback by code (never English on
    a station in another language); a text without a code is shown as the service gave it."""
    if isinstance(text, Coded) and i18n.has(f"desk.error_{text.code}"):
        return words(f"desk.error_{text.code}", **text.params)
    return str(coded_problem_text(text))


class DeskMessage(MessageLabel):
    """An inline message; in a dialog, the dialog grows to show it whole (a wrapped text's
    height is not part of a window's minimum size)."""

    def show_message(self, text: str, kind: str = "error") -> None:
        super().show_message(text, kind)
        window = self.window()
        if text and isinstance(window, QDialog):
            hint = window.sizeHint()
            width = max(window.width(), hint.width())
            height = window.heightForWidth(width) if window.hasHeightForWidth() else -1
            window.resize(width, max(window.height(), height, hint.height()))


def message_line(
    name: str, object_name: str, parent: QWidget | None = None, *, wrap: bool = True
) -> MessageLabel:
    """An inline message named ``name``, found by ``object_name`` in every language."""
    label = DeskMessage(name, parent, wrap=wrap)
    label.setObjectName(object_name)
    return label


def fit_to_text(layout: QBoxLayout, width: int) -> None:
    """A dialog at least ``width`` wide that grows to show its texts whole: longer words in
    another language, a message shown later."""
    layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
    layout.addStrut(width)
