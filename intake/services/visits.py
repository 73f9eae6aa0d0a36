"""Visits: started at the front desk, filled in at the kiosk, submitted with the last signature.

Every kiosk call names its visit and is checked against the session's own visit. Each call is
one unit of work; acknowledgements and signatures are committed durably as they are given, so
a crash loses at most the page being typed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake import i18n
from intake.domain import checkin as checkin_rules
from intake.domain import course as course_rules
from intake.domain import identity, rules, wizard
from intake.domain import phq9 as phq9_scoring
from intake.domain import reconsent as rc
from intake.domain.answers import validate_page
from intake.domain.errors import Coded, ValidationError
from intake.domain.kinds import FINISHED, SignerRole, Stage, VisitKind, VisitStatus
from intake.domain.records import CHECKIN_GUARDIAN_MEANING, CHECKIN_MEANING, SIGNATURE_MEANINGS
from intake.domain.validation import initials as check_initials
from intake.domain.validation import name as check_name
from intake.domain.validation import relationship as check_relationship
from intake.forms import model as fm
from intake.services import ack_trail, alerts, dermatologists, form_snapshots, visit_codes
from intake.services.base import Service, require_role, require_visit
from intake.services.completeness import Completeness, Missing, MissingKind
from intake.services.context import Actor, AppContext
from intake.services.dermatologists import DermatologistService
from intake.services.errors import (
    CodeLocked,
    Conflict,
    Immutable,
    InvalidInput,
    NotAllowed,
    NotFound,
    RecordMismatch,
    ServiceError,
)
from intake.services.patients import apply_changes
from intake.store import audit
from intake.store.models import (
    Acknowledgement,
    AlertRelease,
    Answer,
    AuditEvent,
    CourseCompletion,
    Patient,
    QuizAnswer,
    Signature,
    Visit,
)

GUARDIAN_FIRST, GUARDIAN_LAST, GUARDIAN_RELATIONSHIP = (
    "guardian_first_name",
    "guardian_last_name",
    "guardian_relationship",
)
log = logging.getLogger(__name__)
SIGNATURE_METHODS = ("drawn", "typed")
CHECKIN_MEANINGS: dict[str, str] = {
    SignerRole.PATIENT: CHECKIN_MEANING,
    SignerRole.GUARDIAN: CHECKIN_GUARDIAN_MEANING,
}
# First-visit answers a check-in starts from (who can become pregnant).
CARRIED_TO_CHECKIN = ("uterus_and_ovary", "pregnancy_ruled_out")
CODE_DIGITS = 6
CODE_HOURS = 12
ABANDON_REASON_MAX = 200
MIN_STROKE_POINTS = 12  # an empty pad or a dot is not a signature
MIN_SIGNATURE_EXTENT = 0.12  # of the pad's width: refuses a tiny scribble
PHQ9_IDS = phq9_scoring.ITEM_IDS
# The audit action saying the patient was shown a notice of minor changes.
NOTICE_SHOWN = "reconsent_notice_shown"
KIOSK_CONTACT_REASON = "updated by the patient at the kiosk"
IDENTITY_PENDING_MESSAGE = Coded(
    "A member of staff must first check your details at the front desk.", "identity_pending"
)
IDENTITY_CHANGED_MESSAGE = (
    "Your details were changed after the first signature. Please ask a member of staff to start"
    " the signatures again."
)


def record_identity(p: Patient) -> dict[str, Any]:
    """The legal name and date of birth on the patient record: what every rule and document uses."""
    return {"first_name": p.first_name, "last_name": p.last_name, "date_of_birth": p.date_of_birth}


@dataclass(frozen=True)
class StartedVisit:
    visit_id: str
    code: str  # shown once, to be given to the patient
    # A re-consent: why ("form_changed", "turned_18"); empty for any other visit.
    reconsent: tuple[str, ...] = ()
    kind: VisitKind = VisitKind.FIRST_VISIT
    course_month: int | None = None  # a check-in's month of the course


@dataclass(frozen=True)
class OpenVisit:
    """A patient's unfinished visit, as the front desk needs it to choose what to do."""

    visit_id: str
    visit_date: dt.date
    started_at: dt.datetime
    updated_at: dt.datetime
    page: str
    kiosk_station: str
    needs_staff: str
    # Its code can be renewed for the patient to carry on: only on the day it was started,
    # since a visit (its forms, rules and the patient's age) is dated the day it starts.
    resumable: bool


class OpenVisitExists(ServiceError):
    """start_visit refused: the patient already has an unfinished visit (``visit``).

    Carry on with it (``new_code``), or start again, abandoning it with a reason
    (``start_visit(..., abandon_open=visit.visit_id, abandon_reason=...)``).
    """

    def __init__(self, visit: OpenVisit):
        self.visit = visit
        super().__init__(
            f"This patient already has an unfinished visit, started {visit.visit_date.isoformat()}. "
            "Carry on with it (a new code), or abandon it with a reason to start a new one."
        )


@dataclass(frozen=True)
class VisitDraft:
    """What the kiosk needs to draw (or resume) a visit: the patient's own data only."""

    visit_id: str
    status: VisitStatus
    lang: str
    page: str
    visit_date: dt.date
    answers: dict[str, Any]
    acknowledged: dict[tuple[str, str], dt.datetime]  # (statement id, role) -> latest time
    quiz_passed: bool
    signed_roles: tuple[str, ...]
    needs_staff: str
    patient_first_name: str
    patient_last_name: str
    phq9_done: bool
    initials: dict[tuple[str, str], str] = field(default_factory=dict)  # latest initials typed
    quiz_open: tuple[str, ...] = ()  # applicable quiz questions not yet answered right
    reacknowledge: tuple[str, ...] = ()  # statements to initial again after a wrong answer
    # A re-consent: the consent it renews (only new and changed statements are asked).
    reconsent: rc.SignedConsent | None = None
    kind: VisitKind = VisitKind.FIRST_VISIT
    course_month: int | None = None  # a check-in's month of the course
    # Minor changes since the patient last signed, shown to them (nothing asked).
    notice: rc.ChangeNotice | None = None

    @property
    def guardian(self) -> tuple[str, str, str] | None:
        """(first name, last name, relationship) once the guardian has given them."""
        first = self.answers.get(GUARDIAN_FIRST)
        last = self.answers.get(GUARDIAN_LAST)
        if not first or not last:
            return None
        return str(first), str(last), str(self.answers.get(GUARDIAN_RELATIONSHIP) or "")

    def facts(self, clinician_override: bool | None = None) -> dict[str, Any]:
        return rules.derive_facts(self.answers, self.visit_date, clinician_override)

    def reconsent_plan(self, forms: Any) -> rc.ReconsentPlan | None:
        """What this re-consent asks, carries over and drops; None for any other visit."""
        if self.reconsent is None:
            return None
        return rc.plan_for(self.reconsent, forms, self.facts())


@dataclass(frozen=True)
class QuizOutcome:
    correct: bool
    explanation_needed: bool
    retest_statements: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignOutcome:
    submitted: bool
    still_needed: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoardRow:
    visit_id: str
    patient_id: int
    record_number: str
    patient_name: str
    status: VisitStatus
    # A ``Stage`` on the board; a patient's list of visits gives the visit's status here.
    stage: str
    page: str
    needs_staff: str
    kiosk_station: str
    started_at: dt.datetime
    updated_at: dt.datetime
    # Drafts only: "" (the code works) | "expired" | "locked" (too many wrong codes for this
    # date of birth, until ``code_locked_until``) | "void" (staff issue a new code)
    code: str = ""
    code_locked_until: dt.datetime | None = None
    # What the patient has been waiting since: the visit's start while unfinished, the last
    # signature once submitted, the countersignature once done.
    waiting_since: dt.datetime | None = None
    # Where the patient is in the kiosk flow (from the visit's saved page); None when unknown.
    place: wizard.Place | None = None
    kiosk_released_at: dt.datetime | None = None  # the kiosk let go of the unfinished visit
    submitted_at: dt.datetime | None = None
    # The patient's current course is completed: the post-course pregnancy test's state ("" when
    # none is needed, "due", "overdue", "negative" or "positive"); None while the course runs.
    course_end: str | None = None
    post_course_test_due: dt.date | None = None
    # The visit's kind, a check-in's month of the course, and why the visit renews the consent
    # ("form_changed", "turned_18"; empty when it renews none).
    kind: str = VisitKind.FIRST_VISIT
    course_month: int | None = None
    reconsent_reasons: tuple[str, ...] = ()


def _reconsent_reasons(visit: Visit) -> tuple[str, ...]:
    return tuple((visit.reconsent or {}).get("reasons", ()))


@dataclass(frozen=True)
class QueuePage:
    """One page of the visits waiting for the dermatologist, and how many wait in all."""

    rows: tuple[BoardRow, ...]
    total: int
    offset: int


QUEUE_PAGE_MAX = 200
KIOSK_RELEASE_REASONS = ("idle", "closed", "cleared")


def _new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def _code_hash(visit_id: str, code: str) -> str:
    return hmac.new(visit_id.encode(), code.encode(), hashlib.sha256).hexdigest()


def encode_value(value: Any) -> dict[str, Any]:
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    return {"v": value}


def decode_value(stored: Mapping[str, Any]) -> Any:
    if "d" in stored:
        return dt.date.fromisoformat(stored["d"])
    return stored.get("v")


def canonical_hash(content: Mapping[str, Any]) -> str:
    def default(o: object) -> str:
        if isinstance(o, dt.date | dt.datetime):
            return o.isoformat()
        raise TypeError(type(o).__name__)

    blob = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


RECONSENT_PLAN_KEYS = ("basis", "reasons", "notice")


def reconsent_plan_sha256(stored: Mapping[str, Any] | None) -> str:
    """SHA-256 of what planning a visit's re-consent kept with it (its basis and reasons, or the
    notice of minor changes; nothing at all hashes too)."""
    stored = stored or {}
    return canonical_hash({k: stored[k] for k in RECONSENT_PLAN_KEYS if k in stored})


