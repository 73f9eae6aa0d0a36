"""Service calls that can block (the database, argon2, PDFs, the printer) run off the GUI thread.

A widget makes one ``Operation`` for each kind of call it starts (a board refresh, a search, a
sign-in) and runs calls through it. The call runs on a worker thread; its result or its error
comes back on the GUI thread by signal. While a call runs, the operation is busy: the widgets
it was given are disabled, and a second start is refused (``Reentry.REFUSE``) or replaces the
one waiting, the results of older calls being dropped (``Reentry.LATEST``).

Errors are split in two. A ``ServiceError`` or a fault of the environment (a file or the
network, the database or its driver, the database key) is the person's to know: it goes to the
failure handler, by default as a message. Anything else is our bug: it goes, on the GUI thread,
to the handler of uncaught exceptions, as a slot's would: the application's crash handler
(``intake.ui.app.install_crash_handler``) and, under test, pytest-qt, which fails the test.
"""

from __future__ import annotations

import enum
import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

from intake.services.errors import ServiceError

log = logging.getLogger("intake.ui.operations")

# Raised by SQLAlchemy (or its drivers) where no service translated it, e.g. while the
# database opens; matched by name, since the UI imports no SQL code.
DATABASE_ERRORS = frozenset({"DBAPIError", "OperationalError", "InterfaceError"})
# The installation's own files: the encrypted database's key is missing or wrong
# (intake.store.db), the form files do not load (intake.forms). Matched by name as well: the
# kiosk imports this module before its Welcome page, and these modules cost time to import.
SETUP_ERRORS = frozenset({"DatabaseKeyError", "FormsInvalid"})


# What a service call on the GUI thread may fail with that the person at the screen is told:
# a refusal in the services' words, or the environment (the services already translate the
# database's own errors to StorageUnavailable). For ``except``; anything else is our bug.
KNOWN_ERRORS: tuple[type[Exception], ...] = (ServiceError, OSError)


def is_expected(exc: BaseException) -> bool:
    """A refusal or an environment fault, to be told to the person; False for our own bugs."""
    if isinstance(exc, ServiceError | OSError):
        return True
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & (DATABASE_ERRORS | SETUP_ERRORS))


class Reentry(enum.Enum):
    """What a start does while a call of the same operation is still running."""

    REFUSE = "refuse"  # not started (a second click, a refresh while one runs)
    LATEST = "latest"  # waits for the running one, replacing any waiting; only its result shows


@dataclass
class _Call:
    op: Operation
    number: int
    work: Callable[[], Any]
    on_success: Callable[[Any], None] | None
    on_failure: Callable[[BaseException], None] | None
    ok: bool = False
    value: Any = None
    error: BaseException | None = field(default=None, repr=False)


class _Dispatcher(QObject):
    """Lives on the GUI thread as long as the application: workers hand their calls to it."""

    delivered = Signal(object)  # _Call

    _instance: _Dispatcher | None = None

    @classmethod
    def get(cls) -> _Dispatcher:
        if cls._instance is None or not shiboken6.isValid(cls._instance):
            instance = cls(QCoreApplication.instance())
            instance.delivered.connect(instance._on_delivered)
            cls._instance = instance
        return cls._instance

    @Slot(object)
    def _on_delivered(self, call: _Call) -> None:
        # The widget that asked has gone (the station locked, a dialog closed): nobody waits.
        if shiboken6.isValid(call.op):
            call.op._finish(call)


def _work_on(call: _Call, dispatcher: _Dispatcher) -> None:
    """Runs on a worker thread. A plain function, not a QRunnable subclass: an error's
    traceback keeps this frame alive, and a Python wrapper of a runnable the pool has already
    deleted would be deleted again when the garbage collector frees it."""
    try:
        call.value = call.work()
        call.ok = True
    except BaseException as exc:  # every outcome goes back; the GUI thread sorts them
        call.error = exc
    dispatcher.delivered.emit(call)


_pool: QThreadPool | None = None


def pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(4)
    return _pool


def wait_for_operations(timeout_ms: int = 30_000) -> bool:
    """Shutdown and test teardown: wait until no call runs (their results are not delivered)."""
    return pool().waitForDone(timeout_ms)


