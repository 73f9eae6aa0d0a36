"""The services follow the programme rule set in force on the day: the US iPLEDGE modifications
of 2026 (pick-up windows, the wait after a missed window, monthly counselling of a patient who
cannot get pregnant, pregnancy tests done at home), a day before they take effect and on it.

Each test moves the 2026 rule set's effective date relative to today in a private copy of the
forms, so that the real clock (and the clinic's signing certificate) can stay as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake.forms import forget_default_check, load_forms
from intake.forms.loader import write_lock
from intake.services.clinician import ClinicianService
from intake.services.context import Actor, AppContext, open_context
from intake.services.errors import ServiceError
from intake.services.scripted import (
    ScriptedPatient,
    countersign_consent,
    ensure_staff,
    walk_checkin,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.store.models import AuditEvent, Visit

MALE = ScriptedPatient(
    first_name="Leo", last_name="Park", sex_at_birth="male", can_become_pregnant=False
)


def _ctx_with_2026_rules_from(forms: Path, data: Path, day: dt.date) -> AppContext:
    """A clinic whose forms date the US 2026 rule set ``day`` (locked again)."""
    path = forms / "programme" / "form.toml"
    text = path.read_text("utf-8")
    text, n = re.subn(
        r'(id = "us-ipledge-2026"\neffective = )\d{4}-\d{2}-\d{2}', rf"\g<1>{day.isoformat()}", text
    )
    assert n == 1
    path.write_text(text, "utf-8")
    (forms / "versions.lock").unlink()
    write_lock(load_forms(forms), forms)
    forget_default_check()
    return open_context(data_dir=data)


@pytest.fixture
def rules_from(forms_copy: Path, fresh_environment: Path) -> Iterator[object]:
    """``rules_from(days)``: a context whose 2026 rules take effect ``days`` after the clinic's
    today."""
    from zoneinfo import ZoneInfo

    opened: list[AppContext] = []

    def make(days: int) -> AppContext:
        zone = ZoneInfo(load_forms(forms_copy).clinic.timezone)
        today = dt.datetime.now(dt.UTC).astimezone(zone).date()
        ctx = _ctx_with_2026_rules_from(forms_copy, fresh_environment, today + dt.timedelta(days))
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.db.dispose()


def _doctor(ctx: AppContext) -> Actor:
    return staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))


def _patient_of(ctx: AppContext, visit_id: str) -> int:
    with ctx.db.session() as s:
        visit = s.get(Visit, visit_id)
        assert visit is not None
        return visit.patient_id


@pytest.mark.parametrize(
    ("days", "ruleset", "window"), [(1, "us-ipledge-2021", 30), (0, "us-ipledge-2026", None)]
)
def test_the_pick_up_window_of_a_patient_who_cannot_get_pregnant(
    rules_from, days: int, ruleset: str, window: int | None
) -> None:  # type: ignore[no-untyped-def]
    ctx = rules_from(days)
    vid, _, _ = walk_visit(ctx, MALE)
    doctor, pid = _doctor(ctx), _patient_of(ctx, vid)
    clinician = ClinicianService(ctx)
    today = ctx.today()
    assert clinician.course(doctor, pid).collect_by is None  # no visit with a prescription yet
    clinician.record_follow_up(doctor, pid, 1, seen_on=today, weight=70, daily_dose_mg=40)
    course = clinician.course(doctor, pid)
    assert course.ruleset_id == ruleset
    assert not course.can_become_pregnant
    expected = today + dt.timedelta(days=window) if window is not None else None
    assert course.collect_by == expected
    assert course.next_test_on is None


@pytest.mark.parametrize(
    ("days", "counselling"), [(1, True), (0, False)], ids=["day-before", "on-the-day"]
)
def test_monthly_counselling_of_a_patient_who_cannot_get_pregnant(
    rules_from, days: int, counselling: bool
) -> None:  # type: ignore[no-untyped-def]
    ctx = rules_from(days)
    vid, _, _ = walk_visit(ctx, MALE)
    doctor, pid = _doctor(ctx), _patient_of(ctx, vid)
    countersign_consent(ctx, doctor, vid)
    checkin, _, _ = walk_checkin(ctx, MALE, pid)
    clinician = ClinicianService(ctx)
    flags = {f.id for f in clinician.review(doctor, checkin).record.flags}
    assert ("checkin_counselling" in flags) is counselling
    assert clinician.course(doctor, pid).monthly_counselling is counselling


def test_a_patient_who_can_get_pregnant_is_counselled_monthly_under_every_rule_set(
    rules_from,
) -> None:  # type: ignore[no-untyped-def]
    ctx = rules_from(0)
    vid, _, _ = walk_visit(ctx, ScriptedPatient())
    doctor, pid = _doctor(ctx), _patient_of(ctx, vid)
    course = ClinicianService(ctx).course(doctor, pid)
    assert course.can_become_pregnant and course.monthly_counselling
    assert course.ruleset_id == "us-ipledge-2026"


@pytest.mark.parametrize(
    ("days", "next_test"),
    [
        (30, 9),  # the 2021 rules throughout: 19 days after the missed test
        (1, 1),  # the 2021 rules when the window was missed; no wait from the day after
        (-2, -2),  # the 2026 rules from the day the window was missed: at once
    ],
    ids=["2021", "2026-from-tomorrow", "2026-when-missed"],
)
def test_the_next_test_after_a_missed_pick_up_window(rules_from, days: int, next_test: int) -> None:  # type: ignore[no-untyped-def]
    ctx = rules_from(days)
    vid, _, _ = walk_visit(ctx, ScriptedPatient())
    doctor, pid = _doctor(ctx), _patient_of(ctx, vid)
    clinician = ClinicianService(ctx)
    today = ctx.today()
    taken = today - dt.timedelta(days=10)
    row = clinician.record_pregnancy_test(doctor, pid, taken, "negative", 1)
    assert row.collect_by == taken + dt.timedelta(days=7)
    course = clinician.course(doctor, pid)
    assert course.collect_by == taken + dt.timedelta(days=7) < today
    assert course.collect_within_days == 7
    assert course.next_test_on == today + dt.timedelta(days=next_test)
    # A new negative test opens a new window: nothing is missed any more.
    clinician.record_pregnancy_test(doctor, pid, today, "negative", 1)
    course = clinician.course(doctor, pid)
    assert course.collect_by == today + dt.timedelta(days=7)
    assert course.next_test_on is None


@pytest.mark.parametrize(("days", "accepted"), [(1, False), (0, True)])
def test_a_pregnancy_test_done_at_home(rules_from, days: int, accepted: bool) -> None:  # type: ignore[no-untyped-def]
    ctx = rules_from(days)
    vid, _, _ = walk_visit(ctx, ScriptedPatient())
    doctor, pid = _doctor(ctx), _patient_of(ctx, vid)
    clinician = ClinicianService(ctx)
    today = ctx.today()
    # Before the first dose a test is done in a medical setting, under either rule set.
    for month in (0, 1):
        with pytest.raises(ServiceError) as refused:
            clinician.record_pregnancy_test(doctor, pid, today, "negative", month, at_home=True)
        assert refused.value.code == "home_test_before_start"
        assert "medical setting" in str(refused.value)
    assert clinician.course(doctor, pid).pregnancy_tests == ()
    clinician.record_pregnancy_test(doctor, pid, today - dt.timedelta(days=3), "negative", 0)
    clinician.record_follow_up(
        doctor, pid, 1, seen_on=today - dt.timedelta(days=2), weight=60, daily_dose_mg=40
    )
    if not accepted:
        with pytest.raises(ServiceError) as refused:
            clinician.record_pregnancy_test(doctor, pid, today, "negative", 2, at_home=True)
        assert refused.value.code == "home_test_not_accepted"
        assert refused.value.params["ruleset"] == "us-ipledge-2021"
        assert len(clinician.course(doctor, pid).pregnancy_tests) == 1
        return
    row = clinician.record_pregnancy_test(doctor, pid, today, "negative", 2, at_home=True)
    assert row.collect_by == today + dt.timedelta(days=7)
    assert len(clinician.course(doctor, pid).pregnancy_tests) == 2
    with ctx.db.session() as s:
        event = s.query(AuditEvent).filter_by(entity="pregnancy_test", entity_id=str(row.id)).one()
        assert event.detail["setting"] == "home"


US_2026 = dt.date(2026, 8, 8)


@pytest.mark.parametrize(
    ("taken", "next_test"),
    [
        # The window of a test on 20 July closes on 27 July: 19 days under the 2021 rules.
        (dt.date(2026, 7, 20), dt.date(2026, 8, 8)),
        # 31 July's closes on 7 August, missed the day before the 2026 rules: 8 August.
        (dt.date(2026, 7, 31), US_2026),
        # 1 August's closes on 8 August, missed on 9 August under the 2026 rules: at once.
        (dt.date(2026, 8, 1), dt.date(2026, 8, 9)),
        (dt.date(2026, 6, 1), dt.date(2026, 6, 20)),
    ],
)
def test_the_next_test_date_follows_the_rules_in_force_after_the_window(
    taken: dt.date, next_test: dt.date
) -> None:
    from intake.services.clinician import _next_test_after_missed

    programme = load_forms(Path(__file__).resolve().parents[2] / "forms").programme
    closed = taken + dt.timedelta(days=7)
    assert _next_test_after_missed(programme, "US", taken, closed) == next_test


def test_the_rule_set_on_a_day_before_any_is_the_first_one() -> None:
    from intake.services.clinician import ruleset_on

    programme = load_forms(Path(__file__).resolve().parents[2] / "forms").programme
    assert ruleset_on(programme, US_2026 - dt.timedelta(days=1), None).id == "us-ipledge-2021"
    assert ruleset_on(programme, US_2026, "US").id == "us-ipledge-2026"
    assert ruleset_on(programme, dt.date(2020, 1, 1), "US").id == "us-ipledge-2021"
    assert ruleset_on(programme, US_2026, "XX").id == "us-ipledge-2026"  # unknown: the clinic's
    assert ruleset_on(programme, US_2026, "UK").id == "uk-mhra-2026"
