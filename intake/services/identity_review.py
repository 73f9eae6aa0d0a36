"""Staff decide on what a patient proposed about their identity at the kiosk.

A legal name typed differently from the record, or "this is not my date of birth", pauses the
visit (needs staff, reason "identity"). At the front desk a member of staff either accepts it (a
correction of the patient record: a new version with a reason, audited) or keeps the record as
it is; either way the proposal is settled and the visit may continue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.domain import identity
from intake.domain.errors import Coded
from intake.domain.kinds import VisitStatus
from intake.services.base import Service, require_role
from intake.services.context import Actor
from intake.services.errors import Conflict, Immutable, InvalidInput, NotFound
from intake.services.patients import PatientRow, apply_changes, clean_details, row
from intake.services.visits import decode_value
from intake.store.models import Answer, Patient, Visit


@dataclass(frozen=True)
class IdentityCheck:
    """The record's identity beside what the patient proposed for it."""

    visit_id: str
    patient_id: int
    record_number: str
    version: int
    first_name: str
    last_name: str
    date_of_birth: dt.date
    proposed_first_name: str = ""
    proposed_last_name: str = ""
    proposed_date_of_birth: dt.date | None = None
    date_of_birth_disputed: bool = False

    @property
    def pending(self) -> bool:
        return bool(
            self.proposed_first_name
            or self.proposed_last_name
            or self.proposed_date_of_birth
            or self.date_of_birth_disputed
        )


class IdentityReviewService(Service):
    def check(self, staff: Actor, visit_id: str) -> IdentityCheck:
        require_role(staff, "front_desk", "clinician", "admin")
        with self.read() as s:
            visit, patient = self._load(s, visit_id)
            return self._check(s, visit, patient)

    def accept(
        self,
        staff: Actor,
        visit_id: str,
        expected_version: int,
        reason: str,
        date_of_birth: Any = None,
    ) -> PatientRow:
        """Correct the record as the patient proposed (``date_of_birth``: the one staff confirmed
        with the patient, for a disputed date); a new version with ``reason``; the visit goes on."""
        require_role(staff, "front_desk", "clinician", "admin")
        if not reason.strip():
            raise InvalidInput(
                {
                    "reason": Coded(
                        "Please say why the details are being corrected.", "correction_reason"
                    )
                }
            )
        with self.write() as s:
            visit, patient = self._load(s, visit_id)
            check = self._check(s, visit, patient)
            if not check.pending:
                raise InvalidInput(
                    {
                        "identity": Coded(
                            "Nothing is waiting to be checked for this visit.", "nothing_to_check"
                        )
                    }
                )
            if patient.version != expected_version:
                raise Conflict(
                    "These details were changed at another station. They have been reloaded; please check them and try again.",
                    code="details_changed",
                )
            changes: dict[str, Any] = {}
            if check.proposed_first_name:
                changes["first_name"] = check.proposed_first_name
            if check.proposed_last_name:
                changes["last_name"] = check.proposed_last_name
            dob = date_of_birth if date_of_birth not in (None, "") else check.proposed_date_of_birth
            if dob is not None:
                changes["date_of_birth"] = dob
            elif check.date_of_birth_disputed:
                raise InvalidInput(
                    {
                        "date_of_birth": Coded(
                            "Please enter the date of birth confirmed with the patient.",
                            "dob_confirmed_missing",
                        )
                    }
                )
            clean = clean_details(changes, self.ctx.today())
            changed = apply_changes(self, s, staff, patient, clean, reason)
            self._settle(s, staff, visit, "accepted", changed)
            return row(patient)

    def keep(self, staff: Actor, visit_id: str) -> None:
        """The record stands (it was right, or was corrected at the desk); the visit goes on."""
        require_role(staff, "front_desk", "clinician", "admin")
        with self.write() as s:
            visit, patient = self._load(s, visit_id)
            if not self._check(s, visit, patient).pending:
                raise InvalidInput(
                    {
                        "identity": Coded(
                            "Nothing is waiting to be checked for this visit.", "nothing_to_check"
                        )
                    }
                )
            self._settle(s, staff, visit, "kept", [])

    # --- internals -------------------------------------------------------------------------------

    @staticmethod
    def _load(s: Session, visit_id: str) -> tuple[Visit, Patient]:
        visit = s.get(Visit, visit_id)
        if visit is None:
            raise NotFound("No such visit.", code="visit_not_found")
        if visit.status != VisitStatus.DRAFT:
            raise Immutable("This visit is already submitted.", code="visit_submitted")
        patient = s.get(Patient, visit.patient_id)
        assert patient is not None
        return visit, patient

    @staticmethod
    def _proposals(s: Session, visit_id: str) -> dict[str, Answer]:
        return {
            a.question_id: a
            for a in s.scalars(
                select(Answer).where(
                    Answer.visit_id == visit_id,
                    Answer.question_id.in_(identity.PROPOSAL_KEYS),
                )
            )
        }

    def _check(self, s: Session, visit: Visit, patient: Patient) -> IdentityCheck:
        found = {k: decode_value(a.value) for k, a in self._proposals(s, visit.id).items()}
        proposed_dob = found.get(identity.PROPOSED["date_of_birth"])
        return IdentityCheck(
            visit.id,
            patient.id,
            patient.record_number,
            patient.version,
            patient.first_name,
            patient.last_name,
            patient.date_of_birth,
            str(found.get(identity.PROPOSED["first_name"]) or ""),
            str(found.get(identity.PROPOSED["last_name"]) or ""),
            proposed_dob if isinstance(proposed_dob, dt.date) else None,
            bool(found.get(identity.DOB_DISPUTED)),
        )

    def _settle(
        self, s: Session, staff: Actor, visit: Visit, decision: str, changed: list[str]
    ) -> None:
        for answer in self._proposals(s, visit.id).values():
            s.delete(answer)
        if visit.needs_staff == identity.REASON:
            visit.needs_staff = ""
        visit.updated_at = self.ctx.now()
        self.audit(
            s, staff, "identity", "visit", visit.id, {"decision": decision, "fields": changed}
        )
