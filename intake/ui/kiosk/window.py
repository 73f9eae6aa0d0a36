"""The patient kiosk: a stacked widget drawing what the kiosk controller decides.

The window holds one page at a time; a page is built whenever it is shown, and wiped and
deleted when it is left. Pages hand back typed payloads, the window forwards them to the
``KioskController`` (``intake.services.kiosk_flow``) and draws the ``ViewState`` it returns.
When the screen clears (idle, finished, or staff), the visit is dropped whole and Welcome is
rebuilt: nothing of the patient remains in any widget, and Back cannot reach the old pages.

Every controller call that writes (opening by code, Next, Back, initials, staff's decisions)
runs off the GUI thread through ``ControllerCalls``; meanwhile the kiosk shows it is busy
(Next and Back disabled, a busy cursor) and a second press is ignored.

The window composes small helpers and forwards between them: ``ViewDrawer`` draws each view
and the busy look, ``FocusOrder`` keeps the tab chain, ``PageReading`` reads aloud,
``LanguageSwitch`` changes the language, ``WindowLook`` holds the theme and the window's own
texts; ``KioskStartup``, ``StaffUnlock``, ``IdleGuard`` and ``DocumentIssuer`` do the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QLayout, QStackedWidget, QVBoxLayout, QWidget

from intake import i18n
from intake.services.kiosk_flow import KioskController
from intake.services.kiosk_payloads import Initials, ViewState
from intake.ui.kiosk.base import KioskPage
from intake.ui.kiosk.calls import ControllerCalls
from intake.ui.kiosk.chrome import AccessibilityBar, NavBar
from intake.ui.kiosk.drawing import ViewDrawer
from intake.ui.kiosk.focus import FocusOrder
from intake.ui.kiosk.host import PageHost, watch_activity
from intake.ui.kiosk.idle import IdleGuard, IdleOverlay, IdleWatcher
from intake.ui.kiosk.issuing import DocumentIssuer
from intake.ui.kiosk.language import LanguageSwitch
from intake.ui.kiosk.listening import PageReading
from intake.ui.kiosk.look import WindowLook, fill_screen
from intake.ui.kiosk.staff_unlock import StaffUnlock
from intake.ui.kiosk.startup import KioskStartup
from intake.ui.kiosk.text import t
from intake.ui.kiosk.theme import Theme, colour_pads
from intake.ui.kiosk.welcome import WelcomePage
from intake.ui.widgets.access import set_role

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    # Only for annotations: importing PySide6.QtGui at start-up costs ~18 ms before Welcome.
    from PySide6.QtGui import QCloseEvent, QPaintEvent, QResizeEvent, QShowEvent
    from PySide6.QtWidgets import QDialog

    from intake.domain.wizard import KioskFlow
    from intake.services.context import Actor, AppContext
    from intake.ui.kiosk.staff_pin import StaffPinDialog

DEFAULT_IDLE_MS = 90_000
DEFAULT_WARNING_MS = 20_000  # WCAG 2.2, 2.2.1: at least 20 s to answer the warning


class KioskWindow(QWidget):
    """The patient kiosk.

    ``ctx`` is an AppContext, or a callable making one: then the database is opened (and
    migrated) in the background after Welcome is on screen, so the kiosk starts fast.
    ``idle_timeout_ms``/``idle_warning_ms`` override the clinic's settings (tests use a few
    hundred ms). ``locked``: closing needs a staff PIN.
    """

    ready = Signal()
    visit_opened = Signal(str)
    page_changed = Signal(str)
    visit_submitted = Signal(str)
    documents_finished = Signal(object)  # list of DocumentInfo, or None when staff will do it
    idle_timed_out = Signal()
    screen_cleared = Signal()
    kiosk_left = Signal()
    busy_changed = Signal(bool)  # a controller call (a save) runs / all are done and drawn

    def __init__(
        self,
        ctx: AppContext | Callable[[], AppContext],
        *,
        idle_timeout_ms: int | None = None,
        idle_warning_ms: int | None = None,
        done_return_ms: int = 60_000,
        locked: bool = True,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("KioskWindow")
        set_role(self, QAccessible.Role.Window)  # a window to a screen reader, not a filler
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        given = ctx if hasattr(ctx, "forms") and hasattr(ctx, "db") else None
        self._ctx: AppContext | None = given  # type: ignore[assignment]
        self.control = KioskController(self._ctx, i18n.offered())
        self.calls = ControllerCalls(self, self.control.lock)
        self.startup = KioskStartup(self._ctx, None if given else ctx, self)  # type: ignore[arg-type]
        self.startup.context_ready.connect(self._on_startup_context_ready)
        self.startup.failed.connect(self._on_startup_failed)
        self._fixed_timeouts = idle_timeout_ms is not None or idle_warning_ms is not None
        # The screen was cleared and the controller's reset still waits or runs off the GUI
        # thread (after a save still running): the controller is not read meanwhile.
        self._clearing = False
        self._locked = locked
        self._close_allowed = False
        self._ready = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        # A full-screen window: pages must not resize it (nor ask the platform to).
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.bar = AccessibilityBar(self)
        self.look = WindowLook(self, self.bar)
        self.bar.text_size_chosen.connect(self.set_text_size)
        self.bar.contrast_toggled.connect(self.set_high_contrast)
        self.bar.staff_requested.connect(self._on_bar_staff_requested)
        self.stack = QStackedWidget(self)
        self.pages = PageHost(self.stack, lambda: colour_pads(self, self.look.theme))
        self.pages.dob_disputed.connect(self._on_pages_dob_disputed)
        self.pages.initials_given.connect(self._on_pages_initials_given)
        self.pages.start_requested.connect(self._on_pages_start_requested)
        self.pages.input_changed.connect(self._on_pages_input_changed)
        self.pages.leave_requested.connect(self.clear_screen)
        self.nav = NavBar(self)
        self.nav.back_clicked.connect(self._on_nav_back_clicked)
        self.nav.next_clicked.connect(self._on_nav_next_clicked)
        layout.addWidget(self.bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.nav)
        self.idle = IdleWatcher(
            idle_timeout_ms or DEFAULT_IDLE_MS, idle_warning_ms or DEFAULT_WARNING_MS, self
        )
        self._idle_guard = IdleGuard(self, self.idle, lambda: self.lang, lambda: self.pages.page)
        # Accessibility actions count as activity (they send no input events); only while the
        # watcher is on: wiping or restoring a page is no one's activity.
        self.pages.activity.connect(self.idle.poke)
        watch_activity(self.bar, self.pages.activity)
        watch_activity(self.nav, self.pages.activity)
        self._idle_guard.timed_out.connect(self._on_idle_guard_timed_out)
        self.staff = StaffUnlock(self, self.control, self._call_and_draw)
        self.pages.staff_requested.connect(self.staff.continue_visit)
        self.issuer = DocumentIssuer(self)
        self.reading = PageReading(
            self.bar, self.stack, self.pages, self.idle, lambda: self.lang, self
        )
        self.reader = self.reading.reader
        self.focus = FocusOrder(self.pages, self.nav, self)
        self.drawer = ViewDrawer(
            self,
            self.control,
            self.calls,
            self.pages,
            self.nav,
            idle=self.idle,
            focus=self.focus,
            staff=self.staff,
            issuer=self.issuer,
            lang=lambda: self.lang,
            retranslate=self._retranslate,
            done_return_ms=done_return_ms,
        )
        self.drawer.done_timer.timeout.connect(self.clear_screen)
        self.language_switch = LanguageSwitch(
            self.control,
            self.calls,
            self.pages,
            self.look,
            self.drawer,
            clearing=lambda: self._clearing,
            lang=lambda: self.lang,
            retranslate=self._retranslate,
            show_welcome=self._show_welcome,
            parent=self,
        )
        self.bar.language_chosen.connect(self.language_switch.choose)
        self.pages.language_chosen.connect(self.language_switch.choose)
        self.drawer.visit_opened.connect(self.visit_opened)
        self.drawer.page_changed.connect(self.page_changed)
        self.drawer.visit_submitted.connect(self.visit_submitted)
        self.drawer.busy_changed.connect(self.busy_changed)
        self.drawer.documents_finished.connect(self.documents_finished)
        if self._ctx is not None:
            self._configure(self._ctx)
        self.look.apply()
        self._retranslate()
        self.focus.watch_application()
        self._show_welcome()

    # --- public ----------------------------------------------------------------------------------

    def is_ready(self) -> bool:
        return self._ready

    @property
    def busy(self) -> bool:
        """A controller call is running or its result is not drawn yet."""
        return self.calls.busy

    @property
    def current_page(self) -> KioskPage | None:
        return self.pages.page

    @property
    def flow(self) -> KioskFlow | None:
        return None if self._clearing else self.control.flow

    @property
    def overlay(self) -> IdleOverlay:
        """The "Are you still there?" cover."""
        return self._idle_guard.overlay

    @property
    def pin_dialog(self) -> StaffPinDialog | None:
        return self.staff.pin_dialog

    @property
    def release_dialog(self) -> QDialog | None:
        """A mood-screen release's note, for staff."""
        return self.staff.release_dialog

    @property
    def lang(self) -> str:
        # While the controller forgets the patient, Welcome speaks the kiosk's first language.
        return self.control.languages[0] if self._clearing else self.control.lang

    @property
    def theme(self) -> Theme:
        return self.look.theme

    def begin_visit(self, actor: Actor) -> None:
        """Start the visit the front desk handed to this station (VisitService.hand_over)."""
        if not self._ready:
            self.startup.defer("handover", lambda: self.begin_visit(actor))
            return
        self.clear_screen()
        self.calls.queue(lambda: self.control.begin(actor), self.drawer.draw)

    def set_text_size(self, index: int) -> None:
        if self.look.set_theme(self.look.sized(index)):
            self._retranslate()

    def set_high_contrast(self, on: bool) -> None:
        if self.look.set_theme(self.look.contrasted(on)):
            self._retranslate()

    def set_language(self, lang: str) -> None:
        self.language_switch.choose(lang)

    def clear_screen(self, reason: str = "cleared") -> None:
        """Forget the patient: every widget rebuilt, the pad wiped, the visit dropped.

        An unfinished visit is let go on the record too (``reason``: "idle", "closed",
        "cleared"), so the front desk's board says the patient left the kiosk. The screen is
        wiped at once; the controller forgets the patient off the GUI thread, after a save
        still running (whose result is dropped): the GUI never waits for it.
        """
        self.reading.stop()
        self._forget(reason)
        self.issuer.forget()
        self.drawer.done_timer.stop()
        self.staff.dismiss()
        self._idle_guard.hide()
        self.idle.set_enabled(False)
        self.startup.forget_deferred()
        self.look.set_theme(Theme())
        self._retranslate()
        self._show_welcome()
        self.nav.hide()  # Welcome has none; drawn again once the controller is free
        clipboard = QApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()
        self.screen_cleared.emit()

    def _forget(self, reason: str) -> None:
        """Cancel what is queued and drop a running call's result, then reset the controller
        through the call queue (so it runs after that call, and before any later one)."""
        self.calls.cancel()
        self._clearing = True
        control = self.control

        def reset() -> None:
            try:
                control.reset(reason)
            except Exception as exc:  # the board may still say "at the kiosk"; nothing more
                log.warning("kiosk reset not recorded: %s", type(exc).__name__)

        self.calls.queue(reset, self._on_controller_reset)

    def _on_controller_reset(self, _result: object) -> None:
        self._clearing = False
        self.drawer.update_nav()

    # --- start-up --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fill_screen(self)
        self.startup.begin_soon(300)  # in case no paint comes (a covered window)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.startup.begin_soon(0)  # Welcome is on screen before any database or service work

    def _on_startup_context_ready(self, ctx: AppContext) -> None:
        self._ctx = self.control.ctx = ctx
        self._configure(ctx)
        self._ready = True
        self._retranslate()
        if isinstance(self.pages.page, WelcomePage):
            self.pages.page.set_clinic(self.look.clinic)
            self.pages.page.set_busy(False)
        self.ready.emit()
        self.startup.prewarm(
            self.stack, lambda: self.lang, lambda: self.control.visit is not None, self.idle.install
        )
        self.startup.run_deferred()

    def _on_startup_failed(self, _exc: Exception) -> None:
        if isinstance(self.pages.page, WelcomePage):
            self.pages.page.set_busy(False)
            self.pages.page.show_error(t("not_ready", self.lang))

    def _configure(self, ctx: AppContext) -> None:
        clinic = ctx.forms.clinic
        self.look.clinic = clinic.name
        if not self._fixed_timeouts:
            self.idle.set_timeouts(
                clinic.idle_timeout_seconds * 1000, clinic.idle_warning_seconds * 1000
            )

    # --- look, language and Welcome --------------------------------------------------------------

    def _retranslate(self) -> None:
        self.look.retranslate(self.lang)
        self.reading.show_state()
        self.drawer.update_nav()

    def _show_welcome(self, snapshot: dict[str, Any] | None = None) -> None:
        self.pages.show_welcome(
            self.lang, self.look.clinic if self._ready or self._ctx else "", snapshot
        )
        self.drawer.update_nav()

    # --- what the patient does -------------------------------------------------------------------

    def _on_pages_input_changed(self, has_input: bool) -> None:
        if self._clearing or self.control.visit is None:
            self.idle.set_enabled(has_input)

    def _on_pages_start_requested(self, dob: dt.date, code: str) -> None:
        if not self._ready:
            if isinstance(self.pages.page, WelcomePage):
                self.pages.page.set_busy(True)
            self.startup.defer("start", lambda: self._on_pages_start_requested(dob, code))
            return
        page = self.pages.page
        if self._clearing:  # after the controller has forgotten the last patient
            self.calls.queue(lambda: self.control.open_by_code(dob, code), self.drawer.draw_opened)
            started = True
        else:
            started = self.calls.run(
                lambda: self.control.open_by_code(dob, code), self.drawer.draw_opened
            )
        if started and isinstance(page, WelcomePage):
            page.set_busy(True)

    def _on_nav_back_clicked(self) -> None:
        page = self.pages.page
        if page is None or self.calls.busy:
            return
        snapshot = page.snapshot()
        self.calls.run(lambda: self.control.back(snapshot), self.drawer.draw_if_any)

    def _on_nav_next_clicked(self) -> None:
        page = self.pages.page
        if page is None or self.calls.busy or not self.control.has_flow():
            return
        payload = page.payload()
        self.calls.run(lambda: self.control.submit(payload), self.drawer.draw)

    def _call_and_draw(self, work: Callable[[], ViewState]) -> None:
        """Staff's decisions (continue, resume, a release): after whatever is being saved."""
        self.calls.queue(work, self.drawer.draw)

    def _on_pages_initials_given(self, initials: Initials) -> None:
        page = self.pages.page
        if page is None or not self.control.has_flow() or not hasattr(page, "mark_acknowledged"):
            return
        self.calls.queue(
            lambda: self.control.acknowledge(initials),
            lambda view: self.drawer.draw_acknowledged(page, initials, view),
        )

    def _on_pages_dob_disputed(self) -> None:
        """ "This is not my date of birth": the visit waits for staff to check the record."""
        page = self.pages.page
        if page is not None and not self.calls.busy and self.control.has_flow():
            snapshot = page.snapshot()
            self.calls.run(lambda: self.control.dispute_date_of_birth(snapshot), self.drawer.draw)

    # --- staff -----------------------------------------------------------------------------------

    def _on_bar_staff_requested(self) -> None:
        self.staff.ask(self._ctx, self.lang, "leave", self._on_staff_confirmed_leave)

    def _on_staff_confirmed_leave(self, _info: object) -> None:
        self._close_allowed = True
        self.clear_screen("closed")
        self.kiosk_left.emit()
        self.close()

    # --- idle and done ---------------------------------------------------------------------------

    def _on_idle_guard_timed_out(self) -> None:
        self.idle_timed_out.emit()
        self.clear_screen("idle")

    # --- window ----------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            fill_screen(self)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._idle_guard.fit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._locked and not self._close_allowed:
            event.ignore()
            self.staff.ask(self._ctx, self.lang, "leave", self._on_staff_confirmed_leave)
            return
        self.idle.stop()
        self.drawer.done_timer.stop()
        self.reading.stop()
        if self.pages.page is not None:
            self.pages.page.wipe()
        self._forget("closed")  # off the GUI thread, after a save still running
        super().closeEvent(event)
