"""Speech output for what the kiosk shows (Section 508 §402): the operating system's own engine.

Plain Python, no Qt: the kiosk asks this module for an engine and for the command that speaks a
text in a language, and runs it as a process of its own (so the GUI never waits); tests render the
same command to a WAV file and measure it.

The engine is ``espeak-ng`` found on PATH (Debian and Ubuntu: ``apt install espeak-ng``; it has
Windows and macOS builds too). Nothing goes over the network. Where no engine exists,
``find_engine()`` returns None and the kiosk says so instead of speaking.

The text is handed to the engine on its standard input, never on its command line (a command
line is visible to every user of the machine in ``ps``), and never logged: a page may show a
patient's own answers.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from intake import i18n

ESPEAK = "espeak-ng"
# The kiosk's pace: a little slower than espeak-ng's default 175 words per minute, for patients
# who listen rather than read.
WORDS_PER_MINUTE = 160
# No engine says words faster than this at the kiosk's pace (espeak-ng measures 80 to 260 words a
# minute in tests/test_speech.py): one that ends sooner said nothing (it had no sound device, and
# espeak-ng then still exits 0).
FASTEST_WORDS_PER_MINUTE = 3 * WORDS_PER_MINUTE
# The standard input is written in one go before the engine reads it: keep well under a pipe's
# 64 KiB so the write never waits for the engine.
MAX_TEXT_BYTES = 60_000


class NoEngine(RuntimeError):
    """No speech engine is installed on this machine."""


@dataclass(frozen=True)
class Engine:
    """A speech engine: the program to run and how to ask it for a voice and a WAV file."""

    program: str  # the absolute path of the executable
    # Extra leading arguments (a test engine runs a Python script through the interpreter).
    prefix: tuple[str, ...] = ()

    def argv(
        self, lang: str, *, wav: Path | None = None, rate: int = WORDS_PER_MINUTE
    ) -> list[str]:
        """The command that speaks its standard input in ``lang`` (a registry code; a
        pseudo-locale speaks with its base language's voice), or writes it to ``wav``."""
        args = [self.program, *self.prefix, "-v", voice(lang), "-s", str(rate), "--stdin"]
        if wav is not None:
            args += ["-w", str(wav)]
        return args


def voice(lang: str) -> str:
    """The engine's voice for a language code: ``en`` → ``en``, ``es`` → ``es``, ``pseudo`` → ``en``."""
    try:
        return i18n.base_language(lang)
    except i18n.UnknownLanguage:
        return i18n.source_language()


def find_engine() -> Engine | None:
    """The installed engine, or None where there is none."""
    found = shutil.which(ESPEAK)
    return Engine(found) if found else None


def spoken(texts: Iterable[str]) -> str:
    """Texts joined for speaking: one sentence each (a pause between), blanks left out, cut to
    what the engine's standard input takes at once."""
    parts = [" ".join(t.split()) for t in texts]
    joined = "\n".join(p if p.endswith((".", "?", "!", ":")) else p + "." for p in parts if p)
    data = joined.encode("utf-8")[:MAX_TEXT_BYTES]
    return data.decode("utf-8", errors="ignore")


def shortest_seconds(text: str) -> float:
    """The least time saying ``text`` aloud can take: an engine that ends sooner did not say it."""
    return len(text.split()) * 60 / FASTEST_WORDS_PER_MINUTE


class Speaker:
    """Speaks one text at a time through a child process that :meth:`stop` ends at once.

    ``speak`` returns as soon as the process has started; nothing here waits for it to finish."""

    def __init__(self, engine: Engine | None) -> None:
        self.engine = engine
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def available(self) -> bool:
        return self.engine is not None

    def speak(self, text: str, lang: str) -> None:
        if self.engine is None:
            raise NoEngine(ESPEAK)
        self.stop()
        self._proc = _start(self.engine.argv(lang), spoken([text]))

    def speaking(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _start(argv: Sequence[str], text: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # audio-device chatter; it never names the text
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write(text.encode("utf-8"))
        proc.stdin.close()
    except BrokenPipeError:  # the engine exited at once (no audio device): nothing to speak to
        pass
    return proc


def render_wav(text: str, lang: str, out: Path, *, engine: Engine | None = None) -> Path:
    """Speaks ``text`` in ``lang`` into the WAV file ``out`` and returns it (waits for it)."""
    engine = engine or find_engine()
    if engine is None:
        raise NoEngine(ESPEAK)
    run = subprocess.run(
        engine.argv(lang, wav=out),
        input=spoken([text]).encode("utf-8"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
    )
    if run.returncode != 0 or not out.exists():
        # The engine's own message, never the text.
        raise RuntimeError(f"{ESPEAK} exited {run.returncode}: {run.stderr[-300:]!r}")
    return out
