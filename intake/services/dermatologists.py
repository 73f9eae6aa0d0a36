"""The dermatologist responsible for a visit: named on its documents until one countersigns.

Chosen at the front desk when the visit is started (or left open), changeable by the front desk
or a clinician until the consent is countersigned, every change audited (staff ids only). Only
active clinician accounts can be chosen. Once countersigned, the documents name the clinician
who countersigned.

Staff-facing: a patient never meets these messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.domain.errors import Coded
from intake.domain.kinds import StaffRole, VisitStatus
from intake.domain.names import titled
from intake.services.base import Service, require_role
from intake.services.context import Actor
from intake.services.errors import Immutable, InvalidInput, NotFound
from intake.store.models import StaffUser, Visit

STAFF_ROLES = ("front_desk", "clinician", "admin")


@dataclass(frozen=True)
class Dermatologist:
    """An active clinician account that may be named as a visit's dermatologist."""

    id: int
    name: str


def check(s: Session, staff_id: int) -> StaffUser:
    """The clinician account to name; InvalidInput unless it is an active clinician."""
    user = s.get(StaffUser, staff_id)
    if user is None or user.role != StaffRole.CLINICIAN or not user.active:
        raise InvalidInput(
            {
                "dermatologist": Coded(
                    "Please choose a dermatologist from the clinic's active clinicians.",
                    "dermatologist_choose",
                )
            }
        )
    return user


def named(s: Session, visit: Visit) -> str:
    """The name of the visit's chosen dermatologist ("" when none is chosen)."""
    if visit.dermatologist_id is None:
        return ""
    user = s.get(StaffUser, visit.dermatologist_id)
    return titled(user.title, user.display_name) if user is not None else ""


class DermatologistService(Service):
    def choices(self, actor: Actor) -> list[Dermatologist]:
        """The active clinician accounts, by name."""
        require_role(actor, *STAFF_ROLES)
        with self.read() as s:
            return [
                Dermatologist(u.id, u.display_name)
                for u in s.scalars(
                    select(StaffUser)
                    .where(StaffUser.role == StaffRole.CLINICIAN, StaffUser.active.is_(True))
                    .order_by(StaffUser.display_name, StaffUser.id)
                )
            ]

    def of_visit(self, actor: Actor, visit_id: str) -> Dermatologist | None:
        require_role(actor, *STAFF_ROLES)
        with self.read() as s:
            visit = s.get(Visit, visit_id)
            if visit is None:
                raise NotFound("No such visit.", code="visit_not_found")
            if visit.dermatologist_id is None:
                return None
            user = s.get(StaffUser, visit.dermatologist_id)
            return Dermatologist(user.id, user.display_name) if user is not None else None

    def choose(
        self, actor: Actor, visit_id: str, dermatologist_id: int | None
    ) -> Dermatologist | None:
        """Name (or, with None, un-name) the visit's dermatologist, until one countersigns."""
        require_role(actor, *STAFF_ROLES)
        with self.write() as s:
            visit = s.get(Visit, visit_id)
            if visit is None:
                raise NotFound("No such visit.", code="visit_not_found")
            if visit.status == VisitStatus.COUNTERSIGNED:
                raise Immutable(
                    "This consent is countersigned: it names the dermatologist who signed it.",
                    code="dermatologist_fixed",
                )
            if visit.status == VisitStatus.ABANDONED:
                raise Immutable("This visit was abandoned.", code="visit_abandoned")
            chosen = None if dermatologist_id is None else check(s, dermatologist_id)
            before = visit.dermatologist_id
            if before != dermatologist_id:
                visit.dermatologist_id = dermatologist_id
                visit.updated_at = self.ctx.now()
                self.record(s, actor, visit_id, before, dermatologist_id)
            return Dermatologist(chosen.id, chosen.display_name) if chosen else None

    def record(
        self, s: Session, actor: Actor, visit_id: str, before: int | None, after: int | None
    ) -> None:
        self.audit(s, actor, "dermatologist", "visit", visit_id, {"from": before, "to": after})
