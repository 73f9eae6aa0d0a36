"""End to end: a patient on a course does the monthly check-in at the kiosk, by clicks, typing
and a drawn signature (an adult who can become pregnant, one quiz answer wrong)."""

from __future__ import annotations

from pathlib import Path

from test_kiosk_driver import KioskDriver, desk_actor, every_text

from intake.domain.kinds import VisitKind
from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient, walk_visit
from intake.services.visits import VisitService
from intake.store.models import Visit

CHECKIN_PAGES = {
    "body": {"weight_kg": {"value": "61", "unit": "kg"}},
    "side_effects": {"se_dry_skin_lips": "mild", "se_headache_vision": "severe"},
    "new_medicines": {"new_vitamin_a": "no", "new_tetracycline": "no"},
    "sexual_function": {"sexual_function_change": "no"},
}


def test_month_1_check_in_of_an_adult_who_can_become_pregnant(
    kiosk: KioskDriver, sqlite_ctx: AppContext, tmp_path: Path
) -> None:
    patient = ScriptedPatient()
    first, _kiosk, _ = walk_visit(sqlite_ctx, patient)
    with sqlite_ctx.db.session() as s:
        patient_id = s.get(Visit, first).patient_id
    visits = VisitService(sqlite_ctx)
    started = visits.start_visit(desk_actor(sqlite_ctx), patient_id, "en", kind=VisitKind.CHECKIN)
    kiosk.open_with_code(patient.date_of_birth, started.code)
    assert kiosk.step() == "intake:identity"
    kiosk.check_page()
    kiosk.next()
    today = sqlite_ctx.today()
    answers = {
        **CHECKIN_PAGES,
        "pregnancy": {
            "contraception_methods": ["implant", "male_condom"],
            "last_period_start": today.replace(day=1),
            "missed_pill_or_unprotected": "no",
            "pregnancy_test_date": today,
        },
    }
    seen = []
    while kiosk.step().startswith("intake:"):
        page_id = kiosk.step().split(":", 1)[1]
        seen.append(page_id)
        kiosk.check_page()
        for qid in kiosk.page.visible_ids():  # type: ignore[attr-defined]
            value = answers.get(page_id, {}).get(qid)
            if value is None and qid.startswith("se_"):
                value = "none"
            if value is not None:
                kiosk.answer(qid, value)
        kiosk.next()
    assert seen == ["body", "side_effects", "new_medicines", "sexual_function", "pregnancy"]
    # The pregnancy page started from the first visit's answers.
    draft = visits.draft(desk_actor(sqlite_ctx), started.visit_id)
    assert draft.answers["uterus_and_ovary"] == "yes"
    kiosk.answer_phq9(patient.phq9)
    assert kiosk.step().startswith("quiz:")
    drawn = [s.key for s in kiosk.window.flow.steps() if s.kind == "quiz"]  # type: ignore[union-attr]
    assert len(drawn) == 3
    kiosk.answer_quiz(wrong={drawn[0]}, patient=patient)
    assert kiosk.step() == "review"
    kiosk.check_page()
    kiosk.next()
    assert kiosk.step() == "sign:patient"
    assert any("Monthly attestation" in text for text in every_text(kiosk.page))
    kiosk.sign()
    assert kiosk.step() == "done"

    draft = visits.draft(desk_actor(sqlite_ctx), started.visit_id)
    assert draft.status == "submitted" and draft.signed_roles == ("patient",)
    assert draft.quiz_passed and draft.kind == VisitKind.CHECKIN
    assert draft.answers["se_headache_vision"] == "severe"
    assert visits.completeness(desk_actor(sqlite_ctx), started.visit_id).missing == []
    # Only the statements the wrong answer tests were initialled again, by the patient alone.
    assert draft.acknowledged and {role for _sid, role in draft.acknowledged} == {"patient"}
    # The Done page made the signed "Monthly check-in" record, and only that; it verifies.
    from intake.services.documents import DocumentService

    assert kiosk.wait_documents()
    service = DocumentService(sqlite_ctx)
    infos = service.documents(desk_actor(sqlite_ctx), started.visit_id)
    assert [d.kind for d in infos] == ["checkin"]
    data = service.open_pdf(desk_actor(sqlite_ctx), infos[0].id)
    assert service.verify_bytes(data).valid
    import io

    from pypdf import PdfReader

    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert "Monthly check-in" in text and "Month 1 of the course" in text
    assert "monthly check-in attestation" in text
    # The headache severe this month (the first check-in) is flagged for the dermatologist.
    assert "1 side effect severe this month" in text
    path = tmp_path / "checkin.pdf"
    path.write_bytes(data)
    assert service.verify_file(path).valid
    # The dermatologist's review of the check-in shows the same flags.
    from intake.services.clinician import ClinicianService
    from intake.services.scripted import ensure_staff
    from intake.services.staff import staff_actor

    doctor = staff_actor(ensure_staff(sqlite_ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    review = ClinicianService(sqlite_ctx).review(doctor, started.visit_id)
    assert "checkin_severe" in {f.id for f in review.record.flags}
    assert review.record.visit_kind == "checkin" and review.record.course_month == 1
    # The month's follow-up form starts from the check-in, in clinical words.
    start = ClinicianService(sqlite_ctx).course(doctor, patient_id).checkin
    assert start is not None and start.month == 1 and start.weight_kg == 61
    assert start.contraception == ("implant", "male_condom")
    assert "headache" in start.side_effects and "raised ICP" in start.notes
    from intake.ui.staff.course import CourseWidget

    widget = CourseWidget(sqlite_ctx, doctor)
    kiosk.qtbot.addWidget(widget)
    widget.show_course(patient_id, ClinicianService(sqlite_ctx).course(doctor, patient_id))
    assert widget.month.value() == 1 and widget.weight.text() == "61"
    assert widget.side_effects["headache"].isChecked()
    assert widget.contraception["implant"].isChecked()
    assert widget.contraception["tubal_sterilisation"].text() == "Tubal ligation"
    assert "raised ICP" in widget.notes.text()


def test_a_minor_s_check_in_is_co_signed_by_the_guardian(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    """The guardian names themselves on the first visit's guardian page, then signs the
    month's attestation on its own pad after the patient; the record prints both."""
    today = sqlite_ctx.today()
    teen = ScriptedPatient(
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=today.replace(year=today.year - 16),
        sex_at_birth="male",
        can_become_pregnant=False,
    )
    first, _kiosk, _ = walk_visit(sqlite_ctx, teen)
    with sqlite_ctx.db.session() as s:
        patient_id = s.get(Visit, first).patient_id
    visits = VisitService(sqlite_ctx)
    started = visits.start_visit(desk_actor(sqlite_ctx), patient_id, "en", kind=VisitKind.CHECKIN)
    kiosk.open_with_code(teen.date_of_birth, started.code)
    while kiosk.step().startswith("intake:"):
        page_id = kiosk.step().split(":", 1)[1]
        for qid in kiosk.page.visible_ids():  # type: ignore[attr-defined]
            value = CHECKIN_PAGES.get(page_id, {}).get(qid)
            if value is None and qid.startswith("se_"):
                value = "none"
            if value is not None:
                kiosk.answer(qid, value)
        kiosk.next()
    kiosk.answer_phq9(teen.phq9)
    kiosk.fill_guardian(*teen.guardian)
    assert kiosk.step().startswith("quiz:")
    kiosk.answer_quiz()
    assert kiosk.step() == "review"
    kiosk.next()
    assert any("Monthly attestation" in text for text in every_text(kiosk.page))
    kiosk.sign(expect_next="sign:guardian")
    kiosk.check_page()
    assert kiosk.find("printed_name").text() == " ".join(teen.guardian)
    words = every_text(kiosk.page)
    assert any("Guardian's monthly attestation" in text for text in words)
    kiosk.sign(expect_next="done")

    draft = visits.draft(desk_actor(sqlite_ctx), started.visit_id)
    assert draft.status == "submitted" and set(draft.signed_roles) == {"patient", "guardian"}
    from intake.services.documents import DocumentService

    assert kiosk.wait_documents()
    service = DocumentService(sqlite_ctx)
    (info,) = service.documents(desk_actor(sqlite_ctx), started.visit_id)
    import io

    from pypdf import PdfReader

    data = service.open_pdf(desk_actor(sqlite_ctx), info.id)
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert "guardian monthly check-in attestation" in " ".join(text.split())
