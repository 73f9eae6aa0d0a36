"""The treatment course: cumulative dose, lab ranges, the prescription window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from intake.domain import numbers
from intake.domain.errors import ValidationError
from intake.domain.kinds import VisitKind

SIDE_EFFECTS = (
    "dry_skin_lips",
    "dry_eyes",
    "nosebleeds",
    "joint_muscle_pain",
    "headache",
    "vision_change",
    "stomach_pain",
    "rash",
    "mood_change",
    "other",
)


@dataclass(frozen=True)
class MonthDose:
    month: int
    weight_kg: float
    daily_dose_mg: float
    days: int = 30


@dataclass(frozen=True)
class DoseSummary:
    cumulative_mg: float
    mg_per_kg: float
    target_low: float
    target_high: float

    @property
    def status(self) -> str:
        """below | within | above the clinic's target range."""
        if self.mg_per_kg < self.target_low:
            return "below"
        return "within" if self.mg_per_kg <= self.target_high else "above"


def dose_summary(months: Sequence[MonthDose], target: tuple[float, float]) -> DoseSummary:
    """Cumulative dose over the course so far, per kg of the latest weight."""
    total = sum(m.daily_dose_mg * m.days for m in months)
    weight = max(months, key=lambda m: m.month).weight_kg if months else 0.0
    per_kg = total / weight if weight else 0.0
    return DoseSummary(round(total, 1), round(per_kg, 1), target[0], target[1])


def out_of_range(value: float, low: float, high: float, critical_high: float | None = None) -> str:
    """'' within range; 'low', 'high', or 'critical' above the clinic's critical threshold."""
    if value < low:
        return "low"
    if critical_high is not None and value > critical_high:
        return "critical"
    if value > high:
        return "high"
    return ""


def collect_by(negative_test_on: dt.date, days: int = 7) -> dt.date:
    """Where pregnancy is possible, a prescription is collected within ``days`` of the negative test."""
    return negative_test_on + dt.timedelta(days=days)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order


@dataclass(frozen=True)
class OpenDays:
    """The days the clinic sees patients: its weekdays, less its closure dates."""

    weekdays: frozenset[int] = frozenset(range(7))  # date.weekday(): Monday 0 .. Sunday 6
    closures: frozenset[dt.date] = frozenset()

    def is_open(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.closures

    def next_open(self, day: dt.date) -> dt.date:
        """``day`` itself when the clinic is open then, else the first open day after it."""
        if not self.weekdays:
            raise ValueError("the clinic has no open weekday")
        # Each week holds an open weekday, and each closure can take at most one of them.
        for offset in range(7 * (len(self.closures) + 1)):
            candidate = day + dt.timedelta(days=offset)
            if self.is_open(candidate):
                return candidate
        raise ValueError(f"no open day from {day.isoformat()}")  # pragma: no cover


def monthly_visit_dates(
    start: dt.date, months: int, interval_days: int = 30, open_days: OpenDays | None = None
) -> tuple[dt.date, ...]:
    """The planned monthly visits: every ``interval_days`` from ``start``, each moved forward to
    the next day the clinic is open (and always after the visit planned before it)."""
    days = open_days or OpenDays()
    planned: list[dt.date] = []
    for i in range(1, months + 1):
        due = start + dt.timedelta(days=interval_days * i)
        if planned and due <= planned[-1]:
            due = planned[-1] + dt.timedelta(days=1)
        planned.append(days.next_open(due))
    return tuple(planned)


# What is wrong with a number typed on a staff screen: (English, code).
_NUMBER_MESSAGES = {
    numbers.Problem.EMPTY: ("Please enter a number.", "number_empty"),
    numbers.Problem.SIGN: ("Please enter the number without a + or - sign.", "number_sign"),
    numbers.Problem.EXPONENT: (
        "Please enter plain digits, without an e, for example 32 or 4.5.",
        "number_exponent",
    ),
    numbers.Problem.TWO_NUMBERS: (
        "Please enter one number only, for example 32 or 4.5.",
        "number_two_numbers",
    ),
    numbers.Problem.SEPARATOR: (
        "Please enter the number with one decimal point or comma at most and no thousands"
        " separator, for example 1500 or 4.5.",
        "number_separator",
    ),
}
_NUMBER_OTHERWISE = ("Please enter a number, for example 32 or 4.5.", "number_unreadable")


def _number(raw: object, field: str, unit_words: frozenset[str] = frozenset()) -> float:
    if raw is None:
        message, code = _NUMBER_MESSAGES[numbers.Problem.EMPTY]
        raise ValidationError(field, message, code=code)
    try:
        return float(numbers.read_plain(raw, unit_words))
    except numbers.Unreadable as exc:
        message, code = _NUMBER_MESSAGES.get(exc.problem, _NUMBER_OTHERWISE)
        raise ValidationError(field, message, code=code) from None


def lab_value(raw: object, field: str = "value") -> float:
    """A lab result, as the same parser reads every number typed (no sign, no exponent)."""
    value = _number(raw, field)
    if not 0 <= value <= 100_000:
        raise ValidationError(
            field, "Please enter a value between 0 and 100000.", code="lab_value_range"
        )
    return value


def dose_value(raw: object, field: str = "daily_dose_mg") -> float:
    """A daily dose in mg; "40" and "40 mg" alike."""
    value = _number(raw, field, frozenset({"mg"}))
    if value > 200:
        raise ValidationError(
            field,
            "A daily dose above 200 mg is not plausible; please check it.",
            code="dose_implausible",
        )
    return value


def pregnancy_hold(tests: Sequence[tuple[dt.date, str]]) -> dt.date | None:
    """The day of the positive pregnancy test that holds the course, or None.

    A positive test stops prescribing until a negative test taken on a later day; a negative
    entered for the same day (or earlier) does not lift it.
    """
    positives = [day for day, result in tests if result == "positive"]
    if not positives:
        return None
    last_positive = max(positives)
    if any(day > last_positive and result == "negative" for day, result in tests):
        return None
    return last_positive


def checkin_month(
    signed: Sequence[tuple[VisitKind, dt.datetime]], completed_at: dt.datetime | None = None
) -> int | None:
    """The month N of the next check-in ("Month N check-in"), None when no course is running.

    ``signed``: the patient's signed visits, each with its kind and when it was started. A
    course begins at the latest signed first visit and ends at its completion (recorded at
    ``completed_at``); N counts the signed visits of the course so far, the first visit
    included, so the check-in after the first visit is month 1.
    """
    firsts = [at for kind, at in signed if kind == VisitKind.FIRST_VISIT]
    if not firsts:
        return None
    began = max(firsts)
    if completed_at is not None and completed_at >= began:
        return None
    return sum(1 for _kind, at in signed if at >= began)
