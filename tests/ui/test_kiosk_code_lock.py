"""What the patient and the front desk see when a visit code is being guessed.

The rule lives in the visit service (tests/services/test_visit_codes.py); the kiosk shows its
calm message in the patient's language, and the board tells staff to issue a new code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from test_kiosk_driver import KioskDriver, desk_actor, register

from intake.services.context import AppContext
from intake.services.errors import CodeLocked
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService
from intake.ui.kiosk.text import GENERIC, message, t

CALM = {
    "en": "Please ask at the front desk; they will help you start.",
    "es": "Por favor, pregunte en recepción; le ayudarán a empezar.",
}
WAIT = {"en": "try again here in 1 minute", "es": "intentarlo aquí dentro de 1 minuto"}
NOT_FOUND = {"en": "We could not find a visit", "es": "No encontramos una visita"}


def wrong(code: str, n: int) -> str:
    return f"{(int(code) + 1 + n) % 1_000_000:06d}"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_patient_is_sent_to_the_front_desk_calmly_in_their_language(
    kiosk: KioskDriver, sqlite_ctx: AppContext, lang: str
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    if lang == "es":
        kiosk.click("welcome_lang_es")
        kiosk.qtbot.waitUntil(lambda: kiosk.page.lang == "es")  # type: ignore[attr-defined]
    kiosk.enter_date(kiosk.find("welcome_dob"), patient.date_of_birth)
    for n in range(5):
        kiosk.type_into("welcome_code", wrong(reg.started.code, n))
        kiosk.click("welcome_start")
        error = kiosk.find("welcome_error")
        assert error.isVisible()
        if n < 4:
            assert NOT_FOUND[lang] in error.text()
    shown = kiosk.find("welcome_error").text()
    assert shown.startswith(CALM[lang]) and WAIT[lang] in shown
    assert kiosk.find("welcome_error").accessibleName() == shown  # read out as well
    assert kiosk.find("welcome_code").text() == ""  # the guess is not left on the screen
    kiosk.page.grab().save(f"/tmp/kiosk_code_locked_{lang}.png")

    # The right code waits too: the service refuses it, whatever the kiosk was told before.
    kiosk.type_into("welcome_code", reg.started.code)
    kiosk.click("welcome_start")
    assert kiosk.window.flow is None
    assert kiosk.find("welcome_error").text().startswith(CALM[lang])

    # The lock is this date of birth's, not the kiosk's: the next patient starts here as usual.
    other = ScriptedPatient(first_name="Lena", last_name="Berg", date_of_birth=dt.date(1990, 3, 4))
    other_reg = register(sqlite_ctx, other)
    kiosk.enter_date(kiosk.find("welcome_dob"), other.date_of_birth)
    kiosk.type_into("welcome_code", other_reg.started.code)
    kiosk.click("welcome_start")
    kiosk.qtbot.waitUntil(lambda: kiosk.window.flow is not None, timeout=10_000)
    assert kiosk.window.flow is not None


def test_a_second_kiosk_or_a_restart_does_not_get_round_the_lock(
    qtbot, kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    for n in range(5):  # guessed at another station
        with pytest.raises(Exception):  # noqa: B017 - NotFound, then CodeLocked
            VisitService(dataclasses.replace(sqlite_ctx, station="kiosk-2")).open_by_code(
                patient.date_of_birth, wrong(reg.started.code, n)
            )
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    assert kiosk.window.flow is None
    assert kiosk.find("welcome_error").text().startswith(CALM["en"])


def test_every_lock_out_message_has_spanish() -> None:
    for refusal in (CodeLocked(1), CodeLocked(61), CodeLocked(3600), CodeLocked(5, void=True)):
        spanish = message(refusal.said, "es")
        assert spanish != t(f"error_{GENERIC}", "es"), str(refusal)
        assert spanish.startswith(CALM["es"])
    assert "dentro de 2 minutos" in message(CodeLocked(61).said, "es")
    assert "dentro de 60 minutos" in message(CodeLocked(3600).said, "es")
    assert message(CodeLocked(5, void=True).said, "es") == CALM["es"]  # nothing to wait for


def test_the_board_says_code_void_and_staff_issue_a_new_one(qtbot, sqlite_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.front_desk import FrontDeskPage, VisitCodeDialog

    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    now = [sqlite_ctx.now()]
    sqlite_ctx.clock = lambda: now[0]
    visits = VisitService(sqlite_ctx)
    page = FrontDeskPage(sqlite_ctx, desk_actor(sqlite_ctx), board_refresh_ms=60_000)
    qtbot.addWidget(page)
    page.show()
    board = page.board

    def status() -> str:
        with qtbot.waitSignal(board.refreshed, timeout=10_000):
            board.refresh()
        assert board.select_visit(reg.started.visit_id)
        return board.text_at(board.table.currentIndex().row(), 0)

    for n in range(5):
        with pytest.raises(Exception):  # noqa: B017 - NotFound, then CodeLocked
            visits.open_by_code(patient.date_of_birth, wrong(reg.started.code, n))
    assert "code locked after wrong tries (1 min)" in status()
    assert board.font_at(board.table.currentIndex().row(), 0).bold()
    for n in range(5, 10):
        now[0] += dt.timedelta(hours=1)
        with pytest.raises(CodeLocked):
            visits.open_by_code(patient.date_of_birth, wrong(reg.started.code, n))
    assert status() == "Waiting for the kiosk — code void: issue a new code"
    board.grab().save("/tmp/board_code_void.png")

    assert board.new_code_button.isEnabled()
    with qtbot.waitSignal(board.code_issued) as issued:
        qtbot.mouseClick(board.new_code_button, Qt.MouseButton.LeftButton)
    started = issued.args[1]
    dialog = page.dialog
    assert isinstance(dialog, VisitCodeDialog)
    assert dialog.code_label.text().replace(" ", "") == started.code
    assert "old code no longer works" in " ".join(
        w.text() for w in dialog.findChildren(type(dialog.code_label))
    )
    dialog.accept()
    assert status() == "Waiting for the kiosk"
    assert visits.open_by_code(patient.date_of_birth, started.code).visit_id == reg.started.visit_id
