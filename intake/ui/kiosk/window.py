"""The patient kiosk: a stacked widget drawing what the kiosk controller decides.

The window holds one page at a time; a page is built whenever it is shown, and wiped and
deleted when it is left. Pages hand back typed payloads, the window forwards them to the
``KioskController`` (``intake.services.kiosk_flow``) and draws the ``ViewState`` it returns.
When the screen clears (idle, finished, or staff), the visit is dropped whole and Welcome is
rebuilt: nothing of the patient remains in any widget, and Back cannot reach the old pages.

Every controller call that writes (opening by code, Next, Back, initials, staff's decisions)
runs off the GUI thread through ``ControllerCalls``; meanwhile the kiosk shows it is busy
(Next and Back disabled, a busy cursor) and a second press is ignored.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QLocale, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QLayout, QStackedWidget, QVBoxLayout, QWidget

from intake import i18n
from intake.i18n import language
from intake.services.kiosk_flow import KioskController
from intake.services.kiosk_payloads import Initials, Screen, ViewState
from intake.ui.kiosk.base import KioskPage
from intake.ui.kiosk.calls import ControllerCalls, FocusKeeper
from intake.ui.kiosk.chrome import AccessibilityBar, NavBar
from intake.ui.kiosk.host import PageHost, watch_activity
from intake.ui.kiosk.idle import IdleGuard, IdleOverlay, IdleWatcher
from intake.ui.kiosk.issuing import DocumentIssuer
from intake.ui.kiosk.reader import ReadAloud
from intake.ui.kiosk.staff_unlock import StaffUnlock
from intake.ui.kiosk.startup import KioskStartup
from intake.ui.kiosk.text import Worded, t, worded
from intake.ui.kiosk.theme import TEXT_SIZES, Theme, colour_pads
from intake.ui.kiosk.welcome import DonePage, ResumePage, WelcomePage
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
        self.calls.busy_changed.connect(self._on_calls_busy_changed)
        self.calls.failed.connect(self._on_calls_failed)
        self._focus = FocusKeeper()
        self.startup = KioskStartup(self._ctx, None if given else ctx, self)  # type: ignore[arg-type]
        self.startup.context_ready.connect(self._on_startup_context_ready)
        self.startup.failed.connect(self._on_startup_failed)
        self._fixed_timeouts = idle_timeout_ms is not None or idle_warning_ms is not None
        self._theme = Theme()
        self._pending_start: tuple[dt.date, str] | None = None
        self._pending_handover: Actor | None = None
        # The screen was cleared and the controller's reset still waits or runs off the GUI
        # thread (after a save still running): the controller is not read meanwhile.
        self._clearing = False
        self._locked = locked
        self._close_allowed = False
        self._ready = False
        self._clinic = ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        # A full-screen window: pages must not resize it (nor ask the platform to).
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.bar = AccessibilityBar(self)
        self.bar.language_chosen.connect(self._set_language)
        self.bar.text_size_chosen.connect(self.set_text_size)
        self.bar.contrast_toggled.connect(self.set_high_contrast)
        self.bar.staff_requested.connect(self._on_bar_staff_requested)
        self.bar.read_aloud_requested.connect(self._on_bar_read_aloud_requested)
        self.reader = ReadAloud(self)
        self.reader.speaking_changed.connect(self._on_reader_speaking_changed)
        self.reader.heard.connect(self._on_reader_heard)
        self._listening_page: QWidget | None = None
        # Listening is not idleness: while the kiosk speaks, the idle countdown starts over.
        self._speech_keepalive = QTimer(self)
        self._speech_keepalive.timeout.connect(self._on_speech_keepalive_timeout)
        self.stack = QStackedWidget(self)
        # Speech stops whenever another page comes up (Next, Back, a language, the idle wipe).
        self.stack.currentChanged.connect(self._on_stack_current_changed)
        self.pages = PageHost(self.stack, lambda: colour_pads(self, self._theme))
        self.pages.completeness_changed.connect(self._on_pages_completeness_changed)
        self.pages.staff_requested.connect(self._on_pages_staff_requested)
        self.pages.dob_disputed.connect(self._on_pages_dob_disputed)
        self.pages.initials_given.connect(self._on_pages_initials_given)
        self.pages.language_chosen.connect(self._set_language)
        self.pages.start_requested.connect(self._on_pages_start_requested)
        self.pages.input_changed.connect(self._on_pages_input_changed)
        self.pages.leave_requested.connect(self.clear_screen)
        self.pages.shown.connect(self._on_pages_shown)
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
        # Accessibility actions count as activity (they send no input events).
        self.pages.activity.connect(self._on_pages_activity)
        watch_activity(self.bar, self.pages.activity)
        watch_activity(self.nav, self.pages.activity)
        self._idle_guard.timed_out.connect(self._on_idle_guard_timed_out)
        self.staff = StaffUnlock(self, self.control, self._call_and_draw)
        self.issuer = DocumentIssuer(self)
        self.issuer.finished.connect(self._on_issuer_finished)
        self._done_timer = QTimer(self)
        self._done_timer.setSingleShot(True)
        self._done_timer.setInterval(done_return_ms)
        self._done_timer.timeout.connect(self.clear_screen)
        if self._ctx is not None:
            self._configure(self._ctx)
        self._apply_theme()
        self._retranslate()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_app_focus_changed)
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
        return self._theme

    def begin_visit(self, actor: Actor) -> None:
        """Start the visit the front desk handed to this station (VisitService.hand_over)."""
        if not self._ready:
            self._pending_handover = actor
            self.startup.begin()
            return
        self.clear_screen()
        self.calls.queue(lambda: self.control.begin(actor), self._draw)

    def set_text_size(self, index: int) -> None:
        index = max(0, min(len(TEXT_SIZES) - 1, index))
        self._set_theme(Theme(index, self._theme.high_contrast))

    def set_high_contrast(self, on: bool) -> None:
        self._set_theme(Theme(self._theme.size_index, on))

    def _set_theme(self, theme: Theme) -> None:
        if theme != self._theme:
            self._theme = theme
            self._apply_theme()
            self._retranslate()

    def set_language(self, lang: str) -> None:
        self._set_language(lang)

    def clear_screen(self, reason: str = "cleared") -> None:
        """Forget the patient: every widget rebuilt, the pad wiped, the visit dropped.

        An unfinished visit is let go on the record too (``reason``: "idle", "closed",
        "cleared"), so the front desk's board says the patient left the kiosk. The screen is
        wiped at once; the controller forgets the patient off the GUI thread, after a save
        still running (whose result is dropped): the GUI never waits for it.
        """
        self.reader.stop()
        self._forget(reason)
        self.issuer.forget()
        self._done_timer.stop()
        self.staff.dismiss()
        self._idle_guard.hide()
        self.idle.set_enabled(False)
        self._pending_start = None
        self._pending_handover = None
        if self._theme != Theme():
            self._theme = Theme()
            self._apply_theme()
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
        self._update_nav()

    # --- start-up --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fill_screen()
        if not self.startup.started:
            QTimer.singleShot(300, self.startup.begin)  # in case no paint comes (a covered window)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.startup.started:
            # Welcome is on screen before any database or service work begins.
            QTimer.singleShot(0, self.startup.begin)

    def _on_startup_context_ready(self, ctx: AppContext) -> None:
        self._ctx = self.control.ctx = ctx
        self._configure(ctx)
        self._ready = True
        self._retranslate()
        if isinstance(self.pages.page, WelcomePage):
            self.pages.page.set_clinic(self._clinic)
            self.pages.page.set_busy(False)
        self.ready.emit()
        self.startup.prewarm(
            self.stack, lambda: self.lang, lambda: self.control.visit is not None, self.idle.install
        )
        if self._pending_handover is not None:
            actor, self._pending_handover = self._pending_handover, None
            self.begin_visit(actor)
        elif self._pending_start is not None:
            dob, code = self._pending_start
            self._pending_start = None
            self._on_pages_start_requested(dob, code)

    def _on_startup_failed(self, _exc: Exception) -> None:
        if isinstance(self.pages.page, WelcomePage):
            self.pages.page.set_busy(False)
            self.pages.page.show_error(t("not_ready", self.lang))

    def _configure(self, ctx: AppContext) -> None:
        clinic = ctx.forms.clinic
        self._clinic = clinic.name
        if not self._fixed_timeouts:
            self.idle.set_timeouts(
                clinic.idle_timeout_seconds * 1000, clinic.idle_warning_seconds * 1000
            )

    # --- look and language -----------------------------------------------------------------------

    def _apply_theme(self) -> None:
        self.setStyleSheet(self._theme.style_sheet())
        colour_pads(self, self._theme)

    def _retranslate(self) -> None:
        self.setWindowTitle(t("window_title", self.lang))
        # The language a screen reader reads in: every widget inherits the window's locale,
        # which the accessibility interface reports (QAccessible.Attribute.Locale).
        self.setLocale(QLocale(language(self.lang).locale))
        self.bar.retranslate(self.lang, self._theme, self._clinic)
        self._show_reading()
        self._update_nav()

    def _set_language(self, lang: str) -> None:
        snapshot = self.pages.page.snapshot() if self.pages.page is not None else {}
        if not self._clearing and self.control.visit is None and not self.calls.busy:
            # Nothing to save yet (Welcome): at once.
            self._on_language_chosen(snapshot, self.control.choose_language(lang))
            return
        if self._clearing:  # after the controller has forgotten the last patient
            self.calls.queue(
                lambda: self.control.choose_language(lang),
                lambda changed: self._on_language_chosen(snapshot, changed),
            )
            return
        started = self.calls.run(
            lambda: self.control.choose_language(lang),
            lambda changed: self._on_language_chosen(snapshot, changed),
        )
        if not started:
            self.bar.retranslate(self.lang, self._theme, self._clinic)  # the press is undone

    def _on_language_chosen(self, snapshot: dict[str, Any], changed: bool) -> None:
        if not changed:
            self.bar.retranslate(self.lang, self._theme, self._clinic)
            return
        self._retranslate()
        flow = self.control.flow
        if flow is not None and flow.current.kind != "welcome" and self._ctx is not None:
            self.pages.redraw_step(flow, self.lang, self._ctx, snapshot)
        elif isinstance(self.pages.page, ResumePage):
            self.pages.show_resume(self.lang)
        else:
            self._show_welcome(snapshot)
        self._update_nav()

    # --- pages -----------------------------------------------------------------------------------

    def _show_welcome(self, snapshot: dict[str, Any] | None = None) -> None:
        self.pages.show_welcome(
            self.lang, self._clinic if self._ready or self._ctx else "", snapshot
        )
        self._update_nav()

    def _draw(self, view: ViewState) -> None:
        """Show what the controller decided."""
        if view.submitted:
            self.visit_submitted.emit(view.submitted)
        if view.language_changed:
            self._retranslate()
        if view.screen is Screen.WELCOME:
            self._show_on_page(view)
            return
        if view.screen is Screen.RESUME:
            self.idle.set_enabled(True)
            if not isinstance(self.pages.page, ResumePage):
                self.pages.show_resume(self.lang)
                self._update_nav()
            self._show_on_page(view)
            return
        if view.opened:
            self.visit_opened.emit(view.opened)
        if view.redraw and view.step is not None and self._ctx is not None:
            self.pages.show_step(self.control.flow, self.lang, self._ctx, dict(view.restore))  # type: ignore[arg-type]
            self._update_nav()
            self.idle.set_enabled(view.watch_idle)
            self.idle.poke()
            self.page_changed.emit(view.step.id)
            if view.issue_documents:
                self.issuer.issue(self.control.document_job())
            return
        self._show_on_page(view)
        self.staff.note_if_asked(view)
        self._update_nav()

    def _show_on_page(self, view: ViewState) -> None:
        from intake.ui.kiosk.pages import show_on_page

        view = worded(view, self.lang)
        if self.pages.page is not None:
            show_on_page(self.pages.page, view, self.lang, self._ctx.forms if self._ctx else None)

    def _on_pages_shown(self, page: KioskPage) -> None:
        """Tab follows what is seen: the top bar, the page, Back, Next. (A page joins the
        window's focus chain after the navigation, which was made first.)"""
        last: QWidget | None = None  # Qt orders only widgets that take focus
        widget = page.nextInFocusChain()
        while widget is not None and widget is not page and page.isAncestorOf(widget):
            if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                last = widget
            widget = widget.nextInFocusChain()
        if last is None:
            return
        first, second = (
            (self.nav.next, self.nav.back)
            if page.next_before_back
            else (
                self.nav.back,
                self.nav.next,
            )
        )
        QWidget.setTabOrder(last, first)
        QWidget.setTabOrder(first, second)

    def _on_app_focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        """A focused field is scrolled into view, however it got the focus (WCAG 2.4.11)."""
        page = self.pages.page
        if now is None or page is None:
            return
        viewport = page.scroller.viewport()
        if not viewport.isAncestorOf(now):
            return
        box = QRect(now.mapTo(viewport, QPoint(0, 0)), now.size())
        if not viewport.rect().contains(box):  # a tap lands on what is in view: no scrolling
            page.reveal(now)

    def _update_nav(self) -> None:
        if self.calls.busy:
            # The controller is being used on its worker thread: nothing is asked of it, and
            # nothing can be pressed until the save is done and drawn.
            self.nav.next.setEnabled(False)
            self.nav.back.setEnabled(False)
            return
        page = self.pages.page
        nav = self.control.nav(page.is_complete()) if page is not None else None
        if nav is None:
            self.nav.hide()
            return
        self.nav.show_state(nav, self.lang)
        self.nav.show()

    def _on_pages_completeness_changed(self, _complete: bool) -> None:
        self._update_nav()

    # --- what the patient does -------------------------------------------------------------------

    def _on_pages_input_changed(self, has_input: bool) -> None:
        if self._clearing or self.control.visit is None:
            self.idle.set_enabled(has_input)

    def _on_pages_start_requested(self, dob: dt.date, code: str) -> None:
        if not self._ready:
            self._pending_start = (dob, code)
            if isinstance(self.pages.page, WelcomePage):
                self.pages.page.set_busy(True)
            self.startup.begin()
            return
        page = self.pages.page
        if self._clearing:  # after the controller has forgotten the last patient
            self.calls.queue(lambda: self.control.open_by_code(dob, code), self._on_opened)
            started = True
        else:
            started = self.calls.run(lambda: self.control.open_by_code(dob, code), self._on_opened)
        if started and isinstance(page, WelcomePage):
            page.set_busy(True)

    def _on_opened(self, view: ViewState) -> None:
        if isinstance(self.pages.page, WelcomePage):
            self.pages.page.set_busy(False)
        if view.screen is not Screen.WELCOME:
            self.idle.set_enabled(True)
        self._draw(view)

    def _on_nav_back_clicked(self) -> None:
        page = self.pages.page
        if page is None or self.calls.busy:
            return
        snapshot = page.snapshot()
        self.calls.run(lambda: self.control.back(snapshot), self._on_went_back)

    def _on_went_back(self, view: ViewState | None) -> None:
        if view is not None:
            self._draw(view)

    def _on_nav_next_clicked(self) -> None:
        page = self.pages.page
        if page is None or self.calls.busy or not self.control.has_flow():
            return
        payload = page.payload()
        self.calls.run(lambda: self.control.submit(payload), self._draw)

    def _call_and_draw(self, work: Callable[[], ViewState]) -> None:
        """Staff's decisions (continue, resume, a release): after whatever is being saved."""
        self.calls.queue(work, self._draw)

    def _on_pages_initials_given(self, initials: Initials) -> None:
        page = self.pages.page
        if page is None or not self.control.has_flow() or not hasattr(page, "mark_acknowledged"):
            return
        self.calls.queue(
            lambda: self.control.acknowledge(initials),
            lambda view: self._on_acknowledged(page, initials, view),
        )

    def _on_acknowledged(self, page: KioskPage, initials: Initials, view: ViewState) -> None:
        if page is not self.pages.page:
            return  # the screen cleared meanwhile
        if view.accepted is not None:
            done = view.accepted
            page.mark_acknowledged(done.statement_id, done.role, done.initials)  # type: ignore[attr-defined]
            self._update_nav()
        elif view.errors:
            said = list(dict.fromkeys(worded(view, self.lang).errors.values()))
            text = " ".join(said)
            if all(isinstance(part, Worded) for part in said):
                text = Worded(text)
            page.show_initials_error(initials.statement_id, initials.role, text)  # type: ignore[attr-defined]

    def _on_pages_dob_disputed(self) -> None:
        """ "This is not my date of birth": the visit waits for staff to check the record."""
        page = self.pages.page
        if page is not None and not self.calls.busy and self.control.has_flow():
            snapshot = page.snapshot()
            self.calls.run(lambda: self.control.dispute_date_of_birth(snapshot), self._draw)

    # --- busy ------------------------------------------------------------------------------------

    def _on_calls_busy_changed(self, busy: bool) -> None:
        if busy:
            self._focus.remember(self.pages.page)
            self.setCursor(Qt.CursorShape.BusyCursor)
            self._update_nav()
        else:
            self.unsetCursor()
            self._update_nav()
            self._focus.give_back(self.pages.page)
        self.busy_changed.emit(busy)

    def _on_calls_failed(self, exc: BaseException) -> None:
        """The database could not be reached (the services' own refusals come back as views):
        the patient stays on the page, with what they typed, and may press again."""
        log.warning("kiosk save failed: %s", type(exc).__name__)
        if isinstance(self.pages.page, WelcomePage):
            self.pages.page.set_busy(False)
        self._show_on_page(ViewState(step=None, errors={"_": t("not_saved", self.lang)}))

    # --- read-aloud ------------------------------------------------------------------------------

    def _show_reading(self) -> None:
        self.bar.show_reading(
            self.lang, available=self.reader.available, speaking=self.reader.speaking()
        )

    def _on_reader_speaking_changed(self, speaking: bool) -> None:
        self._show_reading()
        if speaking:
            self._speech_keepalive.start(max(500, min(10_000, self.idle.timeout_ms // 2)))
        else:
            self._speech_keepalive.stop()
            self._on_speech_keepalive_timeout()  # a whole timeout to answer what was just heard

    def _on_speech_keepalive_timeout(self) -> None:
        if not self.idle.warning:  # only the patient answers "Are you still there?"
            self.idle.poke()

    def _on_bar_read_aloud_requested(self) -> None:
        page = self.pages.page
        if self.reader.speaking():
            self.reader.stop()
            return
        if page is not None:
            self.reader.speak_all(page.spoken_parts(), self.lang)

    def _on_page_listen_requested(self, statement_id: str, text: str) -> None:
        self.reader.speak([text], self.lang, statement_id)

    def _on_reader_heard(self, statement_id: str) -> None:
        """A statement was said to its end (never one cut short): its initials say so."""
        note_listened = getattr(self.pages.page, "note_listened", None)
        if note_listened is not None:
            note_listened(statement_id)

    def _on_stack_current_changed(self, _index: int) -> None:
        self.reader.stop()
        page = self.pages.page
        if page is not None and page is not self._listening_page and hasattr(page, "set_listening"):
            self._listening_page = page
            page.listen_requested.connect(self._on_page_listen_requested)  # type: ignore[attr-defined]
            why = "" if self.reader.available else t("read_aloud_none", self.lang)
            page.set_listening(self.reader.available, why)

    # --- staff -----------------------------------------------------------------------------------

    def _on_bar_staff_requested(self) -> None:
        self.staff.ask(self._ctx, self.lang, "leave", self._on_staff_confirmed_leave)

    def _on_staff_confirmed_leave(self, _info: object) -> None:
        self._close_allowed = True
        self.clear_screen("closed")
        self.kiosk_left.emit()
        self.close()

    def _on_pages_staff_requested(self, resume: bool) -> None:
        self.staff.continue_visit(resume=resume)

    # --- idle and done ---------------------------------------------------------------------------

    def _on_pages_activity(self, *_args: object) -> None:
        self.idle.poke()  # only while the watcher is on: wiping or restoring a page is no one's

    def _on_idle_guard_timed_out(self) -> None:
        self.idle_timed_out.emit()
        self.clear_screen("idle")

    def _on_issuer_finished(self, documents: object) -> None:
        if isinstance(self.pages.page, DonePage):
            self.pages.page.set_state("ready" if documents else "by_staff")
        self.documents_finished.emit(documents)
        self._done_timer.start()

    # --- window ----------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._fill_screen()

    def _fill_screen(self) -> None:
        """Full screen means the whole screen, also on a station with no window manager
        (a bare X server honours no full-screen request by itself)."""
        if not self.windowState() & Qt.WindowState.WindowFullScreen:
            return
        screen = self.screen()
        if screen is not None and self.geometry() != screen.geometry():
            self.setGeometry(screen.geometry())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._idle_guard.fit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._locked and not self._close_allowed:
            event.ignore()
            self.staff.ask(self._ctx, self.lang, "leave", self._on_staff_confirmed_leave)
            return
        self.idle.stop()
        self._done_timer.stop()
        self.reader.stop()
        if self.pages.page is not None:
            self.pages.page.wipe()
        self._forget("closed")  # off the GUI thread, after a save still running
        super().closeEvent(event)
