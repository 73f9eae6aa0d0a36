"""Who is shown what: every risk statement, quiz question and packet section and bullet, per patient.

The tables below are the clinical specification, one row per item of the real forms and one
column per kind of patient. ``x`` means the item is shown to that patient, ``-`` that it is not.
A form that gains an item, or an ``applies_if`` that changes who sees one, fails here until the
table says the same.

Columns: an adult who can become pregnant, an adult who cannot, and the same two for a patient
under 18 (whose parent or guardian initials every statement beside them, and has statements of
their own).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from intake.domain import rules
from intake.forms import default_forms
from intake.forms import model as m

VISIT = dt.date(2026, 3, 2)
BRANCHES = ("adult_can", "adult_cannot", "minor_can", "minor_cannot")

STATEMENTS = """
                                      adult   adult    minor   minor
                                      can     cannot   can     cannot
purpose.indication                    x       x        x       x
purpose.alternatives                  x       x        x       x
purpose.stop_any_time                 x       x        x       x
purpose.second_opinion                x       x        x       x
dryness.skin_lips                     x       x        x       x
dryness.eyes_nose                     x       x        x       x
dryness.care                          x       x        x       x
skin_sun.burns_fragile                x       x        x       x
skin_sun.sunscreen                    x       x        x       x
skin_sun.no_procedures                x       x        x       x
mood.possible_changes                 x       x        x       x
mood.rare_serious                     x       x        x       x
mood.tell_at_once                     x       x        x       x
mood.family                           x       x        x       x
mood.screening                        x       x        x       x
sexual_function.possible              x       x        x       x
sexual_function.monitor               x       x        x       x
aches_blood.aches                     x       x        x       x
aches_blood.lab_changes               x       x        x       x
aches_blood.liver_signs                x       x        x       x
aches_blood.blood_tests               x       x        x       x
serious.brain_pressure                x       x        x       x
serious.skin_reactions                x       x        x       x
serious.stomach                       x       x        x       x
serious.vision_hearing                x       x        x       x
serious.bone_growth                   -       -        x       x
serious.allergy                       x       x        x       x
avoid.vitamin_a                       x       x        x       x
avoid.tetracyclines                   x       x        x       x
avoid.new_medicines                   x       x        x       x
avoid.alcohol                         x       x        x       x
avoid.blood_donation                  x       x        x       x
avoid.sharing                         x       x        x       x
pregnancy.birth_defects_all           x       x        x       x
pregnancy.partner                     -       x        -       x
pregnancy.any_amount                  x       -        x       -
pregnancy.timing                      x       -        x       -
pregnancy.two_methods                 x       -        x       -
pregnancy.mini_pill                   x       -        x       -
pregnancy.tests                       x       -        x       -
pregnancy.stop_and_call               x       -        x       -
pregnancy.emergency_contraception     x       -        x       -
pregnancy.breastfeeding               x       -        x       -
process.baseline                      x       x        x       x
process.monthly                       x       x        x       x
process.full_glass                    x       x        x       x
process.prescription_30_days          x       x        x       x
process.collect_window                x       -        x       -
process.flare                         x       x        x       x
process.aftercare                     x       x        x       x
guardian.authority                    -       -        x       x
guardian.read_together                -       -        x       x
guardian.watch_mood                   -       -        x       x
guardian.visits                       -       -        x       x
guardian.medicine_safe                -       -        x       x
guardian.reconsent_18                 -       -        x       x
"""

# Only the guardian initials these; the guardian initials every other statement too.
GUARDIAN_ONLY = {
    "guardian.authority",
    "guardian.read_together",
    "guardian.watch_mood",
    "guardian.visits",
    "guardian.medicine_safe",
    "guardian.reconsent_18",
}

QUIZ = """
                                      adult   adult    minor   minor
                                      can     cannot   can     cannot
q_pregnancy_amount                    x       -        x       -
q_two_methods                         x       -        x       -
q_mini_pill                           x       -        x       -
q_pregnancy_tests                     x       -        x       -
q_missed_period                       x       -        x       -
q_sharing                             x       x        x       x
q_mood                                x       x        x       x
q_vitamin_a                           x       x        x       x
q_tetracycline                        x       x        x       x
q_blood_donation                      x       x        x       x
q_waxing                              x       x        x       x
q_dryness                             x       x        x       x
q_blood_tests                         x       x        x       x
q_headache                            x       x        x       x
q_stopping                            x       x        x       x
"""

# Sections of the take-home packet, each followed by its bullets (indented).
PACKET = """
                                      adult   adult    minor   minor
                                      can     cannot   can     cannot
