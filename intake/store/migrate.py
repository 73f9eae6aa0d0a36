"""Apply the Alembic migrations kept inside the package; safe when two stations start at once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from alembic.config import Config

    from intake.store.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration in migrations/versions. A database already there is opened without
# loading Alembic at all (importing it and reading the scripts is ~0.3 s of CPU at every start,
# about 1 s on a loaded kiosk). tests/store check this against Alembic's own head, so a new
# migration that forgets to move it fails the suite instead of being skipped.
HEAD = "0019"


def alembic_config(db: Database) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["schema"] = db.schema
    return cfg


def at_head(db: Database) -> bool:
    """True when the database's schema is exactly this version's newest migration."""
    from sqlalchemy.exc import DBAPIError

    try:
        with db.engine.connect() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # a fresh database has no alembic_version yet
        return False
    return found == [HEAD]


def upgrade(db: Database, revision: str = "head") -> None:
    if revision == "head" and at_head(db):
        return
    from alembic import command

    from intake.store.db import MIGRATION_LOCK_KEY

    cfg = alembic_config(db)
    # SQLite: the whole upgrade runs in one BEGIN IMMEDIATE transaction (the engine's write
    # option; Alembic would otherwise commit after each migration, since it takes SQLite's DDL
    # for non-transactional), so a second process starting at the same moment waits for the
    # write lock (busy timeout), then reads the new head and finds nothing left to do. In a
    # deferred transaction it would fail with "database is locked" on its first CREATE TABLE;
    # between per-migration commits it would run a migration a second time.
    engine = db.engine
    if db.dialect == "sqlite":
        engine = db.engine.execution_options(intake_write=True)
        cfg.attributes["transactional_ddl"] = True
    with engine.connect() as conn:
        if db.dialect == "postgresql":
            # Session-level lock: a second station waits here, then finds nothing left to do.
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()
        try:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
        finally:
            if db.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.commit()


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
