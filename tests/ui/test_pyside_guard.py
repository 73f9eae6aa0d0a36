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
    run = subprocess.run(
        [sys.executable, "-c", LOOP],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "survived"


def test_the_pad_knows_a_typed_signature_from_a_drawn_one(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from intake.ui.widgets.signature_pad import SignaturePadWidget

    pad = SignaturePadWidget()
    qtbot.addWidget(pad)
    pad.resize(600, 200)
    pad.show()
    assert pad.adopt_typed("Zoë Nguyễn") and pad.typed
    QTest.mousePress(
        pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(40, 100)
    )
    for x in range(40, 500, 20):
        QTest.mouseMove(pad, QPoint(x, 100 + (x % 60) - 30))
    QTest.mouseRelease(
        pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(500, 100)
    )
    assert not pad.typed and pad.has_ink()
    pad.clear()
    assert not pad.typed and not pad.has_ink()


def test_a_tab_right_after_a_date_part_fills_up_does_not_skip_the_next(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from intake.ui.widgets.entries import DateEntryWidget

    def focused():  # type: ignore[no-untyped-def]
        return QApplication.focusWidget()

    date = DateEntryWidget({"month": "Month", "day": "Day", "year": "Year"}, "dmy", "Date of birth")
    qtbot.addWidget(date)
    date.show()
    with qtbot.waitActive(date):
        date.activateWindow()
    date.day.setFocus()
    qtbot.waitUntil(lambda: focused() is date.day)
    qtbot.keyClicks(date.day, "09")  # full: focus moves on to the month by itself
    assert focused() is date.month
    qtbot.keyClick(date.month, Qt.Key.Key_Tab)  # the habitual Tab is swallowed
    assert focused() is date.month
    qtbot.keyClicks(date.month, "03")
    assert focused() is date.year
    qtbot.keyClicks(date.year, "2001")
    assert date.raw() == "2001-03-09"