what_it_is                            x       x        x       x
how_it_works                          x       x        x       x
  how_it_works.less_oil               x       x        x       x
  how_it_works.fewer_blocked_pores    x       x        x       x
  how_it_works.less_redness           x       x        x       x
benefits                              x       x        x       x
  benefits.clearer_skin               x       x        x       x
  benefits.lasting_results            x       x        x       x
  benefits.fewer_scars                x       x        x       x
  benefits.feeling_better             x       x        x       x
side_effects                          x       x        x       x
  side_effects.dryness                x       x        x       x
  side_effects.sun_fragile_skin       x       x        x       x
  side_effects.mood                   x       x        x       x
  side_effects.sexual                 x       x        x       x
  side_effects.aches                  x       x        x       x
  side_effects.blood_changes          x       x        x       x
  side_effects.liver                  x       x        x       x
  side_effects.bone_growth            -       -        x       x
pregnancy                             x       -        x       -
  pregnancy.two_methods               x       -        x       -
  pregnancy.mini_pill                 x       -        x       -
  pregnancy.tests                     x       -        x       -
  pregnancy.emergency_contraception   x       -        x       -
  pregnancy.late_period               x       -        x       -
  pregnancy.breastfeeding             x       -        x       -
pregnancy_all                         x       x        x       x
  pregnancy_all.never_share           x       x        x       x
  pregnancy_all.no_blood_donation     x       x        x       x
  pregnancy_all.partner               -       x        -       x
avoid                                 x       x        x       x
  avoid.vitamin_a                     x       x        x       x
  avoid.tetracyclines                 x       x        x       x
  avoid.new_medicines                 x       x        x       x
  avoid.alcohol                       x       x        x       x
  avoid.blood_donation                x       x        x       x
  avoid.procedures                    x       x        x       x
  avoid.sun                           x       x        x       x
process                               x       x        x       x
  process.first_visit                 x       x        x       x
  process.before_start                x       x        x       x
  process.pregnancy_tests             x       -        x       -
  process.consent                     x       x        -       -
  process.consent_with_guardian       -       -        x       x
  process.starting                    x       x        x       x
  process.monthly                     x       x        x       x
  process.finishing                   x       x        x       x
faq                                   x       x        x       x
  faq.results                         x       x        x       x
  faq.early_flare                     x       x        x       x
  faq.coming_back                     x       x        x       x
  faq.alcohol                         x       x        x       x
  faq.makeup                          x       x        x       x
  faq.missed_dose                     x       x        x       x
  faq.exercise                        x       x        x       x
aftercare                             x       x        x       x
  aftercare.skin_care                 x       x        x       x
  aftercare.procedures                x       x        x       x
  aftercare.blood_donation            x       x        x       x
  aftercare.leftover_capsules         x       x        x       x
  aftercare.contraception             x       -        x       -
guardian                              -       -        x       x
  guardian.mood                       -       -        x       x
  guardian.visits                     -       -        x       x
  guardian.medicine_safe              -       -        x       x
  guardian.turning_18                 -       -        x       x
when_to_call                          x       x        x       x
  when_to_call.mood                   x       x        x       x
  when_to_call.self_harm              x       x        x       x
  when_to_call.head_eyes              x       x        x       x
  when_to_call.pregnancy              x       -        x       -
  when_to_call.stomach                x       x        x       x
  when_to_call.liver_muscles          x       x        x       x
  when_to_call.skin_allergy           x       x        x       x
"""


AFTERCARE = """
                                      adult   adult    minor   minor
                                      can     cannot   can     cannot
finished                              x       x        x       x
pregnancy                             x       -        x       -
  pregnancy.contraception             x       -        x       -
  pregnancy.test                      x       -        x       -
  pregnancy.call                      x       -        x       -
blood                                 x       x        x       x
skin                                  x       x        x       x
  skin.waxing                         x       x        x       x
  skin.procedures                     x       x        x       x
