"""Reading the numbers people type: one parser for every numeric answer.

A weight is one number with, if the person wrote one, its unit ("70,5 kg", "154 lb", "10 st 4 lb"
when the clinic takes stones); a written unit is what the person meant, whatever the unit
selector beside the box says. Anything else is refused with a message saying what to type, never
guessed at: a sign, an exponent ("1e9"), words ("seventy"), two numbers ("70 80", "70-75"), or a
separator that could be a thousands separator ("1.500"). A number is read as a decimal, not a
float, so what is typed is what is converted.

Every public function returns its value or raises ValidationError; nothing else, whatever it is
given.
"""

from __future__ import annotations

import enum
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from intake.domain.errors import Coded, ValidationError

MIN_WEIGHT_KG = 25.0
MAX_WEIGHT_KG = 300.0
KG_PER_LB = 0.45359237  # exact, by the international definition of the pound
LB_PER_ST = 14
MAX_TYPED = 40  # room for any weight with its unit spelt out: "10 stones 13.5 pounds"

KG, LB, ST = "kg", "lb", "st"

# The unit words people write, in English and Spanish, lower case; a trailing full stop
# ("lbs.") is allowed too.
UNIT_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "kg",
            "kgs",
            "kilo",
            "kilos",
            "kilogram",
            "kilograms",
            "kilogramme",
            "kilogrammes",
            "kilogramo",
            "kilogramos",
        ),
        KG,
    ),
    **dict.fromkeys(("lb", "lbs", "pound", "pounds", "libra", "libras"), LB),
    **dict.fromkeys(("st", "stone", "stones"), ST),
}

# The messages a patient can meet, with the codes the kiosk words them by (``kiosk.error_<code>``).
WEIGHT_EMPTY_MESSAGE = Coded("Please enter your weight.", "weight_empty")
WEIGHT_SIGN_MESSAGE = Coded(
    "Please type your weight without a + or - sign, for example 62.5.", "weight_sign"
)
WEIGHT_EXPONENT_MESSAGE = Coded(
    "Please type your weight as plain digits, without an e, for example 62.5.", "weight_exponent"
)
WEIGHT_WORDS_MESSAGE = Coded(
    "Please type your weight in digits, for example 62.5 or 140 lb.", "weight_words"
)
WEIGHT_TWO_NUMBERS_MESSAGE = Coded(
    "Please type one weight only, for example 62.5 or 140 lb.", "weight_two_numbers"
)
WEIGHT_SEPARATOR_MESSAGE = Coded(
    "Please type your weight with one decimal point or comma at most and no thousands"
    " separator, for example 62.5.",
    "weight_separator",
)
WEIGHT_STONES_OFF_MESSAGE = Coded(
    "Please type your weight in kg or lb; stones are not used here.", "weight_stones_off"
)
WEIGHT_STONES_MESSAGE = Coded(
    "Please write stones and pounds as whole stones, then 0 to 13 pounds, for example 10 st 4 lb.",
    "weight_stones",
)
WEIGHT_UNIT_MESSAGE = Coded("Please choose kg or lb.", "weight_unit")
WEIGHT_UNIT_ST_MESSAGE = Coded("Please choose kg, lb or st.", "weight_unit_stones")
WEIGHT_TOO_LONG_MESSAGE = Coded(
    "Please type just your weight, for example 62.5.", "weight_too_long"
)


