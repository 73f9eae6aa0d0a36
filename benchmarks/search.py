"""Patient search at 100,000 patients: the service (and the UI model) against a bare query.

Run by hand: uv run python benchmarks/search.py [N]

Builds N patients (default 100,000) in a fresh SQLite file and, when the server answers, in a
schema of its own in PostgreSQL at postgresql://postgres@127.0.0.1:5432/test (dropped after).
A quarter of them have a surname from a pool of 20,000 made-up ones, so that the typo
vocabulary (name_keys) is about the size a real clinic's would be.
For each kind of query the front desk types (name prefix, a name with one typo, date of birth
in several forms, name and date, record number) it prints the median time of
PatientService.search (one page of 50: session, SQL, rows to plain dataclasses), of the same
service with typo tolerance switched off (what an exact or prefix search cost before it), of
the Qt model's first page, and of the service's SQL run bare through sqlite3 or psycopg (the
typo lookup in name_keys not included); then the query plan, which must show the indexes
being used. Target: under 50 ms.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import insert  # noqa: E402

from intake.domain.names import index_entries, words  # noqa: E402
from intake.services.context import SYSTEM, AppContext, open_context  # noqa: E402
from intake.services.patients import PatientService, fold  # noqa: E402
from intake.services.staff import StaffService, staff_actor  # noqa: E402
from intake.store.models import NameKey, Patient  # noqa: E402

PG_URL = os.environ.get("INTAKE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REPEAT = 40
NAMED_BIRTHS: list[str] = []  # "surname 4/12/99" for patients that exist
FIRST = ["Ana", "Zoë", "Liam", "Noah", "Emma", "Olivia", "Mateo", "Lucía", "Sofía", "James",
         "Amelia", "Hugo", "Chloé", "Ethan", "Maya", "Jonas", "Inés", "Leo", "Ava", "Omar"]  # fmt: skip
LAST = ["García", "Smith", "Nguyễn", "Johnson", "Martínez", "Brown", "López", "Davis", "Müller",
        "Wilson", "Pérez", "Taylor", "Sánchez", "Moore", "Kowalski", "Clark", "Ramírez", "Lewis",
        "Okafor", "Walker", "Hernández", "Young", "Ünal", "King", "Torres"]  # fmt: skip


SYLLABLES = ["ka", "lo", "mi", "ra", "ne", "to", "vi", "sa", "du", "be", "ch", "or", "an",
             "el", "is", "ur", "pe", "go", "ha", "zi", "wa", "ste", "bri", "mon", "dal"]  # fmt: skip


def made_up_surnames(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < count:
        out.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize())
    return sorted(out)


class ExactOnly(PatientService):
    """The service as it searched before typo tolerance: prefixes only."""

    def _typo_variants(self, session: Any, folded: str) -> list[tuple[str, bool]]:
        return []


def build(ctx: AppContext, n: int, seed: int = 7) -> list[dt.date]:
    """Insert n patients with SQLAlchemy Core; returns some dates of birth that exist."""
    NAMED_BIRTHS.clear()
    rng = random.Random(seed)
    more = random.Random(seed + 1)
    pool = made_up_surnames(20_000, seed)
    now = ctx.now()
    prefix = ctx.forms.clinic.record_prefix
    rows, births = [], []
    keys: set[tuple[str, str]] = set()
    for i in range(1, n + 1):
        first = rng.choice(FIRST)
        last = rng.choice(LAST) + ("" if i % 3 else f"-{rng.choice(LAST)}")
        if i % 4 == 0:
            last = more.choice(pool)
        keys |= index_entries(first, last)
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(16_000))
        if i % 997 == 0:
            births.append(born)
            NAMED_BIRTHS.append(f"{words(last)[0]} {born.month}/{born.day}/{born.year % 100:02d}")
        rows.append(
            {
                "id": i,
                "record_number": f"{prefix}-{i:06d}",
                "first_name": first,
                "last_name": last,
                "preferred_name": "",
                "date_of_birth": born,
                "sex_at_birth": rng.choice(("female", "male", "intersex")),
                "phone": "",
                "email": "",
                "lang": "en",
                "search_name": fold(f"{last} {first}"),
                "search_alt": fold(f"{first} {last}"),
                "version": 1,
                "created_at": now,
                "actor": "system",
                "station": "bench",
            }
        )
    pairs = [{"key": k, "word": w} for k, w in sorted(keys)]
    with ctx.db.engine.begin() as conn:
        for start in range(0, n, 20_000):
            conn.execute(insert(Patient.__table__), rows[start : start + 20_000])
        for start in range(0, len(pairs), 20_000):
            conn.execute(insert(NameKey.__table__), pairs[start : start + 20_000])
    print(f"  name_keys: {len(pairs):,} (key, word) pairs")
    return births


def median_ms(fn: Callable[[], Any], repeat: int = REPEAT) -> float:
    fn()  # warm caches and statement compilation once
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def compiled(ctx: AppContext, service: PatientService, query: str) -> tuple[str, Any]:
    """The exact SQL the service runs for ``query`` (first page), with its parameters."""
    with ctx.db.session() as s:
        stmt = service.search_statement(s, query).limit(50).offset(0)
        c = stmt.compile(dialect=ctx.db.engine.dialect)
    if ctx.db.dialect == "sqlite":
        params = tuple(c.params[name] for name in (c.positiontup or ()))
        params = tuple(p.isoformat() if isinstance(p, dt.date) else p for p in params)
        return str(c), params
    return str(c), dict(c.params)


def queries(births: list[dt.date]) -> list[tuple[str, list[str]]]:
    short = [f"{d.month}/{d.day}/{d.year % 100:02d}" for d in births[:5]]
    return [
        ("name prefix, common surname ('garc')", ["garc", "smit", "nguy", "lope", "wils"]),
        ("name prefix, first + last ('lucia lop')", ["lucia lop", "emma sm", "omar ok"]),
        ("name prefix, one letter ('s')", ["s", "m", "k"]),
        ("whole surname ('garcia')", ["garcia", "smith", "nguyen", "walker"]),
        ("one typo, surname ('nguen')", ["nguen", "garica", "smiht", "okafr", "walkre"]),
        ("one typo, last + first ('nguen zoe')", ["nguen zoe", "smiht emma", "lopex ana"]),
        ("date of birth", [d.isoformat() for d in births[:5]]),
        ("date of birth typed 4/12/99", short),
        ("name + date ('smith 4/12/99')", NAMED_BIRTHS[:5]),
        ("record number, full ('RPM-054321')", ["RPM-054321", "RPM-000777", "RPM-099001"]),
        ("record number, partial ('RPM-0543')", ["RPM-0543", "rpm0999", "RPM-0123"]),
    ]


def bench_model(service: PatientService, actor: Any, text: str) -> float:
    """The Qt model's first page (what the front desk waits for after typing pauses)."""
    from intake.ui.staff.search_model import PatientSearchModel

    model = PatientSearchModel(service, actor, debounce_ms=0)
    try:
        return median_ms(lambda: model.search_now(text))
    finally:
        model.clear()
        gc.collect()


