"""The monthly check-in's flow: its own pages, the mood screen, a few quiz questions drawn for
the month, a detour to initial the linked statements after a wrong answer, the patient's signature."""

from __future__ import annotations

import datetime as dt
from typing import Any

from intake.domain.checkin import QUIZ_PER_MONTH, drawn_quiz
from intake.domain.wizard import INTAKE, PHQ9, QUIZ, SIGN, TOPIC, KioskFlow, Step
from intake.forms import default_forms

DAY = dt.date(2026, 6, 1)


def _answers(sex: str = "female", dob: dt.date = dt.date(1999, 4, 12)) -> dict[str, Any]:
    return {
        "first_name": "Ana",
        "last_name": "Lopez",
        "date_of_birth": dob.isoformat(),
        "sex_at_birth": sex,
        "uterus_and_ovary": "yes" if sex == "female" else None,
        "pregnancy_ruled_out": "none" if sex == "female" else None,
    }


def _flow(month: int = 1, **kw: Any) -> KioskFlow:
    forms = default_forms().for_visit("checkin")
    answers = {k: v for k, v in _answers(**kw).items() if v is not None}
    return KioskFlow(forms, DAY, answers=answers, checkin_month=month)


def test_a_check_in_runs_on_its_own_pages_without_topics() -> None:
    flow = _flow()
    kinds = [s.kind for s in flow.steps()]
    assert TOPIC not in kinds and "guardian" not in kinds
    pages = [s.key for s in flow.steps() if s.kind == INTAKE]
    assert pages == [
        "identity",
        "body",
        "side_effects",
        "new_medicines",
        "sexual_function",
        "pregnancy",
    ]
    assert kinds.count(QUIZ) == QUIZ_PER_MONTH and PHQ9 in kinds
    assert [s for s in flow.steps() if s.kind == SIGN] == [Step(SIGN, "patient")]
    # A minor's check-in is co-signed by the guardian, who names themselves first; they
    # initial nothing (a wrong answer sends the patient alone back to the statements).
    minor = _flow(dob=DAY.replace(year=DAY.year - 16))
    assert minor.signers() == ("patient", "guardian")
    steps = minor.steps()
    kinds = [s.kind for s in steps]
    assert kinds.index(PHQ9) < kinds.index("guardian") < kinds.index(QUIZ)
    assert [s for s in steps if s.kind == SIGN] == [Step(SIGN, "patient"), Step(SIGN, "guardian")]
    statement = minor.forms.risks.statements[0]
    assert minor.acknowledgers(statement) == ("patient",)


def test_the_pregnancy_questions_are_asked_only_of_a_patient_who_can_become_pregnant() -> None:
    can = _flow()
    assert "last_period_start" in [q.id for q in can.visible_questions("pregnancy")]
    cannot = _flow(sex="male")
    assert not cannot.visible_questions("pregnancy")
    assert Step(INTAKE, "pregnancy") not in cannot.steps()


def test_each_month_draws_a_different_set_of_quiz_questions_the_same_way_each_time() -> None:
    sets = [tuple(q.id for q in _flow(month).quiz_questions()) for month in (1, 2)]
    assert sets[0] != sets[1]
    assert sets[0] == tuple(q.id for q in _flow(1).quiz_questions())
    assert drawn_quiz([], 3) == []


def test_a_wrong_answer_sends_the_patient_to_initial_only_the_linked_statements() -> None:
    flow = _flow()
    question = flow.quiz_questions()[0]
    flow.record_phq9(False)
    flow.current = Step(QUIZ, question.id)
    flow.record_quiz(question.id, False, question.tests)
    assert flow.can_go_next()
    detour = flow.next()
    assert detour.kind == TOPIC
    _topic, statements = flow.topic(detour.key)
    assert {s.id for s in statements} <= set(question.tests)
    for st in statements:
        flow.record_acknowledgement(st.id, "patient")
    while flow.current.kind == TOPIC:
        flow.next()
    assert flow.current == Step(QUIZ, question.id)
    flow.record_quiz(question.id, True)
    assert flow.step_complete() and flow.step_complete(detour)
    assert not flow.quiz_detour_pending()


def _signed_before(forms: Any, answers: dict[str, Any], *, as_minor: bool = False) -> Any:
    """The consent signed on ``forms`` (the first visit), as a later visit's basis."""
    from intake.domain import reconsent, rules

    facts = rules.derive_facts(answers, DAY)
    return reconsent.SignedConsent(
        "first-visit",
        DAY.replace(month=1),
        {"risks": forms.risks.meta.version},
        {
            s.id: reconsent.statement_hash(s)
            for s in forms.risks.statements
            if s in rules.applicable_statements(forms.risks, facts)
            or (as_minor and s.audience == "guardian")
        },
        as_minor,
    )


