"""The PySide6 6.12 reference-count guard keeps a long-running station alive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LOOP = """
import intake.ui  # applies the guard
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
app = QCoreApplication([])
class Source(QObject):
    happened = Signal(bool)
source = Source()
source.happened.connect(lambda value: None)
timer = QTimer()
for _ in range(200_000):
    timer.stop()
    source.happened.emit(True)
print("survived")
"""


def test_a_long_run_of_qt_calls_does_not_kill_the_interpreter() -> None:
    run = subprocess.run([sys.executable, "-c", LOOP], cwd=ROOT, capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "survived"
