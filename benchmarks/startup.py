"""Kiosk start-up and responsiveness, run by hand (never part of the test suite).

    uv run python benchmarks/startup.py [--runs 9] [--no-pages] [--staff-only]

1. Start-up: median wall time from process start to the Welcome page's first paint, against a
   bare PySide6 window in the same run (target: within 1.5x). The kiosk child also reports
   whether reportlab, pyHanko, SQLAlchemy or Alembic were imported before Welcome was shown
   (there should be none: the database is opened behind Welcome) and when it was ready.
   Measured with compiled modules cached (a temporary PYTHONPYCACHEPREFIX, as an installed app
   has them), and again without any bytecode cache (PYTHONDONTWRITEBYTECODE) for comparison.
2. Staff sign-in: median wall time from process start until the staff window's sign-in page is
   usable, against the bare window in the same run (target: within 2x). "Usable" means the
   sign-in page is the current page and has painted for the first time, its username and PIN
   fields are enabled (they take typing) and the keyboard focus is in the username field. The
   database is then still opening behind it (a Sign in pressed meanwhile waits for it); the
   child also reports whether reportlab, pyHanko, SQLAlchemy or Alembic were imported by then
   (there should be none), and when the database was open ("ready"). On a data folder made
   beforehand with a staff account, as a station has it.
3. Responsiveness (in this process): a scripted visit is clicked through the kiosk page by page;
   each page change (service save + new page) is timed (target < 50 ms), and a 5 ms watchdog
   timer measures the longest stall of the GUI thread, including while the documents are made
   on the worker thread (target < 100 ms).
"""

from __future__ import annotations

import os
import sys

CHILD_BARE = "bare"
CHILD_KIOSK = "kiosk"
CHILD_STAFF = "staff"  # the staff window until its sign-in page is usable, on an existing database
HEAVY = ("reportlab", "pyhanko", "sqlalchemy", "alembic")


