"""The front desk starts a "Month N check-in" for a patient on a course, and only then."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from intake.domain.kinds import VisitKind
from intake.services.errors import Conflict
from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient, ensure_staff, walk_visit
from intake.services.staff import staff_actor
from intake.services.visits import VisitService
from intake.store.models import Visit


def test_a_check_in_is_numbered_from_the_course_and_stored_with_its_kind(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _kiosk, _ = walk_visit(ctx, ScriptedPatient())
    with ctx.db.session() as s:
        first = s.get(Visit, vid)
        pid, kind = first.patient_id, first.kind
    assert kind == VisitKind.FIRST_VISIT
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    visits = VisitService(ctx)
    assert visits.checkin_month(desk, pid) == 1
    started = visits.start_visit(desk, pid, "en", kind=VisitKind.CHECKIN)
    assert (started.kind, started.course_month) == (VisitKind.CHECKIN, 1)
    with ctx.db.session() as s:
        row = s.get(Visit, started.visit_id)
        assert (row.kind, row.course_month, row.status) == ("checkin", 1, "draft")


def test_a_check_in_without_a_signed_first_visit_is_refused(ctx) -> None:  # type: ignore[no-untyped-def]
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    patient = PatientService(ctx).register(
        desk, first_name="Ana", last_name="Lopez", date_of_birth="1999-04-01", sex_at_birth="female"
    )
    visits = VisitService(ctx)
    assert visits.checkin_month(desk, patient.id) is None
    with pytest.raises(Conflict) as err:
        visits.start_visit(desk, patient.id, "en", kind=VisitKind.CHECKIN)
    assert err.value.code == "no_course"
    # A first visit is still open to start.
    assert visits.start_visit(desk, patient.id, "en").kind == VisitKind.FIRST_VISIT


def test_a_signed_visit_keeps_its_kind(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _kiosk, _ = walk_visit(ctx, ScriptedPatient())
    with pytest.raises(DBAPIError), ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE visits SET kind = 'checkin' WHERE id = :v"), {"v": vid})
