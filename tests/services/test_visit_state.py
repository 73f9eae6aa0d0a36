"""What a resumed kiosk gets back from storage: guardian details, quiz state, initials, answers that count."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from intake.domain import rules
from intake.services.completeness import MissingKind
from intake.services.documents import DocumentService
from intake.services.errors import InvalidInput
from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient, ensure_staff, signature_strokes, walk_visit
from intake.services.staff import staff_actor
from intake.services.visits import VisitService


def test_guardian_details_are_kept_with_the_draft(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    teen = ScriptedPatient(
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=sqlite_ctx.today().replace(year=sqlite_ctx.today().year - 15),
    )
    vid, kiosk, _ = walk_visit(sqlite_ctx, teen, sign=False)
    visits = VisitService(sqlite_ctx)
    with pytest.raises(InvalidInput) as err:
        visits.save_guardian(kiosk, vid, "Ana", "", "")
    assert set(err.value.errors) == {"guardian_last_name", "guardian_relationship"}
    assert visits.save_guardian(kiosk, vid, "  Ana ", "Ñúñez", "mother") == (
        "Ana",
        "Ñúñez",
        "mother",
    )
    draft = visits.draft(kiosk, vid)
    assert draft.guardian == ("Ana", "Ñúñez", "mother")
    # Initials are checked against the stored guardian name, and kept for the resumed screen.
    sid = next(
        s.id
        for s in rules.applicable_statements(sqlite_ctx.forms.risks, draft.facts())
        if s.audience == "guardian"
    )
    with pytest.raises(InvalidInput):
        visits.acknowledge(kiosk, vid, sid, "guardian", "MO")
    visits.acknowledge(kiosk, vid, sid, "guardian", "añ")
    assert visits.draft(kiosk, vid).initials[(sid, "guardian")] == "AN"
    visits.sign(kiosk, vid, "patient", "Maya Okafor", signature_strokes(), 600, 200)
    done = visits.sign(
        kiosk, vid, "guardian", "Ana Ñúñez", signature_strokes(seed=1), 600, 200
    )  # relationship from the draft
    assert done.submitted


def test_quiz_state_survives_a_restart(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(), sign=False)
    visits = VisitService(sqlite_ctx)
    draft = visits.draft(kiosk, vid)
    assert draft.quiz_passed and draft.quiz_open == () and draft.reacknowledge == ()
    question = sqlite_ctx.forms.quiz.questions[0]
    wrong = next(c.id for c in question.choices if c.id != question.answer)
    outcome = visits.answer_quiz(kiosk, vid, question.id, wrong)
    assert not outcome.correct
    after = visits.draft(kiosk, vid)
    assert not after.quiz_passed
    assert after.quiz_open == (question.id,)
    assert set(after.reacknowledge) == set(question.tests)
    for sid in question.tests:
        visits.acknowledge(kiosk, vid, sid, "patient", "zn")
    visits.answer_quiz(kiosk, vid, question.id, question.answer)
    final = visits.draft(kiosk, vid)
    assert final.quiz_passed and final.reacknowledge == ()


def test_answers_hidden_by_a_later_correction_do_not_count(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(), sign=False)
    visits = VisitService(sqlite_ctx)
    identity = dict(ScriptedPatient().page_answers()["identity"], sex_at_birth="male")
    visits.save_page(kiosk, vid, "identity", identity)
    draft = visits.draft(kiosk, vid)
    assert "contraception_methods" not in draft.answers and "uterus_and_ovary" not in draft.answers
    assert draft.facts()["can_become_pregnant"] is False
    missing = visits.completeness(kiosk, vid).missing
    assert not any(m.kind is MissingKind.QUESTION and "pregnan" in m.id for m in missing)


def test_a_typed_signature_is_recorded_and_printed_as_typed(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(), sign=False)
    with pytest.raises(InvalidInput):
        VisitService(sqlite_ctx).sign(
            kiosk, vid, "patient", "Zoë Nguyễn", signature_strokes(), 600, 200, method="stamped"
        )
    VisitService(sqlite_ctx).sign(
        kiosk, vid, "patient", "Zoë Nguyễn", signature_strokes(), 600, 200, method="typed"
    )
    docs = DocumentService(sqlite_ctx).issue_documents(kiosk, vid)
    doctor = staff_actor(ensure_staff(sqlite_ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    consent = DocumentService(sqlite_ctx).open_pdf(doctor, docs[0].id)
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(consent)).pages
    )
    assert "signed from the keyboard" in text


def test_a_visit_code_expires(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.errors import NotFound

    desk = staff_actor(ensure_staff(sqlite_ctx, "front_desk", "desk", "Front Desk"))
    p = PatientService(sqlite_ctx).register(
        desk, first_name="Ruth", last_name="Adler", date_of_birth="1990-09-09"
    )
    started = VisitService(sqlite_ctx).start_visit(desk, p.id)
    later = sqlite_ctx.now() + dt.timedelta(hours=13)
    sqlite_ctx.clock = lambda: later
    with pytest.raises(NotFound):
        VisitService(sqlite_ctx).open_by_code(dt.date(1990, 9, 9), started.code)
    sqlite_ctx.clock = lambda: later - dt.timedelta(hours=12)
    assert (
        VisitService(sqlite_ctx).open_by_code(dt.date(1990, 9, 9), started.code).visit_id
        == started.visit_id
    )
