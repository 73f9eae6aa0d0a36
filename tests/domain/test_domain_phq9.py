"""PHQ-9 scoring and the flags raised for the dermatologist."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.domain.errors import ValidationError
from intake.domain.flags import clinician_flags
from intake.domain.phq9 import band_for, item9_positive, score
from intake.domain.records import Phq9Result
from intake.domain.rules import derive_facts
from intake.forms.loader import load_forms

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
VISIT = dt.date(2026, 3, 2)


def answers_totalling(total: int, item9: int = 0) -> list[int]:
    """Nine answers 0..3 with the given total and item-9 answer."""
    rest = total - item9
    assert 0 <= rest <= 24
    first8 = []
    for _ in range(8):
        a = min(3, rest)
        first8.append(a)
        rest -= a
    return [*first8, item9]


# --- scoring --------------------------------------------------------------------------------------


# Bands from the PHQ-9 itself (CONTENT.md): 0–4 none, 5–9 mild, 10–14 moderate,
# 15–19 moderately severe, 20–27 severe.
@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (4, "none"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_band_at_each_boundary(total: int, band: str) -> None:
    answers = answers_totalling(total, item9=3 if total == 27 else 0)
    result = score(answers)
    assert result.total == total == sum(answers)
    assert result.band == band
    assert band_for(total) == band
    assert result.answers == tuple(answers)


@pytest.mark.parametrize("total", [-1, 28])
def test_band_for_rejects_impossible_totals(total: int) -> None:
    with pytest.raises(ValueError):
        band_for(total)


def test_domain_bands_agree_with_the_phq9_form() -> None:
    """The form's bands (shown to staff) and the scoring code must never disagree."""
    form = load_forms(FORMS_DIR).phq9
    for total in range(28):
        (covering,) = [b for b in form.bands if b.min <= total <= b.max]
        assert band_for(total) == covering.id, total


