"""A patient's records as one FHIR R4 Bundle: plain data in, a JSON-ready dict out.

The bundle is of type ``collection``, not ``document``. A FHIR document is one composition that
its author attests as a whole, with a Composition first and every entry reached from its
sections; here the attested, legally binding documents are the sealed PDFs themselves (each one
is a DocumentReference carrying its hashes), and a ``--patient`` export spans many visits, labs
and follow-ups that no single author composed. A collection says what this is: the records, as
they are stored, for another clinical system to import, each linked to the others by reference.

Ids are UUIDv5 names of the record ids, and the bundle's ``timestamp`` is the time of the latest
record it holds (not the moment of export), so two exports of unchanged records are identical.
Every resource is addressed as ``urn:uuid:<id>`` and every reference points at one of them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from intake.domain.course import out_of_range
from intake.domain.records import ConsentRecord, PatientInfo, SignatureRecord

FHIR_NAMESPACE = uuid.UUID("0b6f5e0c-3f0e-5a52-9d8e-6a1c2f4e7b10")

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
URI = "urn:ietf:rfc:3986"
SIGNATURE_TYPES = "urn:iso-astm:E1762-95:2013"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

CONSENT_SIGNATURE = ("1.2.840.10065.1.12.1.7", "Consent Signature")
VERIFICATION_SIGNATURE = ("1.2.840.10065.1.12.1.5", "Verification Signature")
PATIENT_CONSENT = ("59284-0", "Patient Consent")

PHQ9_PANEL = ("44249-1", "PHQ-9 quick depression assessment panel [Reported.PHQ]")
# The LOINC codes of the nine items, in the published order.
PHQ9_ITEMS = (
    ("44250-9", "Little interest or pleasure in doing things"),
    ("44255-8", "Feeling down, depressed, or hopeless"),
    ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("44254-1", "Feeling tired or having little energy"),
    ("44251-7", "Poor appetite or overeating"),
    (
        "44258-2",
        "Feeling bad about yourself-or that you are a failure or have let yourself or your family down",
    ),
    (
        "44252-5",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
    ),
    (
        "44253-3",
        "Moving or speaking so slowly that other people could have noticed. Or the opposite-being so fidgety or restless that you have been moving around a lot more than usual",
    ),
    (
        "44260-8",
        "Thoughts that you would be better off dead, or of hurting yourself in some way",
    ),
)
PHQ9_TOTAL = ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]")
PHQ9_DIFFICULTY = (
    "69722-7",
    "How difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?",
)
PHQ9_ANSWERS = (
    ("LA6568-5", "Not at all"),
    ("LA6569-3", "Several days"),
    ("LA6570-1", "More than half the days"),
    ("LA6571-9", "Nearly every day"),
)
PHQ9_DIFFICULTY_ANSWERS = {
    "not_difficult": ("LA6572-7", "Not difficult at all"),
    "somewhat": ("LA6573-5", "Somewhat difficult"),
    "very": ("LA6575-0", "Very difficult"),
    "extremely": ("LA6574-3", "Extremely difficult"),
}

# Lab ids of the clinic profile -> (LOINC code, LOINC long name).
LAB_CODES = {
    "alt": ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma"),
    "ast": ("1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma"),
    "cholesterol": ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma"),
    "triglycerides": ("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma"),
}
# The record does not say which specimen a pregnancy test used; the clinic's own test is a urine
# test. (Serum would be 2118-8; 2112-1 is the beta-subunit urine test, not a serum one.)
PREGNANCY_TEST = ("2106-3", "Choriogonadotropin (pregnancy test) [Presence] in Urine")
PREGNANCY_RESULTS = {
    "negative": ("260385009", "Negative", "NEG"),
    "positive": ("10828004", "Positive", "POS"),
}
BODY_WEIGHT = ("29463-7", "Body weight")
# Units as the clinic profile writes them -> UCUM codes.
UCUM_UNITS = {
    "U/L": "U/L",
    "mg/dL": "mg/dL",
    "kg": "kg",
    "lb": "[lb_av]",
    "mg/d": "mg/d",
    "mg/kg": "mg/kg",
}
# A visit's kind (intake.domain.kinds.VisitKind) as the Encounter's type.
VISIT_KINDS = {"first_visit": "First visit", "checkin": "Monthly check-in"}
ENCOUNTER_STATUS = {
    "draft": "in-progress",
    "submitted": "finished",
    "countersigned": "finished",
    "abandoned": "cancelled",
}
INTERPRETATIONS = {"low": ("L", "Low"), "high": ("H", "High"), "critical": ("HH", "Critical high")}
GENDERS = {"female": "female", "male": "male", "intersex": "other"}
GUARDIAN_ROLES = {"parent": ("PRN", "parent"), "guardian": ("GUARD", "guardian")}
DOCUMENT_TITLES = {
    "consent": "Consent",
    "education": "Education packet",
    "summary": "Intake summary",
    "checklist": "Follow-up checklist",
    "aftercare": "Aftercare packet",
}


@dataclass(frozen=True)
class Clinic:
    name: str
    base_url: str  # the clinic's URI namespace: identifier systems and its own code systems
    phone: str = ""
    email: str = ""
    address: str = ""

    @property
    def record_number_system(self) -> str:
        return f"{self.base_url}/patient-record-number"

    def code_system(self, name: str) -> str:
        return f"{self.base_url}/CodeSystem/{name}"


@dataclass(frozen=True)
class Question:
    id: str
    type: str  # the form's question type: name, date, choice, multi, weight, longtext...
    text: str
    options: tuple[tuple[str, str], ...] = ()  # (value, English label)


@dataclass(frozen=True)
class PdfDocument:
    id: str
    kind: str
    issue: int
    lang: str
    size: int
    sha1_base64: str  # what FHIR's Attachment.hash holds
    sha256: str  # hex, as printed on the documents and stored beside them
    created_at: dt.datetime
    supersedes_id: str | None
    current: bool  # the latest issue of its kind


@dataclass(frozen=True)
class StaffMember:
    key: str  # the actor id, e.g. "staff:12"
    name: str
    username: str
    role: str


@dataclass(frozen=True)
class VisitRecords:
    record: ConsentRecord
    status: str  # draft | submitted | countersigned | abandoned
    documents: tuple[PdfDocument, ...] = ()
    # Who signed as staff, by signature role ("clinician"), and the dermatologist chosen.
    staff: Mapping[str, StaffMember] = field(default_factory=dict)
    policy_summary: str = ""  # the rule set's summary, in English


@dataclass(frozen=True)
class Lab:
    id: int
    test: str
    label: str
    value: float
    unit: str
    taken_on: dt.date
    course_month: int
    recorded_at: dt.datetime
    low: float | None = None
    high: float | None = None
    critical_high: float | None = None


@dataclass(frozen=True)
class PregnancyTest:
    id: int
    taken_on: dt.date
    result: str
    course_month: int
    recorded_at: dt.datetime


@dataclass(frozen=True)
class FollowUp:
    id: int
    month: int
    seen_on: dt.date
    weight_kg: float
    daily_dose_mg: float
    side_effects: tuple[str, ...]
    mood_score: int | None
    sexual_function: str
    contraception: tuple[str, ...]
    notes: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class Completion:
    """The end of a course, as the clinician recorded it, and its aftercare dates."""

    id: int
    consent_visit_id: str
    started_on: dt.date  # the date of the consent the course ran under
    completed_on: dt.date  # the day of the last dose
    mg_per_kg: float
    reason: str  # intake.domain.completion.StopReason
    reason_label: str  # in English
    reason_text: str
    recorded_at: dt.datetime
    pregnancy_test_due: dt.date | None = None
    contraception_until: dt.date | None = None
    no_blood_donation_until: dt.date | None = None
    no_cosmetic_procedures_until: dt.date | None = None


@dataclass(frozen=True)
class Course:
    """Everything one export holds: one visit (``scope`` "visit") or a patient's whole course."""

    scope: str  # "visit" or "patient"
    scope_id: str
    clinic: Clinic
    patient: PatientInfo
    phone: str
    email: str
    lang: str
    questions: tuple[Question, ...]
    visits: tuple[VisitRecords, ...]
    labs: tuple[Lab, ...] = ()
    pregnancy_tests: tuple[PregnancyTest, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    # The monthly check-in's questions (a check-in visit's answers are to these), and the
    # comprehension questions a visit's quiz answers are to.
    checkin_questions: tuple[Question, ...] = ()
    quiz_questions: tuple[Question, ...] = ()
    completions: tuple[Completion, ...] = ()


# --- helpers ---------------------------------------------------------------------------------


def resource_id(*parts: object) -> str:
    return str(uuid.uuid5(FHIR_NAMESPACE, "/".join(str(p) for p in parts)))


def full_url(rid: str) -> str:
    return f"urn:uuid:{rid}"


def ref(rid: str, display: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"reference": full_url(rid)}
    if display:
        out["display"] = display
    return out


def instant(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def coding(system: str, code: str, display: str = "") -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str, display: str = "", text: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"coding": [coding(system, code, display)]}
    if text:
        out["text"] = text
    return out


def quantity(value: float, unit: str) -> dict[str, Any]:
    out: dict[str, Any] = {"value": value, "unit": unit}
    if unit in UCUM_UNITS:
        out.update(system=UCUM, code=UCUM_UNITS[unit])
    return out


def _category(code: str, display: str) -> list[dict[str, Any]]:
    return [concept(OBSERVATION_CATEGORY, code, display)]


def _human_name(first: str, last: str, use: str = "official") -> dict[str, Any]:
    out: dict[str, Any] = {"use": use, "text": f"{first} {last}".strip()}
    if last:
        out["family"] = last
    if first:
        out["given"] = first.split()
    return out


def signature_svg(sig: SignatureRecord) -> bytes:
    """The drawn strokes as an SVG image in the pad's own coordinates (y downwards)."""
    paths = "".join(
        '<path d="'
        + " ".join(f"{'M' if i == 0 else 'L'}{x:g} {y:g}" for i, (x, y) in enumerate(stroke))
        + '"/>'
        for stroke in sig.strokes
        if stroke
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{sig.pad_width:g}"'
        f' height="{sig.pad_height:g}" viewBox="0 0 {sig.pad_width:g} {sig.pad_height:g}">'
        f'<g fill="none" stroke="black" stroke-width="2">{paths}</g></svg>'
    ).encode()


def _split_name(printed: str) -> tuple[str, str]:
    words = printed.split()
    return (" ".join(words[:-1]), words[-1]) if len(words) > 1 else ("", printed)


# --- the bundle ------------------------------------------------------------------------------


class _Builder:
    def __init__(self, course: Course):
        self.c = course
        self.entries: dict[str, dict[str, Any]] = {}
        self.moments: list[dt.datetime] = []
        self.org_id = resource_id("organization", course.clinic.base_url)
        self.patient_id = resource_id("patient", course.patient.record_number)

    def add(self, resource: dict[str, Any]) -> str:
        rid = str(resource["id"])
        self.entries.setdefault(rid, resource)  # a staff member or guardian met twice is one
        return rid

    def seen(self, moment: dt.datetime | None) -> None:
        if moment is not None:
            self.moments.append(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))

    # --- people and the clinic

    def organization(self) -> None:
        clinic = self.c.clinic
        org: dict[str, Any] = {
            "resourceType": "Organization",
            "id": self.org_id,
            "active": True,
            "name": clinic.name,
        }
        telecom = [
            {"system": kind, "value": value, "use": "work"}
            for kind, value in (("phone", clinic.phone), ("email", clinic.email))
            if value
        ]
        if telecom:
            org["telecom"] = telecom
        if clinic.address:
            org["address"] = [{"use": "work", "text": clinic.address}]
        self.add(org)

    def patient(self) -> None:
        p, clinic = self.c.patient, self.c.clinic
        names = [_human_name(p.first_name, p.last_name)]
        if p.preferred_name:
            names.append({"use": "usual", "given": [p.preferred_name], "text": p.preferred_name})
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "id": self.patient_id,
            "identifier": [
                {
                    "use": "usual",
                    "type": concept(IDENTIFIER_TYPE, "MR", "Medical record number"),
                    "system": clinic.record_number_system,
                    "value": p.record_number,
                    "assigner": ref(self.org_id, clinic.name),
                }
            ],
            "active": True,
            "name": names,
            "gender": GENDERS.get(p.sex_at_birth, "unknown"),
            "birthDate": p.date_of_birth.isoformat(),
            "managingOrganization": ref(self.org_id, clinic.name),
            "communication": [
                {
                    "language": concept("urn:ietf:bcp:47", self.c.lang),
                    "preferred": True,
                }
            ],
        }
        telecom = [
            {"system": kind, "value": value, "use": "home"}
            for kind, value in (("phone", self.c.phone), ("email", self.c.email))
            if value
        ]
        if telecom:
            resource["telecom"] = telecom
        self.add(resource)

    def guardian(self, visit: VisitRecords, sig: SignatureRecord) -> str:
        answers = visit.record.answers
        first = str(answers.get("guardian_first_name") or "")
        last = str(answers.get("guardian_last_name") or "")
        if not (first or last):
            first, last = _split_name(sig.printed_name)
        relationship = sig.relationship or str(answers.get("guardian_relationship") or "")
        code = GUARDIAN_ROLES.get(relationship.lower())
        rel: dict[str, Any] = (
            concept(ROLE_CODE, code[0], code[1], relationship)
            if code
            else {"text": relationship or "guardian"}
        )
        rid = resource_id("related-person", self.c.patient.record_number, f"{first} {last}")
        self.add(
            {
                "resourceType": "RelatedPerson",
                "id": rid,
                "active": True,
                "patient": ref(self.patient_id),
                "relationship": [rel],
                "name": [_human_name(first, last)],
            }
        )
        return rid

    def practitioner(self, staff: StaffMember | None, printed_name: str) -> str:
        key = staff.key if staff else f"name:{printed_name}"
        rid = resource_id("practitioner", self.c.clinic.base_url, key)
        first, last = _split_name(
            (staff.name if staff else printed_name).replace("Dr ", "").replace("Dr. ", "")
        )
        resource: dict[str, Any] = {
            "resourceType": "Practitioner",
            "id": rid,
            "active": True,
            "name": [{**_human_name(first, last), "text": staff.name if staff else printed_name}],
        }
        if staff:
            resource["identifier"] = [
                {"system": f"{self.c.clinic.base_url}/staff", "value": staff.username}
            ]
        self.add(resource)
        return rid

    # --- a visit

    def visit(self, v: VisitRecords) -> None:
        r = v.record
        self.seen(r.created_at)
        # A monthly check-in is an encounter of its own; its answers, mood screen and quiz
        # are linked to it.
        encounter = self.encounter(v) if r.visit_kind == "checkin" else None
        intake_id = self.intake_response(v, encounter)
        phq_id = self.phq9(v, encounter) if r.phq9 else None
        quiz_id = self.quiz_response(v, encounter) if r.quiz else None
        docs = self.documents(v)
        patient_sig = r.signature("patient")
        if patient_sig is None:
            return  # not signed: no consent was given, so there is none to export
        # A check-in's signature attests the month's answers: it gives no consent of its own
        # (the course runs under the first visit's), so it signs its responses only.
        consent_id = None if encounter is not None else self.consent(v, docs)
        for sig in r.signatures:
            self.provenance(v, sig, consent_id, intake_id, phq_id, quiz_id, docs)

    def encounter(self, v: VisitRecords) -> str:
        r = v.record
        rid = resource_id("visit", r.visit_id, "encounter")
        kind = VISIT_KINDS.get(r.visit_kind, r.visit_kind)
        label = f"{kind}, month {r.course_month}" if r.course_month else kind
        self.add(
            {
                "resourceType": "Encounter",
                "id": rid,
                "identifier": [{"system": f"{self.c.clinic.base_url}/visit", "value": r.visit_id}],
                "status": ENCOUNTER_STATUS.get(v.status, "unknown"),
                "class": coding(ACT_CODE, "AMB", "ambulatory"),
                "type": [
                    concept(self.c.clinic.code_system("visit-kinds"), r.visit_kind, kind, label)
                ],
                "subject": ref(self.patient_id),
                "period": {"start": r.visit_date.isoformat()},
                "serviceProvider": ref(self.org_id, self.c.clinic.name),
            }
        )
        return rid

    def intake_response(self, v: VisitRecords, encounter: str | None = None) -> str:
        r = v.record
        checkin = r.visit_kind == "checkin"
        form = "checkin" if checkin else "intake"
        # A check-in's answers are to the check-in form's questions (its form_versions keeps
        # the check-in form's version under "checkin").
        version = r.form_versions.get(form, ("", ""))[0]
        rid = resource_id("visit", r.visit_id, "questionnaire-response", "intake")
        items = []
        for q in self.c.checkin_questions if checkin else self.c.questions:
            answers = _answers(q, r.answers.get(q.id), self.c.clinic)
            if answers:
                items.append({"linkId": q.id, "text": q.text, "answer": answers})
        self.add(
            {
                "resourceType": "QuestionnaireResponse",
                "id": rid,
                "identifier": {"system": f"{self.c.clinic.base_url}/visit", "value": r.visit_id},
                "questionnaire": f"{self.c.clinic.base_url}/Questionnaire/{form}|{version}",
                "status": "in-progress" if v.status == "draft" else "completed",
                "subject": ref(self.patient_id),
                **({"encounter": ref(encounter)} if encounter else {}),
                "authored": instant(r.created_at),
                "author": ref(self.patient_id),
                "source": ref(self.patient_id),
                "item": items,
            }
        )
        return rid

    def quiz_response(self, v: VisitRecords, encounter: str | None = None) -> str:
        """The comprehension questions as answered, every attempt in order, and the result."""
        r = v.record
        version = r.form_versions.get("quiz", ("", ""))[0]
        rid = resource_id("visit", r.visit_id, "questionnaire-response", "quiz")
        known = {q.id: q for q in self.c.quiz_questions}
        system = self.c.clinic.code_system("quiz-choices")
        items: list[dict[str, Any]] = []
        for a in r.quiz:
            q = known.get(a.question_id)
            label = dict(q.options).get(a.chosen, "") if q else ""
            item: dict[str, Any] = {
                "linkId": a.question_id,
                "answer": [
                    {
                        "valueCoding": coding(system, a.chosen, label),
                        "item": [
                            {
                                "linkId": f"{a.question_id}.correct",
                                "text": "Correct",
                                "answer": [{"valueBoolean": a.correct}],
                            }
                        ],
                    }
                ],
            }
            if q is not None:
                item["text"] = q.text
            items.append(item)
        items.append(
            {
                "linkId": "quiz-passed",
                "text": "Comprehension check passed",
                "answer": [{"valueBoolean": r.quiz_passed}],
            }
        )
        self.add(
            {
                "resourceType": "QuestionnaireResponse",
                "id": rid,
                "identifier": {"system": f"{self.c.clinic.base_url}/visit", "value": r.visit_id},
                "questionnaire": f"{self.c.clinic.base_url}/Questionnaire/quiz|{version}",
                "status": "in-progress" if v.status == "draft" else "completed",
                "subject": ref(self.patient_id),
                **({"encounter": ref(encounter)} if encounter else {}),
                "authored": instant(max((a.at for a in r.quiz), default=r.created_at)),
                "author": ref(self.patient_id),
                "source": ref(self.patient_id),
                "item": items,
            }
        )
        return rid

    def phq9(self, v: VisitRecords, encounter: str | None = None) -> str:
        r = v.record
        assert r.phq9 is not None
        phq = r.phq9
        rid = resource_id("visit", r.visit_id, "questionnaire-response", "phq9")
        items = []
        for (code, text), value in zip(PHQ9_ITEMS, phq.answers, strict=False):
            la, display = PHQ9_ANSWERS[value]
            items.append(
                {
                    "linkId": code,
                    "text": text,
                    "answer": [{"valueCoding": coding(LOINC, la, display)}],
                }
            )
        if phq.difficulty in PHQ9_DIFFICULTY_ANSWERS:
            la, display = PHQ9_DIFFICULTY_ANSWERS[phq.difficulty]
            items.append(
                {
                    "linkId": PHQ9_DIFFICULTY[0],
                    "text": PHQ9_DIFFICULTY[1],
                    "answer": [{"valueCoding": coding(LOINC, la, display)}],
                }
            )
        items.append(
            {
                "linkId": PHQ9_TOTAL[0],
                "text": PHQ9_TOTAL[1],
                "answer": [{"valueInteger": phq.total}],
            }
        )
        self.add(
            {
                "resourceType": "QuestionnaireResponse",
                "id": rid,
                "questionnaire": f"http://loinc.org/q/{PHQ9_PANEL[0]}",
                "status": "completed",
                "subject": ref(self.patient_id),
                **({"encounter": ref(encounter)} if encounter else {}),
                "authored": instant(r.created_at),
                "author": ref(self.patient_id),
                "source": ref(self.patient_id),
                "item": items,
            }
        )
        total_id = resource_id("visit", r.visit_id, "observation", "phq9-total")
        self.add(
            {
                "resourceType": "Observation",
                "id": total_id,
                "status": "final",
                "category": _category("survey", "Survey"),
                "code": concept(LOINC, *PHQ9_TOTAL),
                "subject": ref(self.patient_id),
                **({"encounter": ref(encounter)} if encounter else {}),
                "effectiveDateTime": instant(r.created_at),
                "valueInteger": phq.total,
                "interpretation": [{"text": phq.band}],
                "derivedFrom": [ref(rid)],
            }
        )
        la, display = PHQ9_ANSWERS[phq.answers[8]]
        self.add(
            {
                "resourceType": "Observation",
                "id": resource_id("visit", r.visit_id, "observation", "phq9-item9"),
                "status": "final",
                "category": _category("survey", "Survey"),
                "code": concept(LOINC, *PHQ9_ITEMS[8]),
                "subject": ref(self.patient_id),
                **({"encounter": ref(encounter)} if encounter else {}),
                "effectiveDateTime": instant(r.created_at),
                "valueCodeableConcept": concept(LOINC, la, display),
                "derivedFrom": [ref(rid)],
            }
        )
        return rid

    def documents(self, v: VisitRecords) -> dict[str, str]:
        """DocumentReference per PDF issue: document id -> resource id."""
        out: dict[str, str] = {}
        for d in sorted(v.documents, key=lambda d: (d.kind, d.issue)):
            rid = resource_id("document", d.id)
            out[d.id] = rid
            self.seen(d.created_at)
            title = f"{DOCUMENT_TITLES.get(d.kind, d.kind)}, issue {d.issue}"
            type_ = (
                concept(LOINC, *PATIENT_CONSENT, text=DOCUMENT_TITLES["consent"])
                if d.kind == "consent"
                else {"text": DOCUMENT_TITLES.get(d.kind, d.kind)}
            )
            resource: dict[str, Any] = {
                "resourceType": "DocumentReference",
                "id": rid,
                "masterIdentifier": {"system": URI, "value": f"urn:uuid:{d.id}"},
                "status": "current" if d.current else "superseded",
                "docStatus": "final",
                "type": type_,
                "subject": ref(self.patient_id),
                "date": instant(d.created_at),
                "author": [ref(self.org_id, self.c.clinic.name)],
                "custodian": ref(self.org_id, self.c.clinic.name),
                "description": title,
                "content": [
                    {
                        "attachment": {
                            "contentType": "application/pdf",
                            "language": d.lang,
                            "size": d.size,
                            "hash": d.sha1_base64,
                            "title": title,
                            "creation": instant(d.created_at),
                            "extension": [
                                {
                                    "url": f"{self.c.clinic.base_url}/StructureDefinition/attachment-sha256",
                                    "valueString": d.sha256,
                                }
                            ],
                        }
                    }
                ],
            }
            if d.supersedes_id and d.supersedes_id in out:
                resource["relatesTo"] = [{"code": "replaces", "target": ref(out[d.supersedes_id])}]
            self.add(resource)
        return out

    def consent(self, v: VisitRecords, docs: Mapping[str, str]) -> str:
        r = v.record
        patient_sig = r.signature("patient")
        assert patient_sig is not None
        rid = resource_id("visit", r.visit_id, "consent")
        performers = [ref(self.patient_id)]
        guardian_sig = r.signature("guardian")
        if guardian_sig is not None:
            performers.append(ref(self.guardian(v, guardian_sig)))
        clinic = self.c.clinic
        consent: dict[str, Any] = {
            "resourceType": "Consent",
            "id": rid,
            "identifier": [{"system": f"{clinic.base_url}/visit", "value": r.visit_id}],
            # The programme needs the prescriber's attestation: until then the consent is
            # signed by the patient but only proposed.
            "status": "active" if v.status == "countersigned" else "proposed",
            "scope": concept(CONSENT_SCOPE, "treatment", "Treatment"),
            "category": [concept(LOINC, *PATIENT_CONSENT)],
            "patient": ref(self.patient_id),
            "dateTime": instant(patient_sig.signed_at),
            "performer": performers,
            "organization": [ref(self.org_id, clinic.name)],
            "policy": [
                {
                    "authority": clinic.base_url,
                    "uri": f"{clinic.base_url}/programme/{r.ruleset_id}",
                }
            ],
            "provision": {
                "type": "permit",
                "period": {"start": r.visit_date.isoformat()},
                **({"provision": self.acknowledged(r)} if r.acknowledgements else {}),
            },
        }
        if v.policy_summary:
            consent["policyRule"] = {"text": f"{r.ruleset_id}: {v.policy_summary}"}
        latest = [d for d in v.documents if d.kind == "consent" and d.current]
        if latest:
            consent["sourceReference"] = ref(docs[latest[0].id])
        clinician = r.signature("clinician")
        if clinician is not None:
            consent["verification"] = [
                {"verified": True, "verificationDate": instant(clinician.signed_at)}
            ]
        self.add(consent)
        return rid

    def acknowledged(self, r: ConsentRecord) -> list[dict[str, Any]]:
        """One provision per risk statement acknowledged, in the record's order, each carrying
        who acknowledged it, when, and whether it was read aloud to them at the kiosk."""
        system = self.c.clinic.code_system("risk-statements")
        url = f"{self.c.clinic.base_url}/StructureDefinition/acknowledgement"
        order = {sid: n for n, sid in enumerate(r.statement_ids)}
        by_statement: dict[str, list[dict[str, Any]]] = {}
        for a in sorted(
            r.acknowledgements, key=lambda a: (order.get(a.statement_id, len(order)), a.by)
        ):
            by_statement.setdefault(a.statement_id, []).append(
                {
                    "url": url,
                    "extension": [
                        {"url": "by", "valueCode": a.by},
                        {"url": "acknowledged", "valueDateTime": instant(a.at)},
                        {"url": "readAloud", "valueBoolean": a.read_aloud},
                    ],
                }
            )
        return [
            {"extension": found, "type": "permit", "code": [concept(system, sid)]}
            for sid, found in by_statement.items()
        ]

    def provenance(
        self,
        v: VisitRecords,
        sig: SignatureRecord,
        consent_id: str | None,
        intake_id: str,
        phq_id: str | None,
        quiz_id: str | None,
        docs: Mapping[str, str],
    ) -> None:
        r = v.record
        self.seen(sig.signed_at)
        if sig.role == "clinician":
            who = self.practitioner(v.staff.get("clinician"), sig.printed_name)
            agent_type = ("verifier", "Verifier")
            sig_type = VERIFICATION_SIGNATURE
            # The countersignature is on the consent issued with it: the latest issue.
            targets = ([consent_id] if consent_id else []) + [
                docs[d.id] for d in v.documents if d.kind == "consent" and d.current
            ]
        else:
            who = self.patient_id if sig.role == "patient" else self.guardian(v, sig)
            agent_type = (
                ("author", "Author") if sig.role == "patient" else ("legal", "Legal Authenticator")
            )
            sig_type = CONSENT_SIGNATURE
            targets = [t for t in (consent_id, intake_id, phq_id, quiz_id) if t]
        self.add(
            {
                "resourceType": "Provenance",
                "id": resource_id("visit", r.visit_id, "provenance", sig.role),
                "target": [ref(t) for t in targets],
                "recorded": instant(sig.signed_at),
                "activity": {"text": sig.meaning},
                "agent": [
                    {
                        "type": concept(PARTICIPANT_TYPE, *agent_type),
                        "who": ref(who, sig.printed_name),
                        **(
                            {"onBehalfOf": ref(self.org_id, self.c.clinic.name)}
                            if sig.role == "clinician"
                            else {}
                        ),
                    }
                ],
                "signature": [
                    {
                        "type": [coding(SIGNATURE_TYPES, *sig_type)],
                        "when": instant(sig.signed_at),
                        "who": ref(who, sig.printed_name),
                        **(
                            {
                                "sigFormat": "image/svg+xml",
                                "data": base64.b64encode(signature_svg(sig)).decode("ascii"),
                            }
                            if sig.strokes
                            else {}
                        ),
                    }
                ],
            }
        )

    # --- the course

    def lab(self, lab: Lab) -> None:
        self.seen(lab.recorded_at)
        code = LAB_CODES.get(lab.test)
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": resource_id("lab-result", lab.id),
            "status": "final",
            "category": _category("laboratory", "Laboratory"),
            "code": concept(LOINC, code[0], code[1], lab.label) if code else {"text": lab.label},
            "subject": ref(self.patient_id),
            "effectiveDateTime": lab.taken_on.isoformat(),
            "issued": instant(lab.recorded_at),
            "valueQuantity": quantity(lab.value, lab.unit),
        }
        if lab.low is not None and lab.high is not None:
            resource["referenceRange"] = [
                {"low": quantity(lab.low, lab.unit), "high": quantity(lab.high, lab.unit)}
            ]
            flag = out_of_range(lab.value, lab.low, lab.high, lab.critical_high)
            if flag:
                resource["interpretation"] = [concept(INTERPRETATION, *INTERPRETATIONS[flag])]
        self.add(resource)

    def pregnancy_test(self, t: PregnancyTest) -> None:
        self.seen(t.recorded_at)
        snomed, display, interpretation = PREGNANCY_RESULTS[t.result]
        self.add(
            {
                "resourceType": "Observation",
                "id": resource_id("pregnancy-test", t.id),
                "status": "final",
                "category": _category("laboratory", "Laboratory"),
                "code": concept(LOINC, *PREGNANCY_TEST),
                "subject": ref(self.patient_id),
                "effectiveDateTime": t.taken_on.isoformat(),
                "issued": instant(t.recorded_at),
                "valueCodeableConcept": concept(SNOMED, snomed, display),
                "interpretation": [concept(INTERPRETATION, interpretation, display)],
            }
        )

    def follow_up(self, f: FollowUp) -> None:
        self.seen(f.recorded_at)
        system = self.c.clinic.code_system("isotretinoin-course")
        members = []
        weight_id = resource_id("follow-up", f.id, "weight")
        self.add(
            {
                "resourceType": "Observation",
                "id": weight_id,
                "status": "final",
                "category": _category("vital-signs", "Vital Signs"),
                "code": concept(LOINC, *BODY_WEIGHT),
                "subject": ref(self.patient_id),
                "effectiveDateTime": f.seen_on.isoformat(),
                "valueQuantity": quantity(f.weight_kg, "kg"),
            }
        )
        members.append(ref(weight_id))
        if f.mood_score is not None:
            mood_id = resource_id("follow-up", f.id, "phq9-total")
            self.add(
                {
                    "resourceType": "Observation",
                    "id": mood_id,
                    "status": "final",
                    "category": _category("survey", "Survey"),
                    "code": concept(LOINC, *PHQ9_TOTAL),
                    "subject": ref(self.patient_id),
                    "effectiveDateTime": f.seen_on.isoformat(),
                    "valueInteger": f.mood_score,
                }
            )
            members.append(ref(mood_id))
        components: list[dict[str, Any]] = [
            {
                "code": concept(system, "course-month", "Month of the course"),
                "valueInteger": f.month,
            },
            {
                "code": concept(system, "daily-dose", "Daily isotretinoin dose"),
                "valueQuantity": quantity(f.daily_dose_mg, "mg/d"),
            },
        ]
        components += [
            {
                "code": concept(system, "side-effect", "Side effect reported"),
                "valueCodeableConcept": concept(self.c.clinic.code_system("side-effects"), e),
            }
            for e in f.side_effects
        ]
        components += [
            {
                "code": concept(system, "contraception", "Contraception method confirmed"),
                "valueCodeableConcept": concept(
                    self.c.clinic.code_system("contraception-methods"), m
                ),
            }
            for m in f.contraception
        ]
        if f.sexual_function:
            components.append(
                {
                    "code": concept(system, "sexual-function", "Sexual function"),
                    "valueString": f.sexual_function,
                }
            )
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": resource_id("follow-up", f.id),
            "status": "final",
            "code": concept(system, "monthly-follow-up", "Isotretinoin monthly follow-up"),
            "subject": ref(self.patient_id),
            "effectiveDateTime": f.seen_on.isoformat(),
            "issued": instant(f.recorded_at),
            "hasMember": members,
            "component": components,
        }
        if f.notes:
            resource["note"] = [{"text": f.notes}]
        self.add(resource)

    def completion(self, done: Completion) -> None:
        """The end of a course: a CarePlan for the course (completed, or revoked when stopped
        early, with the reason), the cumulative dose reached, and the post-course pregnancy
        test (when one is due) with its result once taken."""
        self.seen(done.recorded_at)
        clinic = self.c.clinic
        system = clinic.code_system("isotretinoin-course")
        dose_id = resource_id("course-completion", done.id, "cumulative-dose")
        self.add(
            {
                "resourceType": "Observation",
                "id": dose_id,
                "status": "final",
                "code": concept(system, "cumulative-dose", "Cumulative isotretinoin dose"),
                "subject": ref(self.patient_id),
                "effectiveDateTime": done.completed_on.isoformat(),
                "issued": instant(done.recorded_at),
                "valueQuantity": quantity(done.mg_per_kg, "mg/kg"),
            }
        )
        reason = concept(
            clinic.code_system("course-stop-reasons"),
            done.reason,
            done.reason_label,
            done.reason_text or done.reason_label,
        )
        activities: list[dict[str, Any]] = []
        if done.pregnancy_test_due is not None:
            test = self._post_course_test(done)
            activity: dict[str, Any] = {
                "detail": {
                    "kind": "ServiceRequest",
                    "code": concept(LOINC, *PREGNANCY_TEST, text="Post-course pregnancy test"),
                    "status": "completed" if test else "scheduled",
                    "scheduledPeriod": {"start": done.pregnancy_test_due.isoformat()},
                }
            }
            if test is not None:
                activity["outcomeReference"] = [ref(resource_id("pregnancy-test", test.id))]
            activities.append(activity)
        for until, text in (
            (done.contraception_until, "Keep using contraception"),
            (done.no_blood_donation_until, "Do not donate blood"),
            (done.no_cosmetic_procedures_until, "No waxing, laser or dermabrasion"),
        ):
            if until is not None:
                activities.append(
                    {
                        "detail": {
                            "code": {"text": text},
                            "status": "not-started",
                            "scheduledPeriod": {
                                "start": done.completed_on.isoformat(),
                                "end": until.isoformat(),
                            },
                        }
                    }
                )
        plan: dict[str, Any] = {
            "resourceType": "CarePlan",
            "id": resource_id("course-completion", done.id),
            "identifier": [{"system": f"{clinic.base_url}/visit", "value": done.consent_visit_id}],
            "status": "completed" if done.reason == "completed" else "revoked",
            "intent": "plan",
            "category": [concept(system, "isotretinoin-course", "Isotretinoin course")],
            "title": "Isotretinoin course",
            "subject": ref(self.patient_id),
            "period": {
                "start": done.started_on.isoformat(),
                "end": done.completed_on.isoformat(),
            },
            "created": instant(done.recorded_at),
            "supportingInfo": [ref(dose_id)],
            "extension": [
                {
                    "url": f"{clinic.base_url}/StructureDefinition/course-end-reason",
                    "valueCodeableConcept": reason,
                }
            ],
        }
        if activities:
            plan["activity"] = activities
        self.add(plan)

    def _post_course_test(self, done: Completion) -> PregnancyTest | None:
        """The post-course test: a positive one after the last dose, else the first taken on
        or after its due date (as intake.domain.completion.post_course_test_state reads them)."""
        after = sorted(
            (t for t in self.c.pregnancy_tests if t.taken_on > done.completed_on),
            key=lambda t: (t.taken_on, t.id),
        )
        positive = [t for t in after if t.result == "positive"]
        if positive:
            return positive[0]
        due = done.pregnancy_test_due
        return next((t for t in after if due is not None and t.taken_on >= due), None)


