"""Roles Qt's own accessibility interfaces do not give: a page title is a heading, the kiosk
window a window (not a client area, which AT-SPI calls a filler), the signature pad a picture
one can sign from the keyboard.

Qt asks the factory installed here for the interface of any object first; it answers for the
few widgets it knows and leaves every other to Qt.
"""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAccessibleWidget, QLabel, QWidget

# A widget with this dynamic property (a QAccessible.Role) reports that role.
ROLE_PROPERTY = "accessible_role"
# The pad's accessible action: what a screen reader or switch user chooses to sign.
SIGN_ACTION = "sign_typed"
# The widget property holding that action's name in the patient's language.
SIGN_ACTION_NAME = "sign_action_name"


class HeadingLabel(QLabel):
    """A page's title: drawn as any label, reported as a heading."""


class _HeadingInterface(QAccessibleWidget):
    def __init__(self, label: HeadingLabel):
        super().__init__(label, QAccessible.Role.Heading)

    def text(self, kind: QAccessible.Text) -> str:
        widget = self.widget()
        if kind == QAccessible.Text.Name and isinstance(widget, QLabel):
            return widget.accessibleName() or widget.text()
        return super().text(kind)


class _RoleInterface(QAccessibleWidget):
    """A plain widget with the role its ``accessible_role`` property names."""

    def __init__(self, widget: QWidget, role: QAccessible.Role):
        super().__init__(widget, role)


class _SignPadInterface(QAccessibleWidget):
    """The signature pad: a graphic, focusable, with one action more: sign with the typed
    name (what the "Type my signature" button beside it does)."""

    def __init__(self, pad: QWidget):
        super().__init__(pad, QAccessible.Role.Graphic)

    def actionNames(self) -> list[str]:
        names = list(super().actionNames())
        if self.widget().isEnabled():
            names.insert(0, SIGN_ACTION)
        return names

    def localizedActionName(self, name: str) -> str:
        if name == SIGN_ACTION:
            return str(self.widget().property(SIGN_ACTION_NAME) or name)
        return super().localizedActionName(name)

    def localizedActionDescription(self, name: str) -> str:
        if name == SIGN_ACTION:
            return self.widget().accessibleDescription()
        return super().localizedActionDescription(name)

    def keyBindingsForAction(self, name: str) -> list[str]:
        return [] if name == SIGN_ACTION else list(super().keyBindingsForAction(name))

    def doAction(self, name: str) -> None:
        widget = self.widget()
        if name == SIGN_ACTION:
            if widget.isEnabled():
                widget.sign_by_keyboard()  # type: ignore[attr-defined]
            return
        super().doAction(name)


def _factory(_key: str, obj: object) -> QAccessibleInterface | None:
    if isinstance(obj, HeadingLabel):
        return _HeadingInterface(obj)
    if isinstance(obj, QWidget):
        role = obj.property(ROLE_PROPERTY)
        if role == QAccessible.Role.Graphic and hasattr(obj, "sign_by_keyboard"):
            return _SignPadInterface(obj)
        if isinstance(role, QAccessible.Role):
            return _RoleInterface(obj, role)
    return None


def set_role(widget: QWidget, role: QAccessible.Role) -> None:
    """Have ``widget`` report ``role`` (set before anything asks for its interface)."""
    widget.setProperty(ROLE_PROPERTY, role)


_installed = False


def install() -> None:
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True


install()
