"""How many wrong visit codes a date of birth has had, and what that costs the next attempt.

A visit code (6 digits) and a date of birth are the only key to a patient's record at the kiosk,
so wrong codes are counted per date of birth, at this station and over all stations, in a
sliding window. From the ``LOCK_AFTER``-th failure opening by code waits 1, 2, 4, 8... minutes
(the right code too); at ``VOID_AFTER`` failures the codes of that date of birth's open visits
are voided and staff issue new ones. A success clears nothing: only staff, who see the patient,
clear the count (a new code, a new visit).

Attempts are keyed by an HMAC of the date of birth with a per-installation key kept in the
database (every station must count the same attempts), so the table never holds a date of
birth; nor does it hold any code that was typed. These helpers work inside the caller's unit of
work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intake.store.models import CodeAttempt, InstallationSecret

LOCK_AFTER = 5  # failures before opening by code waits
VOID_AFTER = 10  # failures that void the codes
WINDOW = dt.timedelta(hours=24)  # longer than a code lives (12 hours)
MAX_LOCK = dt.timedelta(hours=1)
SECRET_NAME = "code_attempts"


@dataclass(frozen=True)
class CodeGuard:
    """The state of one date of birth's attempts at one moment."""

    failures: int  # over all stations, in the window
    at_station: int  # of those, at this station
    locked_until: dt.datetime | None

    @property
    def void(self) -> bool:
        return self.failures >= VOID_AFTER

    def locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def seconds_left(self, now: dt.datetime) -> int:
        if self.locked_until is None:
            return 0
        return max(0, math.ceil((self.locked_until - now).total_seconds()))


def lock_end(times: Iterable[dt.datetime]) -> dt.datetime | None:
    """When a run of failures stops blocking: 1 minute after the 5th, doubling with each more."""
    ordered = sorted(times)
    if len(ordered) < LOCK_AFTER:
        return None
    wait = min(MAX_LOCK, dt.timedelta(minutes=2 ** (len(ordered) - LOCK_AFTER)))
    return ordered[-1] + wait


def guard_of(attempts: Iterable[tuple[str, dt.datetime]], station: str) -> CodeGuard:
    """Pure: (station, when) of the failures in the window -> counts and the lock's end."""
    rows = list(attempts)
    overall = [at for _, at in rows]
    here = [at for where, at in rows if where == station]
    ends = [end for end in (lock_end(overall), lock_end(here)) if end is not None]
    return CodeGuard(len(overall), len(here), max(ends) if ends else None)


def _secret(s: Session) -> bytes:
    row = s.get(InstallationSecret, SECRET_NAME)
    if row is None:  # made by migration 0004; a database restored without it gets a new one
        row = InstallationSecret(name=SECRET_NAME, value=secrets.token_hex(32))
        s.add(row)
        s.flush()
    return bytes.fromhex(row.value)


def dob_key(s: Session, date_of_birth: dt.date) -> str:
    return hmac.new(_secret(s), date_of_birth.isoformat().encode(), hashlib.sha256).hexdigest()


# Stations' clocks differ by a little: a failure stamped up to this much ahead counts as now.
# One stamped further ahead is a clock that was put back since (or a wrong one): it is not
# counted, or every later attempt would wait until that moment came round again.
CLOCK_SKEW = dt.timedelta(minutes=5)


def _in_window(now: dt.datetime) -> Any:
    return (CodeAttempt.at > now - WINDOW) & (CodeAttempt.at <= now + CLOCK_SKEW)


def guard(s: Session, key: str, station: str, now: dt.datetime) -> CodeGuard:
    rows = s.execute(
        select(CodeAttempt.station, CodeAttempt.at).where(
            CodeAttempt.dob_key == key, _in_window(now)
        )
    ).all()
    return guard_of(((r.station, min(r.at, now)) for r in rows), station)


def guards(s: Session, station: str, now: dt.datetime) -> dict[str, CodeGuard]:
    """Every date of birth (by key) with failures in the window: for the status board."""
    by_key: dict[str, list[tuple[str, dt.datetime]]] = {}
    for r in s.execute(
        select(CodeAttempt.dob_key, CodeAttempt.station, CodeAttempt.at).where(_in_window(now))
    ):
        by_key.setdefault(r.dob_key, []).append((r.station, min(r.at, now)))
    return {key: guard_of(rows, station) for key, rows in by_key.items()}


def record_failure(s: Session, key: str, station: str, now: dt.datetime) -> CodeGuard:
    """Count one wrong code (and forget those older than the window); the state after it."""
    s.execute(delete(CodeAttempt).where(CodeAttempt.at <= now - WINDOW))
    s.add(CodeAttempt(dob_key=key, station=station[:60], at=now))
    s.flush()
    return guard(s, key, station, now)


def clear(s: Session, key: str, now: dt.datetime) -> int:
    """Staff saw the patient: forget this date of birth's failures. Returns how many counted."""
    counted = guard(s, key, "", now).failures
    s.execute(delete(CodeAttempt).where(CodeAttempt.dob_key == key))
    return counted
