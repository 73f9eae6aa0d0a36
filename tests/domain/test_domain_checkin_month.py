"""The month N of a check-in follows from the signed visits of the course running."""

from __future__ import annotations

import datetime as dt

from intake.domain.course import checkin_month
from intake.domain.kinds import VisitKind

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _at(days: int) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def test_no_signed_first_visit_means_no_course() -> None:
    assert checkin_month([]) is None
    assert checkin_month([(VisitKind.CHECKIN, _at(0))]) is None


def test_the_check_in_after_the_first_visit_is_month_1_then_counts_up() -> None:
    signed = [(VisitKind.FIRST_VISIT, _at(0))]
    assert checkin_month(signed) == 1
    signed += [(VisitKind.CHECKIN, _at(30)), (VisitKind.CHECKIN, _at(60))]
    assert checkin_month(signed) == 3


def test_a_new_first_visit_begins_a_new_course_and_completion_ends_it() -> None:
    old = [(VisitKind.FIRST_VISIT, _at(0)), (VisitKind.CHECKIN, _at(30))]
    assert checkin_month(old, completed_at=_at(40)) is None
    renewed = [*old, (VisitKind.FIRST_VISIT, _at(400))]
    assert checkin_month(renewed, completed_at=_at(40)) == 1
