"""Adding the timestamps still pending (PAdES B-T), from the staff window or a visit's documents.

One runner per staff window: its Station menu action and the documents tab's button share it,
so a run is never started twice, and every screen showing documents reloads when it ends.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from intake.domain.errors import code_of
from intake.services.context import Actor, AppContext
from intake.ui.common import describe_error, problem_text
from intake.ui.operations import Operation
from intake.ui.staff.signing_words import said

# Who is offered the action; the service checks the role again.
TIMESTAMP_ROLES = ("clinician", "admin")
# The action's name in the source language; the screens show ``action_text()``.
ACTION_TEXT = "Add pending timestamps"


def action_text() -> str:
    """The action's name ("Add pending timestamps") in the staff screens' language."""
    return said("timestamp_action")


def describe_report(report: Any) -> tuple[str, str]:
    """What a ``TimestampReport`` says to a person, and the message kind ("info", "warning")."""
    done, left = len(report.timestamped), len(report.still_pending)
    if code_of(report.problem) == "tsa_missing" and not done:
        return said("timestamp_no_authority", count=left), "warning"
    if report.problem:
        problem = problem_text(report.problem)  # worded by its code
        return said("timestamp_problem", done=done, left=left, problem=problem), "warning"
    if not done and not left:
        return said("timestamp_nothing_waiting", done=done, left=left), "info"
    return said("timestamp_done", done=done, left=left), "info"


class PendingTimestamps(QObject):
    """Runs ``DocumentService.timestamp_pending`` off the GUI thread, one run at a time.

    ``finished`` and ``failed`` carry the object that started the run (``run(source)``), so that
    the screen that asked shows the answer and the others only reload.
    """

    busy_changed = Signal(bool)
    finished = Signal(object, str, str)  # source, message, kind ("info" or "warning")
    failed = Signal(object, str)  # source, message

    def __init__(self, ctx: AppContext, actor: Actor, parent: QObject | None = None):
        super().__init__(parent)
        self._ctx, self._actor = ctx, actor
        self.tasks = Operation(self, "pending timestamps")
        self.tasks.busy_changed.connect(self.busy_changed)

    @property
    def allowed(self) -> bool:
        return self._actor.role in TIMESTAMP_ROLES

    @property
    def busy(self) -> bool:
        return self.tasks.busy

    def run(self, source: object) -> bool:
        """Start a run; False (nothing started) while one is under way."""
        if self.tasks.busy:
            return False
        from intake.services.documents import DocumentService

        ctx, actor = self._ctx, self._actor
        self.tasks.run(
            lambda: DocumentService(ctx).timestamp_pending(actor),
            lambda report: self.finished.emit(source, *describe_report(report)),
            lambda exc: self.failed.emit(source, describe_error(exc)),
        )
        return True
