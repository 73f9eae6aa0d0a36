"""Engine, unit of work and start-up migration.

SQLite (one kiosk, nothing to install): WAL, foreign keys on, writers in BEGIN IMMEDIATE so two
writers never deadlock on an upgrade from a read lock, ``synchronous=FULL`` for units of work that
record a signature. PostgreSQL (several stations): psycopg 3; migrations run under an advisory lock.

Encryption at rest: a ``sqlcipher:///PATH`` URL (the default database's) is an SQLite file
encrypted with SQLCipher. The dialect stays SQLAlchemy's sqlite, the DB-API module is
``sqlcipher3``, and ``PRAGMA key`` with the raw 256-bit key (``x'...'``, no KDF: about 0.2 ms
per connection against 200 ms with a passphrase) is the first statement on each connection.
The key is the secret ``database-key`` (:mod:`intake.secrets`), never in the URL or the data
folder. A ``sqlite:///PATH`` URL stays a plain SQLite file.

Every SQLite file database is opened 0600 in a folder it does not loosen; SQLite gives its
-wal and -shm files the database file's mode, and looser ones left from before are tightened.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

MIGRATION_LOCK_KEY = 7_311_954_001  # pg advisory lock id for schema upgrades
AUDIT_LOCK_KEY = 7_311_954_002  # pg advisory lock id serialising audit-chain appends


ENCRYPTED_SCHEME = "sqlcipher"
KEY_SECRET = "database-key"
SIDE_FILES = ("-wal", "-shm", "-journal")
_HEX_KEY = re.compile(r"[0-9a-f]{64}")


class DatabaseKeyError(Exception):
    """The encrypted database cannot be opened with the key this installation has."""


def is_encrypted_url(url: str | URL) -> bool:
    return make_url(url).drivername.split("+")[0] == ENCRYPTED_SCHEME


def sqlite_path(url: str | URL) -> Path | None:
    """The file of an SQLite or SQLCipher URL; None for memory or another backend."""
    u = make_url(url)
    if u.drivername.split("+")[0] not in ("sqlite", ENCRYPTED_SCHEME):
        return None
    if not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def tighten_modes(path: Path) -> None:
    """0600 on the database file and any -wal/-shm/-journal beside it (left looser before)."""
    for candidate in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        try:
            if candidate.stat().st_mode & 0o077:
                os.chmod(candidate, 0o600)
        except FileNotFoundError:
            continue
        except PermissionError:
            # Another account's file (a shared explicit URL): SQLite still opens it or says why.
            continue


def create_private(path: Path) -> None:
    """Make an empty 0600 file at ``path`` unless one exists (so SQLite never makes it 0644)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def database_key(path: Path | None, *, create: bool) -> str:
    """The raw database key (64 hex digits); made when ``create`` and none exists yet.

    Raises DatabaseKeyError (never with the key in the message) when there is none.
    """
    from intake import secrets

    try:
        folder = path.parent if path is not None else None
        key = secrets.get_secret(KEY_SECRET, create=create, folder=folder)
        where = secrets.store_description() if key is None else None
    except secrets.SecretStoreError as exc:
        raise DatabaseKeyError(f"the database key is not available: {exc}") from None
    except Exception as exc:  # a keyring backend failing: the environment's fault, say so
        raise DatabaseKeyError(
            f"the database key is not available: the secret store failed ({type(exc).__name__})"
        ) from None
    if key is None:
        assert where is not None
        raise DatabaseKeyError(
            "the database key is not available: no key for this data folder in the "
            f"{where.kind} store ({where.where}); the encrypted database {path} cannot be read "
            "without the key it was made with (see README, Security)"
        )
    if not _HEX_KEY.fullmatch(key):
        raise DatabaseKeyError(
            "the database key is not available: the stored key is not 64 hex digits"
        )
    return key


def key_pragma(key: str) -> str:
    """``PRAGMA key`` with a raw key: SQLCipher skips the passphrase KDF."""
    if not _HEX_KEY.fullmatch(key):
        raise DatabaseKeyError("the database key is not available: not 64 hex digits")
    return f"PRAGMA key = \"x'{key}'\""


