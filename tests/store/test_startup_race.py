"""Several processes starting together on a fresh SQLite file all come up (migrations serialise)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from intake.store.db import Database
from intake.store.migrate import current_revision

ROOT = Path(__file__).resolve().parents[2]

# Each child imports everything first, then waits for the same moment to open the database,
# so the four migrations really start together.
CHILD = """
import sys, time
from intake.store.db import Database
import intake.store.models  # noqa: F401  (imported before the start, like the app)
url, start = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
db = Database(url)
db.migrate()
db.dispose()
print("up")
"""


def test_four_processes_migrate_one_fresh_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    start = str(time.time() + 6.0)
    env = {**os.environ}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, start],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=240) + (p.returncode,) for p in procs]
    for stdout, stderr, code in results:
        assert code == 0, stderr
        assert stdout.strip() == "up"
    db = Database(url)
    head = current_revision(db)
    db.dispose()
    assert head is not None and head.isdigit()
