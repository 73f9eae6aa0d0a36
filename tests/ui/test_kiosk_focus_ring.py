"""The focus ring stands out at least 3:1 (WCAG 1.4.11) against every colour it touches: the
widget's own background inside it and what lies around it, on the page and on the dark bars, in
the calm and the high-contrast palette. Computed from the theme's colours, then checked on
screen: the ring drawn around real widgets has the colour the theme gives that place."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QWidget
from test_kiosk_driver import KioskDriver, register

from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.ui.kiosk.theme import CALM, FOCUS_RINGS, HIGH_CONTRAST


def luminance(colour: str) -> float:
    c = QColor(colour)

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#c25e00", "#14424f") == pytest.approx(2.55, abs=0.01)  # the old ring


@pytest.mark.parametrize("palette", [CALM, HIGH_CONTRAST], ids=["calm", "high_contrast"])
def test_every_focus_ring_is_3_to_1_against_what_it_touches(palette: dict[str, str]) -> None:
    weak = [
        f"{ring} {palette[ring]} beside {place} {palette[place]}: "
        f"{contrast(palette[ring], palette[place]):.2f}"
        for ring, pairs in FOCUS_RINGS.items()
        for pair in pairs
        for place in pair
        if contrast(palette[ring], palette[place]) < 3.0
    ]
    assert weak == []


def ring_colours(widget: QWidget) -> tuple[str, str, str]:
    """(inside, ring, outside) on the middle of the widget's left edge, as drawn."""
    window = widget.window()
    image = window.grab().toImage()
    left = widget.mapTo(window, QPoint(0, widget.height() // 2))
    dpr = image.devicePixelRatio()

    def at(dx: int) -> str:
        p = left + QPoint(dx, 0)
        return image.pixelColor(round(p.x() * dpr), round(p.y() * dpr)).name()

    return at(5), at(1), at(-3)


@pytest.mark.parametrize("high_contrast", [False, True], ids=["calm", "high_contrast"])
def test_the_rings_on_screen_are_the_theme_colours_for_their_place(
    kiosk: KioskDriver, sqlite_ctx: AppContext, high_contrast: bool
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.window.set_high_contrast(high_contrast)
    palette = HIGH_CONTRAST if high_contrast else CALM
    kiosk.fill_intake_page(patient.page_answers()["identity"])
    page = kiosk.page
    sex = page.fields["sex_at_birth"].input  # type: ignore[attr-defined]
    chosen = next(b for b in sex.buttons().values() if b.isChecked())
    other = next(b for b in sex.buttons().values() if not b.isChecked())
    bar = kiosk.window.bar
    unchecked_bar = next(b for b in bar.sizes if not b.isChecked())
    checked_bar = next(b for b in bar.sizes if b.isChecked())
    places: list[tuple[QWidget, str]] = [
        (page.fields["first_name"].input, "focus"),  # type: ignore[attr-defined]
        (other, "focus"),
        (chosen, "focus_filled"),
        (unchecked_bar, "focus_bar"),
        (checked_bar, "focus_bar_light"),
        (kiosk.window.nav.next, "focus_bar_filled"),
    ]
    if kiosk.window.nav.back.isVisible():
        places.append((kiosk.window.nav.back, "focus_bar_light"))
    for widget, ring in places:
        assert widget.isEnabled(), widget.objectName()
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        kiosk.qtbot.waitUntil(widget.hasFocus)
        inside, drawn, outside = ring_colours(widget)
        name = widget.objectName()
        assert drawn == palette[ring], f"{name}: the ring is {drawn}, not {ring}"
        assert contrast(drawn, inside) >= 3.0, f"{name}: {drawn} inside {inside}"
        assert contrast(drawn, outside) >= 3.0, f"{name}: {drawn} on {outside}"
        if isinstance(widget, QAbstractButton):
            assert widget.hasFocus()
