"""The one page on screen: made, shown in the stack, and wiped and deleted when it is left.

Whatever page is up, its requests come out of the host's own signals, so the window connects
once and never to a page of a given kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from intake.ui.kiosk.base import announce
from intake.ui.kiosk.welcome import DonePage, ResumePage, WelcomePage

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStackedWidget

    from intake.domain.wizard import KioskFlow
    from intake.services.context import AppContext
    from intake.ui.kiosk.base import KioskPage


def watch_activity(root: QWidget, activity: SignalInstance) -> None:
    """Emit ``activity`` when any button under ``root`` is clicked or toggled or any line
    edit's text changes: what a screen reader or switch device does through the
    accessibility interface (press, toggle, set text) reaches these signals, not the input
    events the idle timer watches."""
    for button in root.findChildren(QAbstractButton):
        button.clicked.connect(activity)
        # The accessible toggle action of a check box or radio button toggles it, no click.
        button.toggled.connect(activity)
    for edit in root.findChildren(QLineEdit):
        edit.textChanged.connect(activity)


class PageHost(QObject):
    completeness_changed = Signal(bool)
    staff_requested = Signal(bool)  # True on the resume page: staff confirm the resume
    dob_disputed = Signal()
    initials_given = Signal(object)  # kiosk_payloads.Initials
    language_chosen = Signal(str)  # on Welcome
    start_requested = Signal(object, str)  # Welcome: date of birth, code
    input_changed = Signal(bool)  # Welcome: whether anything is typed
    leave_requested = Signal()  # the resume page cancelled, or Done finished: clear the screen
    # Something on the page was pressed or its text changed, by anyone: keys, touch, or
    # assistive technology acting through the accessibility interface (which sends no input
    # events for the idle timer to see).
    activity = Signal()
    shown = Signal(object)  # the page now on screen, before it takes the focus

    def __init__(self, stack: QStackedWidget, on_sign_page: Callable[[], None]):
        super().__init__(stack)
        self._stack = stack
        self._on_sign_page = on_sign_page
        self.page: KioskPage | None = None

    def show(self, page: KioskPage) -> None:
        old, self.page = self.page, page
        page.completeness_changed.connect(self.completeness_changed)
        page.staff_continue_requested.connect(self._on_page_staff_continue_requested)
        page.dob_disputed.connect(self.dob_disputed)
        page.initials_given.connect(self.initials_given)
        self._stack.addWidget(page)
        self._stack.setCurrentWidget(page)
        watch_activity(page, self.activity)
        if page.objectName().startswith("page_sign"):
            self._on_sign_page()
        if old is not None:
            old.wipe()
            self._stack.removeWidget(old)
            old.deleteLater()
        self.shown.emit(page)
        page.focus_heading()
        # The heading taking the focus is how a screen reader says where the patient is (and
        # its reading cursor starts there); announcing the title as well would have it said
        # twice. Only a title the focus could not reach is announced, politely.
        heading = page.heading
        if page.title_text and (heading is None or not heading.hasFocus()):
            announce(page, page.title_text, assertive=False)

    def show_welcome(self, lang: str, clinic: str, snapshot: dict[str, Any] | None = None) -> None:
        page = WelcomePage(lang, clinic)
        page.language_chosen.connect(self.language_chosen)
        page.start_requested.connect(self.start_requested)
        page.input_changed.connect(self.input_changed)
        if snapshot:
            page.restore(snapshot)
        self.show(page)

    def show_resume(self, lang: str) -> None:
        page = ResumePage(lang)
        page.cancelled.connect(self.leave_requested)
        self.show(page)

    def show_step(
        self, flow: KioskFlow, lang: str, ctx: AppContext, restore: dict[str, Any] | None = None
    ) -> None:
        """The page of the flow's current step (``restore``: what was typed on it before)."""
        page = self._build(flow, lang, ctx)
        if restore:
            page.restore(restore)
        self.show(page)

    def redraw_step(
        self, flow: KioskFlow, lang: str, ctx: AppContext, snapshot: dict[str, Any]
    ) -> None:
        """The same step again, in another language, with what was typed (``snapshot``)."""
        state = self.page.state if isinstance(self.page, DonePage) else None
        page = self._build(flow, lang, ctx)
        page.restore(snapshot)
        if isinstance(page, DonePage) and state:
            page.set_state(state)
        self.show(page)

    def _build(self, flow: KioskFlow, lang: str, ctx: AppContext) -> KioskPage:
        from intake.ui.kiosk.pages import build_page

        page = build_page(flow.current, flow, lang, ctx)
        if isinstance(page, DonePage):
            page.finished.connect(self.leave_requested)
        return page

    def _on_page_staff_continue_requested(self) -> None:
        self.staff_requested.emit(isinstance(self.page, ResumePage))
