"""Shared plumbing for services: units of work that always carry their audit events."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from intake.documents.errors import DocumentError
from intake.services import seal
from intake.services.context import Actor, AppContext
from intake.services.errors import (
    Conflict,
    Immutable,
    NotAllowed,
    SigningUnavailable,
    StorageUnavailable,
)
from intake.store import audit

IMMUTABLE_MESSAGE = (
    "This record is signed and cannot be changed. A correction is made as a new record."
)
STORAGE_MESSAGE = "The database cannot be reached or refused the change. Nothing was saved; please try again or call for help."


def _immutable(exc: DBAPIError) -> bool:
    message = str(exc.orig) if exc.orig is not None else ""
    return "cannot be changed" in message or "append-only" in message or "at this stage" in message


class Service:
    def __init__(self, ctx: AppContext):
        self.ctx = ctx

    @contextlib.contextmanager
    def write(self, *, durable: bool = False) -> Iterator[Session]:
        """A writing unit of work; database refusals become service errors.

        A database error never travels on as it is: its text can carry the statement's values,
        that is, patients' data (the engine also hides parameters from its messages).
        """
        try:
            with self.ctx.db.session(write=True, durable=durable) as session:
                self.ctx.db.lock_audit(session)
                yield session
                # Once per unit of work, before it commits: the head its events end in.
                try:
                    seal.sign_head(self.ctx, session)
                except DocumentError as exc:
                    raise SigningUnavailable(
                        "The clinic signing key cannot be used, so nothing was saved. Please"
                        f" call for help: {exc}"
                    ) from None
        except StaleDataError:
            raise Conflict(
                "Someone else changed this record at another station. It has been reloaded; please check it and try again."
            ) from None
        except IntegrityError as exc:
            if _immutable(exc):
                raise Immutable(IMMUTABLE_MESSAGE) from None
            raise Conflict(
                "This was just saved at another station. Please reload and check it."
            ) from None
        except DBAPIError as exc:
            if _immutable(exc):
                raise Immutable(IMMUTABLE_MESSAGE) from None
            raise StorageUnavailable(STORAGE_MESSAGE) from None

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        try:
            with self.ctx.db.session() as session:
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


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise NotAllowed("Your role does not allow this. Please ask a colleague who can.")


def require_visit(actor: Actor, visit_id: str) -> None:
    """Staff may open any visit; a kiosk session only its own."""
    if actor.is_staff or actor.role == "system":
        return
    if actor.role == "kiosk" and actor.visit_id == visit_id:
        return
    raise NotAllowed("This session cannot open that visit.")
