"""A monthly check-in through the Qt-free kiosk controller: the item-9 pause, and an idle wipe
then a resume that lands back on the check-in's own pages."""

from __future__ import annotations

from intake.domain.kinds import VisitKind
from intake.services.context import AppContext
from intake.services.kiosk_flow import KioskController
from intake.services.kiosk_payloads import IntakeAnswers, MoodAnswers, Screen
from intake.services.scripted import (
    ScriptedPatient,
    checkin_answers,
    ensure_staff,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.services.visits import StartedVisit, VisitService
from intake.store.models import Visit


def _checkin(ctx: AppContext, patient: ScriptedPatient) -> StartedVisit:
    first, _kiosk, _ = walk_visit(ctx, patient)
    with ctx.db.session() as s:
        patient_id = s.get(Visit, first).patient_id
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    return VisitService(ctx).start_visit(desk, patient_id, "en", kind=VisitKind.CHECKIN)


def _pages(ctl: KioskController, ctx: AppContext, patient: ScriptedPatient, until: str) -> None:
    answers = checkin_answers(patient, ctx.today())
    while ctl.flow is not None and ctl.flow.current.kind == "intake":
        page_id = ctl.flow.current.key
        if page_id == until:
            return
        given = answers.get(page_id, {})
        visible = {q.id for q in ctl.flow.visible_questions(page_id, given)}
        view = ctl.submit(IntakeAnswers(page_id, {k: v for k, v in given.items() if k in visible}))
        assert not view.errors, view.errors


def test_a_positive_item_9_at_a_check_in_waits_for_staff(sqlite_ctx: AppContext) -> None:
    patient = ScriptedPatient()
    started = _checkin(sqlite_ctx, patient)
    ctl = KioskController(sqlite_ctx)
    ctl.open_by_code(patient.date_of_birth, started.code)
    _pages(ctl, sqlite_ctx, patient, until="")
    assert ctl.flow is not None and ctl.flow.current.kind == "phq9"
    view = ctl.submit(MoodAnswers((0, 0, 0, 0, 0, 0, 0, 0, 1), "not_difficult"))
    assert view.step is not None and view.step.kind == "help_now"
    desk = staff_actor(ensure_staff(sqlite_ctx, "front_desk", "desk", "Front Desk"))
    assert VisitService(sqlite_ctx).staff_reason(desk, started.visit_id) == "item9"


def test_an_idle_wipe_then_resume_returns_to_the_check_in_page(sqlite_ctx: AppContext) -> None:
    patient = ScriptedPatient()
    started = _checkin(sqlite_ctx, patient)
    ctl = KioskController(sqlite_ctx)
    ctl.open_by_code(patient.date_of_birth, started.code)
    _pages(ctl, sqlite_ctx, patient, until="new_medicines")
    ctl.reset("idle")
    assert ctl.visit is None
    again = KioskController(sqlite_ctx)
    view = again.open_by_code(patient.date_of_birth, started.code)
    assert view.screen is Screen.RESUME
    view = again.confirm_resume()
    assert again.flow is not None and again.flow.checkin_month == 1
    assert again.flow.current.id == "intake:new_medicines"
    # What was answered before the wipe is kept.
    assert again.flow.answers["se_dry_skin_lips"] == "mild"
