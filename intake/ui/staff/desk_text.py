"""The front desk's words that several of its screens share: a detail's problem by its code, a
message line whose objectName stays the same in every language."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from intake import i18n
from intake.domain.errors import Coded
from intake.ui.common import MessageLabel, words


def problem_text(text: str) -> str:
    """A problem with a detail typed, in the staff screens' words by its code (``desk.error_<code>``);
    a text without a code the catalogue knows is shown as the service gave it."""
    if isinstance(text, Coded) and i18n.has(f"desk.error_{text.code}"):
        return words(f"desk.error_{text.code}", **text.params)
    return str(text)


def message_line(
    name: str, object_name: str, parent: QWidget | None = None, *, wrap: bool = True
) -> MessageLabel:
    """An inline message named ``name``, found by ``object_name`` in every language."""
    label = MessageLabel(name, parent, wrap=wrap)
    label.setObjectName(object_name)
    return label
