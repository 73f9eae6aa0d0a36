"""The application context every service is built from: database, forms, station, clock."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from intake.forms.loader import FormProblem
from intake.forms.model import FormSet
from intake.store.db import Database


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in staff member, a kiosk session for one visit, or the system."""

    id: str  # "staff:12", "kiosk:<visit id>", "system"
    role: str  # front_desk | clinician | admin | kiosk | system
    name: str
    visit_id: str | None = None  # kiosk sessions: the one visit they may read and write

    @property
    def is_staff(self) -> bool:
        return self.role in ("front_desk", "clinician", "admin")


SYSTEM = Actor("system", "system", "system")


@dataclass
class AppContext:
    db: Database
    forms: FormSet
    data_dir: Path
    station: str = field(
        default_factory=lambda: os.environ.get("INTAKE_STATION") or socket.gethostname()[:60]
    )
    clock: Callable[[], dt.datetime] = utcnow
    # What `main.py forms check` finds wrong with the loaded forms (a text changed under an
    # old version, a version not in versions.lock): staff can still read, but no kiosk opens
    # and no document is issued until they are fixed.
    form_problems: tuple[FormProblem, ...] = ()
    # Set by `main.py demo`: the staff accounts and patients it makes are marked as demo ones.
    demo: bool = False

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        from zoneinfo import ZoneInfo

        return self.now().astimezone(ZoneInfo(self.forms.clinic.timezone)).date()


def open_context(
    *,
    data_dir: Path | None = None,
    url: str | None = None,
    migrate: bool = True,
    schema: str | None = None,
) -> AppContext:
    """Open the database (migrating it to head) and load the forms.

    Raises FormsInvalid when the forms do not load; problems of ``versions.lock`` alone are
    kept in ``form_problems``.
    """
    from intake import paths
    from intake.forms import FormsInvalid, default_check

    check = default_check()
    if check.forms is None:
        raise FormsInvalid(list(check.problems))

    folder = data_dir or paths.data_dir()
    if data_dir is not None:
        paths.private_folder(folder)
    from intake.documents.files import sweep_temporary

    sweep_temporary(folder)  # a key or document half-written by a process that was killed
    db = Database(url or paths.database_url(folder), schema=schema)
    if migrate:
        db.migrate()
    return AppContext(db=db, forms=check.forms, data_dir=folder, form_problems=check.problems)
