"""The end of a course and its aftercare dates, under the US and UK programme rule sets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from intake.domain import completion as c
from intake.domain.errors import ValidationError
from intake.forms import model as m
from intake.forms.loader import load_forms

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"


@pytest.fixture(scope="module")
def forms() -> m.FormSet:
    return load_forms(FORMS_DIR)


def test_us_aftercare_dates_count_30_days_and_6_months_from_the_last_dose(
    forms: m.FormSet,
) -> None:
    last = dt.date(2026, 9, 14)
    ruleset = forms.programme.in_force(last, "US")
    assert ruleset.id == "us-ipledge-2026"
    after = c.aftercare(last, ruleset, can_become_pregnant=True)
    assert after.pregnancy_test_due == dt.date(2026, 10, 14)
    assert after.contraception_until == dt.date(2026, 10, 14)
    assert after.no_blood_donation_until == dt.date(2026, 10, 14)
    assert after.no_cosmetic_procedures_until == dt.date(2027, 3, 13)
    assert after.ruleset_id == "us-ipledge-2026"


def test_uk_post_treatment_test_is_5_weeks_after_the_last_dose(forms: m.FormSet) -> None:
    last = dt.date(2026, 12, 31)
    ruleset = forms.programme.in_force(last, "UK")
    assert ruleset.id == "uk-mhra-2026"
    after = c.aftercare(last, ruleset, can_become_pregnant=True)
    assert after.pregnancy_test_due == dt.date(2027, 2, 4)
    assert after.contraception_until == dt.date(2027, 1, 30)
    assert after.no_blood_donation_until == dt.date(2027, 1, 30)
    assert after.no_cosmetic_procedures_until == dt.date(2027, 6, 29)


def test_a_patient_who_cannot_become_pregnant_gets_no_pregnancy_dates(forms: m.FormSet) -> None:
    last = dt.date(2026, 3, 2)
    after = c.aftercare(last, forms.programme.in_force(last, "US"), can_become_pregnant=False)
    assert (after.pregnancy_test_due, after.contraception_until) == (None, None)
    assert after.no_blood_donation_until == dt.date(2026, 4, 1)
    assert after.ruleset_id == "us-ipledge-2021"  # before 8 August 2026


def test_completion_keeps_the_dose_reached_and_the_reason() -> None:
    done = c.completion(dt.date(2026, 6, 1), 131.04, "completed")
    assert (done.mg_per_kg, done.reason, done.stopped_early) == (
        131.0,
        c.StopReason.COMPLETED,
        False,
    )
    early = c.completion(dt.date(2026, 4, 1), 62.5, c.StopReason.MOOD, "  low mood at month 3 ")
    assert early.stopped_early and early.reason_text == "low mood at month 3"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((dt.date(2026, 6, 1), 120.0, "bored"), "reason"),
        ((dt.date(2026, 6, 1), -1.0, "completed"), "mg_per_kg"),
        ((dt.date(2026, 6, 1), 1200.0, "completed"), "mg_per_kg"),
        ((dt.date(2026, 6, 1), 80.0, "other", "   "), "reason_text"),
        ((dt.date(2026, 6, 1), 80.0, "other", "x" * 501), "reason_text"),
        ((dt.date(2026, 6, 1), 80.0, "completed", "", dt.date(2026, 6, 2)), "completed_on"),
    ],
)
def test_completion_refuses_what_cannot_be_right(args: tuple, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        c.completion(*args)
    assert err.value.field == field


def test_the_post_course_test_is_due_then_overdue_then_recorded(forms: m.FormSet) -> None:
    last = dt.date(2026, 12, 31)
    after = c.aftercare(last, forms.programme.in_force(last, "UK"), can_become_pregnant=True)
    before = [(dt.date(2026, 12, 1), "negative")]  # a test during the course does not count
    assert c.post_course_test_state(after, before, dt.date(2027, 2, 4)) == "due"
    assert c.post_course_test_state(after, before, dt.date(2027, 2, 5)) == "overdue"
    taken = [*before, (dt.date(2027, 2, 4), "negative")]
    assert c.post_course_test_state(after, taken, dt.date(2027, 2, 5)) == "negative"
    positive = [*taken, (dt.date(2027, 2, 1), "positive")]
    assert c.post_course_test_state(after, positive, dt.date(2027, 2, 5)) == "positive"
    none = c.aftercare(last, forms.programme.in_force(last, "UK"), can_become_pregnant=False)
    assert c.post_course_test_state(none, [], dt.date(2027, 3, 1)) == ""


def test_a_negative_test_before_the_due_date_does_not_clear_the_post_course_test(
    forms: m.FormSet,
) -> None:
    last = dt.date(2026, 12, 4)
    after = c.aftercare(last, forms.programme.in_force(last, "US"), can_become_pregnant=True)
    assert after.pregnancy_test_due is not None
    due = after.pregnancy_test_due
    early = [(last + dt.timedelta(days=1), "negative")]  # the day after the last dose
    assert c.post_course_test_state(after, early, last + dt.timedelta(days=2)) == "due"
    assert c.post_course_test_state(after, early, due + dt.timedelta(days=30)) == "overdue"
    day_before = [(due - dt.timedelta(days=1), "negative")]
    assert c.post_course_test_state(after, day_before, due + dt.timedelta(days=1)) == "overdue"
    on_time = [*early, (due, "negative")]
    assert c.post_course_test_state(after, on_time, due + dt.timedelta(days=1)) == "negative"
    # A positive test is shown whenever it was taken after the last dose.
    early_positive = [(last + dt.timedelta(days=10), "positive")]
    assert c.post_course_test_state(after, early_positive, due) == "positive"


def test_the_post_course_test_moves_to_the_next_open_day_and_the_until_dates_stay(
    forms: m.FormSet,
) -> None:
    from intake.domain.course import OpenDays

    weekdays = OpenDays(frozenset(range(5)), frozenset({dt.date(2027, 1, 4)}))
    last = dt.date(2026, 12, 4)  # a Friday: 30 days on is Sunday 3 January 2027
    us = forms.programme.in_force(last, "US")
    assert c.aftercare(last, us, True).pregnancy_test_due == dt.date(2027, 1, 3)
    after = c.aftercare(last, us, True, weekdays)
    # Past the Sunday, and past a closure on the Monday.
    assert after.pregnancy_test_due == dt.date(2027, 1, 5)
    assert after.contraception_until == dt.date(2027, 1, 3)
    assert after.no_blood_donation_until == dt.date(2027, 1, 3)
    uk_last = dt.date(2026, 12, 5)  # a Saturday: 5 weeks on is a Saturday too
    uk = c.aftercare(uk_last, forms.programme.in_force(uk_last, "UK"), True, weekdays)
    assert uk.pregnancy_test_due == dt.date(2027, 1, 11)
    assert uk.contraception_until == dt.date(2027, 1, 4)  # a closure, but "until" is exact
    # On an open day the date stays; with no pregnancy possible there is none to move.
    monday = dt.date(2026, 9, 14)
    assert c.aftercare(monday, us, True, weekdays).pregnancy_test_due == dt.date(2026, 10, 14)
    assert c.aftercare(last, us, False, weekdays).pregnancy_test_due is None
