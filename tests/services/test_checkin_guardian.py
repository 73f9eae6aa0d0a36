"""A minor's monthly check-in is co-signed by their parent or guardian (on SQLite and
PostgreSQL): without the guardian's signature it is not submitted, and the month's record
prints both signatures."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from intake.domain import rules
from intake.domain.checkin import drawn_quiz
from intake.domain.kinds import VisitKind
from intake.domain.records import CHECKIN_GUARDIAN_MEANING, CHECKIN_MEANING
from intake.services.completeness import MissingKind
from intake.services.errors import InvalidInput
from intake.services.scripted import (
    ScriptedPatient,
    checkin_answers,
    ensure_staff,
    signature_strokes,
    walk_checkin,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.services.visits import VisitService
from intake.store.models import Signature, Visit


def _teen(ctx) -> ScriptedPatient:  # type: ignore[no-untyped-def]
    today = ctx.today()
    return ScriptedPatient(
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=today.replace(year=today.year - 16),
        sex_at_birth="male",
        can_become_pregnant=False,
    )


def _course(ctx, patient: ScriptedPatient) -> int:  # type: ignore[no-untyped-def]
    vid, _, outcome = walk_visit(ctx, patient)
    assert outcome is not None and outcome.submitted
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None
        return visit.patient_id


def test_a_minors_check_in_waits_for_the_guardians_signature(ctx) -> None:  # type: ignore[no-untyped-def]
    teen = _teen(ctx)
    patient_id = _course(ctx, teen)
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    visits = VisitService(ctx)
    started = visits.start_visit(desk, patient_id, "en", kind=VisitKind.CHECKIN)
    kiosk = visits.open_by_code(teen.date_of_birth, started.code)
    vid = started.visit_id
    answers = checkin_answers(teen, ctx.today())
    for page in ctx.forms.checkin.pages:
        visits.save_page(kiosk, vid, page.id, answers.get(page.id, {}))
    visits.save_phq9(kiosk, vid, list(teen.phq9), "not_difficult")
    facts = visits.draft(kiosk, vid).facts()
    statements = {s.id for s in rules.applicable_statements(ctx.forms.risks, facts)}
    for q in drawn_quiz(rules.applicable_quiz(ctx.forms.quiz, statements, facts), 1):
        visits.answer_quiz(kiosk, vid, q.id, q.answer)
    missing = visits.completeness(kiosk, vid).missing
    signatures = {m.role for m in missing if m.kind == MissingKind.SIGNATURE}
    assert signatures == {"patient", "guardian"}

    name = f"{teen.first_name} {teen.last_name}"
    # The guardian names themselves before the first signature (as on the kiosk's page).
    with pytest.raises(InvalidInput) as refused:
        visits.sign(kiosk, vid, "patient", name, signature_strokes(), 600, 200)
    assert "guardian" in refused.value.errors
    visits.save_guardian(kiosk, vid, *teen.guardian, "parent")
    alone = visits.sign(kiosk, vid, "patient", name, signature_strokes(), 600, 200)
    assert not alone.submitted and alone.still_needed == ("guardian",)
    (left,) = visits.completeness(kiosk, vid).missing
    assert (left.kind, left.role) == (MissingKind.SIGNATURE, "guardian")
    with ctx.db.session() as s:
        assert s.get(Visit, vid).status == "draft"  # type: ignore[union-attr]

    both = visits.sign(
        kiosk, vid, "guardian", " ".join(teen.guardian), signature_strokes(seed=3), 600, 200
    )
    assert both.submitted
    with ctx.db.session() as s:
        meanings = {
            role: meaning
            for role, meaning in s.execute(
                select(Signature.role, Signature.meaning).where(Signature.visit_id == vid)
            )
        }
        relationship = s.scalar(
            select(Signature.relationship).where(
                Signature.visit_id == vid, Signature.role == "guardian"
            )
        )
    assert meanings == {"patient": CHECKIN_MEANING, "guardian": CHECKIN_GUARDIAN_MEANING}
    assert relationship == "parent"


def test_the_month_s_record_prints_the_guardian_s_signature(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.documents import DocumentService

    ctx = sqlite_ctx
    teen = _teen(ctx)
    patient_id = _course(ctx, teen)
    vid, kiosk, outcome = walk_checkin(ctx, teen, patient_id)
    assert outcome.submitted
    docs = DocumentService(ctx)
    (info,) = docs.issue_documents(kiosk, vid)
    assert info.kind == "checkin"
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    pdf = docs.open_pdf(desk, info.id, "view")
    assert docs.verify_bytes(pdf).valid
    words = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(words.split())
    assert "guardian monthly check-in attestation" in flat
    assert " ".join(teen.guardian) in flat and "monthly check-in attestation" in flat
