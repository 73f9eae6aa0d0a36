"""The kiosk saves off the GUI thread: busy while a save runs, a second press applies nothing."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from test_kiosk_driver import KioskDriver, register

from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService


class SlowSave:
    """``VisitService.save_page`` held on an event: the test decides when the write ends."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.gate = threading.Event()
        self.started = threading.Event()
        self.on_gui_thread: list[bool] = []
        original = VisitService.save_page

        def save_page(service: VisitService, *args: object, **kwargs: object) -> object:
            self.on_gui_thread.append(threading.current_thread() is threading.main_thread())
            self.started.set()
            assert self.gate.wait(30), "the test never let the save finish"
            return original(service, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(VisitService, "save_page", save_page)


@pytest.fixture
def slow_save(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowSave]:
    slow = SlowSave(monkeypatch)
    yield slow
    slow.gate.set()  # never leave a worker waiting


def first_page_filled(kiosk: KioskDriver, sqlite_ctx: AppContext) -> str:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    step = kiosk.step()
    assert step.startswith("intake:")
    kiosk.fill_intake_page(patient.page_answers().get(step.split(":", 1)[1], {}))
    assert kiosk.window.nav.next.isEnabled()
    return step


def test_a_double_next_during_a_slow_save_applies_once_and_the_screen_stays_alive(
    kiosk: KioskDriver, sqlite_ctx: AppContext, slow_save: SlowSave
) -> None:
    window = kiosk.window
    step = first_page_filled(kiosk, sqlite_ctx)
    page = kiosk.page
    seen = len(kiosk.pages_seen)
    ticks: list[int] = []
    heartbeat = QTimer(window)
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: ticks.append(1))
    heartbeat.start()

    kiosk.qtbot.mouseClick(window.nav.next, Qt.MouseButton.LeftButton)
    assert slow_save.started.wait(10)
    # The save is held on its worker: the GUI thread still turns (the heartbeat ticks, the
    # page is still drawn) and the kiosk shows it is busy.
    kiosk.qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5_000)
    assert window.busy and not window.nav.next.isEnabled() and not window.nav.back.isEnabled()
    assert window.cursor().shape() == Qt.CursorShape.BusyCursor
    assert kiosk.page is page and kiosk.step() == step
    # A second press meanwhile: on the disabled button, and one that gets through anyway.
    kiosk.qtbot.mouseClick(window.nav.next, Qt.MouseButton.LeftButton)
    window.nav.next_clicked.emit()

    slow_save.gate.set()
    kiosk.wait_idle()
    heartbeat.stop()
    assert slow_save.on_gui_thread == [False]  # saved once, off the GUI thread
    assert len(kiosk.pages_seen) == seen + 1  # moved on one page, not two
    assert kiosk.step() != step and kiosk.page is not page
    assert window.cursor().shape() != Qt.CursorShape.BusyCursor
    assert not window.busy


def test_the_screen_cleared_during_a_save_keeps_nothing_of_the_patient(
    kiosk: KioskDriver, sqlite_ctx: AppContext, slow_save: SlowSave
) -> None:
    window = kiosk.window
    first_page_filled(kiosk, sqlite_ctx)
    kiosk.qtbot.mouseClick(window.nav.next, Qt.MouseButton.LeftButton)
    assert slow_save.started.wait(10)
    assert window.busy
    # The idle timer fires while the save is held: the screen clears at once...
    threading.Timer(0.3, slow_save.gate.set).start()
    window.clear_screen("idle")
    assert kiosk.page.objectName() == "page_welcome" and window.flow is None
    # ...the controller forgets the patient after the running save (it is never used from two
    # threads at once), and the save's result is not drawn on the next patient's screen.
    kiosk.wait_idle()
    assert window.control.visit is None
    assert kiosk.page.objectName() == "page_welcome" and window.flow is None
    assert not window.nav.isVisible()


