"""Typed SQLAlchemy 2.0 models.

Records that came from a person carry who (``actor``) and which station (``station``).
Times are stored as UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # Printed before the name where documents name the clinician ("Dr", "Dra."); may be "".
    title: Mapped[str] = mapped_column(String(20), default="", server_default="")
    role: Mapped[str] = mapped_column(String(20))  # front_desk | clinician | admin
    secret_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))
    # Made by `main.py demo`: such an account cannot sign in.
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The account's current hour of lock-outs: when it began, and the seconds locked in it.
    lock_window_start: Mapped[dt.datetime | None]
    lock_window_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Patient(Base):
    __tablename__ = "patients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_number: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    preferred_name: Mapped[str] = mapped_column(String(60), default="")
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    sex_at_birth: Mapped[str] = mapped_column(String(12), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    lang: Mapped[str] = mapped_column(String(2), default="en")
    # Lower-case, accent-free "last first" for prefix search; kept by the service.
    search_name: Mapped[str] = mapped_column(String(130))
    search_alt: Mapped[str] = mapped_column(String(130))  # "first last", for the other order
    version: Mapped[int] = mapped_column(Integer, default=1)
    demo: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )  # a synthetic patient of `main.py demo`
    created_at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index(
            "ix_patients_search_name",
            "search_name",
            postgresql_ops={"search_name": "varchar_pattern_ops"},
        ),
        Index(
            "ix_patients_search_alt",
            "search_alt",
            postgresql_ops={"search_alt": "varchar_pattern_ops"},
        ),
        Index(
            "ix_patients_record_number_prefix",
            "record_number",
            postgresql_ops={"record_number": "varchar_pattern_ops"},
        ),
        Index("ix_patients_last_first", "last_name", "first_name"),
        Index("ix_patients_date_of_birth", "date_of_birth"),
    )


class NameKey(Base):
    """The words of every patient's name, findable with one typo: (deletion key, word) pairs.

    A vocabulary, not an index of patients: it says which name words exist, so a search for
    "nguen" can look for "nguyen" through the patients' own name indexes. Kept by the patient
    service as names are registered or corrected; see intake.domain.names.
    """

    __tablename__ = "name_keys"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    word: Mapped[str] = mapped_column(String(40), primary_key=True)


class PatientVersion(Base):
    """Every version of a patient's details: a correction never silently overwrites."""

    __tablename__ = "patient_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict[str, Any]]
    reason: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))
    __table_args__ = (UniqueConstraint("patient_id", "version"),)


class Visit(Base):
    __tablename__ = "visits"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    status: Mapped[str] = mapped_column(
        String(16), default="draft", index=True
    )  # draft | submitted | countersigned | abandoned
    lang: Mapped[str] = mapped_column(String(2), default="en")
    # first_visit | checkin (intake.domain.kinds.VisitKind)
    kind: Mapped[str] = mapped_column(
        String(16), default="first_visit", server_default="first_visit"
    )
    course_month: Mapped[int | None] = mapped_column(Integer, nullable=True)  # check-ins only
    visit_date: Mapped[dt.date] = mapped_column(Date)
    code_hash: Mapped[str] = mapped_column(String(64), default="")
    code_expires: Mapped[dt.datetime | None]
    page: Mapped[str] = mapped_column(
        String(40), default="welcome"
    )  # last saved page, for resume and the status board
    kiosk_station: Mapped[str] = mapped_column(String(60), default="")
    # When the kiosk let go of the unfinished visit (idle wipe, closed); None while it holds it.
    kiosk_released_at: Mapped[dt.datetime | None]
    needs_staff: Mapped[str] = mapped_column(
        String(40), default=""
    )  # "" or a reason code, e.g. "item9"
    form_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ruleset_id: Mapped[str] = mapped_column(String(40), default="")
    quiz_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    phq9: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    record_sha256: Mapped[str] = mapped_column(String(64), default="")
    abandon_reason: Mapped[str] = mapped_column(String(200), default="")  # why staff abandoned it
    corrects_visit_id: Mapped[str | None] = mapped_column(ForeignKey("visits.id"), nullable=True)
    # The dermatologist named on the documents until one countersigns (an active clinician).
    dermatologist_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id"), nullable=True
    )
    # Content hash of each risk statement of the form the visit started on (id -> SHA-256);
    # None for visits started before revision 0017.
    statement_hashes: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # A re-consent: the consent it renews and, from the first signature, what was asked again
    # and carried over; a visit told of minor changes only: {"notice": ...}, what it shows
    # (see intake.domain.reconsent); None for any other visit.
    reconsent: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    started_at: Mapped[dt.datetime]
    submitted_at: Mapped[dt.datetime | None]
    countersigned_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The status board: today's visits, newest activity first.
        Index("ix_visits_updated_at", "updated_at"),
        # The dermatologist's queue: submitted visits, longest waiting first, paged.
        Index("ix_visits_status_submitted_at_id", "status", "submitted_at", "id"),
    )


