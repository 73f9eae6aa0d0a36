"""Where the keyboard focus goes at the kiosk: the tab chain of the page on screen, a focused
field scrolled into view, and the focus kept across a save that disables Next."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from intake.ui.kiosk.base import KioskPage
    from intake.ui.kiosk.chrome import NavBar
    from intake.ui.kiosk.host import PageHost


class FocusKeeper:
    """Next is disabled while its save runs, which moves the keyboard focus away from it: the
    focus is given back when the patient stays on the same page (a refusal) and nothing else
    on the page took it meanwhile (a field with an error)."""

    def __init__(self) -> None:
        self._page: QWidget | None = None
        self._widget: QWidget | None = None

    def remember(self, page: QWidget | None) -> None:
        self._page, self._widget = page, QApplication.focusWidget()

    def give_back(self, current: QWidget | None) -> None:
        page, widget = self._page, self._widget
        self._page = self._widget = None
        if page is None or current is None or page is not current or widget is None:
            return
        if not shiboken6.isValid(widget) or not widget.isEnabled() or not widget.isVisible():
            return
        now = QApplication.focusWidget()
        if now is None or not current.isAncestorOf(now):
            widget.setFocus(Qt.FocusReason.OtherFocusReason)


class FocusOrder(QObject):
    """Tab follows what is seen (the top bar, the page, Back and Next in the page's order), and
    whatever takes the focus on the page is scrolled into view."""

    def __init__(self, pages: PageHost, nav: NavBar, parent: QObject):
        super().__init__(parent)
        self._pages, self._nav = pages, nav
        self.keeper = FocusKeeper()
        pages.shown.connect(self._on_pages_shown)

    def watch_application(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_app_focus_changed)

    def _on_pages_shown(self, page: KioskPage) -> None:
        """The page's last focusable widget is followed by the navigation. (A page joins the
        window's focus chain after the navigation, which was made first.)"""
        last: QWidget | None = None  # Qt orders only widgets that take focus
        widget = page.nextInFocusChain()
        while widget is not None and widget is not page and page.isAncestorOf(widget):
            if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                last = widget
            widget = widget.nextInFocusChain()
        if last is None:
            return
        nav = self._nav
        first, second = (nav.next, nav.back) if page.next_before_back else (nav.back, nav.next)
        QWidget.setTabOrder(last, first)
        QWidget.setTabOrder(first, second)

    def _on_app_focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        """A focused field is scrolled into view, however it got the focus (WCAG 2.4.11)."""
        page = self._pages.page
        if now is None or page is None:
            return
        viewport = page.scroller.viewport()
        if not viewport.isAncestorOf(now):
            return
        box = QRect(now.mapTo(viewport, QPoint(0, 0)), now.size())
        if not viewport.rect().contains(box):  # a tap lands on what is in view: no scrolling
            page.reveal(now)
