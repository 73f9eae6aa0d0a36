"""The kiosk controller: applies what the pages hand back, and says what to show next.

No Qt here (so it is tested, like the flow model, without a display): the window forwards each
payload (``intake.services.kiosk_payloads``) and draws the ``ViewState`` it gets back. The
controller saves through the visit service, moves the flow model through its own methods, and
decides the rules for Next, its label and the detour after a wrong quiz answer.

The services and the flow model are imported when first used: the window imports this module
before Welcome is drawn.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from intake import i18n
from intake.domain.kinds import SignerRole
from intake.services.errors import InvalidInput, ServiceError
from intake.services.kiosk_payloads import (
    Accepted,
    GuardianDetails,
    Initials,
    IntakeAnswers,
    MoodAnswers,
    NavState,
    Notice,
    PageProblems,
    Payload,
    Problem,
    QuizChoice,
    ReviewRead,
    Screen,
    SignatureGiven,
    ViewState,
)

if TYPE_CHECKING:
    from intake.domain.wizard import KioskFlow, Step
    from intake.services.context import Actor, AppContext
    from intake.services.visits import VisitDraft, VisitService

log = logging.getLogger(__name__)

_P = ParamSpec("_P")
_R = TypeVar("_R")

# Steps drawn without the navigation bar: they move on by their own buttons, or not at all.
NO_NAV = ("welcome", "help_now", "staff_check", "done")
IDENTITY_QUESTIONS = frozenset({"first_name", "last_name", "date_of_birth"})


def problem_of(exc: ServiceError) -> Problem:
    return Problem(exc.code, dict(exc.params))


def _first(errors: Mapping[str, str]) -> str:
    """The first of a refusal's messages, for a page that shows one (it keeps its code)."""
    return next(iter(errors.values()), "")