def _answers(q: Question, value: Any, clinic: Clinic) -> list[dict[str, Any]]:
    """A stored answer as typed FHIR answers ([] when unanswered)."""
    if value is None or value == "" or value == [] or value == {}:
        return []
    labels = dict(q.options)
    system = clinic.code_system(f"intake-{q.id.replace('_', '-')}")
    if q.type == "multi" or isinstance(value, list | tuple):
        return [
            {"valueCoding": coding(system, str(v), labels.get(str(v), ""))} for v in value if str(v)
        ]
    if q.type == "choice":
        return [{"valueCoding": coding(system, str(value), labels.get(str(value), ""))}]
    if q.type == "date" or isinstance(value, dt.date):
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return [{"valueDate": day.isoformat()}]
    if q.type == "weight" or isinstance(value, Mapping):
        number, unit = (
            (value.get("value"), value.get("unit", "kg"))
            if isinstance(value, Mapping)
            else (value, "kg")
        )
        try:
            amount = float(str(number))
        except ValueError:
            return [{"valueString": str(number)}]
        return [{"valueQuantity": quantity(amount, str(unit))}]
    if isinstance(value, bool):
        return [{"valueBoolean": value}]
    if isinstance(value, int):
        return [{"valueInteger": value}]
    if isinstance(value, float):
        return [{"valueDecimal": value}]
    return [{"valueString": str(value)}]


