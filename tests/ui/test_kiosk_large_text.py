"""The largest text size on the smallest screen the kiosk runs on (1024 x 768): the top bar's
texts grow with the page's and none is cut (the bar takes further rows), and the PHQ-9 answers
stand in fewer columns rather than wrap to a tall, thin column of words, their marks (the radio
dots) never alone on a line. Grabs go to INTAKE_PSEUDO_SHOTS when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kiosk_fit import settled_clipped
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QPushButton, QWidget
from test_kiosk_driver import KioskDriver, register

from intake import i18n
from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.ui.kiosk.theme import TEXT_SIZES, Theme
from intake.ui.widgets.choices import MOST_LINES, RADIO_OFF, RADIO_ON, ChoiceButtons, WrapButton

LARGEST = len(TEXT_SIZES) - 1
MARKS = (RADIO_OFF, RADIO_ON)


@pytest.fixture(autouse=True)
def _pseudo_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    # autouse: set before the kiosk fixture builds its window
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")


def grab(widget: QWidget, name: str) -> None:
    shots = os.environ.get("INTAKE_PSEUDO_SHOTS", "")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(shots) / f"large-{name}.png"))


def pixels(widget: QWidget) -> int:
    return QFontInfo(widget.font()).pixelSize()


def bar_texts(kiosk: KioskDriver) -> list[QWidget]:
    bar = kiosk.window.bar
    return [bar.brand, *bar.findChildren(QPushButton)]


def settle(kiosk: KioskDriver, lang: str, size: int) -> None:
    window = kiosk.window
    window.set_language(lang)  # during a visit, once the controller has it
    kiosk.qtbot.waitUntil(lambda: window.lang == lang)
    kiosk.wait_idle()
    window.set_text_size(size)
    assert window.lang == lang and window.bar.sizes[size].isChecked()
    kiosk.qtbot.waitUntil(lambda: kiosk.page.isVisible())


@pytest.mark.parametrize("lang", ["en", "es", "pseudo"])
def test_the_top_bar_grows_with_the_text_size_and_cuts_nothing(
    kiosk: KioskDriver, lang: str
) -> None:
    window = kiosk.window
    window.resize(1024, 768)
    settle(kiosk, lang, 0)
    assert settled_clipped(kiosk.qtbot, window, [window.bar]) == []
    normal = {w.objectName() or "brand": pixels(w) for w in bar_texts(kiosk)}
    settle(kiosk, lang, LARGEST)
    cut = settled_clipped(kiosk.qtbot, window, [window.bar])
    grab(window, f"bar-{lang}")
    assert cut == [], "\n".join(cut)
    largest = {w.objectName() or "brand": pixels(w) for w in bar_texts(kiosk)}
    assert normal.keys() == largest.keys() and len(largest) >= 9
    for name, px in largest.items():
        # Like the page's text (20 to 32 px), about 1.6 times as large.
        assert px >= normal[name] * 1.4, f"{name}: {normal[name]} px, then {px} px"
    bar = window.bar
    assert bar.brand.text() == window.look.clinic  # the whole name, still
    for button in bar.findChildren(QPushButton):
        assert button.isVisible() and button.width() >= button.minimumSizeHint().width()
        assert window.rect().contains(QRect(button.mapTo(window, QPoint()), button.size()))
    # Back to the normal size, the bar is as it was.
    settle(kiosk, lang, 0)
    assert {w.objectName() or "brand": pixels(w) for w in bar_texts(kiosk)} == normal


def to_phq9(kiosk: KioskDriver, sqlite_ctx: AppContext) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    assert kiosk.step() == "phq9"


def answer_lines(buttons: ChoiceButtons) -> dict[str, list[str]]:
    return {b.full_text(): b.text().split("\n") for b in buttons.buttons().values()}


def reading_order(buttons: ChoiceButtons) -> list[WrapButton]:
    """The answers as seen: row by row, left to right."""
    return sorted(buttons.buttons().values(), key=lambda b: (b.y(), b.x()))


@pytest.mark.parametrize(
    ("lang", "screen", "size"),
    [
        ("pseudo", (1024, 768), LARGEST),
        ("es", (1024, 768), LARGEST),
        ("en", (1024, 768), LARGEST),
        ("pseudo", (1280, 800), LARGEST),
        ("pseudo", (1024, 768), 0),
    ],
    ids=["pseudo-1024-largest", "es-1024-largest", "en-1024-largest", "pseudo-1280", "normal"],
)
def test_phq9_answers_wrap_to_a_few_lines_with_their_marks(
    kiosk: KioskDriver, sqlite_ctx: AppContext, lang: str, screen: tuple[int, int], size: int
) -> None:
    to_phq9(kiosk, sqlite_ctx)
    window = kiosk.window
    window.resize(*screen)
    kiosk.qtbot.waitUntil(lambda: window.width() == screen[0])
    settle(kiosk, lang, size)
    page = kiosk.page
    cut = settled_clipped(kiosk.qtbot, window, [page, window.bar, window.nav])
    grab(page.scroller.widget(), f"phq9-{lang}-{screen[0]}-{size}")  # type: ignore[attr-defined]
    assert cut == [], "\n".join(cut)
    for buttons in [*page.items, page.difficulty]:  # type: ignore[attr-defined]
        for text, lines in answer_lines(buttons).items():
            assert len(lines) <= MOST_LINES, f"{text!r} in {len(lines)} lines: {lines}"
            # The mark is followed on its line by the answer's first word, never alone.
            assert lines[0][0] in MARKS and len(lines[0].split()) >= 2, f"{text!r}: {lines}"
            assert all(line.strip() not in MARKS for line in lines), f"{text!r}: {lines}"
        # However many columns, the answers read in their order.
        assert reading_order(buttons) == list(buttons.buttons().values())


def test_phq9_answers_stand_side_by_side_where_there_is_room(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    """At the normal size the four answers share one row; at the largest, in the pseudo-locale
    on the smaller screen, two rows of two (never three and one)."""
    to_phq9(kiosk, sqlite_ctx)
    window = kiosk.window
    window.resize(1024, 768)
    settle(kiosk, "pseudo", 0)
    first = kiosk.page.items[0]  # type: ignore[attr-defined]
    kiosk.qtbot.waitUntil(lambda: len({b.y() for b in first.buttons().values()}) == 1)
    assert first.grid.columns_at(first.width()) == 4
    window.set_text_size(LARGEST)
    kiosk.qtbot.waitUntil(lambda: len({b.y() for b in first.buttons().values()}) == 2)
    assert first.grid.columns_at(first.width()) == 2
    assert len({b.x() for b in first.buttons().values()}) == 2


def test_a_mark_keeps_to_the_first_word_however_narrow(qtbot) -> None:  # type: ignore[no-untyped-def]
    host = QWidget()
    qtbot.addWidget(host)
    host.setStyleSheet(Theme(LARGEST).style_sheet())
    button = WrapButton("⟦Sévéráál dáýýs⟧", host, marks=MARKS)
    button.setProperty("role", "option")
    host.show()
    for width in (120, 160, 200, 260, 400):
        button.resize(width, button.heightForWidth(width))
        lines = button.text().split("\n")
        assert lines[0].startswith(RADIO_OFF) and "⟦Sévéráál" in lines[0], (width, lines)
    # Too narrow for the mark and its word together: it says it does not wrap well there.
    assert not button.wraps_well(120)
    assert button.wraps_well(400)