def one_at_a_time(
    method: Callable[Concatenate[KioskController, _P], _R],
) -> Callable[Concatenate[KioskController, _P], _R]:
    """The window runs the controller's calls on a worker thread, one at a time; a call made
    meanwhile from elsewhere (the screen clearing while a save runs) waits for it to end."""

    @functools.wraps(method)
    def serial(self: KioskController, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self.lock:
            return method(self, *args, **kwargs)

    return serial


class ActiveVisit:
    """The one visit this kiosk serves: its service, who the kiosk acts as, where it is."""

    def __init__(self, visits: VisitService, actor: Actor):
        self.visits = visits
        self.actor = actor
        self.visit_id: str = actor.visit_id or ""
        self.flow: KioskFlow | None = None


class KioskController:
    """One patient's visit at the kiosk, from opening by code to the last signature.

    ``languages``: the codes the kiosk can speak (a saved visit in another falls back to the
    first). The window calls it from a worker thread, one call at a time; every call that
    changes the visit holds ``lock``, so one made meanwhile from the GUI thread waits. Service refusals reach the caller as ``ViewState.errors``, coded texts
    (``ServiceError.said``) the window words by their codes; a ``ServiceError`` is only raised
    where there is no visit to show it on.
    """

    def __init__(self, ctx: AppContext | None = None, languages: tuple[str, ...] | None = None):
        self.ctx = ctx
        languages = languages or i18n.codes()
        self.languages = languages
        self.lang = languages[0]
        self.lang_chosen = False  # the patient chose it: a saved visit's language does not win
        self.visit: ActiveVisit | None = None
        self._scratch: dict[str, dict[str, Any]] = {}
        # Held by every call that changes the visit (see ``one_at_a_time``).
        self.lock = threading.RLock()

    # --- state -----------------------------------------------------------------------------------

    @property
    def flow(self) -> KioskFlow | None:
        return self.visit.flow if self.visit is not None else None

    @property
    def visit_id(self) -> str:
        return self.visit.visit_id if self.visit is not None else ""

    def _context(self) -> AppContext:
        if self.ctx is None:
            raise RuntimeError("the kiosk has no context yet")
        return self.ctx

    def _require_flow(self) -> tuple[ActiveVisit, KioskFlow]:
        visit = self.visit
        if visit is None or visit.flow is None:
            raise RuntimeError("no visit is under way")
        return visit, visit.flow

    def has_flow(self) -> bool:
        return self.flow is not None

    def submitted(self) -> bool:
        flow = self.flow
        return flow is not None and (
            flow.current.kind == "done" or flow.signed >= set(flow.signers())
        )

    # --- opening and closing ---------------------------------------------------------------------

    @one_at_a_time
    def open_by_code(self, dob: dt.date, code: str) -> ViewState:
        """Welcome's date of birth and code; refusals stay on Welcome."""
        from intake.services.errors import Locked
        from intake.services.visits import VisitService

        visits = VisitService(self._context())
        try:
            actor = visits.open_by_code(dob, code)
        except Locked as exc:
            # The service counts wrong codes for this date of birth over every station; the
            # kiosk only says so. Another patient may still start here with their own details.
            return ViewState(
                Screen.WELCOME, errors={"_": exc.said}, problem=problem_of(exc), refused=True
            )
        except ServiceError as exc:
            return ViewState(Screen.WELCOME, errors={"_": exc.said}, problem=problem_of(exc))
        self.visit = ActiveVisit(visits, actor)
        try:
            draft = visits.draft(actor, self.visit.visit_id)
        except ServiceError as exc:
            self.visit = None
            return ViewState(Screen.WELCOME, errors={"_": exc.said}, problem=problem_of(exc))
        if draft.page not in ("", "welcome"):
            # A visit already under way (a restart, or the screen cleared itself): staff confirm.
            return ViewState(Screen.RESUME)
        return self._enter(draft, resume=False)

    @one_at_a_time
    def begin(self, actor: Actor) -> ViewState:
        """The visit the front desk handed to this station (``VisitService.hand_over``)."""
        from intake.services.visits import VisitService

        visits = VisitService(self._context())
        self.visit = ActiveVisit(visits, actor)
        draft = visits.draft(actor, self.visit.visit_id)
        return self._enter(draft, resume=draft.page not in ("", "welcome"))

    @one_at_a_time
    def confirm_resume(self) -> ViewState:
        """Staff confirmed, on the resume page, that this patient goes on with their visit."""
        visit = self.visit
        if visit is None:
            return ViewState(Screen.WELCOME)
        try:
            draft = visit.visits.draft(visit.actor, visit.visit_id)
        except ServiceError as exc:
            return ViewState(Screen.RESUME, errors={"_": exc.said}, problem=problem_of(exc))
        return self._enter(draft, resume=True)

    def _enter(self, draft: VisitDraft, *, resume: bool) -> ViewState:
        from intake.domain.wizard import Guardian, KioskFlow

        visit = self.visit
        assert visit is not None
        default = self.languages[0]
        lang = (
            self.lang
            if self.lang_chosen
            else (draft.lang if draft.lang in self.languages else default)
        )
        flow = KioskFlow.from_saved(
            self._context().forms.for_visit(draft.kind),
            draft.visit_date,
            answers=draft.answers,
            acknowledged=draft.acknowledged.keys(),
            phq9_done=draft.phq9_done,
            needs_staff=bool(draft.needs_staff) and draft.needs_staff != "identity",
            identity_hold=draft.needs_staff == "identity",
            quiz_passed=draft.quiz_passed,
            signed=draft.signed_roles,
            lang=lang,
            quiz_open=draft.quiz_open,
            reacknowledge=draft.reacknowledge,
            guardian=Guardian(*draft.guardian) if draft.guardian else None,
            reconsent=draft.reconsent,
            checkin_month=(draft.course_month or 1) if draft.kind == "checkin" else None,
            notice=draft.notice,
        )
        visit.flow = flow
        if lang != draft.lang:
            self._save_language(lang)
        changed = lang != self.lang
        self.lang = lang
        if resume:
            flow.resume(draft.page)
        else:
            flow.start()
        return self._arrive(opened=visit.visit_id, language_changed=changed)

    @one_at_a_time
    def release(self, reason: str) -> None:
        """Let the visit go (``reason``: "idle", "closed", "cleared"); the board then says the
        patient left the kiosk. A submitted visit has nothing left to let go."""
        visit, self.visit = self.visit, None
        if visit is None or not visit.visit_id:
            return
        flow = visit.flow
        if flow is not None and (flow.current.kind == "done" or flow.signed >= set(flow.signers())):
            return
        try:
            visit.visits.release_kiosk(visit.actor, visit.visit_id, reason)
        except ServiceError as exc:
            # The screen clears whatever happens; the board then still says "at the kiosk".
            log.info("kiosk release not recorded: %s", type(exc).__name__)

    @one_at_a_time
    def reset(self, reason: str = "cleared") -> None:
        """Forget the patient: the visit released, what was typed dropped, the language reset
        (also when the release could not be recorded)."""
        try:
            self.release(reason)
        finally:
            self._scratch.clear()
            self.lang = self.languages[0]
            self.lang_chosen = False

    # --- language --------------------------------------------------------------------------------

    @one_at_a_time
    def choose_language(self, lang: str) -> bool:
        """The patient chose a language; True when it changed (the page is drawn again)."""
        if lang not in self.languages:
            return False
        self.lang_chosen = True
        if lang == self.lang:
            return False
        self.lang = lang
        flow = self.flow
        if flow is not None:
            flow.set_language(lang)
            if not flow.signed:
                self._save_language(lang)
        return True

    def _save_language(self, lang: str) -> None:
        visit = self.visit
        assert visit is not None
        try:
            visit.visits.set_language(visit.actor, visit.visit_id, lang)
        except ServiceError as exc:
            log.info("language not saved: %s", type(exc).__name__)

    # --- moving ----------------------------------------------------------------------------------

    def nav(self, page_complete: bool) -> NavState | None:
        """The navigation bar for the current step (``page_complete``: what the page says of
        what is typed on it); None when the step has none."""
        flow = self.flow
        if flow is None or flow.current.kind in NO_NAV:
            return None
        step = flow.current
        label, forward = "next", page_complete
        if step.kind == "topic":
            forward = flow.can_go_next()
        elif step.kind == "quiz":
            if flow.quiz_detour_pending():
                label, forward = "read_again", True
            elif not flow.quiz_answered(step.key):
                label = "check_answer"
        elif step.kind == "review":
            label, forward = "go_to_signing", True
        elif step.kind == "sign":
            label = "sign"
        position, total = flow.progress()
        return NavState(flow.can_go_back(), forward, label, position, total, flow.place())

    @one_at_a_time
    def back(self, snapshot: Mapping[str, Any]) -> ViewState | None:
        """Back, keeping what was typed on the page left (``snapshot``); None if not allowed."""
        flow = self.flow
        if flow is None or not flow.can_go_back():
            return None
        self._scratch[flow.current.id] = dict(snapshot)
        flow.back()
        return self._arrive()

    @one_at_a_time
    def submit(self, payload: Payload) -> ViewState:
        """Next: save what the page holds; on to the next step, or stay and say why."""
        visit, flow = self._require_flow()
        step = flow.current
        try:
            stay, submitted = self._commit(visit, flow, step, payload)
        except InvalidInput as exc:
            return ViewState(step=step, errors=dict(exc.errors))
        except ServiceError as exc:
            return ViewState(step=step, errors={"_": exc.said}, problem=problem_of(exc))
        if stay is not None:
            return stay
        self._scratch.pop(step.id, None)
        flow.next()
        return self._arrive(submitted=visit.visit_id if submitted else "")

    def _commit(
        self, visit: ActiveVisit, flow: KioskFlow, step: Step, payload: Payload
    ) -> tuple[ViewState | None, bool]:
        """Save the payload through the services: (a ViewState to stay on the page, or None to
        go on; whether this submitted the visit)."""
        if isinstance(payload, PageProblems):
            return ViewState(step=step, errors=dict(payload.errors)), False
        if step.kind == "sign" and isinstance(payload, SignatureGiven):
            guardian = flow.guardian if step.key == "guardian" else None
            signed = visit.visits.sign(
                visit.actor,
                visit.visit_id,
                step.key,
                payload.printed_name,
                [list(stroke) for stroke in payload.strokes],
                payload.width,
                payload.height,
                relationship=guardian.relationship if guardian is not None else "",
                method=payload.method,
            )
            flow.record_signature(step.key)
            return None, signed.submitted
        return self._save(visit, flow, step, payload), False

    def _save(
        self, visit: ActiveVisit, flow: KioskFlow, step: Step, payload: Payload
    ) -> ViewState | None:
        actor, vid, visits = visit.actor, visit.visit_id, visit.visits
        stay = ViewState(step=step)
        if step.kind == "intake" and isinstance(payload, IntakeAnswers):
            values = visits.save_page(actor, vid, step.key, payload.raw)
            flow.record_answers(step.key, values)
            if {q.id for q in flow.page(step.key).questions} & IDENTITY_QUESTIONS:
                # A name typed differently from the record waits for staff to check it.
                flow.set_identity_hold(visits.staff_reason(actor, vid) == "identity")
            return None
        if step.kind == "phq9" and isinstance(payload, MoodAnswers):
            if flow.phq9_unchanged(payload.answers, payload.difficulty):
                return None  # back here and on again, unchanged: no second save, no new alert
            alert = visits.save_phq9(actor, vid, list(payload.answers), payload.difficulty)
            flow.record_phq9(alert, payload.answers, payload.difficulty)
            return None
        if step.kind == "guardian" and isinstance(payload, GuardianDetails):
            named = payload.guardian
            # Kept with the draft: a restart does not ask the guardian for their name again.
            visits.save_guardian(actor, vid, named.first_name, named.last_name, named.relationship)
            flow.set_guardian(named)
            return None
        if step.kind == "quiz" and isinstance(payload, QuizChoice):
            if flow.quiz_detour_pending():
                return None
            if payload.choice is None:
                return stay
            question = flow.quiz_question(step.key)
            if flow.quiz_answered(step.key) and payload.choice == question.answer:
                return None
            outcome = visits.answer_quiz(actor, vid, step.key, payload.choice)
            flow.record_quiz(step.key, outcome.correct, outcome.retest_statements)
            return None if outcome.correct else ViewState(step=step, quiz_wrong=True)
        if step.kind == "notice":
            visits.notice_shown(actor, vid)  # read: the audit trail says so
            return None
        if step.kind == "review" and isinstance(payload, ReviewRead):
            return self._review_complete(visit, flow)
        return None if flow.can_go_next() else stay

    def _review_complete(self, visit: ActiveVisit, flow: KioskFlow) -> ViewState | None:
        """Ask storage whether everything before signing is there; if not, go and finish it."""
        from intake.domain.wizard import Step
        from intake.services.completeness import MissingKind

        missing = visit.visits.completeness(visit.actor, visit.visit_id).before_signing()
        if not missing:
            return None
        for item in missing:
            if item.kind is MissingKind.QUIZ:
                # The quiz results behind a resumed visit are not known here: every statement
                # the quiz tests is initialled again, which satisfies the retest rule.
                flow.require_reacknowledgement(
                    {sid for q in flow.quiz_questions() for sid in q.tests}
                )
            elif item.kind is MissingKind.ACKNOWLEDGEMENT:
                flow.withdraw_acknowledgement(item.id, item.role)
        target = flow.first_pending_topic()
        if target is None:
            return ViewState(
                step=flow.current, notice=Notice("review_missing", missing=tuple(missing))
            )
        # The patient is taken to the first topic to initial again; the review's own notice
        # ("review_gap") would be drawn on a page that is left at once, so none is shown.
        flow.go_to(target, return_to=Step("review"))
        return self._arrive()

    @one_at_a_time
    def acknowledge(self, initials: Initials) -> ViewState:
        """Initials beside one statement: saved at once; the page marks them or says why not."""
        visit, flow = self._require_flow()
        step = flow.current
        guardian = (
            (flow.guardian.first_name, flow.guardian.last_name)
            if initials.role == SignerRole.GUARDIAN and flow.guardian is not None
            else None
        )
        try:
            clean = visit.visits.acknowledge(
                visit.actor,
                visit.visit_id,
                initials.statement_id,
                initials.role,
                initials.initials,
                page_seconds=initials.page_seconds,
                guardian_name=guardian,
                read_aloud=initials.read_aloud,
            )
        except InvalidInput as exc:
            return ViewState(step=step, errors={"initials": _first(exc.errors)})
        except ServiceError as exc:
            return ViewState(step=step, errors={"initials": exc.said}, problem=problem_of(exc))
        flow.record_acknowledgement(initials.statement_id, initials.role)
        return ViewState(step=step, accepted=Accepted(initials.statement_id, initials.role, clean))

    # --- staff -----------------------------------------------------------------------------------

    @one_at_a_time
    def dispute_date_of_birth(self, snapshot: Mapping[str, Any]) -> ViewState:
        """ "This is not my date of birth": the visit waits for staff to check the record."""
        visit, flow = self._require_flow()
        try:
            visit.visits.dispute_date_of_birth(visit.actor, visit.visit_id)
        except ServiceError as exc:
            return ViewState(step=flow.current, errors={"_": exc.said}, problem=problem_of(exc))
        self._scratch[flow.current.id] = dict(snapshot)
        flow.hold_for_identity()
        return self._arrive()

    @one_at_a_time
    def staff_continue(self, info: object) -> ViewState:
        """Staff signed in on the help page or the identity check (``info``: who they are)."""
        from intake.services.staff import staff_actor

        visit, flow = self._require_flow()
        staff = staff_actor(info)  # type: ignore[arg-type]
        if flow.current.kind == "staff_check":
            return self._identity_checked(visit, flow, staff)
        try:
            visit.visits.staff_continue(staff, visit.visit_id)
        except InvalidInput as exc:
            if "note" in exc.errors:  # a positive mood screen: released with a note
                return ViewState(step=flow.current, release_note_by=staff)
            return ViewState(step=flow.current, errors={"_": _first(exc.errors)})
        except ServiceError as exc:
            return ViewState(step=flow.current, errors={"_": exc.said}, problem=problem_of(exc))
        return self.released()

    def _identity_checked(self, visit: ActiveVisit, flow: KioskFlow, staff: Actor) -> ViewState:
        from intake.domain.identity import IDENTITY_FIELDS

        try:
            visit.visits.staff_continue(staff, visit.visit_id)
            draft = visit.visits.draft(visit.actor, visit.visit_id)
        except InvalidInput as exc:
            return ViewState(step=flow.current, errors=dict(exc.errors))
        except ServiceError as exc:
            return ViewState(step=flow.current, errors={"_": exc.said}, problem=problem_of(exc))
        record = {k: draft.answers[k] for k in IDENTITY_FIELDS if k in draft.answers}
        flow.identity_checked(record)
        return self._arrive()

    @one_at_a_time
    def released(self) -> ViewState:
        """Staff let the visit go on (the help page's pause is over)."""
        visit, flow = self._require_flow()
        flow.staff_attended()
        if flow.current.kind == "help_now":
            flow.next()
        return self._arrive()

    # --- documents -------------------------------------------------------------------------------

    def document_job(self) -> Callable[[], tuple[Any, str]]:
        """Issuing the documents, to run off the GUI thread: (documents or None, problem)."""
        visit, ctx = self.visit, self._context()
        assert visit is not None
        actor, vid = visit.actor, visit.visit_id

        def work() -> tuple[Any, str]:
            try:
                from intake.services.documents import DocumentService
            except ImportError as exc:
                return None, f"documents are not available: {exc}"
            try:
                return DocumentService(ctx).issue_documents(actor, vid), ""
            except ServiceError as exc:
                return None, exc.said

        return work

    # --- arriving --------------------------------------------------------------------------------

    def _arrive(self, **extra: Any) -> ViewState:
        """A new page for the flow's current step, with what was typed there before."""
        visit, flow = self._require_flow()
        step = flow.current
        restore = self._scratch.pop(step.id, None) or {}
        if step.kind != "done" and not flow.signed:
            try:
                visit.visits.set_page(visit.actor, visit.visit_id, step.id)
            except ServiceError as exc:
                log.info("page not recorded: %s", type(exc).__name__)
        return ViewState(step=step, redraw=True, restore=restore, **extra)
