"""A scripted patient walked through the real services: the demo, tests and benchmarks use it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from intake.domain import reconsent, rules
from intake.services.context import SYSTEM, Actor, AppContext
from intake.services.patients import PatientService
from intake.services.staff import StaffInfo, StaffService, staff_actor
from intake.services.visits import SignOutcome, VisitService


@dataclass
class ScriptedPatient:
    first_name: str = "Zoë"
    last_name: str = "Nguyễn"
    date_of_birth: dt.date = dt.date(1999, 4, 12)
    sex_at_birth: str = "female"
    lang: str = "en"
    can_become_pregnant: bool = True
    phq9: tuple[int, ...] = (1, 0, 1, 0, 0, 0, 1, 0, 0)
    guardian: tuple[str, str] = ("Ana", "Ñúñez")
    extra_answers: dict[str, Any] = field(default_factory=dict)

    def page_answers(self) -> dict[str, dict[str, Any]]:
        pregnancy: dict[str, Any] = {}
        if self.sex_at_birth in ("female", "intersex"):
            pregnancy["uterus_and_ovary"] = "yes" if self.can_become_pregnant else "no"
            if self.can_become_pregnant:
                pregnancy.update(
                    pregnancy_ruled_out="none",
                    pregnant_now="no",
                    breastfeeding="no",
                    contraception_methods=["hormonal_iud", "male_condom"],
                )
        pages = {
            "identity": {
                "first_name": self.first_name,
                "last_name": self.last_name,
                "date_of_birth": self.date_of_birth.isoformat(),
                "sex_at_birth": self.sex_at_birth,
                "phone": "(555) 010-2233",
                "email": "patient@example.org",
            },
            "pregnancy": pregnancy,
            "body": {"weight_kg": {"value": "61.5", "unit": "kg"}},
            "allergies": {"has_allergies": "no"},
            "medicines": {
                "takes_vitamin_a": "no",
                "takes_tetracycline": "no",
                "other_medicines": "",
            },
            "conditions": {"conditions": ["none"]},
            "treatments": {
                "previous_treatments": ["topical_retinoid", "oral_antibiotic"],
                "previous_treatments_notes": "",
            },
        }
        for key, value in self.extra_answers.items():
            for page in pages.values():
                if key in page:
                    page[key] = value
        return pages


def signature_strokes(
    width: float = 600, height: float = 200, seed: int = 0
) -> list[list[tuple[float, float]]]:
    """A plausible handwritten-looking signature: two looping strokes across the pad."""
    strokes = []
    for part in range(2):
        pts = []
        for i in range(60):
            t = i / 59
            x = width * (0.08 + 0.4 * t + 0.45 * part)
            y = height * (0.5 + 0.25 * math.sin(t * 9 + seed + part) * (1 - 0.4 * t))
            pts.append((round(x, 1), round(y, 1)))
        strokes.append(pts)
    return strokes


STAFF_PIN = "482915"  # the scripted and demo accounts' PIN (6+ digits, not a common one)
RELEASE_NOTE = "Seen in private; safety plan agreed; no immediate risk."


def ensure_staff(
    ctx: AppContext, role: str, username: str, name: str, secret: str = STAFF_PIN
) -> StaffInfo:
    service = StaffService(ctx)
    for info in service.list():
        if info.username == username:
            return info
    admin_secret = STAFF_PIN  # the scripted and demo administrators'
    if not service.any_staff():
        service.add(SYSTEM, "admin", "Clinic Administrator", "admin", secret)
        admin_secret = secret
    admin = next(i for i in service.list() if i.role == "admin")
    return service.add(staff_actor(admin), username, name, role, secret, admin_secret=admin_secret)


def walk_visit(
    ctx: AppContext,
    patient: ScriptedPatient,
    *,
    sign: bool = True,
    dermatologist_id: int | None = None,
    allow_duplicate: bool = False,
    patient_id: int | None = None,
) -> tuple[str, Actor, SignOutcome | None]:
    """Register the patient, start a visit at the front desk and complete it at the kiosk.

    ``allow_duplicate``: register the patient again even when the same one is registered
    already (the demo, run more than once on one database). ``patient_id``: a patient
    registered already (a later visit of theirs, or a new course), who is not registered again;
    at a re-consent only what it asks is given.
    """
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    if patient_id is None:
        patient_id = (
            PatientService(ctx)
            .register(
                desk,
                first_name=patient.first_name,
                last_name=patient.last_name,
                date_of_birth=patient.date_of_birth,
                sex_at_birth=patient.sex_at_birth,
                lang=patient.lang,
                allow_duplicate=allow_duplicate,
            )
            .id
        )
    visits = VisitService(ctx)
    started = visits.start_visit(desk, patient_id, patient.lang, dermatologist_id)
    kiosk = visits.open_by_code(patient.date_of_birth, started.code)
    vid = started.visit_id
    visits.set_language(kiosk, vid, patient.lang)
    for page in ctx.forms.intake.pages:
        visits.save_page(kiosk, vid, page.id, patient.page_answers().get(page.id, {}))
    alert = visits.save_phq9(kiosk, vid, list(patient.phq9), "not_difficult")
    if alert:
        # Released by the role the clinic names (a clinician always may), with a note.
        role = ctx.forms.clinic.mood_release_role
        releaser = desk
        if role != "front_desk":
            releaser = staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
        visits.staff_continue(releaser, vid, note=RELEASE_NOTE)
    draft = visits.draft(kiosk, vid)
    facts = draft.facts()
    if facts.get("is_minor"):  # as the kiosk's guardian page does, before any initials
        visits.save_guardian(kiosk, vid, *patient.guardian, "parent")
    asked = reconsent.statements_to_acknowledge(ctx.forms, facts, draft.reconsent)
    _initial(visits, kiosk, vid, patient, facts, asked)
    statement_ids = {s.id for s in asked}
    for q in rules.applicable_quiz(ctx.forms.quiz, statement_ids, facts):
        visits.answer_quiz(kiosk, vid, q.id, q.answer)
    if not sign:
        return vid, kiosk, None
    outcome = visits.sign(
        kiosk,
        vid,
        "patient",
        f"{patient.first_name} {patient.last_name}",
        signature_strokes(),
        600,
        200,
    )
    if facts.get("is_minor"):
        outcome = visits.sign(
            kiosk,
            vid,
            "guardian",
            " ".join(patient.guardian),
            signature_strokes(seed=3),
            600,
            200,
            relationship="parent",
        )
    return vid, kiosk, outcome


def checkin_answers(
    patient: ScriptedPatient, today: dt.date, *, severe: bool = False
) -> dict[str, dict[str, Any]]:
    """What the scripted patient reports at a monthly check-in, page by page (``severe``: a
    bad headache with blurred vision, new this month)."""
    effects = {f"se_{k}": "none" for k in CHECKIN_EFFECTS}
    effects["se_dry_skin_lips"] = "mild"
    if severe:
        effects["se_headache_vision"] = "severe"
    return {
        "body": {"weight_kg": {"value": "60", "unit": "kg"}},
        "side_effects": effects,
        "new_medicines": {"new_vitamin_a": "no", "new_tetracycline": "no"},
        "sexual_function": {"sexual_function_change": "no"},
        "pregnancy": {
            "uterus_and_ovary": "yes" if patient.can_become_pregnant else "no",
            "pregnancy_ruled_out": "none",
            "contraception_methods": ["hormonal_iud", "male_condom"],
            "last_period_start": (today - dt.timedelta(days=10)).isoformat(),
            "missed_pill_or_unprotected": "no",
            "pregnancy_test_date": today.isoformat(),
        },
    }


CHECKIN_EFFECTS = (
    "dry_skin_lips",
    "dry_eyes",
    "nosebleeds",
    "sun",
    "joint_muscle",
    "back_pain",
    "headache_vision",
    "night_vision",
    "hearing",
    "stomach_pain",
    "bowel",
    "liver",
    "rash",
)


def walk_checkin(
    ctx: AppContext,
    patient: ScriptedPatient,
    patient_id: int,
    *,
    wrong_answer: bool = False,
    severe: bool = False,
) -> tuple[str, Actor, SignOutcome]:
    """The front desk starts the patient's next monthly check-in, which the patient completes
    at the kiosk and signs (``wrong_answer``: the first quiz question is first answered wrongly,
    and the statements it tests initialled again)."""
    from intake.domain.checkin import drawn_quiz
    from intake.domain.kinds import VisitKind

    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    visits = VisitService(ctx)
    started = visits.start_visit(desk, patient_id, patient.lang, kind=VisitKind.CHECKIN)
    kiosk = visits.open_by_code(patient.date_of_birth, started.code)
    vid = started.visit_id
    visits.set_language(kiosk, vid, patient.lang)
    answers = checkin_answers(patient, ctx.today(), severe=severe)
    for page in ctx.forms.checkin.pages:
        visits.save_page(kiosk, vid, page.id, answers.get(page.id, {}))
    visits.save_phq9(kiosk, vid, list(patient.phq9), "not_difficult")
    draft = visits.draft(kiosk, vid)
    facts = draft.facts()
    minor = bool(facts.get("is_minor"))
    if minor:  # a minor's check-in is co-signed by the guardian, who names themselves first
        visits.save_guardian(kiosk, vid, *patient.guardian, "parent")
    _acknowledge(ctx, visits, kiosk, vid, patient, facts, draft.reconsent)
    statements = {s.id for s in rules.applicable_statements(ctx.forms.risks, facts)}
    questions = drawn_quiz(
        rules.applicable_quiz(ctx.forms.quiz, statements, facts), started.course_month or 1
    )
    mine = rules.expected_initials_for(patient.first_name, patient.last_name)
    for n, q in enumerate(questions):
        if wrong_answer and n == 0:
            bad = next(c.id for c in q.choices if c.id != q.answer)
            visits.answer_quiz(kiosk, vid, q.id, bad)
            for sid in q.tests:
                visits.acknowledge(kiosk, vid, sid, "patient", mine, page_seconds=12.0)
        visits.answer_quiz(kiosk, vid, q.id, q.answer)
    outcome = visits.sign(
        kiosk,
        vid,
        "patient",
        f"{patient.first_name} {patient.last_name}",
        signature_strokes(seed=7),
        600,
        200,
    )
    if minor:
        outcome = visits.sign(
            kiosk,
            vid,
            "guardian",
            " ".join(patient.guardian),
            signature_strokes(seed=3),
            600,
            200,
            relationship="parent",
        )
    return vid, kiosk, outcome


def _acknowledge(
    ctx: AppContext,
    visits: VisitService,
    kiosk: Actor,
    vid: str,
    patient: ScriptedPatient,
    facts: dict[str, Any],
    basis: reconsent.SignedConsent | None,
) -> None:
    """Initial what a re-consent asks, the patient (and a minor's guardian) each: nothing at
    a check-in that carries none."""
    if basis is None:
        return
    _initial(
        visits,
        kiosk,
        vid,
        patient,
        facts,
        reconsent.statements_to_acknowledge(ctx.forms, facts, basis),
    )


def _initial(
    visits: VisitService,
    kiosk: Actor,
    vid: str,
    patient: ScriptedPatient,
    facts: Mapping[str, Any],
    statements: Sequence[Any],
) -> None:
    """Each statement initialled by whoever acknowledges it (the patient, a minor's guardian)."""
    mine = rules.expected_initials_for(patient.first_name, patient.last_name)
    theirs = rules.expected_initials_for(*patient.guardian)
    for st in statements:
        for role in rules.acknowledgers(st, facts):
            if role == "patient":
                visits.acknowledge(kiosk, vid, st.id, role, mine, page_seconds=12.0)
            else:
                visits.acknowledge(
                    kiosk,
                    vid,
                    st.id,
                    role,
                    theirs,
                    page_seconds=12.0,
                    guardian_name=patient.guardian,
                )


def review_everything(ctx: AppContext, clinician: Actor, visit_id: str) -> tuple[str, ...]:
    """The ticks of a dermatologist who reviewed every serious flag now open on the visit."""
    from intake.domain.flags import review_token
    from intake.services.clinician import ClinicianService

    record = ClinicianService(ctx).review(clinician, visit_id).record
    return tuple(review_token(f) for f in record.flags if f.must_review)


def countersign_consent(
    ctx: AppContext, clinician: Actor, visit_id: str, printed_name: str = "Dr Ana Ruiz"
) -> Any:
    """Issue the signed visit's documents and countersign its consent as the dermatologist
    does: every serious flag reviewed, every prescriber attestation of its rule set confirmed.
    The clinician's PIN is the scripted one (``STAFF_PIN``). Returns the consent's DocumentInfo."""
    from intake.services.clinician import ClinicianService
    from intake.services.documents import DocumentService

    docs = DocumentService(ctx)
    docs.issue_documents(clinician, visit_id)
    record = ClinicianService(ctx).review(clinician, visit_id).record
    ruleset = ctx.forms.programme.ruleset(record.ruleset_id)
    return docs.countersign(
        clinician,
        visit_id,
        printed_name,
        signature_strokes(seed=5),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=review_everything(ctx, clinician, visit_id),
        attested=tuple(a.id for a in ruleset.prescriber_attestations),
    )


def finish_course(
    ctx: AppContext,
    clinician: Actor,
    patient_id: int,
    completed_on: dt.date | str,
    reason: str = "completed",
    reason_text: str = "",
    mg_per_kg: float | None = None,
) -> tuple[Any, Any]:
    """Record the end of the patient's course and issue the aftercare packet: (the completion
    as the course view shows it, the packet's DocumentInfo). For `demo --course` and scripts;
    the consent is countersigned first (``countersign_consent``)."""
    from intake.services.clinician import ClinicianService
    from intake.services.documents import DocumentService

    done = ClinicianService(ctx).record_completion(
        clinician, patient_id, completed_on, reason, reason_text, mg_per_kg
    )
    return done, DocumentService(ctx).issue_aftercare(clinician, patient_id)