class Operation(QObject):
    """One kind of call a widget makes, run off the GUI thread (see the module's docstring).

    ``on_success(result)`` and ``on_failure(exc)`` run on the GUI thread; either may be given
    per call to ``run`` instead. Without a failure handler, ``report`` is given the message
    (``describe_error``). ``disables``: widgets disabled while a call runs (re-enabled after).
    """

    started = Signal()
    busy_changed = Signal(bool)
    succeeded = Signal(object)  # the result
    failed = Signal(object)  # the ServiceError or environment error, after its handler ran
    finished = Signal()  # a call's result or error was handled (not for a dropped result)

    def __init__(
        self,
        parent: QObject,
        name: str,
        *,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        report: Callable[[str], None] | None = None,
        reentry: Reentry = Reentry.REFUSE,
        disables: tuple[QWidget, ...] = (),
    ):
        super().__init__(parent)
        self.setObjectName(name)
        self.name = name
        self._on_success, self._on_failure, self._report = on_success, on_failure, report
        self.reentry = reentry
        self._disables = disables
        self._running: _Call | None = None
        self._waiting: _Call | None = None
        self._numbers = 0
        self._dispatcher = _Dispatcher.get()

    @property
    def busy(self) -> bool:
        return self._running is not None

    def run(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> bool:
        """Start ``work()`` on a worker thread; False when refused (one is already running)."""
        if self._running is not None and self.reentry is Reentry.REFUSE:
            log.debug("%s is running: a second start is refused", self.name)
            return False
        self._numbers += 1
        call = _Call(self, self._numbers, work, on_success, on_failure)
        if self._running is not None:
            self._waiting = call  # any call waiting before is dropped unstarted
            return True
        self._start(call)
        self._set_busy(True)
        return True

    def cancel(self) -> None:
        """Drop what is waiting and the result of what runs (the screen is being cleared)."""
        self._waiting = None
        self._numbers += 1
        if self._running is not None:
            self._running.number = -1  # still finishes on its thread; its result goes nowhere

    def _start(self, call: _Call) -> None:
        self._running = call
        self.started.emit()
        dispatcher = self._dispatcher
        pool().start(lambda: _work_on(call, dispatcher))

    def _set_busy(self, busy: bool) -> None:
        for widget in self._disables:
            if shiboken6.isValid(widget):
                widget.setEnabled(not busy)
        self.busy_changed.emit(busy)

    def _finish(self, call: _Call) -> None:
        if call is not self._running:
            return
        self._running = None
        # Taken out of the call: an error's traceback holds the worker's frame, which holds the
        # call; left in it, that cycle would keep this operation alive after its widget is gone.
        ok, value, error = call.ok, call.value, call.error
        on_success = call.on_success or self._on_success
        on_failure = call.on_failure or self._on_failure
        call.value = call.error = call.on_success = call.on_failure = None
        current = call.number == self._numbers
        if self._waiting is not None:
            waiting, self._waiting = self._waiting, None
            self._start(waiting)  # the newer call's result is the one shown
            current = False
        else:
            self._set_busy(False)
        if not current and (ok or is_expected(error or Exception())):
            return  # superseded or cancelled: dropped (our bugs still surface)
        if ok:
            if on_success is not None:
                on_success(value)
            self._emit_after(self.succeeded, value)
            return
        assert error is not None
        if not is_expected(error):
            # Our bug: handed, with its own traceback, to the GUI thread's handler of uncaught
            # exceptions (the application's crash handler; pytest-qt's under test), as PySide
            # does for a slot that raises.
            sys.excepthook(type(error), error, error.__traceback__)
            # The worker's frames are done: their locals (services, widgets' operations,
            # patient data) are not kept alive by whoever keeps the report.
            traceback.clear_frames(error.__traceback__)
            return
        if on_failure is not None:
            on_failure(error)
        elif self._report is not None:
            from intake.ui.common import describe_error

            self._report(describe_error(error))
        self._emit_after(self.failed, error)

    def _emit_after(self, outcome: Any, value: object) -> None:
        # The handler may have closed the widget that owns this operation (a dialog done).
        if shiboken6.isValid(self):
            outcome.emit(value)
            self.finished.emit()
