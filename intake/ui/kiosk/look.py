"""The kiosk window's own look: its theme (text size, contrast), title, locale and top bar, and
full screen meaning the whole screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt

from intake.i18n import language
from intake.ui.kiosk.text import t
from intake.ui.kiosk.theme import TEXT_SIZES, Theme, colour_pads

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from intake.ui.kiosk.chrome import AccessibilityBar


class WindowLook:
    """What ``window`` and its ``bar`` show whatever the page: ``theme``, and ``clinic`` (the
    clinic's name in the bar, once the database is open)."""

    def __init__(self, window: QWidget, bar: AccessibilityBar):
        self._window, self._bar = window, bar
        self.theme = Theme()
        self.clinic = ""

    def sized(self, index: int) -> Theme:
        """The theme with text size ``index`` (kept within the sizes there are)."""
        return Theme(max(0, min(len(TEXT_SIZES) - 1, index)), self.theme.high_contrast)

    def contrasted(self, on: bool) -> Theme:
        return Theme(self.theme.size_index, on)

    def set_theme(self, theme: Theme) -> bool:
        """Apply ``theme``; False when it is the one on already."""
        if theme == self.theme:
            return False
        self.theme = theme
        self.apply()
        return True

    def apply(self) -> None:
        self._window.setStyleSheet(self.theme.style_sheet())
        colour_pads(self._window, self.theme)

    def retranslate(self, lang: str) -> None:
        self._window.setWindowTitle(t("window_title", lang))
        # The language a screen reader reads in: every widget inherits the window's locale,
        # which the accessibility interface reports (QAccessible.Attribute.Locale).
        self._window.setLocale(QLocale(language(lang).locale))
        self.show_bar(lang)

    def show_bar(self, lang: str) -> None:
        """The bar in ``lang`` (also to undo a language press that was refused)."""
        self._bar.retranslate(lang, self.theme, self.clinic)


def fill_screen(window: QWidget) -> None:
    """Full screen means the whole screen, also on a station with no window manager (a bare X
    server honours no full-screen request by itself)."""
    if not window.windowState() & Qt.WindowState.WindowFullScreen:
        return
    screen = window.screen()
    if screen is not None and window.geometry() != screen.geometry():
        window.setGeometry(screen.geometry())