def _child(mode: str) -> None:
    """Runs in a fresh process: show a window, say when its first paint is done, exit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv[:1])
    shown = {"done": False}

    def report(extra: str = "") -> None:
        heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
        print(f"shown {','.join(heavy) or '-'} {extra}".strip(), flush=True)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and not shown["done"]:
                shown["done"] = True
                QTimer.singleShot(0, after_paint)
            return False

    if mode == CHILD_STAFF:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        from intake.ui.app import AppWindow

        window = AppWindow()
        page = window.login_page

        def after_paint() -> None:
            # Usable: the sign-in page is current, painted, its fields take typing, the
            # cursor waits in the username field.
            usable = (
                window.stack.currentWidget() is page
                and page.username.isEnabled()
                and page.secret.isEnabled()
                and page.focusWidget() is page.username
            )
            if not usable:
                shown["done"] = False  # wait for the next paint
                return
            report()
            if window.ctx is not None:
                finish()
            else:
                window.context_opened.connect(finish)

        def finish() -> None:
            heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
            print(f"ready {','.join(heavy)}", flush=True)
            app.quit()

        spy = FirstPaint()
        page.installEventFilter(spy)
        window.show()
        app.exec()
        os._exit(0)

    if mode == CHILD_BARE:
        window = QLabel("Welcome")
        target = window

        def after_paint() -> None:
            report()
            app.quit()
    else:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        from intake.ui.kiosk import KioskWindow

        window = KioskWindow(_open_context, locked=False)
        target = window.current_page  # the Welcome page

        def after_paint() -> None:
            report()
            if window.is_ready():
                finish()
            else:
                window.ready.connect(finish)

        def finish() -> None:
            heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
            print(f"ready {','.join(heavy)}", flush=True)
            app.quit()

    spy = FirstPaint()
    target.installEventFilter(spy)
    window.resize(1280, 800)
    window.show()
    app.exec()
    os._exit(0)



def _run_child(
    script: str, mode: str, env: dict[str, str], reports_ready: str
) -> tuple[str, str, float, float]:
    """One child process: its first line (shown), its second (ready, for ``reports_ready`` only)
    and the seconds from its start to each."""
    import subprocess
    import time

    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, script, "--child", mode], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    shown_at = time.perf_counter() - start
    second = proc.stdout.readline() if mode == reports_ready else ""
    ready_at = time.perf_counter() - start
    proc.wait(timeout=60)
    return first, second, shown_at, ready_at

def _open_context():  # type: ignore[no-untyped-def]
    from intake.services.context import open_context

    return open_context()


def startup(runs: int, *, bytecode: bool = True) -> dict[str, list[float]]:
    """``bytecode``: let the children cache compiled modules (in a temporary folder, as an
    installed app has them); without it every module is compiled from source at each start."""
    import tempfile

    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    pycache = tempfile.mkdtemp(prefix="intake-pycache-")
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    times: dict[str, list[float]] = {CHILD_BARE: [], CHILD_KIOSK: [], "ready": []}
    notes: set[str] = set()
    script = os.path.abspath(__file__)
    for i in range(runs + 1):  # the first round warms the disk cache and is not counted
        for mode in (CHILD_BARE, CHILD_KIOSK) if i % 2 else (CHILD_KIOSK, CHILD_BARE):
            with tempfile.TemporaryDirectory() as data:
                env["INTAKE_DATA_DIR"] = data
                env.pop("INTAKE_DATABASE_URL", None)
                first, second, shown_at, ready_at = _run_child(script, mode, env, CHILD_KIOSK)
            if not first.startswith("shown"):
                raise SystemExit(f"{mode} child said {first!r}")
            if i == 0:
                continue
            times[mode].append(shown_at)
            if mode == CHILD_KIOSK:
                notes.add(first.split()[1])
                if second.startswith("ready"):
                    times["ready"].append(ready_at)
    times["_heavy_before_welcome"] = sorted(notes)  # type: ignore[assignment]
    return times


def staff_signin(runs: int) -> dict[str, list[float]]:
    """The staff window from process start until its sign-in page is drawn (the database
    opened, its migrations checked, the forms loaded), against a bare window, in turns; on a
    data folder made once beforehand with a staff account, as a station has it; compiled
    modules cached."""
    import subprocess
    import tempfile

    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="intake-pycache-")
    env.pop("INTAKE_DATABASE_URL", None)
    data = tempfile.mkdtemp(prefix="intake-staff-")
    env["INTAKE_DATA_DIR"] = data
    prepare = (
        "from pathlib import Path; import sys; sys.path.insert(0, sys.argv[2]);"
        "from intake.services.context import open_context;"
        "from intake.services.scripted import ensure_staff;"
        "ctx = open_context(data_dir=Path(sys.argv[1]));"
        "ensure_staff(ctx, 'front_desk', 'desk', 'Front Desk'); ctx.db.dispose()"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([sys.executable, "-c", prepare, data, root], env=env, check=True)
    times: dict[str, list[float]] = {CHILD_BARE: [], CHILD_STAFF: [], "ready": []}
    notes: set[str] = set()
    script = os.path.abspath(__file__)
    for i in range(runs + 1):  # the first round fills the bytecode cache and is not counted
        for mode in (CHILD_BARE, CHILD_STAFF) if i % 2 else (CHILD_STAFF, CHILD_BARE):
            first, second, shown_at, ready_at = _run_child(script, mode, env, CHILD_STAFF)
            if not first.startswith("shown"):
                raise SystemExit(f"{mode} child said {first!r}")
            if i:
                times[mode].append(shown_at)
                if mode == CHILD_STAFF:
                    notes.add(first.split()[1])
                    if second.startswith("ready"):
                        times["ready"].append(ready_at)
    times["_heavy_before_signin"] = sorted(notes)  # type: ignore[assignment]
    return times


def responsiveness() -> dict[str, object]:
    """Click a scripted visit through the kiosk in this process; time pages and stalls."""
    import tempfile
    import time

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from intake.services.context import open_context
    from intake.services.scripted import ScriptedPatient, ensure_staff, walk_visit
    from intake.services.staff import staff_actor
    from intake.services.visits import VisitService
    from intake.ui.kiosk import KioskWindow

    app = QApplication.instance() or QApplication([])
    data = tempfile.mkdtemp(prefix="intake-kiosk-bench-")
    os.environ["INTAKE_DATA_DIR"] = data
    ctx = open_context(data_dir=__import__("pathlib").Path(data))
    patient = ScriptedPatient()
    vid, kiosk_actor, _ = walk_visit(ctx, patient, sign=False)
    visits = VisitService(ctx)
    visits.set_page(kiosk_actor, vid, "intake:identity")
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    window = KioskWindow(ctx, locked=False, idle_timeout_ms=10_000_000, done_return_ms=600_000)
    window.resize(1280, 800)
    window.show()

    stalls: list[float] = []
    where: list[str] = []  # what the script was doing when each stall ended
    doing = {"now": "start-up"}
    clock = QElapsedTimer()
    clock.start()
    last = {"t": 0}

    def tick() -> None:
        now = clock.elapsed()
        stalls.append(now - last["t"])
        where.append(doing["now"])
        last["t"] = now

    watchdog = QTimer()
    watchdog.setInterval(5)
    watchdog.timeout.connect(tick)
    watchdog.start()

    page_times: list[tuple[str, float]] = []
    other: dict[str, float] = {}
    state = {"step": "", "docs_stall": 0.0, "docs_start": 0}

    def timed(label: str, action) -> None:  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        action()
        while window.busy:  # the save runs off the GUI thread; the page is drawn after it
            app.processEvents()
        page_times.append((label, (time.perf_counter() - t) * 1000))

    def run() -> None:
        while not window.is_ready():
            app.processEvents()
        # The patient spends a few seconds on Welcome (language, date of birth, code); the
        # stalls measured include that time, when the kiosk draws its heavy pages once, unseen.
        doing["now"] = "on Welcome"
        end = time.perf_counter() + 1.5
        while time.perf_counter() < end:
            yield
        doing["now"] = "opening the visit"
        t = time.perf_counter()
        window.begin_visit(visits.hand_over(desk, vid))
        while window.busy or window.flow is None:
            app.processEvents()
        other["open the visit (first page)"] = (time.perf_counter() - t) * 1000
        yield_points = 0
        while window.flow is not None and window.flow.current.kind != "sign":
            step = window.flow.current.id
            doing["now"] = f"Next on {step}"
            timed(step, window.nav.next.click)
            yield_points += 1
            yield
        doing["now"] = "language and text size"
        t = time.perf_counter()
        window.set_language("es")
        other["language switch (rebuild page)"] = (time.perf_counter() - t) * 1000
        yield
        t = time.perf_counter()
        window.set_text_size(2)
        other["text size change"] = (time.perf_counter() - t) * 1000
        yield
        window.set_text_size(0)
        window.set_language("en")
        yield
        page = window.current_page
        page.type_button.click()  # type: ignore[union-attr]
        state["docs_start"] = len(stalls)
        doing["now"] = "signing, then documents"
        timed("sign:patient (signature commit)", window.nav.next.click)
        yield
        done = {"v": False}
        window.documents_finished.connect(lambda _d: done.update(v=True))
        t = time.perf_counter()
        while not done["v"]:
            yield
        other["documents on the worker thread"] = (time.perf_counter() - t) * 1000
        state["docs_stall"] = max(stalls[state["docs_start"] :], default=0)

    script = run()

    def step() -> None:
        try:
            next(script)
        except StopIteration:
            app.quit()
            return
        QTimer.singleShot(15, step)

    QTimer.singleShot(50, step)
    app.exec()
    watchdog.stop()
    ctx.db.dispose()
    worst = max(range(len(stalls)), key=stalls.__getitem__) if stalls else 0
    return {
        "pages": page_times,
        "other": other,
        "max_stall_ms": max(stalls, default=0) - 5,
        "max_stall_where": where[worst] if where else "",
        "max_stall_during_documents_ms": state["docs_stall"] - 5,
    }


def main() -> None:
    import argparse
    import statistics

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--no-pages", action="store_true")
    parser.add_argument("--staff-only", action="store_true", help="part 2 only")
    args = parser.parse_args()

    platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    for bytecode in () if args.staff_only else (True, False):
        times = startup(args.runs, bytecode=bytecode)
        bare = statistics.median(times[CHILD_BARE]) * 1000
        kiosk = statistics.median(times[CHILD_KIOSK]) * 1000
        how = "compiled modules cached, as installed" if bytecode else "no bytecode cache"
        print(f"start-up, median of {args.runs} runs ({platform}; {how})")
        print(f"  bare PySide6 window shown   {bare:7.0f} ms")
        print(
            f"  kiosk Welcome shown         {kiosk:7.0f} ms   ratio {kiosk / bare:.2f}x"
            f"{'   (target <= 1.5x)' if bytecode else ''}"
        )
        if times["ready"]:
            ready = statistics.median(times["ready"]) * 1000
            print(f"  kiosk ready (db migrated)   {ready:7.0f} ms   (in the background)")
        heavy = times["_heavy_before_welcome"]
        print(f"  imported before Welcome     {', '.join(heavy)}  (of {', '.join(HEAVY)})")
    staff = staff_signin(args.runs)
    bare = statistics.median(staff[CHILD_BARE]) * 1000
    signin = statistics.median(staff[CHILD_STAFF]) * 1000
    print(f"staff sign-in, median of {args.runs} runs ({platform}; an existing database)")
    print(f"  bare PySide6 window shown   {bare:7.0f} ms")
    print(
        f"  staff sign-in page usable   {signin:7.0f} ms   ratio {signin / bare:.2f}x   (target <= 2x)"
    )
    if staff["ready"]:
        ready = statistics.median(staff["ready"]) * 1000
        print(f"  staff database open         {ready:7.0f} ms   (in the background)")
    heavy = staff["_heavy_before_signin"]
    print(f"  imported before sign-in     {', '.join(heavy)}  (of {', '.join(HEAVY)})")
    if args.no_pages or args.staff_only:
        return
    result = responsiveness()
    pages = result["pages"]
    assert isinstance(pages, list)
    values = [ms for _, ms in pages]
    worst = sorted(pages, key=lambda p: -p[1])[:5]
    print(
        f"page changes: {len(values)}, median {statistics.median(values):.1f} ms, "
        f"max {max(values):.1f} ms (target < 50 ms)"
    )
    for label, ms in worst:
        print(f"  slowest: {label:40s} {ms:6.1f} ms")
    for label, ms in result["other"].items():  # type: ignore[union-attr]
        print(f"  {label:40s} {ms:6.1f} ms")
    print(
        f"GUI thread: longest stall {result['max_stall_ms']:.0f} ms overall "
        f"({result['max_stall_where']}), "
        f"{result['max_stall_during_documents_ms']:.0f} ms while documents were made "
        f"(target < 100 ms)"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        _child(sys.argv[2])
    else:
        main()
