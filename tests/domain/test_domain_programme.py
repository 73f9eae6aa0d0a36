"""Programme rule sets by date: what each asks of patients and prescribers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from intake.domain import rules
from intake.domain.rules import derive_facts
from intake.forms import model as m
from intake.forms.loader import load_forms

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
UK_2026 = dt.date(2026, 1, 22)


@pytest.fixture(scope="module")
def forms() -> m.FormSet:
    return load_forms(FORMS_DIR)


def uk(forms: m.FormSet, on: dt.date) -> m.RuleSet:
    return forms.programme.in_force(on, "UK")


def test_the_uk_two_prescriber_rule_for_under_18s_ends_on_22_january_2026(
    forms: m.FormSet,
) -> None:
    before, after = uk(forms, UK_2026 - dt.timedelta(days=1)), uk(forms, UK_2026)
    assert (before.id, after.id) == ("uk-mhra-2023", "uk-mhra-2026")
    assert rules.second_prescriber_required(before, is_minor=True)
    assert not rules.second_prescriber_required(before, is_minor=False)
    assert not rules.second_prescriber_required(after, is_minor=True)


def test_the_uk_2026_acknowledgement_adds_purpose_and_second_opinion(forms: m.FormSet) -> None:
    after = uk(forms, UK_2026)
    assert after.acknowledgements == ("purpose.indication", "purpose.second_opinion")
    assert uk(forms, UK_2026 - dt.timedelta(days=1)).acknowledgements == ()
    assert rules.missing_acknowledgements(after, ["purpose.indication"]) == (
        "purpose.second_opinion",
    )
    assert rules.missing_acknowledgements(after, after.acknowledgements) == ()


@pytest.mark.parametrize(
    "answers",
    [
        {"date_of_birth": dt.date(1995, 5, 1), "sex_at_birth": "male"},
        {"date_of_birth": dt.date(2010, 5, 1), "sex_at_birth": "male"},
        {
            "date_of_birth": dt.date(2000, 5, 1),
            "sex_at_birth": "female",
            "uterus_and_ovary": "yes",
            "pregnancy_ruled_out": "none",
        },
        {
            "date_of_birth": dt.date(2011, 5, 1),
            "sex_at_birth": "female",
            "uterus_and_ovary": "yes",
            "pregnancy_ruled_out": "none",
        },
    ],
    ids=["adult-cannot", "minor-cannot", "adult-can", "minor-can"],
)
def test_every_patient_is_shown_the_statements_the_uk_2026_form_requires(
    forms: m.FormSet, answers: dict[str, object]
) -> None:
    facts = derive_facts(answers, dt.date(2026, 3, 2))
    shown = {s.id for s in rules.applicable_statements(forms.risks, facts)}
    assert set(uk(forms, UK_2026).acknowledgements) <= shown


def test_the_uk_2026_prescriber_confirms_indication_and_no_other_treatment(
    forms: m.FormSet,
) -> None:
    after = uk(forms, UK_2026)
    ids = [a.id for a in after.prescriber_attestations]
    assert ids == ["clinically_indicated", "no_other_treatment"]
    for a in after.prescriber_attestations:
        assert a.text.get("en") and a.text.get("es") and a.text.get("en") != a.text.get("es")
    assert "clinically indicated" in after.prescriber_attestations[0].text.get("en")
    assert "no other appropriate effective treatment" in after.prescriber_attestations[1].text.get(
        "en"
    )
    missing = rules.missing_attestations(after, ["clinically_indicated"])
    assert [a.id for a in missing] == ["no_other_treatment"]
    assert rules.missing_attestations(after, ids) == ()
    # Before 22 January 2026, and in the US, the prescriber confirms nothing more.
    assert uk(forms, UK_2026 - dt.timedelta(days=1)).prescriber_attestations == ()
    us = forms.programme.in_force(dt.date(2026, 12, 1), "US")
    assert rules.missing_attestations(us, []) == ()


def test_a_recorded_rule_set_no_longer_in_the_file_asks_for_nothing(forms: m.FormSet) -> None:
    gone = forms.programme.ruleset("uk-mhra-1999")
    assert gone.prescriber_attestations == () and gone.acknowledgements == ()
    assert forms.programme.ruleset("uk-mhra-2026") is uk(forms, UK_2026)


# --- US iPLEDGE: the modifications approved on 9 February 2026, in effect 180 days later --------

US_2026 = dt.date(2026, 8, 8)


def us(forms: m.FormSet, on: dt.date) -> m.RuleSet:
    return forms.programme.in_force(on, "US")


def test_the_us_2026_modifications_take_effect_180_days_after_approval(forms: m.FormSet) -> None:
    assert dt.date(2026, 2, 9) + dt.timedelta(days=180) == US_2026
    assert us(forms, US_2026 - dt.timedelta(days=1)).id == "us-ipledge-2021"
    assert us(forms, dt.date(2026, 2, 9)).id == "us-ipledge-2021"  # approved, not yet in effect
    assert us(forms, US_2026).id == "us-ipledge-2026"
    assert us(forms, US_2026).effective == US_2026


@pytest.mark.parametrize(
    ("on", "documented"), [(US_2026 - dt.timedelta(days=1), True), (US_2026, False)]
)
def test_monthly_counselling_of_a_patient_who_cannot_get_pregnant(
    forms: m.FormSet, on: dt.date, documented: bool
) -> None:
    ruleset = us(forms, on)
    assert rules.monthly_counselling_documented(ruleset, can_become_pregnant=False) is documented
    # A patient who can get pregnant is counselled and documented every month, either way.
    assert rules.monthly_counselling_documented(ruleset, can_become_pregnant=True)


def test_the_30_day_pick_up_window_of_a_patient_who_cannot_get_pregnant_ends(
    forms: m.FormSet,
) -> None:
    before, after = us(forms, US_2026 - dt.timedelta(days=1)), us(forms, US_2026)
    visit = dt.date(2026, 9, 1)
    assert rules.prescription_collect_by(before, False, visit_on=visit) == dt.date(2026, 10, 1)
    assert rules.prescription_collect_by(after, False, visit_on=visit) is None
    # Where pregnancy is possible the 7-day window after the negative test stays.
    for ruleset in (before, after):
        assert rules.prescription_collect_by(
            ruleset, True, negative_test_on=visit, visit_on=visit
        ) == dt.date(2026, 9, 8)
        assert rules.prescription_collect_by(ruleset, True, visit_on=visit) is None


def test_a_missed_7_day_window_no_longer_means_a_19_day_wait(forms: m.FormSet) -> None:
    test_on = dt.date(2026, 9, 1)
    before, after = us(forms, US_2026 - dt.timedelta(days=1)), us(forms, US_2026)
    assert rules.next_test_after_missed_window(before, test_on) == dt.date(2026, 9, 20)
    assert rules.next_test_after_missed_window(after, test_on) == test_on


def test_home_pregnancy_tests_during_and_after_treatment_from_2026_only(
    forms: m.FormSet,
) -> None:
    before, after = us(forms, US_2026 - dt.timedelta(days=1)), us(forms, US_2026)
    assert not rules.home_pregnancy_test_allowed(before, before_start=False)
    assert rules.home_pregnancy_test_allowed(after, before_start=False)
    # Pre-treatment tests stay in a medical setting.
    assert not rules.home_pregnancy_test_allowed(after, before_start=True)


def test_the_2026_summary_gives_the_dates_in_both_languages(forms: m.FormSet) -> None:
    summary = us(forms, US_2026).summary
    assert "9 February 2026" in summary.get("en") and "8 August 2026" in summary.get("en")
    assert "9 de febrero de 2026" in summary.get("es") and "8 de agosto de 2026" in summary.get(
        "es"
    )
    assert "cannot get pregnant" in summary.get("en")