class AlertRelease(Base):
    """Append-only: a member of staff released a paused visit (e.g. a positive mood screen).

    Who (name and role as they were), when, where, and the short note they wrote.
    """

    __tablename__ = "alert_releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))  # the needs_staff reason, e.g. "item9"
    note: Mapped[str] = mapped_column(String(200))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    released_by: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    released_at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))


class Answer(Base):
    __tablename__ = "answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[dict[str, Any]]  # {"v": value}; dates as ISO strings
    answered_at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))
    __table_args__ = (UniqueConstraint("visit_id", "question_id"),)


class Acknowledgement(Base):
    """Append-only: a re-acknowledgement after a wrong quiz answer is a new row."""

    __tablename__ = "acknowledgements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    statement_id: Mapped[str] = mapped_column(String(60))
    by_role: Mapped[str] = mapped_column(String(10))  # patient | guardian
    initials: Mapped[str] = mapped_column(String(8))
    at: Mapped[dt.datetime]
    page_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))
    # The statement was read aloud to the person at the kiosk (they listened, not read).
    read_aloud: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class QuizAnswer(Base):
    __tablename__ = "quiz_answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(60))
    chosen: Mapped[str] = mapped_column(String(10))
    correct: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))


class Signature(Base):
    __tablename__ = "signatures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # patient | guardian | clinician
    printed_name: Mapped[str] = mapped_column(String(130))
    relationship: Mapped[str] = mapped_column(String(60), default="")
    meaning: Mapped[str] = mapped_column(String(60))
    signed_at: Mapped[dt.datetime]
    strokes: Mapped[list[Any]]
    pad_width: Mapped[float] = mapped_column(Float)
    pad_height: Mapped[float] = mapped_column(Float)
    # SHA-256 of the record content the signature was given for: binds it to that record.
    record_sha256: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(
        String(10), default="drawn", server_default="drawn"
    )  # drawn | typed
    # The prescriber's attestation: each serious flag ticked as reviewed, as it read when signed
    # ({"flag": id, "text": English, "text_es": Spanish}); empty for the patient and guardian.
    reviewed: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))
    __table_args__ = (UniqueConstraint("visit_id", "role"),)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # consent | education | summary | checklist
    issue: Mapped[int] = mapped_column(Integer, default=1)
    form_id: Mapped[str] = mapped_column(String(40))
    form_version: Mapped[str] = mapped_column(String(20))
    form_sha256: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(2))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # SHA-256 of the record drawn (its first 12 hex digits are the printed fingerprint); NULL
    # for documents issued before revision 0012.
    record_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), nullable=True)
    created_at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))
    # Sealed B-B because the time-stamping authority gave no token: a DocumentTimestamp
    # follows once it does (see ``main.py timestamp pending``).
    timestamp_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    __table_args__ = (UniqueConstraint("visit_id", "kind", "issue"),)


class DocumentTimestamp(Base):
    """A document's file with an RFC 3161 document timestamp appended: its current version.

    The document row keeps the file as sealed; this row (append-only, one per document) holds
    the same bytes plus the timestamp's incremental update, and their SHA-256.
    """

    __tablename__ = "document_timestamps"
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))


