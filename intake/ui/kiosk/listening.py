"""Read-aloud around the kiosk's pages: the bar's "Read aloud" button, a page's "Listen"
buttons, what was heard to its end, and the idle countdown while the kiosk speaks.

Speech stops whenever another page comes up (Next, Back, a language, the idle wipe).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from intake.ui.kiosk.reader import ReadAloud
from intake.ui.kiosk.text import t

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStackedWidget, QWidget

    from intake.ui.kiosk.chrome import AccessibilityBar
    from intake.ui.kiosk.host import PageHost
    from intake.ui.kiosk.idle import IdleWatcher


class PageReading(QObject):
    """Wires the one ``ReadAloud`` voice to the bar, the page on screen and the idle watcher;
    ``lang()`` is the language the kiosk speaks now."""

    def __init__(
        self,
        bar: AccessibilityBar,
        stack: QStackedWidget,
        pages: PageHost,
        idle: IdleWatcher,
        lang: Callable[[], str],
        parent: QObject,
    ):
        super().__init__(parent)
        self._bar, self._pages, self._idle, self._lang = bar, pages, idle, lang
        self.reader = ReadAloud(self)
        self.reader.speaking_changed.connect(self._on_reader_speaking_changed)
        self.reader.heard.connect(self._on_reader_heard)
        self._listening_page: QWidget | None = None
        # Listening is not idleness: while the kiosk speaks, the idle countdown starts over.
        self.keepalive = QTimer(self)
        self.keepalive.timeout.connect(self._on_keepalive_timeout)
        bar.read_aloud_requested.connect(self.toggle)
        stack.currentChanged.connect(self._on_stack_current_changed)

    def stop(self) -> None:
        self.reader.stop()

    def show_state(self) -> None:
        """The bar's button: "Read aloud", "Stop", or disabled saying why."""
        self._bar.show_reading(
            self._lang(), available=self.reader.available, speaking=self.reader.speaking()
        )

    def toggle(self) -> None:
        """The bar's button was pressed: the whole page is read, or the reading stops."""
        page = self._pages.page
        if self.reader.speaking():
            self.reader.stop()
            return
        if page is not None:
            self.reader.speak_all(page.spoken_parts(), self._lang())

    def _on_reader_speaking_changed(self, speaking: bool) -> None:
        self.show_state()
        if speaking:
            self.keepalive.start(max(500, min(10_000, self._idle.timeout_ms // 2)))
        else:
            self.keepalive.stop()
            self._on_keepalive_timeout()  # a whole timeout to answer what was just heard

    def _on_keepalive_timeout(self) -> None:
        if not self._idle.warning:  # only the patient answers "Are you still there?"
            self._idle.poke()

    def _on_page_listen_requested(self, statement_id: str, text: str) -> None:
        self.reader.speak([text], self._lang(), statement_id)

    def _on_reader_heard(self, statement_id: str) -> None:
        """A statement was said to its end (never one cut short): its initials say so."""
        note_listened = getattr(self._pages.page, "note_listened", None)
        if note_listened is not None:
            note_listened(statement_id)

    def _on_stack_current_changed(self, _index: int) -> None:
        self.reader.stop()
        page = self._pages.page
        if page is not None and page is not self._listening_page and hasattr(page, "set_listening"):
            self._listening_page = page
            page.listen_requested.connect(self._on_page_listen_requested)  # type: ignore[attr-defined]
            why = "" if self.reader.available else t("read_aloud_none", self._lang())
            page.set_listening(self.reader.available, why)
