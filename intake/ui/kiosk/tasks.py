"""Run slow work (documents, sign-in, start-up) off the GUI thread; results come back on it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal


class _Relay(QObject):
    finished = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay):
        super().__init__()
        self._work = work
        self._relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # handed to the GUI thread, which decides what to say
            self._emit(self._relay.failed, exc)
        else:
            self._emit(self._relay.finished, result)

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        # RuntimeError: the window that asked has gone (cleared or closed); nobody is waiting.
        with contextlib.suppress(RuntimeError):
            signal.emit(value)


def run_in_background(
    owner: QObject,
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
) -> None:
    """Call ``work()`` on the thread pool; ``on_done``/``on_error`` run later on ``owner``'s thread.

    If ``owner`` is deleted first, the result is dropped.
    """
    relay = _Relay(owner)
    queued = Qt.ConnectionType.QueuedConnection
    relay.finished.connect(on_done, queued)
    relay.failed.connect(on_error, queued)
    relay.finished.connect(relay.deleteLater, queued)
    relay.failed.connect(relay.deleteLater, queued)
    QThreadPool.globalInstance().start(_Task(work, relay))


def wait_for_background(timeout_ms: int = 30_000) -> bool:
    """Tests and shutdown: wait until no background work is running."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
