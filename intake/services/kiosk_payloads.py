"""What a kiosk page hands back, and what the kiosk controller says to show next.

Plain data, no Qt: a page turns what the patient typed or drew into one of the payloads; the
controller (``intake.services.kiosk_flow``) applies it through the services and answers with
a ``ViewState``, which the window draws. Texts travel as message keys with their values, never
as sentences, so the window words them in the patient's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intake.domain.wizard import Guardian, Place, Step
    from intake.services.completeness import Missing
    from intake.services.context import Actor

_EMPTY: Mapping[str, Any] = MappingProxyType({})

Stroke = tuple[tuple[float, float], ...]


# --- payloads: what a page hands back -----------------------------------------------------------


@dataclass(frozen=True)
class Proceed:
    """Next on a page that holds nothing to save (a topic, Welcome); the flow decides."""


@dataclass(frozen=True)
class PageProblems:
    """The page itself found what is wrong (a date that is no date): stay and say so."""

    errors: Mapping[str, str]


@dataclass(frozen=True)
class IntakeAnswers:
    """The visible questions of an intake page, as typed (the service cleans them)."""

    page_id: str
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class MoodAnswers:
    """The nine PHQ-9 items (None: not answered) and the difficulty question."""

    answers: tuple[int | None, ...]
    difficulty: str


@dataclass(frozen=True)
class GuardianDetails:
    """A minor's parent or guardian, as checked by the page."""

    guardian: Guardian


@dataclass(frozen=True)
class QuizChoice:
    question_id: str
    choice: str | None


@dataclass(frozen=True)
class ReviewRead:
    """The patient read the review and goes on to signing."""


@dataclass(frozen=True)
class SignatureGiven:
    role: str  # "patient" or "guardian"
    printed_name: str
    strokes: tuple[Stroke, ...]
    width: int
    height: int
    typed: bool = False  # the pad holds the typed name rather than a drawn signature

    @property
    def method(self) -> str:
        return "typed" if self.typed else "drawn"


@dataclass(frozen=True)
class Initials:
    """Initials typed beside one statement of a topic page (saved at once, not on Next)."""

    statement_id: str
    role: str
    initials: str
    page_seconds: float = 0.0
    read_aloud: bool = False  # the statement was read aloud to the person ("Listen")


Payload = (
    Proceed
    | PageProblems
    | IntakeAnswers
    | MoodAnswers
    | GuardianDetails
    | QuizChoice
    | ReviewRead
    | SignatureGiven
)


# --- what to show -------------------------------------------------------------------------------


class Screen(StrEnum):
    WELCOME = "welcome"  # no visit: the start page
    RESUME = "resume"  # a visit under way was opened by code: staff confirm first
    STEP = "step"  # a step of the visit's flow


@dataclass(frozen=True)
class Notice:
    """A note for the page in the kiosk's words: a message key, its values, what is missing."""

    key: str
    values: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    missing: tuple[Missing, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A service's refusal by its code and values (``ServiceError.code``/``params``): the
    kiosk words it from its catalogue (``kiosk.error_<code>``), else asks for help."""

    code: str
    params: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True)
class Accepted:
    """Initials the services accepted: the page marks them done, with their clean form."""

    statement_id: str
    role: str
    initials: str


@dataclass(frozen=True)
class NavState:
    """The navigation bar: Back, Next (``label`` is a message key) and where the patient is."""

    back: bool
    forward: bool
    label: str
    position: int
    total: int
    place: Place


@dataclass(frozen=True)
class ViewState:
    """What the window shows after an action.

    ``redraw``: build a new page for ``step`` (``restore``: what was typed on it before); else
    the current page stays and shows ``errors`` (the services' coded texts, which pages word
    in the patient's language), ``notice``, the quiz explanation (``quiz_wrong``) or
    ``accepted`` initials.
    """

    screen: Screen = Screen.STEP
    step: Step | None = None
    redraw: bool = False
    restore: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    errors: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    refused: bool = False  # Welcome: opening by code is refused for now (too many wrong codes)
    notice: Notice | None = None
    quiz_wrong: bool = False
    accepted: Accepted | None = None
    release_note_by: Actor | None = (
        None  # a mood-screen release: this member of staff writes a note
    )
    opened: str = ""  # the visit id, when this action opened a visit
    submitted: str = ""  # the visit id, when this action submitted it (the last signature)
    language_changed: bool = False  # the visit's saved language replaced the kiosk's
    problem: Problem | None = None  # what ``errors`` say, by code (a service's refusal)

    @property
    def watch_idle(self) -> bool:
        """Nobody is left alone with personal data on screen; the help page holds none and
        stays up until staff come."""
        return self.step is None or self.step.kind != "help_now"

    @property
    def issue_documents(self) -> bool:
        return self.redraw and self.step is not None and self.step.kind == "done"
