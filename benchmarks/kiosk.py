"""Kiosk page changes and GUI-thread stalls during a scripted visit, against a full database.

Run by hand (never part of the test suite):

    uv run python benchmarks/kiosk.py [--patients 100000] [--runs 3]

A fresh data folder gets the station's default database (encrypted SQLite, as a kiosk has it),
filled in bulk with ``--patients`` patients and two visits each (the history of the status
board benchmark, ``benchmarks/lists.py``). A scripted patient's visit, answered through the
services and paused at its first page, is handed to a kiosk window, which is then pressed
through page by page (Next on every intake page, the mood screen, each risk topic, the quiz,
the review), signed, and its documents issued. Measured:

- a page change: from the press of Next until the save is done off the GUI thread and the next
  page is drawn (``busy_changed(False)``);
- the longest GUI-thread stall: the largest gap between ticks of a 5 ms ``QTimer`` heartbeat
  over the whole visit, the documents included.

The same visit is run in the same process against an empty database (one patient), and a bare
baseline is timed: a ``QStackedWidget`` switching to a new page of 40 labels. Targets (issue 13):
median page change under 50 ms and longest stall under 100 ms at 100k patients.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget, QVBoxLayout, QWidget  # noqa: E402

HEARTBEAT_MS = 5


def fill(ctx: Any, n_patients: int) -> float:
    """Bulk insert ``n_patients`` patients with two visits each; seconds taken."""
    from lists import chunks, patients, visits
    from sqlalchemy import insert

    from intake.store.models import Patient, Visit

    t = time.perf_counter()
    with ctx.db.engine.begin() as conn:
        for batch in chunks(patients(ctx, n_patients)):
            conn.execute(insert(Patient.__table__), batch)
        for batch in chunks(visits(ctx, 2 * n_patients, n_patients)):
            for row in batch:
                row["form_versions"] = {}
            conn.execute(insert(Visit.__table__), batch)
    return time.perf_counter() - t


class Heartbeat:
    """The longest gap between ticks of a 5 ms timer: how long the GUI thread was busy."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[tuple[float, str]] = []
        self.doing = ""
        self._last = 0

    def start(self) -> None:
        self.clock.start()
        self._last = 0
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.gaps.append((now - self._last - HEARTBEAT_MS, self.doing))
        self._last = now

    def worst(self) -> tuple[float, str]:
        return max(self.gaps, default=(0.0, ""))


# One patient a run: a second registration of the same one is refused as a likely duplicate.
NAMES = (("Zoë", "Nguyễn"), ("Marta", "Okafor"), ("Ines", "Lindqvist"), ("Yara", "Haddad"))


def scripted_visit(app: QApplication, ctx: Any, run: int) -> dict[str, Any]:
    """Press a scripted visit through a kiosk window; page change times and the worst stall."""
    import datetime as dt

    from intake.services.scripted import ScriptedPatient, ensure_staff, walk_visit
    from intake.services.staff import staff_actor
    from intake.services.visits import VisitService
    from intake.ui.kiosk import KioskWindow
    from intake.ui.operations import wait_for_operations

    first, last = NAMES[run % len(NAMES)]
    patient = ScriptedPatient(first, last, dt.date(1999, 4, 12 + run))
    vid, kiosk_actor, _ = walk_visit(ctx, patient, sign=False)
    visits = VisitService(ctx)
    visits.set_page(kiosk_actor, vid, "intake:identity")
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    window = KioskWindow(ctx, locked=False, idle_timeout_ms=10_000_000, done_return_ms=600_000)
    window.resize(1280, 800)
    window.show()
    beat = Heartbeat()
    changes: list[tuple[str, float]] = []
    state: dict[str, Any] = {"pressed": 0.0, "label": "", "docs": None}

    def on_busy(busy: bool) -> None:
        if not busy and state["pressed"]:
            changes.append((state["label"], (time.perf_counter() - state["pressed"]) * 1000))
            state["pressed"] = 0.0

    window.busy_changed.connect(on_busy)
    window.documents_finished.connect(lambda docs: state.update(docs=docs))

    def wait(condition: Any, timeout: float = 120.0) -> None:
        end = time.perf_counter() + timeout
        while not condition():
            if time.perf_counter() > end:
                raise SystemExit(f"the kiosk never got there ({beat.doing})")
            app.processEvents()
            time.sleep(0.0005)

    wait(window.is_ready)
    beat.start()
    beat.doing = "on Welcome"
    settle = time.perf_counter() + 1.5  # the kiosk draws its heavy pages once, unseen
    wait(lambda: time.perf_counter() > settle)
    beat.doing = "opening the visit"
    window.begin_visit(visits.hand_over(desk, vid))
    wait(lambda: not window.busy and window.flow is not None)
    while window.flow is not None and window.flow.current.kind != "sign":
        step = window.flow.current.id
        beat.doing = f"Next on {step}"
        state.update(pressed=time.perf_counter(), label=step)
        window.nav.next.click()
        wait(lambda: not window.busy and not state["pressed"])
        if window.flow.current.id == step:
            raise SystemExit(f"Next did not leave {step}")
    page = window.current_page
    page.type_button.click()  # type: ignore[union-attr]
    beat.doing = "signing, then the documents"
    state.update(pressed=time.perf_counter(), label="sign:patient")
    window.nav.next.click()
    wait(lambda: not window.busy and not state["pressed"])
    started = time.perf_counter()
    wait(lambda: state["docs"] is not None or window.current_page.state != "preparing")  # type: ignore[union-attr]
    documents_ms = (time.perf_counter() - started) * 1000
    beat.stop()
    window.clear_screen()
    wait_for_operations()
    window.close()
    window.deleteLater()
    app.processEvents()
    worst, where = beat.worst()
    return {
        "changes": changes,
        "worst_stall": worst,
        "worst_where": where,
        "documents_ms": documents_ms,
        "issued": bool(state["docs"]),
    }