def reconsent_problem(s: Session, visit: Visit) -> str | None:
    """Why a visit's stored re-consent or notice is not the one its audit trail recorded when it
    was started, or None (visits started before the trail kept its digest are accepted)."""
    events = s.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.entity == "visit",
            AuditEvent.entity_id == visit.id,
            AuditEvent.action.in_(("reconsent", "reconsent_notice")),
        )
        .order_by(AuditEvent.seq.desc())
    ).all()
    if not events:
        # Only the start of a visit writes a re-consent (with its event); anything stored
        # without one (a plan, or what a re-consent carried over) was put there outside the app.
        if visit.reconsent:
            return "it holds a re-consent or notice of changes the audit trail never recorded"
        return None
    # A visit's plan is recorded once, when it is started: a second record was not written by
    # the program.
    if len(events) > 1:
        return (
            "the audit trail holds more than one record of its re-consent or notice of changes"
            f" (events {', '.join(str(e.seq) for e in events)})"
        )
    # The digest below is only as good as the event holding it: one the chain holds.
    if not audit.event_in_chain(s, events[0]):
        return (
            f"the audit event that recorded its re-consent or notice of changes (event"
            f" {events[0].seq}) is not one the audit trail holds as written"
        )
    digest = dict(events[0].detail or {}).get("plan_sha256")
    if digest is not None and digest != reconsent_plan_sha256(visit.reconsent):
        return (
            "its re-consent or notice of changes is not the one the audit trail recorded when it"
            " was started"
        )
    return None


def patient_binding(patient: Patient) -> str:
    """SHA-256 of the patient record a visit is signed for: id, record number, legal name and
    date of birth, which the documents print. Carried by the ``submit`` event, and by each later
    correction of the record (``correct`` events), so the record cannot be edited in place unseen
    between signing and countersigning, or afterwards."""
    return canonical_hash(
        {
            "patient": int(patient.id),
            "record_number": patient.record_number,
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
        }
    )


UNKNOWN_STATUS_MESSAGE = (
    "This visit's stored status is not one the program knows (it was changed outside the app),"
    " so it cannot be shown or changed. Please tell the clinic's administrator (`main.py audit"
    " verify` lists it)."
)


def known_status(value: str) -> VisitStatus | None:
    """The stored status as a ``VisitStatus``; None for a value the program does not know (a
    row changed in the database): lists leave such a visit out, ``audit verify`` names it."""
    try:
        return VisitStatus(value)
    except ValueError:
        return None


def stored_status(visit: Visit) -> VisitStatus:
    """The visit's status; a status the program does not know is refused, as a service error."""
    status = known_status(visit.status)
    if status is None:
        raise RecordMismatch(UNKNOWN_STATUS_MESSAGE, code="unknown_status")
    return status


def signature_digest(sig: Signature) -> str:
    """SHA-256 of everything a stored signature says: carried by its audit event, so a signature
    edited in place (its time, name, strokes or review ticks) no longer matches it."""
    return canonical_hash(
        {
            "visit": sig.visit_id,
            "role": sig.role,
            "printed_name": sig.printed_name,
            "relationship": sig.relationship or "",
            "meaning": sig.meaning,
            "signed_at": sig.signed_at.astimezone(dt.UTC),
            "strokes": [[[float(x), float(y)] for x, y in st] for st in sig.strokes],
            "pad": [float(sig.pad_width), float(sig.pad_height)],
            "record_sha256": sig.record_sha256,
            "method": sig.method or "drawn",
            "reviewed": list(sig.reviewed or []),
        }
    )


def countersign_binding(record_sha256: str, reviewed: Sequence[Mapping[str, Any]]) -> str:
    """What a countersignature is bound to: the signed record and the review ticks given with it."""
    return canonical_hash({"record": record_sha256, "reviewed": [dict(r) for r in reviewed]})


PLACE_CACHE_SIZE = 2000


