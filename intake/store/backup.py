"""File operations on the SQLite database: encrypt in place, online backup, swap in a restore.

Each one writes a new file beside its target (same folder, so the final ``os.replace`` is
atomic), fsyncs it, checks it opens and reads, and only then swaps it in; a crash at any step
leaves the original as it was (and at worst a ``.*.tmp`` file, removed by the next attempt).
Nothing here prints or logs a row's content, nor the key.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from intake.store.db import (
    SIDE_FILES,
    DatabaseKeyError,
    check_key,
    connect_sqlcipher,
    create_private,
    database_key,
    key_pragma,
    tighten_modes,
)

__all__ = [
    "BackupError",
    "DatabaseBusy",
    "backup_database",
    "encrypt_database",
    "hold_exclusive",
    "is_encrypted_file",
    "swap_in",
]

Step = Callable[[str], None]


class BackupError(Exception):
    """The operation was refused or failed; nothing already saved was changed."""


class DatabaseBusy(BackupError):
    """Another process (a running station) has the database open."""


def _nothing(_step: str) -> None:
    pass


def _tmp_for(target: Path, what: str) -> Path:
    return target.with_name(f".{target.name}.{what}.tmp")


def _remove(path: Path) -> None:
    for candidate in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        candidate.unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open a folder; replace is durable there
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_not_a_database(exc: Exception) -> bool:
    return "not a database" in str(exc)


def is_encrypted_file(path: Path) -> bool:
    """True if ``path`` is not readable as plain SQLite (an SQLCipher file, or not SQLite)."""
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), timeout=1)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return False
    except sqlcipher3.DatabaseError as exc:
        if _is_not_a_database(exc):
            return True
        raise
    finally:
        conn.close()


def _connect(path: Path, key: str | None, timeout: float) -> Any:
    import sqlcipher3

    if key is not None:
        return connect_sqlcipher(path, key, timeout=timeout)
    conn = sqlcipher3.connect(str(path), timeout=timeout, check_same_thread=False)
    conn.isolation_level = None
    return conn


@contextlib.contextmanager
def hold_exclusive(path: Path, key: str | None, *, timeout: float = 1.0) -> Iterator[Any]:
    """A connection that alone has ``path`` open, or DatabaseBusy.

    A station keeps a WAL-mode database open with a shared lock even when idle, so a writer
    test (BEGIN IMMEDIATE) is not enough: leaving WAL mode needs every other connection gone.
    Exclusive locking mode then keeps the lock until this connection closes, and the -wal and
    -shm files are checkpointed and removed (nothing of the old file is left beside it).
    """
    import sqlcipher3

    conn = _connect(path, key, timeout)
    try:
        try:
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            if str(mode).lower() != "delete":
                raise DatabaseBusy(
                    f"{path} is open in another program (a running station?): close it and try again"
                )
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("COMMIT")
        except sqlcipher3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseBusy(
                    f"{path} is open in another program (a running station?): close it and try again"
                ) from None
            raise
        yield conn
    finally:
        conn.close()


def _tables(conn: Any, schema: str = "main") -> list[str]:
    rows = conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows]


def _counts(conn: Any) -> dict[str, int]:
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in _tables(conn)}


def _check_opens(path: Path, key: str | None) -> dict[str, int]:
    """Open ``path``, run integrity_check, and return its row counts."""
    conn = _connect(path, key, 5)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"the new file {path.name} fails SQLite's integrity check")
        return _counts(conn)
    finally:
        conn.close()


def encrypt_database(path: Path, *, step: Step = _nothing) -> dict[str, int]:
    """Convert the plain SQLite database ``path`` into an SQLCipher one in place.

    Refuses when it does not exist, is already encrypted, or is open in another process.
    The plain file is gone once the swap is done: ``os.replace`` unlinks it (its blocks are
    freed, not overwritten; see README). Returns the row counts checked.
    """
    if not path.is_file():
        raise BackupError(f"there is no database at {path}")
    if is_encrypted_file(path):
        try:
            connect_sqlcipher(path, database_key(path, create=False), timeout=1).close()
        except DatabaseKeyError:
            raise BackupError(
                f"{path} is not a plain SQLite database (encrypted with another key, or not a database)"
            ) from None
        raise BackupError(f"{path} is already encrypted")
    tmp = _tmp_for(path, "encrypt")
    _remove(tmp)
    key = database_key(path, create=True)
    with hold_exclusive(path, None) as plain:
        step("locked")
        before = _counts(plain)
        version = plain.execute("PRAGMA user_version").fetchone()[0]
        create_private(tmp)
        try:
            plain.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{key}'\"", (str(tmp),))
            plain.execute("SELECT sqlcipher_export('enc')").fetchone()
            plain.execute(f"PRAGMA enc.user_version = {int(version)}")
            plain.execute("DETACH DATABASE enc")
            step("exported")
            enc = connect_sqlcipher(tmp, key)
            try:
                enc.execute("PRAGMA journal_mode=WAL").fetchone()
            finally:
                enc.close()
            after = _check_opens(tmp, key)
            if after != before:
                raise BackupError("the encrypted copy's row counts differ; the database is unchanged")
            _fsync_file(tmp)
            step("verified")
            os.replace(tmp, path)
            _fsync_dir(path.parent)
        except BaseException:
            _remove(tmp)
            raise
    step("swapped")
    tighten_modes(path)
    return after


def backup_database(path: Path, out: Path, *, encrypted: bool) -> dict[str, int]:
    """A consistent copy of the live database ``path`` at ``out`` (0600), while stations run.

    SQLite's online backup API in one step: it reads one snapshot under a read lock, which
    writers in WAL mode do not wait for. An encrypted database's backup is encrypted with the
    same database key (SQLCipher copies pages between two connections keyed alike).
    """
    if not path.is_file():
        raise BackupError(f"there is no database at {path}")
    out = out.resolve()
    if out == path.resolve():
        raise BackupError("the backup cannot be the live database itself")
    if not out.parent.is_dir():
        raise BackupError(f"the folder {out.parent} does not exist")
    key = database_key(path, create=False) if encrypted else None
    tmp = _tmp_for(out, "backup")
    _remove(tmp)
    source = _connect(path, key, 30)
    try:
        create_private(tmp)
        target = _connect(tmp, key, 30)
        try:
            source.backup(target, pages=-1)
            # A self-contained file: no -wal beside it to lose when it is copied.
            target.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            target.close()
        counts = _check_opens(tmp, key)
        _fsync_file(tmp)
        os.replace(tmp, out)
        _fsync_dir(out.parent)
    except BaseException:
        _remove(tmp)
        raise
    finally:
        source.close()
    os.chmod(out, 0o600)
    return counts


def copy_for_restore(
    backup: Path, live: Path, *, encrypted: bool, backup_key: str | None = None
) -> Path:
    """Copy ``backup`` to a new file beside ``live`` (never touching either) and return it.

    ``backup_key`` is the key the backup was made with when it is not this installation's
    (a backup from another computer, with its exported key); the copy is encrypted with this
    installation's key either way. Raises DatabaseKeyError when the backup does not open.
    """
    import sqlcipher3

    if not backup.is_file():
        raise BackupError(f"cannot read {backup}: no such file")
    live.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # A new installation's key is made only once the backup has opened.
    key = database_key(live, create=False) if encrypted and live.exists() else None
    source_key = (backup_key or key) if encrypted else None
    if encrypted and source_key is None:
        source_key = database_key(live, create=False)  # none yet: says so, makes nothing
    tmp = _tmp_for(live, "restore")
    _remove(tmp)
    try:
        source = sqlcipher3.connect(f"file:{backup}?mode=ro", uri=True, timeout=5)
        try:
            source.isolation_level = None
            if source_key is not None:
                source.execute(key_pragma(source_key))
            try:
                check_key(source, backup)
            except sqlcipher3.DatabaseError as exc:
                raise BackupError(f"{backup} is not a database backup ({exc})") from None
            version = source.execute("PRAGMA user_version").fetchone()[0]
            if encrypted and key is None:
                key = database_key(live, create=True)
            create_private(tmp)
            target_key = f"x'{key}'" if key is not None else ""
            # sqlcipher_export re-encrypts under this installation's key (or writes plain).
            source.execute(f'ATTACH DATABASE ? AS target KEY "{target_key}"', (str(tmp),))
            try:
                source.execute("SELECT sqlcipher_export('target')").fetchone()
                source.execute(f"PRAGMA target.user_version = {int(version)}")
            finally:
                source.execute("DETACH DATABASE target")
        finally:
            source.close()
        _check_opens(tmp, key)
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def export_key(live: Path, out: Path) -> None:
    """Write the database key (64 hex digits) to a new 0600 file ``out``; never overwrites."""
    key = database_key(live, create=False)
    out = out.resolve()
    if out.parent.resolve() == live.parent.resolve():
        raise BackupError("keep the key out of the data folder: it protects that folder's database")
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{out} already exists; nothing was written") from None
    try:
        os.write(fd, (key + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_key_file(path: Path) -> str:
    """The key in a file written by :func:`export_key`."""
    import re

    try:
        text = path.read_text(encoding="ascii", errors="replace").strip().lower()
    except OSError as exc:
        raise BackupError(f"cannot read the key file {path}: {exc.strerror}") from None
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise BackupError(f"{path} does not hold a database key (64 hex digits)")
    return text


def swap_in(candidate: Path, live: Path, *, encrypted: bool, step: Step = _nothing) -> None:
    """Replace ``live`` by the checked ``candidate`` (same folder), refusing while it is open."""
    key = database_key(live, create=False) if encrypted else None
    try:
        # Leave the candidate self-contained (its checks may have put it in WAL mode).
        conn = _connect(candidate, key, 5)
        try:
            conn.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            conn.close()
        _fsync_file(candidate)
        if live.exists():
            with hold_exclusive(live, key):
                step("locked")
                os.replace(candidate, live)
                _fsync_dir(live.parent)
        else:
            os.replace(candidate, live)
            _fsync_dir(live.parent)
    except BaseException:
        _remove(candidate)
        raise
    step("swapped")
    tighten_modes(live)
