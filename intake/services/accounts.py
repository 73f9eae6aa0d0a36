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

from sqlalchemy import func, select

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
    if u.title:  # an account without a title keeps the digest it always had
        body["title"] = u.title
    blob = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# The events that make or change an account; each written by this version carries its digest.
ACCOUNT_ACTIONS = ("create", "enable", "disable", "reset_secret", "rehash", "set_title")


def _latest_change(s: Any, user_id: int) -> dict[str, Any] | None:
    """The detail of the latest audit event that made or changed the account (one indexed
    row: sign-ins and refusals are not read), or None when the trail never recorded it."""
    # max(seq) over the (entity, entity_id, action, seq) index: a few seeks. Ordering by seq
    # and taking the first instead made SQLite walk back through every sign-in.
    last = (
        select(func.max(AuditEvent.seq))
        .where(
            AuditEvent.entity == "staff",
            AuditEvent.entity_id == str(user_id),
            AuditEvent.action.in_(ACCOUNT_ACTIONS),
        )
        .scalar_subquery()
    )
    latest = s.execute(select(AuditEvent.detail).where(AuditEvent.seq == last)).first()
    return None if latest is None else dict(latest[0] or {})


def audited_digest(s: Any, user_id: int) -> str | None:
    """The account digest of the latest audit event that made or changed the account.

    "" when that event predates these digests (an account made or changed by an earlier
    version, not since); None when the audit trail never recorded the account being made.
    """
    detail = _latest_change(s, user_id)
    if detail is None:
        return None
    return str(detail.get(ACCOUNT_DIGEST) or "")


def _legacy_problem(s: Any, user: StaffUser) -> str | None:
    """An account not changed since an earlier version: what its ``create`` event says (its
    username and role, and whether it was a demo account) must still hold; its PIN hash and
    name cannot be checked until its next audited change."""
    create = s.execute(
        select(AuditEvent.detail).where(
            AuditEvent.entity == "staff",
            AuditEvent.entity_id == str(user.id),
            AuditEvent.action == "create",
        )
    ).first()
    detail = dict((create[0] if create else None) or {})
    if not detail:
        return None  # made by the very first versions, whose events said nothing of it
    if (
        detail.get("username", user.username) != user.username
        or detail.get("role", user.role) != user.role
    ):
        return "it was changed outside the app (username or role)"
    if bool(detail.get("demo")) != bool(user.demo):
        return "it was changed outside the app (demo)"
    return None


def account_problem(s: Any, user: StaffUser) -> str | None:
    """Why the stored account is not the one the audit trail recorded, or None."""
    audited = audited_digest(s, user.id)
    if audited is None:
        return "the audit trail never recorded it being made"
    if not audited:
        return _legacy_problem(s, user)
    if audited != account_digest(user):
        return "it was changed outside the app (name, role, PIN, active or demo)"
    return None


def missing_accounts(s: Any) -> list[int]:
    """Accounts the audit trail records as made that are no longer stored (deleted outside the
    app: the app never deletes one)."""
    created = {
        int(entity_id)
        for entity_id in s.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.entity == "staff", AuditEvent.action == "create"
            )
        )
        if entity_id.isdigit()
    }
    stored = set(s.scalars(select(StaffUser.id)))
    return sorted(created - stored)
