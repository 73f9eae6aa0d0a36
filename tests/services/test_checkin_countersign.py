"""Countersigning a monthly check-in reissues what the check-in issued: its record (showing
the countersignature), and the renewed consent only when the check-in carried a re-consent."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from reconsent_forms import revised
from sqlalchemy import select

from intake.services.audit import AuditService
from intake.services.documents import DocumentService
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
    walk_checkin,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.store.models import Document, Visit


def _issues(ctx, visit_id: str) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    with ctx.db.session() as s:
        return sorted(
            (d.kind, d.issue)
            for d in s.scalars(select(Document).where(Document.visit_id == visit_id))
        )


def _countersign(ctx, visit_id: str):  # type: ignore[no-untyped-def]
    doctor = staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    return DocumentService(ctx).countersign(
        doctor,
        visit_id,
        doctor.name,
        signature_strokes(seed=4),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=review_everything(ctx, doctor, visit_id),
    )


def _checked(ctx, visit_id: str, kind: str) -> bytes:  # type: ignore[no-untyped-def]
    """The latest issue of the visit's document of this kind, checked as `main.py verify` does."""
    docs = DocumentService(ctx)
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    latest = next(d for d in docs.documents(desk, visit_id) if d.kind == kind)
    pdf = docs.open_pdf(desk, latest.id, "view")
    outcome = docs.verify_bytes(pdf)
    assert outcome.valid, (kind, outcome.reason)
    return pdf


def _text(pdf: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_countersigning_check_ins_reissues_what_each_issued(sqlite_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    first, _, _ = walk_visit(ctx, patient)
    with ctx.db.session() as s:
        visit = s.get(Visit, first)
        assert visit is not None
        patient_id = visit.patient_id

    # A plain check-in: only its record, now issue 2 and naming who countersigned.
    plain, kiosk, _ = walk_checkin(ctx, patient, patient_id)
    DocumentService(ctx).issue_documents(kiosk, plain)
    assert _countersign(ctx, plain).kind == "checkin"
    assert _issues(ctx, plain) == [("checkin", 1), ("checkin", 2)]
    words = " ".join(_text(_checked(ctx, plain, "checkin"), tmp_path).split())
    assert "Dr Ana Ruiz" in words

    # A check-in carrying a re-consent: its record and the renewed consent.
    ctx.forms = revised(ctx.forms, "major")
    renewed, kiosk2, _ = walk_checkin(ctx, patient, patient_id)
    DocumentService(ctx).issue_documents(kiosk2, renewed)
    assert _countersign(ctx, renewed).kind == "consent"
    assert _issues(ctx, renewed) == [("checkin", 1), ("checkin", 2), ("consent", 1), ("consent", 2)]
    for kind in ("checkin", "consent"):
        assert "Dr Ana Ruiz" in " ".join(_text(_checked(ctx, renewed, kind), tmp_path).split())
    result = AuditService(ctx).verify()
    assert result.intact, result.problems


def test_a_check_in_answered_under_other_questions_is_not_redrawn_with_the_new_wording(  # type: ignore[no-untyped-def]
    sqlite_ctx,
) -> None:
    """The clinic publishes a new check-in form between the patient's signature and the
    countersignature: the record is not drawn with the new questions beside the old answers
    (issue 2 would say one version and show another); the countersignature is a coded
    refusal and nothing is stored."""
    import dataclasses

    from intake.forms import model as fm
    from intake.services.errors import ServiceError

    ctx = sqlite_ctx
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    first, _, _ = walk_visit(ctx, patient)
    with ctx.db.session() as s:
        visit = s.get(Visit, first)
        assert visit is not None
        patient_id = visit.patient_id
    checkin, kiosk, _ = walk_checkin(ctx, patient, patient_id)
    DocumentService(ctx).issue_documents(kiosk, checkin)

    form = ctx.forms.checkin
    pages = tuple(
        dataclasses.replace(
            page,
            questions=tuple(
                dataclasses.replace(q, label=fm.Text.of(en=f"NEW {q.id}", es=f"NUEVA {q.id}"))
                for q in page.questions
            ),
        )
        for page in form.pages
    )
    meta = dataclasses.replace(form.meta, version="9.9.9", sha256="3" * 64)
    ctx.forms = dataclasses.replace(
        ctx.forms, checkin=dataclasses.replace(form, pages=pages, meta=meta)
    )
    with pytest.raises(ServiceError) as refused:
        _countersign(ctx, checkin)
    assert refused.value.code == "forms_mismatch"
    assert _issues(ctx, checkin) == [("checkin", 1)]
