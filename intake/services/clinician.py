"""The dermatologist's work: review, confirm pregnancy status, labs, tests, the monthly course."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from intake.domain import checkin as checkin_rules
from intake.domain import completion as completion_rules
from intake.domain import course as course_rules
from intake.domain import rules as programme_rules
from intake.domain.errors import Coded, ValidationError
from intake.domain.kinds import VisitKind, VisitStatus
from intake.domain.names import titled
from intake.domain.records import ConsentRecord
from intake.domain.validation import free_text, parse_date, weight_kg
from intake.forms.model import ProgrammeForm, RuleSet, Text
from intake.services import integrity, row_digests
from intake.services.base import Service, require_role
from intake.services.context import Actor
from intake.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    RecordMismatch,
    ServiceError,
)
from intake.services.records import build_record, clinician_override
from intake.services.row_digests import detail_for
from intake.services.visits import stored_status
from intake.store.models import (
    Acknowledgement,
    Answer,
    CourseCompletion,
    Document,
    FollowUp,
    LabResult,
    Patient,
    PregnancyStatus,
    PregnancyTest,
    QuizAnswer,
    StaffUser,
    Visit,
)

# A course runs under the latest signed consent, and only a consent the dermatologist has
# countersigned started one: its end is not recorded before that.
NOT_COUNTERSIGNED = (
    "This patient's consent is not countersigned yet: countersign it before recording the end"
    " of the course."
)
CLINICAL = ("clinician", "admin")


@dataclass(frozen=True)
class AckRow:
    statement_id: str
    by: str
    initials: str
    at: dt.datetime
    page_seconds: float
    read_aloud: bool = False  # the kiosk read the statement aloud to the person


@dataclass(frozen=True)
class QuizRow:
    question_id: str
    attempt: int
    chosen: str
    correct: bool
    at: dt.datetime


@dataclass(frozen=True)
class DocumentRow:
    id: str
    kind: str
    issue: int
    lang: str
    sha256: str
    created_at: dt.datetime
    supersedes_id: str | None
    size: int


@dataclass(frozen=True)
class LabRow:
    id: int
    test: str
    value: float
    unit: str
    taken_on: dt.date
    course_month: int
    flag: str  # "", "low", "high" or "critical" (above the clinic's critical threshold)


@dataclass(frozen=True)
class PregnancyTestRow:
    id: int
    taken_on: dt.date
    result: str
    course_month: int
    collect_by: dt.date | None


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    month: int
    seen_on: dt.date
    weight_kg: float
    daily_dose_mg: float
    side_effects: tuple[str, ...]
    mood_score: int | None
    sexual_function: str
    contraception: tuple[str, ...]
    notes: str
    version: int


@dataclass(frozen=True)
class Review:
    record: ConsentRecord
    status: VisitStatus
    acknowledgements: tuple[AckRow, ...]
    quiz: tuple[QuizRow, ...]
    documents: tuple[DocumentRow, ...]
    pregnancy_confirmed: bool | None  # None: not yet confirmed by a clinician
    pregnancy_confirmation: PregnancyConfirmation | None = None
    # What the prescriber confirms, each on its own, with the countersignature under the visit's
    # programme rule set: (id, English text). The countersignature records the English text by id.
    attestations: tuple[tuple[str, str], ...] = ()
    # Each attestation's text in every language (same order), for the screen to show.
    attestation_texts: tuple[Text, ...] = ()


@dataclass(frozen=True)
class PregnancyConfirmation:
    can_become_pregnant: bool
    at: dt.datetime
    by: str  # the clinician's name
    reason: str


@dataclass(frozen=True)
class CompletionRow:
    """A course's recorded end, its aftercare dates and where the post-course test stands."""

    id: int
    consent_visit_id: str
    completed_on: dt.date
    mg_per_kg: float
    reason: completion_rules.StopReason
    reason_text: str
    aftercare: completion_rules.Aftercare
    at: dt.datetime
    by: str  # the clinician's name
    # "" (not needed), "due", "overdue", then the result: "negative" or "positive".
    post_course_test: str = ""

    @property
    def stopped_early(self) -> bool:
        return self.reason.early


@dataclass(frozen=True)
class CourseView:
    patient_id: int
    can_become_pregnant: bool
    labs: tuple[LabRow, ...]
    pregnancy_tests: tuple[PregnancyTestRow, ...]
    follow_ups: tuple[FollowUpRow, ...]
    dose: course_rules.DoseSummary
    collect_by: dt.date | None  # the current prescription window, where pregnancy is possible
    on_hold_since: dt.date | None = None  # a positive pregnancy test stops the course
    completion: CompletionRow | None = None  # the course's recorded end, once there is one
    # The latest signed check-in of the course, as the follow-up form starts from it.
    checkin: checkin_rules.FollowUpPrefill | None = None
    # The programme rule set in force today for this patient, and what it asks:
    ruleset_id: str = ""
    # days from a negative test to pick up the prescription (where pregnancy is possible);
    collect_within_days: int = 7
    # after the window of the latest negative test passed, the first day a new test may open
    # a new window (None while the window is open, or when there is none);
    next_test_on: dt.date | None = None
    # whether this month's counselling is documented (a patient who cannot get pregnant is
    # counselled at enrolment only under some rule sets, e.g. US iPLEDGE from 8 August 2026).
    monthly_counselling: bool = True


