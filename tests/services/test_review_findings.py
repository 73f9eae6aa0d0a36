"""Safety rules found in review: the signed record stands, alerts stick, windows close."""

from __future__ import annotations

import datetime as dt

import pytest

from intake.domain.validation import initials, name
from intake.services.clinician import ClinicianService
from intake.services.context import Actor
from intake.services.documents import DocumentService
from intake.services.errors import InvalidInput, Locked, NotAllowed, ServiceError
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import StaffService, staff_actor
from intake.services.visits import VisitService
from intake.store.models import AuditEvent


def _doctor(ctx):  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))


def test_a_later_confirmation_does_not_rewrite_the_signed_statements(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(
        sqlite_ctx, ScriptedPatient(first_name="Leo", last_name="Park", sex_at_birth="male")
    )
    doctor = _doctor(sqlite_ctx)
    clinician = ClinicianService(sqlite_ctx)
    before = clinician.review(doctor, vid).record
    patient_id = VisitService(sqlite_ctx).board(doctor)[0].patient_id
    clinician.confirm_pregnancy_status(doctor, patient_id, True, "intersex; clinician review")
    after = clinician.review(doctor, vid).record
    assert after.statement_ids == before.statement_ids
    assert "pregnancy_unacknowledged" in {f.id for f in after.flags}
    with pytest.raises(InvalidInput) as err:
        DocumentService(sqlite_ctx).countersign(
            doctor, vid, "Dr Ana Ruiz", signature_strokes(), 600, 200, secret=STAFF_PIN
        )
    assert "correction" in err.value.errors["visit"]


def test_a_reported_cannot_needs_a_clinician_before_countersigning(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _, _ = walk_visit(sqlite_ctx, ScriptedPatient(can_become_pregnant=False))
    doctor = _doctor(sqlite_ctx)
    review = ClinicianService(sqlite_ctx).review(doctor, vid)
    assert "pregnancy_unconfirmed" in {f.id for f in review.record.flags}
    with pytest.raises(InvalidInput):
        DocumentService(sqlite_ctx).countersign(
            doctor, vid, "Dr Ana Ruiz", signature_strokes(), 600, 200, secret=STAFF_PIN
        )
    patient_id = VisitService(sqlite_ctx).board(doctor)[0].patient_id
    ClinicianService(sqlite_ctx).confirm_pregnancy_status(
        doctor, patient_id, False, "post-menopausal, confirmed"
    )
    doc = DocumentService(sqlite_ctx).countersign(
        doctor, vid, "Ana Ruiz", signature_strokes(), 600, 200, secret=STAFF_PIN
    )
    assert doc.issue >= 1


def test_the_countersignature_carries_the_signed_in_clinician(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    doctor = _doctor(sqlite_ctx)
    with pytest.raises(InvalidInput):
        DocumentService(sqlite_ctx).countersign(
            doctor, vid, "Somebody Else", signature_strokes(), 600, 200, secret=STAFF_PIN
        )
    with pytest.raises(InvalidInput):
        DocumentService(sqlite_ctx).countersign(
            doctor, vid, "", signature_strokes(), 600, 200, secret=STAFF_PIN
        )
    DocumentService(sqlite_ctx).countersign(
        doctor,
        vid,
        "ana ruiz",
        signature_strokes(),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=review_everything(sqlite_ctx, doctor, vid),
    )
    assert (
        ClinicianService(sqlite_ctx).review(doctor, vid).record.signature("clinician").printed_name
        == "Dr Ana Ruiz"
    )


def test_no_collection_window_after_a_positive_test(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    walk_visit(sqlite_ctx, ScriptedPatient())
    doctor = _doctor(sqlite_ctx)
    patient_id = VisitService(sqlite_ctx).board(doctor)[0].patient_id
    clinician = ClinicianService(sqlite_ctx)
    today = sqlite_ctx.today()
    clinician.record_pregnancy_test(doctor, patient_id, today - dt.timedelta(days=2), "negative", 1)
    assert clinician.course(doctor, patient_id).collect_by == today + dt.timedelta(days=5)
    clinician.record_pregnancy_test(doctor, patient_id, today, "positive", 1)
    assert clinician.course(doctor, patient_id).collect_by is None


def test_the_quiz_result_on_the_record_is_right_after_a_retest(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(), sign=False)
    visits = VisitService(sqlite_ctx)
    q = sqlite_ctx.forms.quiz.questions[0]
    visits.answer_quiz(kiosk, vid, q.id, next(c.id for c in q.choices if c.id != q.answer))
    visits.answer_quiz(kiosk, vid, q.id, q.answer)
    for sid in q.tests:
        visits.acknowledge(kiosk, vid, sid, "patient", "ZN")
    assert visits.sign(kiosk, vid, "patient", "Zoë Nguyễn", signature_strokes(), 600, 200).submitted
    assert ClinicianService(sqlite_ctx).review(_doctor(sqlite_ctx), vid).record.quiz_passed is True


def test_an_item9_alert_stays_on_the_record(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(
        sqlite_ctx, ScriptedPatient(phq9=(0, 0, 0, 0, 0, 0, 0, 0, 2)), sign=False
    )
    VisitService(sqlite_ctx).save_phq9(kiosk, vid, [0] * 9)  # the patient went back and changed it
    VisitService(sqlite_ctx).sign(
        kiosk, vid, "patient", "Zoë Nguyễn", signature_strokes(), 600, 200
    )
    flags = {
        f.id for f in ClinicianService(sqlite_ctx).review(_doctor(sqlite_ctx), vid).record.flags
    }
    assert "item9" in flags


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("AGL", "Ana", "García López"),
        ("AG", "Ana", "García López"),
        ("JC", "Juan", "de la Cruz"),
        ("JMG", "José", "García"),
    ],
)
def test_spanish_double_surnames_and_particles(typed: str, first: str, last: str) -> None:
    assert initials(typed, first, last) == typed


def test_names_typed_with_a_spanish_keyboard_apostrophe() -> None:
    assert name("O´Brien") == "O´Brien"


def test_a_failed_login_never_records_what_was_typed(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.errors import LoginFailed

    with pytest.raises(LoginFailed):
        StaffService(sqlite_ctx).login("4711", "x")
    with sqlite_ctx.db.session() as s:
        entities = [
            e.entity_id for e in s.query(AuditEvent).filter(AuditEvent.action == "login_failed")
        ]
    assert entities == ["-"]


def test_database_errors_never_carry_patient_values(sqlite_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(), sign=False)
    with sqlite_ctx.db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER t_fail BEFORE UPDATE ON answers BEGIN SELECT RAISE(FAIL, 'disk trouble'); END"
            )
        )
    with pytest.raises(ServiceError) as err:
        VisitService(sqlite_ctx).save_page(
            kiosk,
            vid,
            "identity",
            dict(ScriptedPatient().page_answers()["identity"], phone="555 010 9876"),
        )
    shown = f"{err.value!s} {err.value.__cause__!s} {err.value.__context__!s}"
    assert "5550109876" not in shown and "Zoë" not in shown


def test_countersigning_asks_the_clinicians_pin_again(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    # 21 CFR 11.200: a colleague at an unlocked station cannot countersign as the doctor.
    vid, _, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    doctor = _doctor(sqlite_ctx)
    docs = DocumentService(sqlite_ctx)
    with pytest.raises(InvalidInput) as err:
        docs.countersign(doctor, vid, "Dr Ana Ruiz", signature_strokes(), 600, 200, secret="")
    assert "PIN" in err.value.errors["secret"]
    with pytest.raises(InvalidInput) as err:
        docs.countersign(doctor, vid, "Dr Ana Ruiz", signature_strokes(), 600, 200, secret="1357")
    assert err.value.errors == {"secret": "That PIN is not right."}
    assert VisitService(sqlite_ctx).board(doctor)[0].status == "submitted"  # nothing signed
    with sqlite_ctx.db.session() as s:
        actions = [e.action for e in s.query(AuditEvent).order_by(AuditEvent.seq)]
    assert "reauth_failed" in actions
    assert ClinicianService(sqlite_ctx).review(doctor, vid).record.signature("clinician") is None
    # A made-up clinician actor (no such account) cannot countersign with any PIN.
    forged = Actor("staff:999", "clinician", "Dr Ana Ruiz")
    with pytest.raises(NotAllowed, match="does not exist"):
        docs.countersign(
            forged, vid, "Dr Ana Ruiz", signature_strokes(), 600, 200, secret=STAFF_PIN
        )
    # Failures count towards the sign-in lock-out: the right PIN then waits too.
    docs.countersign(
        doctor,
        vid,
        "Dr Ana Ruiz",
        signature_strokes(),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=review_everything(sqlite_ctx, doctor, vid),
    )
    assert VisitService(sqlite_ctx).board(doctor)[0].status == "countersigned"
    with sqlite_ctx.db.session() as s:
        actions = [e.action for e in s.query(AuditEvent).order_by(AuditEvent.seq)]
    assert actions.index("reauth") < len(actions) - 1 - actions[::-1].index("sign")


def test_wrong_pins_at_countersigning_lock_the_account_like_sign_in(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    doctor = _doctor(sqlite_ctx)
    docs = DocumentService(sqlite_ctx)
    for _ in range(3):
        with pytest.raises(InvalidInput):
            docs.countersign(doctor, vid, "Dr Ana Ruiz", signature_strokes(), 600, 200, secret="0")
    with pytest.raises(Locked):
        docs.countersign(
            doctor, vid, "Dr Ana Ruiz", signature_strokes(), 600, 200, secret=STAFF_PIN
        )
    assert VisitService(sqlite_ctx).board(doctor)[0].status == "submitted"


def test_abnormal_and_critical_labs_are_summary_flags_and_printed_critical(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    doctor = _doctor(sqlite_ctx)
    clinician = ClinicianService(sqlite_ctx)
    patient_id = VisitService(sqlite_ctx).board(doctor)[0].patient_id
    today = sqlite_ctx.today()
    assert clinician.record_lab(doctor, patient_id, "alt", "300", today).flag == "critical"
    assert (
        clinician.record_lab(doctor, patient_id, "triglycerides", "900", today).flag == "critical"
    )
    assert clinician.record_lab(doctor, patient_id, "ast", "60", today).flag == "high"
    assert clinician.record_lab(doctor, patient_id, "cholesterol", "180", today).flag == ""
    flags = {f.id: f for f in clinician.review(doctor, vid).record.flags}
    assert flags["lab_alt"].severity == "alert" and flags["lab_alt"].must_review
    assert flags["lab_triglycerides"].must_review and "CRITICAL" in flags["lab_triglycerides"].text
    assert flags["lab_ast"].severity == "warning" and not flags["lab_ast"].must_review
    assert "lab_cholesterol" not in flags
    # A newer result in range clears the flag: only the latest result of a test counts.
    clinician.record_lab(doctor, patient_id, "ast", "30", today)
    assert "lab_ast" not in {f.id for f in clinician.review(doctor, vid).record.flags}
    # The intake summary prints them, critical ones marked so.
    docs = DocumentService(sqlite_ctx)
    summary = next(d for d in docs.issue_documents(kiosk, vid) if d.kind == "summary")
    pdf = docs.open_pdf(doctor, summary.id)
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "CRITICAL ALT (liver enzyme) 300 U/L" in " ".join(text.split())


def test_a_positive_pregnancy_test_is_an_alert_on_the_visit(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    doctor = _doctor(sqlite_ctx)
    clinician = ClinicianService(sqlite_ctx)
    patient_id = VisitService(sqlite_ctx).board(doctor)[0].patient_id
    clinician.record_pregnancy_test(doctor, patient_id, sqlite_ctx.today(), "positive")
    flag = next(
        f for f in clinician.review(doctor, vid).record.flags if f.id == "pregnancy_test_positive"
    )
    assert flag.severity == "alert" and flag.must_review and "do not prescribe" in flag.text


def test_each_serious_flag_is_ticked_and_the_ticks_are_kept_and_printed(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    from intake.domain.flags import review_token

    vid, _, _ = walk_visit(
        sqlite_ctx, ScriptedPatient(phq9=(0, 0, 0, 0, 0, 0, 0, 0, 1))
    )  # item 9 positive
    doctor = _doctor(sqlite_ctx)
    clinician = ClinicianService(sqlite_ctx)
    patient_id = VisitService(sqlite_ctx).board(doctor)[0].patient_id
    clinician.record_lab(doctor, patient_id, "alt", "300", sqlite_ctx.today())
    seen = {f.id: f for f in clinician.review(doctor, vid).record.flags if f.must_review}
    assert set(seen) == {"item9", "lab_alt", "pregnancy_possible"}
    docs = DocumentService(sqlite_ctx)

    def countersign(reviewed):  # type: ignore[no-untyped-def]
        return docs.countersign(
            doctor,
            vid,
            "Dr Ana Ruiz",
            signature_strokes(),
            600,
            200,
            secret=STAFF_PIN,
            reviewed=reviewed,
        )

    ticks = {fid: review_token(f) for fid, f in seen.items()}
    with pytest.raises(InvalidInput) as err:
        countersign((ticks["item9"], ticks["pregnancy_possible"]))  # the critical ALT unticked
    assert "CRITICAL ALT" in err.value.errors["reviewed"]
    assert "item 9" not in err.value.errors["reviewed"]
    with pytest.raises(InvalidInput):
        countersign(("item9", "lab_alt", "pregnancy_possible"))  # bare ids are not ticks
    assert VisitService(sqlite_ctx).board(doctor)[0].status == "submitted"
    # A tick is for the flag as it read: ALT 2400 recorded after the tick for ALT 300 needs
    # a tick of its own; so does a result raised meanwhile.
    clinician.record_lab(doctor, patient_id, "alt", "2400", sqlite_ctx.today())
    yesterday = sqlite_ctx.today() - dt.timedelta(days=1)
    clinician.record_pregnancy_test(doctor, patient_id, yesterday, "positive")
    # A positive test holds the course: no consent is countersigned for a prescription.
    with pytest.raises(InvalidInput) as err:
        countersign(review_everything(sqlite_ctx, doctor, vid))
    assert "holds the course" in err.value.errors["visit"]
    clinician.record_pregnancy_test(doctor, patient_id, sqlite_ctx.today(), "negative")
    with pytest.raises(InvalidInput) as err:
        countersign(tuple(ticks.values()))
    assert "2400" in err.value.errors["reviewed"]
    assert "followed by a negative one" in err.value.errors["reviewed"]
    info = countersign(review_everything(sqlite_ctx, doctor, vid) + ("not_a_flag:0",))
    record = clinician.review(doctor, vid).record
    sig = record.signature("clinician")
    assert sig is not None
    assert [r[0] for r in sig.reviewed] == [
        f.id for f in record.flags if f.must_review
    ]  # as the flags read, in their order; a made-up tick is not kept
    text = " ".join(
        " ".join((p.extract_text() or "").split())
        for p in PdfReader(io.BytesIO(docs.open_pdf(doctor, info.id))).pages
    )
    assert "Reviewed before signing" in text
    assert "✓ PHQ-9 item 9 positive" in text and "✓ CRITICAL ALT (liver enzyme) 2400" in text


def test_a_positive_pregnancy_test_holds_the_course(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    # Found in review: after a positive test a month-1 dose was recorded, the consent was
    # countersigned, and a negative test entered the same day reopened the window.
    vid, _, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    doctor = _doctor(sqlite_ctx)
    clinician = ClinicianService(sqlite_ctx)
    patient_id = VisitService(sqlite_ctx).board(doctor)[0].patient_id
    today = sqlite_ctx.today()
    clinician.record_pregnancy_test(doctor, patient_id, today - dt.timedelta(days=2), "negative")
    clinician.record_pregnancy_test(doctor, patient_id, today - dt.timedelta(days=1), "positive")
    clinician.record_pregnancy_test(doctor, patient_id, today - dt.timedelta(days=1), "negative")
    course = clinician.course(doctor, patient_id)
    assert course.on_hold_since == today - dt.timedelta(days=1) and course.collect_by is None

    def follow_up(dose: str):  # type: ignore[no-untyped-def]
        return clinician.record_follow_up(
            doctor, patient_id, 1, seen_on=today, weight="60", daily_dose_mg=dose
        )

    with pytest.raises(InvalidInput) as err:
        follow_up("40")
    assert "on hold" in err.value.errors["daily_dose_mg"]
    assert follow_up("0").daily_dose_mg == 0  # the visit itself is still recorded
    with pytest.raises(InvalidInput) as err:
        DocumentService(sqlite_ctx).countersign(
            doctor,
            vid,
            "Dr Ana Ruiz",
            signature_strokes(),
            600,
            200,
            secret=STAFF_PIN,
            reviewed=review_everything(sqlite_ctx, doctor, vid),
        )
    assert "holds the course" in err.value.errors["visit"]
    # A negative test taken on a later day lifts the hold; the window runs from it.
    clinician.record_pregnancy_test(doctor, patient_id, today, "negative")
    course = clinician.course(doctor, patient_id)
    assert course.on_hold_since is None and course.collect_by is not None
