"""The end of a course: when it ended, how far it went, and the aftercare dates that follow.

The dates come from the programme rule set in force on the day of the last dose (its numbers
``post_treatment_test_days``, ``contraception_after_end_days``, ``blood_donation_after_end_days``
and ``cosmetic_procedures_after_end_days``), so a US and a UK patient finishing on the same day
get their own programme's dates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from intake.domain.course import OpenDays
from intake.domain.errors import ValidationError
from intake.domain.records import ConsentRecord
from intake.forms import model as fm

# When the rule set names no number (a rule set since removed), the public programmes' values.
_DEFAULT_DAYS = {
    "post_treatment_test_days": 30,
    "contraception_after_end_days": 30,
    "blood_donation_after_end_days": 30,
    "cosmetic_procedures_after_end_days": 180,
}

REASON_TEXT_MAX = 500


class StopReason(StrEnum):
    """Why a course ended. ``COMPLETED`` is the planned end (the target dose reached or the
    acne cleared); every other reason is an early stop."""

    COMPLETED = "completed"
    SIDE_EFFECTS = "side_effects"
    MOOD = "mood"
    ABNORMAL_LABS = "abnormal_labs"
    PREGNANCY = "pregnancy"
    PATIENT_CHOICE = "patient_choice"
    OTHER = "other"

    @property
    def early(self) -> bool:
        return self is not StopReason.COMPLETED


@dataclass(frozen=True)
class Aftercare:
    """The patient's own dates after the last dose. The pregnancy-related ones are None for a
    patient who cannot become pregnant. The test falls on a day the clinic is open."""

    last_dose_on: dt.date
    ruleset_id: str
    pregnancy_test_due: dt.date | None
    contraception_until: dt.date | None
    no_blood_donation_until: dt.date
    no_cosmetic_procedures_until: dt.date  # waxing, dermabrasion, laser


@dataclass(frozen=True)
class Completion:
    """A course's end as the clinician records it."""

    completed_on: dt.date  # the day of the last dose
    mg_per_kg: float  # the cumulative dose reached
    reason: StopReason
    reason_text: str = ""

    @property
    def stopped_early(self) -> bool:
        return self.reason.early


def _days(ruleset: fm.RuleSet, key: str) -> int:
    return int(ruleset.numbers.get(key, _DEFAULT_DAYS[key]))


def aftercare(
    completed_on: dt.date,
    ruleset: fm.RuleSet,
    can_become_pregnant: bool,
    open_days: OpenDays | None = None,
) -> Aftercare:
    """The aftercare dates counted from the last dose under ``ruleset``.

    The post-course pregnancy test is taken at the clinic, so its date moves forward to the
    next day the clinic is open (``open_days``); the "until" dates are the rule set's own,
    exactly, whatever the day of the week.
    """

    def after(key: str) -> dt.date:
        return completed_on + dt.timedelta(days=_days(ruleset, key))

    test_due = None
    if can_become_pregnant:
        test_due = after("post_treatment_test_days")
        if open_days is not None:
            test_due = open_days.next_open(test_due)
    return Aftercare(
        last_dose_on=completed_on,
        ruleset_id=ruleset.id,
        pregnancy_test_due=test_due,
        contraception_until=after("contraception_after_end_days") if can_become_pregnant else None,
        no_blood_donation_until=after("blood_donation_after_end_days"),
        no_cosmetic_procedures_until=after("cosmetic_procedures_after_end_days"),
    )


def completion(
    completed_on: dt.date,
    mg_per_kg: float,
    reason: str | StopReason,
    reason_text: str = "",
    course_started_on: dt.date | None = None,
) -> Completion:
    """A checked completion: a known reason, a plausible dose, free text for "other", and a
    last dose not before the course began."""
    try:
        why = StopReason(reason)
    except ValueError:
        raise ValidationError(
            "reason", "Choose why the course ended.", code="completion_reason"
        ) from None
    if not 0 <= mg_per_kg <= 1000:
        raise ValidationError(
            "mg_per_kg",
            "A cumulative dose of 0 to 1000 mg/kg, please.",
            code="completion_dose_range",
        )
    text = reason_text.strip()
    if why is StopReason.OTHER and not text:
        raise ValidationError(
            "reason_text", "Please say why the course was stopped.", code="completion_reason_text"
        )
    if len(text) > REASON_TEXT_MAX:
        raise ValidationError(
            "reason_text",
            f"Please keep this under {REASON_TEXT_MAX} characters.",
            code="completion_reason_long",
            limit=REASON_TEXT_MAX,
        )
    if course_started_on is not None and completed_on < course_started_on:
        raise ValidationError(
            "completed_on",
            "The last dose cannot be before the course began.",
            code="completion_before_start",
        )
    return Completion(completed_on, round(float(mg_per_kg), 1), why, text)


def post_course_test_state(
    aftercare: Aftercare, tests: list[tuple[dt.date, str]], today: dt.date
) -> str:
    """Where the post-course pregnancy test stands: "" (not needed), "due" (not yet taken, due
    date not passed), "overdue", "positive" when any test after the last dose was positive, else
    "negative" once one was taken on or after its due date.

    A negative test taken before the due date is kept with the patient's tests but is not the
    post-course test: a pregnancy that began near the last dose does not show yet, so the test
    stays due.
    """
    due = aftercare.pregnancy_test_due
    if due is None:
        return ""
    after = [result for day, result in tests if day > aftercare.last_dose_on]
    if "positive" in after:
        return "positive"  # whenever it was taken, a positive test is never hidden
    if any(day >= due for day, _result in tests):
        return "negative"
    return "overdue" if today > due else "due"


@dataclass(frozen=True)
class AftercareRecord(ConsentRecord):
    """What the aftercare packet is drawn from: the consent the course ran under, its end and
    the aftercare dates. Its fingerprint (printed on each page) covers all three."""

    completion: Completion | None = None
    aftercare: Aftercare | None = None
    completed_by: str = ""  # the clinician who recorded the end of the course


def aftercare_record(
    consent: ConsentRecord, done: Completion, after: Aftercare, completed_by: str, **changes: object
) -> AftercareRecord:
    """The consent record with the course's end and its aftercare dates (``changes``: other
    fields to replace, such as the document id and form versions)."""
    fields = {f.name: getattr(consent, f.name) for f in dataclasses.fields(ConsentRecord)}
    fields.update(changes)
    return AftercareRecord(**fields, completion=done, aftercare=after, completed_by=completed_by)  # type: ignore[arg-type]
