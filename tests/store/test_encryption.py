"""Encryption at rest (SQLCipher default database), file modes, PostgreSQL TLS settings."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from intake import paths, secrets
from intake.services.audit import AuditService
from intake.services.context import open_context
from intake.services.scripted import ScriptedPatient, walk_visit
from intake.store.db import (
    KEY_SECRET,
    Database,
    DatabaseKeyError,
    connect_problem,
    connect_sqlcipher,
    database_key,
)

ROOT = Path(__file__).resolve().parents[2]


def _plain_read(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute("select * from sqlite_master").fetchall()
    finally:
        con.close()


def test_default_database_is_encrypted_and_works(fresh_environment: Path) -> None:
    assert paths.database_url().startswith("sqlcipher:///")
    ctx = open_context()
    try:
        assert ctx.db.encrypted and ctx.db.dialect == "sqlite"
        visit_id, _, _ = walk_visit(ctx, ScriptedPatient())
        assert AuditService(ctx).verify().intact
        with ctx.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA cipher_version").scalar()
        # The immutability triggers hold in the encrypted file too.
        with pytest.raises(Exception, match="append-only"), ctx.db.session(write=True) as s:
            s.execute(text("UPDATE audit_events SET actor = 'x' WHERE seq = 1"))
        # BEGIN IMMEDIATE: a second writer waits for the first (busy), it does not deadlock.
        with ctx.db.session(write=True) as s:
            s.execute(text("SELECT count(*) FROM visits")).scalar()
            other = connect_sqlcipher(fresh_environment / "intake.sqlite3", _key(), timeout=0.2)
            try:
                with pytest.raises(Exception, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
    finally:
        ctx.db.dispose()
    path = fresh_environment / "intake.sqlite3"
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        _plain_read(path)
    assert b"SQLite format 3" not in path.read_bytes()[:16]
    raw = connect_sqlcipher(path, _key())
    try:
        assert raw.execute("SELECT status FROM visits WHERE id = ?", (visit_id,)).fetchone()
    finally:
        raw.close()


def _key() -> str:
    return database_key(paths.data_dir() / "intake.sqlite3", create=False)


def test_explicit_sqlite_url_stays_plain(fresh_environment: Path) -> None:
    path = fresh_environment / "plain.sqlite3"
    ctx = open_context(url=f"sqlite:///{path}")
    try:
        assert not ctx.db.encrypted
        walk_visit(ctx, ScriptedPatient(), sign=False)
    finally:
        ctx.db.dispose()
    _plain_read(path)
    assert secrets.get_secret(KEY_SECRET, folder=fresh_environment) is None


def test_sqlcipher_url_encrypts_any_path(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "x.db"
    db = Database(f"sqlcipher:///{path}")
    try:
        db.migrate()
    finally:
        db.dispose()
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        _plain_read(path)


def _made_default() -> Path:
    ctx = open_context()
    walk_visit(ctx, ScriptedPatient(), sign=False)
    ctx.db.dispose()
    return paths.data_dir() / "intake.sqlite3"


def test_wrong_key_gives_a_clear_message(fresh_environment: Path) -> None:
    _made_default()
    secrets.set_secret(KEY_SECRET, "ab" * 32, folder=fresh_environment)
    with pytest.raises(DatabaseKeyError, match="the database key is not available: .*does not open"):
        ctx = open_context()
        ctx.db.dispose()


def test_missing_key_gives_a_clear_message_and_makes_no_new_key(fresh_environment: Path) -> None:
    _made_default()
    for f in Path(os.environ["INTAKE_SECRETS_DIR"]).iterdir():
        f.unlink()
    with pytest.raises(DatabaseKeyError, match="the database key is not available: no key"):
        open_context()
    assert secrets.get_secret(KEY_SECRET, folder=fresh_environment) is None


def test_missing_key_at_the_command_line_is_a_message_not_a_traceback(
    fresh_environment: Path,
) -> None:
    _made_default()
    for f in Path(os.environ["INTAKE_SECRETS_DIR"]).iterdir():
        f.unlink()
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "audit", "verify"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "cannot open the database: the database key is not available" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_plain_database_at_the_default_path_says_to_encrypt_it(fresh_environment: Path) -> None:
    path = fresh_environment / "intake.sqlite3"
    ctx = open_context(url=f"sqlite:///{path}")
    ctx.db.dispose()
    with pytest.raises(DatabaseKeyError, match="plain, unencrypted.*main.py db encrypt"):
        open_context()
    _plain_read(path)  # untouched


def test_modes_are_tightened_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "loose"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    monkeypatch.setenv("INTAKE_DATA_DIR", str(data))
    ctx = open_context()
    walk_visit(ctx, ScriptedPatient(), sign=False)
    ctx.db.dispose()
    db = data / "intake.sqlite3"
    # Someone loosened everything (a copy, a careless chmod) and left side files behind.
    os.chmod(data, 0o755)
    os.chmod(db, 0o644)
    for side in ("-wal", "-shm"):
        f = data / f"intake.sqlite3{side}"
        f.touch()
        os.chmod(f, 0o644)
    old = os.umask(0o022)
    try:
        ctx = open_context()
        try:
            walk_visit(ctx, ScriptedPatient(first_name="Ana"), sign=False)
            modes = {p.name: p.stat().st_mode & 0o777 for p in data.glob("intake.sqlite3*")}
        finally:
            ctx.db.dispose()
    finally:
        os.umask(old)
    assert data.stat().st_mode & 0o777 == 0o700
    assert {"intake.sqlite3", "intake.sqlite3-wal", "intake.sqlite3-shm"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes


def test_new_wal_and_shm_are_private_under_a_loose_umask(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    old = os.umask(0o022)
    try:
        db = Database(f"sqlite:///{path}")
        with db.session(write=True) as s:
            s.execute(text("CREATE TABLE t (x INTEGER)"))
            s.execute(text("INSERT INTO t VALUES (1)"))
            modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.glob("fresh.sqlite3*")}
        db.dispose()
    finally:
        os.umask(old)
    assert {"fresh.sqlite3", "fresh.sqlite3-wal", "fresh.sqlite3-shm"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes


def test_postgres_sslmode_reaches_psycopg(pg_url: str, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-root.crt"
    url = f"{pg_url}?sslmode=verify-full&sslrootcert={missing}"
    db = Database(url)
    try:
        assert db.engine.url.query["sslmode"] == "verify-full"
        assert db.engine.url.query["sslrootcert"] == str(missing)
        problem = connect_problem(db)
    finally:
        db.dispose()
    # Either the server has no TLS or the root certificate is missing: a clear refusal.
    assert problem is not None
    assert "root certificate" in problem or "SSL" in problem, problem
    plain = Database(pg_url)
    try:
        assert connect_problem(plain) is None
    finally:
        plain.dispose()


_RACE_CHILD = """
import sys, time
from pathlib import Path
from intake import secrets
start = float(sys.argv[2])
while time.time() < start:
    pass
