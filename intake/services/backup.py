"""Backup, restore and encryption of the database, and the checks a restored database must pass.

The checks are the application's own verifications: SQLite's integrity check, the audit chain
(:func:`intake.store.audit.verify`) and every stored document against its recorded SHA-256.
A restore is checked on a copy beside the live database and swapped in only when it passes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text

from intake.store import audit
from intake.store.backup import (
    BackupError,
    backup_database,
    copy_for_restore,
    encrypt_database,
    export_key,
    read_key_file,
    swap_in,
)
from intake.store.db import Database, is_encrypted_url, sqlite_path
from intake.store.models import Document

__all__ = [
    "BackupError",
    "CheckReport",
    "check_database",
    "encrypt_live",
    "export_live_key",
    "live_sqlite",
    "restore_backup",
    "write_backup",
]


@dataclass(frozen=True)
class CheckReport:
    ok: bool
    events: int = 0
    documents: int = 0
    problems: list[str] = field(default_factory=list)


def live_sqlite(url: str) -> tuple[Path, bool]:
    """The live database's file and whether it is encrypted; BackupError for PostgreSQL."""
    path = sqlite_path(url)
    if path is None:
        raise BackupError(
            "this database is not an SQLite file: back PostgreSQL up with pg_dump and restore "
            "it with pg_restore, then run `main.py restore --check-only URL` (see README)"
        )
    return path, is_encrypted_url(url)


def check_database(db: Database) -> CheckReport:
    """Run every integrity check on ``db``; never raises for what it finds."""
    problems: list[str] = []
    events = documents = 0
    try:
        with db.session() as s:
            if db.dialect == "sqlite":
                result = s.execute(text("PRAGMA integrity_check")).scalar()
                if result != "ok":
                    problems.append("SQLite's integrity check fails")
            chain = audit.verify(s)
            events = chain.events
            if not chain.intact:
                where = f" at event {chain.first_bad_seq}" if chain.first_bad_seq else ""
                problems.append(f"audit chain broken{where}: {chain.reason}")
            ids = s.scalars(select(Document.id).order_by(Document.id)).all()
        for doc_id in ids:
            # One PDF in memory at a time.
            with db.session() as s:
                d = s.get(Document, doc_id)
                assert d is not None
                if hashlib.sha256(d.pdf).hexdigest() != d.sha256:
                    problems.append(f"document {d.id} ({d.kind}) does not match its SHA-256")
                documents += 1
        if chain.intact and not problems:
            problems += _signed_checks(db)
    except Exception as exc:  # a file that is no database of ours: say so, never a traceback
        problems.append(f"the database cannot be read as this application's ({type(exc).__name__})")
    return CheckReport(not problems, events, documents, problems)


def _signed_checks(db: Database) -> list[str]:
    """What ``audit verify`` checks beyond the hashes: the chain head's signature with this
    installation's clinic certificate, every signed visit re-hashed, every document against its
    row, its own id and the audit trail."""
    from intake import paths
    from intake.forms import default_check
    from intake.services.audit import AuditService
    from intake.services.context import AppContext

    forms = default_check().forms
    if forms is None:
        return ["the forms of this installation do not load, so signed visits cannot be checked"]
    # Not against this station's remembered head: restoring an older backup is the point.
    report = AuditService(AppContext(db=db, forms=forms, data_dir=paths.data_dir())).verify(
        station_head=False
    )
    return [] if report.intact else list(report.problems or (report.reason,))


def write_backup(url: str, out: Path) -> tuple[bool, dict[str, int]]:
    """Back the live SQLite database up to ``out``; returns (encrypted, row counts)."""
    path, encrypted = live_sqlite(url)
    return encrypted, backup_database(path, out, encrypted=encrypted)


def export_live_key(url: str, out: Path) -> None:
    path, encrypted = live_sqlite(url)
    if not encrypted:
        raise BackupError("this database is not encrypted; it has no key")
    export_key(path, out)


def encrypt_live(url: str) -> dict[str, int]:
    path, encrypted = live_sqlite(url)
    if not encrypted:
        raise BackupError(
            "INTAKE_DATABASE_URL names a plain sqlite:/// database; `db encrypt` converts the "
            "default database (or a sqlcipher:/// URL's file)"
        )
    return encrypt_database(path)


def restore_backup(url: str, backup: Path, key_file: Path | None = None) -> CheckReport:
    """Check ``backup`` on a copy beside the live database; swap it in only if it passes.

    ``key_file``: the backup's key exported with ``db key-export`` on the computer that made
    it; without it the backup must be this installation's own.
    """
    path, encrypted = live_sqlite(url)
    backup_key = read_key_file(key_file) if key_file is not None else None
    candidate = copy_for_restore(backup, path, encrypted=encrypted, backup_key=backup_key)
    scheme = "sqlcipher" if encrypted else "sqlite"
    try:
        db = Database(f"{scheme}:///{candidate}")
        try:
            try:
                db.migrate()  # an older backup is brought to this version's schema first
            except Exception as exc:
                return CheckReport(
                    False, problems=[f"the backup's schema cannot be upgraded ({type(exc).__name__})"]
                )
            report = check_database(db)
            with db.session() as s:
                head = audit.read_head(s)
        finally:
            db.dispose()
        if not report.ok:
            return report
        swap_in(candidate, path, encrypted=encrypted)
        if head is not None:
            # The restored chain is this station's from now on (an older one, on purpose).
            from intake import paths
            from intake.secrets import set_secret
            from intake.services.seal import REMEMBERED

            set_secret(REMEMBERED, f"{head.seq}:{head.hash}", folder=paths.data_dir())
        return report
    finally:
        for leftover in (candidate, *(candidate.with_name(candidate.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
