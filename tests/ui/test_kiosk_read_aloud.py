"""Read-aloud at the kiosk (Section 508 §402): the top bar's "Read aloud" speaks the page in the
patient's language through a process of its own, each statement has its own "Listen", and speech
stops on "Stop", on a page change and on the idle wipe. Without an engine the button says so.

The engine here is a stand-in (a Python script that writes down what it was asked to say, then
"speaks" until the test lets it finish, with the exit code the test gives, or it is killed), so
the tests see the text, the voice, the process, and what counts as heard; the real engine's sound
is measured in tests/test_speech.py.
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
import json, os, sys, time
text = sys.stdin.read()
with open({out!r}, "a", encoding="utf-8") as fh:
    fh.write(json.dumps({{"args": sys.argv[1:], "text": text}}) + "\\n")
with open({out!r}, encoding="utf-8") as fh:
    n = sum(1 for _ in fh)
end = os.path.join({folder!r}, f"end-{{n}}")
auto = os.path.join({folder!r}, "auto")
give_up = time.monotonic() + 60
while time.monotonic() < give_up:  # "speaking", until told to finish (or killed)
    if os.path.exists(auto):
        sys.exit(0)
    if os.path.exists(end):
        with open(end, encoding="utf-8") as fh:
            sys.exit(int(fh.read()))
    time.sleep(0.02)
"""


class StandIn:
    def __init__(self, folder: Path):
        self.folder = folder
        self.out = folder / "spoken.jsonl"
        script = folder / "engine.py"
        script.write_text(ENGINE.format(out=str(self.out), folder=str(folder)), encoding="utf-8")
        self.engine = speech.Engine(sys.executable, (str(script),))

    def finish(self, n: int, code: int = 0) -> None:
        """The ``n``-th utterance (from 1) ends by itself, with exit code ``code``."""
        ready = self.folder / f"ready-{n}"
        ready.write_text(str(code), encoding="utf-8")
        ready.replace(self.folder / f"end-{n}")  # whole, or not there at all

    def finish_all(self) -> None:
        """Every utterance, said or still to come, ends by itself as soon as it has its text."""
        (self.folder / "auto").write_text("0", encoding="utf-8")

    def said(self) -> list[dict[str, Any]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text("utf-8").splitlines()]


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> StandIn:
    fake = StandIn(tmp_path)
    monkeypatch.setattr(speech, "find_engine", lambda: fake.engine)
    # It "speaks" for as long as the test wants: however short, it said its words.
    monkeypatch.setattr(speech, "shortest_seconds", lambda _text: 0.0)
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
    stand_in.finish_all()
    kiosk.click(_bar_button(kiosk))
    kiosk.qtbot.waitUntil(lambda: not kiosk.window.reader.speaking(), timeout=20_000)
    said = [u["text"] for u in stand_in.said()]
    text = "\n".join(said)
    sex = kiosk.page.fields["sex_at_birth"].input  # type: ignore[attr-defined]
    choices = [b.full_text() for b in sex.buttons().values()]
    assert said[0].strip() == kiosk.page.title_text + "."  # the heading first, by itself
    # One utterance after another: the question with its answer choices in one.
    (question,) = [u for u in said if choices[0] in u]
    assert all(c in question for c in choices), (choices, question)
    assert len(said) > 2
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
    # The first was cut short by the second: not heard. The second, said to its end, is.
    stand_in.finish(2)
    kiosk.qtbot.waitUntil(lambda: not kiosk.window.reader.speaking(), timeout=10_000)
    assert page.listened == {second}
    kiosk.click(listen)
    _wait_said(kiosk, stand_in, 3)
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
    window.reading.toggle()  # even if it were pressed: nothing happens, no crash
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
    assert page.listened == set()  # still speaking: not heard yet
    stand_in.finish(1)
    kiosk.qtbot.waitUntil(lambda: page.listened == {first}, timeout=10_000)
    kiosk.window.set_language("es")  # the page is drawn again: what was listened to stays
    kiosk.wait_idle()
    page = kiosk.page
    assert page.listened == {first}
    kiosk.window.set_language("en")
    kiosk.wait_idle()
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


def test_a_topic_page_read_to_its_end_counts_for_every_statement_on_it(
    talking: KioskDriver, stand_in: StandIn, sqlite_ctx: AppContext
) -> None:
    kiosk = talking
    _to_first_topic(kiosk, sqlite_ctx)
    page: Any = kiosk.page
    stand_in.finish_all()
    kiosk.click(_bar_button(kiosk))
    kiosk.qtbot.waitUntil(lambda: not kiosk.window.reader.speaking(), timeout=30_000)
    said = [" ".join(u["text"].split()) for u in stand_in.said()]
    assert said[0] == kiosk.page.title_text + "."
    statements = [sqlite_ctx.forms.risks.statement(sid).text.get("en") for sid in page.listen]
    for statement in statements:  # each statement is said once, in an utterance of its own
        assert len([u for u in said if " ".join(statement.split()) in u]) == 1, statement
    for u in said:
        assert len([st for st in statements if " ".join(st.split()) in u]) <= 1, u
    assert not any("Listen" in u.split() for u in said)  # the controls are not read out
    assert page.listened == set(page.listen)


def text_in(said: dict[str, Any], text: str) -> bool:
    return " ".join(text.split()) in " ".join(said["text"].split())


