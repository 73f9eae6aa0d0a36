"""A submission killed (SIGKILL) at random points leaves either the whole submission or the draft."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from intake.documents.signing import PASSPHRASE_SECRET, PIN_SECRET
from intake.secrets import get_secret, set_secret
from intake.services.context import open_context
from intake.services.scripted import ScriptedPatient, walk_visit
from intake.services.seal import REMEMBERED
from intake.store import audit
from intake.store.db import KEY_SECRET, connect_sqlcipher, database_key

CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("INTAKE_CRASH_KILLS", "16"))


def _copy(template: Path, data: Path) -> None:
    """A copy of the data folder, with its secrets (the database key, the clinic key's
    passphrase and certificate pin, the remembered audit head) registered for the new folder."""
    shutil.copytree(template, data)
    key = database_key(template / "intake.sqlite3", create=False)
    set_secret(KEY_SECRET, key, folder=data)
    for name in (PASSPHRASE_SECRET, PIN_SECRET, REMEMBERED):
        value = get_secret(name, folder=template)
        if value is not None:
            set_secret(name, value, folder=data)


def _spawn(data: Path, visit_id: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(data), visit_id],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def _state(data: Path, visit_id: str) -> tuple[str, str, int, int]:
    # The default database is encrypted: read it with the installation's key.
    path = data / "intake.sqlite3"
    con = connect_sqlcipher(path, database_key(path, create=False))
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        status = con.execute("SELECT status FROM visits WHERE id = ?", (visit_id,)).fetchone()[0]
        signatures = con.execute(
            "SELECT count(*) FROM signatures WHERE visit_id = ?", (visit_id,)
        ).fetchone()[0]
        submits = con.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'submit' AND entity_id = ?",
            (visit_id,),
        ).fetchone()[0]
        return integrity, status, signatures, submits
    finally:
        con.close()


@pytest.mark.slow
def test_sigkill_during_submission_is_all_or_nothing(tmp_path: Path) -> None:
    template = tmp_path / "template"
    ctx = open_context(data_dir=template)
    visit_id, _, _ = walk_visit(ctx, ScriptedPatient(), sign=False)
    ctx.db.dispose()

    # How long an uninterrupted submission takes, to spread the kills over it.
    timing = tmp_path / "timing"
    _copy(template, timing)
    child = _spawn(timing, visit_id)
    started = time.perf_counter()
    assert child.stdout is not None
    child.stdin.write("go\n")  # type: ignore[union-attr]
    child.stdin.flush()  # type: ignore[union-attr]
    assert child.stdout.readline().strip() == "done"
    span = time.perf_counter() - started
    child.wait(30)
    assert _state(timing, visit_id) == ("ok", "submitted", 1, 1)

    rng = random.Random(20261126)
    outcomes = {"draft": 0, "submitted": 0}
    for i in range(KILLS):
        data = tmp_path / f"run{i}"
        _copy(template, data)
        child = _spawn(data, visit_id)
        child.stdin.write("go\n")  # type: ignore[union-attr]
        child.stdin.flush()  # type: ignore[union-attr]
        time.sleep(rng.uniform(0, span * 1.2))
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        integrity, status, signatures, submits = _state(data, visit_id)
        assert integrity == "ok"
        # Never part of a submission: a signature without the submit, or the reverse.
        assert (status, signatures, submits) in {("draft", 0, 0), ("submitted", 1, 1)}
        outcomes[status] += 1
        reopened = open_context(data_dir=data, migrate=False)
        with reopened.db.session() as s:
            assert audit.verify(s).intact
        reopened.db.dispose()
    # The kills must have landed on both sides of the commit for the test to mean something.
    assert outcomes["draft"] > 0