print(secrets.get_secret("database-key", create=True, folder=Path(sys.argv[1])))
"""


def test_processes_making_the_same_secret_at_once_all_get_the_winners(
    fresh_environment: Path,
) -> None:
    """Several demos or stations starting on a fresh folder: one key, every one of them reads it."""
    import time

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for round_ in range(5):
        folder = fresh_environment / f"round{round_}"
        folder.mkdir()
        start = time.time() + 1.5  # every child is up and spinning before the first write
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _RACE_CHILD, str(folder), repr(start)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        outputs = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
        keys = {out.strip() for out, _ in outputs}
        assert len(keys) == 1, f"round {round_}: {len(keys)} different keys"
        assert secrets.get_secret("database-key", folder=folder) in keys
    left = sorted(p.name for p in secrets.secrets_dir().iterdir() if p.name.endswith(".tmp"))
    assert left == []


def test_replacing_a_secret_never_leaves_it_missing(fresh_environment: Path) -> None:
    first = secrets.get_secret("database-key", create=True)
    secrets.set_secret("database-key", "ab" * 32)
    assert secrets.get_secret("database-key") == "ab" * 32 != first
    assert [p.name for p in secrets.secrets_dir().iterdir() if p.name.endswith(".tmp")] == []


def test_auto_reads_a_secret_kept_in_a_file_without_asking_the_keyring(
    fresh_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A station that fell back to a file opens its database without keyring's slow backend
    discovery; a secret not in a file still asks the keyring (here: none works, so a file)."""
    from intake import secrets

    made = secrets.get_secret("probe", create=True, folder=fresh_environment)
    monkeypatch.setenv("INTAKE_SECRET_STORE", "auto")
    asked: list[bool] = []

    def no_keyring() -> bool:
        asked.append(True)
        return False

    monkeypatch.setattr(secrets, "keyring_available", no_keyring)
    assert secrets.get_secret("probe", folder=fresh_environment) == made
    assert asked == []
    assert secrets.get_secret("other", folder=fresh_environment) is None
    assert asked == [True]
