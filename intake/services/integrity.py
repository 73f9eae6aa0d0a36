"""Does what is stored still match what was signed and recorded in the audit trail?

Checks for one visit (before a countersignature or a document is made from it) and for the
whole database (``audit verify``). Every problem is one line naming ids only (visit, document,
issue): never a patient's data.

- A submitted visit: its content, recomputed from the stored rows, hashes to the record hash
  its signatures are bound to and that its ``submit`` audit event carries; each signature still
  matches the digest its ``sign`` event carries (events written before these digests existed
  carry none, and are checked for the record hash only).
- A document: its bytes hash to the row's SHA-256, which is the one its ``create`` audit event
  carries; the id the file names inside is the row's, and the row's id is the one derived from
  its visit, kind and issue.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.domain.kinds import SignerRole, VisitStatus
from intake.services import ack_trail
from intake.services.context import AppContext
from intake.services.records import document_id
from intake.services.visits import (
    VisitService,
    countersign_binding,
    known_status,
    patient_binding,
    reconsent_problem,
    signature_digest,
)
from intake.store.models import (
    AuditEvent,
    Document,
    DocumentTimestamp,
    Patient,
    Signature,
    StaffUser,
    Visit,
)

SIGNED = ("submitted", "countersigned")
RECORD_MISMATCH_MESSAGE = (
    "This visit's stored record no longer matches what was signed, so nothing more can be signed"
    " or issued for it. Please tell the clinic's administrator (`main.py audit verify` shows what"
    " differs)."
)

ENTRIES_MISMATCH_MESSAGE = (
    "This patient's lab results, pregnancy tests, follow-ups, pregnancy-status confirmations or"
    " alert releases do not match the audit trail (one was added, changed or deleted outside the"
    " app), so nothing can be signed or issued for this visit. Please tell the clinic's"
    " administrator (`main.py audit verify` shows which)."
)

Events = Mapping[str, list[tuple[str, dict[str, Any]]]]


def _visit_events(s: Session, visit_ids: Iterable[str] | None = None) -> Events:
    query = select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.detail).where(
        AuditEvent.entity == "visit", AuditEvent.action.in_(("sign", "submit"))
    )
    if visit_ids is not None:
        query = query.where(AuditEvent.entity_id.in_(list(visit_ids)))
    found: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for vid, action, detail in s.execute(query.order_by(AuditEvent.seq)):
        found[vid].append((action, dict(detail or {})))
    return found


def visit_problem(
    ctx: AppContext, s: Session, visit: Visit, events: Events | None = None
) -> str | None:
    """Why a submitted visit no longer matches what was signed, or None."""
    if visit.status not in SIGNED:
        return None
    if events is None:
        events = _visit_events(s, [visit.id])
    mine = events.get(visit.id, [])
    visits = VisitService(ctx)
    if visits.content_hash(s, visit) != visit.record_sha256:
        return "its stored content does not match the record hash its signatures are bound to"
    summary = visits.summary_problem(s, visit)
    if summary is not None:
        return summary
    replanned = reconsent_problem(s, visit)
    if replanned is not None:
        return replanned
    acknowledged = ack_trail.visit_problem(s, visit.id)
    if acknowledged is not None:
        return acknowledged
    submits = [d for action, d in mine if action == "submit"]
    if not submits or submits[-1].get("record_sha256") != visit.record_sha256:
        return "its record hash is not the one the audit trail recorded when it was submitted"
    bound = submits[-1].get("patient_sha256")
    if bound:  # submit events written before this binding carry none
        patient = s.get(Patient, visit.patient_id)
        now = patient_binding(patient) if patient is not None else None
        if now != bound and now not in _corrected_identities(s, visit.patient_id):
            return (
                "its patient's record number, name or date of birth is not the one it was signed"
                " for, and no audited correction says so"
            )
    signed = {d.get("role"): d for action, d in mine if action == "sign"}
    signatures = s.scalars(select(Signature).where(Signature.visit_id == visit.id)).all()
    roles = {g.role for g in signatures}
    if visit.status == VisitStatus.COUNTERSIGNED and "clinician" not in roles:
        return "it is marked countersigned but holds no countersignature"
    if "patient" not in roles:
        return "it holds no patient signature"
    for g in signatures:
        event = signed.get(g.role)
        if event is None:
            return f"its {g.role} signature has no signing event in the audit trail"
        digest = event.get("signature_sha256")
        if digest is not None and digest != signature_digest(g):
            return f"its {g.role} signature was changed after it was given"
        if g.role == SignerRole.CLINICIAN:
            bound = countersign_binding(visit.record_sha256, g.reviewed or [])
            # A countersignature given before the binding covered the ticks is bound to the record.
            legacy = digest is None and g.record_sha256 == visit.record_sha256
            if g.record_sha256 != bound and not legacy:
                return "its countersignature is not bound to this record and its review ticks"
        elif g.record_sha256 != visit.record_sha256:
            return f"its {g.role} signature is bound to a different record"
    return None


def visit_problems(ctx: AppContext, s: Session) -> list[str]:
    events = _visit_events(s)
    out = []
    for visit in s.scalars(select(Visit).where(Visit.status.in_(SIGNED)).order_by(Visit.id)):
        problem = visit_problem(ctx, s, visit, events)
        if problem:
            out.append(f"visit {visit.id}: {problem}")
    return out


def staff_problems(s: Session) -> list[str]:
    """Staff accounts that are not what the audit trail recorded (planted or edited)."""
    from intake.services.accounts import account_problem, missing_accounts

    out = []
    for user in s.scalars(select(StaffUser).order_by(StaffUser.id)):
        problem = account_problem(s, user)
        if problem:
            out.append(f"staff account {user.id}: {problem}")
    out += [
        f"staff account {uid}: the audit trail records it made, but it is no longer stored"
        for uid in missing_accounts(s)
    ]
    return out


def _corrected_identities(s: Session, patient_id: int) -> set[str]:
    """The patient identities that audited corrections of the record put in place."""
    details = s.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.entity == "patient",
            AuditEvent.action == "correct",
            AuditEvent.entity_id == str(patient_id),
        )
    )
    return {str(d["identity_sha256"]) for d in details if d and d.get("identity_sha256")}


def trail_problems(s: Session) -> list[str]:
    """What the audit trail says was signed or issued that the tables no longer hold.

    Every visit submitted is still there and still signed (submitted or countersigned); every
    countersigned one is still countersigned; every signature given still has its row; every
    document issued, and every document timestamp added, still has its row. Deleting a signed
    visit, a signature or a document, or setting a signed visit back to a draft, is caught here
    even when the rest of the database was made consistent with it. An unsigned visit's
    acknowledgements are what their own events recorded (they may yet be signed).
    """
    out: list[str] = []
    events = _visit_events(s)
    statuses = dict(s.execute(select(Visit.id, Visit.status)).tuples().all())
    roles: dict[str, set[str]] = defaultdict(set)
    for vid, role in s.execute(select(Signature.visit_id, Signature.role)):
        roles[vid].add(role)
    for vid, stored in sorted(statuses.items()):
        if known_status(stored) is None:  # left off the board and the lists: named here
            out.append(
                f"visit {vid}: its stored status {stored[:20]!r} is not one the program knows"
            )
    for vid in sorted(events):
        mine = events[vid]
        status = statuses.get(vid)
        if status is None:
            out.append(f"visit {vid}: the audit trail records it, but it is no longer stored")
            continue
        if any(action == "submit" for action, _ in mine) and status not in SIGNED:
            out.append(f"visit {vid}: it was submitted, but it is now stored as {status!r}")
        given = {d.get("role") for action, d in mine if action == "sign"}
        if "clinician" in given and status != VisitStatus.COUNTERSIGNED:
            out.append(f"visit {vid}: it was countersigned, but it is now stored as {status!r}")
        for role in sorted(r for r in given if r and r not in roles[vid]):
            out.append(f"visit {vid}: its {role} signature is in the audit trail but not stored")
    # Signed visits' acknowledgements are checked with the rest of their record (visit_problems);
    # here those of every other visit, whose acknowledgements may yet be signed.
    unsigned = select(Visit.id).where(Visit.status.not_in(SIGNED))
    for vid, found in sorted(ack_trail.problems(s, unsigned).items()):
        out += [f"visit {vid}: {problem}" for problem in found]
    documents = set(s.scalars(select(Document.id)))
    stamped = set(s.scalars(select(DocumentTimestamp.document_id)))
    for did, action in s.execute(
        select(AuditEvent.entity_id, AuditEvent.action)
        .where(AuditEvent.entity == "document", AuditEvent.action.in_(("create", "timestamp")))
        .order_by(AuditEvent.seq)
    ):
        if action == "create" and did not in documents:
            out.append(f"document {did}: the audit trail records it issued, but it is not stored")
        elif action == "timestamp" and did not in stamped:
            out.append(f"document {did}: its timestamped file is in the audit trail, not stored")
    return out


def _create_events(s: Session, doc_ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    query = select(AuditEvent.entity_id, AuditEvent.detail).where(
        AuditEvent.entity == "document", AuditEvent.action == "create"
    )
    if doc_ids is not None:
        query = query.where(AuditEvent.entity_id.in_(list(doc_ids)))
    return {did: dict(detail or {}) for did, detail in s.execute(query.order_by(AuditEvent.seq))}


def describe(d: Document) -> str:
    return f"document {d.id} (visit {d.visit_id}, {d.kind} issue {d.issue})"


def document_problem(
    s: Session, d: Document, pdf: bytes, created: Mapping[str, dict[str, Any]] | None = None
) -> str | None:
    """Why a stored document is not the file that was issued for its row, or None."""
    from intake.documents.signing import embedded_document_id

    if created is None:
        created = _create_events(s, [d.id])
    if hashlib.sha256(pdf).hexdigest() != d.sha256:
        return "the stored file does not match its SHA-256"
    if d.id != document_id(d.visit_id, d.kind, d.issue):
        return "its id is not the one of its visit, kind and issue"
    inside = embedded_document_id(pdf)
    if inside != d.id:
        return f"the file inside is document {inside or '(none named)'}, not this one"
    event = created.get(d.id)
    if event is None:
        return "there is no creation event for it in the audit trail"
    if "sha256" in event and event["sha256"] != d.sha256:
        return "the stored file is not the one recorded in the audit trail when it was issued"
    return None


def _timestamp_events(
    s: Session, doc_ids: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    query = select(AuditEvent.entity_id, AuditEvent.detail).where(
        AuditEvent.entity == "document", AuditEvent.action == "timestamp"
    )
    if doc_ids is not None:
        query = query.where(AuditEvent.entity_id.in_(list(doc_ids)))
    return {did: dict(detail or {}) for did, detail in s.execute(query.order_by(AuditEvent.seq))}


def stamped_problem(
    s: Session,
    d: Document,
    stamped: bytes,
    created: Mapping[str, dict[str, Any]] | None = None,
    stamps: Mapping[str, dict[str, Any]] | None = None,
) -> str | None:
    """Why ``stamped`` is not the document timestamped later from the file issued for ``d``.

    The stamped file is the sealed one with a document timestamp appended: the sealed file must
    be intact (:func:`document_problem`), the stamped one must begin with it byte for byte, and
    its SHA-256 must be the stored one and the one the ``timestamp`` audit event recorded.
    """
    sealed = bytes(d.pdf)
    problem = document_problem(s, d, sealed, created)
    if problem is not None:
        return problem
    row = s.get(DocumentTimestamp, d.id)
    digest = hashlib.sha256(stamped).hexdigest()
    if row is None or row.sha256 != digest:
        return "the timestamped file is not the one stored for it"
    if not stamped.startswith(sealed):
        return "the timestamped file is not the sealed file with a timestamp added"
    if stamps is None:
        stamps = _timestamp_events(s, [d.id])
    event = stamps.get(d.id)
    if event is None or event.get("sha256") != digest:
        return "the timestamped file is not the one recorded in the audit trail"
    return None


def document_problems(s: Session) -> list[str]:
    created = _create_events(s)
    stamps = _timestamp_events(s)
    out = []
    ids = list(s.scalars(select(Document.id).order_by(Document.visit_id, Document.kind)))
    for did in ids:  # one file in memory at a time
        d = s.get(Document, did)
        assert d is not None
        problem = document_problem(s, d, bytes(d.pdf), created)
        if problem is None:
            row = s.get(DocumentTimestamp, did)
            if row is not None:
                problem = stamped_problem(s, d, bytes(row.pdf), created, stamps)
                s.expunge(row)
        if problem:
            out.append(f"{describe(d)}: {problem}")
        s.expunge(d)
    return out
