"""Which questions, statements, quiz items and packet sections apply to a patient."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from intake.domain.errors import Coded
from intake.forms import model as fm

ADULT_AGE = 18

# Contraception methods that count as one "effective" method on their own
# (the progestin-only pill does not count alone, per the pregnancy prevention programmes).
HIGHLY_EFFECTIVE = {
    "copper_iud",
    "hormonal_iud",
    "implant",
    "tubal_sterilisation",
    "partner_vasectomy",
}
HORMONAL = {"combined_pill", "patch", "ring", "injection"}
BARRIER = {"male_condom", "female_condom", "diaphragm"}
WEAK_ALONE = {"progestin_only_pill"}


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Whole years completed on ``on``; a 29 February birthday turns over on 1 March."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def adulthood_date(date_of_birth: dt.date, adult_age: int = ADULT_AGE) -> dt.date:
    """The day the patient reaches ``adult_age``: when a minor's consent must be given again."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + adult_age)
    except ValueError:  # born 29 February
        return dt.date(date_of_birth.year + adult_age, 3, 1)


def reconsent_due(
    date_of_birth: dt.date, consent_date: dt.date, adult_age: int = ADULT_AGE
) -> dt.date | None:
    """When a consent given as a minor must be renewed by the patient; None for adults."""
    if age_on(date_of_birth, consent_date) >= adult_age:
        return None
    return adulthood_date(date_of_birth, adult_age)


def can_become_pregnant(answers: Mapping[str, Any], clinician_override: bool | None = None) -> bool:
    """Patient's answer, unless a clinician confirmed otherwise. Unsure counts as 'can'."""
    if clinician_override is not None:
        return clinician_override
    sex = answers.get("sex_at_birth")
    if sex == "male":
        return False
    organs = answers.get("uterus_and_ovary")
    if organs == "no":
        return False
    if organs == "yes" and answers.get("pregnancy_ruled_out") in ("sterilisation", "menopause"):
        return False
    # Female or intersex with no clear answer yet: err on the side of the full pregnancy set.
    return sex in ("female", "intersex")


def derive_facts(
    answers: Mapping[str, Any], visit_date: dt.date, clinician_override: bool | None = None
) -> dict[str, Any]:
    """Answers plus the derived facts conditions may name."""
    facts: dict[str, Any] = dict(answers)
    dob = answers.get("date_of_birth")
    if isinstance(dob, dt.date):
        age = age_on(dob, visit_date)
        facts["age"] = age
        facts["is_minor"] = age < ADULT_AGE
    else:
        facts["age"] = None
        facts["is_minor"] = False
    facts["can_become_pregnant"] = can_become_pregnant(answers, clinician_override)
    return facts


def holds(cond: fm.Condition | None, facts: Mapping[str, Any]) -> bool:
    """Evaluate a validated condition; a missing answer never satisfies a test."""
    if cond is None:
        return True
    if "all" in cond:
        return all(holds(c, facts) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, facts) for c in cond["any"])
    if "not" in cond:
        return not holds(cond["not"], facts)
    value = facts.get(cond["field"])
    if value is None:
        return False
    if "equals" in cond:
        return bool(value == cond["equals"])
    if "in" in cond:
        return value in cond["in"]
    if "contains" in cond:
        return isinstance(value, list | tuple | set | frozenset) and cond["contains"] in value
    raise ValueError(f"unknown condition {cond!r}")


def visible_questions(page: fm.Page, facts: Mapping[str, Any]) -> list[fm.Question]:
    return [q for q in page.questions if holds(q.show_if, facts)]


def applicable_statements(risks: fm.RisksForm, facts: Mapping[str, Any]) -> list[fm.Statement]:
    """Statements the patient (and, for a minor, the guardian) must acknowledge, in form order."""
    minor = bool(facts.get("is_minor"))
    out = []
    for s in risks.statements:
        if s.audience == "guardian" and not minor:
            continue
        if holds(s.applies_if, facts):
            out.append(s)
    return out


def applicable_topics(
    risks: fm.RisksForm, facts: Mapping[str, Any]
) -> list[tuple[fm.Topic, list[fm.Statement]]]:
    wanted = {s.id for s in applicable_statements(risks, facts)}
    result = []
    for topic in risks.topics:
        statements = [s for s in topic.statements if s.id in wanted]
        if statements:
            result.append((topic, statements))
    return result


def acknowledgers(statement: fm.Statement, facts: Mapping[str, Any]) -> tuple[str, ...]:
    """Who initials a statement: the patient; for a minor the guardian too; guardian-only ones."""
    if statement.audience == "guardian":
        return ("guardian",)
    return ("patient", "guardian") if facts.get("is_minor") else ("patient",)


def applicable_quiz(
    quiz: fm.QuizForm, statement_ids: set[str], facts: Mapping[str, Any]
) -> list[fm.QuizQuestion]:
    """Quiz questions that apply and test only statements this patient was shown."""
    return [
        q for q in quiz.questions if holds(q.applies_if, facts) and set(q.tests) <= statement_ids
    ]


def applicable_sections(
    education: fm.EducationForm | fm.AftercareForm, facts: Mapping[str, Any]
) -> list[fm.Section]:
    return [s for s in education.sections if holds(s.applies_if, facts)]


def applicable_bullets(section: fm.Section, facts: Mapping[str, Any]) -> list[fm.Bullet]:
    """The bullets of a packet section that apply to this patient, in form order."""
    return [b for b in section.bullets if holds(b.applies_if, facts)]