class ClinicianService(Service):
    def review(self, actor: Actor, visit_id: str) -> Review:
        require_role(actor, *CLINICAL)
        with self.write() as s:  # writes: the view itself is audited
            visit = s.get(Visit, visit_id)
            if visit is None:
                raise NotFound("No such visit.", code="visit_not_found")
            record = build_record(s, self.ctx.forms, visit_id)
            acks = tuple(
                AckRow(a.statement_id, a.by_role, a.initials, a.at, a.page_seconds, a.read_aloud)
                for a in s.scalars(
                    select(Acknowledgement)
                    .where(Acknowledgement.visit_id == visit_id)
                    .order_by(Acknowledgement.at, Acknowledgement.id)
                )
            )
            quiz = tuple(
                QuizRow(q.question_id, q.attempt, q.chosen, q.correct, q.at)
                for q in s.scalars(
                    select(QuizAnswer)
                    .where(QuizAnswer.visit_id == visit_id)
                    .order_by(QuizAnswer.at, QuizAnswer.id)
                )
            )
            from intake.services.documents import _stamped

            rows = list(
                s.scalars(
                    select(Document)
                    .where(Document.visit_id == visit_id)
                    .order_by(Document.kind, Document.issue)
                )
            )
            # A document timestamped after sealing shows its current file's hash and size.
            stamped = _stamped(s, [d.id for d in rows])
            docs = tuple(_doc_row(d, stamped.get(d.id)) for d in rows)
            confirmed = clinician_override(s, visit.patient_id)
            detail = self._confirmation(s, visit.patient_id)
            self.audit(s, actor, "view", "visit", visit_id, {"what": "review"})
            asked = self.ctx.forms.programme.ruleset(record.ruleset_id).prescriber_attestations
            attestations = tuple((a.id, a.text.get("en")) for a in asked)
            texts = tuple(a.text for a in asked)
            return Review(
                record,
                stored_status(visit),
                acks,
                quiz,
                docs,
                confirmed,
                detail,
                attestations,
                texts,
            )

    @staticmethod
    def _confirmation(s: Any, patient_id: int) -> PregnancyConfirmation | None:
        latest = s.scalars(
            select(PregnancyStatus)
            .where(PregnancyStatus.patient_id == patient_id)
            .order_by(PregnancyStatus.at.desc(), PregnancyStatus.id.desc())
            .limit(1)
        ).first()
        if latest is None:
            return None
        name = latest.actor
        if latest.actor.startswith("staff:"):
            user = s.get(StaffUser, int(latest.actor.split(":", 1)[1]))
            name = user.display_name if user else latest.actor
        return PregnancyConfirmation(latest.can_become_pregnant, latest.at, name, latest.reason)

    def confirm_pregnancy_status(
        self, actor: Actor, patient_id: int, can_become_pregnant: bool, reason: str = ""
    ) -> None:
        """The clinician confirms or corrects the patient's answer; kept as an audited, dated entry."""
        require_role(actor, *CLINICAL)
        errors: dict[str, str] = {}
        why = _collect(errors, lambda: free_text(reason, "reason"), "reason")
        if errors:
            raise InvalidInput(errors)
        with self.write() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFound("No such patient.", code="patient_not_found")
            status = PregnancyStatus(
                patient_id=patient_id,
                can_become_pregnant=can_become_pregnant,
                reason=why[:200],
                at=self.ctx.now(),
                actor=actor.id,
                station=self.ctx.station,
            )
            s.add(status)
            s.flush()
            self.audit(
                s,
                actor,
                "confirm",
                "pregnancy_status",
                patient_id,
                detail_for(status, can_become_pregnant=can_become_pregnant),
            )

    def record_lab(
        self,
        actor: Actor,
        patient_id: int,
        test: str,
        value: Any,
        taken_on: Any,
        course_month: int = 0,
    ) -> LabRow:
        """One result: a panel of one test (errors are keyed "value", as for a single field)."""
        if test not in {lab.id for lab in self.ctx.forms.clinic.labs}:
            raise InvalidInput({"test": Coded("Unknown test.", "test_unknown")})
        try:
            (row,) = self.record_lab_panel(actor, patient_id, {test: value}, taken_on, course_month)
        except InvalidInput as exc:
            keyed = {("value" if k in (test, "panel") else k): v for k, v in exc.errors.items()}
            raise InvalidInput(keyed) from None
        return row

    def record_lab_panel(
        self,
        actor: Actor,
        patient_id: int,
        values: Mapping[str, Any],
        taken_on: Any,
        course_month: int = 0,
    ) -> list[LabRow]:
        """One blood draw: every test of the panel given, in one save; blank tests are skipped.

        Errors are keyed by test id (and "taken_on", "course_month", "panel"); nothing is
        recorded unless every given value is right.
        """
        require_role(actor, *CLINICAL)
        errors: dict[str, str] = {}
        labs = {lab.id: lab for lab in self.ctx.forms.clinic.labs}
        unknown = [t for t in values if t not in labs]
        if unknown:
            raise InvalidInput({"test": Coded("Unknown test.", "test_unknown")})
        given = {t: v for t, v in values.items() if str(v if v is not None else "").strip()}
        numbers: dict[str, float] = {}
        for test, raw in given.items():
            try:
                numbers[test] = course_rules.lab_value(raw, test)
            except ValidationError as exc:
                errors[test] = exc.message
        if not given:
            errors["panel"] = Coded("Enter at least one result.", "results_missing")
        day = _collect(errors, lambda: self._past_date(taken_on, "taken_on"), "taken_on")
        if not 0 <= course_month <= 12:
            errors["course_month"] = Coded("Month must be 0 (baseline) to 12.", "lab_month")
        if errors:
            raise InvalidInput(errors)
        out: list[LabRow] = []
        with self.write() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFound("No such patient.", code="patient_not_found")
            for test in labs:  # the clinic profile's order
                if test not in numbers:
                    continue
                lab, number = labs[test], numbers[test]
                row = LabResult(
                    patient_id=patient_id,
                    test=test,
                    value=number,
                    unit=lab.unit,
                    taken_on=day,
                    course_month=course_month,
                    at=self.ctx.now(),
                    actor=actor.id,
                    station=self.ctx.station,
                )
                s.add(row)
                s.flush()
                self.audit(
                    s, actor, "create", "lab_result", row.id,
                    detail_for(row, test=test, month=course_month),
                )  # fmt: skip
                out.append(
                    LabRow(
                        row.id,
                        test,
                        number,
                        lab.unit,
                        day,
                        course_month,
                        course_rules.out_of_range(number, lab.low, lab.high, lab.critical_high),
                    )
                )
        return out

    def record_pregnancy_test(
        self,
        actor: Actor,
        patient_id: int,
        taken_on: Any,
        result: str,
        course_month: int = 0,
        *,
        at_home: bool = False,
    ) -> PregnancyTestRow:
        """A pregnancy test's date and result. ``at_home``: the patient did it outside a medical
        setting, which the programme rules in force on its date may accept during and after
        treatment, never before the first dose (``HomeTestRefused``)."""
        require_role(actor, *CLINICAL)
        errors: dict[str, str] = {}
        if result not in ("negative", "positive"):
            errors["result"] = Coded("Choose negative or positive.", "test_result_choose")
        try:
            day = self._past_date(taken_on, "taken_on")
        except ValidationError as exc:
            errors["taken_on"] = exc.message
        if errors:  # every problem at once, nothing recorded
            raise InvalidInput(errors)
        with self.write(durable=True) as s:
            if s.get(Patient, patient_id) is None:
                raise NotFound("No such patient.", code="patient_not_found")
            ruleset = self._rules_on(day, _consent_visit(s, patient_id))
            if at_home:
                before = course_month == 0 or not _dosed_by(s, patient_id, day)
                if not programme_rules.home_pregnancy_test_allowed(ruleset, before_start=before):
                    raise HomeTestRefused(ruleset, day, before_start=before)
            row = PregnancyTest(
                patient_id=patient_id,
                taken_on=day,
                result=result,
                course_month=course_month,
                at=self.ctx.now(),
                actor=actor.id,
                station=self.ctx.station,
            )
            s.add(row)
            s.flush()
            detail = detail_for(row, month=course_month)
            if at_home:
                detail["setting"] = "home"  # kept with the event: the row has no column for it
            self.audit(s, actor, "create", "pregnancy_test", row.id, detail)
            return _ptest_row(row, ruleset)

    def record_follow_up(
        self,
        actor: Actor,
        patient_id: int,
        month: int,
        *,
        seen_on: Any,
        weight: Any,
        weight_unit: str = "kg",
        daily_dose_mg: Any,
        side_effects: Sequence[str] = (),
        mood_score: int | None = None,
        sexual_function: str = "",
        contraception: Sequence[str] = (),
        notes: str = "",
        expected_version: int | None = None,
    ) -> FollowUpRow:
        """Create or update a month's follow-up; an update names the version it was read at."""
        require_role(actor, *CLINICAL)
        errors: dict[str, str] = {}
        if not 1 <= month <= 12:
            errors["month"] = Coded("Month must be 1 to 12.", "follow_up_month")
        day = _collect(errors, lambda: self._past_date(seen_on, "seen_on"), "seen_on")
        stones = self.ctx.forms.clinic.allow_stones
        kg = _collect(errors, lambda: weight_kg(weight, weight_unit, "weight", stones), "weight")
        dose = _collect(errors, lambda: course_rules.dose_value(daily_dose_mg), "daily_dose_mg")
        bad = [e for e in side_effects if e not in course_rules.SIDE_EFFECTS]
        if bad:
            errors["side_effects"] = Coded("Unknown side effect.", "side_effect_unknown")
        if mood_score is not None and not 0 <= mood_score <= 27:
            errors["mood_score"] = Coded("PHQ-9 score is 0 to 27.", "phq9_score")
        sexual = _collect(
            errors, lambda: free_text(sexual_function, "sexual_function"), "sexual_function"
        )
        note = _collect(errors, lambda: free_text(notes, "notes"), "notes")
        if errors:
            raise InvalidInput(errors)
        with self.write() as s:
            if s.get(Patient, patient_id) is None:
                raise NotFound("No such patient.", code="patient_not_found")
            held = course_rules.pregnancy_hold(_pregnancy_tests(s, patient_id))
            if held is not None and dose:
                raise InvalidInput(
                    {
                        "daily_dose_mg": Coded(
                            f"The course is on hold after a positive pregnancy test"
                            f" on {held.isoformat()}: record 0 mg, or first record a negative"
                            " test taken on a later day.",
                            "pregnancy_hold_dose",
                            date=held.isoformat(),
                        )
                    }
                )
            row = s.scalars(
                select(FollowUp).where(FollowUp.patient_id == patient_id, FollowUp.month == month)
            ).first()
            now = self.ctx.now()
            if row is None:
                if expected_version is not None:
                    raise Conflict(
                        "This follow-up was removed elsewhere; please reload.",
                        code="follow_up_removed",
                    )
                row = FollowUp(
                    patient_id=patient_id,
                    month=month,
                    at=now,
                    actor=actor.id,
                    station=self.ctx.station,
                    side_effects=[],
                    contraception=[],
                )
                s.add(row)
                action = "create"
            else:
                if problem := row_digests.entry_problem(s, row):
                    # Writing over it would record the tampered row as this clinician's.
                    raise RecordMismatch(
                        f"{integrity.ENTRIES_MISMATCH_MESSAGE} (follow-up: {problem})",
                        code="follow_up_mismatch",
                        problem=problem,
                    )
                if expected_version is None or row.version != expected_version:
                    raise Conflict(
                        "This month's follow-up was changed at another station. It has been reloaded; please check it and try again.",
                        code="follow_up_changed",
                    )
                action = "update"
            row.seen_on, row.weight_kg, row.daily_dose_mg = day, kg, dose
            row.side_effects, row.mood_score = list(side_effects), mood_score
            row.sexual_function = sexual[:200]
            row.contraception, row.notes = list(contraception), note
            row.at, row.actor, row.station = now, actor.id, self.ctx.station
            s.flush()
            self.audit(s, actor, action, "follow_up", row.id, detail_for(row, month=month))
            return _fu_row(row)

    def course(self, actor: Actor, patient_id: int) -> CourseView:
        require_role(actor, *CLINICAL)
        with self.read() as s:
            patient = s.get(Patient, patient_id)
            if patient is None:
                raise NotFound("No such patient.", code="patient_not_found")
            labs = []
            for r in s.scalars(
                select(LabResult)
                .where(LabResult.patient_id == patient_id)
                .order_by(LabResult.taken_on, LabResult.id)
            ):
                try:
                    lab = self.ctx.forms.clinic.lab(r.test)
                    flag = course_rules.out_of_range(r.value, lab.low, lab.high, lab.critical_high)
                except KeyError:
                    flag = ""
                labs.append(LabRow(r.id, r.test, r.value, r.unit, r.taken_on, r.course_month, flag))
            latest_visit = _consent_visit(s, patient_id)
            can = self._can_become_pregnant(s, patient, latest_visit)
            tests = [
                _ptest_row(t, self._rules_on(t.taken_on, latest_visit))
                for t in s.scalars(
                    select(PregnancyTest)
                    .where(PregnancyTest.patient_id == patient_id)
                    .order_by(PregnancyTest.taken_on, PregnancyTest.id)
                )
            ]
            fus = [
                _fu_row(f)
                for f in s.scalars(
                    select(FollowUp)
                    .where(FollowUp.patient_id == patient_id)
                    .order_by(FollowUp.month)
                )
            ]
            prefill = _checkin_prefill(s, latest_visit) if latest_visit is not None else None
            today = self.ctx.today()
            now_rules = self._rules_on(today, latest_visit)
            seen = fus[-1].seen_on if fus else None
            seen_rules = self._rules_on(seen, latest_visit) if seen is not None else now_rules
            jurisdiction = now_rules.jurisdiction or None
            last_test = max((t.taken_on for t in tests), default=None)
            test_rules = (
                self._rules_on(last_test, latest_visit) if last_test is not None else now_rules
            )
            done = current_completion(s, patient_id)
            completed = (
                self._completion_row(done, [(t.taken_on, t.result) for t in tests], s)
                if done is not None
                else None
            )
        dose = course_rules.dose_summary(
            [
                course_rules.MonthDose(
                    f.month, f.weight_kg, f.daily_dose_mg, self.ctx.forms.clinic.visit_interval_days
                )
                for f in fus
            ],
            self.ctx.forms.clinic.target_mg_per_kg,
        )
        # The window runs from the latest test only: after a positive one there is no window,
        # and the course is on hold until a negative test taken on a later day.
        latest = max(tests, key=lambda t: (t.taken_on, t.id)) if tests else None
        hold = course_rules.pregnancy_hold([(t.taken_on, t.result) for t in tests])
        window = (
            latest.collect_by
            if (can and hold is None and latest is not None and latest.result == "negative")
            else None
        )
        if not can and seen is not None:
            # A patient who cannot get pregnant picks up within the rule set's days of the visit,
            # where the rule set in force on the visit's day has such a window.
            window = programme_rules.prescription_collect_by(seen_rules, False, visit_on=seen)
        retest: dt.date | None = None
        if window is not None and can and latest is not None and window < today:
            retest = _next_test_after_missed(
                self.ctx.forms.programme, jurisdiction, latest.taken_on, window
            )
        if completed is not None:
            window = retest = None  # no prescription after the last dose
        return CourseView(
            patient_id,
            can,
            tuple(labs),
            tuple(tests),
            tuple(fus),
            dose,
            window,
            hold,
            completed,
            prefill,
            now_rules.id,
            int(test_rules.numbers.get("collect_within_days_of_negative_test", 7)),
            retest,
            programme_rules.monthly_counselling_documented(now_rules, can),
        )

    def record_completion(
        self,
        actor: Actor,
        patient_id: int,
        completed_on: Any,
        reason: str = completion_rules.StopReason.COMPLETED,
        reason_text: str = "",
        mg_per_kg: Any = None,
    ) -> CompletionRow:
        """The clinician records the end of the patient's course (the day of the last dose) and
        the aftercare dates follow from the programme rule set in force that day.

        ``mg_per_kg``: the cumulative dose reached; by default the one the follow-ups add up to.
        Refused for a patient with no signed consent, for a consent the dermatologist has not
        countersigned yet, and for a course already completed.
        """
        require_role(actor, "clinician", action="record the end of a course")
        errors: dict[str, str] = {}
        day = _collect(
            errors, lambda: self._past_date(completed_on, "completed_on"), "completed_on"
        )
        note = _collect(errors, lambda: free_text(reason_text, "reason_text"), "reason_text")
        dose: float | None = None
        if mg_per_kg is not None and str(mg_per_kg).strip():
            dose = _collect(
                errors, lambda: course_rules.lab_value(mg_per_kg, "mg_per_kg"), "mg_per_kg"
            )
        if errors:
            raise InvalidInput(errors)
        with self.write(durable=True) as s:
            patient = s.get(Patient, patient_id)
            if patient is None:
                raise NotFound("No such patient.", code="patient_not_found")
            consent = _consent_visit(s, patient_id)
            if consent is None:
                raise Conflict(
                    "This patient has no signed consent: there is no course to complete.",
                    code="no_course_to_complete",
                )
            if consent.status != VisitStatus.COUNTERSIGNED:
                raise Conflict(NOT_COUNTERSIGNED, code="complete_not_countersigned")
            if current_completion(s, patient_id) is not None:
                raise Conflict(
                    "This course's completion is already recorded.", code="completion_recorded"
                )
            if dose is None:
                dose = self._dose(s, patient_id).mg_per_kg
            try:
                done = completion_rules.completion(day, dose, reason, note, consent.visit_date)
            except ValidationError as exc:
                raise InvalidInput({exc.field: exc.message}) from None
            can = self._can_become_pregnant(s, patient, consent)
            programme = self.ctx.forms.programme
            where = programme.ruleset(consent.ruleset_id).jurisdiction or None
            try:
                ruleset = programme.in_force(done.completed_on, where)
            except LookupError:
                ruleset = programme.in_force(done.completed_on)
            clinic = self.ctx.forms.clinic
            open_days = course_rules.OpenDays(
                frozenset(clinic.open_weekdays), frozenset(clinic.closures)
            )
            after = completion_rules.aftercare(done.completed_on, ruleset, can, open_days)
            row = CourseCompletion(
                patient_id=patient_id,
                consent_visit_id=consent.id,
                completed_on=done.completed_on,
                mg_per_kg=done.mg_per_kg,
                reason=str(done.reason),
                reason_text=done.reason_text,
                ruleset_id=ruleset.id,
                can_become_pregnant=can,
                pregnancy_test_due=after.pregnancy_test_due,
                contraception_until=after.contraception_until,
                no_blood_donation_until=after.no_blood_donation_until,
                no_cosmetic_procedures_until=after.no_cosmetic_procedures_until,
                at=self.ctx.now(),
                actor=actor.id,
                station=self.ctx.station,
            )
            s.add(row)
            s.flush()
            self.audit(
                s, actor, "create", "course_completion", row.id,
                detail_for(row, visit=consent.id, reason=row.reason),
            )  # fmt: skip
            return self._completion_row(row, _pregnancy_tests(s, patient_id), s)

    def record_post_course_test(
        self, actor: Actor, patient_id: int, taken_on: Any, result: str, *, at_home: bool = False
    ) -> PregnancyTestRow:
        """The pregnancy test after the course: a pregnancy test entry dated after the last dose.
        One taken before the post-course test's due date is kept, but the test stays due."""
        require_role(actor, *CLINICAL)
        with self.read() as s:
            done = current_completion(s, patient_id)
            last_dose = done.completed_on if done is not None else None
            months = s.scalars(
                select(FollowUp.month)
                .where(FollowUp.patient_id == patient_id)
                .order_by(FollowUp.month.desc())
                .limit(1)
            ).first()
        if last_dose is None:
            raise Conflict("Record the end of the course first.", code="completion_first")
        try:
            day = parse_date(taken_on, "taken_on")
        except ValidationError as exc:
            raise InvalidInput({"taken_on": exc.message}) from None
        if day <= last_dose:
            raise InvalidInput(
                {
                    "taken_on": Coded(
                        "The test after the course is dated after the last dose.",
                        "post_course_test_date",
                    )
                }
            )
        return self.record_pregnancy_test(
            actor, patient_id, day.isoformat(), result, (months or 0) + 1, at_home=at_home
        )

    def _completion_row(
        self, row: CourseCompletion, tests: list[tuple[dt.date, str]], s: Any = None
    ) -> CompletionRow:
        _done, after = completion_facts(row)
        return CompletionRow(
            row.id,
            row.consent_visit_id,
            row.completed_on,
            row.mg_per_kg,
            completion_rules.StopReason(row.reason),
            row.reason_text,
            after,
            row.at,
            _name(s, row.actor) if s is not None else row.actor,
            completion_rules.post_course_test_state(after, tests, self.ctx.today()),
        )

    def _dose(self, s: Any, patient_id: int) -> course_rules.DoseSummary:
        fus = s.scalars(select(FollowUp).where(FollowUp.patient_id == patient_id))
        return course_rules.dose_summary(
            [
                course_rules.MonthDose(
                    f.month, f.weight_kg, f.daily_dose_mg, self.ctx.forms.clinic.visit_interval_days
                )
                for f in fus
            ],
            self.ctx.forms.clinic.target_mg_per_kg,
        )

    def _can_become_pregnant(self, s: Any, patient: Patient, consent: Visit | None) -> bool:
        """The clinician's latest confirmation, else the patient's answer at the consent visit,
        else the sex at birth."""
        override = clinician_override(s, patient.id)
        if override is not None:
            return override
        if consent is not None:
            return build_record(s, self.ctx.forms, consent.id).can_become_pregnant
        return patient.sex_at_birth in ("female", "intersex")

    def _past_date(self, raw: Any, field: str) -> dt.date:
        day = parse_date(raw, field)
        if day > self.ctx.today():
            raise ValidationError(field, "The date cannot be in the future.", code="date_future")
        if day.year < 2000:
            raise ValidationError(field, "Please check the year.", code="date_year")
        return day

    def _rules_on(self, day: dt.date, consent: Visit | None) -> RuleSet:
        """The programme rule set in force on ``day`` for the patient whose consent this is
        (its rule set's jurisdiction; the clinic's by default)."""
        programme = self.ctx.forms.programme
        where = programme.ruleset(consent.ruleset_id).jurisdiction if consent is not None else ""
        return ruleset_on(programme, day, where or None)


