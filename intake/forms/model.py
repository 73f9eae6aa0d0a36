"""Typed, immutable form definitions as loaded from ``forms/``.

Plain Python only: the domain layer evaluates these without any I/O.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import Any

from intake import i18n

Lang = str
# Every form gives each registered language (resources/messages/languages.toml); a
# pseudo-locale's texts are made from its base language's (see Text.get).
LANGUAGES: tuple[Lang, ...] = i18n.codes()


@cache
def _pseudo_base(lang: Lang) -> str:
    """The language a pseudo-locale is made from; "" for any other code."""
    try:
        return i18n.language(lang).pseudo_of
    except i18n.UnknownLanguage:
        return ""


@lru_cache(maxsize=4096)
def _pseudo(text: str) -> str:
    return i18n.pseudo_text(text)


@dataclass(frozen=True)
class Text:
    """A patient-facing text in every supported language.

    ``values`` holds the languages the form file gives; a pseudo-locale's text is derived from
    its base language's as it is asked for (``i18n.pseudo_text``), so every form text a page or
    document shows in it is marked, and the form's content and hash stay as written.
    """

    values: tuple[tuple[Lang, str], ...]

    def get(self, lang: Lang) -> str:
        for code, value in self.values:
            if code == lang:
                return value
        base = _pseudo_base(lang)
        if base:
            return _pseudo(self.get(base))
        return self.values[0][1]

    def __call__(self, lang: Lang) -> str:
        return self.get(lang)

    @classmethod
    def of(cls, **by_lang: str) -> Text:
        return cls(tuple(by_lang.items()))


# A condition is kept as the plain nested dict from the file; intake.domain.rules evaluates it.
Condition = dict[str, Any]


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: Text
    help: Text | None = None
    required: bool = True
    show_if: Condition | None = None
    options: tuple[Option, ...] = ()
    exclusive: tuple[str, ...] = ()
    # A weight question: the units a weight may be given in, in the order the kiosk offers
    # them; stones ("st") only where the clinic profile says allow_stones = true.
    units: tuple[str, ...] = ("kg", "lb")

    def option_label(self, value: str, lang: Lang) -> str:
        for option in self.options:
            if option.value == value:
                return option.label(lang)
        return value


@dataclass(frozen=True)
class Page:
    id: str
    title: Text
    questions: tuple[Question, ...]
    intro: Text | None = None


@dataclass(frozen=True)
class FormMeta:
    id: str
    kind: str
    version: str
    effective: dt.date
    languages: tuple[Lang, ...]
    sha256: str
    path: str


@dataclass(frozen=True)
class Questionnaire:
    meta: FormMeta
    pages: tuple[Page, ...]

    def question(self, qid: str) -> Question:
        return self._by_id[qid]  # KeyError for an unknown id

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for p in self.pages for q in p.questions)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        found: dict[str, Question] = {}
        for q in self.questions:
            found.setdefault(q.id, q)  # the first one wins, as a scan in page order would
        return found


@dataclass(frozen=True)
class Band:
    min: int
    max: int
    id: str
    label: Text


@dataclass(frozen=True)
class Phq9Form:
    meta: FormMeta
    loinc: str
    stem: Text
    options: tuple[tuple[int, Text], ...]
    items: tuple[tuple[str, Text], ...]
    bands: tuple[Band, ...]
    difficulty_text: Text
    difficulty_options: tuple[Option, ...]
    help_now_title: Text
    help_now_body: Text


@dataclass(frozen=True)
class Statement:
    id: str
    topic: str
    text: Text
    applies_if: Condition | None = None
    audience: str = "all"  # "all" or "guardian"


@dataclass(frozen=True)
class Topic:
    id: str
    title: Text
    statements: tuple[Statement, ...]
    intro: Text | None = None


@dataclass(frozen=True)
class RisksForm:
    meta: FormMeta
    topics: tuple[Topic, ...]

    @cached_property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for t in self.topics for s in t.statements)

    @cached_property
    def _by_id(self) -> dict[str, Statement]:
        found: dict[str, Statement] = {}
        for s in self.statements:
            found.setdefault(s.id, s)
        return found

    def statement(self, sid: str) -> Statement:
        return self._by_id[sid]  # KeyError for an unknown id


@dataclass(frozen=True)
class Choice:
    id: str
    text: Text


@dataclass(frozen=True)
class QuizQuestion:
    id: str
    prompt: Text
    choices: tuple[Choice, ...]
    answer: str
    explanation: Text
    tests: tuple[str, ...]
    applies_if: Condition | None = None


@dataclass(frozen=True)
class QuizForm:
    meta: FormMeta
    questions: tuple[QuizQuestion, ...]


@dataclass(frozen=True)
class Bullet:
    """One bullet of a packet section, shown only to the patients its condition holds for."""

    id: str  # "section.name", unique across the form
    text: Text
    applies_if: Condition | None = None


@dataclass(frozen=True)
class Section:
    """A packet section: ``body`` (paragraphs), then its ``bullets``, then ``closing``."""

    id: str
    title: Text
    body: Text
    applies_if: Condition | None = None
    summary: bool = False
    bullets: tuple[Bullet, ...] = ()
    closing: Text | None = None


@dataclass(frozen=True)
class EducationForm:
    meta: FormMeta
    sections: tuple[Section, ...]

    @cached_property
    def bullets(self) -> tuple[Bullet, ...]:
        return tuple(b for s in self.sections for b in s.bullets)


@dataclass(frozen=True)
class LabRange:
    id: str
    label: Text
    unit: str
    low: float
    high: float
    critical_high: float | None = None  # above this, act now (not just "high")


@dataclass(frozen=True)
class ClinicProfile:
    meta: FormMeta
    name: str
    department: str
    address: str
    phone: str
    email: str
    hours: Text
    timezone: str
    logo: str | None
    record_prefix: str
    labs: tuple[LabRange, ...]
    target_mg_per_kg: tuple[float, float]
    course_months: tuple[int, int]
    visit_interval_days: int
    idle_timeout_seconds: int
    idle_warning_seconds: int
    paper: str = "letter"  # "letter" or "a4": the clinic's printer paper
    allow_stones: bool = False  # weights may also be given in stones and pounds (10 st 4 lb)
    department_text: Text | None = None  # the department's name in each language, when given
    # The staff role that may release a visit paused by a positive mood screen (PHQ-9 item 9);
    # a clinician may always release it.
    mood_release_role: str = "clinician"
    # The weekdays the clinic is open (date.weekday(): Monday 0 .. Sunday 6) and the dates it is
    # closed on one of them (public holidays): planned visits move to the next open day.
    open_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    closures: tuple[dt.date, ...] = ()
    # (form id, version, "major" | "minor"): whether a new version of a consent form asks a
    # patient who signed an earlier one to consent again ("major") or only tells them ("minor").
    form_changes: tuple[tuple[str, str, str], ...] = ()

    def department_in(self, lang: Lang) -> str:
        return self.department_text.get(lang) if self.department_text else self.department

    def lab(self, lab_id: str) -> LabRange:
        for lab in self.labs:
            if lab.id == lab_id:
                return lab
        raise KeyError(lab_id)


@dataclass(frozen=True)
class Attestation:
    """What the prescriber confirms with the countersignature, under a rule set."""

    id: str
    text: Text


@dataclass(frozen=True)
class RuleSet:
    id: str
    effective: dt.date
    jurisdiction: str
    summary: Text
    numbers: dict[str, Any] = field(default_factory=dict)
    # Risk statements the rule set's acknowledgement form requires of every patient.
    acknowledgements: tuple[str, ...] = ()
    # What the prescriber confirms, each on its own, when countersigning under this rule set.
    prescriber_attestations: tuple[Attestation, ...] = ()

    def number(self, key: str) -> Any:
        return self.numbers[key]


@dataclass(frozen=True)
class ProgrammeForm:
    meta: FormMeta
    default_jurisdiction: str
    rulesets: tuple[RuleSet, ...]

    def ruleset(self, ruleset_id: str) -> RuleSet:
        """The rule set of that id; one with no requirements when there is none (an id
        recorded by a rule set since removed)."""
        for r in self.rulesets:
            if r.id == ruleset_id:
                return r
        return RuleSet(ruleset_id, dt.date.min, "", Text.of(en=ruleset_id))

    def in_force(self, on: dt.date, jurisdiction: str | None = None) -> RuleSet:
        """The ruleset with the latest effective date not after ``on``."""
        where = jurisdiction or self.default_jurisdiction
        candidates = [r for r in self.rulesets if r.jurisdiction == where and r.effective <= on]
        if not candidates:
            raise LookupError(f"no {where} programme rules in force on {on.isoformat()}")
        return max(candidates, key=lambda r: r.effective)


@dataclass(frozen=True)
class AftercareForm:
    """The aftercare packet at the end of a course: sections like the education packet's, with
    the patient's dates as placeholders (``AFTERCARE_PLACEHOLDERS``)."""

    meta: FormMeta
    sections: tuple[Section, ...]


