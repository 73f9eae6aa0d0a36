"""db encrypt, backup and restore: through the commands, on real files and real processes."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from intake import paths
from intake.cli import main
from intake.services.context import open_context
from intake.services.documents import DocumentService
from intake.services.scripted import ScriptedPatient, walk_visit
from intake.store.backup import BackupError, DatabaseBusy, encrypt_database
from intake.store.db import connect_sqlcipher, database_key
from intake.store.models import AuditEvent, Document, Patient

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _live() -> Path:
    return paths.data_dir() / paths.DATABASE_FILE


def _count(model: type) -> int:
    ctx = open_context()
    try:
        with ctx.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        ctx.db.dispose()


def _plain_default() -> Path:
    """A plain database where the default one lives, as an earlier version left it."""
    path = _live()
    ctx = open_context(url=f"sqlite:///{path}")
    walk_visit(ctx, ScriptedPatient())
    ctx.db.dispose()
    return path


def _plain_counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def _dump_digest(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return hashlib.sha256("\n".join(con.iterdump()).encode("utf-8")).hexdigest()
    finally:
        con.close()


def _holder(path: Path, key: str | None) -> subprocess.Popen[str]:
    """Another process with the database open and idle, as a running station has it."""
    code = (
        "import sys, sqlcipher3\n"
        "c = sqlcipher3.connect(sys.argv[1])\n"
        "if sys.argv[2] != '-': c.execute('PRAGMA key = \"x\\'' + sys.argv[2] + '\\'\"')\n"
        "c.execute('PRAGMA journal_mode=WAL'); c.execute('SELECT count(*) FROM sqlite_master').fetchone()\n"
        "print('ready', flush=True); sys.stdin.readline()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(path), key or "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def _release(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    child.stdin.write("\n")
    child.stdin.flush()
    child.wait(30)


# --- db encrypt -----------------------------------------------------------------------------


def test_db_encrypt_converts_the_plain_default_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _plain_default()
    before = _plain_counts(path)
    assert main(["db", "encrypt"]) == 0
    assert "plain file was removed" in capsys.readouterr().out
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        _plain_counts(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert not list(path.parent.glob(".*.tmp"))
    con = connect_sqlcipher(path, database_key(path, create=False))
    try:
        after = {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in before}
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()
    assert after == before and before["audit_events"] > 10
    assert main(["audit", "verify"]) == 0


def test_db_encrypt_refuses_an_encrypted_database(capsys: pytest.CaptureFixture[str]) -> None:
    ctx = open_context()
    walk_visit(ctx, ScriptedPatient(), sign=False)
    ctx.db.dispose()
    digest = hashlib.sha256(_live().read_bytes()).hexdigest()
    assert main(["db", "encrypt"]) == 1
    assert "already encrypted" in capsys.readouterr().err
    assert hashlib.sha256(_live().read_bytes()).hexdigest() == digest


def test_db_encrypt_refuses_while_another_process_has_it_open(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _plain_default()
    before = _plain_counts(path)
    child = _holder(path, None)
    try:
        assert main(["db", "encrypt"]) == 1
        assert "open in another program" in capsys.readouterr().err
    finally:
        _release(child)
    assert _plain_counts(path) == before  # still plain, still whole


@pytest.mark.parametrize("step", ["locked", "exported", "verified"])
def test_a_crash_during_encrypt_leaves_the_original(step: str) -> None:
    path = _plain_default()
    before = _plain_counts(path)
    digest = _dump_digest(path)
    code = (
        "import os, sys\nfrom pathlib import Path\n"
        "from intake.store.backup import encrypt_database\n"
        "def step(name):\n"
        "    if name == sys.argv[2]: os._exit(9)\n"
        "encrypt_database(Path(sys.argv[1]), step=step)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path), step], env=ENV, timeout=120, capture_output=True
    )
    assert done.returncode == 9, done.stderr
    assert _plain_counts(path) == before
    # Every row and schema item as it was (the header may say "rollback journal" now: the
    # lock step checkpoints the WAL into the file and leaves WAL mode).
    assert _dump_digest(path) == digest
    # The next attempt clears what the crash left and finishes.
    assert encrypt_database(path) == before
    assert not list(path.parent.glob(".*.tmp"))


# --- backup ---------------------------------------------------------------------------------


def test_backup_while_a_station_runs_is_encrypted_consistent_and_private(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    station = open_context()
    walk_visit(station, ScriptedPatient())
    out = tmp_path / "backups" / "intake.backup"
    out.parent.mkdir()
    try:
        # A station is in the middle of a write, not yet committed: the backup has none of it.
        with station.db.session(write=True) as s:
            events = s.scalar(select(func.count()).select_from(AuditEvent))
            s.execute(text("DELETE FROM answers WHERE 0"))
            assert main(["backup", "--out", str(out)]) == 0
        assert "encrypted with this installation's database key" in capsys.readouterr().out
    finally:
        station.db.dispose()
    assert out.stat().st_mode & 0o777 == 0o600
    assert not list(out.parent.glob(".*"))
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(out).execute("select * from sqlite_master").fetchall()
    con = connect_sqlcipher(out, database_key(_live(), create=False))
    try:
        assert con.execute("SELECT count(*) FROM audit_events").fetchone()[0] == events
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def test_backup_refuses_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    open_context().db.dispose()
    assert main(["backup", "--out", str(tmp_path / "nope" / "b")]) == 1
    assert "does not exist" in capsys.readouterr().err


# --- restore --------------------------------------------------------------------------------


def _backup_then_more(tmp_path: Path) -> tuple[Path, int]:
    ctx = open_context()
    visit_id, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    assert DocumentService(ctx).issue_documents(kiosk, visit_id)
    ctx.db.dispose()
    out = tmp_path / "b.backup"
    assert main(["backup", "--out", str(out)]) == 0
    patients = _count(Patient)
    ctx = open_context()
    walk_visit(ctx, ScriptedPatient(first_name="Later"), sign=False)
    ctx.db.dispose()
    assert _count(Patient) == patients + 1
    return out, patients


def test_restore_puts_a_verified_backup_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, patients = _backup_then_more(tmp_path)
    backup_digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert main(["restore", str(out)]) == 0
    said = capsys.readouterr().out
    assert "restored: audit chain intact" in said
    assert _count(Patient) == patients
    assert _count(Document) > 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == backup_digest  # backup untouched
    assert _live().stat().st_mode & 0o777 == 0o600
    assert not list(_live().parent.glob(".*.tmp"))
    assert main(["audit", "verify"]) == 0


def _tamper(backup: Path, statements: list[str]) -> None:
    con = connect_sqlcipher(backup, database_key(_live(), create=False))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


@pytest.mark.parametrize(
    ("statements", "problem"),
    [
        (
            [
                "DROP TRIGGER trg_audit_events_no_update",
                "UPDATE audit_events SET actor = 'staff:999' WHERE seq = 5",
            ],
            "audit chain broken at event 5",
        ),
        (
            [
                "DROP TRIGGER IF EXISTS trg_documents_no_update",
                "UPDATE documents SET pdf = CAST(pdf || X'20' AS BLOB)",
            ],
            "does not match its SHA-256",
        ),
        (
            # The tail cut and the head set to match: the hashes agree, the signature does not.
            [
                "DROP TRIGGER IF EXISTS trg_audit_events_no_delete",
                "DELETE FROM audit_events WHERE seq > (SELECT MAX(seq) - 3 FROM audit_events)",
                "UPDATE audit_head SET seq = (SELECT MAX(seq) FROM audit_events),"
                " hash = (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1)",
            ],
            "the chain head's signature does not match it",
        ),
        (
            # A signed visit's answer changed in place, triggers dropped first.
            [
                "DROP TRIGGER IF EXISTS trg_answers_draft_update",
                "UPDATE answers SET value = '{\"v\": \"changed\"}' WHERE rowid = (SELECT MIN(rowid) FROM answers)",
            ],
            "visit ",
        ),
    ],
)
def test_restore_refuses_a_backup_that_does_not_verify(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    statements: list[str],
    problem: str,
) -> None:
    out, patients = _backup_then_more(tmp_path)
    _tamper(out, statements)
    live_digest = hashlib.sha256(_live().read_bytes()).hexdigest()
    assert main(["restore", str(out)]) == 1
    err = capsys.readouterr().err
    assert problem in err and "nothing was changed" in err
    assert hashlib.sha256(_live().read_bytes()).hexdigest() == live_digest
    assert _count(Patient) == patients + 1
    assert not list(_live().parent.glob(".*.tmp*"))


def test_restore_refuses_a_file_that_is_no_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_context().db.dispose()
    junk = tmp_path / "junk.backup"
    junk.write_bytes(os.urandom(8192))
    assert main(["restore", str(junk)]) == 2
    assert "the database key is not available" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing")]) == 1


def test_restore_refuses_while_a_station_has_the_database_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, patients = _backup_then_more(tmp_path)
    child = _holder(_live(), database_key(_live(), create=False))
    try:
        assert main(["restore", str(out)]) == 1
        assert "open in another program" in capsys.readouterr().err
    finally:
        _release(child)
    assert _count(Patient) == patients + 1
    assert not list(_live().parent.glob(".*.tmp*"))


def test_hold_exclusive_sees_an_idle_connection_in_this_process() -> None:
    from intake.store.backup import hold_exclusive

    ctx = open_context()
    try:
        with ctx.db.session() as s:
            s.execute(text("SELECT 1"))  # the pool keeps this connection open afterwards
        key = database_key(_live(), create=False)
        with pytest.raises(DatabaseBusy), hold_exclusive(_live(), key, timeout=0.2):
            pass
    finally:
        ctx.db.dispose()
    with hold_exclusive(_live(), database_key(_live(), create=False)):
        pass


def test_encrypt_refuses_a_missing_database() -> None:
    with pytest.raises(BackupError, match="no database"):
        encrypt_database(_live())


# --- PostgreSQL: verify a database restored with pg_restore -----------------------------------


def test_restore_check_only_on_postgres(
    pg_url: str, pg_schema: str, fresh_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = open_context(data_dir=fresh_environment, url=pg_url, schema=pg_schema)
    try:
        walk_visit(ctx, ScriptedPatient())
        assert main(["restore", "--check-only", pg_url, "--schema", pg_schema]) == 0
        assert "verified: audit chain intact" in capsys.readouterr().out
        with ctx.db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER trg_audit_events_append_only ON audit_events"))
            conn.execute(text("UPDATE audit_events SET action = 'view' WHERE seq = 3"))
        assert main(["restore", "--check-only", pg_url, "--schema", pg_schema]) == 1
        assert "audit chain broken at event 3" in capsys.readouterr().err
    finally:
        ctx.db.dispose()


def test_restore_check_only_with_verify_full_and_no_root_certificate(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{pg_url}?sslmode=verify-full&sslrootcert={tmp_path / 'root.crt'}"
    assert main(["restore", "--check-only", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cannot connect to the database:")
    assert "Traceback" not in err


def test_restore_on_another_computer_needs_the_exported_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out, patients = _backup_then_more(tmp_path)
    key_file = tmp_path / "keep-apart" / "intake.key"
    key_file.parent.mkdir()
    assert main(["db", "key-export", "--out", str(key_file)]) == 0
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert main(["db", "key-export", "--out", str(key_file)]) == 1  # never overwritten
    old_key = database_key(_live(), create=False)
    # The other computer: its own data folder and secret store, nothing in them yet.
    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path / "other" / "data"))
    monkeypatch.setenv("INTAKE_SECRETS_DIR", str(tmp_path / "other" / "secrets"))
    capsys.readouterr()
    assert main(["restore", str(out)]) == 2
    assert "the database key is not available" in capsys.readouterr().err
    assert not _live().exists()
    assert not (tmp_path / "other" / "secrets").exists() or not any(
        (tmp_path / "other" / "secrets").iterdir()
    )  # a refused restore makes no key
    # The chain head is signed with the clinic key: checking it needs the clinic certificate
    # (public, no key or passphrase), which the other computer does not have yet.
    assert main(["restore", str(out), "--key-file", str(key_file)]) == 1
    assert "no clinic certificate" in capsys.readouterr().err
    assert not _live().exists()
    import shutil

    from intake.documents.signing import CERT_FILE

    shutil.copy2(tmp_path / "data" / CERT_FILE, tmp_path / "other" / "data" / CERT_FILE)
    assert main(["restore", str(out), "--key-file", str(key_file)]) == 0
    assert "restored: audit chain intact" in capsys.readouterr().out
    # Re-encrypted under this computer's own key.
    assert database_key(_live(), create=False) != old_key
    assert _count(Patient) == patients
    assert main(["audit", "verify"]) == 0