def connect_sqlcipher(path: Path, key: str, *, timeout: float = 30) -> Any:
    """A raw keyed sqlcipher3 connection (autocommit), checked to read the file."""
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), timeout=timeout, check_same_thread=False)
    conn.isolation_level = None
    try:
        conn.execute(key_pragma(key))
        check_key(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def check_key(dbapi_conn: Any, path: Path | None) -> None:
    """Read the schema once: a wrong key (or a plain file) fails here with a clear message."""
    import sqlcipher3

    try:
        dbapi_conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise DatabaseKeyError(
                f"the database key is not available: {path} does not open with this "
                "installation's key (a different key, or not an encrypted database)"
            ) from None
        raise


def _sqlite_listeners(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred only).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        opts = conn.get_execution_options()
        conn.exec_driver_sql(
            "PRAGMA synchronous=FULL" if opts.get("intake_durable") else "PRAGMA synchronous=NORMAL"
        )
        conn.exec_driver_sql("BEGIN IMMEDIATE" if opts.get("intake_write") else "BEGIN")


def _reads_as_plain(path: Path) -> bool:
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _key_listener(engine: Engine, key: str, path: Path | None) -> None:
    # insert=True: before every other connect listener, so PRAGMA key is the first statement.
    @event.listens_for(engine, "connect", insert=True)
    def _on_connect_key(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(key_pragma(key))
        check_key(dbapi_conn, path)


class Database:
    """One engine per process; a Session per unit of work, opened by the service."""

    def __init__(self, url: str, *, schema: str | None = None, echo: bool = False):
        self.url = make_url(url)
        self.dialect = self.url.get_backend_name()
        self.schema = schema
        # hide_parameters: error messages never carry the values (patients' data) of a statement.
        kwargs: dict[str, Any] = {"echo": echo, "future": True, "hide_parameters": True}
        self.encrypted = self.dialect == ENCRYPTED_SCHEME
        self.path = sqlite_path(self.url)
        key: str | None = None
        if self.encrypted:
            # The dialect is sqlite; only the DB-API module differs.
            import sqlcipher3

            self.url = self.url.set(drivername="sqlite")
            self.dialect = "sqlite"
            kwargs["module"] = sqlcipher3
            if self.path is None:
                raise DatabaseKeyError("an encrypted database needs a file path")
            fresh = not self.path.exists() or self.path.stat().st_size == 0
            if not fresh and _reads_as_plain(self.path):
                raise DatabaseKeyError(
                    f"the database key is not available: {self.path} is a plain, unencrypted "
                    "SQLite database; encrypt it with `main.py db encrypt` (see README, Security), "
                    "or name it with INTAKE_DATABASE_URL=sqlite:///PATH to keep it plain"
                )
            key = database_key(self.path, create=fresh)
        if self.dialect == "sqlite":
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                create_private(self.path)
                tighten_modes(self.path)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        elif self.dialect == "postgresql":
            if self.url.drivername == "postgresql":
                self.url = self.url.set(drivername="postgresql+psycopg")
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(self.url, **kwargs)
        if key is not None:
            _key_listener(self.engine, key, self.path)
        if self.dialect == "sqlite":
            _sqlite_listeners(self.engine)
        if schema:

            @event.listens_for(self.engine, "connect")
            def _on_connect(dbapi_conn: Any, _record: Any) -> None:
                cur = dbapi_conn.cursor()
                cur.execute(f'SET search_path TO "{schema}"')
                cur.close()
                dbapi_conn.commit()

        self._write = self.engine.execution_options(intake_write=True)
        self._durable = self.engine.execution_options(intake_write=True, intake_durable=True)

    @contextlib.contextmanager
    def session(self, *, write: bool = False, durable: bool = False) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error."""
        bind = self._durable if durable else self._write if write else self.engine
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                if write:
                    session.commit()
                else:
                    session.rollback()
            except Exception:
                session.rollback()
                raise

    def lock_audit(self, session: Session) -> None:
        """Serialise audit appends across stations (SQLite already holds the write lock)."""
        if self.dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})

    def migrate(self) -> None:
        from intake.store.migrate import upgrade

        upgrade(self)

    def dispose(self) -> None:
        self.engine.dispose()


def connect_problem(db: Database) -> str | None:
    """None when ``db`` accepts a connection, else the driver's reason (a bad certificate or
    ``sslmode`` the server refuses, a wrong host): it carries no patients' data."""
    from sqlalchemy.exc import DBAPIError

    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DatabaseKeyError as exc:
        return str(exc)
    except DBAPIError as exc:
        return " ".join(str(exc.orig).split())
    return None
