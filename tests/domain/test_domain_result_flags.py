"""Results that the dermatologist must see before signing: abnormal and critical labs, a positive test."""

from __future__ import annotations

import datetime as dt

import pytest

from intake.domain.course import out_of_range
from intake.domain.flags import LabFinding, clinician_flags, result_flags
from intake.domain.records import Phq9Result

DAY = dt.date(2026, 11, 2)


def _alt(value: float) -> LabFinding:
    return LabFinding("alt", "ALT", "ALT", value, "U/L", DAY, 7, 56, 168)


@pytest.mark.parametrize(
    ("value", "where"),
    [
        (30, ""),
        (56, ""),
        (57, "high"),
        (168, "high"),
        (168.5, "critical"),
        (300, "critical"),
        (3, "low"),
    ],
)
def test_a_result_is_in_range_high_low_or_critical(value: float, where: str) -> None:
    assert out_of_range(value, 7, 56, 168) == where


def test_without_a_critical_threshold_a_very_high_result_is_high() -> None:
    assert out_of_range(10_000, 7, 56) == "high"


def test_critical_labs_are_alerts_to_tick_and_abnormal_ones_warnings() -> None:
    found = result_flags(
        [
            _alt(81),
            LabFinding(
                "triglycerides", "Triglycerides", "Triglicéridos", 900, "mg/dL", DAY, 0, 150, 500
            ),
            LabFinding(
                "cholesterol", "Total cholesterol", "Colesterol", 180, "mg/dL", DAY, 0, 200, 300
            ),
        ],
        [],
    )
    # Critical first; a result in range raises nothing.
    assert [(f.id, f.severity, f.must_review) for f in found] == [
        ("lab_triglycerides", "alert", True),
        ("lab_alt", "warning", False),
    ]
    assert found[0].text.startswith("CRITICAL Triglycerides 900 mg/dL on 2026-11-02")
    assert "above 500 mg/dL" in found[0].text and "CRÍTICO" in found[0].text_es
    assert "above the range 7–56" in found[1].text


def test_a_positive_pregnancy_test_is_an_alert_to_tick_and_a_negative_one_nothing() -> None:
    (flag,) = result_flags([], [(DAY, "positive")])
    assert (flag.id, flag.severity, flag.must_review) == ("pregnancy_test_positive", "alert", True)
    assert "do not prescribe" in flag.text and "2026-11-02" in flag.text
    assert result_flags([], [(DAY, "negative")]) == ()


def test_only_a_later_negative_test_lifts_the_hold_and_it_is_still_reviewed() -> None:
    from intake.domain.course import pregnancy_hold

    later = DAY + dt.timedelta(days=3)
    # Found in review: a negative test entered the same day removed the alert.
    assert pregnancy_hold([(DAY, "positive"), (DAY, "negative")]) == DAY
    assert pregnancy_hold([(DAY - dt.timedelta(days=9), "negative"), (DAY, "positive")]) == DAY
    assert pregnancy_hold([(DAY, "positive"), (later, "negative")]) is None
    (flag,) = result_flags([], [(DAY, "positive"), (DAY, "negative")])
    assert flag.severity == "alert"
    (flag,) = result_flags([], [(DAY, "positive"), (later, "negative")])
    assert (flag.severity, flag.must_review) == ("warning", True)
    assert "followed by a negative one on 2026-11-05" in flag.text


def test_the_serious_intake_flags_must_be_ticked() -> None:
    phq9 = Phq9Result((0, 0, 0, 0, 0, 0, 0, 0, 1), 1, "none", True)
    facts = {"sex_at_birth": "female", "can_become_pregnant": True}
    ticked = {f.id for f in clinician_flags(facts, phq9) if f.must_review}
    # Item 9 ever positive; can become pregnant but no clinician has confirmed it yet.
    assert ticked == {"item9", "pregnancy_possible"}
    confirmed = {f.id for f in clinician_flags(facts, phq9, confirmed=True) if f.must_review}
    assert confirmed == {"item9"}
    says_cannot = {"sex_at_birth": "female", "can_become_pregnant": False}
    assert "pregnancy_unconfirmed" in {
        f.id for f in clinician_flags(says_cannot, None) if f.must_review
    }
