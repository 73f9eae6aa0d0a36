"""The course screens' words (course view, follow-up form, labs, completion): the catalogue's
``course.*`` messages, and the months, numbers, side effects, contraception methods and lab
names they are said with, in the staff screens' language."""

from __future__ import annotations

from collections.abc import Sequence

from babel.numbers import format_decimal

from intake import i18n
from intake.domain.rules import contraception_problem
from intake.forms.model import LabRange
from intake.services.errors import ServiceError
from intake.ui.common import describe_error, humanise, problem_text, staff_lang, words


def text(key: str, **args: object) -> str:
    """The message ``course.<key>`` in the staff screens' language."""
    return words(f"course.{key}", **args)


def object_name(key: str, **args: object) -> str:
    """The objectName a widget named by ``course.<key>`` has in every language: derived from
    the English text, as ``named`` derives it (tests find widgets by it)."""
    said = i18n.tr(f"course.{key}", i18n.source_language(), **args)
    return said.lower().replace(" ", "_")


def has(key: str) -> bool:
    return i18n.has(f"course.{key}")


def plain(value: float) -> str:
    """A measured number as typed: no grouping, its decimals as needed ("61.5", "61,5")."""
    locale = i18n.language(staff_lang()).babel
    return str(format_decimal(value, format="0.######", locale=locale))


def fixed(value: float, places: int) -> str:
    """A number with exactly ``places`` decimals, grouped ("1,234.0", "1234,0")."""
    locale = i18n.language(staff_lang()).babel
    return str(format_decimal(value, format="#,##0." + "0" * places, locale=locale))


def month_text(month: int) -> str:
    """A course month as the tables say it: "Baseline", "Month 3"."""
    return text("baseline") if month == 0 else text("month", month=month)


def side_effect_label(effect: str, *, english: bool = False) -> str:
    """A side effect's name; one the catalogue does not know yet, from its identifier."""
    key = f"side_effect_{effect}"
    if not has(key):
        return humanise(effect)
    return i18n.tr(f"course.{key}", i18n.source_language()) if english else text(key)


def method_label(method: str, fallback: str = "", *, english: bool = False) -> str:
    """A contraception method in the clinician's words ("Tubal ligation"); ``fallback`` (the
    form's option label) for one the catalogue does not know."""
    key = f"method_{method}"
    if not has(key):
        return fallback or humanise(method)
    return i18n.tr(f"course.{key}", i18n.source_language()) if english else text(key)


def contraception_problem_text(methods: Sequence[str]) -> str | None:
    """Why the methods are not enough, in the staff screens' words; None when they are."""
    problem = contraception_problem(list(methods))
    if problem is None:
        return None
    return problem_text(problem)


def lab_label(lab: LabRange) -> str:
    """A test's full name from the clinic's profile, in the staff screens' language."""
    return lab.label(staff_lang())


def lab_short(lab: LabRange) -> str:
    """A test's short name ("ALT", "Cholesterol"); a test the catalogue does not know is
    shortened from its name in the profile."""
    key = f"lab_short_{lab.id}"
    return text(key) if has(key) else short_lab_name(lab_label(lab))


def short_lab_name(label: str) -> str:
    """'ALT (liver enzyme)' -> 'ALT'; 'Total cholesterol' -> 'Cholesterol'."""
    short = label.split(" (")[0]
    return short[6:].capitalize() if short.startswith("Total ") else short


def unit_text(unit: str) -> str:
    """A unit of the clinic's profile ("U/L", "mg/dL") as the catalogue writes it."""
    key = "unit_" + "".join(c if c.isalnum() else "_" for c in unit.lower())
    return text(key) if has(key) else unit


def refusal(exc: BaseException) -> str:
    """A service's refusal worded by the course screens' catalogue where it has the code,
    else as every staff screen words it."""
    if isinstance(exc, ServiceError) and has(f"error_{exc.code}"):
        return text(f"error_{exc.code}", **exc.params)
    return describe_error(exc)
