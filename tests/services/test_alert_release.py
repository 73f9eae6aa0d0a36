"""A positive mood screen is released by the role the clinic names, with a note, on the record."""

from __future__ import annotations

import dataclasses
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from intake.services.alerts import NOTE_MAX, AlertService
from intake.services.clinician import ClinicianService
from intake.services.documents import DocumentService
from intake.services.errors import InvalidInput, NotAllowed
from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient, ensure_staff, walk_visit
from intake.services.staff import staff_actor
from intake.services.visits import VisitService
from intake.store.models import AlertRelease, AuditEvent, Visit

ITEM9 = (1, 1, 1, 1, 0, 0, 0, 0, 2)
NOTE = "Seen in the quiet room with Dr Ruiz; safety plan agreed, no immediate risk."


def _desk(ctx):  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))


def _doctor(ctx):  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)


def _paused(ctx, patient: ScriptedPatient | None = None):  # type: ignore[no-untyped-def]
    """A draft visit waiting for staff after a positive item 9."""
    patient = patient or ScriptedPatient(phq9=ITEM9)
    desk = _desk(ctx)
    row = PatientService(ctx).register(
        desk,
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        sex_at_birth=patient.sex_at_birth,
    )
    visits = VisitService(ctx)
    started = visits.start_visit(desk, row.id, "en")
    kiosk = visits.open_by_code(patient.date_of_birth, started.code)
    for page in ctx.forms.intake.pages:
        visits.save_page(kiosk, started.visit_id, page.id, patient.page_answers().get(page.id, {}))
    assert visits.save_phq9(kiosk, started.visit_id, list(patient.phq9), "somewhat") is True
    return visits, started.visit_id, kiosk


def _state(ctx, vid: str) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None
        return visit.needs_staff, s.query(AlertRelease).filter_by(visit_id=vid).count()


def test_the_front_desk_may_not_release_a_mood_screen_alert_by_default(ctx) -> None:  # type: ignore[no-untyped-def]
    visits, vid, _ = _paused(ctx)
    assert ctx.forms.clinic.mood_release_role == "clinician"
    with pytest.raises(NotAllowed) as refused:
        visits.staff_continue(_desk(ctx), vid, note=NOTE)
    assert "released by a clinician" in str(refused.value)
    assert AlertService(ctx).refusal(_desk(ctx)) == str(refused.value)
    # The one-click release of before (no note) is refused as well; nothing changed.
    with pytest.raises(NotAllowed):
        visits.staff_continue(_desk(ctx), vid)
    assert _state(ctx, vid) == ("item9", 0)


@pytest.mark.parametrize(
    "note, words",
    [("", "short note"), ("  ok ", "short note"), ("x" * (NOTE_MAX + 1), "200 characters")],
)
def test_a_release_needs_a_short_note(ctx, note: str, words: str) -> None:  # type: ignore[no-untyped-def]
    visits, vid, _ = _paused(ctx)
    with pytest.raises(InvalidInput) as refused:
        visits.staff_continue(_doctor(ctx), vid, note=note)
    assert words in refused.value.errors["note"]
    assert _state(ctx, vid) == ("item9", 0)


def test_a_clinician_releases_with_a_note_kept_on_the_record_and_audited(ctx) -> None:  # type: ignore[no-untyped-def]
    visits, vid, kiosk = _paused(ctx)
    doctor = _doctor(ctx)
    released = AlertService(ctx).release(doctor, vid, "  " + NOTE.replace(" ", "\n", 1))
    assert released.note == NOTE and released.released_by == "Dr Ana Ruiz"
    assert released.role == "clinician" and released.station == "test-station"
    assert _state(ctx, vid) == ("", 1)
    assert visits.staff_reason(kiosk, vid) == ""
    # A second release of the same pause is refused: nothing waits for one.
    with pytest.raises(InvalidInput):
        AlertService(ctx).release(doctor, vid, NOTE)
    with ctx.db.session() as s:
        event = s.query(AuditEvent).filter_by(action="release", entity_id=vid).one()
        assert event.actor == doctor.id and event.station == "test-station"
        assert event.detail["reason"] == "mood_item9" and event.detail["note"] == NOTE
        assert event.detail["role"] == "clinician"
        assert event.detail["release"] == s.query(AlertRelease).filter_by(visit_id=vid).one().id
    # The dermatologist's review shows who, when and the note.
    record = ClinicianService(ctx).review(doctor, vid).record
    (shown,) = record.alert_releases
    assert (shown.released_by, shown.role, shown.note) == ("Dr Ana Ruiz", "clinician", NOTE)
    assert shown.released_at == released.released_at


def test_the_release_is_append_only_in_the_database(ctx) -> None:  # type: ignore[no-untyped-def]
    visits, vid, _ = _paused(ctx)
    visits.staff_continue(_doctor(ctx), vid, note=NOTE)
    for statement in (
        "UPDATE alert_releases SET note = 'changed'",
        "DELETE FROM alert_releases",
    ):
        with pytest.raises(Exception, match="append-only"), ctx.db.session(write=True) as s:
            s.execute(text(statement))
    assert _state(ctx, vid) == ("", 1)


def test_the_clinic_may_let_the_front_desk_release(ctx) -> None:  # type: ignore[no-untyped-def]
    clinic = dataclasses.replace(ctx.forms.clinic, mood_release_role="front_desk")
    ctx.forms = dataclasses.replace(ctx.forms, clinic=clinic)
    visits, vid, _ = _paused(ctx)
    assert AlertService(ctx).refusal(_desk(ctx)) == ""
    with pytest.raises(InvalidInput):
        visits.staff_continue(_desk(ctx), vid)  # still with a note
    visits.staff_continue(_desk(ctx), vid, note="Seen at the desk; nurse called.")
    assert _state(ctx, vid) == ("", 1)


def test_a_pending_identity_check_still_holds_the_visit_after_the_release(ctx) -> None:  # type: ignore[no-untyped-def]
    visits, vid, kiosk = _paused(ctx)
    visits.dispute_date_of_birth(kiosk, vid)
    assert _state(ctx, vid)[0] == "item9"  # the mood screen stays the reason shown
    visits.staff_continue(_doctor(ctx), vid, note=NOTE)
    assert _state(ctx, vid) == ("identity", 1)
    # The identity pause keeps its own handling: only the desk's decision on the record ends it.
    with pytest.raises(InvalidInput) as refused:
        visits.staff_continue(_desk(ctx), vid)
    assert "check your details" in str(refused.value)


def test_the_intake_summary_says_who_released_the_alert_when_and_why(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, outcome = walk_visit(sqlite_ctx, ScriptedPatient(phq9=ITEM9))
    assert outcome is not None and outcome.submitted
    docs = {d.kind: d for d in DocumentService(sqlite_ctx).issue_documents(kiosk, vid)}
    doctor = _doctor(sqlite_ctx)
    summary = _text(DocumentService(sqlite_ctx).open_pdf(doctor, docs["summary"].id))
    flat = " ".join(summary.split())
    assert "Released for the visit to continue" in flat
    assert "Dr Ana Ruiz (clinician)" in flat
    assert "Seen in private; safety plan agreed; no immediate risk." in flat


def test_a_visit_that_is_not_paused_has_nothing_to_release(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    with pytest.raises(InvalidInput):
        AlertService(sqlite_ctx).release(_doctor(sqlite_ctx), vid, NOTE)
    assert _state(sqlite_ctx, vid) == ("", 0)
