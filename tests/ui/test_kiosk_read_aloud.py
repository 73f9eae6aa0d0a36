"""Read-aloud at the kiosk (Section 508 §402): the top bar's "Read aloud" speaks the page in the
patient's language through a process of its own, each statement has its own "Listen", and speech
stops on "Stop", on a page change and on the idle wipe. Without an engine the button says so.

The engine here is a stand-in (a Python script that writes down what it was asked to say, then
"speaks" until it is ended), so the tests see the text, the voice and the process; the real
engine's sound is measured in tests/test_speech.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QPushButton
from test_kiosk_driver import KioskDriver, register

from intake import speech
from intake.domain import rules
from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.ui.kiosk.text import t

ENGINE = """\
import json, sys, time
text = sys.stdin.read()
with open({out!r}, "a", encoding="utf-8") as fh:
    fh.write(json.dumps({{"args": sys.argv[1:], "text": text}}) + "\\n")
time.sleep(60)
"""


class StandIn:
    def __init__(self, folder: Path):
        self.out = folder / "spoken.jsonl"
        script = folder / "engine.py"
        script.write_text(ENGINE.format(out=str(self.out)), encoding="utf-8")
        self.engine = speech.Engine(sys.executable, (str(script),))

    def said(self) -> list[dict[str, Any]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text("utf-8").splitlines()]


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> StandIn:
    fake = StandIn(tmp_path)
    monkeypatch.setattr(speech, "find_engine", lambda: fake.engine)
    return fake


@pytest.fixture
def talking(stand_in: StandIn, kiosk: KioskDriver) -> KioskDriver:
    """The kiosk, made after the stand-in engine was put in place."""
    return kiosk


def _bar_button(kiosk: KioskDriver) -> QPushButton:
    return kiosk.window.bar.read_aloud


def _wait_said(kiosk: KioskDriver, stand_in: StandIn, count: int) -> dict[str, Any]:
    kiosk.qtbot.waitUntil(lambda: len(stand_in.said()) >= count, timeout=10_000)
    return stand_in.said()[count - 1]


def _to_first_topic(kiosk: KioskDriver, ctx: AppContext) -> ScriptedPatient:
    patient = ScriptedPatient()
    reg = register(ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    while not kiosk.step().startswith("topic:"):
        kiosk.next()
    return patient


def test_read_aloud_speaks_the_page_in_the_patients_language_and_stop_ends_it(
    talking: KioskDriver, stand_in: StandIn
) -> None:
    kiosk = talking
    button = _bar_button(kiosk)
    assert button.isEnabled() and button.text() == "Read aloud"
    assert QAccessible.queryAccessibleInterface(button).text(QAccessible.Text.Name) == (
        "Read this page aloud"
    )
    kiosk.window.set_language("es")
    assert button.text() == "Leer en voz alta"
    kiosk.click(button)
    said = _wait_said(kiosk, stand_in, 1)
    args = said["args"]
    assert args[args.index("-v") + 1] == "es"
    assert kiosk.page.title_text in said["text"]  # the heading, in Spanish
    assert kiosk.window.reader.speaking()
    assert button.text() == "Detener"
    assert button.accessibleName() == "Detener la lectura en voz alta"
    kiosk.click(button)  # Stop
    assert not kiosk.window.reader.speaking()
    assert button.text() == "Leer en voz alta"


def test_a_question_page_is_read_with_its_questions_and_answer_choices(
    talking: KioskDriver, stand_in: StandIn, sqlite_ctx: AppContext
) -> None:
    kiosk = talking
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.click(_bar_button(kiosk))
    text = _wait_said(kiosk, stand_in, 1)["text"]
    sex = kiosk.page.fields["sex_at_birth"].input  # type: ignore[attr-defined]
    choices = [b.full_text() for b in sex.buttons().values()]
    assert kiosk.page.title_text in text
    assert all(c in text for c in choices), (choices, text)
    # The names in the boxes (typed at the front desk) are what was typed: never read out.
    assert kiosk.page.fields["last_name"].input.text() == patient.last_name  # type: ignore[attr-defined]
    assert patient.last_name not in text


def test_speech_stops_on_a_page_change_and_on_the_idle_wipe(
    talking: KioskDriver, stand_in: StandIn, sqlite_ctx: AppContext
) -> None:
    kiosk = talking
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.click(_bar_button(kiosk))
    _wait_said(kiosk, stand_in, 1)
    assert kiosk.window.reader.speaking()
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)  # Welcome → the first page
    assert not kiosk.window.reader.speaking()
    assert _bar_button(kiosk).text() == "Read aloud"
    kiosk.click(_bar_button(kiosk))
    _wait_said(kiosk, stand_in, 2)
    assert kiosk.window.reader.speaking()
    kiosk.window.clear_screen("idle")  # what the idle timeout does
    assert not kiosk.window.reader.speaking()
    assert kiosk.page.objectName() == "page_welcome"


def test_each_statement_has_its_own_listen_control(
    talking: KioskDriver, stand_in: StandIn, sqlite_ctx: AppContext
) -> None:
    kiosk = talking
    _to_first_topic(kiosk, sqlite_ctx)
    page: Any = kiosk.page
    first, second = list(page.listen)[:2]
    listen = page.listen[first]
    assert listen.isEnabled() and listen.text() == "Listen"
    assert listen.accessibleName() == "Listen to statement 1"
    kiosk.click(listen)
    said = _wait_said(kiosk, stand_in, 1)
    statement = sqlite_ctx.forms.risks.statement(first).text.get("en")
    assert said["text"].strip() == statement
    assert kiosk.window.reader.source == first
    kiosk.click(page.listen[second])  # another statement: the first stops, the second is said
    assert (
        _wait_said(kiosk, stand_in, 2)["text"]
        .strip()
        .startswith(sqlite_ctx.forms.risks.statement(second).text.get("en")[:30])
    )
    assert page.listened == {first, second}
    kiosk.back()
    assert not kiosk.window.reader.speaking()


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speech, "find_engine", lambda: None)


@pytest.fixture
def silent(no_engine: None, kiosk: KioskDriver) -> KioskDriver:
    """The kiosk on a machine without a speech engine."""
    return kiosk


def test_without_an_engine_read_aloud_is_disabled_and_says_why(
    silent: KioskDriver, sqlite_ctx: AppContext
) -> None:
    kiosk = silent
    window = kiosk.window
    button = _bar_button(kiosk)
    assert not button.isEnabled()
    why = t("read_aloud_none", "en")
    assert "no speech engine" in why
    assert button.toolTip() == why
    assert QAccessible.queryAccessibleInterface(button).text(QAccessible.Text.Description) == why
    window.set_language("es")
    assert button.toolTip() == t("read_aloud_none", "es")
    window._on_bar_read_aloud_requested()  # even if it were pressed: nothing happens, no crash
    assert not window.reader.speaking()
    _to_first_topic(kiosk, sqlite_ctx)
    listens = list(kiosk.page.listen.values())  # type: ignore[attr-defined]
    assert listens and not any(b.isEnabled() for b in listens)
    assert listens[0].accessibleDescription() == t("read_aloud_none", "es")


def test_initials_after_listen_say_the_statement_was_read_aloud(
    talking: KioskDriver, stand_in: StandIn, sqlite_ctx: AppContext
) -> None:
    kiosk = talking
    patient = _to_first_topic(kiosk, sqlite_ctx)
    page: Any = kiosk.page
    first = next(iter(page.listen))
    kiosk.click(page.listen[first])
    _wait_said(kiosk, stand_in, 1)
    kiosk.window.set_language("es")  # the page is drawn again: what was listened to stays
    page = kiosk.page
    assert page.listened == {first}
    kiosk.window.set_language("en")
    page = kiosk.page
    sent: list[Any] = []
    page.initials_given.connect(sent.append)
    mine = rules.expected_initials_for(patient.first_name, patient.last_name)
    for field in page.fields.values():
        kiosk.type_into(field.edit, mine)
    assert {i.statement_id: i.read_aloud for i in sent}[first] is True
    assert not any(i.read_aloud for i in sent if i.statement_id != first)
    # Through the controller and the visit service into the record the consent is made from.
    from intake.services.records import build_record
    from intake.store.models import Acknowledgement

    visit_id = kiosk.window.control.visit.visit_id  # type: ignore[union-attr]
    with sqlite_ctx.db.session() as s:
        rows = s.query(Acknowledgement).filter_by(visit_id=visit_id).all()
        assert {r.statement_id for r in rows if r.read_aloud} == {first}
        record = build_record(s, sqlite_ctx.forms, visit_id)
    assert [a.statement_id for a in record.acknowledgements if a.read_aloud] == [first]


def test_reading_a_topic_page_aloud_counts_for_every_statement_on_it(
    talking: KioskDriver, stand_in: StandIn, sqlite_ctx: AppContext
) -> None:
    kiosk = talking
    _to_first_topic(kiosk, sqlite_ctx)
    page: Any = kiosk.page
    kiosk.click(_bar_button(kiosk))
    text = _wait_said(kiosk, stand_in, 1)["text"]
    statements = [sqlite_ctx.forms.risks.statement(sid).text.get("en") for sid in page.listen]
    assert all(" ".join(st.split()) in " ".join(text.split()) for st in statements)
    assert "Listen" not in text.split()  # the controls themselves are not read out
    assert page.listened == set(page.listen)


def test_the_button_comes_back_when_the_engine_has_said_everything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kiosk: KioskDriver
) -> None:
    # An engine that says its text and ends by itself; then one that cannot be started at all.
    script = tmp_path / "quick.py"
    script.write_text("import sys\nsys.stdin.read()\n", encoding="utf-8")
    reader = kiosk.window.reader
    reader.engine = speech.Engine(sys.executable, (str(script),))
    kiosk.window._show_reading()
    button = _bar_button(kiosk)
    kiosk.click(button)
    kiosk.qtbot.waitUntil(lambda: not reader.speaking() and button.text() == "Read aloud")
    reader.engine = speech.Engine(str(tmp_path / "no-such-engine"))
    kiosk.click(button)
    kiosk.qtbot.waitUntil(lambda: not reader.speaking() and button.text() == "Read aloud")
    assert button.isEnabled()


def test_listening_is_not_idleness(
    talking: KioskDriver, stand_in: StandIn, sqlite_ctx: AppContext
) -> None:
    kiosk = talking
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    watcher = kiosk.window.idle
    watcher.set_timeouts(2_000, 20_000)
    watcher.poke()
    kiosk.click(_bar_button(kiosk))
    _wait_said(kiosk, stand_in, 1)
    keepalive = kiosk.window._speech_keepalive
    assert keepalive.isActive() and keepalive.interval() <= 1_000
    timer = watcher._idle  # the countdown to "Are you still there?"
    kiosk.qtbot.waitUntil(lambda: 0 < timer.remainingTime() < 1_500, timeout=5_000)
    with kiosk.qtbot.waitSignal(keepalive.timeout, timeout=5_000):
        pass
    assert timer.remainingTime() > 1_500 and not watcher.warning
    kiosk.click(_bar_button(kiosk))  # Stop
    assert not keepalive.isActive()
