"""Engine, unit of work and start-up migration.

SQLite (one kiosk, nothing to install): WAL, foreign keys on, writers in BEGIN IMMEDIATE so two
writers never deadlock on an upgrade from a read lock, ``synchronous=FULL`` for units of work that
record a signature. PostgreSQL (several stations): psycopg 3; migrations run under an advisory lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

MIGRATION_LOCK_KEY = 7_311_954_001  # pg advisory lock id for schema upgrades
AUDIT_LOCK_KEY = 7_311_954_002  # pg advisory lock id serialising audit-chain appends


class StaleRecord(Exception):
    """Someone else changed this record since it was read; reload and try again."""


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


class Database:
    """One engine per process; a Session per unit of work, opened by the service."""

    def __init__(self, url: str, *, schema: str | None = None, echo: bool = False):
        self.url = make_url(url)
        self.dialect = self.url.get_backend_name()
        self.schema = schema
        # hide_parameters: error messages never carry the values (patients' data) of a statement.
        kwargs: dict[str, Any] = {"echo": echo, "future": True, "hide_parameters": True}
        if self.dialect == "sqlite":
            if self.url.database and self.url.database != ":memory:":
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        elif self.dialect == "postgresql":
            if self.url.drivername == "postgresql":
                self.url = self.url.set(drivername="postgresql+psycopg")
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(self.url, **kwargs)
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