class HomeTestRefused(ServiceError):
    """A pregnancy test done at home that the programme rules do not accept: before the first
    dose (code ``home_test_before_start``), or under rules that accept none
    (``home_test_not_accepted``)."""

    def __init__(self, ruleset: RuleSet, day: dt.date, *, before_start: bool):
        if before_start:
            message = (
                "A pregnancy test before the first dose must be done in a medical setting (the"
                " clinic or a laboratory), not at home: nothing was recorded."
            )
            code = "home_test_before_start"
        else:
            message = (
                f"The programme rules in force on {day.isoformat()} ({ruleset.id}) do not accept a"
                " pregnancy test done at home: record a test done in a medical setting."
            )
            code = "home_test_not_accepted"
        super().__init__(message, code=code, ruleset=ruleset.id, day=day.isoformat())


def ruleset_on(programme: ProgrammeForm, day: dt.date, jurisdiction: str | None) -> RuleSet:
    """The rule set in force on ``day`` in ``jurisdiction`` (the clinic's when None or unknown);
    for a day before the jurisdiction's first rule set, that first one."""
    where = jurisdiction or programme.default_jurisdiction
    if not any(r.jurisdiction == where for r in programme.rulesets):
        where = programme.default_jurisdiction
    try:
        return programme.in_force(day, where)
    except LookupError:
        return min(
            (r for r in programme.rulesets if r.jurisdiction == where), key=lambda r: r.effective
        )