def _released(ctx: AppContext) -> list[object]:
    from sqlalchemy import select

    from intake.store.models import AuditEvent

    with ctx.db.session() as s:
        return [
            e.detail
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "release_kiosk"))
        ]


@pytest.mark.parametrize("how", ["idle", "closed"])
def test_clearing_during_a_held_save_never_waits_for_it(
    kiosk: KioskDriver, sqlite_ctx: AppContext, slow_save: SlowSave, how: str
) -> None:
    """The idle wipe (or closing the kiosk) while a save holds the controller: the patient's
    page is gone at once and the GUI thread never waits; the visit is let go once the save
    ends, off the GUI thread."""
    window = kiosk.window
    first_page_filled(kiosk, sqlite_ctx)
    page = kiosk.page
    kiosk.qtbot.mouseClick(window.nav.next, Qt.MouseButton.LeftButton)
    assert slow_save.started.wait(10)
    safety = threading.Timer(10, slow_save.gate.set)  # a blocked GUI thread fails, not hangs
    safety.start()
    try:
        if how == "idle":
            window.clear_screen("idle")
        else:
            window.close()
        assert not slow_save.gate.is_set(), "the GUI thread waited for the running save"
    finally:
        safety.cancel()
    assert not page.isVisible()
    if how == "idle":
        assert kiosk.page is not page and kiosk.page.objectName() == "page_welcome"
        assert window.flow is None and window.lang == window.control.languages[0]
    assert window.busy and _released(sqlite_ctx) == []
    slow_save.gate.set()
    kiosk.qtbot.waitUntil(lambda: not window.busy, timeout=30_000)
    assert window.control.visit is None
    assert _released(sqlite_ctx) == [{"reason": how}]
    assert slow_save.on_gui_thread == [False]


def test_a_patient_starting_while_the_last_one_is_forgotten_is_served_after(
    kiosk: KioskDriver, sqlite_ctx: AppContext, slow_save: SlowSave
) -> None:
    """Welcome is usable at once after a wipe: a language chosen and a start pressed while the
    last patient's save still runs are applied after the controller has forgotten them."""
    window = kiosk.window
    first_page_filled(kiosk, sqlite_ctx)
    kiosk.qtbot.mouseClick(window.nav.next, Qt.MouseButton.LeftButton)
    assert slow_save.started.wait(10)
    window.clear_screen("idle")
    window.set_language("es")
    second = ScriptedPatient(
        first_name="Rosa", last_name="Prieto", date_of_birth=dt.date(1988, 2, 3)
    )
    reg = register(sqlite_ctx, second)
    kiosk.enter_date(kiosk.find("welcome_dob"), second.date_of_birth)
    kiosk.find("welcome_code").setText(reg.started.code)
    kiosk.qtbot.mouseClick(kiosk.find("welcome_start"), Qt.MouseButton.LeftButton)
    assert window.flow is None  # nothing of the first patient meanwhile
    slow_save.gate.set()
    kiosk.wait_idle()
    assert window.lang == "es"
    assert window.control.visit_id == reg.started.visit_id
    assert window.flow is not None and kiosk.step().startswith("intake:")


@pytest.fixture
def pseudo_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    from intake import i18n

    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")  # asked for before the kiosk fixture's window


@pytest.mark.parametrize("lang", ["es", "pseudo"])
def test_a_refusal_is_worded_from_the_catalogue_by_its_code(
    pseudo_offered: None, kiosk: KioskDriver, sqlite_ctx: AppContext, lang: str
) -> None:
    from intake import i18n

    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.window.set_language(lang)
    assert kiosk.window.lang == lang
    wrong = "".join(str((int(d) + 1) % 10) for d in reg.started.code)
    kiosk.open_with_code(patient.date_of_birth, wrong)
    error = kiosk.page.error  # type: ignore[attr-defined]
    assert error.isVisible()
    assert error.text() == i18n.tr("kiosk.error_visit_code_not_found", lang)