def build_bundle(course: Course) -> dict[str, Any]:
    """The Bundle as a dict, entries in a fixed order: clinic, patient, visits, then the course."""
    b = _Builder(course)
    b.organization()
    b.patient()
    for v in course.visits:
        b.visit(v)
    for lab in sorted(course.labs, key=lambda x: (x.taken_on, x.id)):
        b.lab(lab)
    for t in sorted(course.pregnancy_tests, key=lambda x: (x.taken_on, x.id)):
        b.pregnancy_test(t)
    for f in sorted(course.follow_ups, key=lambda x: x.month):
        b.follow_up(f)
    for done in sorted(course.completions, key=lambda x: x.id):
        b.completion(done)
    bid = resource_id("bundle", course.scope, course.scope_id)
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": bid,
        "identifier": {"system": URI, "value": full_url(bid)},
        "type": "collection",
        "entry": [{"fullUrl": full_url(rid), "resource": r} for rid, r in b.entries.items()],
    }
    if b.moments:
        bundle["timestamp"] = instant(max(b.moments))
    return bundle


def to_json(bundle: Mapping[str, Any]) -> bytes:
    """Deterministic bytes: sorted keys, two-space indent, UTF-8, one final newline."""
    return (json.dumps(bundle, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode()


def resources_in(bundle: Mapping[str, Any]) -> int:
    return len(bundle.get("entry", ()))


def every_reference(node: Any) -> Sequence[str]:
    """Every ``reference`` string anywhere in a resource tree (for checks)."""
    found: list[str] = []
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(every_reference(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(every_reference(item))
    return found