def _next_test_after_missed(
    programme: ProgrammeForm, jurisdiction: str | None, missed_test_on: dt.date, closed: dt.date
) -> dt.date:
    """The first day a new test may open a new window after the window of the test taken on
    ``missed_test_on`` closed on ``closed`` unused: under the rule set in force the day after,
    or sooner where a later rule set, in force by then, waits less (US iPLEDGE: 19 days until
    8 August 2026, none after)."""
    missed = closed + dt.timedelta(days=1)
    then = ruleset_on(programme, missed, jurisdiction)
    best = programme_rules.next_test_after_missed_window(then, missed_test_on)
    for later in programme.rulesets:
        if later.jurisdiction == then.jurisdiction and missed < later.effective <= best:
            sooner = programme_rules.next_test_after_missed_window(later, missed_test_on)
            best = min(best, max(later.effective, sooner))
    return max(best, missed)


def _dosed_by(s: Any, patient_id: int, day: dt.date) -> bool:
    """Whether the patient had started treatment by ``day``: a follow-up seen on or before it
    recorded a daily dose."""
    return (
        s.scalars(
            select(FollowUp.id)
            .where(
                FollowUp.patient_id == patient_id,
                FollowUp.seen_on <= day,
                FollowUp.daily_dose_mg > 0,
            )
            .limit(1)
        ).first()
        is not None
    )


