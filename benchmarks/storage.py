"""Time of a signed submission's commit against a bare INSERT+COMMIT at the same settings.

Run by hand: uv run python benchmarks/storage.py [N]
Both sides use one SQLite file in WAL mode with synchronous=FULL (what a signature commit uses).
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake.services.context import open_context  # noqa: E402
from intake.services.scripted import ScriptedPatient, signature_strokes, walk_visit  # noqa: E402
from intake.services.visits import VisitService  # noqa: E402


def main(n: int = 25) -> None:
    root = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    ctx = open_context(data_dir=root / "svc")
    pending = [
        walk_visit(
            ctx,
            ScriptedPatient(first_name="Bench", last_name=f"Patient{chr(65 + i % 26)}"),
            sign=False,
        )
        for i in range(n)
    ]
    visits = VisitService(ctx)
    strokes = signature_strokes()
    service_times = []
    for vid, kiosk, _ in pending:
        t = time.perf_counter()
        visits.sign(kiosk, vid, "patient", "Bench Patient", strokes, 600, 200)
        service_times.append(time.perf_counter() - t)

    raw = sqlite3.connect(root / "raw.sqlite3", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=FULL")
    raw.execute("CREATE TABLE sig (id INTEGER PRIMARY KEY, visit TEXT, strokes TEXT, at TEXT)")
    raw_times = []
    payload = str(strokes)
    for i in range(n):
        t = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        raw.execute(
            "INSERT INTO sig (visit, strokes, at) VALUES (?, ?, datetime('now'))", (str(i), payload)
        )
        raw.execute("COMMIT")
        raw_times.append(time.perf_counter() - t)
    raw.close()
    ctx.db.dispose()
    s, r = statistics.median(service_times), statistics.median(raw_times)
    print(
        f"signed submission (service: checks, signature, submit, audit; synchronous=FULL): median {s * 1000:.1f} ms over {n}"
    )
    print(
        f"bare INSERT+COMMIT (sqlite3, WAL, synchronous=FULL):                     median {r * 1000:.2f} ms over {n}"
    )
    print(f"ratio: {s / r:.1f}x")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 25)
