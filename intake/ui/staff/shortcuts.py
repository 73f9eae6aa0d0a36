"""Keyboard shortcuts for the frequent actions, as menu actions that press the screen's buttons.

An action stands for one button: it is enabled exactly when that button could be pressed
(enabled, and on screen in the staff window), pressing it clicks the button (so the same code
runs), and the button's tooltip and accessible description name the shortcut. While a modal
dialog is open nothing behind it fires.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from intake.ui.common import words

Keys = QKeySequence | QKeySequence.StandardKey | str


def key_sequence(keys: Keys) -> list[QKeySequence]:
    if isinstance(keys, QKeySequence.StandardKey):
        return QKeySequence.keyBindings(keys)
    return [keys if isinstance(keys, QKeySequence) else QKeySequence(keys)]


def shortcut_text(action: QAction) -> str:
    """The shortcut as the platform writes it ("Ctrl+N"; "⌘N" on a Mac)."""
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def modal_open() -> bool:
    return QApplication.activeModalWidget() is not None


class StaffAction(QAction):
    """A menu action with a shortcut, for the staff window (``scope``); not behind a dialog."""

    def __init__(
        self,
        text: str,
        keys: Keys | None,
        scope: QWidget,
        on_run: Callable[[], object] | None = None,
    ):
        super().__init__(text, scope)
        self.scope = scope
        self._on_run = on_run
        if keys is not None:
            self.setShortcuts(key_sequence(keys))
        self.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        scope.addAction(self)
        self.triggered.connect(self._on_triggered)

    def available(self) -> bool:
        return True

    def sync(self) -> None:
        self.setEnabled(self.available())

    @Slot()
    def _on_triggered(self) -> None:
        # A shortcut typed while a dialog is open is the dialog's business, not the window's.
        if modal_open() or not self.available():
            return
        self.run()

    def run(self) -> None:
        if self._on_run is not None:
            self._on_run()


class ButtonAction(StaffAction):
    """Presses ``button``; enabled when the button is enabled and shown in the staff window."""

    def __init__(self, text: str, keys: Keys | None, button: QAbstractButton, scope: QWidget):
        super().__init__(text, keys, scope)
        self.button = button
        self._tip_set = ""  # the tooltip this action last gave the button
        self.setObjectName(f"{button.objectName()}_action")
        button.installEventFilter(self)
        if keys is not None:
            button.setAccessibleDescription(words("shell.shortcut", keys=shortcut_text(self)))
            self._name_shortcut_in_tooltip()
        self.sync()

    def available(self) -> bool:
        return self.button.isEnabled() and self.button.isVisibleTo(self.scope)

    def run(self) -> None:
        self.button.click()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # While a window is torn down the button may still send events after this action's Python
        # side is gone; such an event is nobody's business.
        if watched is getattr(self, "button", None):
            kind = event.type()
            if kind in (
                QEvent.Type.EnabledChange,
                QEvent.Type.Show,
                QEvent.Type.Hide,
                QEvent.Type.ShowToParent,
                QEvent.Type.HideToParent,
            ):
                self.sync()
            elif kind == QEvent.Type.ToolTipChange and not self.shortcut().isEmpty():
                self._name_shortcut_in_tooltip()
        return False

    def _name_shortcut_in_tooltip(self) -> None:
        """Whatever the screen says in the tooltip, followed by the shortcut."""
        tip = self.button.toolTip()
        if tip and tip == self._tip_set:
            return
        if not tip:
            tip = self.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            tip = tip.rstrip("…")
        self._tip_set = words("shell.shortcut_tip", tip=tip, keys=shortcut_text(self))
        self.button.setToolTip(self._tip_set)