class VisitService(Service):
    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        # Where a visit is in the flow only changes with its page, its answers or its pause,
        # each of which moves ``updated_at``: the board, refreshed every few seconds, works
        # out only the rows that changed.
        self._place_cache: dict[tuple[str, dt.datetime, str, str], wizard.Place | None] = {}

    # --- front desk ------------------------------------------------------------------------------

    def start_visit(
        self,
        actor: Actor,
        patient_id: int,
        lang: str | None = None,
        dermatologist_id: int | None = None,
        *,
        kind: VisitKind = VisitKind.FIRST_VISIT,
        abandon_open: str | None = None,
        abandon_reason: str = "",
    ) -> StartedVisit:
        """Open a draft visit for a patient and make the short code the patient types at a kiosk.

        ``kind``: a first visit (history, risks, consent) or a monthly check-in, which needs a
        course running (a signed first visit, not completed) and is numbered from it
        ("Month N check-in"); without one it is refused with Conflict ``no_course``.

        ``dermatologist_id``: the clinician responsible, named on the documents until one
        countersigns (None: they say it is to be countersigned by a clinic dermatologist).

        A patient has one unfinished visit at a time: with one open, this is refused with
        OpenVisitExists naming it, unless the caller chose to abandon that very visit
        (``abandon_open``, its id) with ``abandon_reason``; it is then abandoned in the same
        unit of work that starts the new one.
        """
        require_role(actor, "front_desk", "clinician", "admin")
        reason = self._abandon_reason(abandon_reason) if abandon_open else ""
        with self.write() as s:
            drafts = s.scalars(
                select(Visit)
                .where(Visit.patient_id == patient_id, Visit.status == VisitStatus.DRAFT)
                .order_by(Visit.started_at.desc())
            ).all()
            for visit in drafts:
                if visit.id != abandon_open:
                    raise OpenVisitExists(self._open_visit(visit))
            if dermatologist_id is not None:
                dermatologists.check(s, dermatologist_id)
            month = None
            if kind == VisitKind.CHECKIN:
                month = self._checkin_month(s, patient_id)
                if month is None:
                    raise Conflict(
                        "This patient has no course running: start a first visit instead.",
                        code="no_course",
                    )
            started = self._create_visit(s, actor, patient_id, lang, kind=kind, month=month)
            if dermatologist_id is not None:
                self._visit(s, started.visit_id).dermatologist_id = dermatologist_id
                DermatologistService(self.ctx).record(
                    s, actor, started.visit_id, None, dermatologist_id
                )
            for visit in drafts:
                self._abandon(s, actor, visit, reason, replaced_by=started.visit_id)
            return started

    def checkin_month(self, actor: Actor, patient_id: int) -> int | None:
        """The month N a check-in started now would be for; None when no course is running."""
        require_role(actor, "front_desk", "clinician", "admin")
        with self.read() as s:
            return self._checkin_month(s, patient_id)

    def _checkin_month(self, s: Session, patient_id: int) -> int | None:
        signed = [
            (VisitKind(kind), at)
            for kind, at in s.execute(
                select(Visit.kind, Visit.started_at).where(
                    Visit.patient_id == patient_id, Visit.status.in_(tuple(FINISHED))
                )
            )
        ]
        completed_at = s.scalars(
            select(func.max(CourseCompletion.at)).where(CourseCompletion.patient_id == patient_id)
        ).first()
        return course_rules.checkin_month(signed, completed_at)

    def open_visit(self, actor: Actor, patient_id: int) -> OpenVisit | None:
        """The patient's unfinished visit, if there is one (the most recently started)."""
        require_role(actor, "front_desk", "clinician", "admin")
        with self.read() as s:
            visit = s.scalars(
                select(Visit)
                .where(Visit.patient_id == patient_id, Visit.status == VisitStatus.DRAFT)
                .order_by(Visit.started_at.desc())
                .limit(1)
            ).first()
            return self._open_visit(visit) if visit is not None else None

    def _open_visit(self, visit: Visit) -> OpenVisit:
        return OpenVisit(
            visit.id,
            visit.visit_date,
            visit.started_at,
            visit.updated_at,
            visit.page,
            visit.kiosk_station,
            visit.needs_staff,
            resumable=visit.visit_date == self.ctx.today(),
        )

    def _create_visit(
        self,
        s: Session,
        actor: Actor,
        patient_id: int,
        lang: str | None,
        corrects: str | None = None,
        *,
        kind: VisitKind = VisitKind.FIRST_VISIT,
        month: int | None = None,
    ) -> StartedVisit:
        code = _new_code()
        now = self.ctx.now()
        p = s.get(Patient, patient_id)
        if p is None:
            raise NotFound("No such patient.", code="patient_not_found")
        vid = str(uuid.uuid4())
        s.add(
            Visit(
                id=vid,
                patient_id=p.id,
                status=VisitStatus.DRAFT,
                kind=kind,
                course_month=month,
                lang=lang or p.lang or "en",
                visit_date=self.ctx.today(),
                code_hash=_code_hash(vid, code),
                code_expires=now + dt.timedelta(hours=CODE_HOURS),
                page="welcome",
                form_versions={k: list(val) for k, val in self.ctx.forms.versions().items()},
                ruleset_id=self.ctx.forms.programme.in_force(self.ctx.today()).id,
                corrects_visit_id=corrects,
                statement_hashes=rc.statement_hashes(self.ctx.forms.risks),
                started_at=now,
                updated_at=now,
                actor=actor.id,
                station=self.ctx.station,
            )
        )
        s.flush()
        # The risk statements this visit is shown, kept as they are, so that its record is drawn
        # as signed whatever version is loaded later.
        form_snapshots.keep_risks(
            s, self.ctx.forms, actor=actor.id, station=self.ctx.station, at=now
        )
        # The identity page starts from the registered details, for the patient to confirm or correct.
        details = {
            key: getattr(p, key)
            for key in (
                "first_name",
                "last_name",
                "preferred_name",
                "date_of_birth",
                "sex_at_birth",
                "phone",
                "email",
            )
        }
        self._store_answers(s, actor, vid, {k: v for k, v in details.items() if v})
        if kind == VisitKind.CHECKIN:
            # Who can become pregnant was answered at the first visit: the check-in's
            # pregnancy page starts from those answers, for the patient to confirm.
            self._store_answers(s, actor, vid, self._carried_answers(s, p.id))
        detail: dict[str, Any] = {"patient_id": p.id}
        if kind != VisitKind.FIRST_VISIT:
            detail |= {"kind": str(kind), "course_month": month}
        self.audit(s, actor, "create", "visit", vid, detail)
        # A re-consent is asked at the next visit, a first visit or a monthly check-in alike
        # (a correction renews what it corrects, nothing more).
        reasons = self._plan_reconsent(s, actor, self._visit(s, vid), p) if corrects is None else ()
        self._clear_code_failures(s, actor, vid, p.date_of_birth)
        return StartedVisit(vid, code, reasons, kind, month)

    def _carried_answers(self, s: Session, patient_id: int) -> dict[str, Any]:
        first = s.scalars(
            select(Visit)
            .where(
                Visit.patient_id == patient_id,
                Visit.status.in_(tuple(FINISHED)),
                Visit.kind == VisitKind.FIRST_VISIT,
            )
            .order_by(Visit.submitted_at.desc())
            .limit(1)
        ).first()
        if first is None:
            return {}
        answers = self._visit_answers(s, first)
        return {k: answers[k] for k in CARRIED_TO_CHECKIN if answers.get(k) not in (None, "")}

    def hand_over(self, actor: Actor, visit_id: str) -> Actor:
        """Staff hands this station to the patient for one visit: a kiosk session for that visit only."""
        require_role(actor, "front_desk", "clinician", "admin")
        with self.write() as s:
            visit = self._visit(s, visit_id)
            if visit.status != VisitStatus.DRAFT:
                raise Immutable("This visit is already submitted.", code="visit_submitted")
            visit.kiosk_station = self.ctx.station
            visit.kiosk_released_at = None
            visit.updated_at = self.ctx.now()
            self.audit(s, actor, "hand_over", "visit", visit_id)
        return Actor(f"kiosk:{visit_id}", "kiosk", "patient", visit_id)

    def open_by_code(self, date_of_birth: dt.date, code: str) -> Actor:
        """The patient starts a visit with date of birth and the code from the front desk.

        Wrong codes are counted per date of birth (see ``visit_codes``): after a few, opening
        by code waits, the right code too (``CodeLocked``); after more, the codes are void.
        """
        # Digits as the patient's keyboard gives them (Arabic-Indic, full-width...) are the
        # same digits: the code is compared in ASCII, or a right code would count as a guess.
        code = "".join(str(unicodedata.decimal(ch)) for ch in code if ch.isdecimal())
        now = self.ctx.now()
        nobody = Actor("kiosk:-", "kiosk", "patient")
        refusal: CodeLocked | None = None
        with self.write() as s:
            key = visit_codes.dob_key(s, date_of_birth)
            before = visit_codes.guard(s, key, self.ctx.station, now)
            if before.locked(now):
                # Not even compared: a lock-out must not tell a right code from a wrong one.
                seconds = before.seconds_left(now)
                self.audit(
                    s,
                    nobody,
                    "open_refused",
                    "visit",
                    "-",
                    {"reason": "locked", "seconds": seconds},
                )
                refusal = CodeLocked(seconds, void=before.void)
            else:
                candidates = s.scalars(
                    select(Visit)
                    .join(Patient)
                    .where(
                        Patient.date_of_birth == date_of_birth,
                        Visit.status == VisitStatus.DRAFT,
                        Visit.code_hash != "",
                    )
                ).all()
                for visit in candidates:
                    expired = visit.code_expires is not None and visit.code_expires < now
                    if not expired and hmac.compare_digest(
                        visit.code_hash, _code_hash(visit.id, code)
                    ):
                        visit.kiosk_station = self.ctx.station
                        visit.kiosk_released_at = None
                        visit.updated_at = now
                        self.audit(
                            s,
                            Actor(f"kiosk:{visit.id}", "kiosk", "patient", visit.id),
                            "open",
                            "visit",
                            visit.id,
                            {"by": "code"},
                        )
                        return Actor(f"kiosk:{visit.id}", "kiosk", "patient", visit.id)
                refusal = self._code_failed(s, key, candidates, now)
        # Raised after the unit of work, so the failure and its audit events are kept.
        if refusal is not None:
            raise refusal
        raise NotFound(
            "We could not find a visit with that date of birth and code. Please check them, or ask at the front desk.",
            code="visit_code_not_found",
        )

    def _code_failed(
        self, s: Session, key: str, candidates: Sequence[Visit], now: dt.datetime
    ) -> CodeLocked | None:
        """Count a wrong code; lock or void as the count says. No code and no date in the audit."""
        nobody = Actor("kiosk:-", "kiosk", "patient")
        after = visit_codes.record_failure(s, key, self.ctx.station, now)
        counts = {"failures": after.failures, "at_station": after.at_station}
        self.audit(s, nobody, "open_failed", "visit", "-", {"reason": "no match", **counts})
        if after.void:
            for visit in candidates:
                visit.code_hash = ""
                visit.updated_at = now
                self.audit(s, nobody, "code_void", "visit", visit.id, counts)
        if not after.locked(now):
            return None
        seconds = after.seconds_left(now)
        self.audit(s, nobody, "code_locked", "visit", "-", {**counts, "seconds": seconds})
        return CodeLocked(seconds, void=after.void)

    def new_code(self, actor: Actor, visit_id: str) -> StartedVisit:
        """Staff give the patient of an unfinished visit a new code; the old one stops working.

        Staff see the patient, so the date of birth's count of wrong codes starts again.
        """
        require_role(actor, "front_desk", "clinician", "admin")
        with self.write() as s:
            visit = self._visit(s, visit_id)
            if visit.status != VisitStatus.DRAFT:
                raise Immutable("This visit is already submitted.", code="visit_submitted")
            code = _new_code()
            now = self.ctx.now()
            visit.code_hash = _code_hash(visit.id, code)
            visit.code_expires = now + dt.timedelta(hours=CODE_HOURS)
            visit.updated_at = now
            self.audit(s, actor, "new_code", "visit", visit_id)
            patient = s.get(Patient, visit.patient_id)
            if patient is not None:
                self._clear_code_failures(s, actor, visit_id, patient.date_of_birth)
            return StartedVisit(visit_id, code)

    def _clear_code_failures(
        self, s: Session, actor: Actor, visit_id: str, date_of_birth: dt.date
    ) -> None:
        key = visit_codes.dob_key(s, date_of_birth)
        cleared = visit_codes.clear(s, key, self.ctx.now())
        if cleared:
            self.audit(s, actor, "code_unlocked", "visit", visit_id, {"failures": cleared})

    # --- the kiosk -------------------------------------------------------------------------------

    def draft(self, actor: Actor, visit_id: str) -> VisitDraft:
        require_visit(actor, visit_id)
        with self.read() as s:
            visit = self._visit(s, visit_id)
            return self._draft(s, visit)

    def save_page(
        self, actor: Actor, visit_id: str, page_id: str, raw: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Validate and save one intake page; InvalidInput lists each bad answer, nothing is saved then."""
        require_visit(actor, visit_id)
        with self.write() as s:
            visit = self._editable(s, visit_id)
            pages = self._forms(visit).intake.pages
            page = next((p for p in pages if p.id == page_id), None)
            if page is None:
                raise NotFound(f"No intake page '{page_id}'.", code="page_not_found")
            known = self._visit_answers(s, visit)
            values, errors = validate_page(page, raw, known, visit.visit_date)
            if errors:
                raise InvalidInput(errors)
            page_ids = {q.id for q in page.questions}
            if page_ids & set(identity.IDENTITY_FIELDS + identity.CONTACT_FIELDS):
                values = self._apply_identity(s, actor, visit, values)
            self._store_answers(s, actor, visit_id, values, clear=page_ids - set(values))
            visit.page = page_id
            visit.updated_at = self.ctx.now()
            self.audit(s, actor, "save", "visit", visit_id, {"page": page_id})
            return values

    def dispute_date_of_birth(self, actor: Actor, visit_id: str) -> None:
        """The patient says the date of birth on their record is not theirs: the visit waits for
        staff, who correct the record (or confirm it) at the front desk."""
        require_visit(actor, visit_id)
        with self.write() as s:
            visit = self._editable(s, visit_id)
            self._store_answers(s, actor, visit_id, {identity.DOB_DISPUTED: True})
            self._pause_for_identity(s, actor, visit, ["date_of_birth"])

    def staff_reason(self, actor: Actor, visit_id: str) -> str:
        """Why the visit waits for staff ("" when it does not): "item9", "identity"..."""
        require_visit(actor, visit_id)
        with self.read() as s:
            visit = self._visit(s, visit_id)
            if not visit.needs_staff and identity.pending(self._answers(s, visit_id)):
                return identity.REASON
            return visit.needs_staff

    def set_page(self, actor: Actor, visit_id: str, page: str) -> None:
        """Record where the patient is (for resume and the status board)."""
        require_visit(actor, visit_id)
        with self.write() as s:
            visit = self._visit(s, visit_id)
            if visit.status != VisitStatus.DRAFT:
                return
            visit.page = page[:40]
            visit.updated_at = self.ctx.now()

    def release_kiosk(self, actor: Actor, visit_id: str, reason: str) -> bool:
        """The kiosk let go of the visit (``reason``: "idle" wipe, "closed", screen "cleared").

        An unfinished visit then shows as "left the kiosk" on the board until the patient opens
        it again with a code or staff hand a station over. True when that was recorded; a
        submitted visit (the kiosk's normal end) changes nothing.
        """
        require_visit(actor, visit_id)
        if reason not in KIOSK_RELEASE_REASONS:
            raise InvalidInput(
                {"reason": Coded("Unknown reason for leaving the kiosk.", "release_reason")}
            )
        with self.write() as s:
            visit = self._visit(s, visit_id)
            if visit.status != VisitStatus.DRAFT or visit.kiosk_released_at is not None:
                return False
            now = self.ctx.now()
            visit.kiosk_released_at = now
            visit.updated_at = now
            self.audit(s, actor, "release_kiosk", "visit", visit_id, {"reason": reason})
            return True

    def set_language(self, actor: Actor, visit_id: str, lang: str) -> None:
        require_visit(actor, visit_id)
        if lang not in i18n.codes(pseudo=True):
            raise InvalidInput({"lang": Coded("Please choose English or Español.", "language")})
        with self.write() as s:
            visit = self._editable(s, visit_id)
            visit.lang = lang
            visit.updated_at = self.ctx.now()

    def save_phq9(
        self, actor: Actor, visit_id: str, answers: Sequence[int | None], difficulty: str = ""
    ) -> bool:
        """Save the mood screen. Returns True when staff must come now (item 9); never the score."""
        require_visit(actor, visit_id)
        try:
            result = phq9_scoring.score(answers, difficulty)
        except ValidationError as exc:
            raise InvalidInput({exc.field: exc.message}) from None
        with self.write(durable=True) as s:
            visit = self._editable(s, visit_id)
            values: dict[str, Any] = dict(zip(PHQ9_IDS, result.answers, strict=True))
            values[phq9_scoring.DIFFICULTY_ID] = difficulty
            self._store_answers(s, actor, visit_id, values)
            # Once thoughts of self-harm were reported in this visit, the alert stays on the
            # record even if the answer is changed afterwards.
            reported_before = bool(
                visit.phq9 and (visit.phq9.get("item9") or visit.phq9.get("item9_reported"))
            )
            visit.phq9 = {
                "answers": list(result.answers),
                "total": result.total,
                "band": result.band,
                "item9": result.item9_positive or reported_before,
                "item9_reported": result.item9_positive or reported_before,
                "difficulty": difficulty,
            }
            visit.page = "phq9"
            visit.updated_at = self.ctx.now()
            if result.item9_positive:
                visit.needs_staff = "item9"
                # The event says an alert was raised, never the answers or the score.
                self.audit(s, actor, "alert", "visit", visit_id, {"reason": "mood_item9"})
            self.audit(s, actor, "save", "visit", visit_id, {"page": "phq9"})
            return result.item9_positive

    def staff_continue(self, staff: Actor, visit_id: str, note: str = "") -> None:
        """A staff member has attended the patient: the paused visit may continue.

        A positive mood screen is released only by the role the clinic profile names, with a
        short note (``AlertService.release``); other pauses keep their own handling.
        """
        require_role(staff, "front_desk", "clinician", "admin")
        with self.read() as s:
            mood = self._visit(s, visit_id).needs_staff == alerts.MOOD_REASON
        if mood:
            alerts.AlertService(self.ctx).release(staff, visit_id, note)
            return
        with self.write() as s:
            visit = self._visit(s, visit_id)
            reason = visit.needs_staff
            if reason == alerts.MOOD_REASON:  # raised at the kiosk a moment ago
                raise InvalidInput({"note": alerts.RELEASE_NEEDED})
            if visit.status == VisitStatus.DRAFT and identity.pending(self._answers(s, visit_id)):
                # Only the front desk's decision on the record (accept or keep) ends this pause.
                raise InvalidInput({"identity": IDENTITY_PENDING_MESSAGE})
            visit.needs_staff = ""
            visit.updated_at = self.ctx.now()
            self.audit(s, staff, "attend", "visit", visit_id, {"reason": reason or "resume"})

    def save_guardian(
        self, actor: Actor, visit_id: str, first_name: str, last_name: str, relationship: str
    ) -> tuple[str, str, str]:
        """A minor's parent or guardian names themselves before initialling; kept with the draft."""
        require_visit(actor, visit_id)
        errors: dict[str, str] = {}
        clean: dict[str, str] = {}
        for key, raw in ((GUARDIAN_FIRST, first_name), (GUARDIAN_LAST, last_name)):
            try:
                clean[key] = check_name(raw, key)
            except ValidationError as exc:
                errors[key] = exc.message
        try:
            clean[GUARDIAN_RELATIONSHIP] = check_relationship(relationship, GUARDIAN_RELATIONSHIP)
        except ValidationError as exc:
            errors[GUARDIAN_RELATIONSHIP] = exc.message
        if errors:
            raise InvalidInput(errors)
        with self.write() as s:
            visit = self._editable(s, visit_id)
            self._store_answers(s, actor, visit_id, clean)
            visit.updated_at = self.ctx.now()
            self.audit(s, actor, "save", "visit", visit_id, {"page": "guardian"})
        return clean[GUARDIAN_FIRST], clean[GUARDIAN_LAST], clean[GUARDIAN_RELATIONSHIP]

    def acknowledge(
        self,
        actor: Actor,
        visit_id: str,
        statement_id: str,
        by: str,
        initials_typed: str,
        page_seconds: float = 0.0,
        guardian_name: tuple[str, str] | None = None,
        read_aloud: bool = False,
    ) -> str:
        """Record one acknowledgement durably. Initials must match the patient's (or guardian's) name.

        ``read_aloud``: the statement was read aloud to the person at the kiosk."""
        require_visit(actor, visit_id)
        if by not in ("patient", "guardian"):
            raise InvalidInput({"by": Coded("Unknown signer.", "signer")})
        try:
            self.ctx.forms.risks.statement(statement_id)
        except KeyError:
            raise NotFound("Unknown statement.", code="statement_not_found") from None
        with self.write(durable=True) as s:
            visit = self._editable(s, visit_id)
            answers = self._visit_answers(s, visit)
            if by == "patient":
                first, last = answers.get("first_name", ""), answers.get("last_name", "")
            else:
                if (
                    guardian_name is None
                    and answers.get(GUARDIAN_FIRST)
                    and answers.get(GUARDIAN_LAST)
                ):
                    guardian_name = (str(answers[GUARDIAN_FIRST]), str(answers[GUARDIAN_LAST]))
                if guardian_name is None:
                    raise InvalidInput(
                        {
                            "guardian": Coded(
                                "Please enter the parent or guardian's name first.",
                                "guardian_first",
                            )
                        }
                    )
                first, last = guardian_name
            try:
                clean = check_initials(initials_typed, first, last, field="initials")
            except ValidationError as exc:
                raise InvalidInput({"initials": exc.message}) from None
            ack = Acknowledgement(
                visit_id=visit_id,
                statement_id=statement_id,
                by_role=by,
                initials=clean,
                at=self.ctx.now(),
                page_seconds=max(0.0, float(page_seconds)),
                actor=actor.id,
                station=self.ctx.station,
                read_aloud=bool(read_aloud),
            )
            s.add(ack)
            s.flush()
            visit.quiz_passed = self._quiz_passed(s, visit)  # a re-acknowledgement can complete it
            visit.updated_at = self.ctx.now()
            # The event binds the whole row (initials, time, read aloud): see ack_trail.
            self.audit(s, actor, ack_trail.ACTION, "visit", visit_id, ack_trail.event_detail(ack))
            return clean

    def answer_quiz(
        self, actor: Actor, visit_id: str, question_id: str, chosen: str
    ) -> QuizOutcome:
        require_visit(actor, visit_id)
        question = next((q for q in self.ctx.forms.quiz.questions if q.id == question_id), None)
        if question is None:
            raise NotFound("Unknown question.", code="question_not_found")
        if chosen not in {c.id for c in question.choices}:
            raise InvalidInput(
                {question_id: Coded("Please choose one of the answers.", "choose_one")}
            )
        correct = chosen == question.answer
        with self.write(durable=True) as s:
            visit = self._editable(s, visit_id)
            attempt = 1 + (
                s.scalar(
                    select(func.count())
                    .select_from(QuizAnswer)
                    .where(QuizAnswer.visit_id == visit_id, QuizAnswer.question_id == question_id)
                )
                or 0
            )
            s.add(
                QuizAnswer(
                    visit_id=visit_id,
                    attempt=attempt,
                    question_id=question_id,
                    chosen=chosen,
                    correct=correct,
                    at=self.ctx.now(),
                    actor=actor.id,
                    station=self.ctx.station,
                )
            )
            s.flush()
            visit.quiz_passed = self._quiz_passed(s, visit)
            visit.updated_at = self.ctx.now()
            self.audit(
                s, actor, "quiz", "visit", visit_id, {"question": question_id, "correct": correct}
            )
        return QuizOutcome(correct, not correct, () if correct else question.tests)

    def completeness(self, actor: Actor, visit_id: str) -> Completeness:
        require_visit(actor, visit_id)
        with self.read() as s:
            return self._completeness(s, self._visit(s, visit_id))

    def sign(
        self,
        actor: Actor,
        visit_id: str,
        role: str,
        printed_name: str,
        strokes: Sequence[Sequence[tuple[float, float]]],
        pad_width: float,
        pad_height: float,
        relationship: str = "",
        method: str = "drawn",
    ) -> SignOutcome:
        """Record a signature; the last one needed submits the visit in the same transaction.

        ``method`` says how it was given: "drawn" on the pad, or "typed" (the name's outline,
        for a person who signs from the keyboard); the record and the consent say which.
        """
        require_visit(actor, visit_id)
        if role not in ("patient", "guardian"):
            raise NotAllowed(
                "Only the patient or a guardian signs at the kiosk.", code="kiosk_signers"
            )
        if method not in SIGNATURE_METHODS:
            raise InvalidInput({"signature": Coded("Unknown way of signing.", "signature_method")})
        if role == SignerRole.GUARDIAN and not relationship.strip():
            stored = self.draft(actor, visit_id).guardian
            relationship = stored[2] if stored else ""
        errors: dict[str, str] = {}
        try:
            printed = check_name(printed_name, "printed_name")
        except ValidationError as exc:
            errors["printed_name"] = exc.message
            printed = ""
        problem = signature_problem(strokes, pad_width, pad_height)
        if problem:
            errors["signature"] = problem
        if role == SignerRole.GUARDIAN:
            try:
                check_relationship(relationship)
            except ValidationError as exc:
                errors["relationship"] = exc.message
        if errors:
            raise InvalidInput(errors)
        self._require_acknowledgements_intact(actor, visit_id)
        with self.write(durable=True) as s:
            visit = self._visit(s, visit_id)
            if visit.status != VisitStatus.DRAFT:
                raise Immutable(
                    "This visit is already submitted and cannot be changed.", code="visit_submitted"
                )
            done = self._completeness(s, visit, ignore_signatures=True)
            if not done.complete:
                raise InvalidInput(
                    {
                        "visit": Coded(
                            "Some steps are not finished yet: " + ", ".join(map(str, done.missing)),
                            "steps_missing",
                        )
                    }
                )
            # A signature carries its signer's own printed name (21 CFR 11.50): the patient's as
            # on the record, the guardian's as they gave it before initialling.
            answers = self._visit_answers(s, visit)
            if role == SignerRole.PATIENT:
                first, last = str(answers.get("first_name", "")), str(answers.get("last_name", ""))
                wrong = Coded(
                    f"Please write your name as on your record: {first} {last}.",
                    "printed_name_patient",
                    name=f"{first} {last}",
                )
                if SignerRole.GUARDIAN in self._signatures_needed(s, visit) and not (
                    answers.get(GUARDIAN_FIRST) and answers.get(GUARDIAN_LAST)
                ):
                    # Named after the first signature, the guardian could not be any more.
                    raise InvalidInput(
                        {
                            "guardian": Coded(
                                "Please enter the parent or guardian's name first.",
                                "guardian_name_first",
                            )
                        }
                    )
            else:
                first = str(answers.get(GUARDIAN_FIRST, ""))
                last = str(answers.get(GUARDIAN_LAST, ""))
                if not first or not last:
                    raise InvalidInput(
                        {
                            "guardian": Coded(
                                "Please enter the parent or guardian's name first.",
                                "guardian_first",
                            )
                        }
                    )
                wrong = Coded(
                    f"Please write the name the parent or guardian gave: {first} {last}.",
                    "printed_name_guardian",
                    name=f"{first} {last}",
                )
            if not identity.signs_as(printed, first, last):
                raise InvalidInput({"printed_name": wrong})
            if s.scalar(
                select(Signature).where(Signature.visit_id == visit_id, Signature.role == role)
            ):
                raise Immutable("This signature has already been given.", code="signature_given")
            # What is signed names the patient as the record does; kept with the answers at the
            # first signature, so the signed visit and its documents keep that identity whatever
            # happens later. A record corrected between two signatures would put a second
            # signature on details the first signer never saw: refused.
            patient = s.get(Patient, visit.patient_id)
            assert patient is not None
            signed_identity = record_identity(patient)
            first_signature = not self._signed(s, visit_id)
            self._require_reconsent_intact(s, visit, first_signature=first_signature)
            if not first_signature:
                held = self._answers(s, visit_id)
                if any(held.get(k) != v for k, v in signed_identity.items()):
                    raise Immutable(IDENTITY_CHANGED_MESSAGE, code="identity_changed")
            else:
                self._store_answers(s, actor, visit_id, signed_identity)
                s.flush()
                self._record_reconsent(s, visit)
            s.flush()
            content_hash = canonical_hash(self._content(s, visit))
            now = self.ctx.now()
            signature = Signature(
                visit_id=visit_id,
                role=role,
                printed_name=printed,
                relationship=relationship.strip()[:60],
                # A check-in is signed as a monthly attestation (a minor's guardian's beside
                # the patient's); one carrying a re-consent as a consent, which it renews.
                meaning=(
                    CHECKIN_MEANINGS[role]
                    if visit.kind == VisitKind.CHECKIN and self._basis(visit) is None
                    else SIGNATURE_MEANINGS[role]
                ),
                signed_at=now,
                strokes=[[list(map(float, pt)) for pt in st] for st in strokes],
                pad_width=float(pad_width),
                pad_height=float(pad_height),
                record_sha256=content_hash,
                method=method,
                actor=actor.id,
                station=self.ctx.station,
            )
            s.add(signature)
            s.flush()
            self.audit(
                s,
                actor,
                "sign",
                "visit",
                visit_id,
                {"role": role, "method": method, "signature_sha256": signature_digest(signature)},
            )
            needed = self._signatures_needed(s, visit)
            if needed:
                visit.updated_at = now
                return SignOutcome(False, needed)
            visit.quiz_passed = self._quiz_passed(s, visit)
            signed_under = (visit.form_versions.get("risks") or ["", ""])[1]
            if signed_under == self.ctx.forms.risks.meta.sha256:
                # A visit started before form contents were kept: kept now, as signed.
                form_snapshots.keep_risks(
                    s, self.ctx.forms, actor=actor.id, station=self.ctx.station, at=now
                )
            visit.status = VisitStatus.SUBMITTED
            visit.submitted_at = now
            visit.record_sha256 = content_hash
            visit.code_hash = ""
            visit.page = "done"
            visit.updated_at = now
            patient = s.get(Patient, visit.patient_id)
            self.audit(
                s,
                actor,
                "submit",
                "visit",
                visit_id,
                {
                    "record_sha256": content_hash,
                    "patient_sha256": patient_binding(patient) if patient is not None else "",
                },
            )
            return SignOutcome(True)

    def _require_acknowledgements_intact(self, actor: Actor, visit_id: str) -> None:
        """Refuse to sign acknowledgements that are not what their own audit events recorded
        (say, one marked "read aloud" in the database): the signed record would say so.

        The refusal is audited in a unit of work of its own (``integrity``), so it stays
        recorded although nothing else is saved. A change made after this check is caught
        later all the same: the signed record's rows still differ from their events."""
        with self.read() as s:
            problem = ack_trail.visit_problem(s, visit_id)
        if problem is None:
            return
        with self.write() as s:
            self.audit(
                s, actor, "integrity", "visit", visit_id, {"problem": "acknowledgements mismatch"}
            )
        raise RecordMismatch(
            ack_trail.ACKNOWLEDGEMENTS_MISMATCH_MESSAGE, code="acknowledgements_mismatch"
        )

    def start_correction(self, actor: Actor, visit_id: str) -> StartedVisit:
        """A submitted consent is never edited: a correction is a new visit pointing to it.

        The new draft starts from the earlier answers; the patient re-acknowledges and signs
        again. One unit of work: there is never an unlinked half-made correction.
        """
        require_role(actor, "front_desk", "clinician", "admin")
        with self.write() as s:
            old = self._visit(s, visit_id)
            if old.status not in ("submitted", "countersigned"):
                raise InvalidInput(
                    {
                        "visit": Coded(
                            "Only a signed visit can be corrected; an unfinished one can simply be continued.",
                            "correct_unsigned",
                        )
                    }
                )
            # One unfinished visit per patient, corrections included: carry on with the open
            # one, or abandon it first (start_visit's rule).
            open_draft = s.scalars(
                select(Visit)
                .where(Visit.patient_id == old.patient_id, Visit.status == VisitStatus.DRAFT)
                .order_by(Visit.started_at.desc())
                .limit(1)
            ).first()
            if open_draft is not None:
                raise OpenVisitExists(self._open_visit(open_draft))
            answers = {
                k: v for k, v in self._answers(s, visit_id).items() if not k.startswith("phq9")
            }
            started = self._create_visit(
                s,
                actor,
                old.patient_id,
                old.lang,
                corrects=visit_id,
                kind=VisitKind(old.kind),
                month=old.course_month,
            )
            self._store_answers(s, actor, started.visit_id, answers)
            self.audit(s, actor, "correct", "visit", started.visit_id, {"corrects": visit_id})
            return started

    def abandon(self, actor: Actor, visit_id: str, reason: str) -> None:
        """Abandon an unfinished visit, saying why: the code stops working, what was saved is
        kept, and the reason is kept on the visit (its SHA-256 in the audit event)."""
        require_role(actor, "front_desk", "clinician", "admin")
        why = self._abandon_reason(reason)
        with self.write() as s:
            visit = self._visit(s, visit_id)
            if visit.status != VisitStatus.DRAFT:
                raise Immutable(
                    "Only an unfinished visit can be abandoned.", code="abandon_finished"
                )
            self._abandon(s, actor, visit, why)

    @staticmethod
    def _abandon_reason(reason: str) -> str:
        text = " ".join((reason or "").split())
        if len(text) < 3:
            raise InvalidInput(
                {"reason": Coded("Please say why the visit is abandoned.", "abandon_reason")}
            )
        if len(text) > ABANDON_REASON_MAX:
            raise InvalidInput(
                {
                    "reason": Coded(
                        "Please shorten the reason to 200 characters or fewer.",
                        "abandon_reason_long",
                        most=ABANDON_REASON_MAX,
                    )
                }
            )
        return text

    def _abandon(
        self, s: Session, actor: Actor, visit: Visit, reason: str, replaced_by: str = ""
    ) -> None:
        visit.status = VisitStatus.ABANDONED
        visit.code_hash = ""
        visit.abandon_reason = reason
        visit.updated_at = self.ctx.now()
        # Staff write the reason; the audit trail carries its hash, never free text.
        details: dict[str, Any] = {
            "reason_sha256": hashlib.sha256(reason.encode("utf-8")).hexdigest()
        }
        if replaced_by:
            details["replaced_by"] = replaced_by
        self.audit(s, actor, "abandon", "visit", visit.id, details)

    # --- staff views -----------------------------------------------------------------------------

    def board(
        self, actor: Actor, since: dt.datetime | None = None, limit: int = 500
    ) -> list[BoardRow]:
        """The board: today's visits (or those since ``since``), newest activity first, and every
        visit paused for staff however old (a mood screen or an identity check never drops off).

        Signed visits from earlier days waiting for the dermatologist are in the review queue, not
        on the day's board; :meth:`earlier_for_review` counts them for the board to say so.
        Reads the ``updated_at`` and ``status`` indexes: the cost follows the day's visits, not
        the table's size. ``limit`` caps only the day's rows, never the paused ones.
        """
        require_role(actor, "front_desk", "clinician", "admin")
        start = since or self._board_start()
        with self.read() as s:
            # The paused visits' ids first, from visits alone: joined to patients in one
            # statement, SQLite's planner (with statistics: a few statuses over a million
            # visits) walked every patient instead (~280 ms at 1M visits, against ~1 ms).
            paused = s.scalars(
                select(Visit.id).where(
                    Visit.status.in_(("draft", "submitted")), Visit.needs_staff != ""
                )
            ).all()
            waiting = (
                s.execute(select(Visit, Patient).join(Patient).where(Visit.id.in_(paused))).all()
                if paused
                else []
            )
            recent = s.execute(
                select(Visit, Patient)
                .join(Patient)
                .where(Visit.updated_at >= start)
                .order_by(Visit.updated_at.desc())
                .limit(limit)
            ).all()
            seen: set[str] = set()
            rows = []
            for row in sorted(
                [*waiting, *recent], key=lambda r: (r[0].updated_at, r[0].id), reverse=True
            ):
                if row[0].id not in seen:
                    seen.add(row[0].id)
                    rows.append(row)
            return self._board_rows(s, rows)

    def _board_start(self) -> dt.datetime:
        return self.ctx.now() - dt.timedelta(hours=24)

    def earlier_for_review(self, actor: Actor, since: dt.datetime | None = None) -> int:
        """Signed visits waiting for the dermatologist that are older than the day's board."""
        require_role(actor, "front_desk", "clinician", "admin")
        start = since or self._board_start()
        with self.read() as s:
            return (
                s.scalar(
                    select(func.count())
                    .select_from(Visit)
                    .where(Visit.status == VisitStatus.SUBMITTED, Visit.updated_at < start)
                )
                or 0
            )

    def review_queue(self, actor: Actor, offset: int = 0, limit: int = 50) -> QueuePage:
        """Signed visits waiting for the dermatologist, longest waiting first, one page at a time.

        Every submitted visit is in it, however old; ``total`` counts them all.
        """
        require_role(actor, "clinician", "admin")
        errors: dict[str, str] = {}
        if not isinstance(offset, int) or offset < 0:
            errors["offset"] = Coded("The page must start at 0 or later.", "page_start")
        if not isinstance(limit, int) or not 1 <= limit <= QUEUE_PAGE_MAX:
            errors["limit"] = Coded(
                f"A page holds 1 to {QUEUE_PAGE_MAX} visits.", "page_size", most=QUEUE_PAGE_MAX
            )
        if errors:
            raise InvalidInput(errors)
        waiting = Visit.status == VisitStatus.SUBMITTED
        with self.read() as s:
            total = s.scalar(select(func.count()).select_from(Visit).where(waiting)) or 0
            rows = s.execute(
                select(Visit, Patient)
                .join(Patient)
                .where(waiting)
                .order_by(Visit.submitted_at, Visit.id)
                .offset(offset)
                .limit(limit)
            ).all()
            return QueuePage(tuple(self._board_rows(s, rows)), total, offset)

    def _board_rows(self, s: Session, rows: Sequence[Any]) -> list[BoardRow]:
        now = self.ctx.now()
        rows = _known(rows)
        drafts = [visit for visit, _ in rows if visit.status == VisitStatus.DRAFT]
        locks = (
            {
                key: g
                for key, g in visit_codes.guards(s, self.ctx.station, now).items()
                if g.locked(now)
            }
            if drafts
            else {}
        )
        places = self._places(s, [(v, p) for v, p in rows if v.status == VisitStatus.DRAFT])
        from intake.services.clinician import course_ends

        ends = course_ends(s, [p.id for _, p in rows], self.ctx.today())
        out = []
        for visit, p in rows:
            code, locked_until = "", None
            if visit.status == VisitStatus.DRAFT:
                key = visit_codes.dob_key(s, p.date_of_birth) if locks else ""
                if not visit.code_hash:
                    code = "void"
                elif key in locks:
                    code, locked_until = "locked", locks[key].locked_until
                elif visit.code_expires is not None and visit.code_expires < now:
                    code = "expired"
            since: dt.datetime | None = visit.started_at
            if visit.status == VisitStatus.DRAFT:
                if visit.needs_staff:
                    stage = Stage.NEEDS_STAFF
                elif visit.kiosk_released_at is not None:
                    stage = Stage.LEFT_KIOSK
                else:
                    stage = Stage.AT_KIOSK if visit.kiosk_station else Stage.WAITING
            elif visit.status == VisitStatus.SUBMITTED:
                stage = Stage.NEEDS_STAFF if visit.needs_staff else Stage.FOR_DERMATOLOGIST
                since = visit.submitted_at or visit.updated_at
            else:
                stage = Stage.DONE if visit.status == VisitStatus.COUNTERSIGNED else Stage.ABANDONED
                since = visit.countersigned_at or visit.updated_at
            out.append(
                BoardRow(
                    visit.id,
                    p.id,
                    p.record_number,
                    f"{p.first_name} {p.last_name}",
                    stored_status(visit),
                    stage,
                    visit.page,
                    visit.needs_staff,
                    visit.kiosk_station,
                    visit.started_at,
                    visit.updated_at,
                    code,
                    locked_until,
                    since,
                    places.get(visit.id),
                    visit.kiosk_released_at,
                    visit.submitted_at,
                    ends[p.id].post_course_test if p.id in ends else None,
                    ends[p.id].test_due if p.id in ends else None,
                    visit.kind,
                    visit.course_month,
                    _reconsent_reasons(visit),
                )
            )
        return out

    def _places(self, s: Session, rows: Sequence[tuple[Visit, Patient]]) -> dict[str, wizard.Place]:
        """Where each unfinished visit is in the kiosk flow, from its saved page and answers.

        One query for the answers of all of them (the topics and questions that apply, hence
        "topic 3 of 10", depend on the answers).
        """
        cache = self._place_cache
        out: dict[str, wizard.Place] = {}
        started = []
        for v, p in rows:
            if v.page in ("", wizard.WELCOME):
                continue
            key = (v.id, v.updated_at, v.page, v.needs_staff)
            if key not in cache:
                started.append((v, p))
            elif (cached := cache[key]) is not None:
                out[v.id] = cached
        if not started:
            return out
        answers: dict[str, dict[str, Any]] = {v.id: {} for v, _ in started}
        for vid, qid, value in s.execute(
            select(Answer.visit_id, Answer.question_id, Answer.value).where(
                Answer.visit_id.in_(list(answers))
            )
        ):
            answers[vid][qid] = decode_value(value)
        if len(cache) > PLACE_CACHE_SIZE:
            cache.clear()
        for visit, patient in started:
            key = (visit.id, visit.updated_at, visit.page, visit.needs_staff)
            cache[key] = None
            step = wizard.Step.parse(visit.page)
            forms = self._forms(visit)
            if step is None and visit.page in {page.id for page in forms.intake.pages}:
                step = wizard.Step(wizard.INTAKE, visit.page)  # saved by save_page
            if step is None:
                continue
            known = identity.with_record_identity(answers[visit.id], record_identity(patient))
            flow = wizard.KioskFlow(
                forms,
                visit.visit_date,
                answers=known,
                reconsent=self._basis(visit),
                checkin_month=self._checkin_of(visit),
                notice=self._notice(visit),
            )
            flow.needs_staff = visit.needs_staff == "item9"
            flow.identity_hold = visit.needs_staff == identity.REASON
            try:
                out[visit.id] = cache[key] = flow.place(step)
            except (KeyError, ValueError):
                continue  # a page of an older form: the board shows no part then
        return out

    def visits_for(self, actor: Actor, patient_id: int) -> list[BoardRow]:
        require_role(actor, "front_desk", "clinician", "admin")
        with self.read() as s:
            rows = s.execute(
                select(Visit, Patient)
                .join(Patient)
                .where(Visit.patient_id == patient_id)
                .order_by(Visit.started_at.desc())
            ).all()
            return [
                BoardRow(
                    v.id,
                    p.id,
                    p.record_number,
                    f"{p.first_name} {p.last_name}",
                    stored_status(v),
                    v.status,
                    v.page,
                    v.needs_staff,
                    v.kiosk_station,
                    v.started_at,
                    v.updated_at,
                    kind=v.kind,
                    course_month=v.course_month,
                    reconsent_reasons=_reconsent_reasons(v),
                )
                for v, p in _known(rows)
            ]

    # --- internals -------------------------------------------------------------------------------

    # --- re-consent ------------------------------------------------------------------------------

    def _last_consent(self, s: Session, patient_id: int) -> rc.SignedConsent | None:
        """What the patient signed last: their newest submitted or countersigned consent (a
        first-visit kind of visit, or a check-in that carried a signed re-consent; a plain
        check-in's initials renew no consent)."""
        signed = s.scalars(
            select(Visit)
            .where(
                Visit.patient_id == patient_id,
                Visit.status.in_(("submitted", "countersigned")),
                Visit.kind.in_((VisitKind.FIRST_VISIT, VisitKind.CHECKIN)),
            )
            .order_by(Visit.submitted_at.desc(), Visit.id)
        )
        last = next((v for v in signed if _renews_consent(v)), None)
        if last is None:
            return None
        acked = set(
            s.scalars(
                select(Acknowledgement.statement_id).where(Acknowledgement.visit_id == last.id)
            )
        )
        if last.reconsent:
            acked |= set(last.reconsent.get("carried_over") or ())
        hashes = last.statement_hashes
        if hashes is None:
            # Started before statement hashes were kept: known only when the form is the same.
            signed_sha = (last.form_versions.get("risks") or ["", ""])[1]
            same = signed_sha == self.ctx.forms.versions()["risks"][1]
            hashes = rc.statement_hashes(self.ctx.forms.risks) if same else {}
        as_minor = bool(
            s.scalar(
                select(func.count())
                .select_from(Signature)
                .where(Signature.visit_id == last.id, Signature.role == "guardian")
            )
        )
        return rc.SignedConsent(
            last.id,
            last.visit_date,
            {k: str(v[0]) for k, v in last.form_versions.items()},
            {sid: str(hashes.get(sid, "")) for sid in sorted(acked)},
            as_minor,
        )

    def _plan_reconsent(
        self, s: Session, actor: Actor, visit: Visit, patient: Patient
    ) -> tuple[str, ...]:
        """A new visit of a patient who signed before renews that consent when the clinic
        profile calls the change major, or the patient has turned 18 since: why, or ()."""
        basis = self._last_consent(s, patient.id)
        if basis is None:
            return ()
        previous = s.get(Visit, basis.visit_id)
        assert previous is not None
        answers = dict(self._effective(s, previous))
        answers.update(record_identity(patient))
        plan = rc.plan_for(basis, self.ctx.forms, rules.derive_facts(answers, visit.visit_date))
        if not (plan.needed or plan.notice_only):
            return ()
        if plan.needed:
            visit.reconsent = {"basis": basis.to_json(), "reasons": list(plan.reasons)}
        elif (notice := rc.notice_of(plan)) is not None and notice.statements:
            if self._told_already(s, patient.id, previous, notice):
                return ()
            # Told, not asked: what the patient is shown is kept with the visit (and so bound
            # to its signature).
            visit.reconsent = {"notice": notice.to_json()}
        self.audit(
            s,
            actor,
            "reconsent" if plan.needed else "reconsent_notice",
            "visit",
            visit.id,
            {
                "renews": basis.visit_id,
                "reasons": list(plan.reasons),
                "changes": dict(plan.changes),
                "new": len(plan.new),
                "changed": len(plan.changed),
                "carried": len(plan.carried),
                # What the visit keeps of the plan, so a change to it before signing shows.
                "plan_sha256": reconsent_plan_sha256(visit.reconsent),
            },
        )
        return plan.reasons

    @staticmethod
    def _told_already(s: Session, patient_id: int, basis: Visit, notice: rc.ChangeNotice) -> bool:
        """Whether a visit signed since the consent ``notice`` measures from already told the
        patient these same changes (a notice is shown once, at the next visit)."""
        told = s.scalars(
            select(Visit.reconsent).where(
                Visit.patient_id == patient_id,
                Visit.status.in_(("submitted", "countersigned")),
                Visit.id != basis.id,
                Visit.submitted_at >= basis.submitted_at,
            )
        )
        wanted = notice.to_json()
        return any((stored or {}).get("notice") == wanted for stored in told)

    def _require_reconsent_intact(
        self, s: Session, visit: Visit, *, first_signature: bool = False
    ) -> None:
        """Refuse to sign a visit whose re-consent or notice is not the one planned at its start.
        Before its first signature a visit holds the plan only: what the re-consent asked and
        carried over is written by that signature (``_record_reconsent``), never before."""
        recorded_early = first_signature and any(
            key not in RECONSENT_PLAN_KEYS for key in (visit.reconsent or {})
        )
        if recorded_early or reconsent_problem(s, visit) is not None:
            log.warning("re-consent of visit %s does not match its audit trail", visit.id)
            raise Immutable(
                "This visit cannot be signed: what it asks again or tells of changes is not what"
                " was recorded when it was started.",
                code="reconsent_tampered",
            )

    @staticmethod
    def _basis(visit: Visit) -> rc.SignedConsent | None:
        """The consent a re-consent renews; None for any other visit (one only told of minor
        changes among them)."""
        stored = (visit.reconsent or {}).get("basis")
        return rc.SignedConsent.from_json(stored) if stored else None

    @staticmethod
    def _notice(visit: Visit) -> rc.ChangeNotice | None:
        """The minor changes the visit shows the patient; None when it shows none."""
        stored = (visit.reconsent or {}).get("notice")
        return rc.ChangeNotice.from_json(stored) if stored else None

    def notice_shown(self, actor: Actor, visit_id: str) -> None:
        """The patient has been shown the notice of minor changes (recorded once a visit, by
        ids and counts only)."""
        require_visit(actor, visit_id)
        with self.write() as s:
            visit = self._visit(s, visit_id)
            notice = self._notice(visit)
            if notice is None:
                raise NotFound("This visit has no notice of changes to show.", code="no_notice")
            shown = s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.entity == "visit",
                    AuditEvent.entity_id == visit_id,
                    AuditEvent.action == NOTICE_SHOWN,
                )
            )
            if shown:
                return
            self.audit(
                s,
                actor,
                NOTICE_SHOWN,
                "visit",
                visit_id,
                {
                    "renews": notice.renews,
                    "changes": {k: list(v) for k, v in sorted(notice.changes.items())},
                    "new": list(notice.new),
                    "changed": list(notice.changed),
                    "lang": visit.lang,
                },
            )

    def _asked(self, s: Session, visit: Visit, facts: Mapping[str, Any]) -> list[Any]:
        """The statements this visit asks to be acknowledged (at a re-consent, what changed)."""
        return rc.statements_to_acknowledge(self.ctx.forms, facts, self._basis(visit))

    def _record_reconsent(self, s: Session, visit: Visit) -> None:
        """At the first signature, what the re-consent asked and carried over is kept with it
        (and so bound to every signature)."""
        basis = self._basis(visit)
        if basis is None or "carried_over" in (visit.reconsent or {}):
            return
        from intake.services.records import renewed_document

        plan = rc.plan_for(basis, self.ctx.forms, self._facts(s, visit))
        visit.reconsent = {
            **(visit.reconsent or {}),
            # The renewed consent's document as it stands now: a later issue of it (its
            # countersignature) does not change what this one says it replaces.
            "renews_document": renewed_document(s, basis.visit_id),
            "previous_versions": dict(sorted(basis.form_versions.items())),
            "new": list(plan.new),
            "changed": list(plan.changed),
            "carried_over": list(plan.carried),
            "dropped": list(plan.dropped),
        }

    @staticmethod
    def _visit(s: Session, visit_id: str) -> Visit:
        visit = s.get(Visit, visit_id)
        if visit is None:
            raise NotFound("No such visit.", code="visit_not_found")
        return visit

    def _editable(self, s: Session, visit_id: str) -> Visit:
        visit = self._visit(s, visit_id)
        if visit.status != VisitStatus.DRAFT:
            raise Immutable(
                "This visit is already submitted and cannot be changed.", code="visit_submitted"
            )
        if s.scalar(
            select(func.count()).select_from(Signature).where(Signature.visit_id == visit_id)
        ):
            raise Immutable(
                "A signature has been given: the answers can no longer be changed.",
                code="answers_signed",
            )
        return visit

    @staticmethod
    def _answers(s: Session, visit_id: str) -> dict[str, Any]:
        return {
            a.question_id: decode_value(a.value)
            for a in s.scalars(select(Answer).where(Answer.visit_id == visit_id))
        }

    def _visit_answers(self, s: Session, visit: Visit) -> dict[str, Any]:
        """The stored answers; while the visit is a draft, with the record's name and DOB.

        Whatever was typed, the patient record decides who the patient is (minor status, the
        guardian, the name that initials and signs). A signed visit keeps the identity it was
        signed with (stored with its answers at each signature).
        """
        answers = self._answers(s, visit.id)
        if visit.status != VisitStatus.DRAFT or self._signed(s, visit.id):
            return answers  # the identity stored with the first signature
        patient = s.get(Patient, visit.patient_id)
        assert patient is not None
        return identity.with_record_identity(answers, record_identity(patient))

    @staticmethod
    def _signed(s: Session, visit_id: str) -> bool:
        return bool(
            s.scalar(
                select(func.count()).select_from(Signature).where(Signature.visit_id == visit_id)
            )
        )

    def _apply_identity(
        self, s: Session, actor: Actor, visit: Visit, values: dict[str, Any]
    ) -> dict[str, Any]:
        """Identity answers from the kiosk: the record's stand, differences become a proposal.

        A legal name or date of birth typed differently from the record is kept as a proposal
        and pauses the visit for staff; phone and e-mail update the record as a new version.
        """
        patient = s.get(Patient, visit.patient_id)
        assert patient is not None
        record = record_identity(patient)
        proposed = identity.differences(values, record)
        if proposed:
            self._store_answers(
                s, actor, visit.id, {identity.PROPOSED[k]: v for k, v in proposed.items()}
            )
            self._pause_for_identity(s, actor, visit, sorted(proposed))
        contact = identity.contact_updates(values, {"phone": patient.phone, "email": patient.email})
        if contact:
            apply_changes(self, s, actor, patient, dict(contact), KIOSK_CONTACT_REASON)
        return identity.with_record_identity(values, record)

    def _pause_for_identity(
        self, s: Session, actor: Actor, visit: Visit, fields: list[str]
    ) -> None:
        if not visit.needs_staff:  # a mood-screen alert, if raised, stays the reason shown
            visit.needs_staff = identity.REASON
        visit.updated_at = self.ctx.now()
        # Which fields, never their values: the audit trail holds no patient data.
        self.audit(
            s, actor, "alert", "visit", visit.id, {"reason": identity.REASON, "fields": fields}
        )

    def _forms(self, visit: Visit) -> fm.FormSet:
        """The forms the visit runs on: a check-in's own pages stand for the intake's."""
        return self.ctx.forms.for_visit(visit.kind)

    @staticmethod
    def _checkin_of(visit: Visit) -> int | None:
        """A check-in's month (the flow's sign that it is one); None for a first visit."""
        return (visit.course_month or 1) if visit.kind == VisitKind.CHECKIN else None

    def _effective(self, s: Session, visit: Visit) -> dict[str, Any]:
        return rules.effective_answers(
            self._forms(visit).intake, self._visit_answers(s, visit), visit.visit_date
        )

    def _store_answers(
        self,
        s: Session,
        actor: Actor,
        visit_id: str,
        values: Mapping[str, Any],
        clear: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        existing = {
            a.question_id: a for a in s.scalars(select(Answer).where(Answer.visit_id == visit_id))
        }
        now = self.ctx.now()
        for qid, value in values.items():
            encoded = encode_value(value)
            row = existing.get(qid)
            if row is None:
                s.add(
                    Answer(
                        visit_id=visit_id,
                        question_id=qid,
                        value=encoded,
                        answered_at=now,
                        actor=actor.id,
                        station=self.ctx.station,
                    )
                )
            elif row.value != encoded:
                row.value, row.answered_at, row.actor, row.station = (
                    encoded,
                    now,
                    actor.id,
                    self.ctx.station,
                )
        for qid in clear:
            if qid in existing:
                s.delete(existing[qid])

    def _draft(self, s: Session, visit: Visit) -> VisitDraft:
        answers = self._effective(s, visit)
        acked: dict[tuple[str, str], dt.datetime] = {}
        initials: dict[tuple[str, str], str] = {}
        for a in s.scalars(
            select(Acknowledgement)
            .where(Acknowledgement.visit_id == visit.id)
            .order_by(Acknowledgement.at, Acknowledgement.id)
        ):
            acked[(a.statement_id, a.by_role)] = a.at
            initials[(a.statement_id, a.by_role)] = a.initials
        roles = tuple(s.scalars(select(Signature.role).where(Signature.visit_id == visit.id)))
        open_questions, retest = self._quiz_state(s, visit)
        never = dt.datetime.min.replace(tzinfo=dt.UTC)
        again = tuple(
            sid for sid, when in retest.items() if acked.get((sid, "patient"), never) <= when
        )
        return VisitDraft(
            visit.id,
            stored_status(visit),
            visit.lang,
            visit.page,
            visit.visit_date,
            answers,
            acked,
            visit.quiz_passed,
            roles,
            visit.needs_staff,
            str(answers.get("first_name", "")),
            str(answers.get("last_name", "")),
            visit.phq9 is not None,
            initials,
            tuple(open_questions),
            again,
            self._basis(visit),
            VisitKind(visit.kind),
            visit.course_month,
            self._notice(visit),
        )

    def _facts(self, s: Session, visit: Visit) -> dict[str, Any]:
        return rules.derive_facts(self._effective(s, visit), visit.visit_date)

    def _quiz_state(self, s: Session, visit: Visit) -> tuple[list[str], dict[str, dt.datetime]]:
        """Applicable quiz questions not yet answered right; statements to re-acknowledge since when."""
        facts = self._facts(s, visit)
        month = self._checkin_of(visit)
        # A check-in's questions are drawn from every statement in force, whether or not it
        # carries a re-consent (as the kiosk's flow draws them).
        asked = (
            rules.applicable_statements(self.ctx.forms.risks, facts)
            if month is not None
            else self._asked(s, visit, facts)
        )
        statements = {st.id for st in asked}
        questions = rules.applicable_quiz(self.ctx.forms.quiz, statements, facts)
        if month is not None:
            questions = checkin_rules.drawn_quiz(questions, month)
        last: dict[str, QuizAnswer] = {}
        retest: dict[str, dt.datetime] = {}
        for qa in s.scalars(
            select(QuizAnswer)
            .where(QuizAnswer.visit_id == visit.id)
            .order_by(QuizAnswer.at, QuizAnswer.id)
        ):
            last[qa.question_id] = qa
            if not qa.correct:
                q = next((x for x in questions if x.id == qa.question_id), None)
                for sid in q.tests if q else ():
                    retest[sid] = qa.at
        open_questions = [q.id for q in questions if q.id not in last or not last[q.id].correct]
        return open_questions, retest

    def _quiz_passed(self, s: Session, visit: Visit) -> bool:
        draft = self._draft(s, visit)
        return not draft.quiz_open and not draft.reacknowledge

    def _completeness(
        self, s: Session, visit: Visit, ignore_signatures: bool = False
    ) -> Completeness:
        out = Completeness()
        draft = self._draft(s, visit)
        facts = draft.facts()
        for page in self._forms(visit).intake.pages:
            for q in rules.visible_questions(page, facts):
                if q.required and draft.answers.get(q.id) in (None, "", []):
                    out.missing.append(Missing(MissingKind.QUESTION, q.id))
        if visit.phq9 is None:
            out.missing.append(Missing(MissingKind.MOOD))
        if visit.needs_staff or (
            visit.phq9 is not None
            and self._mood_alert_raised(s, visit)
            and not self._mood_alert_released(s, visit)
        ):
            # A pause cleared in the database without a release still holds the visit.
            out.missing.append(Missing(MissingKind.STAFF))
        if identity.pending(draft.answers):
            out.missing.append(Missing(MissingKind.IDENTITY))
        # A check-in asks for no acknowledgement but those of a re-consent it carries, and
        # those a wrong answer sends the patient back to (``draft.reacknowledge``, counted
        # with the quiz below).
        statements: list[fm.Statement] = (
            []
            if visit.kind == VisitKind.CHECKIN and self._basis(visit) is None
            else list(self._asked(s, visit, facts))
        )
        for st in statements:
            for role in rules.acknowledgers(st, facts):
                if (st.id, role) not in draft.acknowledged:
                    out.missing.append(Missing(MissingKind.ACKNOWLEDGEMENT, st.id, role))
        if draft.quiz_open or draft.reacknowledge:
            out.missing.append(Missing(MissingKind.QUIZ))
        if not ignore_signatures:
            out.missing += [
                Missing(MissingKind.SIGNATURE, role=r) for r in self._signatures_needed(s, visit)
            ]
        return out

    def _signatures_needed(self, s: Session, visit: Visit) -> tuple[str, ...]:
        facts = self._facts(s, visit)
        # A minor's guardian co-signs every visit: a first visit's consent, and each monthly
        # check-in's attestation.
        guardian = bool(facts.get("is_minor"))
        wanted = ("patient", "guardian") if guardian else ("patient",)
        have = set(s.scalars(select(Signature.role).where(Signature.visit_id == visit.id)))
        return tuple(r for r in wanted if r not in have)

    def content_hash(self, s: Session, visit: Visit) -> str:
        """The record hash of the visit's content as stored now (inside the caller's session)."""
        return canonical_hash(self._content(s, visit))

    def summary_problem(self, s: Session, visit: Visit) -> str | None:
        """Why the visit's stored mood-screen summary or quiz result is not what its hashed
        answers give, or None.

        ``visits.phq9`` and ``visits.quiz_passed`` are printed on the documents and drive the
        flags, but are worked out from the answers the record hash covers: they are checked
        against those answers instead of being hashed twice. The item-9 alert may outlive a
        changed answer, and then only if the audit trail recorded the alert.
        """
        answers = self._effective(s, visit)
        stored = visit.phq9
        if stored is None:
            if any(i in answers for i in PHQ9_IDS):
                return "its mood-screen summary is missing"
        else:
            difficulty = str(answers.get(phq9_scoring.DIFFICULTY_ID) or "")
            try:
                result = phq9_scoring.score([answers.get(i) for i in PHQ9_IDS], difficulty)
            except ValidationError:
                return "its mood-screen summary has no answers behind it"
            raised = self._mood_alert_raised(s, visit)
            alerted = result.item9_positive or raised
            if (result.item9_positive or raised) and not self._mood_alert_released(s, visit):
                return "its mood-screen alert was never released by a member of staff"
            expected = {
                "answers": list(result.answers),
                "total": result.total,
                "band": result.band,
                "item9": alerted,
                "item9_reported": alerted,
                "difficulty": difficulty,
            }
            if {k: stored.get(k) for k in expected} != expected:
                return "its mood-screen summary is not what its answers and alerts give"
        if visit.quiz_passed != self._quiz_passed(s, visit):
            return "its quiz result is not what its quiz answers give"
        return None

    @staticmethod
    def _mood_alert_raised(s: Session, visit: Visit) -> bool:
        """Whether the audit trail recorded a positive item 9 for this visit."""
        return any(
            (detail or {}).get("reason") == "mood_item9"
            for detail in s.scalars(
                select(AuditEvent.detail).where(
                    AuditEvent.entity == "visit",
                    AuditEvent.entity_id == visit.id,
                    AuditEvent.action == "alert",
                )
            )
        )

    @staticmethod
    def _mood_alert_released(s: Session, visit: Visit) -> bool:
        """Whether staff released the visit after its mood-screen alert: a release row (whose
        own event binds it), or, from before release notes, an ``attend`` event for item 9."""
        if s.scalar(
            select(AlertRelease.id)
            .where(AlertRelease.visit_id == visit.id, AlertRelease.reason == alerts.MOOD_REASON)
            .limit(1)
        ):
            return True
        return any(
            (detail or {}).get("reason") == alerts.MOOD_REASON
            for detail in s.scalars(
                select(AuditEvent.detail).where(
                    AuditEvent.entity == "visit",
                    AuditEvent.entity_id == visit.id,
                    AuditEvent.action == "attend",
                )
            )
        )

    def _content(self, s: Session, visit: Visit) -> dict[str, Any]:
        """The content a signature is bound to: who, what was answered and acknowledged, which forms."""
        # "read_aloud" only where it is true: the content of visits signed before it existed,
        # and of every statement the patient read, hashes exactly as it did.
        acks = [
            {"statement": a.statement_id, "by": a.by_role, "initials": a.initials, "at": a.at}
            | ({"read_aloud": True} if a.read_aloud else {})
            for a in s.scalars(
                select(Acknowledgement)
                .where(Acknowledgement.visit_id == visit.id)
                .order_by(Acknowledgement.id)
            )
        ]
        quiz = [
            {"q": q.question_id, "chosen": q.chosen, "correct": q.correct, "at": q.at}
            for q in s.scalars(
                select(QuizAnswer).where(QuizAnswer.visit_id == visit.id).order_by(QuizAnswer.id)
            )
        ]
        return {
            "visit": visit.id,
            "patient": visit.patient_id,
            "visit_date": visit.visit_date,
            "lang": visit.lang,
            "answers": self._effective(s, visit),
            "acknowledgements": acks,
            "quiz": quiz,
            "forms": visit.form_versions,
            "ruleset": visit.ruleset_id,
            # Kept since revision 0017; left out when empty, so earlier records hash as before.
            **({"statements": visit.statement_hashes} if visit.statement_hashes else {}),
            **({"reconsent": visit.reconsent} if visit.reconsent else {}),
        }


def _renews_consent(visit: Visit) -> bool:
    """A signed visit that gave a consent: a first visit, or a check-in carrying a re-consent
    (kept with its first signature)."""
    if visit.kind == VisitKind.FIRST_VISIT:
        return True
    return "carried_over" in (visit.reconsent or {})


def _known(rows: Sequence[Any]) -> list[Any]:
    """(visit, patient) rows whose visit's stored status the program knows: one changed in the
    database to anything else is left off a list (``audit verify`` names it), never fatal to it."""
    kept = [row for row in rows if known_status(row[0].status) is not None]
    if len(kept) != len(rows):
        log.warning(
            "%d visit(s) with an unknown stored status left off a list", len(rows) - len(kept)
        )
    return kept


def signature_problem(
    strokes: Sequence[Sequence[tuple[float, float]]], width: float, height: float
) -> str | None:
    """Why a drawn signature is refused (empty, a dot, a tiny scribble), or None."""
    points = [pt for st in strokes for pt in st]
    if width <= 0 or height <= 0:
        return Coded("The signature pad has no size.", "pad_size")
    if len(points) < MIN_STROKE_POINTS:
        return Coded(
            "Please sign with your finger, a pen or the mouse in the box.", "signature_empty"
        )
    if any(not (-1 <= x <= width + 1 and -1 <= y <= height + 1) for x, y in points):
        return Coded(
            "The signature goes outside the box; please clear it and sign again.",
            "signature_outside",
        )
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    if (max(xs) - min(xs)) < MIN_SIGNATURE_EXTENT * width and (
        max(ys) - min(ys)
    ) < MIN_SIGNATURE_EXTENT * height:
        return Coded("That signature is too small; please sign across the box.", "signature_small")
    return None
