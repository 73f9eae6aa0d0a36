"""The kiosk controller's calls (each a database write) run off the GUI thread, one at a time.

A press of Next, Back, Start or "not my date of birth" is refused while a call runs: a second
press during a slow save applies nothing (the buttons are disabled meanwhile anyway). Initials
typed while the previous ones are being saved are queued, in order. The controller is never
used from two threads at once: calls run one after the other, and what the GUI thread reads of
it (the flow, the navigation) it reads only while no call runs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from intake.ui.operations import Operation

Work = Callable[[], Any]
Done = Callable[[Any], None]


class ControllerCalls(QObject):
    """Runs ``work()`` on a worker thread and hands its result to ``done`` on the GUI thread.

    ``busy_changed(True)`` when the first call starts, ``(False)`` once the last result has been
    drawn and nothing is queued. A ``ServiceError`` or environment error goes to ``failed``
    (the window says so on the page); our own bugs go to the handler of uncaught exceptions,
    as the operations helper does everywhere.
    """

    busy_changed = Signal(bool)
    failed = Signal(object)  # the exception

    def __init__(self, parent: QObject, lock: AbstractContextManager[Any]):
        super().__init__(parent)
        # The controller's own lock: a call cancelled before its thread got to it does nothing,
        # decided under the lock the screen's clearing takes too (``KioskController.reset``).
        self._lock = lock
        self._generation = 0
        self._op = Operation(self, "kiosk step", on_failure=self.failed.emit)
        self._op.busy_changed.connect(self._on_op_busy_changed)
        self._queue: deque[tuple[Work, Done]] = deque()
        self._busy = False

    @property
    def busy(self) -> bool:
        return self._busy

    def run(self, work: Work, done: Done) -> bool:
        """A press: started now, or refused (False) while another call runs or waits."""
        if self._busy:
            return False
        self._start(work, done)
        return True

    def queue(self, work: Work, done: Done) -> None:
        """Started now, or after the calls before it (nothing typed is dropped)."""
        if self._busy:
            self._queue.append((work, done))
        else:
            self._start(work, done)

    def cancel(self) -> None:
        """The screen is clearing: nothing queued starts, the running call's result is dropped."""
        self._queue.clear()
        self._generation += 1
        self._op.cancel()

    def _start(self, work: Work, done: Done) -> None:
        if not self._busy:
            self._busy = True
            self.busy_changed.emit(True)
        self._op.run(self._unless_cancelled(work), on_success=done)

    def _unless_cancelled(self, work: Work) -> Work:
        generation = self._generation

        def call() -> Any:
            with self._lock:
                if generation != self._generation:
                    return None  # the screen cleared first: this patient is gone
                return work()

        return call

    def _on_op_busy_changed(self, running: bool) -> None:
        if not running:
            # The operation says it is free before it hands over the result: the next call
            # starts (or the kiosk says it is free) once that result has been drawn.
            QTimer.singleShot(0, self, self._on_call_settled)

    def _on_call_settled(self) -> None:
        if self._op.busy:
            return
        if self._queue:
            work, done = self._queue.popleft()
            self._op.run(self._unless_cancelled(work), on_success=done)
            return
        if self._busy:
            self._busy = False
            self.busy_changed.emit(False)
