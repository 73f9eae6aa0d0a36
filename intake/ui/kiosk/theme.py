"""The kiosk's look: a calm palette or a high-contrast one, in three text sizes.

The style sheet is a template (resources/styles/kiosk.qss); this module fills it in. Colours
were chosen for contrast: body text on the calm palette is above 12:1, buttons above 4.5:1.
"""

from __future__ import annotations

import os
import string
import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

# os.path rather than pathlib: this module is on the start-up path, and pathlib costs time there.
STYLES = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
    "resources",
    "styles",
)

# (name, base font size in px). The largest is about 1.6 times the normal size.
TEXT_SIZES: tuple[tuple[str, int], ...] = (("normal", 20), ("large", 25), ("larger", 32))

# The top bar's texts follow the text size too, a little smaller than the page's: its buttons'
# labels (language, text size, contrast, read aloud, staff) and the clinic's name.
BAR_SCALE = 0.9

FONT_FAMILIES = ("Noto Sans", "Segoe UI", "Helvetica Neue", "DejaVu Sans", "Arial", "sans-serif")

CALM = {
    "bg": "#f3f8f9",
    "card": "#ffffff",
    "text": "#1b2a33",
    "heading": "#14424f",
    "muted": "#44585f",
    "border": "#c9dade",
    "accent": "#1f6f80",
    "accent_strong": "#155462",
    "accent_soft": "#e1f0f2",
    "accent_text": "#15525f",
    "on_accent": "#ffffff",
    # Focus rings: one colour cannot stand out at 3:1 (WCAG 1.4.11) both on the light page and
    # on the dark bars, nor beside both a white and a teal button, so each place has its own.
    "focus": "#c25e00",
    "focus_filled": "#000000",
    "focus_bar": "#ffd166",
    "focus_bar_light": "#e07000",
    "focus_bar_filled": "#ffd166",
    "focus_pad": "#c25e00",
    "field": "#ffffff",
    "field_border": "#7d99a1",
    "error": "#a4161a",
    "good": "#1d6b3a",
    "done_bg": "#eef7f0",
    "notice_bg": "#fff6e0",
    "notice_text": "#4a3500",
    "notice_border": "#d39a00",
    "bar": "#14424f",
    "on_bar": "#ffffff",
    "bar_button": "#1d5766",
    "bar_button_border": "#8fb9c3",
    "disabled_bg": "#d7e1e3",
    "disabled_text": "#55666b",
    "scrim": "#16343d",  # opaque: nothing of the page shows through
    "pad": "#ffffff",
    "ink": "#0b2a6b",
    "guide": "#7d99a1",
}

HIGH_CONTRAST = {
    "bg": "#000000",
    "card": "#000000",
    "text": "#ffffff",
    "heading": "#ffff00",
    "muted": "#ffffff",
    "border": "#ffffff",
    "accent": "#ffff00",
    "accent_strong": "#ffffff",
    "accent_soft": "#333300",
    "accent_text": "#ffff00",
    "on_accent": "#000000",
    "focus": "#00ffff",
    "focus_filled": "#d000d0",
    "focus_bar": "#00ffff",
    "focus_bar_light": "#d000d0",
    "focus_bar_filled": "#d000d0",
    "focus_pad": "#d000d0",
    "field": "#000000",
    "field_border": "#ffffff",
    "error": "#ff8080",
    "good": "#7dff7d",
    "done_bg": "#002b00",
    "notice_bg": "#000000",
    "notice_text": "#ffff00",
    "notice_border": "#ffff00",
    "bar": "#000000",
    "on_bar": "#ffffff",
    "bar_button": "#000000",
    "bar_button_border": "#ffffff",
    "disabled_bg": "#333333",
    "disabled_text": "#bbbbbb",
    "scrim": "#000000",
    "pad": "#ffffff",
    "ink": "#000000",
    "guide": "#000000",
}

# Where each focus ring is drawn (resources/styles/kiosk.qss): pairs of palette colours, the one
# inside the ring (the widget's own background) and the one around it.
FOCUS_RINGS: dict[str, tuple[tuple[str, str], ...]] = {
    # fields, unchecked answers, quiet buttons, on the page or a card
    "focus": (("card", "card"), ("card", "bg"), ("field", "card"), ("accent_soft", "card")),
    # checked answers, the chosen language, primary buttons (Start) on the page
    "focus_filled": (("accent", "card"), ("accent", "bg")),
    # the top bar's buttons
    "focus_bar": (("bar_button", "bar"),),
    # the top bar's chosen text size or language, and Back, on the dark bars
    "focus_bar_light": (("on_bar", "bar"), ("card", "bar")),
    # Next on the navigation bar
    "focus_bar_filled": (("accent", "bar"),),
    "focus_pad": (("pad", "card"), ("pad", "bg")),
}


class Theme:
    """A text size (index into TEXT_SIZES) and whether the high-contrast palette is on."""

    __slots__ = ("high_contrast", "size_index")

    def __init__(self, size_index: int = 0, high_contrast: bool = False):
        self.size_index = size_index
        self.high_contrast = high_contrast

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Theme) and (self.size_index, self.high_contrast) == (
            other.size_index,
            other.high_contrast,
        )

    def __hash__(self) -> int:
        return hash((self.size_index, self.high_contrast))

    @property
    def base_px(self) -> int:
        return TEXT_SIZES[self.size_index][1]

    @property
    def colors(self) -> dict[str, str]:
        return HIGH_CONTRAST if self.high_contrast else CALM

    def style_sheet(self) -> str:
        return _style_sheet(self.size_index, self.high_contrast)


@cache
def _template() -> string.Template:
    with open(os.path.join(STYLES, "kiosk.qss"), encoding="utf-8") as f:
        return string.Template(f.read())


@cache
def _style_sheet(size_index: int, high_contrast: bool) -> str:
    base = TEXT_SIZES[size_index][1]
    values = dict(HIGH_CONTRAST if high_contrast else CALM)
    values.update(
        base=str(base),
        small=str(round(base * 0.85)),
        lead=str(round(base * 1.1)),
        families=", ".join(f'"{f}"' for f in FONT_FAMILIES),
        subtitle=str(round(base * 1.2)),
        title=str(round(base * 1.5)),
        bar_text=str(round(base * BAR_SCALE)),
        brand_text=str(base),
    )
    return _template().substitute(values)


def colour_pads(root: QWidget, theme: Theme) -> None:
    """Give every signature pad under ``root`` the theme's ink and paper."""
    module = sys.modules.get("intake.ui.widgets.signature_pad")
    if module is None:
        return  # no pad has been made yet
    colors = theme.colors
    for pad in root.findChildren(module.SignaturePadWidget):
        pad.set_colors(colors["ink"], colors["pad"], colors["guide"])
