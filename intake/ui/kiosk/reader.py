"""Read-aloud at the kiosk: the page's texts spoken by the machine's speech engine.

A page is read as a queue of utterances (its heading, then each question or statement with its
choices), one engine process each, the next started when the one before has finished
(``QProcess.finished``): the GUI thread never waits, and stopping ends the process at once and
empties the queue. The texts reach the engine on its standard input, never on its command line,
and are never logged.

An utterance may stand for something that must be known to have been heard (a risk statement:
the acknowledgement's ``read_aloud`` is a signed record). ``heard(source)`` is emitted only when
that utterance's own process ended by itself with exit code 0, after no less time than its words
take to say (``speech.shortest_seconds``: an engine with no sound device also exits 0, at once).
An utterance cut short by "Stop", a new text, a page change or the idle wipe is never heard.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QElapsedTimer, QObject, QProcess, Signal

from intake import speech

# Killed engines not yet reaped (kept referenced until their ``finished``).
_ENDING: set[QProcess] = set()


@dataclass(frozen=True)
class Utterance:
    """Texts said by one engine process; ``source`` (a statement's id, or "") is what
    ``heard`` reports when it has been said to the end."""

    texts: tuple[str, ...]
    source: str = ""


class ReadAloud(QObject):
    """One voice for the kiosk: a new text stops whatever was being said."""

    speaking_changed = Signal(bool)
    heard = Signal(str)  # an utterance's source, said to its end

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.engine = speech.find_engine()
        self._proc: QProcess | None = None
        self._queue: deque[Utterance] = deque()
        self._lang = ""
        self._current: Utterance | None = None
        self._clock = QElapsedTimer()
        self._troubled = False  # the current process reported an error: not heard
        self.source = ""  # what is being said now: a statement's id, or "" (a page's other texts)

    @property
    def available(self) -> bool:
        return self.engine is not None

    def speaking(self) -> bool:
        """Saying something, or about to (from ``speak`` until the last utterance has ended)."""
        return self._proc is not None

    def speak(self, texts: Sequence[str], lang: str, source: str = "") -> bool:
        """Start saying ``texts`` in ``lang`` as one utterance; False without an engine."""
        return self.speak_all([Utterance(tuple(texts), source)], lang)

    def speak_all(self, utterances: Sequence[Utterance], lang: str) -> bool:
        """Say ``utterances`` one after another; False (and nothing said) without an engine."""
        self._end(emit=False)
        queue = [u for u in utterances if speech.spoken(u.texts)]
        if self.engine is None or not queue:
            self.speaking_changed.emit(False)
            return False
        self._queue.extend(queue)
        self._lang = lang
        self._next()
        if self._proc is None:  # the engine could not start, and that was said at once
            return False
        self.speaking_changed.emit(True)
        return True

    def stop(self) -> None:
        """Silence at once, nothing more to come (page change, idle wipe, "Stop")."""
        self._end(emit=True)

    def _next(self) -> None:
        """Start the first utterance of the queue (the one before has ended)."""
        assert self.engine is not None
        utterance = self._queue.popleft()
        argv = self.engine.argv(self._lang)
        proc = QProcess(self)
        proc.setStandardOutputFile(QProcess.nullDevice())
        proc.setStandardErrorFile(QProcess.nullDevice())  # audio-device chatter
        proc.finished.connect(
            lambda code, status, p=proc: self._on_process_finished(p, code, status)
        )
        proc.errorOccurred.connect(lambda error, p=proc: self._on_process_error(p, error))
        self._proc, self._current, self.source = proc, utterance, utterance.source
        self._troubled = False
        self._clock.start()
        proc.start(argv[0], argv[1:])
        # Buffered until the process has started; then end of input, so the engine speaks.
        proc.write(speech.spoken(utterance.texts).encode("utf-8"))
        proc.closeWriteChannel()

    def _end(self, *, emit: bool) -> None:
        self._queue.clear()
        proc, self._proc = self._proc, None
        self._current, self.source = None, ""
        if proc is None:
            return
        proc.finished.disconnect()
        proc.errorOccurred.disconnect()
        if proc.state() != QProcess.ProcessState.NotRunning:
            # No waiting: the process is reaped when it has gone. Until then it belongs to no
            # window, so closing the kiosk meanwhile does not destroy a running process.
            proc.setParent(None)
            _ENDING.add(proc)
            proc.finished.connect(lambda *_a, p=proc: _ENDING.discard(p))
            proc.kill()
        else:
            proc.deleteLater()
        if emit:
            self.speaking_changed.emit(False)

    def _on_process_error(self, proc: QProcess, error: QProcess.ProcessError) -> None:
        if proc is not self._proc:
            return
        self._troubled = True
        if error == QProcess.ProcessError.FailedToStart:  # no ``finished`` follows
            self._end(emit=True)

    def _on_process_finished(self, proc: QProcess, code: int, status: QProcess.ExitStatus) -> None:
        if proc is not self._proc:
            return
        done, seconds = self._current, self._clock.elapsed() / 1000
        self._proc, self._current, self.source = None, None, ""
        proc.deleteLater()
        if (
            done is not None
            and done.source
            and status == QProcess.ExitStatus.NormalExit
            and code == 0
            and not self._troubled
            and seconds >= speech.shortest_seconds(speech.spoken(done.texts))
        ):
            self.heard.emit(done.source)
        if self._queue:
            self._next()
        else:
            self.speaking_changed.emit(False)
