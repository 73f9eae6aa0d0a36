"""Idle protection: after a quiet spell, ask "Are you still there?", then clear the screen."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake.ui.kiosk.base import announce, make_label
from intake.ui.kiosk.text import t

if TYPE_CHECKING:
    from intake.ui.kiosk.base import KioskPage

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseMove,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.InputMethod,
    }
)


class IdleWatcher(QObject):
    """Watches every input event of the application; says when the person seems to have gone.

    ``warning_started`` after ``timeout_ms`` without input, then ``countdown_ticked(seconds left)``
    and, ``warning_ms`` later, ``idle_timed_out``. Any input during the warning emits
    ``activity_resumed`` and starts again.
    """

    warning_started = Signal(int)
    countdown_ticked = Signal(int)
    activity_resumed = Signal()
    idle_timed_out = Signal()

    def __init__(self, timeout_ms: int, warning_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self.warning_ms = warning_ms
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self._on_idle_timeout)
        self._expiry = QTimer(self)
        self._expiry.setSingleShot(True)
        self._expiry.timeout.connect(self._on_expiry_timeout)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._clock = QElapsedTimer()
        self._enabled = False
        self._installed = False

    @property
    def warning(self) -> bool:
        return self._expiry.isActive()

    @property
    def watching(self) -> bool:
        """Counting down to a warning (or warning): quiet will clear the screen."""
        return self._enabled and (self._idle.isActive() or self.warning)

    def set_timeouts(self, timeout_ms: int, warning_ms: int) -> None:
        self.timeout_ms, self.warning_ms = timeout_ms, warning_ms
        if self._enabled and not self.warning:
            self._idle.start(self.timeout_ms)

    def install(self) -> None:
        """Put the filter in place without watching yet.

        The first time an object of a new Qt class passes through a Python event filter,
        PySide builds that class's Python type and enums: ~70 ms for a question page's widgets.
        Installed while Welcome waits, that happens on the pages drawn unseen, not the patient's.
        """
        if not self._installed:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
                self._installed = True

    def set_enabled(self, enabled: bool) -> None:
        """Watch only while there is something to protect (a visit, or typing on Welcome)."""
        if enabled:
            self.install()
        self._enabled = enabled
        if enabled:
            if not self.warning:
                self._idle.start(self.timeout_ms)
        else:
            self._stop_all()

    def stop(self) -> None:
        self.set_enabled(False)
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def poke(self) -> None:
        """Count as activity (the "I'm still here" button, or a page change)."""
        if not self._enabled:
            return
        was_warning = self.warning
        self._stop_all()
        self._idle.start(self.timeout_ms)
        if was_warning:
            self.activity_resumed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._enabled and event.type() in INPUT_EVENTS:
            if self.warning:
                self.poke()
            elif not self._idle.isActive() or self._idle.remainingTime() < self.timeout_ms - 50:
                self._idle.start(self.timeout_ms)
        return False

    def _stop_all(self) -> None:
        self._idle.stop()
        self._expiry.stop()
        self._tick.stop()

    def _seconds_left(self) -> int:
        return max(0, math.ceil((self.warning_ms - self._clock.elapsed()) / 1000))

    def _on_idle_timeout(self) -> None:
        if not self._enabled:
            return
        self._clock.start()
        self._expiry.start(self.warning_ms)
        self._tick.start(min(250, max(20, self.warning_ms // 4)))
        self.warning_started.emit(self._seconds_left())

    def _on_tick_timeout(self) -> None:
        self.countdown_ticked.emit(self._seconds_left())

    def _on_expiry_timeout(self) -> None:
        self._stop_all()
        self.idle_timed_out.emit()


class IdleOverlay(QWidget):
    """'Are you still there?' over the whole window, with a countdown and a big button."""

    still_here_clicked = Signal()

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("IdleOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.panel = QFrame(self)
        self.panel.setObjectName("IdlePanel")
        self.panel.setMaximumWidth(760)
        box = QVBoxLayout(self.panel)
        box.setContentsMargins(36, 32, 36, 32)
        box.setSpacing(20)
        self.title = make_label("", "title", self.panel)
        self.body = make_label("", "lead", self.panel)
        self.body.setObjectName("idle_countdown")
        self.button = QPushButton(self.panel)
        self.button.setObjectName("idle_still_here")
        self.button.setProperty("role", "primary")
        self.button.setMinimumHeight(72)
        self.button.clicked.connect(self.still_here_clicked)
        box.addWidget(self.title)
        box.addWidget(self.body)
        box.addWidget(self.button)
        row.addWidget(self.panel, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        self.lang = "en"
        self.seconds = 0
        self._behind: list[QWidget] = []
        self.hide()

    def show_countdown(self, lang: str, seconds: int) -> None:
        self.lang = lang
        self.title.setText(t("idle_title", lang))
        self.button.setText(t("still_here", lang))
        self.button.setAccessibleName(t("still_here", lang))
        self.set_seconds(seconds)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
            # Modal: nothing behind it can be operated, by touch, keys or assistive technology,
            # until the patient answers (any input still counts as activity and ends it).
            self._behind = [
                w
                for w in parent.findChildren(
                    QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
                )
                if w is not self and w.isEnabled()
            ]
            for w in self._behind:
                w.setEnabled(False)
        self.setAccessibleName(self.title.text())
        self.raise_()
        self.show()
        self.button.setFocus()
        # Said at once, title and countdown: the patient may not be looking at the screen.
        announce(self.panel, f"{self.title.text()} {self.body.text()}")

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        for w in self._behind:
            w.setEnabled(True)
        self._behind = []
        super().hideEvent(event)

    def set_seconds(self, seconds: int) -> None:
        self.seconds = seconds
        self.body.setText(t("idle_body", self.lang, n=seconds))
        self.body.setAccessibleName(self.body.text())
        self.setAccessibleDescription(self.body.text())


class IdleGuard(QObject):
    """The window's side of idle protection: the cover drawn over ``window`` while the watcher
    counts down, "I'm still here", and ``timed_out`` when nobody answered."""

    timed_out = Signal()

    def __init__(
        self,
        window: QWidget,
        watcher: IdleWatcher,
        lang: Callable[[], str],
        page: Callable[[], KioskPage | None],
    ):
        super().__init__(window)
        self._window = window
        self._watcher = watcher
        self._lang = lang
        self._page = page
        self._overlay: IdleOverlay | None = None  # made when first needed
        watcher.warning_started.connect(self._on_watcher_warning_started)
        watcher.countdown_ticked.connect(self._on_watcher_countdown_ticked)
        watcher.activity_resumed.connect(self._on_watcher_activity_resumed)
        watcher.idle_timed_out.connect(self.timed_out)

    @property
    def overlay(self) -> IdleOverlay:
        if self._overlay is None:
            self._overlay = IdleOverlay(self._window)
            self._overlay.setGeometry(self._window.rect())
            self._overlay.still_here_clicked.connect(self._on_overlay_still_here_clicked)
        return self._overlay

    def hide(self) -> None:
        if self._overlay is not None:
            self._overlay.hide()

    def fit(self) -> None:
        if self._overlay is not None:
            self._overlay.setGeometry(self._window.rect())

    def _on_watcher_warning_started(self, seconds: int) -> None:
        self.overlay.show_countdown(self._lang(), seconds)

    def _on_watcher_countdown_ticked(self, seconds: int) -> None:
        self.overlay.set_seconds(seconds)

    def _on_watcher_activity_resumed(self) -> None:
        self.hide()

    def _on_overlay_still_here_clicked(self) -> None:
        self._watcher.poke()
        self.overlay.hide()
        page = self._page()
        if page is not None:
            page.focus_first()
