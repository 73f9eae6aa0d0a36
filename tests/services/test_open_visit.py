"""One unfinished visit per patient: a second is refused, naming the first, unless staff
abandon the first with a reason; carrying on gives the open visit a new code.

Run on SQLite and PostgreSQL (the ``ctx`` fixture).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from intake.services.context import Actor, AppContext
from intake.services.errors import Immutable, InvalidInput, NotFound
from intake.services.patients import PatientService
from intake.services.scripted import ensure_staff
from intake.services.staff import staff_actor
from intake.services.visits import OpenVisitExists, VisitService
from intake.store.models import AuditEvent, Visit

DOB = dt.date(1993, 6, 14)


def desk(ctx: AppContext) -> Actor:
    return staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))


def patient(ctx: AppContext) -> int:
    return (
        PatientService(ctx)
        .register(desk(ctx), first_name="Ines", last_name="Moreno", date_of_birth=DOB.isoformat())
        .id
    )


def drafts(ctx: AppContext, patient_id: int) -> list[str]:
    with ctx.db.session() as s:
        return list(
            s.scalars(
                select(Visit.id).where(Visit.patient_id == patient_id, Visit.status == "draft")
            )
        )


def test_a_second_visit_is_refused_naming_the_open_one(ctx) -> None:  # type: ignore[no-untyped-def]
    pid = patient(ctx)
    visits = VisitService(ctx)
    first = visits.start_visit(desk(ctx), pid, "en")
    with pytest.raises(OpenVisitExists) as refused:
        visits.start_visit(desk(ctx), pid, "en")
    assert refused.value.visit.visit_id == first.visit_id
    assert refused.value.visit.resumable
    assert drafts(ctx, pid) == [first.visit_id]
    assert visits.open_visit(desk(ctx), pid) == refused.value.visit
    # The first code still works: nothing was changed by the refusal.
    assert visits.open_by_code(DOB, first.code).visit_id == first.visit_id


def test_carrying_on_gives_the_open_visit_a_new_code(ctx) -> None:  # type: ignore[no-untyped-def]
    pid = patient(ctx)
    visits = VisitService(ctx)
    first = visits.start_visit(desk(ctx), pid)
    with pytest.raises(OpenVisitExists) as refused:
        visits.start_visit(desk(ctx), pid)
    again = visits.new_code(desk(ctx), refused.value.visit.visit_id)
    assert again.visit_id == first.visit_id
    with pytest.raises(NotFound):
        visits.open_by_code(DOB, first.code)
    assert visits.open_by_code(DOB, again.code).visit_id == first.visit_id


def test_starting_again_abandons_the_open_visit_with_its_reason(ctx) -> None:  # type: ignore[no-untyped-def]
    pid = patient(ctx)
    visits = VisitService(ctx)
    first = visits.start_visit(desk(ctx), pid)
    with pytest.raises(InvalidInput) as no_reason:
        visits.start_visit(desk(ctx), pid, abandon_open=first.visit_id, abandon_reason="  ")
    assert "reason" in no_reason.value.errors
    assert drafts(ctx, pid) == [first.visit_id]

    second = visits.start_visit(
        desk(ctx), pid, abandon_open=first.visit_id, abandon_reason="Kiosk froze; starting over"
    )
    assert drafts(ctx, pid) == [second.visit_id]
    with ctx.db.session() as s:
        old = s.get(Visit, first.visit_id)
        assert old is not None
        assert (old.status, old.abandon_reason, old.code_hash) == (
            "abandoned",
            "Kiosk froze; starting over",
            "",
        )
        detail = s.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == "abandon", AuditEvent.entity_id == first.visit_id
            )
        ).one()
    assert detail == {
        "reason_sha256": hashlib.sha256(b"Kiosk froze; starting over").hexdigest(),
        "replaced_by": second.visit_id,
    }
    with pytest.raises(NotFound):
        visits.open_by_code(DOB, first.code)
    assert visits.open_by_code(DOB, second.code).visit_id == second.visit_id


def test_abandoning_names_the_visit_the_caller_saw(ctx) -> None:  # type: ignore[no-untyped-def]
    """A choice made on an old screen cannot abandon a visit another station started since."""
    pid = patient(ctx)
    visits = VisitService(ctx)
    first = visits.start_visit(desk(ctx), pid)
    visits.abandon(desk(ctx), first.visit_id, "patient left")
    other_station = visits.start_visit(desk(ctx), pid)
    with pytest.raises(OpenVisitExists) as refused:
        visits.start_visit(desk(ctx), pid, abandon_open=first.visit_id, abandon_reason="again")
    assert refused.value.visit.visit_id == other_station.visit_id
    assert drafts(ctx, pid) == [other_station.visit_id]


def test_abandon_needs_a_reason_and_an_unfinished_visit(ctx) -> None:  # type: ignore[no-untyped-def]
    pid = patient(ctx)
    visits = VisitService(ctx)
    first = visits.start_visit(desk(ctx), pid)
    with pytest.raises(InvalidInput):
        visits.abandon(desk(ctx), first.visit_id, "")
    with pytest.raises(InvalidInput):
        visits.abandon(desk(ctx), first.visit_id, "x" * 201)
    assert drafts(ctx, pid) == [first.visit_id]
    visits.abandon(desk(ctx), first.visit_id, "started for the wrong patient")
    with pytest.raises(Immutable):
        visits.abandon(desk(ctx), first.visit_id, "twice")
    assert visits.open_visit(desk(ctx), pid) is None
    visits.start_visit(desk(ctx), pid)  # with none open, a visit starts as before


def test_a_visit_left_open_on_an_earlier_day_is_not_offered_to_carry_on(ctx) -> None:  # type: ignore[no-untyped-def]
    pid = patient(ctx)
    visits = VisitService(ctx)
    visits.start_visit(desk(ctx), pid)
    later = ctx.now() + dt.timedelta(days=3)
    ctx.clock = lambda: later
    with pytest.raises(OpenVisitExists) as refused:
        visits.start_visit(desk(ctx), pid)
    assert not refused.value.visit.resumable


def test_a_correction_is_not_a_second_open_visit(ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.scripted import ScriptedPatient, walk_visit

    vid, _, _ = walk_visit(ctx, ScriptedPatient())
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    visits = VisitService(ctx)
    first = visits.start_correction(desk, vid)
    with pytest.raises(OpenVisitExists) as refused:
        visits.start_correction(desk, vid)
    assert refused.value.visit.visit_id == first.visit_id
    with ctx.db.session() as s:
        drafts = list(s.scalars(select(Visit.id).where(Visit.status == "draft")))
    assert drafts == [first.visit_id]
