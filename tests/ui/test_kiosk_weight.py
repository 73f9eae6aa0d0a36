"""The weight a patient types at the kiosk is the weight they meant: a written unit is honoured
and the unit toggle follows it; what cannot be read stays on screen as typed, with a message
below saying what to type, and nothing is saved."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from test_kiosk_driver import KioskDriver, desk_actor, register, type_text

from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService
from intake.ui.widgets.entries import WeightEntryWidget

LABELS = {
    "number": "Weight",
    "in_kg": "That is {kg} kg.",
    "kg": "kg",
    "lb": "lb",
    "st": "st",
    "kg_name": "Kilograms",
    "lb_name": "Pounds",
    "st_name": "Stones and pounds",
}


def stored(kiosk: KioskDriver, vid: str) -> dict:  # type: ignore[type-arg]
    return VisitService(kiosk.ctx).draft(desk_actor(kiosk.ctx), vid).answers


def error_of(kiosk: KioskDriver, qid: str) -> str:
    field = kiosk.page.fields[qid]  # type: ignore[attr-defined]
    return field.error.text() if field.error.isVisible() else ""


def to_the_weight_page(kiosk: KioskDriver, sqlite_ctx: AppContext, lang: str = "en") -> str:
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False, lang=lang)
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake_page(patient.page_answers()["identity"])
    kiosk.next()
    assert kiosk.step() == "intake:body"
    return reg.started.visit_id


def weight_widget(kiosk: KioskDriver) -> WeightEntryWidget:
    widget = kiosk.page.fields["weight_kg"].input  # type: ignore[attr-defined]
    assert isinstance(widget, WeightEntryWidget)
    return widget


def test_pounds_typed_with_kg_selected_are_saved_as_pounds(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    vid = to_the_weight_page(kiosk, sqlite_ctx)
    weight = weight_widget(kiosk)
    assert weight.kg.isChecked()
    kiosk.type_into(weight.number, "154 lb")
    # The page shows what was understood: the toggle moved to lb, and the weight in kg.
    assert weight.number.text() == "154 lb"
    assert weight.lb.isChecked() and not weight.kg.isChecked()
    assert weight.understood.isVisible() and weight.understood.text() == "That is 69.9 kg."
    kiosk.next()
    kiosk.qtbot.waitUntil(lambda: kiosk.step() == "intake:allergies")
    assert stored(kiosk, vid)["weight_kg"] == pytest.approx(69.9)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-70", "Please type your weight without a + or - sign, for example 62.5."),
        ("1e9", "Please type your weight as plain digits, without an e, for example 62.5."),
        ("seventy", "Please type your weight in digits, for example 62.5 or 140 lb."),
        ("70 80", "Please type one weight only, for example 62.5 or 140 lb."),
    ],
)
def test_a_weight_that_cannot_be_read_stays_as_typed_with_what_to_type(
    kiosk: KioskDriver, sqlite_ctx: AppContext, typed: str, message: str
) -> None:
    vid = to_the_weight_page(kiosk, sqlite_ctx)
    weight = weight_widget(kiosk)
    kiosk.type_into(weight.number, typed)
    assert weight.number.text() == typed  # nothing stripped, nothing vanished
    kiosk.next()
    kiosk.qtbot.waitUntil(lambda: bool(error_of(kiosk, "weight_kg")))
    assert error_of(kiosk, "weight_kg") == message
    assert kiosk.step() == "intake:body"
    assert weight.number.text() == typed
    assert "weight_kg" not in stored(kiosk, vid)
    # Fixed, it goes through.
    kiosk.type_into(weight.number, "70")
    kiosk.next()
    kiosk.qtbot.waitUntil(lambda: kiosk.step() == "intake:allergies")
    assert stored(kiosk, vid)["weight_kg"] == 70.0


def test_the_message_is_in_spanish_for_a_spanish_speaker(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    to_the_weight_page(kiosk, sqlite_ctx, lang="es")
    weight = weight_widget(kiosk)
    kiosk.type_into(weight.number, "setenta")
    kiosk.next()
    kiosk.qtbot.waitUntil(lambda: bool(error_of(kiosk, "weight_kg")))
    assert error_of(kiosk, "weight_kg") == "Escriba su peso con cifras, por ejemplo 62,5 o 140 lb."
    assert weight.number.text() == "setenta"


def test_leaving_the_box_says_what_is_wrong_before_next(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    to_the_weight_page(kiosk, sqlite_ctx)
    weight = weight_widget(kiosk)
    kiosk.type_into(weight.number, "1.500")
    weight.number.editingFinished.emit()
    assert "no thousands separator" in error_of(kiosk, "weight_kg")
    assert weight.number.text() == "1.500"


# --- the widget on its own ----------------------------------------------------------------------


def test_no_character_is_dropped_however_long_or_odd(qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = WeightEntryWidget(LABELS)
    qtbot.addWidget(widget)
    typed = "about seventy-two kilos, I think"
    widget.number.setFocus()
    type_text(widget.number, typed)
    assert widget.number.text() == typed
    assert widget.value() == {"value": typed, "unit": "kg"}


def test_the_toggle_follows_the_written_unit_both_ways(qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = WeightEntryWidget(LABELS)
    qtbot.addWidget(widget)
    widget.lb.setChecked(True)
    widget.number.setFocus()
    type_text(widget.number, "70 kg")
    assert widget.kg.isChecked()
    assert widget.understood.isHidden()  # in kg already: nothing to convert
    # Tapping lb while the text says kg: the written unit is the answer, the toggle stays.
    qtbot.mouseClick(widget.lb, Qt.MouseButton.LeftButton)
    assert widget.kg.isChecked()
    # A bare number takes the toggle.
    widget.number.clear()
    type_text(widget.number, "150")
    qtbot.mouseClick(widget.lb, Qt.MouseButton.LeftButton)
    assert widget.lb.isChecked()
    assert widget.understood.text() == "That is 68 kg." and not widget.understood.isHidden()


def test_stones_where_the_clinic_allows_them(qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = WeightEntryWidget(LABELS, units=("kg", "lb", "st"))
    qtbot.addWidget(widget)
    assert list(widget.buttons) == ["kg", "lb", "st"]
    widget.number.setFocus()
    type_text(widget.number, "10 st 4 lb")
    assert widget.buttons["st"].isChecked()
    assert widget.understood.text() == "That is 65.3 kg."
    without = WeightEntryWidget(LABELS)
    qtbot.addWidget(without)
    assert "st" not in without.buttons
    without.number.setFocus()
    type_text(without.number, "10 st 4 lb")
    assert without.kg.isChecked() and without.understood.isHidden()
