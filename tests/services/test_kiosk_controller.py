"""The kiosk controller, driven with the payloads pages hand back: no Qt anywhere.

These tests import nothing from PySide6 or intake.ui; ``test_the_controller_runs_with_qt_unimportable``
runs one whole visit again in a fresh interpreter where importing PySide6 fails, so a Qt import
creeping into the controller, its payloads or the services it calls breaks the build.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from intake.domain import rules
from intake.domain.wizard import Guardian
from intake.services.completeness import Missing, MissingKind
from intake.services.context import AppContext
from intake.services.kiosk_flow import KioskController
from intake.services.kiosk_payloads import (
    GuardianDetails,
    Initials,
    IntakeAnswers,
    MoodAnswers,
    PageProblems,
    Proceed,
    QuizChoice,
    ReviewRead,
    Screen,
    SignatureGiven,
    ViewState,
)
from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient, ensure_staff, signature_strokes
from intake.services.staff import staff_actor
from intake.services.visits import StartedVisit, VisitService

ROOT = Path(__file__).resolve().parents[2]


def start(ctx: AppContext, patient: ScriptedPatient) -> StartedVisit:
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    row = PatientService(ctx).register(
        desk,
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        sex_at_birth=patient.sex_at_birth,
        lang=patient.lang,
    )
    return VisitService(ctx).start_visit(desk, row.id, patient.lang)


class Walker:
    """Plays the pages: hands the controller what each page would hand back."""

    def __init__(self, ctx: AppContext, patient: ScriptedPatient):
        self.ctx = ctx
        self.patient = patient
        self.ctl = KioskController(ctx)
        self.seen: list[str] = []

    @property
    def flow(self):  # type: ignore[no-untyped-def]
        assert self.ctl.flow is not None
        return self.ctl.flow

    def step(self) -> str:
        return self.flow.current.id

    def saw(self, view: ViewState) -> ViewState:
        if view.redraw and view.step is not None:
            self.seen.append(view.step.id)
        return view

    def open(self, started: StartedVisit) -> ViewState:
        return self.saw(self.ctl.open_by_code(self.patient.date_of_birth, started.code))

    def intake(self) -> None:
        pages = self.patient.page_answers()
        while self.step().startswith("intake:"):
            page_id = self.flow.current.key
            given = pages.get(page_id, {})
            visible = {q.id for q in self.flow.visible_questions(page_id, given)}
            raw = {k: v for k, v in given.items() if k in visible}
            view = self.saw(self.ctl.submit(IntakeAnswers(page_id, raw)))
            assert not view.errors, view.errors

    def mood(self) -> ViewState:
        assert self.step() == "phq9"
        return self.saw(self.ctl.submit(MoodAnswers(self.patient.phq9, "not_difficult")))

    def topics(self) -> None:
        mine = rules.expected_initials_for(self.patient.first_name, self.patient.last_name)
        theirs = rules.expected_initials_for(*self.patient.guardian)
        while self.step().startswith("topic:"):
            for sid, role in self.flow.missing_acknowledgements(self.flow.current.key):
                view = self.ctl.acknowledge(
                    Initials(sid, role, mine if role == "patient" else theirs, 9.0)
                )
                assert view.accepted is not None and not view.redraw, view.errors
            self.saw(self.ctl.submit(Proceed()))

    def quiz(self) -> None:
        while self.step().startswith("quiz:"):
            question = self.flow.quiz_question(self.flow.current.key)
            self.saw(self.ctl.submit(QuizChoice(question.id, question.answer)))

    def sign(self) -> ViewState:
        role = self.flow.current.key
        name = (
            f"{self.patient.first_name} {self.patient.last_name}"
            if role == "patient"
            else " ".join(self.patient.guardian)
        )
        strokes = tuple(tuple(s) for s in signature_strokes())
        return self.saw(self.ctl.submit(SignatureGiven(role, name, strokes, 600, 200)))


@pytest.fixture
def adult(sqlite_ctx: AppContext) -> tuple[Walker, StartedVisit]:
    patient = ScriptedPatient()
    started = start(sqlite_ctx, patient)
    walker = Walker(sqlite_ctx, patient)
    view = walker.open(started)
    assert view.screen is Screen.STEP and view.opened == started.visit_id
    return walker, started


def test_a_whole_visit_through_the_controller(adult: tuple[Walker, StartedVisit]) -> None:
    walker, started = adult
    ctl, visits = walker.ctl, VisitService(walker.ctx)
    assert walker.step() == "intake:identity"
    walker.intake()
    walker.mood()
    walker.topics()
    first_quiz = walker.flow.current.key
    nav = ctl.nav(page_complete=False)
    assert nav is not None and nav.label == "check_answer" and not nav.forward and nav.back
    walker.quiz()
    assert walker.step() == "review"
    nav = ctl.nav(page_complete=False)
    assert nav is not None and (nav.label, nav.forward) == ("go_to_signing", True)
    walker.saw(ctl.submit(ReviewRead()))
    assert walker.step() == "sign:patient"
    nav = ctl.nav(page_complete=True)
    assert nav is not None and nav.label == "sign" and nav.place.section == "sign"
    done = walker.sign()
    assert done.step is not None and done.step.kind == "done"
    assert done.submitted == started.visit_id and done.issue_documents
    assert ctl.nav(page_complete=True) is None and ctl.submitted()
    assert visits.completeness(ctl.visit.actor, started.visit_id).complete  # type: ignore[union-attr]
    assert f"quiz:{first_quiz}" in walker.seen and "topic:pregnancy" in walker.seen
    # What the controller saved is the visit's: the draft says where the patient was.
    draft = visits.draft(ctl.visit.actor, started.visit_id)  # type: ignore[union-attr]
    assert draft.status != "draft" and draft.signed_roles == ("patient",)


def test_a_wrong_quiz_answer_detours_to_the_statements_and_back(
    adult: tuple[Walker, StartedVisit],
) -> None:
    walker, _ = adult
    ctl = walker.ctl
    walker.intake()
    walker.mood()
    walker.topics()
    question = walker.flow.quiz_question(walker.flow.current.key)
    wrong = next(c.id for c in question.choices if c.id != question.answer)
    view = ctl.submit(QuizChoice(question.id, wrong))
    assert view.quiz_wrong and not view.redraw and walker.step() == f"quiz:{question.id}"
    nav = ctl.nav(page_complete=True)
    assert nav is not None and (nav.label, nav.forward) == ("read_again", True)
    view = ctl.submit(QuizChoice(question.id, wrong))  # "read that part again"
    assert view.redraw and view.step is not None and view.step.kind == "topic"
    assert not ctl.nav(page_complete=True).forward  # type: ignore[union-attr]
    walker.topics()  # the statements the question tests, initialled again
    assert walker.step() == f"quiz:{question.id}"
    view = ctl.submit(QuizChoice(question.id, question.answer))
    assert view.redraw and not view.quiz_wrong


def test_the_review_sends_the_patient_back_to_an_acknowledgement_storage_lacks(
    adult: tuple[Walker, StartedVisit],
) -> None:
    """The review asks storage (typed Missing items, not phrases) and detours to the topic."""
    walker, started = adult
    ctl = walker.ctl
    walker.intake()
    walker.mood()
    topic = walker.flow.current.key
    sid, role = walker.flow.missing_acknowledgements(topic)[0]
    walker.flow.record_acknowledgement(sid, role)  # the screen thinks so; storage never saw it
    walker.topics()
    walker.quiz()
    missing = VisitService(walker.ctx).completeness(ctl.visit.actor, started.visit_id).missing  # type: ignore[union-attr]
    assert Missing(MissingKind.ACKNOWLEDGEMENT, sid, role) in missing
    view = ctl.submit(ReviewRead())
    assert view.redraw and view.step is not None and view.step.id == f"topic:{topic}"
    assert walker.flow.missing_acknowledgements(topic) == [(sid, role)]
    walker.topics()
    assert walker.step() == "review"  # the detour ends where it began
    assert ctl.submit(ReviewRead()).step.id == "sign:patient"  # type: ignore[union-attr]


def test_back_keeps_what_was_typed_on_the_page_left(adult: tuple[Walker, StartedVisit]) -> None:
    walker, _ = adult
    ctl = walker.ctl
    pages = walker.patient.page_answers()
    ctl.submit(IntakeAnswers("identity", pages["identity"]))
    left = walker.flow.current
    view = ctl.back({"typed": "half a word"})
    assert view is not None and view.step is not None and view.step.id == "intake:identity"
    view = ctl.submit(IntakeAnswers("identity", pages["identity"]))
    assert view.step == left and dict(view.restore) == {"typed": "half a word"}


def test_problems_the_page_found_keep_it_on_screen_and_save_nothing(
    adult: tuple[Walker, StartedVisit],
) -> None:
    walker, started = adult
    view = walker.ctl.submit(PageProblems({"date_of_birth": "Please enter a real date."}))
    assert not view.redraw and view.errors == {"date_of_birth": "Please enter a real date."}
    assert walker.step() == "intake:identity"
    draft = VisitService(walker.ctx).draft(walker.ctl.visit.actor, started.visit_id)  # type: ignore[union-attr]
    assert draft.page == "intake:identity"


def test_a_service_refusal_stays_on_the_page_with_the_services_words(
    adult: tuple[Walker, StartedVisit],
) -> None:
    walker, _ = adult
    identity = dict(walker.patient.page_answers()["identity"], email="not an address")
    view = walker.ctl.submit(IntakeAnswers("identity", identity))
    assert not view.redraw and "email" in view.errors and walker.step() == "intake:identity"


def test_the_mood_screen_is_saved_once_when_passed_again_unchanged(
    adult: tuple[Walker, StartedVisit],
) -> None:
    walker, started = adult
    walker.intake()
    walker.mood()
    assert walker.flow.phq9_answers() == (list(walker.patient.phq9), "not_difficult")
    walker.ctl.back({})
    visits = VisitService(walker.ctx)
    actor = walker.ctl.visit.actor  # type: ignore[union-attr]
    before = visits.draft(actor, started.visit_id).answers
    view = walker.mood()
    assert view.redraw and view.step is not None and view.step.kind != "phq9"
    assert visits.draft(actor, started.visit_id).answers == before


def test_a_positive_item_9_waits_for_staff_who_release_with_a_note(sqlite_ctx: AppContext) -> None:
    patient = ScriptedPatient(phq9=(1, 0, 1, 0, 0, 0, 1, 0, 2))
    walker = Walker(sqlite_ctx, patient)
    walker.open(start(sqlite_ctx, patient))
    walker.intake()
    view = walker.mood()
    assert view.step is not None and view.step.kind == "help_now" and not view.watch_idle
    assert walker.ctl.nav(page_complete=True) is None
    desk = ensure_staff(sqlite_ctx, "front_desk", "desk", "Front Desk")
    view = walker.ctl.staff_continue(desk)
    if sqlite_ctx.forms.clinic.mood_release_role == "front_desk":
        pytest.skip("this clinic lets the front desk release without a clinician")
    # The front desk may not release it: either a refusal or a note is asked for.
    assert not view.redraw and (view.errors or view.release_note_by is not None)
    clinician = ensure_staff(sqlite_ctx, "clinician", "drruiz", "Dr Ana Ruiz")
    view = walker.ctl.staff_continue(clinician)
    assert view.release_note_by is not None and view.release_note_by.role == "clinician"
    assert walker.step() == "help_now"


def test_a_minors_guardian_gives_their_name_then_initials(sqlite_ctx: AppContext) -> None:
    patient = ScriptedPatient(
        date_of_birth=sqlite_ctx.today().replace(year=sqlite_ctx.today().year - 16)
    )
    walker = Walker(sqlite_ctx, patient)
    walker.open(start(sqlite_ctx, patient))
    walker.intake()
    walker.mood()
    assert walker.step() == "guardian"
    view = walker.ctl.submit(GuardianDetails(Guardian(*patient.guardian, "parent")))
    assert view.redraw and walker.flow.guardian == Guardian(*patient.guardian, "parent")
    walker.topics()
    assert walker.step().startswith("quiz:")


def test_the_chosen_language_is_saved_with_the_visit(adult: tuple[Walker, StartedVisit]) -> None:
    walker, started = adult
    assert walker.ctl.choose_language("es") and walker.flow.lang == "es"
    assert not walker.ctl.choose_language("es") and not walker.ctl.choose_language("xx")
    draft = VisitService(walker.ctx).draft(walker.ctl.visit.actor, started.visit_id)  # type: ignore[union-attr]
    assert draft.lang == "es"


def test_clearing_releases_an_unfinished_visit_and_forgets_it(
    adult: tuple[Walker, StartedVisit],
) -> None:
    walker, started = adult
    actor = walker.ctl.visit.actor  # type: ignore[union-attr]
    walker.ctl.choose_language("es")
    walker.ctl.reset("idle")
    assert walker.ctl.visit is None and walker.ctl.lang == "en" and not walker.ctl.lang_chosen
    board = VisitService(walker.ctx).draft(actor, started.visit_id)
    assert board.status == "draft"
    again = KioskController(walker.ctx).open_by_code(walker.patient.date_of_birth, started.code)
    assert again.screen is Screen.RESUME  # under way: staff confirm before it goes on


def test_a_wrong_code_stays_on_welcome_with_the_services_words(sqlite_ctx: AppContext) -> None:
    patient = ScriptedPatient()
    started = start(sqlite_ctx, patient)
    ctl = KioskController(sqlite_ctx)
    wrong = (
        "0" * len(started.code)
        if started.code != "0" * len(started.code)
        else "1" * len(started.code)
    )
    view = ctl.open_by_code(patient.date_of_birth, wrong)
    assert view.screen is Screen.WELCOME and view.errors and ctl.visit is None


def test_the_controller_runs_with_qt_unimportable() -> None:
    """A fresh interpreter where PySide6 cannot be imported walks a visit to the signature."""
    script = textwrap.dedent(
        """
        import sys, importlib.abc

        class NoQt(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6"):
                    raise ImportError(f"{name} is blocked in this test")
                return None

        sys.meta_path.insert(0, NoQt())
        import pytest
        code = pytest.main(["-q", "-p", "no:pytest-qt", "-p", "no:cacheprovider",
                            "tests/services/test_kiosk_controller.py", "-k", "whole_visit"])
        loaded = sorted(m for m in sys.modules
                        if m.split(".")[0] == "PySide6" or m.startswith("intake.ui"))
        print("QT-MODULES", loaded)
        sys.exit(int(code))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "1 passed" in run.stdout and "QT-MODULES []" in run.stdout, run.stdout[-2000:]


def test_the_review_names_a_missing_answer_as_a_typed_item_and_stays(
    adult: tuple[Walker, StartedVisit],
) -> None:
    """Storage lacks an answer the screen thinks it has: no topic to go back to, so the review
    stays and says what is missing, as typed items the kiosk words in the patient's language."""
    walker, _ = adult
    ctl = walker.ctl
    pages = walker.patient.page_answers()
    while walker.step().startswith("intake:"):
        page_id = walker.flow.current.key
        if page_id == "body":
            walker.flow.record_answers(page_id, pages["body"])  # never reached storage
            ctl.submit(Proceed())
        else:
            given = pages.get(page_id, {})
            visible = {q.id for q in walker.flow.visible_questions(page_id, given)}
            ctl.submit(IntakeAnswers(page_id, {k: v for k, v in given.items() if k in visible}))
    walker.mood()
    walker.topics()
    walker.quiz()
    view = ctl.submit(ReviewRead())
    assert not view.redraw and walker.step() == "review"
    assert view.notice is not None and view.notice.key == "review_missing"
    assert Missing(MissingKind.QUESTION, "weight_kg") in view.notice.missing