def applicable_packet(
    education: fm.EducationForm | fm.AftercareForm, facts: Mapping[str, Any]
) -> list[tuple[fm.Section, list[fm.Bullet]]]:
    """The packet as this patient gets it: each applicable section with its applicable bullets."""
    return [(s, applicable_bullets(s, facts)) for s in applicable_sections(education, facts)]


def contraception_problem(methods: list[str] | tuple[str, ...] | None) -> str | None:
    """Why a set of contraception methods is not enough (a ``Coded`` English text, its code
    naming the reason for a screen to word), or None when it is.

    Committed abstinence, or two methods used together of which at least one is highly
    effective or hormonal (the progestin-only pill does not count as the primary method).
    """
    chosen = set(methods or ())
    if "abstinence" in chosen:
        return None
    if not chosen or chosen == {"none_yet"}:
        return Coded("no contraception chosen yet", "contraception_none_chosen")
    primary = chosen & (HIGHLY_EFFECTIVE | HORMONAL)
    others = chosen - {"none_yet"}
    if len(others) < 2:
        if chosen <= WEAK_ALONE:
            return Coded(
                "the progestin-only pill is not enough on its own", "contraception_pill_alone"
            )
        return Coded("two methods must be used together", "contraception_two_methods")
    if not primary:
        return Coded(
            "at least one method must be highly effective or hormonal (not only barrier methods"
            " or the progestin-only pill)",
            "contraception_not_effective",
        )
    return None


def expected_initials_for(first: str, last: str) -> str:
    """The initials a person with this name types (first letters, accents kept as typed)."""
    return (first.strip()[:1] + last.strip()[:1]).upper()


def effective_answers(
    intake: fm.Questionnaire,
    answers: Mapping[str, Any],
    visit_date: dt.date,
    clinician_override: bool | None = None,
) -> dict[str, Any]:
    """The answers that count: an answer to a question that later answers have hidden is dropped.

    Walks the intake form in order, so a dropped answer cannot keep revealing the questions after
    it (e.g. pregnancy answers left from before the patient corrected their sex at birth).
    Answers that are not intake questions (mood screen, guardian details) are kept as they are.
    """
    ids = {q.id for q in intake.questions}
    kept: dict[str, Any] = {k: v for k, v in answers.items() if k not in ids}
    for page in intake.pages:
        for q in page.questions:
            if q.id in answers and holds(
                q.show_if, derive_facts(kept, visit_date, clinician_override)
            ):
                kept[q.id] = answers[q.id]
    return kept


# --- programme rule sets ------------------------------------------------------------------------


def second_prescriber_required(ruleset: fm.RuleSet, is_minor: bool) -> bool:
    """Whether a second, independent prescriber must agree before a minor starts (UK rule until
    22 January 2026)."""
    return is_minor and bool(ruleset.numbers.get("second_prescriber_under_18", False))


def missing_acknowledgements(ruleset: fm.RuleSet, acknowledged: Iterable[str]) -> tuple[str, ...]:
    """The statements the rule set's acknowledgement form requires that were not acknowledged."""
    done = set(acknowledged)
    return tuple(a for a in ruleset.acknowledgements if a not in done)


def missing_attestations(
    ruleset: fm.RuleSet, confirmed: Iterable[str]
) -> tuple[fm.Attestation, ...]:
    """The prescriber attestations of the rule set not confirmed with the countersignature."""
    done = set(confirmed)
    return tuple(a for a in ruleset.prescriber_attestations if a.id not in done)


def monthly_counselling_documented(ruleset: fm.RuleSet, can_become_pregnant: bool) -> bool:
    """Whether the patient's counselling is documented every month (not only at enrolment).

    Always where pregnancy is possible; for a patient who cannot get pregnant, as the rule set
    says (US iPLEDGE until 8 August 2026: yes; after: at enrolment only)."""
    if can_become_pregnant:
        return True
    return bool(ruleset.numbers.get("monthly_counselling_cannot_get_pregnant", True))


def prescription_collect_by(
    ruleset: fm.RuleSet,
    can_become_pregnant: bool,
    *,
    negative_test_on: dt.date | None = None,
    visit_on: dt.date | None = None,
) -> dt.date | None:
    """The last day a prescription can be picked up, or None when the rule set sets no window.

    Where pregnancy is possible: ``collect_within_days_of_negative_test`` after the negative
    test. Otherwise ``collect_within_days_cannot_get_pregnant`` after the visit (0 or absent:
    no window, as under the US iPLEDGE modifications in effect from 8 August 2026)."""
    if can_become_pregnant:
        if negative_test_on is None:
            return None
        days = int(ruleset.numbers.get("collect_within_days_of_negative_test", 7))
        return negative_test_on + dt.timedelta(days=days)
    days = int(ruleset.numbers.get("collect_within_days_cannot_get_pregnant", 0))
    if not days or visit_on is None:
        return None
    return visit_on + dt.timedelta(days=days)


def next_test_after_missed_window(ruleset: fm.RuleSet, missed_test_on: dt.date) -> dt.date:
    """The first day a new pregnancy test may open a new window after the 7-day window of the
    test taken on ``missed_test_on`` passed without the prescription being picked up
    (US iPLEDGE 2021: 19 days after; from 8 August 2026: at once)."""
    wait = int(ruleset.numbers.get("missed_window_retest_wait_days", 0))
    return missed_test_on + dt.timedelta(days=wait)


def home_pregnancy_test_allowed(ruleset: fm.RuleSet, *, before_start: bool) -> bool:
    """Whether the prescriber may accept a pregnancy test done outside a medical setting: never
    before the first dose; during and after treatment as the rule set says."""
    return not before_start and bool(ruleset.numbers.get("home_pregnancy_tests", False))
