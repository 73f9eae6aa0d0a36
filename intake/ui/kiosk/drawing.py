"""Drawing what the kiosk controller decides: the ``ViewState`` onto the page on screen and the
navigation bar, the kiosk's busy look while a controller call runs, and the documents issued
at the end of a visit (Done says whether they are ready, then returns to Welcome)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from intake.services.kiosk_payloads import Screen, ViewState
from intake.ui.kiosk.text import Worded, t, worded
from intake.ui.kiosk.welcome import DonePage, ResumePage, WelcomePage

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from intake.services.kiosk_flow import KioskController
    from intake.services.kiosk_payloads import Initials
    from intake.ui.kiosk.base import KioskPage
    from intake.ui.kiosk.calls import ControllerCalls
    from intake.ui.kiosk.chrome import NavBar
    from intake.ui.kiosk.focus import FocusOrder
    from intake.ui.kiosk.host import PageHost
    from intake.ui.kiosk.idle import IdleWatcher
    from intake.ui.kiosk.issuing import DocumentIssuer
    from intake.ui.kiosk.staff_unlock import StaffUnlock

log = logging.getLogger(__name__)


class ViewDrawer(QObject):
    """Shows each view the controller returns; says what happened (a visit opened, a new page,
    the visit submitted). ``lang()`` is the kiosk's language now; ``retranslate()`` redraws
    the window's own texts when a view changed the language. ``done_timer`` runs out
    ``done_return_ms`` after the documents were issued."""

    visit_opened = Signal(str)
    page_changed = Signal(str)
    visit_submitted = Signal(str)
    busy_changed = Signal(bool)  # a controller call (a save) runs / all are done and drawn
    documents_finished = Signal(object)  # list of DocumentInfo, or None when staff will do it

    def __init__(
        self,
        window: QWidget,
        control: KioskController,
        calls: ControllerCalls,
        pages: PageHost,
        nav: NavBar,
        *,
        idle: IdleWatcher,
        focus: FocusOrder,
        staff: StaffUnlock,
        issuer: DocumentIssuer,
        lang: Callable[[], str],
        retranslate: Callable[[], None],
        done_return_ms: int,
    ):
        super().__init__(window)
        self._window, self._control, self._calls = window, control, calls
        self._pages, self._nav, self._idle, self._focus = pages, nav, idle, focus
        self._staff, self._issuer = staff, issuer
        self._lang, self._retranslate = lang, retranslate
        calls.busy_changed.connect(self._on_calls_busy_changed)
        calls.failed.connect(self._on_calls_failed)
        pages.completeness_changed.connect(self._on_pages_completeness_changed)
        issuer.finished.connect(self._on_issuer_finished)
        self.done_timer = QTimer(self)
        self.done_timer.setSingleShot(True)
        self.done_timer.setInterval(done_return_ms)

    def draw(self, view: ViewState) -> None:
        """Show what the controller decided."""
        if view.submitted:
            self.visit_submitted.emit(view.submitted)
        if view.language_changed:
            self._retranslate()
        pages, control = self._pages, self._control
        if view.screen is Screen.WELCOME:
            self.show_on_page(view)
            return
        if view.screen is Screen.RESUME:
            self._idle.set_enabled(True)
            if not isinstance(pages.page, ResumePage):
                pages.show_resume(self._lang())
                self.update_nav()
            self.show_on_page(view)
            return
        if view.opened:
            self.visit_opened.emit(view.opened)
        if view.redraw and view.step is not None and control.ctx is not None:
            pages.show_step(control.flow, self._lang(), control.ctx, dict(view.restore))  # type: ignore[arg-type]
            self.update_nav()
            self._idle.set_enabled(view.watch_idle)
            self._idle.poke()
            self.page_changed.emit(view.step.id)
            if view.issue_documents:
                self._issuer.issue(control.document_job())
            return
        self.show_on_page(view)
        self._staff.note_if_asked(view)
        self.update_nav()

    def draw_opened(self, view: ViewState) -> None:
        """The answer to Start on Welcome: the visit's first page, or why not."""
        if isinstance(self._pages.page, WelcomePage):
            self._pages.page.set_busy(False)
        if view.screen is not Screen.WELCOME:
            self._idle.set_enabled(True)
        self.draw(view)

    def draw_if_any(self, view: ViewState | None) -> None:
        if view is not None:
            self.draw(view)

    def show_on_page(self, view: ViewState) -> None:
        from intake.ui.kiosk.pages import show_on_page

        lang = self._lang()
        view = worded(view, lang)
        ctx = self._control.ctx
        if self._pages.page is not None:
            show_on_page(self._pages.page, view, lang, ctx.forms if ctx else None)

    def draw_acknowledged(self, page: KioskPage, initials: Initials, view: ViewState) -> None:
        """Initials saved (the statement is marked done), or refused (why, under the box)."""
        if page is not self._pages.page:
            return  # the screen cleared meanwhile
        if view.accepted is not None:
            done = view.accepted
            page.mark_acknowledged(done.statement_id, done.role, done.initials)  # type: ignore[attr-defined]
            self.update_nav()
        elif view.errors:
            said = list(dict.fromkeys(worded(view, self._lang()).errors.values()))
            text = " ".join(said)
            if all(isinstance(part, Worded) for part in said):
                text = Worded(text)
            page.show_initials_error(initials.statement_id, initials.role, text)  # type: ignore[attr-defined]

    def update_nav(self) -> None:
        nav = self._nav
        if self._calls.busy:
            # The controller is being used on its worker thread: nothing is asked of it, and
            # nothing can be pressed until the save is done and drawn.
            nav.next.setEnabled(False)
            nav.back.setEnabled(False)
            return
        page = self._pages.page
        state = self._control.nav(page.is_complete()) if page is not None else None
        if state is None:
            nav.hide()
            return
        nav.show_state(state, self._lang())
        nav.show()

    def _on_pages_completeness_changed(self, _complete: bool) -> None:
        self.update_nav()

    def _on_calls_busy_changed(self, busy: bool) -> None:
        keeper = self._focus.keeper
        if busy:
            keeper.remember(self._pages.page)
            self._window.setCursor(Qt.CursorShape.BusyCursor)
            self.update_nav()
        else:
            self._window.unsetCursor()
            self.update_nav()
            keeper.give_back(self._pages.page)
        self.busy_changed.emit(busy)

    def _on_calls_failed(self, exc: BaseException) -> None:
        """The database could not be reached (the services' own refusals come back as views):
        the patient stays on the page, with what they typed, and may press again."""
        log.warning("kiosk save failed: %s", type(exc).__name__)
        if isinstance(self._pages.page, WelcomePage):
            self._pages.page.set_busy(False)
        self.show_on_page(ViewState(step=None, errors={"_": t("not_saved", self._lang())}))

    def _on_issuer_finished(self, documents: object) -> None:
        if isinstance(self._pages.page, DonePage):
            self._pages.page.set_state("ready" if documents else "by_staff")
        self.documents_finished.emit(documents)
        self.done_timer.start()
