"""The progress line says where the patient is inside a part, and the check says how long it is.

"Part 4 of 6" alone hid ten topic pages, and "a few short questions" came before fifteen.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel
from test_kiosk_driver import KioskDriver, register

from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient


def where(kiosk: KioskDriver) -> str:
    """The progress line as shown, checked against what a screen reader is told."""
    nav = kiosk.window.nav
    assert nav.isVisible()
    text = nav.where.text()
    assert nav.bar.accessibleDescription() == text
    return text


def quiz_intro(kiosk: KioskDriver) -> str:
    label = kiosk.page.findChild(QLabel, "quiz_intro")
    assert label is not None and label.isVisibleTo(kiosk.page)
    return label.text()


def test_an_adult_who_can_become_pregnant_sees_topic_and_question_counts(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    assert where(kiosk) == "Part 1 of 6: About you"
    kiosk.fill_intake_page(patient.page_answers()["identity"])
    kiosk.next()
    assert where(kiosk) == "Part 2 of 6: Your health · Page 1 of 6"
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    assert kiosk.step() == "topic:purpose"
    assert where(kiosk) == "Part 4 of 6: About your treatment · Topic 1 of 10"
    kiosk.initial_topic(patient)
    kiosk.next()
    kiosk.initial_topic(patient)
    kiosk.next()
    assert where(kiosk) == "Part 4 of 6: About your treatment · Topic 3 of 10"
    kiosk.walk_topics(patient)
    assert kiosk.step().startswith("quiz:")
    assert where(kiosk) == "Part 5 of 6: Check your understanding · Question 1 of 15"
    assert quiz_intro(kiosk) == (
        "There are 15 questions. They help make sure the most important points are clear."
    )


def test_a_minor_who_cannot_become_pregnant_is_told_in_spanish(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    today = sqlite_ctx.today()
    patient = ScriptedPatient(
        first_name="Mateo",
        last_name="Álvarez",
        date_of_birth=today.replace(year=today.year - 16) - dt.timedelta(days=40),
        sex_at_birth="male",
        can_become_pregnant=False,
        lang="es",
    )
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    assert kiosk.step() == "guardian"
    # Ten topics for the patient and one for the guardian, still all ahead.
    assert where(kiosk) == "Parte 4 de 6: Sobre su tratamiento · 11 temas para leer"
    kiosk.fill_guardian(*patient.guardian)
    assert where(kiosk) == "Parte 4 de 6: Sobre su tratamiento · Tema 1 de 11"
    kiosk.click(kiosk.window.bar.languages["en"])  # the line follows a change of language
    assert where(kiosk) == "Part 4 of 6: About your treatment · Topic 1 of 11"
    kiosk.click(kiosk.window.bar.languages["es"])
    seen = kiosk.walk_topics(patient)
    assert seen[-1] == "topic:guardian"
    assert where(kiosk) == "Parte 5 de 6: Compruebe lo que entendió · Pregunta 1 de 10"
    assert quiz_intro(kiosk) == (
        "Son 10 preguntas. Nos ayudan a comprobar que los puntos más importantes están claros."
    )


def test_the_longer_progress_line_wraps_instead_of_clipping(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient(lang="es")
    reg = register(sqlite_ctx, patient)
    kiosk.window.resize(1024, 768)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    kiosk.walk_topics(patient)
    kiosk.click(kiosk.window.bar.sizes[-1])  # the largest text, on a tablet-sized screen
    label = kiosk.window.nav.where
    assert where(kiosk) == "Parte 5 de 6: Compruebe lo que entendió · Pregunta 1 de 15"
    assert label.fontMetrics().horizontalAdvance(label.text()) > label.width()  # one line won't do
    assert label.wordWrap()
    kiosk.qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()) > 0)