class Problem(enum.Enum):
    """Why a typed number cannot be read."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    SIGN = "sign"
    EXPONENT = "exponent"
    WORDS = "words"  # letters that are no unit, or symbols
    TWO_NUMBERS = "two_numbers"
    SEPARATOR = "separator"  # two separators, or one that could be a thousands separator
    STONES_OFF = "stones_off"
    STONES = "stones"  # a compound stones-and-pounds weight written wrongly


class Unreadable(Exception):
    """Internal: what is typed is no number; each public function words its own message."""

    def __init__(self, problem: Problem):
        super().__init__(problem.value)
        self.problem = problem


class _Kind(enum.Enum):
    NUMBER = "number"
    WORD = "word"
    SIGN = "sign"
    OTHER = "other"


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    text: str


# Digits and separators; letters (with an abbreviation's full stop); a sign or dash; space.
_TOKEN = re.compile(
    r"(?P<number>[0-9.,]*[0-9][0-9.,]*)|(?P<word>[^\W\d_]+\.?)|(?P<sign>[+\-−–—‒])|(?P<space>\s+)|(?P<other>.)",
    re.DOTALL,
)


_NOT_DIGITS = ("<super>", "<sub>", "<fraction>")


def _normal(text: str) -> str:
    # NFKC turns full-width digits and the ㎏ sign into plain ones; other scripts' digits stay,
    # and are refused below as not ours to guess at. A superscript, subscript or vulgar fraction
    # is refused too (NFKC would read "7²" as 72).
    kept = "".join(
        "?" if unicodedata.decomposition(ch).startswith(_NOT_DIGITS) else ch for ch in text
    )
    return unicodedata.normalize("NFKC", kept).strip().casefold()


def _tokens(text: str) -> list[_Token]:
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "space":
            continue
        assert kind is not None
        out.append(_Token(_Kind(kind), match.group()))
    return out


def _decimal(text: str) -> Decimal:
    """Digits with at most one separator, point or comma, that cannot be a thousands one."""
    separators = [c for c in text if c in ".,"]
    if len(separators) > 1:
        raise Unreadable(Problem.SEPARATOR)
    if not separators:
        return Decimal(text)
    whole, _, fraction = text.replace(",", ".").partition(".")
    # "1.500" or "1,500": a thousand and a half in one language, one and a half in another.
    if len(fraction) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"):
        raise Unreadable(Problem.SEPARATOR)
    return Decimal(f"{whole or '0'}.{fraction or '0'}")


def _check(tokens: list[_Token]) -> None:
    """Refuse signs, exponents and stray symbols, whatever the grammar after them."""
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            token.kind is _Kind.WORD
            and token.text == "e"
            and before is not None
            and before.kind is _Kind.NUMBER
            and after is not None
            and after.kind in (_Kind.NUMBER, _Kind.SIGN)
        ):
            raise Unreadable(Problem.EXPONENT)
    for i, token in enumerate(tokens):
        if token.kind is _Kind.SIGN:
            after_number = i > 0 and tokens[i - 1].kind is _Kind.NUMBER
            before_number = i + 1 < len(tokens) and tokens[i + 1].kind is _Kind.NUMBER
            if after_number and before_number:
                raise Unreadable(Problem.TWO_NUMBERS)  # a range: "70-75"
            if after_number or before_number:
                raise Unreadable(Problem.SIGN)
            raise Unreadable(Problem.WORDS)  # a hyphen between words: "seventy-two"
    if any(t.kind is _Kind.OTHER for t in tokens):
        raise Unreadable(Problem.WORDS)
    for token in tokens:
        if token.kind is _Kind.NUMBER:
            _decimal(token.text)


def _read(value: Any) -> list[_Token]:
    if not isinstance(value, str):
        raise Unreadable(Problem.WORDS)
    if len(value) > 4 * MAX_TYPED:
        raise Unreadable(Problem.TOO_LONG)
    text = _normal(value)
    if not text:
        raise Unreadable(Problem.EMPTY)
    if len(text) > MAX_TYPED:
        raise Unreadable(Problem.TOO_LONG)
    tokens = _tokens(text)
    _check(tokens)
    return tokens


def read_plain(value: Any, unit_words: frozenset[str] = frozenset()) -> Decimal:
    """One number, optionally followed by one of ``unit_words`` ("40 mg"); raises Unreadable."""
    if isinstance(value, bool):
        raise Unreadable(Problem.WORDS)
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise Unreadable(Problem.WORDS)
        if value < 0:
            raise Unreadable(Problem.SIGN)
        return Decimal(value)
    tokens = _read(value)
    if tokens and tokens[-1].kind is _Kind.WORD and tokens[-1].text.removesuffix(".") in unit_words:
        tokens = tokens[:-1]
    numbers = [t for t in tokens if t.kind is _Kind.NUMBER]
    if len(numbers) > 1:
        raise Unreadable(Problem.TWO_NUMBERS)
    if len(tokens) != 1 or not numbers:
        raise Unreadable(Problem.WORDS)
    return _decimal(numbers[0].text)


def _unit_of(token: _Token) -> str | None:
    return UNIT_WORDS.get(token.text.removesuffix(".")) if token.kind is _Kind.WORD else None


def written_unit(text: str, stones: bool = False) -> str | None:
    """The unit the person wrote in ``text``, if they wrote exactly one (st for "10 st 4 lb").

    Read even while the rest is still wrong, so that the unit selector can follow at once.
    """
    if not isinstance(text, str) or len(text) > 4 * MAX_TYPED:
        return None
    units = {u for t in _tokens(_normal(text)) if (u := _unit_of(t)) is not None}
    if ST in units:
        return ST if stones and units <= {ST, LB} else None
    return units.pop() if len(units) == 1 else None


def _weight_in(tokens: list[_Token], selected: str, stones: bool) -> tuple[Decimal, str]:
    """The number and its unit, from number [unit] or number st number [lb]."""
    shape = []
    for token in tokens:
        if token.kind is _Kind.NUMBER:
            shape.append("n")
            continue
        unit = _unit_of(token)
        if unit is None:
            raise Unreadable(Problem.WORDS)
        if unit == ST and not stones:
            raise Unreadable(Problem.STONES_OFF)
        shape.append(unit)
    numbers = [_decimal(t.text) for t in tokens if t.kind is _Kind.NUMBER]
    match shape:
        case ["n"]:
            return numbers[0], selected
        case ["n", unit] if unit != "n":
            return numbers[0], unit
        case ["n", "st", "n"] | ["n", "st", "n", "lb"]:
            whole, pounds = numbers
            if whole != whole.to_integral_value() or pounds >= LB_PER_ST:
                raise Unreadable(Problem.STONES)
            return whole + pounds / LB_PER_ST, ST
    if shape.count("n") > 1 or len(shape) - shape.count("n") > 1:
        raise Unreadable(Problem.TWO_NUMBERS)
    raise Unreadable(Problem.WORDS)  # a unit with no number before it


def to_kg(number: float, unit: str) -> float:
    if unit == LB:
        return number * KG_PER_LB
    if unit == ST:
        return number * LB_PER_ST * KG_PER_LB
    return number


def from_kg(kg: float, unit: str) -> float:
    return kg / to_kg(1.0, unit)


@dataclass(frozen=True)
class Weight:
    """A weight as understood: kilograms to one decimal place, and the unit it was given in."""

    kg: float
    unit: str


_WEIGHT_MESSAGES = {
    Problem.EMPTY: WEIGHT_EMPTY_MESSAGE,
    Problem.TOO_LONG: WEIGHT_TOO_LONG_MESSAGE,
    Problem.SIGN: WEIGHT_SIGN_MESSAGE,
    Problem.EXPONENT: WEIGHT_EXPONENT_MESSAGE,
    Problem.WORDS: WEIGHT_WORDS_MESSAGE,
    Problem.TWO_NUMBERS: WEIGHT_TWO_NUMBERS_MESSAGE,
    Problem.SEPARATOR: WEIGHT_SEPARATOR_MESSAGE,
    Problem.STONES_OFF: WEIGHT_STONES_OFF_MESSAGE,
    Problem.STONES: WEIGHT_STONES_MESSAGE,
}


def weight_range(unit: str) -> tuple[int, int]:
    """The whole numbers in ``unit`` between which every weight is accepted."""
    low = math.ceil(round(from_kg(MIN_WEIGHT_KG - 0.05, unit), 6))
    high = math.floor(round(from_kg(MAX_WEIGHT_KG + 0.05, unit), 6))
    return low, high


def parse_weight(
    value: Any, unit: str = KG, field: str = "weight_kg", stones: bool = False
) -> Weight:
    """A weight from what was typed (``value``) and the unit selected beside it (``unit``)."""
    units = (KG, LB, ST) if stones else (KG, LB)
    if unit not in units:
        raise ValidationError(field, WEIGHT_UNIT_ST_MESSAGE if stones else WEIGHT_UNIT_MESSAGE)
    if value is None:
        raise ValidationError(field, WEIGHT_EMPTY_MESSAGE)
    try:
        if isinstance(value, str):
            number, unit = _weight_in(_read(value), unit, stones)
        else:
            number = read_plain(value)
    except Unreadable as exc:
        raise ValidationError(field, _WEIGHT_MESSAGES[exc.problem]) from None
    # Rounded first, then checked: a weight shown back to the person in another unit and
    # typed again is the same weight, at the ends of the range too.
    kg = round(to_kg(float(number), unit), 1)
    if not MIN_WEIGHT_KG <= kg <= MAX_WEIGHT_KG:
        low, high = weight_range(unit)
        raise ValidationError(
            field,
            f"Please check your weight: it should be between {low} and {high} {unit}.",
            code="weight_range",
            low=low,
            high=high,
            unit=unit,
        )
    return Weight(kg, unit)


def format_weight(kg: float, unit: str) -> str:
    """A weight in kg written in ``unit`` as the parser reads it: "154.1 lb", "10 st 4.1 lb"."""
    if unit == ST:
        pounds = round(kg / KG_PER_LB, 1)
        whole = int(pounds // LB_PER_ST)
        rest = round(pounds - whole * LB_PER_ST, 1)
        return f"{whole} st {rest:g} lb"
    return f"{round(from_kg(kg, unit), 1):g} {unit}"
