"""The signing and documents screens' words (``signing.<key>`` in the message catalogue), and
their inline messages named in the staff screens' language with objectNames that stay English."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from intake import i18n
from intake.ui.common import MessageLabel, words


def said(key: str, **args: object) -> str:
    """The text of ``signing.<key>`` in the staff screens' language."""
    return words(f"signing.{key}", **args)


def said_or(key: str, fallback: str, **args: object) -> str:
    """``signing.<key>`` when the catalogue has it, else ``fallback`` (a value the program does
    not know yet, such as a new kind of document, shown as stored)."""
    return said(key, **args) if i18n.has(f"signing.{key}") else fallback


def problem_label(subject: str, object_name: str, parent: QWidget | None = None) -> MessageLabel:
    """A field's inline problem, named "<subject> problem" (``signing.<subject>``)."""
    label = MessageLabel(words("staff.problem_of", name=said(subject)), parent)
    label.setObjectName(object_name)
    return label


def message_label(subject: str, object_name: str, parent: QWidget | None = None) -> MessageLabel:
    """A box's inline message, named "<subject> message" (``signing.<subject>``)."""
    label = MessageLabel(words("staff.message_of", name=said(subject)), parent)
    label.setObjectName(object_name)
    return label


def kind_title(kind: str) -> str:
    """A kind of document as the staff screens name it ("Consent", "Education packet")."""
    return said_or(f"kind_{kind}", kind)
