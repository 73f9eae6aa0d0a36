"""Shared plumbing for services: units of work that always carry their audit events.

A service does not take the ``Actor`` it is given on trust. ``require_role`` and
``require_visit`` refuse at once what the actor's claimed role cannot do, and remember the
claim for the service call under way; every unit of work that call opens (and the one already
open, if any) then re-checks it against the database, in that same transaction: a staff actor's
account must exist, be active and have that role; a kiosk actor's visit must be the one opened
by its code (or handed over) at this station. A made-up or stale actor is refused before
anything is read or written for it.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from intake.documents.errors import DocumentError
from intake.services import seal
from intake.services.accounts import account_problem
from intake.services.context import SYSTEM as SYSTEM_ACTOR
from intake.services.context import Actor, AppContext
from intake.services.errors import (
    STORAGE_MESSAGE,
    Conflict,
    Immutable,
    NotAllowed,
    SigningUnavailable,
    StorageUnavailable,
)
from intake.store import audit
from intake.store.models import StaffUser, Visit

STAFF_ROLES = ("front_desk", "clinician", "admin")
ROLE_WORDS = {
    "front_desk": "front-desk staff",
    "clinician": "a dermatologist",
    "admin": "an administrator",
    "kiosk": "the patient at the kiosk",
    "system": "the system",
}
ACCOUNT_GONE = "This staff account is disabled or does not exist. Please sign in again."
ACCOUNT_TAMPERED = (
    "This staff account does not match the audit trail (it was changed outside the app), so it"
    " cannot be used. Please tell the clinic's administrator (`main.py audit verify`)."
)
ROLE_CHANGED = "This account's role has changed since it signed in. Please sign in again."
KIOSK_GONE = (
    "This kiosk session is not the one that opened this visit. Please ask at the front desk."
)


@dataclass(frozen=True)
class _Claim:
    """What a service call was told about who acts: an actor and the roles or visit it needs."""

    actor: Actor
    roles: tuple[str, ...] = ()
    visit_id: str | None = None
    action: str | None = None


# Per thread (and per task): how deep in service calls we are, the claims of the outermost
# call, and the units of work open now (innermost last).
_DEPTH: ContextVar[int] = ContextVar("intake_service_depth", default=0)
_CLAIMS: ContextVar[tuple[_Claim, ...]] = ContextVar("intake_actor_claims", default=())
_OPEN: ContextVar[tuple[tuple[Session, AppContext, bool], ...]] = ContextVar(
    "intake_open_sessions", default=()
)

F = TypeVar("F", bound=Callable[..., Any])


def _one_call(fn: F) -> F:
    """Claims made in a public service method hold until the outermost one returns."""

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        depth = _DEPTH.get()
        depth_token = _DEPTH.set(depth + 1)
        claims_token = _CLAIMS.set(()) if depth == 0 else None
        try:
            return fn(*args, **kwargs)
        finally:
            if claims_token is not None:
                _CLAIMS.reset(claims_token)
            _DEPTH.reset(depth_token)

    return call  # type: ignore[return-value]


IMMUTABLE_MESSAGE = (
    "This record is signed and cannot be changed. A correction is made as a new record."
)


def _immutable(exc: DBAPIError) -> bool:
    message = str(exc.orig) if exc.orig is not None else ""
    return "cannot be changed" in message or "append-only" in message or "at this stage" in message


class Service:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if not name.startswith("_") and inspect.isfunction(value):
                setattr(cls, name, _one_call(value))

    @contextlib.contextmanager
    def _checked(self, session: Session, write: bool) -> Iterator[Session]:
        for claim in _CLAIMS.get():
            _verify(session, self.ctx, claim, write)
        token = _OPEN.set((*_OPEN.get(), (session, self.ctx, write)))
        try:
            yield session
        finally:
            _OPEN.reset(token)

    @contextlib.contextmanager
    def write(self, *, durable: bool = False) -> Iterator[Session]:
        """A writing unit of work; database refusals become service errors.

        A database error never travels on as it is: its text can carry the statement's values,
        that is, patients' data (the engine also hides parameters from its messages).
        """
        try:
            with self.ctx.db.session(write=True, durable=durable) as session:
                self.ctx.db.lock_audit(session)
                with self._checked(session, True):
                    yield session
                # Once per unit of work, before it commits: the head its events end in.
                try:
                    seal.sign_head(self.ctx, session)
                except DocumentError as exc:
                    raise SigningUnavailable(
                        "The clinic signing key cannot be used, so nothing was saved. Please"
                        f" call for help: {exc}",
                        code="signing_unavailable",
                        reason=str(exc),
                    ) from None
                signed = session.info.get(seal.SIGNED_HEAD)
            # Committed: this station remembers the head, outside the database.
            seal.remember_head(self.ctx, signed)
        except StaleDataError:
            raise Conflict(
                "Someone else changed this record at another station. It has been reloaded; please check it and try again.",
                code="changed_elsewhere",
            ) from None
        except IntegrityError as exc:
            if _immutable(exc):
                raise Immutable(IMMUTABLE_MESSAGE, code="record_signed") from None
            raise Conflict(
                "This was just saved at another station. Please reload and check it.",
                code="saved_elsewhere",
            ) from None
        except DBAPIError as exc:
            if _immutable(exc):
                raise Immutable(IMMUTABLE_MESSAGE, code="record_signed") from None
            raise StorageUnavailable(STORAGE_MESSAGE) from None

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        try:
            with self.ctx.db.session() as session, self._checked(session, False):
                yield session
        except DBAPIError:
            raise StorageUnavailable(STORAGE_MESSAGE) from None

    def audit(
        self,
        session: Session,
        actor: Actor,
        action: str,
        entity: str,
        entity_id: str | int,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        audit.append(
            session,
            actor=actor.id,
            station=self.ctx.station,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=detail,
            at=self.ctx.now(),
        )


def _role_message(roles: tuple[str, ...], action: str | None) -> str:
    words = [ROLE_WORDS.get(r, r) for r in roles]
    who = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f"Your role does not allow this: only {who} can {action or 'do this'}."


def _claim(claim: _Claim) -> None:
    """Remember the claim for the call under way, and check it in the unit of work now open."""
    if _DEPTH.get() and claim not in _CLAIMS.get():
        _CLAIMS.set((*_CLAIMS.get(), claim))
    if opened := _OPEN.get():
        session, ctx, write = opened[-1]
        _verify(session, ctx, claim, write)


def _verify(s: Session, ctx: AppContext, claim: _Claim, write: bool) -> None:
    """The claim against the database, in the caller's transaction."""
    actor = claim.actor
    if actor.is_staff:
        kind, _, number = actor.id.partition(":")
        if kind != "staff" or not number.isdigit():
            raise NotAllowed(ACCOUNT_GONE, code="account_gone")
        # On PostgreSQL a writing unit of work holds the account row (FOR SHARE) until it
        # commits: an administrator disabling the account waits for it, and vice versa.
        # SQLite's writers hold the database's write lock already.
        user = s.get(
            StaffUser,
            int(number),
            with_for_update={"read": True} if write and ctx.db.dialect == "postgresql" else None,
        )
        if user is None or not user.active:
            raise NotAllowed(ACCOUNT_GONE, code="account_gone")
        if account_problem(s, user):
            raise NotAllowed(ACCOUNT_TAMPERED, code="account_tampered")
        if user.role != actor.role:
            raise NotAllowed(ROLE_CHANGED, code="role_changed")
        if claim.roles and user.role not in claim.roles:
            raise NotAllowed(_role_message(claim.roles, claim.action))
        return
    if actor.role == "kiosk":
        if claim.visit_id is None or actor.visit_id != claim.visit_id:
            raise NotAllowed("This session cannot open that visit.", code="other_visit")
        visit = s.get(Visit, claim.visit_id)
        if (
            visit is None
            or actor.id != f"kiosk:{visit.id}"
            or not visit.kiosk_station
            or visit.kiosk_station[:60] != ctx.station[:60]
        ):
            raise NotAllowed(KIOSK_GONE, code="kiosk_gone")
        return
    if actor is not SYSTEM_ACTOR or "system" not in claim.roles:
        if claim.roles:
            raise NotAllowed(_role_message(claim.roles, claim.action))
        raise NotAllowed(KIOSK_GONE, code="kiosk_gone")


def require_role(actor: Actor, *roles: str, action: str | None = None) -> None:
    """Refuse unless ``actor`` has one of ``roles`` — as claimed now, and in the database.

    ``action`` completes the refusal: "only an administrator can {action}".
    """
    if actor.role not in roles:
        raise NotAllowed(_role_message(roles, action))
    if actor.role == "system" and actor is SYSTEM_ACTOR:
        return  # the process itself (first run, scripts); never made from outside input
    _claim(_Claim(actor, tuple(roles), action=action))


def require_visit(actor: Actor, visit_id: str) -> None:
    """Staff may open any visit; a kiosk session only the visit its code opened here."""
    if actor.is_staff:
        _claim(_Claim(actor, STAFF_ROLES))
        return
    if actor.role == "kiosk" and actor.visit_id == visit_id and actor.id == f"kiosk:{visit_id}":
        _claim(_Claim(actor, visit_id=visit_id))
        return
    raise NotAllowed("This session cannot open that visit.", code="other_visit")
