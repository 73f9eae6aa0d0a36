"""`audit verify`'s chain walk against a bare walk doing the same hashing, at 100k and 1M events.

Run by hand: uv run python benchmarks/audit.py [N ...]   (default: 100000 1000000)

For each N it writes N audit events (hash-chained as the app chains them, bulk-inserted) to a
fresh plain SQLite file, then times, in turns, ``intake.store.audit.verify`` (what `main.py
audit verify` runs first: SQLAlchemy, plain columns in batches of 5000) and a bare walk through
sqlite3 that reads the same columns in the same batches, parses the time and the JSON detail and
recomputes the same SHA-256 chain. Both are checked to agree. It prints the medians and their
ratio (target: within 1.5x).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from intake.services.context import open_context  # noqa: E402
from intake.store import audit  # noqa: E402
from intake.store.models import AuditEvent, AuditHead  # noqa: E402

ROUNDS = 5
BATCH = 5000
ACTIONS = (
    ("save", "visit", {"page": "intake:health"}),
    ("acknowledge", "visit", {"statement": "dry_skin", "by": "patient"}),
    ("login", "staff", {}),
    ("create", "document", {"kind": "consent", "issue": 1, "sha256": "ab" * 32}),
)


def build(url: str, n: int) -> None:
    ctx = open_context(data_dir=Path(url.removeprefix("sqlite:///")).parent, url=url)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    prev = audit.GENESIS
    rows = []
    with ctx.db.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_events")
        conn.exec_driver_sql("DELETE FROM audit_head")
        for seq in range(1, n + 1):
            action, entity, detail = ACTIONS[seq % len(ACTIONS)]
            at = start + dt.timedelta(seconds=seq)
            args = ("staff:1", "bench", action, entity, str(seq % 5000), detail, prev)
            digest = audit.event_hash(seq, at, *args)
            rows.append(
                {
                    "seq": seq, "at": at, "actor": "staff:1", "station": "bench",
                    "action": action, "entity": entity, "entity_id": str(seq % 5000),
                    "detail": detail, "prev_hash": prev, "hash": digest,
                }
            )  # fmt: skip
            prev = digest
            if len(rows) == 50_000:
                conn.execute(insert(AuditEvent.__table__), rows)
                rows = []
        if rows:
            conn.execute(insert(AuditEvent.__table__), rows)
        conn.execute(
            insert(AuditHead.__table__),
            [{"id": 1, "seq": n, "hash": prev, "signature": "", "signer": ""}],
        )
    ctx.db.dispose()


def service_walk(url: str) -> int:
    from intake.store.db import Database

    db = Database(url)
    try:
        with db.session() as s:
            report = audit.verify(s, batch=BATCH)
    finally:
        db.dispose()
    assert report.intact, report.reason
    return report.events


def bare_walk(path: Path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        prev, last, count = audit.GENESIS, 0, 0
        while True:
            rows = conn.execute(
                "SELECT seq, at, actor, station, action, entity, entity_id, detail, prev_hash,"
                " hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?",
                (last, BATCH),
            ).fetchall()
            if not rows:
                break
            for seq, at, actor, station, action, entity, entity_id, detail, prev_hash, digest in rows:
                when = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
                body = {
                    "seq": seq,
                    "at": when.isoformat(timespec="microseconds"),
                    "actor": actor,
                    "station": station,
                    "action": action,
                    "entity": entity,
                    "entity_id": entity_id,
                    "detail": json.loads(detail),
                    "prev": prev_hash,
                }
                blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                if prev_hash != prev or hashlib.sha256(blob.encode()).hexdigest() != digest:
                    raise AssertionError(f"bare walk disagrees at {seq}")
                prev, last, count = digest, seq, count + 1
        return count
    finally:
        conn.close()


def main(sizes: list[int]) -> None:
    root = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    try:
        for n in sizes:
            path = root / f"audit-{n}.sqlite3"
            url = f"sqlite:///{path}"
            t = time.perf_counter()
            build(url, n)
            print(f"\n{n:,} events built in {time.perf_counter() - t:.1f} s")
            service, bare, ratios = [], [], []
            for _ in range(ROUNDS):  # in turns, so a drift in the machine's speed hits both
                t = time.perf_counter()
                assert service_walk(url) == n
                a = time.perf_counter() - t
                t = time.perf_counter()
                assert bare_walk(path) == n
                b = time.perf_counter() - t
                service.append(a)
                bare.append(b)
                ratios.append(a / b)
            print(f"{'audit.verify (SQLAlchemy, plain columns)':44} {statistics.median(service):8.2f} s")
            print(f"{'bare sqlite3 walk, same hashing':44} {statistics.median(bare):8.2f} s")
            print(
                f"{'ratio (median of the pairs; target <= 1.5)':44} {statistics.median(ratios):8.2f}x"
                f"  (min {min(ratios):.2f}, max {max(ratios):.2f})"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
