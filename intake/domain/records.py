"""Plain, immutable records passed between services, documents and the UI.

The documents layer renders these; the services build them from storage. Times are UTC-aware
datetimes; the clinic time zone is applied only when a time is shown to a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# Field metadata: a field that only helps to show the record, left out of its fingerprint.
UNSIGNED = {"fingerprint": False}
# Field metadata: in the fingerprint only when it differs from its default, so that records made
# before the field existed (and every record where it is not set) keep their fingerprints.
SIGNED_WHEN_SET = {"fingerprint": "when_set"}
WHEN_SET = SIGNED_WHEN_SET

Point = tuple[float, float]
Stroke = tuple[Point, ...]

SIGNATURE_MEANINGS = {
    "patient": "consent signature",
    "guardian": "guardian consent",
    "clinician": "prescriber attestation",
}
# What the patient's signature on a monthly check-in means, and a minor's guardian's beside it.
CHECKIN_MEANING = "monthly check-in attestation"
CHECKIN_GUARDIAN_MEANING = "guardian monthly check-in attestation"


@dataclass(frozen=True)
class PatientInfo:
    record_number: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex_at_birth: str = ""
    preferred_name: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class AcknowledgementRecord:
    statement_id: str
    by: str  # "patient" or "guardian"
    initials: str
    at: dt.datetime
    # Read aloud to the person at the kiosk ("Listen"): they listened rather than read.
    read_aloud: bool = field(default=False, metadata=SIGNED_WHEN_SET)


@dataclass(frozen=True)
class QuizAnswerRecord:
    question_id: str
    chosen: str
    correct: bool
    at: dt.datetime


@dataclass(frozen=True)
class SignatureRecord:
    """A drawn signature: strokes in the pad's own coordinates (width x height, y downwards)."""

    role: str  # "patient" | "guardian" | "clinician"
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    strokes: tuple[Stroke, ...]
    pad_width: float
    pad_height: float
    relationship: str = ""
    station: str = ""
    method: str = "drawn"  # "drawn" on the pad, or "typed" from the keyboard
    # Countersignature only: (flag id, English text, Spanish text) of each serious flag the
    # prescriber ticked as reviewed before signing.
    reviewed: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Phq9Result:
    answers: tuple[int, ...]  # nine values 0..3
    total: int
    band: str  # band id, e.g. "moderate"
    item9_positive: bool
    difficulty: str = ""


@dataclass(frozen=True)
class Flag:
    id: str
    severity: str  # "alert" (act this visit) or "warning" (review)
    text: str  # English clinician-facing text
    text_es: str = ""  # kept for stored review ticks; any language: flags.worded()
    # Serious enough that the countersigning dermatologist ticks it as reviewed, one by one.
    must_review: bool = False
    # The catalogue message (resources/messages/flags.*.toml) and its arguments, when worded
    # through it: flags.worded() gives the flag in any language. A way of wording what
    # text/text_es already say, so not part of the record's fingerprint.
    msg: str = field(default="", metadata=UNSIGNED)
    args: tuple[tuple[str, object], ...] = field(default=(), metadata=UNSIGNED)


@dataclass(frozen=True)
class AlertReleaseRecord:
    """A member of staff released a visit paused for ``reason`` (e.g. "item9"), with a note."""

    reason: str
    note: str
    released_by: str  # the staff member's name as it was then
    role: str  # front_desk | clinician | admin
    released_at: dt.datetime
    station: str = ""


@dataclass(frozen=True)
class ReconsentRecord:
    """A re-consent: the consent it renews, and which statements it asked again or carried over."""

    renews_visit_id: str
    renews_document_id: str  # the renewed consent's document id
    renews_date: dt.date  # the date of the consent it renews
    previous_versions: tuple[tuple[str, str], ...]  # (form id, version) of the renewed consent
    reasons: tuple[str, ...]  # "form_changed", "turned_18"
    new: tuple[str, ...]
    changed: tuple[str, ...]
    carried_over: tuple[str, ...]
    dropped: tuple[str, ...] = ()

    def previous_version(self, form_id: str) -> str:
        return dict(self.previous_versions).get(form_id, "")


@dataclass(frozen=True)
class ConsentRecord:
    """Everything a consent, an education packet and an intake summary are made from."""

    document_id: str  # stable id printed on every page of the documents made from this record
    visit_id: str
    lang: str
    patient: PatientInfo
    visit_date: dt.date
    created_at: dt.datetime  # the record's own time; used as the PDF creation date
    answers: dict[str, Any]
    can_become_pregnant: bool
    is_minor: bool
    statement_ids: tuple[str, ...]  # the statements that applied, in form order
    acknowledgements: tuple[AcknowledgementRecord, ...]
    quiz: tuple[QuizAnswerRecord, ...]
    quiz_passed: bool
    signatures: tuple[SignatureRecord, ...]
    phq9: Phq9Result | None
    flags: tuple[Flag, ...]
    form_versions: dict[str, tuple[str, str]]  # form id -> (version, sha256)
    ruleset_id: str
    dermatologist: str = ""
    supersedes: str = ""  # document id of an earlier version this one replaces
    course_visits: tuple[dt.date, ...] = field(default=())
    alert_releases: tuple[AlertReleaseRecord, ...] = ()
    # A re-consent (statement_ids then holds only the new and changed statements); None otherwise.
    reconsent: ReconsentRecord | None = field(default=None, metadata=WHEN_SET)
    # A monthly check-in's record says so (first-visit records keep their fingerprints).
    visit_kind: str = field(default="first_visit", metadata=SIGNED_WHEN_SET)
    course_month: int | None = field(default=None, metadata=SIGNED_WHEN_SET)

    def signature(self, role: str) -> SignatureRecord | None:
        for s in self.signatures:
            if s.role == role:
                return s
        return None

    def acknowledgement(self, statement_id: str, by: str) -> AcknowledgementRecord | None:
        for a in self.acknowledgements:
            if a.statement_id == statement_id and a.by == by:
                return a
        return None
