"""Staff accounts bound to the audit trail: one planted or edited in the database is refused.

The audit trail is hash-chained and its head signed with the clinic's key, so someone who can
write the database but has not the key cannot add events to it unseen. Every unit of work that
makes or changes an account writes the account's digest into its event; an account whose row
does not match its latest digest, or that the trail never recorded, cannot sign in or act, and
``audit verify`` names it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from intake.store.models import AuditEvent, StaffUser

ACCOUNT_DIGEST = "account_sha256"


def account_digest(u: StaffUser) -> str:
    """The SHA-256 of what makes an account: who, which role, active, demo, and its PIN's hash.

    Every unit of work that makes or changes an account writes this into its audit event, so an
    account planted or edited straight in the database (a new administrator, a demo account
    made able to sign in, a PIN hash swapped) no longer matches the trail: it cannot sign in or
    act, and ``audit verify`` names it. Lock-out counters are left out: they change at every
    attempt and grant nothing.
    """
    body = {
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "active": bool(u.active),
        "demo": bool(u.demo),
        "secret": u.secret_hash,
    }
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# The events that make or change an account; each written by this version carries its digest.
ACCOUNT_ACTIONS = ("create", "enable", "disable", "reset_secret", "rehash")


def audited_digest(s: Any, user_id: int) -> str | None:
    """The account digest of the latest audit event that made or changed the account.

    "" when that event predates these digests (an account made or changed by an earlier
    version, not since); None when the audit trail never recorded the account being made.
    One indexed row: sign-ins and refusals are not read.
    """
    latest = s.execute(
        select(AuditEvent.detail)
        .where(
            AuditEvent.entity == "staff",
            AuditEvent.entity_id == str(user_id),
            AuditEvent.action.in_(ACCOUNT_ACTIONS),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    detail = latest[0] or {}
    return str(detail.get(ACCOUNT_DIGEST) or "")


def account_problem(s: Any, user: StaffUser) -> str | None:
    """Why the stored account is not the one the audit trail recorded, or None."""
    audited = audited_digest(s, user.id)
    if audited is None:
        return "the audit trail never recorded it being made"
    if audited and audited != account_digest(user):
        return "it was changed outside the app (name, role, PIN, active or demo)"
    return None