def bare_page_changes(app: QApplication, count: int = 60) -> list[float]:
    """A QStackedWidget switching to a new page of 40 labels, the old one deleted."""
    stack = QStackedWidget()
    stack.resize(1280, 800)
    stack.show()
    times = []
    old: QWidget | None = None
    for i in range(count):
        t = time.perf_counter()
        page = QWidget()
        layout = QVBoxLayout(page)
        for j in range(40):
            layout.addWidget(QLabel(f"Question {i}.{j}: some words of a question", page))
        stack.addWidget(page)
        stack.setCurrentWidget(page)
        if old is not None:
            stack.removeWidget(old)
            old.deleteLater()
        app.processEvents()
        times.append((time.perf_counter() - t) * 1000)
        old = page
    stack.close()
    return times


def one_database(app: QApplication, n_patients: int, runs: int) -> dict[str, Any]:
    from intake.services.context import open_context

    folder = Path(tempfile.mkdtemp(prefix="intake-kiosk-bench-"))
    try:
        ctx = open_context(data_dir=folder)
        filled = fill(ctx, n_patients) if n_patients else 0.0
        results = [scripted_visit(app, ctx, i) for i in range(runs)]
        ctx.db.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    changes = [ms for r in results for _, ms in r["changes"]]
    worst = max(results, key=lambda r: r["worst_stall"])
    slowest = sorted((c for r in results for c in r["changes"]), key=lambda c: -c[1])[:3]
    return {
        "fill_s": filled,
        "median": statistics.median(changes),
        "p90": statistics.quantiles(changes, n=10)[-1],
        "count": len(changes) // runs,
        "slowest": slowest,
        "stall": worst["worst_stall"],
        "stall_where": worst["worst_where"],
        "documents_ms": statistics.median(r["documents_ms"] for r in results),
        "issued": all(r["issued"] for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="scripted visits per database")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    bare = statistics.median(bare_page_changes(app))
    one_database(app, 0, 1)  # warm-up, not counted: first imports and first drawing of each page
    empty = one_database(app, 0, args.runs)
    full = one_database(app, args.patients, args.runs)
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    print(f"kiosk, a scripted visit x{args.runs} per database ({platform}, {os.cpu_count()} CPUs)")
    print(f"  bare QStackedWidget page change (40 labels)   median {bare:6.1f} ms")
    for label, r in (("empty database", empty), (f"{args.patients:,} patients", full)):
        fill_note = f", filled in {r['fill_s']:.0f} s" if r["fill_s"] else ""
        print(f"  {label}{fill_note}: {r['count']} page changes a visit")
        print(
            f"    page change median {r['median']:6.1f} ms  ({r['median'] / bare:.1f}x bare)"
            f"  p90 {r['p90']:6.1f} ms   (target: median < 50 ms)"
        )
        print(
            f"    longest GUI-thread stall {r['stall']:5.0f} ms  ({r['stall_where']})"
            f"   (target < 100 ms)"
        )
        print(
            f"    documents issued off the GUI thread in {r['documents_ms']:.0f} ms"
            f"{'' if r['issued'] else ' (NOT issued)'}"
        )
        for name, ms in r["slowest"]:
            print(f"      slowest: {name:32s} {ms:6.1f} ms")
    print(
        f"  {args.patients:,} patients vs empty: page change median "
        f"{full['median'] / empty['median']:.2f}x, longest stall "
        f"{full['stall'] / max(empty['stall'], 1):.2f}x"
    )


if __name__ == "__main__":
    main()
