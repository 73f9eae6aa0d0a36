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


def test_a_check_in_runs_on_its_own_pages_without_topics_or_a_guardian() -> None:
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
    # A minor's check-in is signed by the patient alone.
    minor = _flow(dob=DAY.replace(year=DAY.year - 16))
    assert minor.signers() == ("patient",) and "guardian" not in [s.kind for s in minor.steps()]


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
