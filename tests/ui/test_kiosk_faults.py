"""A service error on any kiosk page reaches the patient, in their language, translated once:
the help-now page after a positive item 9 and the welcome-back (resume) page included."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel
from test_kiosk_driver import KioskDriver, desk_actor, register

from intake.services.base import STORAGE_MESSAGE
from intake.services.context import AppContext
from intake.services.errors import StorageUnavailable
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService
from intake.ui.kiosk import KioskWindow
from intake.ui.kiosk.base import SERVICE_ERROR_NAME
from intake.ui.operations import wait_for_operations

# The Spanish wording of STORAGE_MESSAGE, as the patient must read it (once translated).
STORAGE_ES = (
    "El sistema no responde o rechazó el cambio. No se guardó nada; inténtelo de nuevo o"
    " pida ayuda al personal."
)


@pytest.fixture
def driver(qtbot, sqlite_ctx: AppContext) -> Iterator[KioskDriver]:  # type: ignore[no-untyped-def]
    window = KioskWindow(sqlite_ctx, locked=False, done_return_ms=600_000)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    kiosk = KioskDriver(qtbot, window, sqlite_ctx)
    kiosk.wait_ready()
    yield kiosk
    window.clear_screen()
    assert wait_for_operations(30_000)


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise StorageUnavailable(STORAGE_MESSAGE)


def service_error(kiosk: KioskDriver) -> QLabel:
    label = kiosk.page.findChild(QLabel, SERVICE_ERROR_NAME)
    assert label is not None, f"{kiosk.page.objectName()} has no place for a service error"
    return label


def test_help_now_page_shows_a_refused_staff_continue_in_spanish(
    driver: KioskDriver, sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient = ScriptedPatient(lang="es", phq9=(1, 1, 1, 1, 0, 0, 0, 0, 1))
    reg = register(sqlite_ctx, patient)
    driver.window.begin_visit(
        VisitService(sqlite_ctx).hand_over(desk_actor(sqlite_ctx), reg.started.visit_id)
    )
    driver.wait_idle()
    assert driver.window.lang == "es"
    driver.fill_intake(patient)
    driver.answer_phq9(patient.phq9)
    assert driver.step() == "help_now"
    assert not service_error(driver).isVisible()
    monkeypatch.setattr(VisitService, "staff_continue", _refuse)
    driver.click("help_staff_continue")
    driver.staff_pin()
    label = service_error(driver)
    driver.qtbot.waitUntil(label.isVisible)
    assert label.text() == STORAGE_ES  # Spanish, and translated once (not wrapped again)
    assert label.accessibleName() == STORAGE_ES  # a screen reader says it too
    assert driver.step() == "help_now"  # the page stays; staff can try again
    monkeypatch.undo()
    driver.release_mood_alert()
    assert driver.step().startswith("topic:")


def test_resume_page_shows_a_failed_resume_in_spanish(
    driver: KioskDriver, sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient = ScriptedPatient(lang="es")
    reg = register(sqlite_ctx, patient)
    driver.open_with_code(patient.date_of_birth, reg.started.code)
    first = driver.step()
    driver.fill_intake_page(patient.page_answers()[first.split(":", 1)[1]])
    driver.next()
    assert driver.step() != first
    driver.window.clear_screen()  # the patient walked away; the visit waits in storage
    driver.click("welcome_lang_es")
    driver.open_with_code(patient.date_of_birth, reg.started.code)
    assert driver.page.objectName() == "page_resume"
    monkeypatch.setattr(VisitService, "draft", _refuse)
    driver.click("resume_staff_continue")
    driver.staff_pin()
    label = service_error(driver)
    driver.qtbot.waitUntil(label.isVisible)
    assert label.text() == STORAGE_ES
    assert driver.page.objectName() == "page_resume"
    assert driver.window.flow is None  # nothing of the visit is shown


def test_every_kiosk_page_has_a_place_for_a_service_error(qtbot, sqlite_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.kiosk.mood import HelpNowPage
    from intake.ui.kiosk.welcome import DonePage, ResumePage

    forms = sqlite_ctx.forms
    for page in (HelpNowPage(forms.phq9, "es"), ResumePage("es"), DonePage("es")):
        page.show_errors({"_": StorageUnavailable(STORAGE_MESSAGE).said})
        label = page.findChild(QLabel, SERVICE_ERROR_NAME)
        assert label is not None and label.text() == STORAGE_ES, type(page).__name__
        page.show_errors({})
        assert label.text() == ""
        page.deleteLater()
