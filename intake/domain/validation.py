"""Validation of every answer a person types.

Each validator takes what the person gave (usually a string from a text box) and returns the
normalised value, or raises ValidationError with a message the person can act on. Nothing else
is ever raised, whatever the input.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from intake.domain import numbers, printable
from intake.domain.errors import ValidationError

MAX_NAME = 60
MAX_TEXT = 2000
MIN_AGE = 10
MAX_AGE = 120
MIN_WEIGHT_KG = numbers.MIN_WEIGHT_KG
MAX_WEIGHT_KG = numbers.MAX_WEIGHT_KG

# Separators inside a name: space, hyphen, full stop and the apostrophes people type
# (ASCII ', the typographic ’, the modifier ʼ and the acute ´ of Spanish keyboards).
_NAME_CHAR = re.compile(r"^[^\W\d_]+(?:[ '\-.’ʼ´][^\W\d_]*)*$", re.UNICODE)
_EMAIL = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)+$"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DATE_FORMAT_MESSAGE = "Please enter the date as year-month-day, for example 2004-03-17."


def _as_text(field: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field, "Please type this in.", code="type_in")
    return unicodedata.normalize("NFC", value)


def _collapse(value: str) -> str:
    return " ".join(value.split())


def name(value: Any, field: str = "name") -> str:
    text = _collapse(_as_text(field, value))
    if not text:
        raise ValidationError(field, "Please enter a name.", code="name_empty")
    if len(text) > MAX_NAME:
        raise ValidationError(
            field, f"Please use at most {MAX_NAME} characters.", code="at_most", max=MAX_NAME
        )
    if not _NAME_CHAR.match(text):
        raise ValidationError(
            field,
            "Please use letters only; spaces, hyphens and apostrophes are fine.",
            code="name_letters",
        )
    # A name goes on the signed consent: one it could not print would leave a blank there.
    missing = printable.unprintable(text)
    if missing:
        raise ValidationError(
            field,
            f"The clinic's forms cannot print {missing}; please type the name as on an"
            " ID card, or ask a member of staff.",
            code="name_unprintable",
            chars=missing,
        )
    return text


def free_text(value: Any, field: str = "text", required: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError(field, "Please type this in.", code="type_in")
    # Control characters go first, so the NFC normalisation sees the final text.
    text = unicodedata.normalize("NFC", _CONTROL.sub("", value or "")).strip()
    if required and not text:
        raise ValidationError(field, "Please fill this in.", code="fill_in")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            field,
            f"Please shorten this to at most {MAX_TEXT} characters.",
            code="shorten",
            max=MAX_TEXT,
        )
    # A box for a letter the fonts lack shows on paper that something is missing; right-to-left
    # text would print reversed and unjoined, which no one reading the summary could tell.
    wrong = printable.misprinted(text)
    if wrong:
        raise ValidationError(
            field,
            f"The clinic's forms cannot print {wrong}; please write this in other letters, or"
            " ask a member of staff.",
            code="text_unprintable",
            chars=wrong,
        )
    return text


RELATIONSHIP_MAX = 60


def relationship(value: Any, field: str = "relationship") -> str:
    """How a guardian is related to the patient ("Mother", "Legal guardian"), on one line."""
    text = " ".join(free_text(value, field).split())
    if not text:
        raise ValidationError(
            field, "Please say how you are related to the patient.", code="relationship_empty"
        )
    if len(text) > RELATIONSHIP_MAX:
        raise ValidationError(
            field,
            f"Please use at most {RELATIONSHIP_MAX} characters.",
            code="at_most",
            max=RELATIONSHIP_MAX,
        )
    return text


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")
# Month/day/two-digit year (4/12/99) and day.month.two-digit year (12.04.99).
_SHORT_YEAR = re.compile(r"^(\d{1,2})([/.])(\d{1,2})\2(\d{2})$")


def _full_date(text: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{8}", text):  # 19990412
        try:
            return dt.datetime.strptime(text, "%Y%m%d").date()
        except ValueError:
            return None
    return None


def parse_date(value: Any, field: str = "date") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _as_text(field, value).strip()
    if not text:
        raise ValidationError(field, "Please enter a date.", code="date_empty")
    day = _full_date(text)
    if day is not None:
        return day
    raise ValidationError(field, DATE_FORMAT_MESSAGE, code="date_format")


def parse_birth_date(value: Any, today: dt.date, field: str = "date_of_birth") -> dt.date:
    """A date of birth as typed, a two-digit year included (4/12/99, 12.04.99).

    A two-digit year takes the century that makes the patient 10 to 120 years old today (the
    most recent such one): 99 is 1999, 15 is 2015, 20 is 1920 in 2026 (a six-year-old is no
    patient). Does not check the age itself: see ``date_of_birth``.
    """
    if isinstance(value, dt.date | dt.datetime) or not isinstance(value, str):
        return parse_date(value, field)
    text = _as_text(field, value).strip()
    short = _SHORT_YEAR.match(text)
    if short is None:
        return parse_date(text, field)
    first, sep, second, yy = short.groups()
    month, day = (int(first), int(second)) if sep == "/" else (int(second), int(first))
    century = today.year // 100 * 100
    dates = []
    for year in (century + int(yy), century - 100 + int(yy), century - 200 + int(yy)):
        try:
            dates.append(dt.date(year, month, day))
        except ValueError:  # 29 February is in some centuries only
            continue
    if not dates:
        raise ValidationError(field, DATE_FORMAT_MESSAGE, code="date_format")
    past = [d for d in dates if d <= today]
    fitting = [d for d in past if MIN_AGE <= _years(d, today) <= MAX_AGE]
    return (fitting or past or dates)[0]


def _years(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def date_of_birth(value: Any, today: dt.date, field: str = "date_of_birth") -> dt.date:
    dob = parse_birth_date(value, today, field)
    if dob > today:
        raise ValidationError(
            field, "The date of birth cannot be in the future.", code="birth_in_future"
        )
    years = _years(dob, today)
    if years > MAX_AGE:
        raise ValidationError(field, "Please check the year of birth.", code="birth_year")
    if years < MIN_AGE:
        raise ValidationError(
            field,
            f"Patients must be at least {MIN_AGE} years old; please check the year or ask a member of staff.",
            code="too_young",
            years=MIN_AGE,
        )
    return dob


def weight_kg(
    value: Any, unit: str = "kg", field: str = "weight_kg", stones: bool = False
) -> float:
    """A weight in kg, one decimal place, from what was typed and the unit selected beside it.

    A unit written in the text ("154 lb") is what the person meant; see intake.domain.numbers.
    """
    return numbers.parse_weight(value, unit, field, stones).kg


def phone(value: Any, field: str = "phone") -> str:
    text = _collapse(_as_text(field, value))
    if not text:
        raise ValidationError(field, "Please enter a phone number.", code="phone_empty")
    if not re.fullmatch(r"\+?[0-9 ()\-.]+", text):
        raise ValidationError(
            field,
            "Please use digits only; spaces, dashes, brackets and a leading + are fine.",
            code="phone_characters",
        )
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 15:
        raise ValidationError(
            field, "A phone number has 7 to 15 digits; please check it.", code="phone_length"
        )
    return ("+" if text.startswith("+") else "") + digits


def format_phone(stored: str) -> str:
    """A stored phone number as people read it: '5550104455' -> '(555) 010-4455'.

    North American numbers (10 digits, or 11 with the leading 1) are grouped; any other
    number is shown as it was stored.
    """
    digits = stored[1:] if len(stored) == 11 and stored.startswith("1") else stored
    if len(digits) == 10 and digits.isdigit():
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return stored


def email(value: Any, field: str = "email") -> str:
    text = _as_text(field, value).strip()
    if not text:
        raise ValidationError(field, "Please enter an e-mail address.", code="email_empty")
    if len(text) > 254 or not _EMAIL.match(text):
        raise ValidationError(
            field,
            "Please check the e-mail address, for example name@example.com.",
            code="email_format",
        )
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _fold(letter: str) -> str:
    """Compare initials without case or accents: Ñ matches N, é matches E."""
    decomposed = unicodedata.normalize("NFD", letter)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def expected_initials(first: str, last: str) -> str:
    return _fold(first.strip()[:1]) + _fold(last.strip()[:1])


def _word_initials(name: str) -> list[str]:
    return [_fold(w[0]) for w in re.split(r"[ \-]+", name.strip()) if w and w[0].isalpha()]


def _initials_fit(typed: str, first_name: str, last_name: str) -> bool:
    """First letter: the first name's. Then any middle initials, then the initial of a family
    name part followed only by initials of the parts after it. So "García López" accepts AG and
    AGL, "de la Cruz" JC and JDLC, "José García" JMG (a middle name); "ZX" is refused."""
    firsts, lasts = _word_initials(first_name), _word_initials(last_name)
    if not firsts or not lasts or typed[0] != firsts[0]:
        return False
    for k in range(1, len(typed)):
        for j, part in enumerate(lasts):
            if part != typed[k]:
                continue
            rest, i = typed[k + 1 :], j + 1
            ok = True
            for letter in rest:
                while i < len(lasts) and lasts[i] != letter:
                    i += 1
                if i == len(lasts):
                    ok = False
                    break
                i += 1
            if ok:
                return True
    return False


def initials(value: Any, first_name: str, last_name: str, field: str = "initials") -> str:
    """Initials must be the first letters of the given first and last names (case and accents ignored)."""
    text = _as_text(field, value).replace(".", "").replace(" ", "")
    if not text:
        raise ValidationError(field, "Please type your initials.", code="initials_empty")
    if not text.isalpha() or len(text) > 4:
        raise ValidationError(
            field,
            "Please type only the letters of your initials, for example AB.",
            code="initials_letters",
        )
    folded = _fold(text)
    want = expected_initials(first_name, last_name)
    if len(want) < 2:
        raise ValidationError(
            field,
            "We need the full name before initials can be checked; please ask a member of staff.",
            code="initials_no_name",
        )
    if len(folded) < 2 or not _initials_fit(folded, first_name, last_name):
        raise ValidationError(
            field,
            f"These initials do not match the name {first_name} {last_name}; please type {want}.",
            code="initials_mismatch",
            name=f"{first_name} {last_name}",
            initials=want,
        )
    return folded


def choice(value: Any, allowed: list[str] | tuple[str, ...], field: str = "choice") -> str:
    if value not in allowed:
        raise ValidationError(field, "Please choose one of the answers.", code="choose_one")
    return str(value)


def multi(
    value: Any,
    allowed: list[str] | tuple[str, ...],
    exclusive: tuple[str, ...] = (),
    field: str = "multi",
    required: bool = True,
) -> list[str]:
    if value is None:
        value = []
    if not isinstance(value, list | tuple | set | frozenset) or not all(
        isinstance(v, str) for v in value
    ):
        raise ValidationError(field, "Please choose from the list.", code="choose_from_list")
    picked = [v for v in allowed if v in set(value)]
    if len(picked) != len(set(value)):
        raise ValidationError(field, "Please choose from the list.", code="choose_from_list")
    if required and not picked:
        raise ValidationError(
            field, "Please choose at least one answer.", code="choose_at_least_one"
        )
    if any(e in picked for e in exclusive) and len(picked) > 1:
        raise ValidationError(
            field,
            "That answer cannot be combined with the others; please choose again.",
            code="choose_exclusive",
        )
    return picked


Validator = Callable[..., Any]