def test_a_check_in_carrying_a_re_consent_shows_only_what_changed() -> None:
    from reconsent_forms import CHANGED, NEW, revised

    from intake.domain.wizard import GUARDIAN, RECONSENT

    before = default_forms()
    answers = {k: v for k, v in _answers().items() if v is not None}
    rules_answers = answers
    basis = _signed_before(before, rules_answers)
    forms = revised(before, "major").for_visit("checkin")
    flow = KioskFlow(forms, DAY, answers=rules_answers, reconsent=basis, checkin_month=2)
    kinds = [s.kind for s in flow.steps()]
    # What has changed, then the topics holding the new and changed statements only, before
    # the month's quiz; the patient (an adult) initials and signs alone.
    assert kinds.index(RECONSENT) < kinds.index(TOPIC) < kinds.index(QUIZ)
    assert GUARDIAN not in kinds
    shown = {s.id for _, statements in flow.topics() for s in statements}
    assert shown == {NEW, CHANGED}
    plan = flow.reconsent_plan()
    assert plan is not None and plan.mark(NEW) == "new" and plan.mark(CHANGED) == "changed"
    assert CHANGED not in plan.carried and plan.carried
    # The month's quiz is drawn as at a plain check-in.
    plain = KioskFlow(forms, DAY, answers=rules_answers, checkin_month=2)
    assert flow.quiz_questions() == plain.quiz_questions()
    topic = next(s for s in flow.steps() if s.kind == TOPIC)
    assert flow.missing_acknowledgements(topic.key)
    for sid in shown:
        flow.record_acknowledgement(sid, "patient")
    assert not flow.missing_acknowledgements(topic.key)
    assert flow.signers() == ("patient",)


def test_a_minor_s_check_in_re_consent_is_initialled_and_co_signed_by_the_guardian() -> None:
    from reconsent_forms import NEW, revised

    from intake.domain.wizard import GUARDIAN

    before = default_forms()
    dob = DAY.replace(year=DAY.year - 16)
    answers = {k: v for k, v in _answers(dob=dob).items() if v is not None}
    basis = _signed_before(before, answers, as_minor=True)
    forms = revised(before, "major").for_visit("checkin")
    flow = KioskFlow(forms, DAY, answers=answers, reconsent=basis, checkin_month=2)
    assert GUARDIAN in [s.kind for s in flow.steps()]
    assert flow.signers() == ("patient", "guardian")
    new = forms.risks.statement(NEW)
    assert flow.acknowledgers(new) == ("patient", "guardian")


def test_turning_18_a_check_in_re_consent_drops_the_guardian() -> None:
    from intake.domain import reconsent
    from intake.domain.wizard import GUARDIAN, RECONSENT

    forms = default_forms()
    dob = DAY.replace(year=DAY.year - 18) - dt.timedelta(days=3)
    answers = {k: v for k, v in _answers(dob=dob).items() if v is not None}
    young = {**answers, "date_of_birth": DAY.replace(year=DAY.year - 17).isoformat()}
    basis = _signed_before(forms, young, as_minor=True)
    flow = KioskFlow(
        forms.for_visit("checkin"), DAY, answers=answers, reconsent=basis, checkin_month=3
    )
    plan = flow.reconsent_plan()
    assert plan is not None and plan.reasons == (reconsent.TURNED_18,)
    kinds = [s.kind for s in flow.steps()]
    assert RECONSENT in kinds and GUARDIAN not in kinds
    assert flow.signers() == ("patient",)
    guardian_only = {s.id for s in forms.risks.statements if s.audience == "guardian"}
    assert guardian_only <= set(plan.dropped)


def test_minor_changes_are_shown_on_a_notice_page_that_asks_nothing() -> None:
    from reconsent_forms import CHANGED, NEW, revised

    from intake.domain import reconsent
    from intake.domain.wizard import NOTICE, RECONSENT

    before = default_forms()
    answers = {k: v for k, v in _answers().items() if v is not None}
    basis = _signed_before(before, answers)
    after = revised(before, "minor")
    plan = reconsent.plan_for(basis, after, {"is_minor": False, "can_become_pregnant": True})
    assert plan.notice_only and not plan.asked
    notice = reconsent.notice_of(plan)
    assert notice is not None and set(notice.statements) == {NEW, CHANGED}
    assert notice.changes == {"risks": (before.risks.meta.version, after.risks.meta.version)}
    assert reconsent.ChangeNotice.from_json(notice.to_json()) == notice
    # A major change asks instead: no notice.
    major = reconsent.plan_for(basis, revised(before, "major"), {"is_minor": False})
    assert reconsent.notice_of(major) is None

    for forms, month in ((after, None), (after.for_visit("checkin"), 2)):
        flow = KioskFlow(forms, DAY, answers=answers, notice=notice, checkin_month=month)
        kinds = [s.kind for s in flow.steps()]
        assert NOTICE in kinds and RECONSENT not in kinds
        assert kinds.index(PHQ9) < kinds.index(NOTICE) < kinds.index(QUIZ)
        assert flow.step_complete(Step(NOTICE))
        assert [(st.id, mark) for st, mark in flow.notice_statements()] == [
            (CHANGED, "changed"),
            (NEW, "new"),
        ]
        assert flow.place(Step(NOTICE)).section == "risks"
    plain = KioskFlow(after, DAY, answers=answers)
    assert NOTICE not in [s.kind for s in plain.steps()]