def test_stop_after_the_first_statement_leaves_only_it_heard(
    talking: KioskDriver, stand_in: StandIn, sqlite_ctx: AppContext
) -> None:
    kiosk = talking
    patient = _to_first_topic(kiosk, sqlite_ctx)
    page: Any = kiosk.page
    first, second = list(page.listen)[:2]
    text = sqlite_ctx.forms.risks.statement(first).text.get("en")
    kiosk.click(_bar_button(kiosk))
    n = 0
    while True:  # the heading, the page's instructions, …
        n += 1
        if text_in(_wait_said(kiosk, stand_in, n), text):
            break
        assert page.listened == set()
        stand_in.finish(n)
    assert page.listened == set()  # the first statement is being said, not yet heard
    stand_in.finish(n)
    kiosk.qtbot.waitUntil(lambda: page.listened == {first}, timeout=10_000)
    said = _wait_said(kiosk, stand_in, n + 1)["text"]  # the second has started …
    assert " ".join(sqlite_ctx.forms.risks.statement(second).text.get("en").split()) in (
        " ".join(said.split())
    )
    kiosk.click(_bar_button(kiosk))  # … and "Stop" cuts it short
    assert not kiosk.window.reader.speaking()
    stand_in.finish_all()  # nothing more is said, and the second is not heard
    assert len(stand_in.said()) == n + 1
    assert page.listened == {first}
    # Only the first carries read_aloud, through to the stored acknowledgements.
    mine = rules.expected_initials_for(patient.first_name, patient.last_name)
    for field in page.fields.values():
        kiosk.type_into(field.edit, mine)
    from intake.store.models import Acknowledgement

    visit_id = kiosk.window.control.visit.visit_id  # type: ignore[union-attr]
    with sqlite_ctx.db.session() as s:
        rows = s.query(Acknowledgement).filter_by(visit_id=visit_id).all()
        assert {r.statement_id for r in rows if r.read_aloud} == {first}
        assert {r.statement_id for r in rows} >= {first, second}


@pytest.mark.parametrize("how", ["killed", "exit 1", "page change", "idle wipe"])
def test_a_listen_not_said_to_its_end_is_not_heard(
    how: str, talking: KioskDriver, stand_in: StandIn, sqlite_ctx: AppContext
) -> None:
    kiosk = talking
    _to_first_topic(kiosk, sqlite_ctx)
    page: Any = kiosk.page
    first = next(iter(page.listen))
    kiosk.click(page.listen[first])
    _wait_said(kiosk, stand_in, 1)
    reader = kiosk.window.reader
    if how == "killed":  # midway, the engine is ended from outside (not by the kiosk)
        proc = reader._proc
        assert proc is not None
        proc.kill()
    elif how == "exit 1":
        stand_in.finish(1, code=1)
    elif how == "page change":
        kiosk.back()
    else:
        kiosk.window.clear_screen("idle")
    kiosk.qtbot.waitUntil(lambda: not reader.speaking(), timeout=10_000)
    assert page.listened == set()
    stand_in.finish_all()


def test_the_button_comes_back_when_the_engine_has_said_everything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kiosk: KioskDriver
) -> None:
    # An engine that says its text and ends by itself; then one that cannot be started at all.
    script = tmp_path / "quick.py"
    script.write_text("import sys\nsys.stdin.read()\n", encoding="utf-8")
    reader = kiosk.window.reader
    reader.engine = speech.Engine(sys.executable, (str(script),))
    kiosk.window.reading.show_state()
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
    keepalive = kiosk.window.reading.keepalive
    assert keepalive.isActive() and keepalive.interval() <= 1_000
    timer = watcher._idle  # the countdown to "Are you still there?"
    kiosk.qtbot.waitUntil(lambda: 0 < timer.remainingTime() < 1_500, timeout=5_000)
    with kiosk.qtbot.waitSignal(keepalive.timeout, timeout=5_000):
        pass
    assert timer.remainingTime() > 1_500 and not watcher.warning
    kiosk.click(_bar_button(kiosk))  # Stop
    assert not keepalive.isActive()


def test_an_engine_that_ends_before_it_could_have_said_the_words_was_not_heard(
    tmp_path: Path, kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    # espeak-ng with no sound device exits 0 at once; an engine that takes the words' time has
    # said them (here at the fastest pace counted: speech.FASTEST_WORDS_PER_MINUTE).
    at_once = tmp_path / "at_once.py"
    at_once.write_text("import sys\nsys.stdin.read()\n", encoding="utf-8")
    paced = tmp_path / "paced.py"
    paced.write_text(
        "import sys, time\n"
        f"time.sleep(len(sys.stdin.read().split()) * 60 / {speech.FASTEST_WORDS_PER_MINUTE} + 0.2)\n",
        encoding="utf-8",
    )
    _to_first_topic(kiosk, sqlite_ctx)
    page: Any = kiosk.page
    reader = kiosk.window.reader
    words = {
        sid: len(sqlite_ctx.forms.risks.statement(sid).text.get("en").split())
        for sid in page.listen
    }
    shortest = min(words, key=words.__getitem__)
    reader.engine = speech.Engine(sys.executable, (str(at_once),))
    kiosk.click(page.listen[shortest])
    kiosk.qtbot.waitUntil(lambda: not reader.speaking(), timeout=10_000)
    assert page.listened == set()
    reader.engine = speech.Engine(sys.executable, (str(paced),))
    kiosk.click(page.listen[shortest])
    kiosk.qtbot.waitUntil(lambda: not reader.speaking(), timeout=30_000)
    assert page.listened == {shortest}
