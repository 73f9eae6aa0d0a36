"""Append-only, hash-chained audit trail.

Each event's hash covers its own fields and the previous event's hash, so an edited, deleted,
inserted or reordered event breaks the chain from that point on. ``audit_head`` holds the last
seq and hash, so a deleted tail is caught as well. Appends take a lock (SQLite's write lock, a
PostgreSQL advisory lock) so concurrent stations cannot fork the chain.

A chain rewritten from the start with recomputed hashes is consistent again; what tells it is
the head's signature, made with the clinic key by the unit of work that appended (the services
do that, see intake.services.seal: this module holds no key). ``append`` notes in the session
what the head was before the unit of work, and leaves the new head unsigned until then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.store.models import AuditEvent, AuditHead

GENESIS = "0" * 64
# session.info keys: the head as it was before this unit of work's first append (or NO_HEAD)
PREVIOUS_HEAD = "intake_audit_previous_head"
NO_HEAD = "none"


@dataclass(frozen=True)
class HeadState:
    """The chain head: what a clinic can keep elsewhere and later check the chain against."""

    seq: int
    hash: str
    signature: str = ""  # base64 signature over ``head_message(seq, hash)``; "" if unsigned
    signer: str = ""  # SHA-256 fingerprint of the signer's certificate


def head_message(seq: int, digest: str) -> bytes:
    """The bytes the head signature covers."""
    return f"intake audit head\n{int(seq)}\n{digest}\n".encode("ascii")


def read_head(session: Session) -> HeadState | None:
    head = session.get(AuditHead, 1)
    if head is None:
        return None
    return HeadState(head.seq, head.hash, head.signature or "", head.signer or "")


def event_hash_at(session: Session, seq: int) -> str | None:
    """The stored hash of event ``seq``, or None if there is no such event."""
    return session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))


def event_hash(
    seq: int,
    at: dt.datetime,
    actor: str,
    station: str,
    action: str,
    entity: str,
    entity_id: str,
    detail: Mapping[str, Any],
    prev_hash: str,
) -> str:
    body = {
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "station": station,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": detail,
        "prev": prev_hash,
    }
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def event_intact(event: AuditEvent) -> bool:
    """Whether one stored event still hashes to its own ``hash`` (not whether the chain around it
    holds: ``verify`` walks that). A row a rule relies on is checked so before it is trusted."""
    body = (
        event.seq, event.at, event.actor, event.station, event.action, event.entity,
        event.entity_id, event.detail, event.prev_hash,
    )  # fmt: skip
    return event_hash(*body) == event.hash


def event_in_chain(session: Session, event: AuditEvent) -> bool:
    """Whether a stored event is one the chain holds: it hashes to itself, follows the event
    before it, and is followed by the next one (or is the head). A row inserted or rewritten to
    look like an event (a hash is easy to compute) fails here, unless every event after it and
    the signed head were rewritten too, which ``verify`` finds."""
    if not event_intact(event):
        return False
    before = GENESIS if event.seq == 1 else event_hash_at(session, event.seq - 1)
    if before is None or event.prev_hash != before:
        return False
    after = session.scalar(select(AuditEvent.prev_hash).where(AuditEvent.seq == event.seq + 1))
    if after is not None:
        return bool(after == event.hash)
    head = session.get(AuditHead, 1)
    return head is not None and head.seq == event.seq and head.hash == event.hash


def append(
    session: Session,
    *,
    actor: str,
    station: str,
    action: str,
    entity: str,
    entity_id: str | int,
    detail: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Add one event in the caller's transaction; the caller holds the audit lock."""
    head = session.get(AuditHead, 1)
    if PREVIOUS_HEAD not in session.info:
        session.info[PREVIOUS_HEAD] = (
            NO_HEAD
            if head is None
            else HeadState(head.seq, head.hash, head.signature or "", head.signer or "")
        )
    seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS)
    when = (at or dt.datetime.now(dt.UTC)).replace(
        microsecond=(at or dt.datetime.now(dt.UTC)).microsecond
    )
    info = dict(detail or {})
    digest = event_hash(seq, when, actor, station, action, entity, str(entity_id), info, prev)
    event = AuditEvent(
        seq=seq,
        at=when,
        actor=actor,
        station=station,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=info,
        prev_hash=prev,
        hash=digest,
    )
    session.add(event)
    if head is None:
        session.add(AuditHead(id=1, seq=seq, hash=digest, signature="", signer=""))
    else:
        # Unsigned until the unit of work signs it: an old signature never covers a new head.
        head.seq, head.hash, head.signature, head.signer = seq, digest, "", ""
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    events: int
    first_bad_seq: int | None = None
    reason: str = ""
    # Everything else found wrong (head signature, visits, documents), one line each, ids only.
    problems: tuple[str, ...] = ()


def verify(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the chain in order; report the first event that does not fit."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    last_seq = 0
    t = AuditEvent.__table__.c
    cols = (
        t.seq, t.at, t.actor, t.station, t.action, t.entity, t.entity_id, t.detail, t.prev_hash,
        t.hash,
    )  # fmt: skip
    conn = session.connection()
    while True:
        # Plain columns through Core, a batch at a time: no ORM loading, objects or identity
        # map for a million events (see benchmarks/audit.py).
        rows = conn.execute(
            select(*cols).where(t.seq > last_seq).order_by(t.seq).limit(batch)
        ).all()
        if not rows:
            break
        for seq, at, actor, station, action, entity, entity_id, detail, prev_hash, digest in rows:
            if seq != expected_seq:
                return ChainReport(
                    False, count, expected_seq, f"event {expected_seq} is missing (next is {seq})"
                )
            if prev_hash != prev:
                return ChainReport(
                    False,
                    count,
                    seq,
                    f"event {seq} does not follow event {seq - 1} (deleted, inserted or reordered)",
                )
            body = (seq, at, actor, station, action, entity, entity_id, detail, prev_hash)
            if event_hash(*body) != digest:
                return ChainReport(False, count, seq, f"event {seq} was changed after it was written")
            prev = digest
            expected_seq += 1
            last_seq = seq
            count += 1
    head = session.get(AuditHead, 1)
    if head is None:
        if count:
            return ChainReport(False, count, None, "the chain head record is missing")
        return ChainReport(True, 0)
    if head.seq != last_seq or head.hash != prev:
        return ChainReport(
            False,
            count,
            last_seq + 1,
            f"events after {last_seq} were deleted (the chain head says {head.seq})",
        )
    return ChainReport(True, count)
