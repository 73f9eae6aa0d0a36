"""Acknowledgements bound to their own ``acknowledge`` audit events.

A risk statement's acknowledgement says who initialled it, when, and whether it was read aloud
to them; the record a signature is bound to is hashed from these rows only at signing. An
acknowledgement changed in the database while the visit is still a draft (say, marked "read
aloud") would be signed as if it were true. So the event that records each one carries the row's
id and SHA-256 (``row``, ``row_sha256``, as for clinical entries), and signing, countersigning,
issuing and ``audit verify`` compare every row with its own event.

Events written before these digests carry the statement, the signer and ``read_aloud`` (only
when true): a row without a digest-carrying event is accepted once per such event of its own
that says the same (statement, signer, read aloud or not); anything else is reported.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from intake.services.row_digests import ROW_DIGEST, ROW_ID, row_digest
from intake.store.models import Acknowledgement, AuditEvent

ACTION = "acknowledge"

ACKNOWLEDGEMENTS_MISMATCH_MESSAGE = (
    "This visit's acknowledgements do not match the audit trail (one was added or changed outside"
    " the app), so it cannot be signed. Please tell the clinic's administrator (`main.py audit"
    " verify` shows which)."
)


def event_detail(ack: Acknowledgement) -> dict[str, Any]:
    """The ``acknowledge`` event's detail for ``ack`` (after its flush: its id assigned)."""
    detail: dict[str, Any] = {"statement": ack.statement_id, "by": ack.by_role}
    if ack.read_aloud:
        detail["read_aloud"] = True
    return detail | {ROW_ID: ack.id, ROW_DIGEST: row_digest(ack)}


def _legacy_key(statement: Any, by: Any, read_aloud: Any) -> tuple[str, str, bool]:
    return (str(statement), str(by), bool(read_aloud))


def problems(
    s: Session, visit_ids: Iterable[str] | Select[tuple[str]] | None = None
) -> dict[str, list[str]]:
    """Per visit, its acknowledgements that are not what their own events recorded (ids only).

    ``visit_ids`` (ids, or a query giving them) limits the check to those visits, their events
    read by the indexed entity id; None checks every visit.
    """
    rows_query = select(Acknowledgement).order_by(Acknowledgement.id)
    events_query = select(AuditEvent.entity_id, AuditEvent.detail).where(
        AuditEvent.entity == "visit", AuditEvent.action == ACTION
    )
    if visit_ids is not None:
        wanted = visit_ids if isinstance(visit_ids, Select) else list(visit_ids)
        rows_query = rows_query.where(Acknowledgement.visit_id.in_(wanted))
        events_query = events_query.where(AuditEvent.entity_id.in_(wanted))
    digests: dict[str, dict[int, str]] = defaultdict(dict)
    legacy: dict[str, Counter[tuple[str, str, bool]]] = defaultdict(Counter)
    for vid, detail in s.execute(events_query.order_by(AuditEvent.seq)):
        info = dict(detail or {})
        if ROW_DIGEST in info and isinstance(info.get(ROW_ID), int):
            digests[vid][info[ROW_ID]] = str(info[ROW_DIGEST])
        else:
            key = _legacy_key(info.get("statement"), info.get("by"), info.get("read_aloud"))
            legacy[vid][key] += 1
    out: dict[str, list[str]] = defaultdict(list)
    seen: dict[str, set[int]] = defaultdict(set)
    for ack in s.scalars(rows_query):
        vid = ack.visit_id
        seen[vid].add(ack.id)
        recorded = digests[vid].get(ack.id) if vid in digests else None
        if recorded is None:
            key = _legacy_key(ack.statement_id, ack.by_role, ack.read_aloud)
            if legacy[vid][key] > 0:
                legacy[vid][key] -= 1
            elif ack.read_aloud and legacy[vid][_legacy_key(key[0], key[1], False)] > 0:
                out[vid].append(
                    f"its acknowledgement {ack.id} says it was read aloud; the audit trail"
                    " recorded it read by the patient"
                )
            else:
                out[vid].append(f"its acknowledgement {ack.id}: the audit trail never recorded it")
        elif recorded != row_digest(ack):
            out[vid].append(
                f"its acknowledgement {ack.id} (initials, time or read aloud) was changed after"
                " it was given"
            )
    for vid, bound in digests.items():
        for gone in sorted(set(bound) - seen[vid]):
            out[vid].append(
                f"its acknowledgement {gone} is in the audit trail, but it is no longer stored"
            )
    return dict(out)


def visit_problem(s: Session, visit_id: str) -> str | None:
    """The first way this visit's acknowledgements differ from the audit trail, or None."""
    found = problems(s, [visit_id]).get(visit_id)
    return found[0] if found else None
