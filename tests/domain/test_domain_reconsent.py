"""Re-consent without Qt: what is new, changed, carried over and dropped; major, minor; at 18."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from reconsent_forms import CHANGED, NEW, revised

from intake.domain import reconsent, rules
from intake.domain.wizard import RECONSENT, TOPIC, KioskFlow, Step
from intake.forms import default_forms
from intake.forms import model as fm

SIGNED_ON = dt.date(2026, 1, 12)


@pytest.fixture(scope="module")
def forms() -> fm.FormSet:
    return default_forms()


def facts(dob: dt.date, on: dt.date, sex: str = "male") -> dict[str, object]:
    return rules.derive_facts({"date_of_birth": dob, "sex_at_birth": sex}, on)


def signed(
    statements: list[fm.Statement], version: str = "1.0.0", *, as_minor: bool = False
) -> reconsent.SignedConsent:
    return reconsent.SignedConsent(
        "visit-1",
        SIGNED_ON,
        {"risks": version},
        {s.id: reconsent.statement_hash(s) for s in statements},
        as_minor,
    )


def reworded(statement: fm.Statement) -> fm.Statement:
    text = fm.Text(tuple((lang, value + " (revised)") for lang, value in statement.text.values))
    return dataclasses.replace(statement, text=text)


def test_a_statement_hash_follows_its_text_in_every_language(forms: fm.FormSet) -> None:
    st = forms.risks.statements[0]
    assert reconsent.statement_hash(st) == reconsent.statement_hash(dataclasses.replace(st))
    spanish_only = fm.Text(
        tuple((lang, value + "." if lang == "es" else value) for lang, value in st.text.values)
    )
    assert reconsent.statement_hash(st) != reconsent.statement_hash(
        dataclasses.replace(st, text=spanish_only)
    )
    assert len(reconsent.statement_hashes(forms.risks)) == len(forms.risks.statements)


def test_new_changed_and_carried_statements_are_told_apart(forms: fm.FormSet) -> None:
    adult = facts(dt.date(1990, 5, 1), dt.date(2026, 3, 2))
    now = rules.applicable_statements(forms.risks, adult)
    before = [s for s in now if s.id != "purpose.second_opinion"]
    before = [reworded(s) if s.id == "dryness.care" else s for s in before]
    before.append(dataclasses.replace(now[0], id="purpose.retired"))
    plan = reconsent.plan(
        signed(before), now, {"risks": "1.1.0"}, {("risks", "1.1.0"): "major"}, minor_now=False
    )
    assert plan.needed and not plan.notice_only
    assert plan.reasons == (reconsent.FORM_CHANGED,)
    assert plan.new == ("purpose.second_opinion",)
    assert plan.changed == ("dryness.care",)
    assert plan.asked == ("purpose.second_opinion", "dryness.care")
    assert plan.dropped == ("purpose.retired",)
    assert set(plan.carried) == {s.id for s in now} - {"purpose.second_opinion", "dryness.care"}
    assert plan.mark("dryness.care") == reconsent.CHANGED
    assert plan.mark("purpose.second_opinion") == reconsent.NEW
    assert plan.mark(plan.carried[0]) == ""


def test_a_minor_change_is_only_a_notice(forms: fm.FormSet) -> None:
    adult = facts(dt.date(1990, 5, 1), dt.date(2026, 3, 2))
    now = rules.applicable_statements(forms.risks, adult)
    before = [reworded(s) if s.id == "dryness.care" else s for s in now]
    plan = reconsent.plan(
        signed(before), now, {"risks": "1.1.0"}, {("risks", "1.1.0"): "minor"}, minor_now=False
    )
    assert plan.notice_only and not plan.needed
    assert plan.asked == ()
    assert plan.changed == ("dryness.care",)


def test_the_same_version_needs_nothing(forms: fm.FormSet) -> None:
    adult = facts(dt.date(1990, 5, 1), dt.date(2026, 3, 2))
    now = rules.applicable_statements(forms.risks, adult)
    plan = reconsent.plan(signed(now, "1.1.0"), now, {"risks": "1.1.0"}, {}, minor_now=False)
    assert not plan.needed and not plan.notice_only
    assert plan.asked == () and len(plan.carried) == len(now)


@pytest.mark.parametrize(
    ("signed_version", "classes", "expected"),
    [
        ("1.0.0", {}, "major"),  # not listed: the safe side
        ("1.0.0", {("risks", "1.1.0"): "minor"}, "minor"),
        ("1.0.0", {("risks", "1.1.0"): "major"}, "major"),
        # a major step in between stays major however minor the latest one is
        ("1.0.0", {("risks", "1.0.5"): "major", ("risks", "1.1.0"): "minor"}, "major"),
        # a change before the signed version does not count
        ("1.0.5", {("risks", "1.0.5"): "major", ("risks", "1.1.0"): "minor"}, "minor"),
        ("1.1.0", {}, None),
    ],
)
def test_change_class_by_version(
    signed_version: str, classes: dict[tuple[str, str], str], expected: str | None
) -> None:
    assert reconsent.change_class("risks", signed_version, "1.1.0", classes) == expected


def test_versions_sort_as_numbers() -> None:
    assert reconsent.version_key("1.10.0") > reconsent.version_key("1.9.2")
    assert reconsent.change_class("risks", "1.9.0", "1.10.0", {("risks", "1.10.0"): "minor"})


def test_turning_18_asks_the_patient_to_sign_for_themselves(forms: fm.FormSet) -> None:
    dob = dt.date(2008, 2, 10)  # 17 at the first visit, 18 on 10 February 2026
    before = rules.applicable_statements(forms.risks, facts(dob, SIGNED_ON))
    guardian_only = {s.id for s in before if s.audience == "guardian"}
    assert guardian_only
    later = dt.date(2026, 2, 11)
    # Signed on the version in force, whichever it is: only turning 18 asks for a new consent.
    plan = reconsent.plan_for(
        signed(before, forms.risks.meta.version, as_minor=True), forms, facts(dob, later)
    )
    assert plan.needed and plan.turned_18
    assert plan.reasons == (reconsent.TURNED_18,)
    after = {s.id for s in rules.applicable_statements(forms.risks, facts(dob, later))}
    # The guardian's statements go, and so does what is said to minors only.
    assert guardian_only <= set(plan.dropped) == {s.id for s in before} - after
    assert plan.asked == ()  # nothing changed: every patient statement is carried over
    assert not guardian_only & set(plan.carried)


def test_a_guardian_statement_drops_even_when_passed_for_an_adult(forms: fm.FormSet) -> None:
    dob = dt.date(2008, 2, 10)
    as_minor = rules.applicable_statements(forms.risks, facts(dob, SIGNED_ON))
    plan = reconsent.plan(
        signed(as_minor, "1.1.0", as_minor=True),
        as_minor,
        {"risks": "1.1.0"},
        {},
        minor_now=False,
    )
    assert all(forms.risks.statement(sid).audience == "guardian" for sid in plan.dropped)
    assert plan.dropped


def test_still_a_minor_with_a_major_change_keeps_the_guardian(forms: fm.FormSet) -> None:
    dob = dt.date(2010, 6, 1)
    now_facts = facts(dob, dt.date(2026, 3, 2))
    now = rules.applicable_statements(forms.risks, now_facts)
    before = [s for s in now if s.id != "purpose.second_opinion"]
    plan = reconsent.plan_for(signed(before, "1.0.0", as_minor=True), forms, now_facts)
    assert plan.needed and not plan.turned_18
    assert plan.asked == ("purpose.second_opinion",)
    assert not plan.dropped


def test_signed_consent_round_trips_through_json(forms: fm.FormSet) -> None:
    basis = signed(list(forms.risks.statements[:3]), as_minor=True)
    assert reconsent.SignedConsent.from_json(basis.to_json()) == basis


def test_the_kiosk_flow_of_a_re_consent(forms: fm.FormSet) -> None:
    """Qt-free: a page saying what changed, then only the topics holding new or changed
    statements, each with only those statements; no quiz question on carried-over ones."""
    on = dt.date(2026, 3, 2)
    answers = {"date_of_birth": dt.date(1990, 5, 1), "sex_at_birth": "male"}
    before = rules.applicable_statements(forms.risks, rules.derive_facts(answers, on))
    now = revised(forms, "major")
    flow = KioskFlow(now, on, answers=answers, reconsent=signed(before, "1.1.0"))
    steps = flow.steps()
    topics = [s for s in steps if s.kind == TOPIC]
    assert topics == [Step(TOPIC, "dryness")]
    assert steps.index(Step(RECONSENT)) == steps.index(topics[0]) - 1
    _, shown = flow.topic("dryness")
    assert [s.id for s in shown] == [CHANGED, NEW]
    assert all(set(q.tests) <= {CHANGED, NEW} for q in flow.quiz_questions())
    assert flow.step_complete(Step(RECONSENT))
    assert flow.place(Step(RECONSENT)).section == "risks"
    # Without a consent to renew, the same forms give every topic.
    assert len([s for s in KioskFlow(now, on, answers=answers).steps() if s.kind == TOPIC]) > 1