AFTERCARE_PLACEHOLDERS = (
    "last_dose",
    "pregnancy_test_due",
    "contraception_until",
    "no_blood_donation_until",
    "no_cosmetic_until",
    "clinic_name",
    "clinic_phone",
)


@dataclass(frozen=True)
class FormSet:
    """Every form the program runs on, loaded and validated together."""

    intake: Questionnaire
    phq9: Phq9Form
    risks: RisksForm
    quiz: QuizForm
    education: EducationForm
    clinic: ClinicProfile
    programme: ProgrammeForm
    aftercare: AftercareForm
    checkin: Questionnaire  # the monthly check-in's pages

    def for_visit(self, kind: str) -> FormSet:
        """The forms a visit of this kind runs on: a check-in's pages stand in for the
        intake questionnaire, so the same flow, page saving and completeness serve it."""
        if kind == "checkin":
            return dataclasses.replace(self, intake=self.checkin)
        return self

    @property
    def metas(self) -> tuple[FormMeta, ...]:
        return tuple(
            f.meta
            for f in (
                self.intake,
                self.phq9,
                self.risks,
                self.quiz,
                self.education,
                self.clinic,
                self.programme,
                self.aftercare,
                self.checkin,
            )
        )

    def versions(self) -> dict[str, tuple[str, str]]:
        """form id -> (version, sha256)."""
        return {m.id: (m.version, m.sha256) for m in self.metas}