def run(label: str, ctx: AppContext, bare: Callable[[str, Any], Any], plan: Callable[[str, Any], str], births: list[dt.date]) -> None:  # fmt: skip
    service = PatientService(ctx)
    exact = ExactOnly(ctx)
    admin = staff_actor(StaffService(ctx).add(SYSTEM, "bench", "Bench Admin", "admin", "482915"))
    print(f"\n=== {label} ===")
    print(f"{'query':44} {'service':>9} {'no typos':>9} {'UI model':>9} {'bare SQL':>9}  rows")
    for title, texts in queries(births):
        svc = statistics.median(
            median_ms(lambda t=t: service.search(admin, t, 50, 0), REPEAT // 2) for t in texts
        )
        before = statistics.median(
            median_ms(lambda t=t: exact.search(admin, t, 50, 0), REPEAT // 2) for t in texts
        )
        model = bench_model(service, admin, texts[0])
        sql, params = compiled(ctx, service, texts[0])
        raw = median_ms(lambda sql=sql, params=params: bare(sql, params))
        rows = len(service.search(admin, texts[0], 50, 0))
        print(f"{title:44} {svc:7.2f}ms {before:7.2f}ms {model:7.2f}ms {raw:7.2f}ms  {rows}")
    deep = median_ms(lambda: service.search(admin, "garc", 50, 1000), REPEAT // 2)
    print(f"{'scrolled far: page 21 of garc (offset 1000)':44} {deep:7.2f}ms")
    print("\nQuery plans (first query of each kind):")
    for title, texts in queries(births):
        sql, params = compiled(ctx, service, texts[0])
        print(f"-- {title}: {texts[0]!r}")
        print("   " + plan(sql, params).replace("\n", "\n   "))


def sqlite_side(n: int, root: Path) -> None:
    t = time.perf_counter()
    # A plain file (not the encrypted default) so that bare sqlite3 can read it below.
    ctx = open_context(
        data_dir=root / "sqlite", url=f"sqlite:///{root / 'sqlite' / 'intake.sqlite3'}"
    )
    births = build(ctx, n)
    print(f"SQLite: {n:,} patients built in {time.perf_counter() - t:.1f} s")
    raw = sqlite3.connect(str(root / "sqlite" / "intake.sqlite3"))

    def bare(sql: str, params: Any) -> Any:
        return raw.execute(sql, params).fetchall()

    def plan(sql: str, params: Any) -> str:
        return "\n".join(
            str(row[-1]) for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        )

    run("SQLite (WAL, the default single-station database)", ctx, bare, plan, births)
    raw.close()
    ctx.db.dispose()


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
        births = build(ctx, n)
        raw = psycopg.connect(PG_URL, autocommit=True)
        raw.execute(f'SET search_path TO "{schema}"')
        raw.execute("ANALYZE patients")  # what autovacuum does after a bulk load
        print(f"\nPostgreSQL: {n:,} patients built in {time.perf_counter() - t:.1f} s")

        def bare(sql: str, params: Any) -> Any:
            return raw.execute(sql, params).fetchall()

        def plan(sql: str, params: Any) -> str:
            rows = raw.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params).fetchall()
            return "\n".join(r[0] for r in rows)

        run("PostgreSQL 127.0.0.1 (several stations)", ctx, bare, plan, births)
        raw.close()
        ctx.db.dispose()
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def main(n: int = 100_000) -> None:
    from PySide6.QtCore import QCoreApplication

    import intake.ui  # noqa: F401  (first: guards against the PySide6 6.12 refcount bug)

    app = QCoreApplication.instance() or QCoreApplication([])
    root = Path(tempfile.mkdtemp(prefix="intake-search-bench-"))
    try:
        sqlite_side(n, root)
        postgres_side(n)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        gc.collect()
        del app


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
