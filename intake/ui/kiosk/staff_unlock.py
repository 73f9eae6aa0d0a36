"""Staff at the kiosk: the PIN dialog (leave, continue, resume) and a mood-screen release's note.

At most one dialog of each kind is open; clearing the screen closes both, so nothing staff
typed stays behind for the next patient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog, QWidget

    from intake.services.context import Actor, AppContext
    from intake.services.kiosk_flow import KioskController
    from intake.services.kiosk_payloads import ViewState
    from intake.ui.kiosk.staff_pin import StaffPinDialog


class StaffUnlock(QObject):
    """Opens the dialogs over ``window``; a confirmed PIN goes to the controller through
    ``run`` (which calls it off the GUI thread and draws what it decides)."""

    def __init__(
        self,
        window: QWidget,
        control: KioskController,
        run: Callable[[Callable[[], ViewState]], None],
    ):
        super().__init__(window)
        self._window = window
        self._control = control
        self._run = run
        self.pin_dialog: StaffPinDialog | None = None
        self.release_dialog: QDialog | None = None

    def ask(
        self, ctx: AppContext | None, lang: str, purpose: str, on_confirmed: Callable[[Any], None]
    ) -> None:
        """The PIN dialog for ``purpose`` ("leave", "continue", "resume"); ``on_confirmed``
        gets the staff member's sign-in (the dialog is then done with)."""
        from intake.ui.kiosk.staff_pin import StaffPinDialog

        if ctx is None:
            return
        self._drop_pin_dialog()
        dialog = StaffPinDialog(ctx, lang, purpose, self._window)
        dialog.staff_confirmed.connect(self._on_pin_dialog_staff_confirmed)
        dialog.staff_confirmed.connect(on_confirmed)
        dialog.rejected.connect(self._on_pin_dialog_rejected)
        self.pin_dialog = dialog
        dialog.open()

    def ask_release_note(
        self, ctx: AppContext | None, staff: Actor, visit_id: str, on_released: Callable[[], None]
    ) -> None:
        """A positive mood screen is released with a short note by the member of staff."""
        from intake.services.alerts import AlertService
        from intake.ui.release_dialog import AlertReleaseDialog

        if ctx is None or not visit_id:
            return
        dialog = AlertReleaseDialog(AlertService(ctx), staff, visit_id, "", self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.released.connect(lambda _info: on_released())
        dialog.finished.connect(self._on_release_dialog_finished)
        self.release_dialog = dialog
        dialog.open()

    def continue_visit(self, resume: bool) -> None:
        """A page asks for staff: to let a paused visit go on, or (``resume``) to resume one."""
        control = self._control
        if resume:
            self.ask(control.ctx, control.lang, "resume", self._on_staff_confirmed_resume)
        else:
            self.ask(control.ctx, control.lang, "continue", self._on_staff_confirmed_continue)

    def note_if_asked(self, view: ViewState) -> None:
        """The controller wants a mood-screen release's note from this member of staff."""
        if view.release_note_by is not None:
            control = self._control
            self.ask_release_note(
                control.ctx, view.release_note_by, control.visit_id, self._on_visit_released
            )

    def _on_staff_confirmed_continue(self, info: object) -> None:
        if self._control.has_flow():
            self._run(lambda: self._control.staff_continue(info))

    def _on_staff_confirmed_resume(self, _info: object) -> None:
        if self._control.visit is not None:
            self._run(self._control.confirm_resume)

    def _on_visit_released(self) -> None:
        if self._control.has_flow():
            self._run(self._control.released)

    def dismiss(self) -> None:
        """Close whatever is open (the screen is clearing)."""
        self._drop_pin_dialog()
        if self.release_dialog is not None:
            release, self.release_dialog = self.release_dialog, None
            release.reject()

    def _drop_pin_dialog(self) -> None:
        if self.pin_dialog is not None:
            dialog, self.pin_dialog = self.pin_dialog, None
            dialog.reject()
            dialog.deleteLater()

    def _on_pin_dialog_staff_confirmed(self, _info: object) -> None:
        self.pin_dialog = None

    def _on_pin_dialog_rejected(self) -> None:
        dialog = self.sender()
        if dialog is self.pin_dialog and self.pin_dialog is not None:
            self.pin_dialog = None
            dialog.deleteLater()

    def _on_release_dialog_finished(self, _result: int) -> None:
        self.release_dialog = None
