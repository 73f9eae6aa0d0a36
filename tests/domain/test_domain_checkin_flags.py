"""What a monthly check-in flags for the dermatologist."""

from __future__ import annotations

from typing import Any

from intake.domain.flags import checkin_flags

CAN = {"can_become_pregnant": True, "pregnancy_test_date": "2026-06-01"}


def _ids(facts: dict[str, Any], previous: dict[str, Any] | None = None) -> list[str]:
    return [f.id for f in checkin_flags(facts, previous)]


def test_a_severe_side_effect_is_flagged_when_new_or_worse_only() -> None:
    assert _ids({"se_rash": "severe"}) == ["checkin_severe"]
    assert _ids({"se_rash": "severe"}, {"se_rash": "moderate"}) == ["checkin_severe"]
    assert _ids({"se_rash": "severe"}, {"se_rash": "severe"}) == []
    assert _ids({"se_rash": "moderate"}) == []
    flag = checkin_flags({"se_rash": "severe", "se_liver": "severe"})[0]
    assert flag.severity == "alert" and flag.must_review and "2" in flag.text


def test_new_interacting_medicines_are_alerts() -> None:
    assert _ids({"new_vitamin_a": "yes", "new_tetracycline": "unsure"}) == [
        "tetracycline",
        "vitamin_a",
    ]
    assert _ids({"new_vitamin_a": "no", "new_tetracycline": "no"}) == []


def test_a_contraception_gap_or_a_missed_test_is_flagged_where_pregnancy_is_possible() -> None:
    assert _ids(CAN) == []
    assert _ids({**CAN, "missed_pill_or_unprotected": "yes"}) == ["checkin_unprotected"]
    assert _ids({**CAN, "pregnancy_test_date": None}) == ["checkin_test_missing"]
    assert _ids({"can_become_pregnant": False, "missed_pill_or_unprotected": "yes"}) == []


def test_monthly_counselling_is_flagged_for_a_patient_who_cannot_get_pregnant_when_due() -> None:
    cannot = {"can_become_pregnant": False}
    due = checkin_flags(cannot, counselling_due=True)
    assert [f.id for f in due] == ["checkin_counselling"]
    assert due[0].severity == "warning" and not due[0].must_review
    assert "counselling" in due[0].text and due[0].text_es
    assert checkin_flags(cannot, counselling_due=False) == ()
    # Where pregnancy is possible the monthly test and methods already ask for it.
    assert _ids(CAN) == [f.id for f in checkin_flags(CAN, counselling_due=True)] == []


def test_the_follow_up_starts_from_the_check_in_in_clinical_words() -> None:
    from intake.domain.checkin import CLINICAL_CONTRACEPTION, follow_up_prefill

    answers = {
        "weight_kg": {"value": 132, "unit": "lb"},
        "se_dry_skin_lips": "mild",
        "se_headache_vision": "severe",
        "se_liver": "none",
        "se_hearing": "moderate",
        "contraception_methods": ["tubal_sterilisation", "male_condom"],
        "sexual_function_change": "yes",
        "missed_pill_or_unprotected": "no",
        "pregnancy_test_date": "2026-06-01",
    }
    start = follow_up_prefill(answers, 6, month=2)
    assert start.month == 2 and start.weight_kg == 59.9 and start.mood_score == 6
    assert start.side_effects == ("dry_skin_lips", "headache", "other")
    assert start.contraception == ("tubal_sterilisation", "male_condom")
    assert CLINICAL_CONTRACEPTION["tubal_sterilisation"] == "Tubal ligation"
    assert "raised ICP" in start.notes and "(severe)" in start.notes
    assert "Pregnancy test 2026-06-01" in start.notes and "tinnitus" in start.notes
    # Not the patient's voice.
    assert "my" not in start.notes.lower().split() and start.sexual_function.startswith("Change")



def test_the_severe_side_effect_flag_counts_in_words_in_each_language() -> None:
    from intake.domain.flags import worded

    one = next(f for f in checkin_flags({"se_rash": "severe"}, None) if f.id == "checkin_severe")
    two = next(
        f
        for f in checkin_flags({"se_rash": "severe", "se_nosebleeds": "severe"}, None)
        if f.id == "checkin_severe"
    )
    assert "1 side effect severe" in worded(one, "en")
    assert "2 side effects severe" in worded(two, "en")
    assert "1 efecto secundario fuerte" in worded(one, "es")
    assert "2 efectos secundarios fuertes" in worded(two, "es")
    assert "(s)" not in worded(one, "en") + worded(two, "es")
