"""Choosing another language at the kiosk, on the bar or on Welcome.

On Welcome (nothing to save yet) the language changes at once; in a visit the controller saves
it off the GUI thread, and a press while a save runs is undone. Then the window's own texts and
the page are drawn again in the new language, with what was typed on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from intake.ui.kiosk.welcome import ResumePage

if TYPE_CHECKING:
    from intake.services.kiosk_flow import KioskController
    from intake.ui.kiosk.calls import ControllerCalls
    from intake.ui.kiosk.drawing import ViewDrawer
    from intake.ui.kiosk.host import PageHost
    from intake.ui.kiosk.look import WindowLook


class LanguageSwitch(QObject):
    """``clearing()``: the controller is still forgetting the last patient (a choice then waits
    for it); ``retranslate()`` redraws the window's own texts, ``show_welcome(snapshot)``
    Welcome with what was typed on it."""

    def __init__(
        self,
        control: KioskController,
        calls: ControllerCalls,
        pages: PageHost,
        look: WindowLook,
        drawer: ViewDrawer,
        *,
        clearing: Callable[[], bool],
        lang: Callable[[], str],
        retranslate: Callable[[], None],
        show_welcome: Callable[[dict[str, Any]], None],
        parent: QObject,
    ):
        super().__init__(parent)
        self._control, self._calls, self._pages = control, calls, pages
        self._look, self._drawer = look, drawer
        self._clearing, self._lang = clearing, lang
        self._retranslate, self._show_welcome = retranslate, show_welcome

    def choose(self, lang: str) -> None:
        control, calls = self._control, self._calls
        snapshot = self._pages.page.snapshot() if self._pages.page is not None else {}
        if not self._clearing() and control.visit is None and not calls.busy:
            # Nothing to save yet (Welcome): at once.
            self._on_language_chosen(snapshot, control.choose_language(lang))
            return
        if self._clearing():  # after the controller has forgotten the last patient
            calls.queue(
                lambda: control.choose_language(lang),
                lambda changed: self._on_language_chosen(snapshot, changed),
            )
            return
        started = calls.run(
            lambda: control.choose_language(lang),
            lambda changed: self._on_language_chosen(snapshot, changed),
        )
        if not started:
            self._look.show_bar(self._lang())  # the press is undone

    def _on_language_chosen(self, snapshot: dict[str, Any], changed: bool) -> None:
        if not changed:
            self._look.show_bar(self._lang())
            return
        self._retranslate()
        control, pages, lang = self._control, self._pages, self._lang()
        flow = control.flow
        if flow is not None and flow.current.kind != "welcome" and control.ctx is not None:
            pages.redraw_step(flow, lang, control.ctx, snapshot)
        elif isinstance(pages.page, ResumePage):
            pages.show_resume(lang)
        else:
            self._show_welcome(snapshot)
        self._drawer.update_nav()
