"""Read-aloud for real: risk statements spoken to WAV files by espeak-ng and measured.

Runs without Qt (the non-UI half of the suite); only where espeak-ng is absent do the engine
cases skip, saying so (``.ci/run`` installs it).
"""

from __future__ import annotations

import array
import math
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from intake import speech
from intake.forms import default_forms

NO_ENGINE = "espeak-ng is not installed (Debian: apt install espeak-ng; .ci/run installs it)"
needs_engine = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason=NO_ENGINE)


def _statement(statement_id: str, lang: str) -> str:
    return default_forms().risks.statement(statement_id).text.get(lang)


def _measure(path: Path) -> tuple[float, float, array.array[int]]:
    """(seconds, RMS on a 0..1 scale, the samples) of a 16-bit mono WAV file."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        rate, frames = wav.getframerate(), wav.readframes(wav.getnframes())
    samples = array.array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    rms = math.sqrt(sum(s * s for s in samples) / max(len(samples), 1)) / 32768
    return len(samples) / rate, rms, samples


@needs_engine
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_statement_is_spoken_audibly_at_a_pace_that_fits_its_words(
    lang: str, tmp_path: Path
) -> None:
    text = _statement("purpose.alternatives", lang)
    words = len(text.split())
    seconds, rms, _ = _measure(speech.render_wav(text, lang, tmp_path / f"{lang}.wav"))
    # Speech, not silence: espeak-ng's speech sits near 0.1 RMS; silence or clicks under 0.005.
    assert rms > 0.02, rms
    pace = words / (seconds / 60)
    assert 80 <= pace <= 260, f"{words} words in {seconds:.1f} s = {pace:.0f} words per minute"


@needs_engine
def test_a_longer_text_takes_longer_to_say(tmp_path: Path) -> None:
    short = _statement("purpose.second_opinion", "en")
    long = " ".join(_statement(s, "en") for s in ("purpose.indication", "purpose.alternatives"))
    short_s, _, _ = _measure(speech.render_wav(short, "en", tmp_path / "short.wav"))
    long_s, _, _ = _measure(speech.render_wav(long, "en", tmp_path / "long.wav"))
    ratio = len(long.split()) / len(short.split())
    assert long_s / short_s == pytest.approx(ratio, rel=0.35)


@needs_engine
def test_spanish_is_spoken_with_the_spanish_voice(tmp_path: Path) -> None:
    # The same Spanish words through each voice: the sounds differ, and espeak-ng itself reports
    # the voice the Spanish command asks for as Spanish.
    text = _statement("purpose.stop_any_time", "es")
    _, _, as_en = _measure(speech.render_wav(text, "en", tmp_path / "en.wav"))
    _, _, as_es = _measure(speech.render_wav(text, "es", tmp_path / "es.wav"))
    assert as_en != as_es
    argv = speech.find_engine().argv("es")  # type: ignore[union-attr]
    chosen = argv[argv.index("-v") + 1]
    voices = subprocess.run(
        [argv[0], f"--voices={chosen}"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert "roa/es" in voices, voices
    assert speech.voice("pseudo") == "en"


@needs_engine
def test_the_speaker_starts_at_once_and_stops_at_once() -> None:
    speaker = speech.Speaker(speech.find_engine())
    assert speaker.available
    speaker.speak(_statement("purpose.indication", "en"), "en")  # returns without waiting
    speaker.stop()
    assert not speaker.speaking()


def test_a_speaker_stops_a_process_that_would_run_on(tmp_path: Path) -> None:
    # A stand-in engine that reads its text and then keeps "speaking" until it is ended.
    script = tmp_path / "engine.py"
    script.write_text("import sys, time\nsys.stdin.read()\ntime.sleep(60)\n")
    speaker = speech.Speaker(speech.Engine(sys.executable, (str(script),)))
    speaker.speak("Hello.", "en")
    assert speaker.speaking()
    speaker.stop()
    assert not speaker.speaking()


def test_no_engine_is_reported_cleanly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    assert speech.find_engine() is None
    speaker = speech.Speaker(speech.find_engine())
    assert not speaker.available
    with pytest.raises(speech.NoEngine):
        speaker.speak("Hello.", "en")
    with pytest.raises(speech.NoEngine):
        speech.render_wav("Hello.", "en", tmp_path / "x.wav")
    speaker.stop()  # nothing to stop, nothing raised
    assert not speaker.speaking()


def test_texts_are_joined_into_sentences_and_kept_within_one_write() -> None:
    assert speech.spoken(["Title", "", "  A question?  ", "Yes", "No."]) == (
        "Title.\nA question?\nYes.\nNo."
    )
    assert len(speech.spoken(["é" * 100_000]).encode()) <= speech.MAX_TEXT_BYTES


@needs_engine
@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_statement_is_said_in_less_time_than_the_kiosk_counts_as_heard(
    lang: str, tmp_path: Path
) -> None:
    # The kiosk counts a statement as heard only if the engine took at least
    # ``shortest_seconds`` over it (an engine with no sound device exits 0 at once): every
    # statement, said for real, takes longer than that, with room to spare.
    for n, statement in enumerate(default_forms().risks.statements):
        text = speech.spoken([statement.text.get(lang)])
        seconds, _, _ = _measure(speech.render_wav(text, lang, tmp_path / f"{n}.wav"))
        floor = speech.shortest_seconds(text)
        assert seconds > 1.5 * floor, (statement.id, seconds, floor)  # measured: 2.3 or more