def _collect(errors: dict[str, str], fn: Any, field: str) -> Any:
    try:
        return fn()
    except ValidationError as exc:
        errors[field] = exc.message
        return None


def _doc_row(d: Document, stamped: tuple[str, int] | None = None) -> DocumentRow:
    sha, size = stamped if stamped is not None else (d.sha256, len(d.pdf))
    return DocumentRow(d.id, d.kind, d.issue, d.lang, sha, d.created_at, d.supersedes_id, size)


def _ptest_row(t: PregnancyTest, ruleset: RuleSet) -> PregnancyTestRow:
    """A stored test with the pick-up window a negative one opens under the rule set in force
    on the test's day."""
    window = (
        programme_rules.prescription_collect_by(ruleset, True, negative_test_on=t.taken_on)
        if t.result == "negative"
        else None
    )
    return PregnancyTestRow(t.id, t.taken_on, t.result, t.course_month, window)


def _fu_row(f: FollowUp) -> FollowUpRow:
    return FollowUpRow(
        f.id,
        f.month,
        f.seen_on,
        f.weight_kg,
        f.daily_dose_mg,
        tuple(f.side_effects),
        f.mood_score,
        f.sexual_function,
        tuple(f.contraception),
        f.notes,
        f.version,
    )


def _pregnancy_tests(s: Any, patient_id: int) -> list[tuple[dt.date, str]]:
    return [
        (t.taken_on, t.result)
        for t in s.scalars(select(PregnancyTest).where(PregnancyTest.patient_id == patient_id))
    ]


