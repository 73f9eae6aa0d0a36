"""Clinical entries bound to the audit trail: lab results, pregnancy tests, the clinician's
pregnancy-status confirmations, monthly follow-ups, alert releases and course completions.

They are not part of a signed consent, but they drive what the dermatologist sees and signs: a
positive pregnancy test holds the course, a critical lab must be ticked as reviewed, a release
note says who saw a patient at risk. The audit event that makes or changes each one carries the
SHA-256 of the whole row (``row_sha256``); the chain is signed with the clinic's key, so a row
added, edited or deleted straight in the database no longer matches it. ``audit verify`` lists
such rows by table and id, and countersigning refuses a patient whose entries do not match.

Rows made before these digests existed are accepted when the trail holds their own event
(without a digest); a row the trail never recorded is reported.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, inspect, or_, select
from sqlalchemy.orm import Session

from intake.store.models import (
    AlertRelease,
    AuditEvent,
    CourseCompletion,
    FollowUp,
    LabResult,
    PregnancyStatus,
    PregnancyTest,
    Visit,
)

ROW_DIGEST = "row_sha256"
ROW_ID = "row"
PATIENT = "patient"


def row_digest(row: Any) -> str:
    """The SHA-256 of every column of ``row`` (after its flush: ids and versions assigned)."""
    from intake.services.visits import canonical_hash

    values: dict[str, Any] = {}
    for attr in inspect(type(row)).column_attrs:
        value = getattr(row, attr.key)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC)
        elif isinstance(value, float):
            value = repr(value)
        values[attr.columns[0].name] = value
    return canonical_hash(values)


def detail_for(row: Any, patient_id: int | None = None, **detail: Any) -> dict[str, Any]:
    """An audit event's detail for ``row``: what the caller says, plus the row's id, its
    patient's id (so a deleted row is still found per patient; given for rows that hold no
    patient id of their own) and its digest."""
    out = {**detail, ROW_ID: row.id, ROW_DIGEST: row_digest(row)}
    patient = patient_id if patient_id is not None else getattr(row, "patient_id", None)
    if isinstance(patient, int):
        out[PATIENT] = patient
    return out


@dataclass(frozen=True)
class _Bound:
    model: Any
    entity: str
    actions: tuple[str, ...]
    # What an event written by an earlier version (no ROW_ID) says it is about, if anything,
    # and the same key of a stored row: a row with a matching legacy event is accepted.
    legacy_key: Callable[[str, dict[str, Any]], Hashable | None]
    row_key: Callable[[Any], Hashable]


def _entity_id(entity_id: str, _detail: dict[str, Any]) -> Hashable | None:
    return int(entity_id) if entity_id.isdigit() else None


def _release_id(_entity_id: str, detail: dict[str, Any]) -> Hashable | None:
    value = detail.get("release")
    return value if isinstance(value, int) else None


def _confirmation(entity_id: str, detail: dict[str, Any]) -> Hashable | None:
    # Earlier confirmation events named the patient and the answer, not the row.
    if not entity_id.isdigit() or "can_become_pregnant" not in detail:
        return None
    return (int(entity_id), bool(detail["can_become_pregnant"]))


def _row_id(row: Any) -> Hashable:
    return int(row.id)


BOUND: tuple[_Bound, ...] = (
    _Bound(LabResult, "lab_result", ("create",), _entity_id, _row_id),
    _Bound(PregnancyTest, "pregnancy_test", ("create",), _entity_id, _row_id),
    _Bound(FollowUp, "follow_up", ("create", "update"), _entity_id, _row_id),
    _Bound(
        PregnancyStatus,
        "pregnancy_status",
        ("confirm",),
        _confirmation,
        lambda r: (r.patient_id, bool(r.can_become_pregnant)),
    ),
    _Bound(AlertRelease, "visit", ("release",), _release_id, _row_id),
    _Bound(CourseCompletion, "course_completion", ("create",), _entity_id, _row_id),
)


def _trail(
    s: Session, bound: _Bound, keys: list[str] | None = None, patient_id: int | None = None
) -> tuple[dict[int, str], Counter[Hashable], dict[int, int]]:
    """Per row id, the digest of its latest event; how many legacy events name each legacy
    key; and the patient each digest-carrying event names.

    ``keys`` and ``patient_id`` narrow the events read to one patient's: those about the given
    entity ids (indexed) and those naming the patient (a deleted row's).
    """
    digests: dict[int, str] = {}
    legacy: Counter[Hashable] = Counter()
    patients: dict[int, int] = {}
    query = select(AuditEvent.entity_id, AuditEvent.detail).where(
        AuditEvent.entity == bound.entity, AuditEvent.action.in_(bound.actions)
    )
    if keys is not None:
        about: ColumnElement[bool] = AuditEvent.entity_id.in_(keys)
        if patient_id is not None:
            about = or_(about, AuditEvent.detail[PATIENT].as_integer() == patient_id)
        query = query.where(about)
    for entity_id, detail in s.execute(query.order_by(AuditEvent.seq)):
        info = dict(detail or {})
        if ROW_DIGEST in info and isinstance(info.get(ROW_ID), int):
            digests[info[ROW_ID]] = str(info[ROW_DIGEST])
            if isinstance(info.get(PATIENT), int):
                patients[info[ROW_ID]] = info[PATIENT]
        else:
            key = bound.legacy_key(entity_id, info)
            if key is not None:
                legacy[key] += 1
    return digests, legacy, patients


def clinical_problems(s: Session, patient_id: int | None = None) -> list[str]:
    """Entries that are not what the audit trail recorded, one line each (table and id only).

    ``patient_id`` limits the check to one patient's entries (before a countersignature or an
    issue), reading only that patient's events.
    """
    out: list[str] = []
    for bound in BOUND:
        query = select(bound.model).order_by(bound.model.id)
        keys: list[str] | None = None
        if patient_id is not None:
            if bound.model is AlertRelease:
                visits = list(s.scalars(select(Visit.id).where(Visit.patient_id == patient_id)))
                query = query.where(AlertRelease.visit_id.in_(visits))
                keys = visits
            else:
                query = query.where(bound.model.patient_id == patient_id)
        rows = list(s.scalars(query))
        if keys is None and patient_id is not None:
            keys = (
                [str(patient_id)] if bound.model is PregnancyStatus else [str(r.id) for r in rows]
            )
        digests, legacy, patients = _trail(s, bound, keys, patient_id)
        seen: set[int] = set()
        table = bound.model.__tablename__
        for row in rows:
            seen.add(row.id)
            recorded = digests.get(row.id)
            if recorded is None:
                # A row from before the digests is accepted once per event of its own: a
                # second row planted under the same legacy event is not.
                key = bound.row_key(row)
                if legacy[key] > 0:
                    legacy[key] -= 1
                else:
                    out.append(f"{table} {row.id}: the audit trail never recorded it")
            elif recorded != row_digest(row):
                out.append(f"{table} {row.id}: it was changed after it was recorded")
        gone = sorted(set(digests) - seen)
        if patient_id is not None:
            gone = [r for r in gone if patients.get(r) == patient_id]
        out += [
            f"{table} {r}: the audit trail records it, but it is no longer stored" for r in gone
        ]
    return out


def entry_problem(s: Session, row: Any) -> str | None:
    """Why one stored entry is not what its latest audit event recorded (before it is changed
    through the app: a change written over a tampered row would bless it), or None."""
    bound = next(b for b in BOUND if b.model is type(row))
    digests, legacy, _ = _trail(s, bound, [str(row.id)])
    recorded = digests.get(row.id)
    if recorded is None:
        return None if legacy[bound.row_key(row)] else "the audit trail never recorded it"
    return None if recorded == row_digest(row) else "it was changed after it was recorded"
