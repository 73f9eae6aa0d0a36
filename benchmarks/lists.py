"""The status board and the dermatologist's queue at 100,000 and 1,000,000 visits.

Run by hand: uv run python benchmarks/lists.py [N ...]   (default: 100000 1000000)

For each N it builds N visits of N/5 patients in a fresh SQLite file and, when the server
answers, in a schema of its own in PostgreSQL at postgresql://postgres@127.0.0.1:5432/test
(dropped after), with bulk inserts (executemany on SQLite, COPY on PostgreSQL). The history is
years of finished visits; the last 24 hours hold a busy day (150 visits at every stage) and
700 signed visits wait for review, spread over the last 60 days. It prints the median time of
VisitService.board (the front desk's board: SQL, rows to plain dataclasses, the part of the
visit; a station's first refresh works out every row's part, later ones only the rows that
changed) and of VisitService.review_queue (first page, and a page deep in the list), each beside
the same SQL run bare through sqlite3 or psycopg in the same run; then the same bare SQL with
the two indexes of migration 0008 dropped (what it cost before), and the query plans.
Target: under 50 ms at 1M visits on both backends.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402

from intake.services.context import SYSTEM, AppContext, open_context  # noqa: E402
from intake.services.patients import fold  # noqa: E402
from intake.services.staff import StaffService, staff_actor  # noqa: E402
from intake.services.visits import VisitService  # noqa: E402
from intake.store.models import Patient, Visit  # noqa: E402

PG_URL = os.environ.get("INTAKE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REPEAT = 30
TODAY = 150  # visits touched in the last 24 hours
WAITING = 700  # signed visits waiting for the dermatologist
CHUNK = 50_000
INDEXES = ("ix_visits_updated_at", "ix_visits_status_submitted_at_id")
PAGES = ("welcome", "intake:identity", "intake:health", "phq9", "topic:dryness", "quiz:q1")
VISIT_COLUMNS = (
    "id", "patient_id", "status", "lang", "visit_date", "code_hash", "page", "kiosk_station",
    "needs_staff", "form_versions", "ruleset_id", "quiz_passed", "record_sha256", "started_at",
    "submitted_at", "countersigned_at", "updated_at", "version", "actor", "station",
)  # fmt: skip


def patients(ctx: AppContext, n: int) -> Iterator[dict[str, Any]]:
    now = ctx.now()
    for i in range(1, n + 1):
        yield {
            "id": i, "record_number": f"RPM-{i:07d}", "first_name": "Bench",
            "last_name": f"Patient{i}", "preferred_name": "", "date_of_birth": dt.date(1990, 1, 1)
            + dt.timedelta(days=i % 9000), "sex_at_birth": "female", "phone": "", "email": "",
            "lang": "en", "search_name": fold(f"patient{i} bench"),
            "search_alt": fold(f"bench patient{i}"), "version": 1, "created_at": now,
            "actor": "bench", "station": "bench",
        }  # fmt: skip


def visits(ctx: AppContext, n: int, n_patients: int, seed: int = 11) -> Iterator[dict[str, Any]]:
    """History over 3 years (countersigned, some abandoned), then the waiting list, then today."""
    rng = random.Random(seed)
    now = ctx.now()
    history = n - TODAY - WAITING
    span = dt.timedelta(days=3 * 365)
    for i in range(n):
        if i < history:
            at = now - span + span * (i / history) - dt.timedelta(days=61)
            status = "abandoned" if i % 23 == 0 else "countersigned"
            page = "done" if status == "countersigned" else rng.choice(PAGES)
        elif i == history - 1:
            # A visit paused for staff a month ago (an identity check nobody did): on the board.
            at, status, page = now - dt.timedelta(days=30), "draft", "intake:identity"
        elif i < history + WAITING:
            at = now - dt.timedelta(days=60) * (1 - (i - history) / WAITING)
            status, page = "submitted", "done"
        else:
            at = now - dt.timedelta(hours=24) * (1 - (i - history - WAITING) / TODAY)
            status = rng.choice(("draft", "draft", "submitted", "countersigned"))
            page = rng.choice(PAGES) if status == "draft" else "done"
        started = at - dt.timedelta(minutes=40)
        yield {
            "id": str(uuid.UUID(int=rng.getrandbits(128))), "patient_id": 1 + i % n_patients,
            "status": status, "lang": "en", "visit_date": at.date(), "code_hash": "",
            "page": page, "kiosk_station": "kiosk-1" if page != "welcome" else "",
            "needs_staff": "identity" if i == history - 1 else "item9"
            if status == "draft" and i >= history + WAITING and i % 40 == 0 else "",
            "form_versions": "{}", "ruleset_id": "", "quiz_passed":
            status != "draft", "record_sha256": "", "started_at": started, "submitted_at":
            at if status in ("submitted", "countersigned") else None, "countersigned_at":
            at + dt.timedelta(minutes=20) if status == "countersigned" else None,
            "updated_at": at + dt.timedelta(minutes=20) if status == "countersigned" else at,
            "version": 1, "actor": "bench", "station": "bench",
        }  # fmt: skip


def chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_sqlite(ctx: AppContext, n: int) -> None:
    with ctx.db.engine.begin() as conn:
        for batch in chunks(patients(ctx, n // 5)):
            conn.execute(insert(Patient.__table__), batch)
        for batch in chunks(visits(ctx, n, n // 5)):
            for row in batch:
                row["form_versions"] = {}
            conn.execute(insert(Visit.__table__), batch)


def build_postgres(ctx: AppContext, raw: Any, n: int) -> None:
    with raw.cursor() as cur:
        first = next(patients(ctx, 1))
        columns = tuple(first)
        with cur.copy(f"COPY patients ({', '.join(columns)}) FROM STDIN") as copy:
            for row in patients(ctx, n // 5):
                copy.write_row(tuple(row[c] for c in columns))
        with cur.copy(f"COPY visits ({', '.join(VISIT_COLUMNS)}) FROM STDIN") as copy:
            for row in visits(ctx, n, n // 5):
                copy.write_row(tuple(row[c] for c in VISIT_COLUMNS))
    raw.execute("ANALYZE patients")  # what autovacuum does after a bulk load
    raw.execute("ANALYZE visits")


def median_ms(fn: Callable[[], Any], repeat: int = REPEAT) -> float:
    fn()  # warm caches and statement compilation once
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def statements(ctx: AppContext) -> dict[str, Any]:
    """The SQL the services run (as VisitService builds it), to run bare."""
    start = ctx.now() - dt.timedelta(hours=24)
    waiting = Visit.status == "submitted"
    page = (
        select(Visit, Patient).join(Patient).where(waiting).order_by(Visit.submitted_at, Visit.id)
    )
    return {
        # The board's paused visits (by id; their rows then by primary key, a handful).
        "board paused": select(Visit.id).where(
            Visit.status.in_(("draft", "submitted")), Visit.needs_staff != ""
        ),
        "board": select(Visit, Patient)
        .join(Patient)
        .where(Visit.updated_at >= start)
        .order_by(Visit.updated_at.desc())
        .limit(500),
        "queue count": select(func.count()).select_from(Visit).where(waiting),
        "queue page 1": page.offset(0).limit(50),
        "queue page 14": page.offset(650).limit(50),
        # What the queue did before: the 500 latest changes of 30 days, then kept the signed.
        "old queue": select(Visit, Patient)
        .join(Patient)
        .where(Visit.updated_at >= ctx.now() - dt.timedelta(days=30))
        .order_by(Visit.updated_at.desc())
        .limit(500),
    }


def compiled(ctx: AppContext, stmt: Any) -> tuple[str, Any]:
    c = stmt.compile(dialect=ctx.db.engine.dialect, compile_kwargs={"render_postcompile": True})
    if ctx.db.dialect == "sqlite":
        params = tuple(c.params[name] for name in (c.positiontup or ()))
        return str(c), tuple(
            p.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(p, dt.datetime) else p
            for p in params
        )  # fmt: skip
    return str(c), dict(c.params)


def run(label: str, ctx: AppContext, n: int, bare: Callable[[str, Any], Any], plan: Callable[[str, Any], str], drop: Callable[[str], None]) -> None:  # fmt: skip
    service = VisitService(ctx)
    admin = staff_actor(StaffService(ctx).add(SYSTEM, "bench", "Bench Admin", "admin", "482915"))
    board = service.board(admin)
    queue = service.review_queue(admin)
    print(f"\n=== {label}: {n:,} visits ===")
    print(f"board rows {len(board)}, waiting for review {queue.total}")
    print(f"{'call':44} {'service':>9} {'bare SQL':>9}")
    sql = {k: compiled(ctx, v) for k, v in statements(ctx).items()}

    def raw(*names: str) -> float:
        return median_ms(lambda: [bare(*sql[name]) for name in names])

    rows = [
        (
            "status board (today, 500 at most)",
            lambda: service.board(admin),
            ("board paused", "board"),
        ),
        (
            "status board, first refresh of a station",
            lambda: VisitService(ctx).board(admin),  # every row's part of the visit worked out
            ("board paused", "board"),
        ),
        (
            "queue, first page of 50 + count",
            lambda: service.review_queue(admin, 0, 50),
            ("queue count", "queue page 1"),
        ),
        (
            "queue, page 14 (offset 650) + count",
            lambda: service.review_queue(admin, 650, 50),
            ("queue count", "queue page 14"),
        ),
    ]
    for title, call, names in rows:
        print(f"{title:44} {median_ms(call):7.2f}ms {raw(*names):7.2f}ms")
    print("\nQuery plans:")
    for name in ("board paused", "board", "queue count", "queue page 1"):
        print(f"-- {name}")
        print("   " + plan(*sql[name]).replace("\n", "\n   "))
    for name in INDEXES:
        drop(name)
    print("\nWithout the indexes of migration 0008 (bare SQL, what it cost before):")
    print(f"{'  status board':44} {'':9} {raw('board'):7.2f}ms")
    print(f"{'  queue, first page + count':44} {'':9} {raw('queue count', 'queue page 1'):7.2f}ms")
    print(f"{'  the old queue (500 latest of 30 days)':44} {'':9} {raw('old queue'):7.2f}ms")


def sqlite_side(n: int, root: Path) -> None:
    t = time.perf_counter()
    folder = root / f"sqlite-{n}"
    # A plain file (not the encrypted default) so that bare sqlite3 can read it below.
    ctx = open_context(data_dir=folder, url=f"sqlite:///{folder / 'intake.sqlite3'}")
    build_sqlite(ctx, n)
    raw = sqlite3.connect(str(folder / "intake.sqlite3"))
    raw.execute("ANALYZE")
    print(f"\nSQLite: {n:,} visits built in {time.perf_counter() - t:.1f} s")

    def bare(sql: str, params: Any) -> Any:
        return raw.execute(sql, params).fetchall()

    def plan(sql: str, params: Any) -> str:
        rows = raw.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        return "\n".join(str(row[-1]) for row in rows)

    def drop(index: str) -> None:
        raw.execute(f"DROP INDEX {index}")

    run("SQLite (WAL, the default single-station database)", ctx, n, bare, plan, drop)
    raw.close()
    ctx.db.dispose()
    shutil.rmtree(folder, ignore_errors=True)


def postgres_side(n: int) -> None:
    try:
        import psycopg

        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:
        print(f"\nPostgreSQL at {PG_URL} does not answer ({type(exc).__name__}); skipped.")
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        t = time.perf_counter()
        ctx = open_context(data_dir=Path(tempfile.mkdtemp()), url=PG_URL, schema=schema)
        raw = psycopg.connect(PG_URL, autocommit=True)
        raw.execute(f'SET search_path TO "{schema}"')
        build_postgres(ctx, raw, n)
        print(f"\nPostgreSQL: {n:,} visits built in {time.perf_counter() - t:.1f} s")

        def bare(sql: str, params: Any) -> Any:
            return raw.execute(sql, params).fetchall()

        def plan(sql: str, params: Any) -> str:
            rows = raw.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params).fetchall()
            return "\n".join(r[0] for r in rows)

        def drop(index: str) -> None:
            raw.execute(f"DROP INDEX {index}")

        run("PostgreSQL 127.0.0.1 (several stations)", ctx, n, bare, plan, drop)
        raw.close()
        ctx.db.dispose()
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def main(sizes: list[int]) -> None:
    root = Path(tempfile.mkdtemp(prefix="intake-lists-bench-"))
    try:
        for n in sizes:
            sqlite_side(n, root)
            postgres_side(n)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
