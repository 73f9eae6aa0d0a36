"""Which questions, statements, quiz items and packet sections apply to whom."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.domain import rules
from intake.domain.rules import (
    acknowledgers,
    adulthood_date,
    age_on,
    applicable_quiz,
    applicable_sections,
    applicable_statements,
    applicable_topics,
    can_become_pregnant,
    contraception_problem,
    derive_facts,
    holds,
    reconsent_due,
    visible_questions,
)
from intake.forms import model as m
from intake.forms.loader import load_forms

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
VISIT = dt.date(2026, 3, 2)
PREGNANCY_CONDITION = {"field": "can_become_pregnant", "equals": True}
CANNOT_CONDITION = {"field": "can_become_pregnant", "equals": False}


@pytest.fixture(scope="module")
def forms() -> m.FormSet:
    return load_forms(FORMS_DIR)


def patient(age: int, **answers: Any) -> dict[str, Any]:
    """Facts for a patient of ``age`` whole years on VISIT (birthday a month before the visit)."""
    dob = dt.date(VISIT.year - age, VISIT.month - 1, 15)
    return derive_facts({"date_of_birth": dob, **answers}, VISIT)


def adult_can() -> dict[str, Any]:
    return patient(25, sex_at_birth="female", uterus_and_ovary="yes", pregnancy_ruled_out="none")


def adult_cannot() -> dict[str, Any]:
    return patient(30, sex_at_birth="male")


def minor_cannot() -> dict[str, Any]:
    return patient(16, sex_at_birth="male")


def minor_can() -> dict[str, Any]:
    return patient(16, sex_at_birth="female", uterus_and_ovary="yes", pregnancy_ruled_out="none")


def ids(items: Any) -> list[str]:
    return [i.id for i in items]


def pregnancy_topic(forms: m.FormSet) -> m.Topic:
    return next(t for t in forms.risks.topics if t.id == "pregnancy")


# --- age ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "on", "age"),
    [
        (dt.date(2008, 6, 15), dt.date(2026, 6, 14), 17),  # the day before the birthday
        (dt.date(2008, 6, 15), dt.date(2026, 6, 15), 18),  # on the birthday
        (dt.date(2008, 6, 15), dt.date(2026, 6, 16), 18),
        (dt.date(2008, 6, 15), dt.date(2026, 1, 1), 17),  # earlier month, later day
        (dt.date(2008, 12, 31), dt.date(2026, 12, 31), 18),
        (dt.date(2008, 1, 1), dt.date(2025, 12, 31), 17),
        (dt.date(2000, 1, 1), dt.date(2000, 1, 1), 0),
    ],
)
def test_age_on(dob: dt.date, on: dt.date, age: int) -> None:
    assert age_on(dob, on) == age


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (dt.date(2026, 2, 28), 17),  # no 29 Feb in 2026: not yet 18 on the 28th
        (dt.date(2026, 3, 1), 18),  # ...but 18 on 1 March
        (dt.date(2028, 2, 28), 19),
        (dt.date(2028, 2, 29), 20),  # in a leap year the birthday itself
    ],
)
def test_age_on_for_a_29_february_birthday(on: dt.date, age: int) -> None:
    assert age_on(dt.date(2008, 2, 29), on) == age


def test_adulthood_date_for_a_29_february_birthday_is_1_march() -> None:
    dob = dt.date(2008, 2, 29)
    assert adulthood_date(dob) == dt.date(2026, 3, 1)
    assert age_on(dob, adulthood_date(dob)) == 18
    assert age_on(dob, adulthood_date(dob) - dt.timedelta(days=1)) == 17


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_adulthood_date_is_the_first_day_of_being_18(dob: dt.date) -> None:
    day = adulthood_date(dob)
    assert age_on(dob, day) == 18
    assert age_on(dob, day - dt.timedelta(days=1)) == 17


def test_reconsent_due_for_a_16_year_old_is_their_18th_birthday() -> None:
    dob = dt.date(2010, 3, 15)
    consent = dt.date(2026, 6, 1)
    assert age_on(dob, consent) == 16
    assert reconsent_due(dob, consent) == dt.date(2028, 3, 15)


def test_reconsent_due_the_day_before_turning_18_is_the_next_day() -> None:
    dob = dt.date(2008, 6, 15)
    assert reconsent_due(dob, dt.date(2026, 6, 14)) == dt.date(2026, 6, 15)


@pytest.mark.parametrize("consent", [dt.date(2026, 6, 15), dt.date(2030, 1, 1)])
def test_no_reconsent_for_an_adult(consent: dt.date) -> None:
    assert reconsent_due(dt.date(2008, 6, 15), consent) is None


def test_derive_facts_adds_age_and_minor_status() -> None:
    facts = derive_facts({"date_of_birth": dt.date(2010, 3, 15), "sex_at_birth": "male"}, VISIT)
    assert facts["age"] == 15
    assert facts["is_minor"] is True
    assert facts["can_become_pregnant"] is False
    assert facts["sex_at_birth"] == "male"  # the answers themselves are kept
    adult = derive_facts({"date_of_birth": dt.date(1990, 1, 1)}, VISIT)
    assert adult["age"] == 36 and adult["is_minor"] is False


def test_derive_facts_without_a_date_of_birth_has_no_age() -> None:
    facts = derive_facts({}, VISIT)
    assert facts["age"] is None
    # An unknown age must not satisfy an age test.
    assert not holds({"field": "age", "in": [15, 16, 17]}, facts)


# --- who can become pregnant ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"sex_at_birth": "male"}, False),
        ({"sex_at_birth": "female", "uterus_and_ovary": "yes"}, True),
        (
            {"sex_at_birth": "female", "uterus_and_ovary": "yes", "pregnancy_ruled_out": "none"},
            True,
        ),
        ({"sex_at_birth": "female", "uterus_and_ovary": "no"}, False),
        (
            {
                "sex_at_birth": "female",
                "uterus_and_ovary": "yes",
                "pregnancy_ruled_out": "menopause",
            },
            False,
        ),
        (
            {
                "sex_at_birth": "female",
                "uterus_and_ovary": "yes",
                "pregnancy_ruled_out": "sterilisation",
            },
            False,
        ),
        ({"sex_at_birth": "female", "uterus_and_ovary": "unsure"}, True),  # unsure counts as can
        ({"sex_at_birth": "female"}, True),  # not answered yet: err on the safe side
        ({"sex_at_birth": "intersex"}, True),
        ({"sex_at_birth": "intersex", "uterus_and_ovary": "yes"}, True),
        ({"sex_at_birth": "intersex", "uterus_and_ovary": "no"}, False),
    ],
)
def test_can_become_pregnant(answers: dict[str, str], expected: bool) -> None:
    assert can_become_pregnant(answers) is expected


def test_clinician_override_wins_both_ways() -> None:
    female = {"sex_at_birth": "female", "uterus_and_ovary": "yes", "pregnancy_ruled_out": "none"}
    assert can_become_pregnant(female, clinician_override=False) is False
    assert can_become_pregnant({"sex_at_birth": "male"}, clinician_override=True) is True
    facts = derive_facts(female, VISIT, clinician_override=False)
    assert facts["can_become_pregnant"] is False


def test_answer_values_used_by_the_rules_exist_in_the_intake_form(forms: m.FormSet) -> None:
    """The rules compare against option values: a renamed option must not silently break them."""

    def values(qid: str) -> set[str]:
        return {o.value for o in forms.intake.question(qid).options}

    assert {"female", "male", "intersex"} <= values("sex_at_birth")
    assert {"yes", "no", "unsure"} <= values("uterus_and_ovary")
    assert {"sterilisation", "menopause"} <= values("pregnancy_ruled_out")
    methods = values("contraception_methods")
    known = (
        rules.HIGHLY_EFFECTIVE
        | rules.HORMONAL
        | rules.BARRIER
        | rules.WEAK_ALONE
        | {"abstinence", "none_yet"}
    )
    assert methods == known


# --- conditions -------------------------------------------------------------------------------


FACTS = {
    "sex_at_birth": "female",
    "conditions": ["depression", "ibd"],
    "age": 16,
    "is_minor": True,
    "can_become_pregnant": False,
}


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        (None, True),
        ({"field": "sex_at_birth", "equals": "female"}, True),
        ({"field": "sex_at_birth", "equals": "male"}, False),
        ({"field": "can_become_pregnant", "equals": False}, True),  # False is an answer
        ({"field": "sex_at_birth", "in": ["male", "intersex"]}, False),
        ({"field": "sex_at_birth", "in": ["female", "intersex"]}, True),
        ({"field": "age", "in": [15, 16, 17]}, True),
        ({"field": "conditions", "contains": "ibd"}, True),
        ({"field": "conditions", "contains": "diabetes"}, False),
        ({"field": "sex_at_birth", "contains": "f"}, False),  # contains is not a substring test
        ({"not": {"field": "sex_at_birth", "equals": "male"}}, True),
        ({"not": {"field": "is_minor", "equals": True}}, False),
        (
            {
                "all": [
                    {"field": "is_minor", "equals": True},
                    {"field": "conditions", "contains": "depression"},
                ]
            },
            True,
        ),
        (
            {
                "all": [
                    {"field": "is_minor", "equals": True},
                    {"field": "conditions", "contains": "diabetes"},
                ]
            },
            False,
        ),
        (
            {
                "any": [
                    {"field": "sex_at_birth", "equals": "male"},
                    {"field": "conditions", "contains": "ibd"},
                ]
            },
            True,
        ),
        (
            {
                "any": [
                    {"field": "sex_at_birth", "equals": "male"},
                    {"field": "age", "in": [18, 19]},
                ]
            },
            False,
        ),
        # a missing answer never satisfies a test
        ({"field": "pregnant_now", "equals": "no"}, False),
        ({"field": "pregnant_now", "in": ["yes", "no", "unsure"]}, False),
        ({"field": "medicines", "contains": "doxycycline"}, False),
    ],
)
def test_holds(cond: dict[str, Any] | None, expected: bool) -> None:
    assert holds(cond, FACTS) is expected


def test_missing_answer_recorded_as_none_is_still_missing() -> None:
    assert not holds({"field": "pregnant_now", "in": ["yes", "no"]}, {"pregnant_now": None})


def test_visible_questions_follow_earlier_answers(forms: m.FormSet) -> None:
    page = next(p for p in forms.intake.pages if p.id == "pregnancy")
    male = ids(visible_questions(page, derive_facts({"sex_at_birth": "male"}, VISIT)))
    assert male == []
    female_no = derive_facts({"sex_at_birth": "female", "uterus_and_ovary": "no"}, VISIT)
    assert ids(visible_questions(page, female_no)) == ["uterus_and_ovary"]
    female_yes = derive_facts(
        {"sex_at_birth": "female", "uterus_and_ovary": "yes", "pregnancy_ruled_out": "none"}, VISIT
    )
    shown = ids(visible_questions(page, female_yes))
    assert shown == [q.id for q in page.questions]  # everything, in form order


# --- risk statements ----------------------------------------------------------------------------


def test_adult_who_can_become_pregnant_gets_the_full_pregnancy_set(forms: m.FormSet) -> None:
    shown = ids(applicable_statements(forms.risks, adult_can()))
    pregnancy = pregnancy_topic(forms).statements
    assert {s.id for s in pregnancy if s.applies_if != CANNOT_CONDITION} <= set(shown)
    assert not any(s.audience == "guardian" for s in forms.risks.statements if s.id in shown)
    # Everything else meant for the patient is there too, in form order; only what is said to
    # patients who cannot become pregnant (that a partner needs no birth control) and to
    # teenagers (slowed bone growth) is not.
    expected = [
        s.id
        for s in forms.risks.statements
        if s.audience != "guardian"
        and s.applies_if not in (CANNOT_CONDITION, {"field": "is_minor", "equals": True})
    ]
    assert shown == expected


def test_adult_who_cannot_become_pregnant_gets_only_the_general_pregnancy_statements(
    forms: m.FormSet,
) -> None:
    shown = applicable_statements(forms.risks, adult_cannot())
    pregnancy = [s for s in shown if s.topic == "pregnancy"]
    general = [
        s for s in pregnancy_topic(forms).statements if s.applies_if in (None, CANNOT_CONDITION)
    ]
    assert pregnancy == general
    assert "pregnancy.partner" in ids(pregnancy)
    # Every patient is told about birth defects and sharing (CONTENT: all patients are told).
    assert "pregnancy.birth_defects_all" in ids(pregnancy)
    assert 0 < len(pregnancy) < len(pregnancy_topic(forms).statements)
    # Nothing conditional on pregnancy leaks in from other topics either.
    assert all(s.applies_if != PREGNANCY_CONDITION for s in shown)
    assert not any(s.audience == "guardian" for s in shown)


def test_a_minor_gets_the_guardian_statements(forms: m.FormSet) -> None:
    guardian = [s.id for s in forms.risks.statements if s.audience == "guardian"]
    assert guardian  # the form has some
    shown = ids(applicable_statements(forms.risks, minor_cannot()))
    assert set(guardian) <= set(shown)
    adult = ids(applicable_statements(forms.risks, adult_cannot()))
    # Besides the guardian's statements, a teenager acknowledges that bone growth can slow.
    assert set(shown) - set(adult) == {*guardian, "serious.bone_growth"}


def test_a_minor_who_can_become_pregnant_gets_pregnancy_and_guardian_statements(
    forms: m.FormSet,
) -> None:
    shown = ids(applicable_statements(forms.risks, minor_can()))
    assert shown == [s.id for s in forms.risks.statements if s.applies_if != CANNOT_CONDITION]


def test_applicable_topics_group_the_applicable_statements(forms: m.FormSet) -> None:
    facts = adult_cannot()
    topics = applicable_topics(forms.risks, facts)
    flattened = [s.id for _, statements in topics for s in statements]
    assert flattened == ids(applicable_statements(forms.risks, facts))
    assert "guardian" not in [t.id for t, _ in topics]  # empty topics are left out
    assert all(statements for _, statements in topics)
    minor_topics = [t.id for t, _ in applicable_topics(forms.risks, minor_cannot())]
    assert minor_topics[-1] == "guardian"


def test_acknowledgers(forms: m.FormSet) -> None:
    ordinary = forms.risks.statement("dryness.skin_lips")
    guardian = next(s for s in forms.risks.statements if s.audience == "guardian")
    assert acknowledgers(ordinary, adult_cannot()) == ("patient",)
    assert acknowledgers(ordinary, minor_cannot()) == ("patient", "guardian")
    assert acknowledgers(guardian, minor_cannot()) == ("guardian",)


# --- quiz and packet ----------------------------------------------------------------------------


def test_quiz_for_a_patient_who_cannot_become_pregnant_has_no_pregnancy_prevention_questions(
    forms: m.FormSet,
) -> None:
    facts = adult_cannot()
    shown = ids(applicable_statements(forms.risks, facts))
    quiz = applicable_quiz(forms.quiz, set(shown), facts)
    assert quiz, "every patient gets some quiz questions"
    assert all(q.applies_if is None for q in quiz)
    assert all(set(q.tests) <= set(shown) for q in quiz)
    # e.g. the mini-pill question is about a statement this patient never saw
    assert "pregnancy.mini_pill" not in shown
    assert not any("pregnancy.mini_pill" in q.tests for q in quiz)


def test_quiz_for_a_patient_who_can_become_pregnant_includes_the_pregnancy_questions(
    forms: m.FormSet,
) -> None:
    facts = adult_can()
    shown = set(ids(applicable_statements(forms.risks, facts)))
    quiz = applicable_quiz(forms.quiz, shown, facts)
    conditional = [q.id for q in forms.quiz.questions if q.applies_if == PREGNANCY_CONDITION]
    assert conditional and set(conditional) <= set(ids(quiz))
    assert ids(quiz) == ids(forms.quiz.questions)


def test_quiz_only_includes_questions_whose_statements_were_shown(forms: m.FormSet) -> None:
    facts = adult_can()
    shown = set(ids(applicable_statements(forms.risks, facts)))
    dropped = "avoid.vitamin_a"
    quiz = applicable_quiz(forms.quiz, shown - {dropped}, facts)
    testing_dropped = [q.id for q in forms.quiz.questions if dropped in q.tests]
    assert testing_dropped  # the form has a question about it
    assert not set(testing_dropped) & set(ids(quiz))
    assert len(quiz) == len(forms.quiz.questions) - len(testing_dropped)


def test_applicable_sections(forms: m.FormSet) -> None:
    can = ids(applicable_sections(forms.education, adult_can()))
    cannot = ids(applicable_sections(forms.education, adult_cannot()))
    conditional = [s.id for s in forms.education.sections if s.applies_if == PREGNANCY_CONDITION]
    assert conditional
    assert set(conditional) <= set(can)
    assert not set(conditional) & set(cannot)
    assert set(can) - set(cannot) == set(conditional)
    # Bullets carry their own rules: the pregnancy bullet of "when to call us now" is for
    # patients who can become pregnant only.
    summary_section = next(s for s in forms.education.sections if s.summary)
    can_bullets = ids(rules.applicable_bullets(summary_section, adult_can()))
    cannot_bullets = ids(rules.applicable_bullets(summary_section, adult_cannot()))
    assert set(can_bullets) - set(cannot_bullets) == {"when_to_call.pregnancy"}
    summary = [s.id for s in forms.education.sections if s.summary]
    # The one-page "when to call us now" summary goes to everyone.
    assert len(summary) == 1 and summary[0] in can and summary[0] in cannot


# --- contraception ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "methods",
    [
        ["abstinence"],
        ["copper_iud", "male_condom"],
        ["hormonal_iud", "female_condom"],
        ["implant", "combined_pill"],
        ["combined_pill", "male_condom"],
        ["partner_vasectomy", "diaphragm"],
        ("ring", "male_condom"),
    ],
)
def test_adequate_contraception(methods: list[str]) -> None:
    assert contraception_problem(methods) is None


def test_mini_pill_alone_is_refused_with_its_own_message() -> None:
    problem = contraception_problem(["progestin_only_pill"])
    assert problem is not None
    assert "progestin-only pill" in problem and "on its own" in problem


def test_two_barrier_methods_are_refused() -> None:
    problem = contraception_problem(["male_condom", "diaphragm"])
    assert problem is not None
    assert "highly effective or hormonal" in problem


def test_mini_pill_plus_a_barrier_is_refused() -> None:
    assert contraception_problem(["progestin_only_pill", "male_condom"]) is not None


@pytest.mark.parametrize("methods", [["copper_iud"], ["combined_pill"], ["male_condom"]])
def test_one_method_alone_is_refused(methods: list[str]) -> None:
    problem = contraception_problem(methods)
    assert problem is not None and "two methods" in problem


@pytest.mark.parametrize("methods", [None, [], ["none_yet"]])
def test_no_method_chosen_yet(methods: list[str] | None) -> None:
    problem = contraception_problem(methods)
    assert problem is not None and "no contraception" in problem


@pytest.mark.parametrize(
    ("reported", "confirmed", "sex", "gate"),
    [
        (False, True, "female", "pregnancy_unacknowledged"),
        (False, True, "male", "pregnancy_unacknowledged"),
        (False, None, "female", "pregnancy_unconfirmed"),
        (False, None, "intersex", "pregnancy_unconfirmed"),
        (False, None, "male", None),
        (False, False, "female", None),
        (True, None, "female", None),
        (True, False, "female", None),  # a "cannot" confirmation after a "can": fewer risks, no gate
        (True, True, "female", None),
    ],
)
def test_one_pregnancy_gate_for_the_flags_and_the_countersignature(
    reported: bool, confirmed: bool | None, sex: str, gate: str | None
) -> None:
    from intake.domain.flags import clinician_flags, pregnancy_gate

    assert pregnancy_gate(reported, confirmed, sex) == gate
    facts = {"can_become_pregnant": reported, "sex_at_birth": sex}
    codes = {f.id for f in clinician_flags(facts, None, confirmed)}
    gates = {"pregnancy_unacknowledged", "pregnancy_unconfirmed"}
    assert codes & gates == ({gate} if gate else set())


@pytest.mark.parametrize(
    ("typed", "kept", "message"),
    [
        ("  Mother ", "Mother", None),
        ("Legal\tguardian", "Legal guardian", None),
        ("", None, "Please say how you are related to the patient."),
        ("   ", None, "Please say how you are related to the patient."),
        ("x" * 61, None, "Please use at most 60 characters."),
        ("أم", None, "cannot print"),
    ],
)
def test_a_guardians_relationship_is_checked_once_for_details_and_signature(
    typed: str, kept: str | None, message: str | None
) -> None:
    from intake.domain.errors import ValidationError
    from intake.domain.validation import relationship

    if message is None:
        assert relationship(typed) == kept
    else:
        with pytest.raises(ValidationError, match=message):
            relationship(typed)
