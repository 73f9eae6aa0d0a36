"""Nothing moves under the patient's finger: a follow-up question that appears does not push the
next question's answers away, and a message on Welcome does not move Start. Measured as the
widgets' places in the window before and after."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget
from test_kiosk_driver import KioskDriver, register

from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient


def on_screen(widget: QWidget) -> QRect:
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def to_pregnancy_page(kiosk: KioskDriver, sqlite_ctx: AppContext, size: int) -> None:
    patient = ScriptedPatient(sex_at_birth="female")
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.window.set_text_size(size)
    pages = patient.page_answers()
    while kiosk.step() != "intake:pregnancy":
        kiosk.fill_intake_page(pages.get(kiosk.step().split(":", 1)[1], {}))
        kiosk.next()


@pytest.mark.parametrize("size", [0, 2], ids=["normal", "largest"])
def test_a_follow_up_question_does_not_move_the_next_answers(
    kiosk: KioskDriver, sqlite_ctx: AppContext, size: int
) -> None:
    if True:
        to_pregnancy_page(kiosk, sqlite_ctx, size)
        page = kiosk.page
        fields = page.fields  # type: ignore[attr-defined]
        organs = fields["uterus_and_ovary"].input
        kiosk.click(organs.button("unsure"))
        follow_up = fields["pregnancy_ruled_out"]
        assert follow_up.isHidden() and fields["pregnant_now"].isVisible()
        target = fields["pregnant_now"].input.button("no")
        kiosk.page.reveal(target)  # the patient scrolled to it and is about to tap it
        kiosk.qtbot.waitUntil(lambda t=target: t.visibleRegion().boundingRect() == t.rect())
        before = on_screen(target)
        kiosk.click(organs.button("yes"))  # the finger's last tap above it
        assert follow_up.isVisible()  # "Has a doctor confirmed …", above "Are you pregnant"
        assert on_screen(target) == before, f"at text size {size}"
        assert target.visibleRegion().boundingRect() == target.rect()
        # Going back to "Not sure" takes the follow-up away; the answers below stay put again
        # (the page scrolls back up as far as it can).
        back = organs.button("unsure")
        kiosk.page.reveal(back)
        kiosk.qtbot.waitUntil(lambda: back.visibleRegion().boundingRect() == back.rect())
        before = on_screen(target)
        scrolled = kiosk.page.scroller.verticalScrollBar().value()  # type: ignore[attr-defined]
        kiosk.click(back)
        assert follow_up.isHidden()
        moved = before.y() - on_screen(target).y()
        assert moved == max(0, follow_up.height() + 18 - scrolled) or moved == 0


def test_welcome_messages_do_not_move_start(kiosk: KioskDriver, sqlite_ctx: AppContext) -> None:
    page = kiosk.page
    start = kiosk.find("welcome_start", QAbstractButton)
    error = kiosk.find("welcome_error")
    dob = kiosk.find("welcome_dob")
    for name, text in (("date_month", "13"), ("date_day", "45"), ("date_year", "1999")):
        dob.findChild(QLineEdit, name).setText(text)
    kiosk.find("welcome_code", QLineEdit).setText("123456")
    before = on_screen(start)
    kiosk.click(start)
    assert error.isVisible() and error.text()
    assert on_screen(start) == before
    # The longest message there is: the wait after too many wrong codes, in Spanish.
    page.show_refusal(  # type: ignore[attr-defined]
        "Por favor, pregunte en recepción; le ayudarán a empezar. "
        "También puede intentarlo aquí dentro de 15 minutos."
    )
    assert error.isVisible()
    assert on_screen(start) == before
    kiosk.find("welcome_code", QLineEdit).setText("1")  # typing again clears it
    assert not error.isVisible()
    assert on_screen(start) == before


@pytest.mark.parametrize("text", ["Several days", "Casi todos los días", "Nearly every day"])
def test_an_answer_stays_on_one_line_in_a_button_wide_enough_for_it(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.kiosk.theme import Theme
    from intake.ui.widgets.choices import RADIO_OFF, RADIO_ON, WrapButton

    host = QWidget()
    qtbot.addWidget(host)
    host.setStyleSheet(Theme().style_sheet())
    button = WrapButton(text, host, marks=(RADIO_OFF, RADIO_ON))
    button.setProperty("role", "option")
    one_word = WrapButton("No", host, marks=(RADIO_OFF, RADIO_ON))
    one_word.setProperty("role", "option")
    host.show()
    # The label (in bold, as when chosen), its mark, the button's padding and border, and a
    # little room: nothing more.
    bold = QFont(button.font())
    bold.setBold(True)
    padding_and_border = 2 * 16 + 2 * 2
    wide = QFontMetrics(bold).horizontalAdvance(f"{RADIO_ON}  {text}") + padding_and_border + 12
    button.resize(wide, button.heightForWidth(wide))
    one_word.resize(wide, one_word.heightForWidth(wide))
    assert "\n" not in button.text()
    assert button.heightForWidth(wide) == one_word.heightForWidth(wide)
    # Chosen, it is drawn in bold: the same line, not cut off, not wrapped anew.
    height = button.heightForWidth(wide)
    button.setCheckable(True)
    button.setChecked(True)
    assert "\n" not in button.text() and button.heightForWidth(wide) == height
    assert QFontMetrics(bold).horizontalAdvance(button.text()) <= wide - padding_and_border
    # Narrower than its text: it wraps (and grows) rather than clip.
    narrow = wide // 2
    assert button.heightForWidth(narrow) > one_word.heightForWidth(narrow)


def test_phq9_answers_fit_on_one_line_when_their_buttons_are_wide_enough(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    for lang in ("en", "es"):
        kiosk.window.set_language(lang)
        buttons = kiosk.page.items[0].buttons()  # type: ignore[attr-defined]
        for button in buttons.values():
            room = button.width() - 2 * 16 - 2 * 2
            bold = QFont(button.font())
            bold.setBold(True)
            one_line = QFontMetrics(bold).horizontalAdvance(button.full_text() + "○  ") < room - 8
            if one_line:
                assert "\n" not in button.text(), f"{button.full_text()!r} wrapped in {room} px"
        several = buttons["1"]
        assert "\n" not in several.text()  # "Several days", "Varios días"


def test_a_chosen_answer_in_bold_is_never_cut_off(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    """The pregnancy page's long birth-control list, at the largest text size: every line of
    every answer fits its button in bold, as it is drawn when chosen."""
    to_pregnancy_page(kiosk, sqlite_ctx, 2)
    methods = kiosk.page.fields["contraception_methods"].input  # type: ignore[attr-defined]
    for button in methods.buttons().values():
        bold = QFont(button.font())
        bold.setBold(True)
        room = button.width() - 2 * 16 - 2 * 2
        for line in button.text().split("\n"):
            assert QFontMetrics(bold).horizontalAdvance(line) <= room, line
