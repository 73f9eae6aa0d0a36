"""The kiosk's top bar on a tablet-sized screen (1024 x 768) at the largest text size: the
clinic's name stays readable beside the buttons, in every language, and no button is cut off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QPushButton, QWidget
from test_kiosk_driver import KioskDriver

from intake import i18n
from intake.ui.kiosk.chrome import BRAND_MIN_WIDTH

LONG_NAME = "Riverside Dermatology and Skin Surgery Associates of the Lower Valley"


@pytest.fixture(autouse=True)
def _pseudo_offered(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    # autouse: set before the kiosk fixture builds its window (its bar offers one more language)
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("lang") == "pseudo":
        monkeypatch.setenv(i18n.PSEUDO_ENV, "1")


def in_bar(bar: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(bar, QPoint(0, 0)), widget.size())


def clipped(bar: QWidget) -> list[str]:
    """The bar's parts not wholly inside it, or narrower than they need to be."""
    out = []
    for widget in (bar.brand, *bar.findChildren(QPushButton)):  # type: ignore[attr-defined]
        if not widget.isVisible():
            continue
        if not bar.rect().contains(in_bar(bar, widget)):
            out.append(f"{widget.objectName() or 'brand'} outside the bar")
        elif widget is not bar.brand and widget.width() < widget.minimumSizeHint().width():  # type: ignore[attr-defined]
            out.append(f"{widget.objectName()} narrower than its text")
    return out


def at_tablet_size(kiosk: KioskDriver, lang: str) -> QWidget:
    window = kiosk.window
    window.resize(1024, 768)
    window.set_language(lang)
    window.set_text_size(len(window.bar.sizes) - 1)  # the largest text
    assert window.bar.sizes[-1].isChecked()
    bar = window.bar
    kiosk.qtbot.waitUntil(lambda: window.width() == 1024 and not clipped(bar))
    return bar


@pytest.mark.parametrize("lang", ["en", "es", "pseudo"])
def test_the_clinic_name_stays_readable_at_1024_pixels(kiosk: KioskDriver, lang: str) -> None:
    bar = at_tablet_size(kiosk, lang)
    brand = bar.brand  # type: ignore[attr-defined]
    name = kiosk.window.look.clinic
    assert name
    assert brand.text() == name  # all of it: it is short enough
    assert brand.width() >= brand.fontMetrics().horizontalAdvance(name)
    assert QAccessible.queryAccessibleInterface(brand).text(QAccessible.Text.Name) == name
    assert clipped(bar) == []


@pytest.mark.parametrize("lang", ["en", "pseudo"])
def test_a_long_clinic_name_is_cut_short_but_keeps_a_good_part_and_its_full_name(
    kiosk: KioskDriver, lang: str
) -> None:
    window = kiosk.window
    window.look.clinic = LONG_NAME
    bar = at_tablet_size(kiosk, lang)
    brand = bar.brand  # type: ignore[attr-defined]
    kiosk.qtbot.waitUntil(lambda: brand.text() != "" and brand.text() != LONG_NAME)
    shown = brand.text()
    assert shown.endswith("…") and LONG_NAME.startswith(shown[:-1])
    assert brand.width() >= BRAND_MIN_WIDTH and len(shown) > 15
    assert brand.toolTip() == LONG_NAME
    assert QAccessible.queryAccessibleInterface(brand).text(QAccessible.Text.Name) == LONG_NAME
    assert clipped(bar) == []


def test_a_wide_screen_keeps_the_bar_on_one_row(kiosk: KioskDriver) -> None:
    window = kiosk.window
    window.resize(1600, 900)
    bar = window.bar
    kiosk.qtbot.waitUntil(lambda: window.width() == 1600 and not clipped(bar))
    assert not bar.two_rows
    row = in_bar(bar, bar.sizes[0]).top()
    assert all(in_bar(bar, b).top() == row for b in bar.findChildren(QPushButton))
    assert bar.brand.text() == window.look.clinic


def test_the_bar_goes_to_two_rows_when_the_window_narrows(kiosk: KioskDriver) -> None:
    """On one row the bar asks no more width of the window than its two rows need: a window
    made narrower (a kiosk's screen) gets narrower, and the bar makes its second row."""
    window = kiosk.window
    window.look.clinic = LONG_NAME
    window.resize(2200, 900)
    window.set_language("en")
    bar = window.bar
    kiosk.qtbot.waitUntil(lambda: window.width() == 2200 and not clipped(bar))
    assert not bar.two_rows and bar.brand.text() == LONG_NAME
    window.resize(1024, 768)
    kiosk.qtbot.waitUntil(lambda: window.width() == 1024 and bar.two_rows and not clipped(bar))
    assert bar.brand.width() >= BRAND_MIN_WIDTH
