"""Planned monthly visits fall on days the clinic is open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from intake.domain.course import OpenDays, monthly_visit_dates
from intake.forms.loader import load_forms

WEEKDAYS_ONLY = frozenset(range(5))  # Monday to Friday
EASTER_2026 = dt.date(2026, 4, 5)
FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"


def test_without_open_days_visits_are_every_interval() -> None:
    start = dt.date(2026, 1, 5)
    assert monthly_visit_dates(start, 3, 30) == (
        dt.date(2026, 2, 4),
        dt.date(2026, 3, 6),
        dt.date(2026, 4, 5),
    )


def test_a_visit_due_on_a_weekend_moves_to_monday() -> None:
    # Monday 5 January 2026 + 30 days = Wednesday 4 February; + 60 = Friday 6 March;
    # + 90 = Sunday 5 April; + 120 = Tuesday 5 May; + 150 = Thursday 4 June; + 180 = Saturday 4 July.
    days = OpenDays(WEEKDAYS_ONLY)
    planned = monthly_visit_dates(dt.date(2026, 1, 5), 6, 30, days)
    assert planned == (
        dt.date(2026, 2, 4),
        dt.date(2026, 3, 6),
        dt.date(2026, 4, 6),  # from Sunday 5 April
        dt.date(2026, 5, 5),
        dt.date(2026, 6, 4),
        dt.date(2026, 7, 6),  # from Saturday 4 July
    )
    assert all(day.weekday() < 5 for day in planned)


def test_an_easter_sunday_closure_moves_the_visit_even_where_sundays_are_open() -> None:
    every_day = OpenDays(frozenset(range(7)), frozenset({EASTER_2026}))
    assert monthly_visit_dates(dt.date(2026, 3, 6), 1, 30, every_day) == (dt.date(2026, 4, 6),)
    assert not every_day.is_open(EASTER_2026)
    assert every_day.is_open(dt.date(2026, 4, 12))  # the next Sunday is an ordinary one


def test_a_run_of_closures_moves_the_visit_past_all_of_them() -> None:
    # Due Thursday 24 December 2026; closed 24, 25 (Fri), the weekend, 28–31 December and
    # New Year's Day: the first open day is Monday 4 January 2027.
    closures = frozenset(
        {dt.date(2026, 12, 24), dt.date(2026, 12, 25)}
        | {dt.date(2026, 12, d) for d in range(28, 32)}
        | {dt.date(2027, 1, 1)}
    )
    days = OpenDays(WEEKDAYS_ONLY, closures)
    start = dt.date(2026, 12, 24) - dt.timedelta(days=30)
    assert monthly_visit_dates(start, 1, 30, days) == (dt.date(2027, 1, 4),)


def test_an_open_day_stays_and_the_next_visit_still_follows_the_grid() -> None:
    # The shift of one visit does not push the later ones: each is due interval_days * n after
    # the start, then moved to an open day.
    days = OpenDays(WEEKDAYS_ONLY, frozenset({dt.date(2026, 2, 4)}))
    planned = monthly_visit_dates(dt.date(2026, 1, 5), 2, 30, days)
    assert planned == (dt.date(2026, 2, 5), dt.date(2026, 3, 6))


def test_visits_stay_in_order_when_closures_outlast_the_interval() -> None:
    # A clinic closed for three weeks and visits a week apart: the visits queue after the
    # reopening, one open day after another, never two on the same day.
    closures = frozenset(dt.date(2026, 6, 1) + dt.timedelta(days=i) for i in range(21))
    days = OpenDays(frozenset(range(7)), closures)
    planned = monthly_visit_dates(dt.date(2026, 5, 25), 3, 7, days)
    assert planned == (dt.date(2026, 6, 22), dt.date(2026, 6, 23), dt.date(2026, 6, 24))


def test_a_clinic_with_no_open_weekday_is_refused() -> None:
    with pytest.raises(ValueError, match="no open weekday"):
        OpenDays(frozenset()).next_open(dt.date(2026, 1, 1))


def test_the_clinic_profile_plans_no_visit_on_a_weekend_or_a_closure() -> None:
    clinic = load_forms(FORMS_DIR).clinic
    assert clinic.open_weekdays == (0, 1, 2, 3, 4)
    assert EASTER_2026 in clinic.closures
    days = OpenDays(frozenset(clinic.open_weekdays), frozenset(clinic.closures))
    # Every first visit of 2026: no planned monthly visit on a closed day.
    start = dt.date(2026, 1, 1)
    for offset in range(365):
        for day in monthly_visit_dates(start + dt.timedelta(days=offset), 6, 30, days):
            assert day.weekday() < 5 and day not in clinic.closures, day