leftover                              x       x        x       x
acne_returns                          x       x        x       x
questions                             x       x        x       x
"""


def table(text: str) -> list[tuple[str, dict[str, bool]]]:
    """Rows of one of the tables above: (item id, {branch: shown})."""
    rows = []
    for line in text.strip().splitlines()[2:]:  # the two heading lines name the columns
        item, *marks = line.split()
        assert len(marks) == len(BRANCHES) and set(marks) <= {"x", "-"}, line
        rows.append((item, {b: mark == "x" for b, mark in zip(BRANCHES, marks, strict=True)}))
    return rows


def expected(text: str, branch: str) -> list[str]:
    return [item for item, shown in table(text) if shown[branch]]


def facts_for(branch: str) -> dict[str, Any]:
    """The facts of a patient of that branch, as their intake answers give them."""
    age = 16 if branch.startswith("minor") else 25
    sex: dict[str, Any] = (
        {"sex_at_birth": "female", "uterus_and_ovary": "yes", "pregnancy_ruled_out": "none"}
        if branch.endswith("_can")
        else {"sex_at_birth": "male"}
    )
    dob = dt.date(VISIT.year - age, VISIT.month - 1, 15)
    return rules.derive_facts({"date_of_birth": dob, **sex}, VISIT)


@pytest.fixture(scope="module")
def forms() -> m.FormSet:
    return default_forms()


def statements_shown(forms: m.FormSet, facts: dict[str, Any]) -> list[m.Statement]:
    return rules.applicable_statements(forms.risks, facts)


def packet_shown(forms: m.FormSet, facts: dict[str, Any]) -> list[str]:
    return [
        item
        for section, bullets in rules.applicable_packet(forms.education, facts)
        for item in [section.id, *(b.id for b in bullets)]
    ]


def aftercare_shown(forms: m.FormSet, facts: dict[str, Any]) -> list[str]:
    return [
        item
        for section, bullets in rules.applicable_packet(forms.aftercare, facts)
        for item in [section.id, *(b.id for b in bullets)]
    ]


# --- the tables cover the forms, in the forms' order ---------------------------------------------


def test_the_statement_table_lists_every_statement_of_the_form(forms: m.FormSet) -> None:
    assert [item for item, _ in table(STATEMENTS)] == [s.id for s in forms.risks.statements]
    assert {s.id for s in forms.risks.statements if s.audience == "guardian"} == GUARDIAN_ONLY


def test_the_quiz_table_lists_every_question_of_the_form(forms: m.FormSet) -> None:
    assert [item for item, _ in table(QUIZ)] == [q.id for q in forms.quiz.questions]


def test_the_packet_table_lists_every_section_and_bullet_of_the_form(forms: m.FormSet) -> None:
    in_form = [i for s in forms.education.sections for i in [s.id, *(b.id for b in s.bullets)]]
    assert [item for item, _ in table(PACKET)] == in_form


def test_the_aftercare_table_lists_every_section_and_bullet_of_the_form(forms: m.FormSet) -> None:
    in_form = [i for s in forms.aftercare.sections for i in [s.id, *(b.id for b in s.bullets)]]
    assert [item for item, _ in table(AFTERCARE)] == in_form


def test_the_branches_are_the_patients_they_are_named_for() -> None:
    for branch in BRANCHES:
        facts = facts_for(branch)
        assert facts["is_minor"] == branch.startswith("minor")
        assert facts["can_become_pregnant"] == branch.endswith("_can")


# --- each patient gets exactly their rows ---------------------------------------------------------


@pytest.mark.parametrize("branch", BRANCHES)
def test_statements_shown_to_each_patient(forms: m.FormSet, branch: str) -> None:
    facts = facts_for(branch)
    assert [s.id for s in statements_shown(forms, facts)] == expected(STATEMENTS, branch)


@pytest.mark.parametrize("branch", BRANCHES)
def test_who_initials_each_statement(forms: m.FormSet, branch: str) -> None:
    facts = facts_for(branch)
    for statement in statements_shown(forms, facts):
        if statement.id in GUARDIAN_ONLY:
            assert rules.acknowledgers(statement, facts) == ("guardian",)
        elif branch.startswith("minor"):
            assert rules.acknowledgers(statement, facts) == ("patient", "guardian")
        else:
            assert rules.acknowledgers(statement, facts) == ("patient",)


@pytest.mark.parametrize("branch", BRANCHES)
def test_quiz_questions_asked_of_each_patient(forms: m.FormSet, branch: str) -> None:
    facts = facts_for(branch)
    shown = {s.id for s in statements_shown(forms, facts)}
    quiz = rules.applicable_quiz(forms.quiz, shown, facts)
    assert [q.id for q in quiz] == expected(QUIZ, branch)


@pytest.mark.parametrize("branch", BRANCHES)
def test_packet_sections_and_bullets_given_to_each_patient(forms: m.FormSet, branch: str) -> None:
    assert packet_shown(forms, facts_for(branch)) == expected(PACKET, branch)


@pytest.mark.parametrize("branch", BRANCHES)
def test_aftercare_sections_and_bullets_given_to_each_patient(
    forms: m.FormSet, branch: str
) -> None:
    assert aftercare_shown(forms, facts_for(branch)) == expected(AFTERCARE, branch)


@pytest.mark.parametrize("branch", ("adult_cannot", "minor_cannot"))
def test_no_pregnancy_date_is_printed_for_a_patient_who_cannot_become_pregnant(
    forms: m.FormSet, branch: str
) -> None:
    """The pregnancy dates are None for them: a text naming one would print a blank."""
    texts = [
        value
        for section, bullets in rules.applicable_packet(forms.aftercare, facts_for(branch))
        for text in (section.title, section.body, section.closing, *(b.text for b in bullets))
        if text is not None
        for _lang, value in text.values
    ]
    assert texts
    assert not [t for t in texts if "{pregnancy_test_due}" in t or "{contraception_until}" in t]


@pytest.mark.parametrize(
    ("answers", "branch"),
    [
        # A clinician-confirmed hysterectomy, or no uterus: the same as any patient who cannot.
        ({"sex_at_birth": "female", "uterus_and_ovary": "no"}, "adult_cannot"),
        (
            {
                "sex_at_birth": "female",
                "uterus_and_ovary": "yes",
                "pregnancy_ruled_out": "sterilisation",
            },
            "adult_cannot",
        ),
        # Intersex with no answer yet about the organs: the full pregnancy set, to be safe.
        ({"sex_at_birth": "intersex"}, "adult_can"),
    ],
)
def test_other_answers_fall_into_one_of_the_branches(
    forms: m.FormSet, answers: dict[str, Any], branch: str
) -> None:
    facts = rules.derive_facts({"date_of_birth": dt.date(1990, 5, 1), **answers}, VISIT)
    assert [s.id for s in statements_shown(forms, facts)] == expected(STATEMENTS, branch)
    assert packet_shown(forms, facts) == expected(PACKET, branch)


# --- what the texts say matches who reads them ------------------------------------------------------


def _texts(forms: m.FormSet, facts: dict[str, Any]) -> list[tuple[str, m.Text]]:
    shown = statements_shown(forms, facts)
    out: list[tuple[str, m.Text]] = [(s.id, s.text) for s in shown]
    for q in rules.applicable_quiz(forms.quiz, {s.id for s in shown}, facts):
        out += [(q.id, q.prompt), (q.id, q.explanation), *((q.id, c.text) for c in q.choices)]
    for form in (forms.education, forms.aftercare):
        for section, bullets in rules.applicable_packet(form, facts):
            out += [(section.id, section.body), *((b.id, b.text) for b in bullets)]
            if section.closing is not None:
                out.append((section.id, section.closing))
    return out


# Words only a patient who can become pregnant should read, and the reverse.
ABOUT_PERIODS = {"en": ("period",), "es": ("la regla",)}
CANNOT_SELF = {
    "en": ("cannot become pregnant", "if i cannot"),
    "es": ("no puedo tener un embarazo", "no puede tener un embarazo"),
}


@pytest.mark.parametrize("branch", BRANCHES)
def test_no_patient_reads_a_text_meant_for_the_other_branch(forms: m.FormSet, branch: str) -> None:
    words = CANNOT_SELF if branch.endswith("_can") else ABOUT_PERIODS
    wrong = [
        (item, lang)
        for item, text in _texts(forms, facts_for(branch))
        for lang in ("en", "es")
        if any(w in text.get(lang).lower() for w in words[lang])
    ]
    assert wrong == []
