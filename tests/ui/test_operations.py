"""The operations helper: calls off the GUI thread, results by signal, our bugs surface."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from intake.services.errors import Conflict, StorageUnavailable
from intake.ui.operations import Operation, Reentry, is_expected, wait_for_operations


@pytest.fixture
def owner(qtbot):  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    yield widget
    assert wait_for_operations(10_000)


def test_the_call_runs_off_the_gui_thread_and_its_result_comes_back_on_it(qtbot, owner) -> None:  # type: ignore[no-untyped-def]
    threads: dict[str, bool] = {}
    op = Operation(owner, "sum")

    def work() -> int:
        threads["work"] = threading.current_thread() is threading.main_thread()
        return 42

    def done(result: int) -> None:
        threads["done"] = threading.current_thread() is threading.main_thread()

    with qtbot.waitSignal(op.succeeded, timeout=5_000) as blocker:
        assert op.run(work, done)
    assert blocker.args == [42]
    assert threads == {"work": False, "done": True}
    assert not op.busy


def test_a_service_refusal_becomes_the_message_on_the_screen(qtbot, owner) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    op = Operation(owner, "save", report=shown.append)

    def work() -> None:
        raise Conflict("Someone else changed this record.")

    with qtbot.waitSignal(op.failed, timeout=5_000) as blocker:
        op.run(work)
    assert isinstance(blocker.args[0], Conflict)
    assert shown == ["Someone else changed this record."]


def test_an_environment_fault_is_told_without_its_details(qtbot, owner) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    op = Operation(owner, "read", report=shown.append)

    def work() -> None:
        raise ConnectionRefusedError("10.0.0.7:5432 refused, patient Zoë")

    with qtbot.waitSignal(op.failed, timeout=5_000):
        op.run(work)
    assert "could not be reached" in shown[0] and "Zoë" not in shown[0]


def test_a_failure_handler_gets_the_exception(qtbot, owner) -> None:  # type: ignore[no-untyped-def]
    got: list[BaseException] = []
    op = Operation(owner, "save", on_failure=got.append)

    def work() -> None:
        raise StorageUnavailable("The database is not available.")

    with qtbot.waitSignal(op.finished, timeout=5_000):
        op.run(work)
    assert isinstance(got[0], StorageUnavailable)


def test_our_own_bug_is_raised_again_on_the_gui_thread(qtbot, owner) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    op = Operation(owner, "buggy", report=shown.append)

    def work() -> None:
        raise TypeError("unsupported operand")

    with qtbot.captureExceptions() as exceptions:
        op.run(work)
        qtbot.waitUntil(lambda: not op.busy, timeout=5_000)
        qtbot.waitUntil(lambda: bool(exceptions), timeout=5_000)
    assert [type(e[1]) for e in exceptions] == [TypeError]
    assert shown == []  # never dressed up as "something went wrong"
    assert not op.busy  # and the widget is usable again


def test_a_second_start_while_running_is_refused_and_the_widgets_show_it(qtbot, owner) -> None:  # type: ignore[no-untyped-def]
    button = QPushButton("Save", owner)
    gate = threading.Event()
    calls: list[int] = []
    op = Operation(owner, "save", disables=(button,))

    def work() -> int:
        calls.append(1)
        gate.wait(5)
        return len(calls)

    with qtbot.waitSignal(op.busy_changed, timeout=1_000) as busy:
        assert op.run(work)
    assert busy.args == [True]
    assert op.busy and not button.isEnabled()
    assert not op.run(work)  # refused: one save at a time
    with qtbot.waitSignal(op.succeeded, timeout=5_000) as blocker:
        gate.set()
    assert blocker.args == [1] and calls == [1]
    assert button.isEnabled() and not op.busy


def test_latest_wins_older_results_are_dropped(qtbot, owner) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    shown: list[str] = []
    op = Operation(owner, "search", on_success=shown.append, reentry=Reentry.LATEST)

    def slow() -> str:
        gate.wait(5)
        return "first"

    op.run(slow)
    op.run(lambda: "second")  # waits for the first, and replaces it
    op.run(lambda: "third")  # replaces the second, which never runs
    with qtbot.waitSignal(op.succeeded, timeout=5_000) as blocker:
        gate.set()
    assert blocker.args == ["third"]
    assert shown == ["third"]
    assert not op.busy


def test_a_cancelled_result_goes_nowhere(qtbot, owner) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    shown: list[str] = []
    op = Operation(owner, "refresh", on_success=shown.append)
    op.run(lambda: gate.wait(5) and "old")
    op.cancel()
    with qtbot.waitSignal(op.busy_changed, timeout=5_000) as blocker:
        gate.set()
    assert blocker.args == [False]
    assert shown == []


def test_the_result_of_a_closed_widget_is_dropped(qtbot) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    shown: list[str] = []
    widget = QWidget()
    op = Operation(widget, "refresh", on_success=shown.append)
    op.run(lambda: gate.wait(5) and "late")
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _valid(op), timeout=5_000)
    gate.set()
    assert wait_for_operations(5_000)
    QApplication.processEvents()  # the result is delivered now, to no one
    assert shown == []


def _valid(obj: object) -> bool:
    return shiboken6.isValid(obj)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (Conflict("x"), True),
        (OSError("disk full"), True),
        (TimeoutError(), True),
        (type("OperationalError", (Exception,), {})(), True),
        (type("DatabaseKeyError", (Exception,), {})(), True),
        (type("FormsInvalid", (Exception,), {})(), True),
        (TypeError("bug"), False),
        (KeyError("bug"), False),
        (AttributeError("bug"), False),
    ],
)
def test_what_counts_as_expected(exc: BaseException, expected: bool) -> None:
    assert is_expected(exc) is expected


def test_a_handler_that_closes_the_widget_ends_the_call_quietly(qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = QWidget()
    done: list[int] = []

    def close_it(result: int) -> None:
        done.append(result)
        shiboken6.delete(widget)  # e.g. the dialog that asked is done and goes

    op = Operation(widget, "save", on_success=close_it)
    op.run(lambda: 7)
    qtbot.waitUntil(lambda: done == [7], timeout=5_000)
    assert not _valid(op)
