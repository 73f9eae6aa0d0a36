"""Starting the kiosk fast: Welcome first, the database and the rest loaded behind it.

Only what Welcome needs is imported at start-up; the flow model, the other pages and the
services are imported off the GUI thread once Welcome is on screen, and each kind of heavy page
is then drawn once, unseen, so the first patient's page changes are as quick as the rest.
"""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from intake.ui.operations import Operation

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from intake.services.context import AppContext
    from intake.ui.kiosk.base import KioskPage

LATER = (
    "intake.domain.wizard",
    "intake.ui.kiosk.mood",
    "intake.ui.kiosk.pages",
    "intake.ui.kiosk.questions",
    "intake.ui.kiosk.quiz",
    "intake.ui.kiosk.review",
    "intake.ui.kiosk.risks",
    "intake.ui.kiosk.signing",
    "intake.ui.kiosk.staff_pin",
    "intake.services.staff",
    "intake.services.visits",
)

log = logging.getLogger(__name__)


class KioskStartup(QObject):
    """Opens the context in the background (``context_ready(ctx)`` or ``failed(exc)``), then
    warms the pages up one per timer tick while nothing else happens. What was asked of the
    kiosk before the context was ready waits for it (``defer``)."""

    context_ready = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        ctx: AppContext | None,
        factory: Callable[[], AppContext] | None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._ctx, self._factory = ctx, factory
        self.started = False
        self.prewarm_stage = 0
        self._prewarm: Callable[[], bool] | None = None
        self._deferred: dict[str, Callable[[], None]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._opening = Operation(
            self,
            "open the kiosk database",
            on_success=self._on_work_finished,
            on_failure=self._on_work_failed,
        )

    def begin_soon(self, ms: int) -> None:
        if not self.started:
            QTimer.singleShot(ms, self.begin)

    def defer(self, name: str, call: Callable[[], None]) -> None:
        """``call()`` once the context is ready (and begin opening it): a front desk's
        "handover" goes before a "start" typed on Welcome, which it clears."""
        self._deferred[name] = call
        self.begin()

    def forget_deferred(self) -> None:
        """The screen cleared: nothing asked before runs."""
        self._deferred.clear()

    def run_deferred(self) -> None:
        deferred, self._deferred = self._deferred, {}
        call = deferred.get("handover") or deferred.get("start")
        if call is not None:
            call()

    def begin(self) -> None:
        if self.started:
            return
        self.started = True
        ctx, factory = self._ctx, self._factory

        def work() -> AppContext:
            context = ctx if ctx is not None else factory()  # type: ignore[misc]
            for name in LATER:  # off the GUI thread, so the first visit opens without a stall
                importlib.import_module(name)
            return context

        self._opening.run(work)

    def _on_work_finished(self, ctx: AppContext) -> None:
        # Everything loaded so far lives as long as the process: keep it out of the cyclic
        # garbage collector's full passes, which otherwise stall the GUI thread for ~40 ms.
        gc.freeze()
        self._ctx = ctx
        self.context_ready.emit(ctx)

    def _on_work_failed(self, exc: BaseException) -> None:
        log.error("the kiosk could not open its database: %s", type(exc).__name__)
        self.started = False
        self.failed.emit(exc)

    def prewarm(
        self,
        stack: QWidget,
        lang: Callable[[], str],
        busy: Callable[[], bool],
        before_each: Callable[[], None],
    ) -> None:
        """Draw each kind of heavy page once, unseen, into ``stack``, and throw it away; stop
        as soon as ``busy()`` (a visit has begun: its pages warm themselves). ``before_each``
        runs before a page is made (the idle watcher's filter goes in first)."""
        ctx = self._ctx
        if ctx is None:
            return

        def step() -> bool:
            if busy():
                return False
            from intake.domain.wizard import KioskFlow
            from intake.ui.kiosk.mood import Phq9Page
            from intake.ui.kiosk.questions import QuestionPage
            from intake.ui.kiosk.risks import TopicPage

            forms = ctx.forms
            sample = KioskFlow(forms, ctx.today(), answers={"sex_at_birth": "female"})
            makers: list[Callable[[], KioskPage]] = [
                lambda: Phq9Page(forms.phq9, lang()),
                lambda: QuestionPage(sample, forms.intake.pages[1].id, lang()),
                lambda: QuestionPage(sample, forms.intake.pages[0].id, lang()),
                lambda: TopicPage(sample, sample.topics()[0][0].id, lang()),
            ]
            if self.prewarm_stage >= len(makers):
                return False
            before_each()
            page = makers[self.prewarm_stage]()
            self.prewarm_stage += 1
            page.setParent(stack)
            page.hide()
            page.resize(stack.size())
            page.grab()
            page.deleteLater()
            return True

        self._prewarm = step
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        if self._prewarm is not None and self._prewarm():
            self._timer.start()