def test_item9_alert_even_with_a_total_of_1() -> None:
    result = score([0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert result.total == 1
    assert result.band == "none"
    assert result.item9_positive is True


def test_no_item9_alert_when_item9_is_0_however_high_the_total() -> None:
    # With item 9 at "not at all" the highest possible total is 24 (a total of 26 needs item 9).
    result = score([3] * 8 + [0])
    assert result.total == 24
    assert result.band == "severe"
    assert result.item9_positive is False
    assert item9_positive([3] * 8 + [0]) is False


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_any_answer_but_not_at_all_on_item9_is_positive(item9: int) -> None:
    assert score([0] * 8 + [item9]).item9_positive is True


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=9, max_size=9))
def test_score_properties(answers: list[int]) -> None:
    result = score(answers)
    assert result.total == sum(answers)
    assert result.item9_positive is (answers[8] > 0)
    assert result.band == band_for(result.total)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ([0] * 8, "phq9"),  # eight answers
        ([0] * 10, "phq9"),
        ([], "phq9"),
        ([0, 0, 0, None, 0, 0, 0, 0, 0], "phq9_4"),  # unanswered
        ([0, 0, 0, 0, 0, 0, 0, 0, 4], "phq9_9"),  # out of range
        ([0, -1, 0, 0, 0, 0, 0, 0, 0], "phq9_2"),
        ([True, 0, 0, 0, 0, 0, 0, 0, 0], "phq9_1"),  # a bool is not an answer
        ([0, 0, 1.0, 0, 0, 0, 0, 0, 0], "phq9_3"),
        ([0, 0, 0, 0, "1", 0, 0, 0, 0], "phq9_5"),
        ("012301230", "phq9_1"),  # a string of digits is not nine answers
    ],
)
def test_bad_answers_raise_validation_error(answers: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        score(answers)
    assert info.value.field == field
    assert info.value.message.startswith("Please") or "needs" in info.value.message


# --- clinician flags ----------------------------------------------------------------------------


def facts(**answers: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"date_of_birth": dt.date(1995, 5, 5), "sex_at_birth": "male"}
    return derive_facts({**base, **answers}, VISIT)


def female(**answers: Any) -> dict[str, Any]:
    return facts(
        sex_at_birth="female", uterus_and_ovary="yes", pregnancy_ruled_out="none", **answers
    )


def flag_ids(f: dict[str, Any], phq9: Phq9Result | None = None) -> list[str]:
    return [flag.id for flag in clinician_flags(f, phq9)]


def test_healthy_adult_male_with_a_clear_screen_has_no_flags() -> None:
    assert clinician_flags(facts(conditions=["none"]), score([0] * 9)) == ()


def test_item9_alert_comes_first() -> None:
    f = female(
        pregnant_now="yes",
        breastfeeding="yes",
        takes_vitamin_a="yes",
        takes_tetracycline="yes",
        conditions=["depression"],
    )
    flags = clinician_flags(f, score([3, 3, 3, 3, 0, 0, 0, 0, 1]))
    assert flags[0].id == "item9"
    assert flags[0].severity == "alert"
    # Everything that needs action this visit comes before anything to review.
    severities = [flag.severity for flag in flags]
    assert severities == sorted(severities, key=lambda s: s != "alert")
    assert {"pregnant", "breastfeeding", "vitamin_a", "tetracycline"} <= {
        flag.id for flag in flags if flag.severity == "alert"
    }
    assert {"mood_screen", "psychiatric_history"} <= {
        flag.id for flag in flags if flag.severity == "warning"
    }


@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_vitamin_a_flag(answer: str) -> None:
    (flag,) = clinician_flags(facts(takes_vitamin_a=answer), None)
    assert flag.id == "vitamin_a" and flag.severity == "alert"
    assert "vitamin a" in flag.text.lower()
    assert flag.text_es


@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_tetracycline_flag(answer: str) -> None:
    (flag,) = clinician_flags(facts(takes_tetracycline=answer), None)
    assert flag.id == "tetracycline" and flag.severity == "alert"
    assert "tetracycline" in flag.text.lower()


def test_no_medicine_flags_when_the_answer_is_no() -> None:
    assert flag_ids(facts(takes_vitamin_a="no", takes_tetracycline="no")) == []


@pytest.mark.parametrize(("answer", "flagged"), [("yes", True), ("unsure", True), ("no", False)])
def test_pregnant_now_flag(answer: str, flagged: bool) -> None:
    ids = flag_ids(female(pregnant_now=answer, contraception_methods=["abstinence"]))
    assert ("pregnant" in ids) is flagged
    if flagged:
        (flag,) = [
            f for f in clinician_flags(female(pregnant_now=answer), None) if f.id == "pregnant"
        ]
        assert flag.severity == "alert"
        assert "do not prescribe" in flag.text.lower()


@pytest.mark.parametrize(("answer", "flagged"), [("yes", True), ("no", False)])
def test_breastfeeding_flag(answer: str, flagged: bool) -> None:
    assert ("breastfeeding" in flag_ids(female(breastfeeding=answer))) is flagged


@pytest.mark.parametrize(
    "condition", ["depression", "anxiety", "other_mental_illness", "self_harm_history"]
)
def test_psychiatric_history_flag(condition: str) -> None:
    flags = clinician_flags(facts(conditions=[condition]), None)
    (flag,) = [f for f in flags if f.id == "psychiatric_history"]
    assert flag.severity == "warning"
    assert condition.replace("_", " ") in flag.text


def test_psychiatric_history_lists_every_condition_once() -> None:
    (flag,) = clinician_flags(facts(conditions=["anxiety", "depression"]), None)
    assert "anxiety" in flag.text and "depression" in flag.text


def test_liver_and_lipid_flags() -> None:
    ids = flag_ids(facts(conditions=["liver_disease", "high_lipids"]))
    assert ids == ["liver", "lipids"]


@pytest.mark.parametrize(("total", "flagged"), [(9, False), (10, True), (14, True), (27, True)])
def test_positive_mood_screen_from_10(total: int, flagged: bool) -> None:
    result = score(answers_totalling(total, item9=3 if total == 27 else 0))
    flags = clinician_flags(facts(), result)
    mood = [f for f in flags if f.id == "mood_screen"]
    assert bool(mood) is flagged
    if flagged:
        assert str(total) in mood[0].text
        assert mood[0].severity == "warning"


def test_contraception_not_adequate_flag() -> None:
    flags = clinician_flags(female(contraception_methods=["progestin_only_pill"]), None)
    ids = [f.id for f in flags]
    assert "pregnancy_possible" in ids
    (flag,) = [f for f in flags if f.id == "contraception"]
    assert "progestin-only pill" in flag.text


def test_adequate_contraception_is_not_flagged() -> None:
    ids = flag_ids(female(contraception_methods=["copper_iud", "male_condom"]))
    assert "pregnancy_possible" in ids
    assert "contraception" not in ids


def test_no_contraception_chosen_is_flagged() -> None:
    assert "contraception" in flag_ids(female(contraception_methods=["none_yet"]))
    assert "contraception" in flag_ids(female())


def test_contraception_is_not_flagged_for_a_patient_who_cannot_become_pregnant() -> None:
    ids = flag_ids(facts(contraception_methods=["none_yet"]))
    assert "contraception" not in ids and "pregnancy_possible" not in ids


def test_flag_answer_ids_exist_in_the_intake_form() -> None:
    """The flags read intake answers by id and option value; a rename must not silence them."""
    intake = load_forms(FORMS_DIR).intake
    for qid in ("pregnant_now", "takes_tetracycline", "takes_vitamin_a"):
        assert {"yes", "unsure"} <= {o.value for o in intake.question(qid).options}, qid
    assert "yes" in {o.value for o in intake.question("breastfeeding").options}
    assert "yes" in {o.value for o in intake.question("has_allergies").options}
    conditions = {o.value for o in intake.question("conditions").options}
    assert {
        "depression",
        "anxiety",
        "other_mental_illness",
        "self_harm_history",
        "liver_disease",
        "high_lipids",
        "ibd",
        "diabetes",
    } <= conditions
