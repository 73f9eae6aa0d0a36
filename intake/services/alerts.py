"""Releasing a visit paused by a positive mood screen (PHQ-9 item 9): the right person, on the record.

The clinic profile names the role that may release it (``[alerts] mood_release_role``; a
clinician always may). The one who releases writes a short note; who, when, where and the note
are kept (append-only) and shown on the dermatologist's summary and the intake summary PDF. The
audit event carries the note too (who released, when, where and why are what the audit trail is
for; it lives in the same protected database as the record and is never printed or logged).

Staff-facing: a patient never meets these messages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.domain import identity, printable
from intake.domain.errors import Coded, code_of
from intake.domain.kinds import VisitStatus
from intake.domain.records import AlertReleaseRecord
from intake.services.base import Service, require_role
from intake.services.context import Actor
from intake.services.errors import InvalidInput, LoginFailed, NotAllowed, NotFound
from intake.services.row_digests import detail_for
from intake.store.models import AlertRelease, Answer, StaffUser, Visit

MOOD_REASON = "item9"  # visits.needs_staff after a positive PHQ-9 item 9
NOTE_MIN = 3
NOTE_MAX = 200
RELEASE_NEEDED = "The mood screen was just answered at the kiosk: please release it with a note."
ROLE_WORDS = {"front_desk": "front desk", "clinician": "clinician", "admin": "administrator"}


@dataclass(frozen=True)
class ReleaseInfo:
    """A paused visit released by a member of staff: who, when, where and their note."""

    visit_id: str
    reason: str
    note: str
    released_by: str
    role: str
    released_at: dt.datetime
    station: str


def release_roles(required: str) -> tuple[str, ...]:
    """The roles that may release a mood-screen alert: the clinic's choice, and clinicians."""
    return tuple(dict.fromkeys((required, "clinician")))


def clean_note(note: str) -> str:
    """The note on one line; InvalidInput when it is empty, too short or too long."""
    text = " ".join(str(note or "").split())
    if len(text) < NOTE_MIN:
        raise InvalidInput(
            {
                "note": Coded(
                    "Please write a short note: how the patient was seen and what was agreed.",
                    "note_missing",
                )
            }
        )
    if len(text) > NOTE_MAX:
        raise InvalidInput(
            {
                "note": Coded(
                    f"Please keep the note to {NOTE_MAX} characters (it has {len(text)}).",
                    "note_long",
                    most=NOTE_MAX,
                    length=len(text),
                )
            }
        )
    if missing := printable.unprintable(text):
        # The note is printed on the intake summary.
        raise InvalidInput(
            {
                "note": Coded(
                    f"The clinic's documents cannot print {missing}; please reword the note.",
                    "note_unprintable",
                    missing=missing,
                )
            }
        )
    return text


def staff_id(actor: Actor) -> int | None:
    kind, _, number = actor.id.partition(":")
    return int(number) if kind == "staff" and number.isdigit() else None


def releases(s: Session, visit_id: str) -> tuple[AlertReleaseRecord, ...]:
    """Every release of the visit, oldest first (for the record the documents are made from)."""
    return tuple(
        AlertReleaseRecord(r.reason, r.note, r.released_by, r.role, r.released_at, r.station)
        for r in s.scalars(
            select(AlertRelease)
            .where(AlertRelease.visit_id == visit_id)
            .order_by(AlertRelease.released_at, AlertRelease.id)
        )
    )


class AlertService(Service):
    def refusal(self, staff: Actor) -> str:
        """Why this person may not release a mood-screen alert ("" when they may)."""
        required = self.ctx.forms.clinic.mood_release_role
        allowed = release_roles(required)
        if staff.role in allowed:
            return ""
        who = " or ".join(("an " if r == "admin" else "a ") + ROLE_WORDS.get(r, r) for r in allowed)
        return Coded(
            f"A positive mood screen is released by {who} (clinic setting), once they have seen "
            "the patient. Please ask one to release it.",
            f"release_by_{required}",
        )

    def release(self, staff: Actor, visit_id: str, note: str) -> ReleaseInfo:
        """Release a visit paused by a positive mood screen, with the releasing person's note."""
        require_role(staff, "front_desk", "clinician", "admin")
        refusal = self.refusal(staff)
        if refusal:
            raise NotAllowed(refusal, code=code_of(refusal))
        text = clean_note(note)
        with self.write() as s:
            visit = s.get(Visit, visit_id)
            if visit is None:
                raise NotFound("No such visit.", code="visit_not_found")
            if visit.needs_staff != MOOD_REASON:
                raise InvalidInput(
                    {
                        "visit": Coded(
                            "This visit is not waiting for a mood-screen release (any more).",
                            "release_not_waiting",
                        )
                    }
                )
            now = self.ctx.now()
            sid = staff_id(staff)
            user = s.get(StaffUser, sid) if sid is not None else None
            row = AlertRelease(
                visit_id=visit_id,
                reason=MOOD_REASON,
                note=text,
                staff_id=user.id if user is not None else None,
                released_by=(user.display_name if user is not None else staff.name)[:120],
                role=staff.role,
                released_at=now,
                actor=staff.id,
                station=self.ctx.station,
            )
            s.add(row)
            s.flush()
            # A name or date of birth still to be checked keeps the visit waiting, for that.
            visit.needs_staff = identity.REASON if self._identity_pending(s, visit) else ""
            visit.updated_at = now
            self.audit(
                s,
                staff,
                "release",
                "visit",
                visit_id,
                detail_for(
                    row,
                    visit.patient_id,
                    reason="mood_item9",
                    release=row.id,
                    role=staff.role,
                    note=text,
                ),
            )
            return ReleaseInfo(
                visit_id, MOOD_REASON, text, row.released_by, row.role, now, self.ctx.station
            )

    def release_by_colleague(
        self, station_actor: Actor, username: str, secret: str, visit_id: str, note: str
    ) -> ReleaseInfo:
        """At a station signed in by someone without the role (the front desk), the clinician who
        saw the patient releases it with their own username and PIN; the release is theirs.

        A wrong username or PIN counts towards that account's lock-out, as a sign-in does.
        """
        from intake.services.staff import StaffService, staff_actor

        require_role(station_actor, "front_desk", "clinician", "admin")
        clean_note(note)  # a note to fix first costs the colleague no attempt
        if not username.strip() or not secret:
            raise InvalidInput(
                {
                    "secret": Coded(
                        "Please give the releasing clinician's username and PIN.",
                        "releaser_missing",
                    )
                }
            )
        try:
            releaser = staff_actor(StaffService(self.ctx).login(username, secret))
        except LoginFailed:
            raise InvalidInput(
                {"secret": Coded("That username and PIN are not right.", "username_pin_wrong")}
            ) from None
        refusal = self.refusal(releaser)
        if refusal:
            raise NotAllowed(refusal, code=code_of(refusal))
        return self.release(releaser, visit_id, note)

    def releases(self, staff: Actor, visit_id: str) -> tuple[AlertReleaseRecord, ...]:
        require_role(staff, "front_desk", "clinician", "admin")
        with self.read() as s:
            return releases(s, visit_id)

    @staticmethod
    def _identity_pending(s: Session, visit: Visit) -> bool:
        from intake.services.visits import decode_value

        if visit.status != VisitStatus.DRAFT:
            return False
        answers = {
            a.question_id: decode_value(a.value)
            for a in s.scalars(select(Answer).where(Answer.visit_id == visit.id))
        }
        return identity.pending(answers)
