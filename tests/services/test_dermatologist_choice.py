"""The documents name the dermatologist chosen for the visit, or say one will countersign; once
countersigned, the countersigning clinician; and the intake summary is re-issued then too."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from intake.services.dermatologists import DermatologistService
from intake.services.documents import DocumentService
from intake.services.errors import Immutable, InvalidInput
from intake.services.patients import PatientService
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
)
from intake.services.scripted import walk_visit as walk
from intake.services.staff import staff_actor
from intake.services.visits import VisitService
from intake.store.models import AuditEvent, StaffUser, Visit

PENDING_EN = "to be countersigned by a clinic dermatologist"
PENDING_ES = "pendiente de la firma de un dermatólogo/a de la clínica"


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split()
    )


def _desk(ctx):  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))


def _staff(ctx):  # type: ignore[no-untyped-def]
    """Two clinicians; the first made is a demo account nobody chose."""
    demo = ensure_staff(ctx, "clinician", "demo", "Dr Demo Account")
    lee = ensure_staff(ctx, "clinician", "drlee", "Dr Mina Lee")
    return demo, lee


def _pdf(ctx, vid: str, kind: str) -> str:  # type: ignore[no-untyped-def]
    docs = DocumentService(ctx)
    doctor = staff_actor(ensure_staff(ctx, "clinician", "drlee", "Dr Mina Lee"))
    latest = [d for d in docs.documents(doctor, vid) if d.kind == kind][0]
    return _text(docs.open_pdf(doctor, latest.id))


def test_the_consent_names_the_dermatologist_chosen_at_the_front_desk(ctx) -> None:  # type: ignore[no-untyped-def]
    _demo, lee = _staff(ctx)
    vid, kiosk, _ = walk(ctx, ScriptedPatient(), dermatologist_id=lee.id)
    DocumentService(ctx).issue_documents(kiosk, vid)
    for kind in ("consent", "summary", "education"):
        words = _pdf(ctx, vid, kind)
        assert "Dr Mina Lee" in words, kind
        assert "Dr Demo Account" not in words, kind  # never "the first active clinician"
    with ctx.db.session() as s:
        event = s.query(AuditEvent).filter_by(action="dermatologist", entity_id=vid).one()
        assert event.detail == {"from": None, "to": lee.id}


@pytest.mark.parametrize("lang, pending", [("en", PENDING_EN), ("es", PENDING_ES)])
def test_with_none_chosen_the_documents_say_who_will_countersign(ctx, lang, pending) -> None:  # type: ignore[no-untyped-def]
    _staff(ctx)
    vid, kiosk, _ = walk(ctx, ScriptedPatient(lang=lang))
    DocumentService(ctx).issue_documents(kiosk, vid)
    for kind in ("consent", "summary"):
        words = _pdf(ctx, vid, kind)
        assert pending in words, kind
        assert "Dr Demo Account" not in words and "Dr Mina Lee" not in words


def test_only_an_active_clinician_can_be_chosen(ctx) -> None:  # type: ignore[no-untyped-def]
    demo, lee = _staff(ctx)
    desk = _desk(ctx)
    with ctx.db.session(write=True) as s:  # an account that left the clinic
        s.get(StaffUser, demo.id).active = False  # type: ignore[union-attr]
    service = DermatologistService(ctx)
    assert [(d.id, d.name) for d in service.choices(desk)] == [(lee.id, "Dr Mina Lee")]
    patient = PatientService(ctx).register(
        desk, first_name="Ines", last_name="Mora", date_of_birth="1990-01-02"
    )
    visits = VisitService(ctx)
    for wrong in (demo.id, int(desk.id.split(":")[1]), 9999):
        with pytest.raises(InvalidInput) as refused:
            visits.start_visit(desk, patient.id, "en", wrong)
        assert "active clinicians" in refused.value.errors["dermatologist"]
    assert visits.visits_for(desk, patient.id) == []  # nothing was started
    started = visits.start_visit(desk, patient.id, "en")
    with pytest.raises(InvalidInput):
        service.choose(desk, started.visit_id, demo.id)
    assert service.of_visit(desk, started.visit_id) is None


def test_the_dermatologist_can_be_changed_until_the_countersignature(ctx) -> None:  # type: ignore[no-untyped-def]
    demo, lee = _staff(ctx)
    vid, kiosk, _ = walk(ctx, ScriptedPatient(), dermatologist_id=demo.id)
    first = {d.kind: d for d in DocumentService(ctx).issue_documents(kiosk, vid)}
    service = DermatologistService(ctx)
    desk = _desk(ctx)
    assert service.choose(desk, vid, lee.id) == service.of_visit(desk, vid)
    assert service.of_visit(desk, vid).name == "Dr Mina Lee"  # type: ignore[union-attr]
    doctor = staff_actor(lee)
    service.choose(doctor, vid, None)
    service.choose(doctor, vid, lee.id)
    with ctx.db.session() as s:
        changes = [
            e.detail
            for e in s.query(AuditEvent)
            .filter_by(action="dermatologist", entity_id=vid)
            .order_by(AuditEvent.seq)
        ]
    assert changes == [
        {"from": None, "to": demo.id},
        {"from": demo.id, "to": lee.id},
        {"from": lee.id, "to": None},
        {"from": None, "to": lee.id},
    ]
    info = DocumentService(ctx).countersign(
        doctor,
        vid,
        "Dr Mina Lee",
        signature_strokes(seed=2),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=review_everything(ctx, doctor, vid),
    )
    assert info.kind == "consent" and info.supersedes_id == first["consent"].id
    with pytest.raises(Immutable):
        service.choose(desk, vid, demo.id)
    # Not even a hand-run statement changes it now.
    with pytest.raises(Exception, match="cannot be changed"), ctx.db.session(write=True) as s:
        s.execute(
            text("UPDATE visits SET dermatologist_id = :d WHERE id = :v"),
            {"d": demo.id, "v": vid},
        )
    with ctx.db.session() as s:
        assert s.get(Visit, vid).dermatologist_id == lee.id  # type: ignore[union-attr]


def test_countersigning_reissues_the_summary_with_the_countersignature(ctx) -> None:  # type: ignore[no-untyped-def]
    demo, lee = _staff(ctx)
    vid, kiosk, _ = walk(ctx, ScriptedPatient(), dermatologist_id=demo.id)
    first = {d.kind: d for d in DocumentService(ctx).issue_documents(kiosk, vid)}
    before = _pdf(ctx, vid, "summary")
    assert "Dermatologist: missing" in before
    DocumentService(ctx).countersign(
        staff_actor(lee),
        vid,
        "Dr Mina Lee",
        signature_strokes(seed=2),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=review_everything(ctx, staff_actor(lee), vid),
    )
    docs = DocumentService(ctx).documents(staff_actor(lee), vid)
    summaries = [d for d in docs if d.kind == "summary"]
    assert [d.issue for d in summaries] == [2, 1]
    assert summaries[0].supersedes_id == first["summary"].id
    after = _pdf(ctx, vid, "summary")
    assert "Dermatologist: missing" not in after and "Dermatologist: ✓ signed" in after
    # The countersigning clinician is named, not the one chosen at the start.
    assert "Dr Mina Lee" in after and "Dr Demo Account" not in after
    assert f"Replaces document {first['summary'].id}" in after
    consent = _pdf(ctx, vid, "consent")
    assert "Dr Mina Lee" in consent and "Dr Demo Account" not in consent
