"""Small pieces the staff shell's screens share: roles, inline messages and message boxes worded by
the catalogue (area ``shell``), with object names that stay the same in every language."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from intake import i18n
from intake.ui.common import MessageLabel, words


def role_words(role: str) -> str:
    """A staff role as a title ("Front desk"); an unknown one as stored."""
    key = f"shell.role_{role}"
    return words(key) if i18n.has(key) else role


def message_of(box: str, object_name: str, parent: QWidget | None = None) -> MessageLabel:
    """The inline message of a box (``box``: the box's name from the catalogue)."""
    label = MessageLabel(words("staff.message_of", name=box), parent)
    label.setObjectName(object_name)
    return label


def problem_of(field: str, object_name: str, parent: QWidget | None = None) -> MessageLabel:
    """The inline problem of a field (``field``: the field's name from the catalogue)."""
    label = MessageLabel(words("staff.problem_of", name=field), parent)
    label.setObjectName(object_name)
    return label


def warning_box(title: str, text: str, parent: QWidget | None) -> QMessageBox:
    """A non-modal warning with one OK button, deleted once closed."""
    return message_box(QMessageBox.Icon.Warning, title, text, parent)


def message_box(
    icon: QMessageBox.Icon, title: str, text: str, parent: QWidget | None
) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName(title)
    ok = box.button(QMessageBox.StandardButton.Ok)
    ok.setText(words("shell.ok"))
    ok.setAccessibleName(words("shell.ok"))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


class NarrowingLabel(QLabel):
    """A label on one line where there is room, wrapped onto more where there is not (a plain
    word-wrapped label asks for less than one line's width, so it wraps even with room)."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        one_line = (
            self.fontMetrics().horizontalAdvance(self.text())
            + margins.left()
            + margins.right()
            + 2 * self.margin()
            + 2
        )
        return QSize(max(hint.width(), one_line), hint.height())
