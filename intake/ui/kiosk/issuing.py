"""Issuing the signed documents when a visit is done, off the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from intake.ui.operations import Operation

log = logging.getLogger(__name__)


class DocumentIssuer(QObject):
    """Runs the controller's document job; says ``finished(documents or None)``.

    ``forget()`` (the screen cleared meanwhile) drops a result still to come: the documents
    are in storage anyway, and the next patient's screen must not hear of them.
    """

    finished = Signal(object)  # list of DocumentInfo, or None when staff will do it

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._generation = 0

    def issue(self, job: Callable[[], tuple[Any, str]]) -> None:
        generation = self._generation

        def work() -> tuple[int, Any, str]:
            documents, problem = job()
            return generation, documents, problem

        # One operation a visit: the next patient's documents never wait on the last one's.
        issuing = Operation(
            self,
            "issue the kiosk documents",
            on_success=self._on_work_finished,
            on_failure=self._on_work_failed,
        )
        issuing.finished.connect(issuing.deleteLater)
        issuing.run(work)

    def forget(self) -> None:
        self._generation += 1

    def _on_work_finished(self, payload: tuple[int, Any, str]) -> None:
        generation, documents, problem = payload
        if problem:
            log.warning("kiosk documents left to staff")
        if generation != self._generation:
            return
        self.finished.emit(documents)

    def _on_work_failed(self, exc: BaseException) -> None:
        log.error("kiosk documents failed: %s", type(exc).__name__)
        self.finished.emit(None)
