"""Read-aloud at the kiosk: the page's texts spoken by the machine's speech engine.

The engine runs as a child process (``QProcess``): starting it returns at once, the GUI thread
never waits for it, and stopping it ends it at once. The texts reach it on its standard input,
never on its command line, and are never logged.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QProcess, Signal

from intake import speech

# Killed engines not yet reaped (kept referenced until their ``finished``).
_ENDING: set[QProcess] = set()


class ReadAloud(QObject):
    """One voice for the kiosk: a new text stops whatever was being said."""

    speaking_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.engine = speech.find_engine()
        self._proc: QProcess | None = None
        self.source = ""  # what is being read: "page", or a statement's id

    @property
    def available(self) -> bool:
        return self.engine is not None

    def speaking(self) -> bool:
        return self._proc is not None and self._proc.state() != QProcess.ProcessState.NotRunning

    def speak(self, texts: Sequence[str], lang: str, source: str = "page") -> bool:
        """Start saying ``texts`` in ``lang``; False (and nothing said) without an engine."""
        self._end(emit=False)
        if self.engine is None:
            self.speaking_changed.emit(False)
            return False
        argv = self.engine.argv(lang)
        proc = QProcess(self)
        proc.setStandardOutputFile(QProcess.nullDevice())
        proc.setStandardErrorFile(QProcess.nullDevice())  # audio-device chatter
        proc.finished.connect(lambda *_a, p=proc: self._on_process_finished(p))
        proc.errorOccurred.connect(lambda *_a, p=proc: self._on_process_finished(p))
        self._proc, self.source = proc, source
        proc.start(argv[0], argv[1:])
        # Buffered until the process has started; then end of input, so the engine speaks.
        proc.write(speech.spoken(texts).encode("utf-8"))
        proc.closeWriteChannel()
        self.speaking_changed.emit(True)
        return True

    def stop(self) -> None:
        """Silence at once (page change, idle wipe, "Stop")."""
        self._end(emit=True)

    def _end(self, *, emit: bool) -> None:
        proc, self._proc = self._proc, None
        self.source = ""
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

    def _on_process_finished(self, proc: QProcess) -> None:
        if proc is self._proc:
            self._proc = None
            self.source = ""
            proc.deleteLater()
            self.speaking_changed.emit(False)
