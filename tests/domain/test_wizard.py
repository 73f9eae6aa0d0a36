"""The kiosk flow model, without Qt: next-page rules, Back, completeness, detours, resume."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from intake.domain import rules
from intake.domain.wizard import (
    DONE,
    GUARDIAN,
    HELP_NOW,
    INTAKE,
    PHQ9,
    QUIZ,
    REVIEW,
    SIGN,
    TOPIC,
    FlowError,
    Guardian,
    KioskFlow,
    Place,
    Step,
)
from intake.forms import default_forms

VISIT_DATE = dt.date(2026, 3, 2)


def identity(sex: str = "female", dob: dt.date = dt.date(1999, 4, 12)) -> dict[str, Any]:
    return {
        "first_name": "Zoë",
        "last_name": "Nguyễn",
        "preferred_name": None,
        "date_of_birth": dob,
        "sex_at_birth": sex,
        "phone": "5550102233",
        "email": None,
        "address": None,
    }


PAGES: dict[str, dict[str, Any]] = {
    "pregnancy": {
        "uterus_and_ovary": "yes",
        "pregnancy_ruled_out": "none",
        "pregnant_now": "no",
        "breastfeeding": "no",
        "contraception_methods": ["hormonal_iud", "male_condom"],
    },
    "body": {"weight_kg": 61.5},
    "allergies": {"has_allergies": "no"},
    "medicines": {"takes_vitamin_a": "no", "takes_tetracycline": "no", "other_medicines": None},
    "conditions": {"conditions": ["none"]},
    "treatments": {"previous_treatments": ["topical_retinoid"], "previous_treatments_notes": None},
}


@pytest.fixture(scope="module")
def forms():  # type: ignore[no-untyped-def]
    return default_forms()


def new_flow(forms, **kw: Any) -> KioskFlow:  # type: ignore[no-untyped-def]
    flow = KioskFlow(forms, VISIT_DATE, **kw)
    flow.start()
    return flow


def fill_intake(flow: KioskFlow, sex: str = "female", dob: dt.date = dt.date(1999, 4, 12)) -> None:
    """Walk the intake pages as the kiosk does: record the saved values, then Next."""
    assert flow.current == Step(INTAKE, "identity")
    flow.record_answers("identity", identity(sex, dob))
    flow.next()
    while flow.current.kind == INTAKE:
        page_id = flow.current.key
        visible = {q.id for q in flow.visible_questions(page_id, PAGES[page_id])}
        values = {k: v for k, v in PAGES[page_id].items() if k in visible}
        if page_id == "pregnancy" and sex == "male":
            raise AssertionError("the pregnancy page is not shown to a patient born male")
        flow.record_answers(page_id, values)
        flow.next()


def acknowledge_topic(flow: KioskFlow) -> None:
    assert flow.current.kind == TOPIC
    for sid, role in flow.missing_acknowledgements(flow.current.key):
        flow.record_acknowledgement(sid, role)


def test_steps_for_an_adult_who_can_become_pregnant(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    fill_intake(flow)
    steps = flow.steps()
    kinds = [s.kind for s in steps]
    assert kinds[0] == "welcome" and kinds[-1] == DONE
    assert Step(INTAKE, "pregnancy") in steps
    assert GUARDIAN not in kinds and HELP_NOW not in kinds
    assert [s for s in steps if s.kind == SIGN] == [Step(SIGN, "patient")]
    assert Step(TOPIC, "pregnancy") in steps
    assert Step(QUIZ, "q_pregnancy_amount") in steps
    # the order: intake, mood, risks, quiz, review, sign, done
    order = [kinds.index(k) for k in (INTAKE, PHQ9, TOPIC, QUIZ, REVIEW, SIGN, DONE)]
    assert order == sorted(order)


def test_pregnancy_page_is_skipped_when_it_has_no_visible_question(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    flow.record_answers("identity", identity("male"))
    assert flow.next() == Step(INTAKE, "body")
    assert Step(INTAKE, "pregnancy") not in flow.steps()
    assert not any(q for q in flow.quiz_questions() if q.applies_if)


def test_next_is_refused_until_the_page_is_complete(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    assert flow.page_missing("identity") == [
        "first_name",
        "last_name",
        "date_of_birth",
        "sex_at_birth",
        "phone",
    ]
    assert not flow.can_go_next()
    with pytest.raises(FlowError):
        flow.next()
    typed = {"first_name": "Ana", "last_name": "Ruiz", "date_of_birth": "2001-02-03"}
    assert flow.page_missing("identity", typed) == ["sex_at_birth", "phone"]


def test_visibility_follows_what_is_typed_on_the_same_page(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    flow.record_answers("identity", identity("female"))
    flow.next()
    assert flow.current == Step(INTAKE, "pregnancy")
    no = {q.id for q in flow.visible_questions("pregnancy", {"uterus_and_ovary": "no"})}
    assert no == {"uterus_and_ovary"}
    yes = {q.id for q in flow.visible_questions("pregnancy", {"uterus_and_ovary": "yes"})}
    assert {"pregnancy_ruled_out", "contraception_methods"} <= yes
    assert flow.page_missing("pregnancy", {"uterus_and_ovary": "no"}) == []


def test_back_keeps_answers_and_returns_through_the_pages_in_order(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    assert not flow.can_go_back()  # nothing before the first page
    fill_intake(flow)
    assert flow.current == Step(PHQ9)
    assert flow.back() == Step(INTAKE, "treatments")
    assert flow.back() == Step(INTAKE, "conditions")
    assert flow.answers["conditions"] == ["none"]
    assert flow.next() == Step(INTAKE, "treatments")


def test_back_skips_a_page_that_answers_have_since_hidden(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    fill_intake(flow)  # female: the pregnancy page was visited
    while flow.current != Step(INTAKE, "body"):
        flow.back()
    flow.back()
    assert flow.current == Step(INTAKE, "pregnancy")
    flow.back()
    assert flow.current == Step(INTAKE, "identity")
    flow.record_answers("identity", identity("male"))
    assert flow.next() == Step(INTAKE, "body")
    flow.next()  # allergies
    flow.back()
    assert flow.back() == Step(INTAKE, "identity")  # the pregnancy page is not in the way


def test_positive_item9_pauses_until_staff_continue(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    fill_intake(flow)
    flow.record_phq9(alert=True)
    assert flow.next() == Step(HELP_NOW)
    assert not flow.can_go_next() and not flow.can_go_back()
    flow.staff_attended()
    assert flow.next().kind == TOPIC
    assert HELP_NOW not in [s.kind for s in flow.steps()]
    assert flow.back() == Step(PHQ9)  # the help page is not a place to go back to


def test_minor_gives_guardian_name_and_both_initial_every_statement(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    fill_intake(flow, sex="male", dob=dt.date(2009, 9, 1))
    assert flow.is_minor
    flow.record_phq9(alert=False)
    assert flow.next() == Step(GUARDIAN)
    assert not flow.can_go_next()
    flow.set_guardian(Guardian("Ana", "Ñúñez", "parent"))
    first = flow.next()
    assert first.kind == TOPIC
    missing = flow.missing_acknowledgements(first.key)
    assert {role for _, role in missing} == {"patient", "guardian"}
    flow.record_acknowledgement(missing[0][0], "patient")
    assert not flow.can_go_next()  # the guardian has not initialled it yet
    acknowledge_topic(flow)
    assert flow.can_go_next()
    topics = [s.key for s in flow.steps() if s.kind == TOPIC]
    assert topics[-1] == "guardian"
    _, statements = flow.topic("guardian")
    assert all(flow.acknowledgers(s) == ("guardian",) for s in statements)
    assert [s for s in flow.steps() if s.kind == SIGN] == [
        Step(SIGN, "patient"),
        Step(SIGN, "guardian"),
    ]


def walk_to_quiz(flow: KioskFlow) -> None:
    fill_intake(flow)
    flow.record_phq9(alert=False)
    flow.next()
    while flow.current.kind == TOPIC:
        acknowledge_topic(flow)
        flow.next()
    assert flow.current.kind == QUIZ


def test_wrong_quiz_answer_sends_the_patient_back_to_reacknowledge(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    walk_to_quiz(flow)
    question = flow.quiz_question(flow.current.key)
    flow.record_quiz(question.id, correct=False, retest=question.tests)
    assert flow.quiz_detour_pending()
    assert flow.can_go_next()  # "read that part again"
    detour = flow.next()
    assert detour.kind == TOPIC
    _, statements = flow.topic(detour.key)
    assert set(question.tests) & {s.id for s in statements}
    assert not flow.can_go_next()
    for sid in question.tests:
        assert flow.needs_ack(sid, "patient")
    acknowledge_topic(flow)
    back_at = flow.next()
    assert back_at == Step(QUIZ, question.id)  # straight back to the question, not the next topic
    assert not flow.can_go_next()  # it must be answered again, right this time
    flow.record_quiz(question.id, correct=True)
    assert flow.can_go_next()
    assert flow.returning_to is None


def test_wrong_answer_testing_two_topics_visits_both(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    walk_to_quiz(flow)
    q = next(q for q in flow.quiz_questions() if len({s.split(".")[0] for s in q.tests}) > 1)
    while flow.current != Step(QUIZ, q.id):
        qq = flow.quiz_question(flow.current.key)
        flow.record_quiz(qq.id, correct=True)
        flow.next()
    flow.record_quiz(q.id, correct=False, retest=q.tests)
    visited = []
    step = flow.next()
    while step.kind == TOPIC:
        visited.append(step.key)
        acknowledge_topic(flow)
        step = flow.next()
    assert sorted(visited) == sorted({s.split(".")[0] for s in q.tests})
    assert step == Step(QUIZ, q.id)


def test_back_out_of_a_detour_keeps_the_detour_pending(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    walk_to_quiz(flow)
    q = flow.quiz_question(flow.current.key)
    flow.record_quiz(q.id, correct=False, retest=q.tests)
    topic = flow.next()
    assert flow.back() == Step(QUIZ, q.id)
    assert flow.next() == topic


def test_signature_is_the_point_of_no_return(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    walk_to_quiz(flow)
    while flow.current.kind == QUIZ:
        flow.record_quiz(flow.current.key, correct=True)
        flow.next()
    assert flow.current == Step(REVIEW)
    assert flow.next() == Step(SIGN, "patient")
    assert flow.can_go_back()
    assert not flow.can_go_next()
    flow.record_signature("patient")
    assert not flow.can_go_back()
    assert flow.next() == Step(DONE)
    assert not flow.can_go_back() and not flow.can_go_next()
    with pytest.raises(FlowError):
        flow.back()


def test_resume_goes_to_the_saved_page_with_history_behind_it(forms) -> None:  # type: ignore[no-untyped-def]
    answers = {**identity(), **{k: v for p in PAGES.values() for k, v in p.items()}}
    flow = KioskFlow.from_saved(forms, VISIT_DATE, answers=answers, phq9_done=True, lang="es")
    first_topic = next(s for s in flow.steps() if s.kind == TOPIC)
    assert flow.resume(first_topic.id) == first_topic
    assert flow.lang == "es"
    assert flow.back() == Step(PHQ9)
    # A saved page beyond the first unfinished step resumes at that step instead.
    flow2 = KioskFlow.from_saved(forms, VISIT_DATE, answers=answers, phq9_done=False)
    assert flow2.resume("quiz:q_two_methods") == Step(PHQ9)
    # The service records a saved intake page by its bare id.
    flow3 = KioskFlow.from_saved(forms, VISIT_DATE, answers=answers)
    assert flow3.resume("allergies") == Step(INTAKE, "allergies")


def test_resume_of_a_paused_visit_returns_to_the_help_page(forms) -> None:  # type: ignore[no-untyped-def]
    answers = {**identity(), **{k: v for p in PAGES.values() for k, v in p.items()}}
    flow = KioskFlow.from_saved(
        forms, VISIT_DATE, answers=answers, phq9_done=True, needs_staff=True
    )
    assert flow.resume("phq9") == Step(HELP_NOW)
    assert not flow.can_go_back()


def test_resume_of_a_minor_asks_for_the_guardian_first(forms) -> None:  # type: ignore[no-untyped-def]
    answers = {**identity("male", dt.date(2009, 9, 1)), **PAGES["body"], **PAGES["allergies"]}
    answers.update(PAGES["medicines"], **PAGES["conditions"], **PAGES["treatments"])
    flow = KioskFlow.from_saved(forms, VISIT_DATE, answers=answers, phq9_done=True)
    topic = next(s for s in flow.steps() if s.kind == TOPIC)
    assert flow.resume(topic.id) == Step(GUARDIAN)
    flow.set_guardian(Guardian("Ana", "Ñúñez", "parent"))
    assert flow.next() == topic


def test_resume_after_the_patient_signed_goes_to_the_guardian_signature(forms) -> None:  # type: ignore[no-untyped-def]
    answers = {**identity("male", dt.date(2009, 9, 1))}
    flow = KioskFlow.from_saved(forms, VISIT_DATE, answers=answers, signed=["patient"])
    assert flow.resume("sign:patient") == Step(SIGN, "guardian")
    assert not flow.can_go_back()


def test_quiz_passed_in_storage_marks_every_question_done(forms) -> None:  # type: ignore[no-untyped-def]
    answers = {**identity(), **{k: v for p in PAGES.values() for k, v in p.items()}}
    flow = KioskFlow.from_saved(forms, VISIT_DATE, answers=answers, quiz_passed=True)
    assert all(flow.step_complete(s) for s in flow.steps() if s.kind == QUIZ)


def test_review_gap_detour_returns_to_review(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    walk_to_quiz(flow)
    while flow.current.kind == QUIZ:
        flow.record_quiz(flow.current.key, correct=True)
        flow.next()
    assert flow.current == Step(REVIEW)
    tested = sorted({sid for q in flow.quiz_questions() for sid in q.tests})
    flow.require_reacknowledgement(tested)
    first = flow.first_pending_topic()
    assert first is not None
    flow.go_to(first, return_to=Step(REVIEW))
    while flow.current.kind == TOPIC:
        acknowledge_topic(flow)
        flow.next()
    assert flow.current == Step(REVIEW)


def test_progress_and_sections(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    assert flow.section() == "about_you"
    position, total = flow.progress()
    assert position == 1 and total > 20
    fill_intake(flow)
    assert flow.section() == "mood"
    assert flow.progress()[0] > position


def test_place_inside_each_part_for_an_adult_who_can_become_pregnant(forms) -> None:  # type: ignore[no-untyped-def]
    """'Part 4 of 6' alone hid 10 topic pages and 47 statements: say where inside the part."""
    flow = new_flow(forms)
    assert flow.place() == Place("about_you", 1, 6)  # one page: nothing to count
    flow.record_answers("identity", identity())
    flow.next()
    assert flow.place() == Place("health", 2, 6, "page", 1, 6)
    while flow.current.kind == INTAKE:
        page_id = flow.current.key
        flow.record_answers(page_id, PAGES[page_id])
        flow.next()
    assert flow.place() == Place("mood", 3, 6)
    flow.record_phq9(alert=False)
    flow.next()
    topics = [t.id for t, _ in flow.topics()]
    assert len(topics) == 10 and "guardian" not in topics
    for n, topic_id in enumerate(topics, start=1):
        assert flow.current == Step(TOPIC, topic_id)
        assert flow.place() == Place("risks", 4, 6, "topic", n, 10)
        acknowledge_topic(flow)
        flow.next()
    assert flow.quiz_count() == 15 == len(flow.quiz_questions())
    for n in range(1, 16):
        assert flow.place() == Place("check", 5, 6, "question", n, 15)
        flow.record_quiz(flow.current.key, correct=True)
        flow.next()
    assert flow.place() == Place("sign", 6, 6, "page", 1, 2)
    flow.next()
    assert flow.place() == Place("sign", 6, 6, "page", 2, 2)


def test_place_for_a_minor_who_cannot_become_pregnant(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    fill_intake(flow, sex="male", dob=dt.date(2010, 1, 1))
    flow.record_phq9(alert=False)
    flow.next()
    assert flow.current == Step(GUARDIAN)
    # Before the first topic: the count of topics still to read (n = 0).
    assert flow.place() == Place("risks", 4, 6, "topic", 0, 11)
    flow.set_guardian(Guardian("Ana", "Ñúñez", "parent"))
    flow.next()
    assert flow.place() == Place("risks", 4, 6, "topic", 1, 11)
    assert flow.place(Step(TOPIC, "guardian")) == Place("risks", 4, 6, "topic", 11, 11)
    assert flow.quiz_count() == 10
    first_question = flow.quiz_questions()[0]
    assert flow.place(Step(QUIZ, first_question.id)) == Place("check", 5, 6, "question", 1, 10)
    # Two signatures after the review.
    assert flow.place(Step(SIGN, "guardian")) == Place("sign", 6, 6, "page", 3, 3)


def test_a_quiz_detour_keeps_the_topic_count(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    fill_intake(flow)
    flow.record_phq9(alert=False)
    flow.next()
    while flow.current.kind == TOPIC:
        acknowledge_topic(flow)
        flow.next()
    question = flow.current.key
    flow.record_quiz(question, correct=False, retest=flow.quiz_question(question).tests)
    flow.next()  # read that part again
    assert flow.current.kind == TOPIC
    n = [t.id for t, _ in flow.topics()].index(flow.current.key) + 1
    assert flow.place() == Place("risks", 4, 6, "topic", n, 10)


def test_step_ids_fit_the_visit_page_column(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    fill_intake(flow, dob=dt.date(2010, 1, 1))
    flow.set_guardian(Guardian("A", "B", "parent"))
    for step in flow.steps():
        assert len(step.id) <= 40
        assert Step.parse(step.id) == step


def test_changed_answers_change_the_statements_that_apply(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    fill_intake(flow)
    facts = flow.facts()
    assert facts["can_become_pregnant"]
    full = flow.statement_ids()
    flow.record_answers("pregnancy", {"uterus_and_ovary": "no"})
    changed = flow.statement_ids()
    assert "pregnancy.any_amount" in full and "pregnancy.any_amount" not in changed
    assert "pregnancy.partner" not in full and "pregnancy.partner" in changed
    assert flow.statement_ids() == {
        s.id for s in rules.applicable_statements(forms.risks, flow.facts())
    }


def test_an_identity_dispute_waits_for_staff_after_about_you(forms) -> None:  # type: ignore[no-untyped-def]
    from intake.domain.wizard import STAFF_CHECK

    flow = new_flow(forms)
    flow.record_answers("identity", identity())
    flow.identity_hold = True  # the service paused the visit when the page was saved
    assert flow.next() == Step(STAFF_CHECK)
    assert not flow.can_go_next() and not flow.can_go_back()
    assert flow.section() == "about_you"
    assert (
        flow.progress()[1]
        == len([s for s in flow.steps() if s.kind not in ("welcome", "done")]) - 1
    )
    # A restart or an idle clear comes back to the same wait.
    answers = {**identity(), **{k: v for p in PAGES.values() for k, v in p.items()}}
    resumed = KioskFlow.from_saved(forms, VISIT_DATE, answers=answers, identity_hold=True)
    assert resumed.resume("pregnancy") == Step(STAFF_CHECK)
    # Staff decided: "About you" again, with the record's details, then on as usual.
    corrected = {"first_name": "Zoe", "last_name": "Nguyen", "date_of_birth": dt.date(1999, 4, 13)}
    assert flow.identity_checked(corrected) == Step(INTAKE, "identity")
    assert flow.answers["first_name"] == "Zoe"
    assert flow.next() == Step(INTAKE, "pregnancy")


def test_the_dob_button_pauses_from_the_identity_page(forms) -> None:  # type: ignore[no-untyped-def]
    from intake.domain.wizard import STAFF_CHECK

    flow = new_flow(forms)
    assert flow.hold_for_identity() == Step(STAFF_CHECK)
    assert Step(STAFF_CHECK) in flow.steps() and not flow.step_complete()


def test_the_flow_keeps_the_mood_screen_it_recorded(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    fill_intake(flow)
    assert not flow.phq9_unchanged([0] * 9, "")  # nothing saved yet
    answers = [1, 0, 1, 0, 0, 0, 1, 0, 0]
    flow.record_phq9(False, answers, "not_difficult")
    assert flow.phq9_answers() == (answers, "not_difficult")
    assert flow.phq9_unchanged(tuple(answers), "not_difficult")
    assert not flow.phq9_unchanged([2, *answers[1:]], "not_difficult")
    assert not flow.phq9_unchanged(answers, "very_difficult")


def test_a_withdrawn_acknowledgement_is_asked_for_again(forms) -> None:  # type: ignore[no-untyped-def]
    flow = new_flow(forms)
    walk_to_quiz(flow)
    first_topic = next(s for s in flow.steps() if s.kind == TOPIC)
    _, statements = flow.topic(first_topic.key)
    sid = statements[0].id
    assert flow.first_pending_topic() is None
    flow.withdraw_acknowledgement(sid, "patient")
    assert flow.needs_ack(sid, "patient") and flow.first_pending_topic() == first_topic
    flow.record_acknowledgement(sid, "patient")
    assert not flow.needs_ack(sid, "patient") and flow.first_pending_topic() is None


def test_an_identity_hold_set_by_the_services_puts_the_staff_check_after_about_you(forms) -> None:  # type: ignore[no-untyped-def]
    from intake.domain.wizard import STAFF_CHECK

    flow = new_flow(forms)
    flow.record_answers("identity", identity("female", dt.date(1999, 4, 12)))
    flow.set_identity_hold(True)
    assert flow.next() == Step(STAFF_CHECK)
    flow.set_identity_hold(False)
    assert STAFF_CHECK not in [s.kind for s in flow.steps()]
    flow.set_language("es")
    assert flow.lang == "es"
