"""The clinician records the end of a course; the aftercare dates follow from the programme rule
set; the row is bound to the audit trail; the post-course pregnancy test is recorded after it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import text

from intake.domain.completion import StopReason
from intake.domain.course import OpenDays
from intake.services.audit import AuditService
from intake.services.clinician import ClinicianService
from intake.services.context import Actor
from intake.services.errors import Conflict, InvalidInput, NotAllowed
from intake.services.patients import PatientService
from intake.services.scripted import (
    ScriptedPatient,
    countersign_consent,
    ensure_staff,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.store.models import CourseCompletion, Visit


def _doctor(ctx) -> Actor:  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))


def _patient_of(ctx, visit_id: str) -> int:  # type: ignore[no-untyped-def]
    with ctx.db.session() as s:
        return s.get(Visit, visit_id).patient_id


def _open_days(ctx) -> OpenDays:  # type: ignore[no-untyped-def]
    clinic = ctx.forms.clinic
    return OpenDays(frozenset(clinic.open_weekdays), frozenset(clinic.closures))


def _course(ctx, patient: ScriptedPatient | None = None):  # type: ignore[no-untyped-def]
    vid, _kiosk, _ = walk_visit(ctx, patient or ScriptedPatient())
    doctor = _doctor(ctx)
    countersign_consent(ctx, doctor, vid)
    pid = _patient_of(ctx, vid)
    clinician = ClinicianService(ctx)
    today = ctx.today()
    for month in (1, 2):
        clinician.record_follow_up(doctor, pid, month, seen_on=today, weight=60, daily_dose_mg=60)
    return vid, doctor, pid, clinician


def test_completion_gives_the_us_dates_and_the_dose_the_follow_ups_add_up_to(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, doctor, pid, clinician = _course(ctx)
    today = ctx.today()
    row = clinician.record_completion(doctor, pid, today.isoformat())
    assert row.consent_visit_id == vid and row.reason is StopReason.COMPLETED
    assert row.mg_per_kg == 60.0  # 2 months x 30 days x 60 mg / 60 kg
    assert row.aftercare.ruleset_id == "us-ipledge-2026"
    # The test falls on the next day the clinic is open; the "until" dates are exact.
    assert row.aftercare.pregnancy_test_due == _open_days(ctx).next_open(
        today + dt.timedelta(days=30)
    )
    assert row.aftercare.contraception_until == today + dt.timedelta(days=30)
    assert row.aftercare.no_blood_donation_until == today + dt.timedelta(days=30)
    assert row.aftercare.no_cosmetic_procedures_until == today + dt.timedelta(days=180)
    assert (row.post_course_test, row.by) == ("due", "Dr Ana Ruiz")
    view = clinician.course(doctor, pid)
    assert view.completion == row and view.collect_by is None
    assert AuditService(ctx).verify().intact


def test_an_early_stop_keeps_its_reason_and_a_patient_who_cannot_become_pregnant_no_test(
    ctx,
) -> None:  # type: ignore[no-untyped-def]
    _vid, doctor, pid, clinician = _course(
        ctx, ScriptedPatient(sex_at_birth="male", can_become_pregnant=False, first_name="Leo")
    )
    row = clinician.record_completion(
        doctor, pid, ctx.today(), StopReason.MOOD, "low mood at month 2", mg_per_kg="58.5"
    )
    assert (row.stopped_early, row.mg_per_kg, row.reason_text) == (
        True,
        58.5,
        "low mood at month 2",
    )
    assert row.aftercare.pregnancy_test_due is None and row.post_course_test == ""


def test_completion_is_refused_twice_without_consent_and_to_other_roles(ctx) -> None:  # type: ignore[no-untyped-def]
    _vid, doctor, pid, clinician = _course(ctx)
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    admin = staff_actor(ensure_staff(ctx, "admin", "boss", "Clinic Boss"))
    for other_role in (desk, admin):  # only a clinician records the end of a course
        with pytest.raises(NotAllowed):
            clinician.record_completion(other_role, pid, ctx.today())
    with pytest.raises(InvalidInput) as bad:
        clinician.record_completion(doctor, pid, ctx.today(), "other", "  ")
    assert set(bad.value.errors) == {"reason_text"}
    with pytest.raises(InvalidInput) as future:
        clinician.record_completion(doctor, pid, ctx.today() + dt.timedelta(days=1))
    assert set(future.value.errors) == {"completed_on"}
    clinician.record_completion(doctor, pid, ctx.today())
    with pytest.raises(Conflict, match="already recorded"):
        clinician.record_completion(doctor, pid, ctx.today())
    with ctx.db.session() as s:
        assert s.query(CourseCompletion).count() == 1
    other = PatientService(ctx).register(
        doctor,
        first_name="Nadia",
        last_name="Okafor",
        date_of_birth="1998-02-03",
        sex_at_birth="female",
    )
    with pytest.raises(Conflict, match="no signed consent"):
        clinician.record_completion(doctor, other.id, ctx.today())


def test_the_board_shows_the_course_completed_and_the_post_course_test(ctx) -> None:  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    from intake.services.visits import VisitService

    # Noon yesterday at the clinic: 20 hours later is the next day, still on the day's board.
    zone = ZoneInfo(ctx.forms.clinic.timezone)
    noon = dt.datetime.combine(ctx.today() - dt.timedelta(days=1), dt.time(12), zone)
    ctx.clock = lambda: noon
    vid, doctor, pid, clinician = _course(ctx)
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))

    def row():  # type: ignore[no-untyped-def]
        return next(r for r in VisitService(ctx).board(desk) if r.visit_id == vid)

    assert (row().course_end, row().post_course_test_due) == (None, None)
    done = clinician.record_completion(doctor, pid, ctx.today())
    assert (row().course_end, row().post_course_test_due) == (
        "due",
        done.aftercare.pregnancy_test_due,
    )
    next_morning = noon + dt.timedelta(hours=20)
    ctx.clock = lambda: next_morning
    # A test the day after the last dose is recorded, but the post-course test is still due.
    clinician.record_post_course_test(doctor, pid, ctx.today(), "negative")
    assert (row().course_end, row().post_course_test_due) == (
        "due",
        done.aftercare.pregnancy_test_due,
    )


def test_a_signed_visit_after_the_completion_begins_a_new_course(ctx) -> None:  # type: ignore[no-untyped-def]
    first_vid, doctor, pid, clinician = _course(ctx)
    first = clinician.record_completion(doctor, pid, ctx.today())
    later = ctx.now() + dt.timedelta(days=200)
    ctx.clock = lambda: later
    assert clinician.course(doctor, pid).completion == dataclasses.replace(
        first, post_course_test="overdue"
    )
    second_vid, _kiosk, _ = walk_visit(ctx, ScriptedPatient(), patient_id=pid)
    assert clinician.course(doctor, pid).completion is None
    with pytest.raises(Conflict, match="not countersigned"):  # the new consent is not yet
        clinician.record_completion(doctor, pid, ctx.today(), "patient_choice")
    countersign_consent(ctx, doctor, second_vid)
    second = clinician.record_completion(doctor, pid, ctx.today(), "patient_choice")
    assert (first.consent_visit_id, second.consent_visit_id) == (first_vid, second_vid)
    assert clinician.course(doctor, pid).completion == second


def test_the_post_course_test_is_due_overdue_then_recorded(ctx) -> None:  # type: ignore[no-untyped-def]
    _vid, doctor, pid, clinician = _course(ctx)
    finished = ctx.today()
    due = clinician.record_completion(doctor, pid, finished).aftercare.pregnancy_test_due
    with pytest.raises(InvalidInput, match="after the last dose"):
        clinician.record_post_course_test(doctor, pid, finished, "negative")
    later = ctx.now() + (due - finished) + dt.timedelta(days=2)
    ctx.clock = lambda: later
    assert clinician.course(doctor, pid).completion.post_course_test == "overdue"
    test = clinician.record_post_course_test(doctor, pid, due + dt.timedelta(days=1), "negative")
    assert test.course_month == 3  # after the two months of the course
    assert clinician.course(doctor, pid).completion.post_course_test == "negative"


def test_a_test_taken_before_its_due_date_is_recorded_but_the_test_stays_due(ctx) -> None:  # type: ignore[no-untyped-def]
    _vid, doctor, pid, clinician = _course(ctx)
    finished = ctx.today()
    done = clinician.record_completion(doctor, pid, finished)
    start = ctx.now()
    ctx.clock = lambda: start + dt.timedelta(days=1)
    early = clinician.record_post_course_test(doctor, pid, ctx.today(), "negative")
    assert early.taken_on == finished + dt.timedelta(days=1)
    assert any(t.id == early.id for t in clinician.course(doctor, pid).pregnancy_tests)
    assert clinician.course(doctor, pid).completion.post_course_test == "due"
    due = done.aftercare.pregnancy_test_due
    assert due is not None and due >= finished + dt.timedelta(days=30)
    ctx.clock = lambda: start + (due - finished) + dt.timedelta(days=1)
    assert clinician.course(doctor, pid).completion.post_course_test == "overdue"
    clinician.record_post_course_test(doctor, pid, ctx.today(), "negative")
    assert clinician.course(doctor, pid).completion.post_course_test == "negative"


@pytest.mark.parametrize(
    ("statement", "said"),
    [
        # A course made to look complete at the target dose.
        ("UPDATE course_completions SET mg_per_kg = 150", "changed after it was recorded"),
        # The post-course test date moved away.
        ("UPDATE course_completions SET pregnancy_test_due = NULL", "changed after it was"),
        ("DELETE FROM course_completions", "no longer stored"),
    ],
)
def test_a_completion_changed_in_the_database_is_caught(ctx, statement, said) -> None:  # type: ignore[no-untyped-def]
    from intake.services.documents import DocumentService
    from intake.services.errors import RecordMismatch
    from intake.services.row_digests import clinical_problems

    _vid, doctor, pid, clinician = _course(ctx)
    clinician.record_completion(doctor, pid, ctx.today())
    with pytest.raises(Exception, match="append-only"), ctx.db.engine.begin() as conn:
        conn.execute(text(statement))
    with ctx.db.engine.begin() as conn:
        if ctx.db.dialect == "postgresql":
            conn.execute(
                text("DROP TRIGGER trg_course_completions_append_only ON course_completions")
            )
        else:
            conn.execute(text("DROP TRIGGER trg_course_completions_no_update"))
            conn.execute(text("DROP TRIGGER trg_course_completions_no_delete"))
        conn.execute(text(statement))
    report = AuditService(ctx).verify()
    assert not report.intact
    with ctx.db.session() as s:
        problems = clinical_problems(s, pid)
    assert len(problems) == 1 and problems[0].startswith("course_completions 1: ")
    assert said in problems[0]
    if "DELETE" not in statement:
        # Nothing is issued from a tampered completion.
        with pytest.raises(RecordMismatch):
            DocumentService(ctx).issue_aftercare(doctor, pid)


def test_the_aftercare_packet_is_sealed_stored_once_and_verifies(ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from intake.documents.signing import embedded_document_id
    from intake.services.documents import DocumentService
    from intake.services.records import document_id

    vid, doctor, pid, clinician = _course(ctx)
    docs = DocumentService(ctx)
    with pytest.raises(Conflict, match="end of the course first"):
        docs.issue_aftercare(doctor, pid)
    clinician.record_completion(doctor, pid, ctx.today())
    info = docs.issue_aftercare(doctor, pid)
    assert (info.kind, info.issue, info.visit_id) == ("aftercare", 1, vid)
    assert docs.issue_aftercare(doctor, pid) == info  # once
    pdf = docs.open_pdf(doctor, info.id, "export")
    assert embedded_document_id(pdf) == info.id == document_id(vid, "aftercare", 1)
    outcome = docs.verify_bytes(pdf)
    assert outcome.valid, outcome.reason
    assert "matches stored aftercare issue 1" in outcome.reason
    assert AuditService(ctx).verify().intact


def test_a_consent_not_countersigned_yet_has_no_course_to_complete(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _kiosk, _ = walk_visit(ctx, ScriptedPatient())
    doctor = _doctor(ctx)
    pid = _patient_of(ctx, vid)
    clinician = ClinicianService(ctx)
    with pytest.raises(Conflict, match="not countersigned yet: countersign it before"):
        clinician.record_completion(doctor, pid, ctx.today())
    assert clinician.course(doctor, pid).completion is None
    with ctx.db.session() as s:
        assert s.query(CourseCompletion).count() == 0
    countersign_consent(ctx, doctor, vid)
    assert clinician.record_completion(doctor, pid, ctx.today()).consent_visit_id == vid


@pytest.mark.parametrize(
    ("patient", "confirmed"),
    [
        # Answered "can become pregnant"; the clinician confirms she cannot (hysterectomy).
        (ScriptedPatient(), False),
        # Answered "cannot"; the clinician confirms she can.
        (ScriptedPatient(can_become_pregnant=False, first_name="Ines"), True),
    ],
)
def test_the_packet_follows_the_clinicians_confirmation_not_the_answers(
    ctx, patient, confirmed
) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    from intake.services.documents import DocumentService

    if not patient.can_become_pregnant:
        # Her answer is confirmed before the countersignature, and corrected later.
        vid, _kiosk, _ = walk_visit(ctx, patient)
        doctor, pid, clinician = _doctor(ctx), _patient_of(ctx, vid), ClinicianService(ctx)
        clinician.confirm_pregnancy_status(doctor, pid, False, "as she answered")
        countersign_consent(ctx, doctor, vid)
    else:
        _vid, doctor, pid, clinician = _course(ctx, patient)
    clinician.confirm_pregnancy_status(doctor, pid, confirmed, "confirmed at the last visit")
    row = clinician.record_completion(doctor, pid, ctx.today())
    assert (row.aftercare.pregnancy_test_due is not None) is confirmed
    docs = DocumentService(ctx)
    pdf = docs.open_pdf(doctor, docs.issue_aftercare(doctor, pid).id, "export")
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages
    )
    assert ("Pregnancy: the next weeks" in text) is confirmed
    assert ("contraception" in text.lower()) is confirmed
    if confirmed:
        due = row.aftercare.pregnancy_test_due
        assert f"pregnancy test on {due.strftime('%A')} {due.day} " in text
        assert "until ." not in text and "test on ." not in text