def completion_facts(
    row: CourseCompletion,
) -> tuple[completion_rules.Completion, completion_rules.Aftercare]:
    """A stored completion as the domain's values: the course's end and its aftercare dates."""
    done = completion_rules.Completion(
        row.completed_on, row.mg_per_kg, completion_rules.StopReason(row.reason), row.reason_text
    )
    after = completion_rules.Aftercare(
        row.completed_on,
        row.ruleset_id,
        row.pregnancy_test_due,
        row.contraception_until,
        row.no_blood_donation_until,
        row.no_cosmetic_procedures_until,
    )
    return done, after


def _checkin_prefill(s: Any, consent: Visit) -> checkin_rules.FollowUpPrefill | None:
    """The follow-up form's start from the course's latest signed check-in, if any."""
    from intake.services.visits import decode_value

    visit = s.scalars(
        select(Visit)
        .where(
            Visit.patient_id == consent.patient_id,
            Visit.kind == VisitKind.CHECKIN,
            Visit.status.in_(("submitted", "countersigned")),
            Visit.started_at >= consent.started_at,
        )
        .order_by(Visit.started_at.desc())
        .limit(1)
    ).first()
    if visit is None:
        return None
    answers = {
        a.question_id: decode_value(a.value)
        for a in s.scalars(select(Answer).where(Answer.visit_id == visit.id))
    }
    total = (visit.phq9 or {}).get("total")
    return checkin_rules.follow_up_prefill(
        answers, total if isinstance(total, int) else None, visit.course_month
    )


