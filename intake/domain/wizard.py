"""The kiosk's flow: which page comes next, what Back does, and when a page is complete.

Plain Python (no Qt): the kiosk window draws whichever step this model is on, records what the
services accepted, and asks the model where to go. Rules that live here:

* intake pages are drawn from the form; a page with no visible question (the pregnancy page for
  a patient born male) is skipped;
* a positive PHQ-9 item 9 pauses the visit on a help page until a member of staff continues it;
* a patient who disputes the record's identity (a different legal name, "this is not my date of
  birth") waits on a staff-check page right after "About you" until staff have decided;
* a minor's parent or guardian gives their name before the risk topics, then initials every
  statement beside the patient;
* a re-consent (a visit renewing an earlier consent) first says what changed and lists the
  statements carried over, then shows only the new and changed statements;
* after changes the clinic calls minor, the next visit shows which statements are new or
  changed on a page of its own, asking nothing for them;
* a wrong quiz answer sends the patient to the topic pages holding the statements it tests,
  which must be initialled again, then back to that question;
* Back works (and keeps what was entered) until the first signature: the point of no return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from intake.domain import checkin, rules
from intake.domain import reconsent as rc
from intake.forms import model as fm

WELCOME = "welcome"
INTAKE = "intake"
STAFF_CHECK = "staff_check"
PHQ9 = "phq9"
HELP_NOW = "help_now"
GUARDIAN = "guardian"
RECONSENT = "reconsent"
NOTICE = "notice"
TOPIC = "topic"
QUIZ = "quiz"
REVIEW = "review"
SIGN = "sign"
DONE = "done"

KINDS = (
    WELCOME,
    INTAKE,
    STAFF_CHECK,
    PHQ9,
    HELP_NOW,
    GUARDIAN,
    RECONSENT,
    NOTICE,
    TOPIC,
    QUIZ,
    REVIEW,
    SIGN,
    DONE,
)
SIGNERS = ("patient", "guardian")

# Sections the patient sees in the progress line, in order.
SECTIONS = ("about_you", "health", "mood", "risks", "check", "sign")
SECTION_OF = {
    WELCOME: "welcome",
    INTAKE: "health",
    STAFF_CHECK: "about_you",
    PHQ9: "mood",
    HELP_NOW: "mood",
    GUARDIAN: "risks",
    RECONSENT: "risks",
    NOTICE: "risks",
    TOPIC: "risks",
    QUIZ: "check",
    REVIEW: "sign",
    SIGN: "sign",
    DONE: "done",
}


# What a part counts its pages in, when it has more than one (the progress line names it).
UNIT_OF = {"health": "page", "risks": "topic", "check": "question", "sign": "page"}


@dataclass(frozen=True)
class Place:
    """Where the patient is: the part of the visit, and the page inside that part.

    ``n`` of ``total`` counts the part's pages in ``unit`` ("topic", "question", "page");
    ``n`` is 0 on a page before the first of them (a guardian's details before the topics).
    ``unit`` is "" for a part of one page, where there is nothing to count.
    """

    section: str
    part: int
    parts: int
    unit: str = ""
    n: int = 0
    total: int = 0


class FlowError(Exception):
    """A move the flow does not allow: the UI offered something it should not have."""


@dataclass(frozen=True)
class Step:
    kind: str
    key: str = ""

    @property
    def id(self) -> str:
        """The id kept with the visit as its page (at most 40 characters)."""
        return f"{self.kind}:{self.key}" if self.key else self.kind

    @classmethod
    def parse(cls, text: str) -> Step | None:
        kind, _, key = (text or "").partition(":")
        if kind not in KINDS:
            return None
        return cls(kind, key)

    def __str__(self) -> str:
        return self.id


@dataclass(frozen=True)
class Guardian:
    first_name: str
    last_name: str
    relationship: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def is_empty(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


class KioskFlow:
    """Where the patient is in the visit, and what they have given so far."""

    def __init__(
        self,
        forms: fm.FormSet,
        visit_date: dt.date,
        *,
        answers: Mapping[str, Any] | None = None,
        lang: str = "en",
        reconsent: rc.SignedConsent | None = None,
        checkin_month: int | None = None,
        notice: rc.ChangeNotice | None = None,
    ):
        self.forms = forms
        # A re-consent: the consent this visit renews (only what changed is shown).
        self.reconsent = reconsent
        # Minor changes since the patient signed: shown on a page of their own, asked nothing.
        self.notice = notice
        # A monthly check-in (its month of the course) runs on the check-in's pages (``forms``
        # from ``FormSet.for_visit``), asks a few quiz questions, shows risk statements only
        # to initial again after a wrong answer (or that a re-consent it carries asks), and is
        # signed by the patient (and a minor's guardian).
        self.checkin_month = checkin_month
        self.retested: set[str] = set()  # statements a wrong answer sent the patient back to
        self.visit_date = visit_date
        self.lang = lang
        self.answers: dict[str, Any] = dict(answers or {})
        self.phq9_done = False
        self.needs_staff = False
        self.identity_hold = False  # waiting for staff to check the patient's identity
        self.guardian: Guardian | None = None
        self.acknowledged: set[tuple[str, str]] = set()
        self.reacknowledge: set[str] = set()  # statements the patient must initial again
        self.quiz_correct: set[str] = set()
        self.quiz_failed: set[str] = set()  # last answer wrong
        self.returning_to: Step | None = None  # where a detour to re-read statements ends
        self.signed: set[str] = set()
        self.current = Step(WELCOME)
        self.history: list[Step] = []
        self._after_guardian: Step | None = None

    @classmethod
    def from_saved(
        cls,
        forms: fm.FormSet,
        visit_date: dt.date,
        *,
        answers: Mapping[str, Any],
        acknowledged: Iterable[tuple[str, str]] = (),
        phq9_done: bool = False,
        needs_staff: bool = False,
        identity_hold: bool = False,
        quiz_passed: bool = False,
        signed: Iterable[str] = (),
        lang: str = "en",
        quiz_open: Iterable[str] | None = None,
        reacknowledge: Iterable[str] = (),
        guardian: Guardian | None = None,
        reconsent: rc.SignedConsent | None = None,
        checkin_month: int | None = None,
        notice: rc.ChangeNotice | None = None,
    ) -> KioskFlow:
        """A flow for a visit already in storage (resume after a restart or an idle timeout).

        ``quiz_open`` (the questions not yet answered right) and ``reacknowledge`` (statements
        to initial again after a wrong answer) come from storage, so a resumed quiz asks only
        what is still open.
        """
        flow = cls(
            forms,
            visit_date,
            answers=answers,
            lang=lang,
            reconsent=reconsent,
            checkin_month=checkin_month,
            notice=notice,
        )
        flow.acknowledged = set(acknowledged)
        flow.phq9_done = phq9_done
        flow.needs_staff = needs_staff
        flow.identity_hold = identity_hold
        flow.signed = set(signed) & set(SIGNERS)
        flow.guardian = guardian
        if quiz_passed:
            flow.quiz_correct = {q.id for q in flow.quiz_questions()}
        elif quiz_open is not None:
            still_open = set(quiz_open)
            flow.quiz_correct = {q.id for q in flow.quiz_questions() if q.id not in still_open}
            flow.require_reacknowledgement(reacknowledge)
        return flow

    # --- what applies to this patient ------------------------------------------------------------

    def facts(self, pending: Mapping[str, Any] | None = None) -> dict[str, Any]:
        merged = {**self.answers, **(pending or {})}
        dob = merged.get("date_of_birth")
        if isinstance(dob, str):
            try:
                merged["date_of_birth"] = dt.date.fromisoformat(dob)
            except ValueError:
                merged.pop("date_of_birth")
        # An answer to a question that is now hidden (its controlling answer changed) no longer
        # counts: otherwise a stale "yes" would keep showing the questions that depend on it.
        facts = rules.derive_facts(merged, self.visit_date)
        while True:
            hidden = [
                q.id
                for q in self.forms.intake.questions
                if q.show_if is not None and q.id in merged and not rules.holds(q.show_if, facts)
            ]
            if not hidden:
                return facts
            for qid in hidden:
                merged.pop(qid)
            facts = rules.derive_facts(merged, self.visit_date)

    @property
    def is_minor(self) -> bool:
        return bool(self.facts().get("is_minor"))

    @property
    def is_checkin(self) -> bool:
        return self.checkin_month is not None

    @property
    def guardian_needed(self) -> bool:
        """A minor's guardian names themselves and co-signs every visit: the first visit (and
        initials beside the patient), and each monthly check-in."""
        return self.is_minor

    def page(self, page_id: str) -> fm.Page:
        for page in self.forms.intake.pages:
            if page.id == page_id:
                return page
        raise KeyError(page_id)

    def visible_questions(
        self, page_id: str, pending: Mapping[str, Any] | None = None
    ) -> list[fm.Question]:
        return rules.visible_questions(self.page(page_id), self.facts(pending))

    def _all_topics(self) -> list[tuple[fm.Topic, list[fm.Statement]]]:
        """The topics whose statements this visit may show: at a re-consent (not a check-in,
        whose quiz and detours draw on every statement in force) only what it asks."""
        topics = rules.applicable_topics(self.forms.risks, self.facts())
        plan = self.reconsent_plan()
        if plan is None or self.is_checkin:
            return topics
        asked = set(plan.asked)
        shown = [(topic, [s for s in statements if s.id in asked]) for topic, statements in topics]
        return [(topic, statements) for topic, statements in shown if statements]

    def reconsent_plan(self) -> rc.ReconsentPlan | None:
        """At a re-consent, what is asked again, carried over and dropped; None otherwise."""
        if self.reconsent is None:
            return None
        return rc.plan_for(self.reconsent, self.forms, self.facts())

    def reconsent_asked(self) -> set[str]:
        """The statements a re-consent asks (new and changed); empty at any other visit."""
        plan = self.reconsent_plan()
        return set(plan.asked) if plan is not None else set()

    def notice_statements(self) -> list[tuple[fm.Statement, str]]:
        """The statements a notice of minor changes shows, in form order, each with its mark
        ("new" or "changed")."""
        if self.notice is None:
            return []
        shown = set(self.notice.statements)
        return [
            (st, self.notice.mark(st.id)) for st in self.forms.risks.statements if st.id in shown
        ]

    def topics(self) -> list[tuple[fm.Topic, list[fm.Statement]]]:
        """The risk topics to go through; at a check-in only the statements a re-consent it
        carries asks, and those to initial again after a wrong answer."""
        topics = self._all_topics()
        if not self.is_checkin:
            return topics
        shown = self.retested | self.reconsent_asked()
        out = []
        for topic, statements in topics:
            again = [st for st in statements if st.id in shown]
            if again:
                out.append((topic, again))
        return out

    def topic(self, topic_id: str) -> tuple[fm.Topic, list[fm.Statement]]:
        for topic, statements in self.topics():
            if topic.id == topic_id:
                return topic, statements
        raise KeyError(topic_id)

    def statement_ids(self) -> set[str]:
        return {s.id for _, statements in self._all_topics() for s in statements}

    def quiz_questions(self) -> list[fm.QuizQuestion]:
        facts = self.facts()
        questions = rules.applicable_quiz(self.forms.quiz, self.statement_ids(), facts)
        if self.checkin_month is not None:
            return checkin.drawn_quiz(questions, self.checkin_month)
        return questions

    def quiz_question(self, qid: str) -> fm.QuizQuestion:
        for q in self.forms.quiz.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def signers(self) -> tuple[str, ...]:
        return SIGNERS if self.guardian_needed else ("patient",)

    def acknowledgers(self, statement: fm.Statement) -> tuple[str, ...]:
        """Who initials a statement: at a check-in the patient alone, but for a statement a
        re-consent asks (a minor's guardian too, as at a first visit)."""
        roles = rules.acknowledgers(statement, self.facts())
        if self.is_checkin and statement.id not in self.reconsent_asked():
            return tuple(r for r in roles if r == "patient")
        return roles

    def steps(self) -> list[Step]:
        """Every step of this visit in order, as the answers so far decide it."""
        facts = self.facts()
        out = [Step(WELCOME)]
        for page in self.forms.intake.pages:
            if rules.visible_questions(page, facts):
                out.append(Step(INTAKE, page.id))
        if self.identity_hold:
            out.insert(2, Step(STAFF_CHECK))  # right after "About you", the first page
        out.append(Step(PHQ9))
        if self.needs_staff:
            out.append(Step(HELP_NOW))
        minor = self.guardian_needed
        if minor:
            out.append(Step(GUARDIAN))
        if self.reconsent is not None:
            out.append(Step(RECONSENT))
        if self.notice is not None and self.notice.statements:
            out.append(Step(NOTICE))
        out += [Step(TOPIC, topic.id) for topic, _ in self.topics()]
        out += [Step(QUIZ, q.id) for q in self.quiz_questions()]
        out.append(Step(REVIEW))
        out += [Step(SIGN, role) for role in (SIGNERS if minor else ("patient",))]
        out.append(Step(DONE))
        return out

    def _rank(self, step: Step) -> tuple[int, int]:
        """A step's place in the canonical order, whether or not it applies just now."""
        index = 0
        if step.kind == STAFF_CHECK:
            return KINDS.index(INTAKE), 0  # after "About you" (INTAKE, 0); see _following
        if step.kind == INTAKE:
            ids = [p.id for p in self.forms.intake.pages]
            index = ids.index(step.key) if step.key in ids else 0
        elif step.kind == TOPIC:
            ids = [t.id for t in self.forms.risks.topics]
            index = ids.index(step.key) if step.key in ids else 0
        elif step.kind == QUIZ:
            ids = [q.id for q in self.forms.quiz.questions]
            index = ids.index(step.key) if step.key in ids else 0
        elif step.kind == SIGN:
            index = SIGNERS.index(step.key) if step.key in SIGNERS else 0
        return KINDS.index(step.kind), index

    # --- completeness ----------------------------------------------------------------------------

    def page_missing(self, page_id: str, values: Mapping[str, Any] | None = None) -> list[str]:
        """Required visible questions of a page with no answer yet (``values``: what is typed)."""
        merged = {**self.answers, **(values or {})}
        return [
            q.id
            for q in self.visible_questions(page_id, values)
            if q.required and is_empty(merged.get(q.id))
        ]

    def needs_ack(self, statement_id: str, role: str) -> bool:
        if role == "patient" and statement_id in self.reacknowledge:
            return True
        return (statement_id, role) not in self.acknowledged

    def missing_acknowledgements(self, topic_id: str) -> list[tuple[str, str]]:
        _, statements = self.topic(topic_id)
        return [
            (s.id, role)
            for s in statements
            for role in self.acknowledgers(s)
            if self.needs_ack(s.id, role)
        ]

    def step_complete(self, step: Step | None = None) -> bool:
        step = step or self.current
        match step.kind:
            case "welcome":
                return True
            case "intake":
                return not self.page_missing(step.key)
            case "phq9":
                return self.phq9_done
            case "help_now":
                return not self.needs_staff
            case "staff_check":
                return not self.identity_hold
            case "guardian":
                return self.guardian is not None
            case "reconsent" | "notice":
                return True
            case "topic":
                if self.guardian_needed and self.guardian is None:
                    return False
                try:
                    return not self.missing_acknowledgements(step.key)
                except KeyError:
                    return True
            case "quiz":
                return step.key in self.quiz_correct
            case "review":
                return True
            case "sign":
                return step.key in self.signed
        return False  # done: nothing comes after it

    def first_incomplete(self) -> Step:
        for step in self.steps()[1:]:
            if not self.step_complete(step):
                return step
        return Step(DONE)

    def quiz_detour_pending(self, step: Step | None = None) -> bool:
        """A wrong answer on this quiz step whose statements are still to be initialled again."""
        step = step or self.current
        return (
            step.kind == QUIZ
            and step.key in self.quiz_failed
            and step.key not in self.quiz_correct
            and self._first_pending_topic() is not None
        )

    def _pending_topics(self) -> list[Step]:
        out = []
        for topic, statements in self.topics():
            if any(
                self.needs_ack(s.id, "patient") for s in statements if s.id in self.reacknowledge
            ):
                out.append(Step(TOPIC, topic.id))
        return out

    def _first_pending_topic(self) -> Step | None:
        pending = self._pending_topics()
        return pending[0] if pending else None

    # --- moving ----------------------------------------------------------------------------------

    def can_go_back(self) -> bool:
        if self.signed or self.current.kind in (WELCOME, HELP_NOW, STAFF_CHECK, DONE):
            return False
        return self._back_target(pop=False) is not None

    def can_go_next(self) -> bool:
        if self.current.kind in (WELCOME, DONE):
            return False
        if self.quiz_detour_pending():
            return True
        return self.step_complete()

    def start(self) -> Step:
        """Leave the welcome page for the first page of the visit."""
        if self.current.kind != WELCOME:
            raise FlowError("The visit has already started.")
        self.current = self.steps()[1]
        self.history = []
        return self.current

    def next(self) -> Step:
        if not self.can_go_next():
            raise FlowError(f"{self.current} is not complete.")
        here = self.current
        target: Step | None
        if self.quiz_detour_pending(here):
            target = self._first_pending_topic()
        elif here.kind == TOPIC and self.returning_to is not None:
            later = [t for t in self._pending_topics() if self._rank(t) > self._rank(here)]
            target = later[0] if later else (self._first_pending_topic() or self.returning_to)
        elif here.kind == GUARDIAN and self._after_guardian is not None:
            target, self._after_guardian = self._after_guardian, None
        else:
            target = self._following(here)
        assert target is not None
        if here.kind == SIGN:
            self.history = []  # the point of no return: nothing before a signature is reachable
        else:
            self.history.append(here)
        self._arrive(target)
        return target

    def back(self) -> Step:
        if not self.can_go_back():
            raise FlowError("Back is not possible here.")
        target = self._back_target(pop=True)
        assert target is not None
        self.current = target
        return target

    def go_to(self, step: Step, *, return_to: Step | None = None) -> Step:
        """Send the patient to an earlier step to finish it (the review found a gap)."""
        if self.signed:
            raise FlowError("Nothing before a signature can be changed.")
        self.history.append(self.current)
        if return_to is not None:
            self.returning_to = return_to
        self.current = step
        return step

    def resume(self, page: str) -> Step:
        """Continue a saved visit at its last saved page (never past the first unfinished step)."""
        steps = self.steps()
        if "patient" in self.signed:
            remaining = [s for s in steps if s.kind == SIGN and s.key not in self.signed]
            self.current = remaining[0] if remaining else Step(DONE)
            self.history = []
            return self.current
        saved = Step.parse(page)
        if saved is not None and saved.kind == INTAKE and saved.key:
            saved = Step(INTAKE, saved.key)
        elif saved is None and any(p.id == page for p in self.forms.intake.pages):
            saved = Step(INTAKE, page)  # the service records a saved intake page by its own id
        if self.identity_hold:
            target = Step(STAFF_CHECK)
        elif self.needs_staff:
            target = Step(HELP_NOW)
        else:
            first_open = self.first_incomplete()
            if saved is None or saved.kind == WELCOME or saved not in steps:
                target = first_open
            else:
                target = min(saved, first_open, key=self._rank)
            if target.kind in (SIGN, DONE):
                target = Step(REVIEW)
        if (
            self.guardian_needed
            and self.guardian is None
            and target.kind not in (HELP_NOW, STAFF_CHECK)
            and self._rank(target) > self._rank(Step(GUARDIAN))
        ):
            self._after_guardian = target
            target = Step(GUARDIAN)
        self.history = [
            s
            for s in steps
            if s.kind not in (WELCOME, HELP_NOW, STAFF_CHECK) and self._rank(s) < self._rank(target)
        ]
        self.current = target
        return target

    def _following(self, here: Step) -> Step:
        steps = self.steps()
        if here in steps and here.kind != STAFF_CHECK:
            # The list is in order; the staff check shares a rank with "About you".
            later = steps[steps.index(here) + 1 :]
            return later[0] if later else Step(DONE)
        for step in steps:
            if self._rank(step) > self._rank(here):
                return step
        return Step(DONE)

    def _back_target(self, *, pop: bool) -> Step | None:
        valid = set(self.steps())
        history = self.history if pop else list(self.history)
        while history:
            step = history.pop()
            if step in valid and step.kind not in (WELCOME, HELP_NOW, STAFF_CHECK, SIGN, DONE):
                return step
        return None

    def _arrive(self, step: Step) -> None:
        if step == self.returning_to and step.kind != QUIZ:
            self.returning_to = None
        self.current = step

    # --- recording what the services accepted ----------------------------------------------------

    def record_answers(self, page_id: str, values: Mapping[str, Any]) -> None:
        """The clean values of a saved page; questions hidden on it lose their answers."""
        for q in self.page(page_id).questions:
            if q.id in values:
                self.answers[q.id] = values[q.id]
            else:
                self.answers.pop(q.id, None)

    def record_phq9(
        self, alert: bool, answers: Sequence[int | None] | None = None, difficulty: str = ""
    ) -> None:
        """The mood screen was saved (``answers``: the nine items, kept to show them again)."""
        self.phq9_done = True
        self.needs_staff = alert
        if answers is not None:
            for i, value in enumerate(answers, start=1):
                self.answers[f"phq9_{i}"] = value
            self.answers["phq9_difficulty"] = difficulty

    def phq9_answers(self) -> tuple[list[int | None], str]:
        """The saved mood screen: the nine items and how difficult things have been."""
        items = [self.answers.get(f"phq9_{i}") for i in range(1, 10)]
        return items, str(self.answers.get("phq9_difficulty") or "")

    def phq9_unchanged(self, answers: Sequence[int | None], difficulty: str) -> bool:
        """Already saved with exactly these answers (back to the page and on again)."""
        return self.phq9_done and self.phq9_answers() == (list(answers), difficulty)

    def set_language(self, lang: str) -> None:
        self.lang = lang

    def set_identity_hold(self, held: bool) -> None:
        """The services say whether the details given wait for staff to check them."""
        self.identity_hold = held

    def staff_attended(self) -> None:
        self.needs_staff = False

    def hold_for_identity(self) -> Step:
        """The patient disputed who the record says they are: wait for staff, from here."""
        if self.signed:
            raise FlowError("Nothing before a signature can be changed.")
        self.identity_hold = True
        self.current = Step(STAFF_CHECK)
        return self.current

    def identity_checked(self, record: Mapping[str, Any]) -> Step:
        """Staff decided: back to "About you", showing the record's (perhaps corrected) details."""
        self.identity_hold = False
        self.answers.update(record)
        self.current = self.steps()[1]
        return self.current

    def set_guardian(self, guardian: Guardian) -> None:
        self.guardian = guardian

    def record_acknowledgement(self, statement_id: str, role: str) -> None:
        self.acknowledged.add((statement_id, role))
        if role == "patient":
            self.reacknowledge.discard(statement_id)

    def withdraw_acknowledgement(self, statement_id: str, role: str) -> None:
        """Storage lacks this acknowledgement (the review found a gap): it is given again."""
        self.acknowledged.discard((statement_id, role))
        if role == "patient":
            self.reacknowledge.add(statement_id)

    def quiz_answered(self, question_id: str) -> bool:
        """The question has been answered right."""
        return question_id in self.quiz_correct

    def record_quiz(self, question_id: str, correct: bool, retest: Iterable[str] = ()) -> None:
        if correct:
            self.quiz_correct.add(question_id)
            self.quiz_failed.discard(question_id)
            if self.returning_to == Step(QUIZ, question_id):
                self.returning_to = None
            return
        self.quiz_correct.discard(question_id)
        self.quiz_failed.add(question_id)
        self.require_reacknowledgement(retest)
        self.returning_to = Step(QUIZ, question_id)

    def require_reacknowledgement(self, statement_ids: Iterable[str]) -> None:
        shown = {s.id: s for _, statements in self._all_topics() for s in statements}
        for sid in statement_ids:
            if sid in shown and "patient" in self.acknowledgers(shown[sid]):
                self.reacknowledge.add(sid)
                self.retested.add(sid)

    def first_pending_topic(self) -> Step | None:
        return self._first_pending_topic()

    def record_signature(self, role: str) -> None:
        if role not in SIGNERS:
            raise FlowError(f"unknown signer {role!r}")
        self.signed.add(role)
        self.history = []

    # --- progress --------------------------------------------------------------------------------

    def progress(self) -> tuple[int, int]:
        """(position of the current step, number of steps), counting the pages a patient sees."""
        steps = [s for s in self.steps() if s.kind not in (WELCOME, DONE, HELP_NOW, STAFF_CHECK)]
        ranks = [self._rank(s) for s in steps]
        here = self._rank(self.current)
        position = sum(1 for r in ranks if r <= here)
        return max(1, position), len(steps)

    def place(self, step: Step | None = None) -> Place:
        """The part of the visit the step is in, and its place among the part's pages."""
        step = step or self.current
        section = self.section(step)
        part = self.section_number(step)
        unit = UNIT_OF.get(section, "")
        counted = {"topic": (TOPIC,), "question": (QUIZ,)}.get(unit)
        pages = [
            s
            for s in self.steps()
            if s.kind not in (WELCOME, DONE, HELP_NOW)
            and self.section(s) == section
            and (counted is None or s.kind in counted)
        ]
        if len(pages) < 2 and not (counted and pages):
            return Place(section, part, len(SECTIONS))
        here = self._rank(step)
        n = sum(1 for s in pages if self._rank(s) <= here)
        return Place(section, part, len(SECTIONS), unit, n, len(pages))

    def quiz_count(self) -> int:
        """How many questions this patient's understanding check has."""
        return len(self.quiz_questions())

    def section_number(self, step: Step | None = None) -> int:
        """1-based part of the visit (of ``len(SECTIONS)``); 0 for welcome, 7 for done."""
        section = self.section(step)
        return SECTIONS.index(section) + 1 if section in SECTIONS else 0

    def section(self, step: Step | None = None) -> str:
        step = step or self.current
        if step.kind == INTAKE and step.key == self.forms.intake.pages[0].id:
            return "about_you"
        return SECTION_OF[step.kind]