class PregnancyStatus(Base):
    """A clinician's confirmation or correction of 'can become pregnant' (append-only)."""

    __tablename__ = "pregnancy_status"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    can_become_pregnant: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))


class LabResult(Base):
    __tablename__ = "lab_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    test: Mapped[str] = mapped_column(String(20))  # alt | ast | cholesterol | triglycerides
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(12))
    taken_on: Mapped[dt.date] = mapped_column(Date)
    course_month: Mapped[int] = mapped_column(Integer, default=0)  # 0 = baseline
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))


class PregnancyTest(Base):
    __tablename__ = "pregnancy_tests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    taken_on: Mapped[dt.date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(10))  # negative | positive
    course_month: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))


class FollowUp(Base):
    __tablename__ = "follow_ups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    month: Mapped[int] = mapped_column(Integer)
    seen_on: Mapped[dt.date] = mapped_column(Date)
    weight_kg: Mapped[float] = mapped_column(Float)
    daily_dose_mg: Mapped[float] = mapped_column(Float)
    side_effects: Mapped[list[Any]]
    mood_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sexual_function: Mapped[str] = mapped_column(String(200), default="")
    contraception: Mapped[list[Any]]
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("patient_id", "month"),)


class CourseCompletion(Base):
    """Append-only: the clinician recorded the end of the course that a consent began, and the
    aftercare dates the patient was given (from the rule set ``ruleset_id``)."""

    __tablename__ = "course_completions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    # The consent visit whose course ended: one completion per course.
    consent_visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), unique=True)
    completed_on: Mapped[dt.date] = mapped_column(Date)  # the day of the last dose
    mg_per_kg: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(20))  # intake.domain.completion.StopReason
    reason_text: Mapped[str] = mapped_column(String(500), default="")
    ruleset_id: Mapped[str] = mapped_column(String(40))
    can_become_pregnant: Mapped[bool] = mapped_column(Boolean)
    pregnancy_test_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    contraception_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    no_blood_donation_until: Mapped[dt.date] = mapped_column(Date)
    no_cosmetic_procedures_until: Mapped[dt.date] = mapped_column(Date)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))


class FormSnapshot(Base):
    """Append-only: a form's content as a visit used it (``intake.forms.snapshot``), kept under
    the SHA-256 of that content, so a signed record is shown as signed after the form changes."""

    __tablename__ = "form_snapshots"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    # The form's own hash (FormMeta.sha256), as a visit's form_versions records it.
    form_sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    __table_args__ = (UniqueConstraint("form_id", "form_sha256"),)


class CodeAttempt(Base):
    """A wrong visit code typed at a kiosk, kept for a day to throttle guessing.

    Keyed by an HMAC of the date of birth (``InstallationSecret`` "code_attempts"), never the date
    itself, and never the code that was typed.
    """

    __tablename__ = "code_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dob_key: Mapped[str] = mapped_column(String(64), index=True)
    station: Mapped[str] = mapped_column(String(60))
    at: Mapped[dt.datetime] = mapped_column(index=True)


class InstallationSecret(Base):
    """Random keys made once per installation (one database, every station shares them)."""

    __tablename__ = "installation_secrets"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class AuditEvent(Base):
    """Append-only, hash-chained: each event holds the hash of the one before it."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(60))
    station: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]]  # never patient data: ids, counts, reasons
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # A record's events (its signatures, its issue), as verify and countersign look them up.
    __table_args__ = (
        Index("ix_audit_events_entity_entity_id", "entity", "entity_id"),
        # An account's latest change (checked at every service call), past its sign-ins.
        Index(
            "ix_audit_events_entity_entity_id_action_seq", "entity", "entity_id", "action", "seq"
        ),
    )


class AuditHead(Base):
    """The last event's seq and hash, kept with each append: a deleted tail is detected.

    ``signature`` is the clinic key's signature over (seq, hash), made at the end of each unit
    of work that appended (base64; "" while unsigned); ``signer`` is the SHA-256 fingerprint of
    the certificate it verifies with. Without the key, a rewritten or shortened chain cannot be
    given a head that verifies.
    """

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text, default="", server_default="")
    signer: Mapped[str] = mapped_column(String(64), default="", server_default="")
