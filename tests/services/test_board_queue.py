"""The dermatologist's queue holds every signed visit (paged, counted in SQL); the status board
says how long each patient has waited, which part of the visit they are on, and who left the
kiosk. Run on SQLite and PostgreSQL (the ``ctx`` fixture)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import insert, select

from intake.domain import rules
from intake.services.context import Actor, AppContext
from intake.services.errors import InvalidInput, NotAllowed
from intake.services.patients import PatientService, fold
from intake.services.scripted import ScriptedPatient, ensure_staff
from intake.services.staff import staff_actor
from intake.services.visits import BoardRow, VisitService
from intake.store.models import AuditEvent, Patient, Visit


def desk(ctx: AppContext) -> Actor:
    return staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))


def doctor(ctx: AppContext) -> Actor:
    return staff_actor(ensure_staff(ctx, "clinician", "derm", "Dr Ana Ruiz"))


class Clock:
    def __init__(self, ctx: AppContext):
        self.now = ctx.now()
        ctx.clock = lambda: self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def bulk_visits(ctx: AppContext, n: int, status: str, *, first_id: int = 1000) -> list[str]:
    """n patients with one visit each, inserted in bulk (what 40 days at a busy clinic leave)."""
    now = ctx.now()
    patients, visits, ids = [], [], []
    for i in range(n):
        pid = first_id + i
        vid = str(uuid.UUID(int=pid))
        ids.append(vid)
        patients.append(
            {
                "id": pid,
                "record_number": f"B-{pid:07d}",
                "first_name": "Bulk",
                "last_name": f"Patient{pid}",
                "preferred_name": "",
                "date_of_birth": dt.date(1990, 1, 1),
                "sex_at_birth": "female",
                "phone": "",
                "email": "",
                "lang": "en",
                "search_name": fold(f"patient{pid} bulk"),
                "search_alt": fold(f"bulk patient{pid}"),
                "version": 1,
                "created_at": now,
                "actor": "test",
                "station": "test",
            }
        )
        # Signed over the last 40 days, oldest first; drafts are touched after every one of them.
        at = now - dt.timedelta(days=40) + dt.timedelta(minutes=80 * i)
        visits.append(
            {
                "id": vid,
                "patient_id": pid,
                "status": status,
                "lang": "en",
                "visit_date": at.date(),
                "code_hash": "",
                "page": "done" if status != "draft" else "phq9",
                "kiosk_station": "",
                "needs_staff": "",
                "form_versions": {},
                "ruleset_id": "",
                "quiz_passed": status != "draft",
                "record_sha256": "",
                "started_at": at - dt.timedelta(minutes=30),
                "submitted_at": at if status != "draft" else None,
                "updated_at": at if status != "draft" else now,
                "version": 1,
                "actor": "test",
                "station": "test",
            }
        )
    with ctx.db.engine.begin() as conn:
        conn.execute(insert(Patient.__table__), patients)
        conn.execute(insert(Visit.__table__), visits)
    return ids


def test_queue_reaches_every_signed_visit_page_by_page_with_the_right_count(ctx) -> None:  # type: ignore[no-untyped-def]
    signed = bulk_visits(ctx, 700, "submitted")
    bulk_visits(ctx, 600, "draft", first_id=5000)  # recent activity that is not for review
    bulk_visits(ctx, 50, "countersigned", first_id=8000)
    visits = VisitService(ctx)
    seen: list[BoardRow] = []
    offset = 0
    while True:
        page = visits.review_queue(doctor(ctx), offset=offset, limit=200)
        assert page.total == 700 and page.offset == offset
        seen += page.rows
        if not page.rows:
            break
        offset += len(page.rows)
    assert [r.visit_id for r in seen] == signed  # all of them, once, longest waiting first
    assert {r.status for r in seen} == {"submitted"}
    assert seen[0].waiting_since is not None and seen[0].waiting_since == seen[0].submitted_at
    assert visits.review_queue(doctor(ctx), offset=700).rows == ()


def test_queue_refuses_bad_pages_and_the_front_desk(ctx) -> None:  # type: ignore[no-untyped-def]
    visits = VisitService(ctx)
    for bad in ({"offset": -1}, {"limit": 0}, {"limit": 10_000}):
        with pytest.raises(InvalidInput):
            visits.review_queue(doctor(ctx), **bad)  # type: ignore[arg-type]
    with pytest.raises(NotAllowed):
        visits.review_queue(desk(ctx))


def _start(ctx: AppContext, patient: ScriptedPatient) -> tuple[str, str]:
    p = PatientService(ctx).register(
        desk(ctx),
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        sex_at_birth=patient.sex_at_birth,
    )
    started = VisitService(ctx).start_visit(desk(ctx), p.id, "en")
    return started.visit_id, started.code


def _row(ctx: AppContext, vid: str) -> BoardRow:
    return next(r for r in VisitService(ctx).board(desk(ctx)) if r.visit_id == vid)


def test_board_waiting_time_counts_from_the_start_then_from_signing(ctx) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(ctx)
    started_at = clock.now
    patient = ScriptedPatient(first_name="Rosa", last_name="Díaz")
    vid, code = _start(ctx, patient)
    visits = VisitService(ctx)
    clock.advance(minutes=20)
    kiosk = visits.open_by_code(patient.date_of_birth, code)
    clock.advance(minutes=5)
    visits.set_page(kiosk, vid, "phq9")  # activity: the last change is now
    row = _row(ctx, vid)
    assert row.waiting_since == started_at  # not the time of the last change
    assert row.updated_at == clock.now

    for page in ctx.forms.intake.pages:
        visits.save_page(kiosk, vid, page.id, patient.page_answers().get(page.id, {}))
    visits.save_phq9(kiosk, vid, list(patient.phq9), "not_difficult")
    facts = visits.draft(kiosk, vid).facts()
    for st in rules.applicable_statements(ctx.forms.risks, facts):
        visits.acknowledge(kiosk, vid, st.id, "patient", "RD")
    ids = {s.id for s in rules.applicable_statements(ctx.forms.risks, facts)}
    for q in rules.applicable_quiz(ctx.forms.quiz, ids, facts):
        visits.answer_quiz(kiosk, vid, q.id, q.answer)
    clock.advance(minutes=10)
    signed_at = clock.now
    from intake.services.scripted import signature_strokes

    visits.sign(kiosk, vid, "patient", "Rosa Díaz", signature_strokes(), 600, 200)
    clock.advance(minutes=30)
    row = _row(ctx, vid)
    assert row.stage == "for_dermatologist" and row.waiting_since == signed_at


def test_board_names_the_part_of_the_visit_from_the_saved_page(ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(first_name="Rosa", last_name="Díaz")
    vid, code = _start(ctx, patient)
    visits = VisitService(ctx)
    assert _row(ctx, vid).place is None  # not started at a kiosk yet
    kiosk = visits.open_by_code(patient.date_of_birth, code)
    first = ctx.forms.intake.pages[0].id
    visits.set_page(kiosk, vid, f"intake:{first}")
    assert _row(ctx, vid).place.section == "about_you"
    visits.set_page(kiosk, vid, "phq9")
    assert _row(ctx, vid).place.section == "mood"

    for page in ctx.forms.intake.pages:
        visits.save_page(kiosk, vid, page.id, patient.page_answers().get(page.id, {}))
    facts = visits.draft(kiosk, vid).facts()
    topics = [t.id for t, _ in rules.applicable_topics(ctx.forms.risks, facts)]
    assert len(topics) >= 3
    visits.set_page(kiosk, vid, f"topic:{topics[2]}")
    place = _row(ctx, vid).place
    assert (place.section, place.unit, place.n, place.total) == ("risks", "topic", 3, len(topics))


def test_a_kiosk_that_lets_go_of_a_visit_leaves_it_left_not_at_the_kiosk(ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(first_name="Rosa", last_name="Díaz")
    vid, code = _start(ctx, patient)
    visits = VisitService(ctx)
    kiosk = visits.open_by_code(patient.date_of_birth, code)
    visits.set_page(kiosk, vid, "phq9")
    assert _row(ctx, vid).stage == "at_kiosk"

    assert visits.release_kiosk(kiosk, vid, "idle") is True
    row = _row(ctx, vid)
    assert row.stage == "left_kiosk" and row.kiosk_released_at is not None
    assert row.place is not None and row.place.section == "mood"  # where they stopped
    assert visits.release_kiosk(kiosk, vid, "closed") is False  # already let go: recorded once
    with ctx.db.session() as s:
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "release_kiosk", AuditEvent.entity_id == vid
            )
        ).all()
        assert [e.detail for e in events] == [{"reason": "idle"}]

    # Opened again with the code: at the kiosk once more.
    visits.open_by_code(patient.date_of_birth, code)
    assert _row(ctx, vid).stage == "at_kiosk"
    with pytest.raises(InvalidInput):
        visits.release_kiosk(kiosk, vid, "because")
    other = Actor("kiosk:other", "kiosk", "patient", "other")
    with pytest.raises(NotAllowed):
        visits.release_kiosk(other, vid, "idle")


def test_board_keeps_every_visit_paused_for_staff_and_counts_earlier_signed_ones(ctx) -> None:  # type: ignore[no-untyped-def]
    """Paused for staff two days ago: still on the board, however busy the day. Signed on earlier
    days and waiting for the dermatologist: in the queue, and counted for the board to say so.
    A finished visit from last week is not on it."""
    signed = bulk_visits(ctx, 30, "submitted")  # signed 40 to 38 days ago, never reviewed
    bulk_visits(ctx, 20, "countersigned", first_id=3000)  # finished weeks ago
    recent = bulk_visits(ctx, 600, "draft", first_id=5000)  # today's activity, more than the cap
    paused = bulk_visits(ctx, 1, "draft", first_id=9000)[0]
    signed_paused = signed[-1]
    with ctx.db.engine.begin() as conn:
        for vid in (paused, signed_paused):
            conn.execute(
                Visit.__table__.update()
                .where(Visit.id == vid)
                .values(needs_staff="item9", updated_at=ctx.now() - dt.timedelta(days=2))
            )
    visits = VisitService(ctx)
    rows = visits.board(desk(ctx), limit=100)
    ids = [r.visit_id for r in rows]
    assert paused in ids and signed_paused in ids
    assert not {str(uuid.UUID(int=3000 + i)) for i in range(20)} & set(ids)
    assert not set(signed[:-1]) & set(ids)
    assert len(ids) == len(set(ids)) == 2 + 100
    assert len(set(recent) & set(ids)) == 100
    stamps = [r.updated_at for r in rows]
    assert stamps == sorted(stamps, reverse=True)  # newest activity first
    assert {r.visit_id: r.stage for r in rows}[paused] == "needs_staff"
    assert visits.earlier_for_review(desk(ctx)) == 30
    assert visits.review_queue(doctor(ctx)).total == 30
