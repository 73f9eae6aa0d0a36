"""The small closed sets passed between the layers: visit status, roles, signer roles, stages.

``StrEnum``s: a member equals its value ("draft" == VisitStatus.DRAFT), so what storage holds,
what documents print and what older callers compare stays exactly the same; code names the
member and a misspelling fails at import, not as a silently false comparison.
"""

from __future__ import annotations

from enum import StrEnum


class VisitStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # the patient (and a guardian) signed: waits for the dermatologist
    COUNTERSIGNED = "countersigned"
    ABANDONED = "abandoned"


# Signed by the patient: the documents can be made, the visit's answers are final.
FINISHED = frozenset({VisitStatus.SUBMITTED, VisitStatus.COUNTERSIGNED})
# Still to be done by someone (the patient at the kiosk, or the dermatologist).
OPEN = frozenset({VisitStatus.DRAFT, VisitStatus.SUBMITTED})


class StaffRole(StrEnum):
    FRONT_DESK = "front_desk"
    CLINICIAN = "clinician"
    ADMIN = "admin"


class SignerRole(StrEnum):
    """Who a signature or an acknowledgement is by."""

    PATIENT = "patient"
    GUARDIAN = "guardian"
    CLINICIAN = "clinician"


class Stage(StrEnum):
    """Where a visit is, as the front desk's board shows it."""

    WAITING = "waiting"
    AT_KIOSK = "at_kiosk"
    LEFT_KIOSK = "left_kiosk"
    NEEDS_STAFF = "needs_staff"
    FOR_DERMATOLOGIST = "for_dermatologist"
    DONE = "done"
    ABANDONED = "abandoned"


class VisitKind(StrEnum):
    """What a visit is for within a course."""

    FIRST_VISIT = "first_visit"  # history, risks, quiz and the course's consent
    CHECKIN = "checkin"  # a monthly check-in during the course