def _consent_visit(s: Any, patient_id: int) -> Visit | None:
    """The patient's latest signed first visit: the consent the current course runs under
    (monthly check-ins signed since belong to that course)."""
    return s.scalars(
        select(Visit)
        .where(
            Visit.patient_id == patient_id,
            Visit.status.in_(("submitted", "countersigned")),
            Visit.kind == VisitKind.FIRST_VISIT,
        )
        .order_by(Visit.submitted_at.desc())
        .limit(1)
    ).first()


def current_completion(s: Any, patient_id: int) -> CourseCompletion | None:
    """The end of the patient's current course, once recorded.

    A course runs from a signed visit to its completion; a signed visit started after the
    completion was recorded begins a new course (which has none yet). Monthly visits signed
    during the course do not end it: only the completion does.
    """
    row = s.scalars(
        select(CourseCompletion)
        .where(CourseCompletion.patient_id == patient_id)
        .order_by(CourseCompletion.at.desc(), CourseCompletion.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    newer = s.scalars(
        select(Visit.id)
        .where(
            Visit.patient_id == patient_id,
            Visit.status.in_(("submitted", "countersigned")),
            Visit.kind == VisitKind.FIRST_VISIT,
            Visit.started_at > row.at,
        )
        .limit(1)
    ).first()
    return None if newer is not None else row


@dataclass(frozen=True)
class CourseEnd:
    """A completed course as a listing shows it: the post-course test's state ("" when none is
    needed, "due", "overdue", "negative", "positive") and its due date."""

    post_course_test: str
    test_due: dt.date | None


def course_ends(s: Any, patient_ids: Sequence[int], today: dt.date) -> dict[int, CourseEnd]:
    """The patients of ``patient_ids`` whose current course is completed (see
    ``current_completion``), read in three statements however many patients there are."""
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    latest: dict[int, CourseCompletion] = {}
    for row in s.scalars(
        select(CourseCompletion)
        .where(CourseCompletion.patient_id.in_(ids))
        .order_by(CourseCompletion.at, CourseCompletion.id)
    ):
        latest[row.patient_id] = row  # the last one of each patient wins
    if not latest:
        return {}
    for pid, started in s.execute(
        select(Visit.patient_id, func.max(Visit.started_at))
        .where(
            Visit.patient_id.in_(list(latest)),
            Visit.status.in_(("submitted", "countersigned")),
            Visit.kind == VisitKind.FIRST_VISIT,
        )
        .group_by(Visit.patient_id)
    ):
        if started is not None and pid in latest and _aware(started) > _aware(latest[pid].at):
            del latest[pid]  # a new course has begun
    tests: dict[int, list[tuple[dt.date, str]]] = {}
    for pid, day, result in s.execute(
        select(PregnancyTest.patient_id, PregnancyTest.taken_on, PregnancyTest.result).where(
            PregnancyTest.patient_id.in_(list(latest))
        )
    ):
        tests.setdefault(pid, []).append((day, result))
    out = {}
    for pid, row in latest.items():
        _done, after = completion_facts(row)
        state = completion_rules.post_course_test_state(after, tests.get(pid, []), today)
        out[pid] = CourseEnd(state, after.pregnancy_test_due)
    return out


def _aware(moment: dt.datetime) -> dt.datetime:
    # func.max() hands back SQLite's stored text as a naive datetime (UTC).
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def printed_name(s: Any, actor: str) -> str:
    """The staff member as documents name them: after their title, as on the consent."""
    if actor.startswith("staff:"):
        user = s.get(StaffUser, int(actor.split(":", 1)[1]))
        if user is not None:
            return titled(user.title or "", user.display_name)
    return _name(s, actor)


def _name(s: Any, actor: str) -> str:
    if actor.startswith("staff:"):
        user = s.get(StaffUser, int(actor.split(":", 1)[1]))
        return user.display_name if user else actor
    return actor
