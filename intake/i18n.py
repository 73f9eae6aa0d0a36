"""The program's own words in every language: one message catalogue, one language registry.

Every text the program itself shows or prints (the forms carry their own, in ``forms/``) is a
message id, looked up with ``tr(msg_id, lang, **args)``. Plain Python with Babel: no Qt, SQL or
PDF code, so the domain, the documents and the kiosk all use it.

Why TOML files and not Fluent (``.ftl``)
    The clinic already edits its forms as TOML, so a translator meets one syntax, read by the
    standard library. The placeholders stay Python's ``{name}``, exactly as the code formats them,
    and no number is reformatted behind the caller's back (Fluent groups every number it is
    given: a year would print as "2,026"), so moving the texts here changed no rendered byte. What
    Fluent would add, plural forms and number formats, comes from Babel below.

Files
    ``resources/messages/<area>.<lang>.toml``, one per area (``kiosk``, ``documents``, ``flags``)
    and language; a message's id is ``<area>.<key>``. A value is one of::

        back = "Back"                                   # a text
        quiz_intro.one = "There is 1 question."         # plural forms, one per CLDR category
        quiz_intro.other = "There are {count} questions."
        mood = { text = "PHQ-9 {total}", leaves_out = ["band"] }   # a translation that says less

    A plural message is chosen by its ``count`` argument, with the categories of the language's
    Babel locale (Spanish: one, many, other). A translation may leave out a placeholder of the
    source text only where ``leaves_out`` says so; the tests fail on any other difference.

``resources/messages/languages.toml`` is the registry of languages: everything else asks it
instead of naming "en" or "es". A missing id raises ``MissingMessage``: no silent fallback.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import get_day_names, get_month_names
from babel.numbers import format_decimal

MESSAGES_DIR = Path(__file__).resolve().parents[1] / "resources" / "messages"
REGISTRY = MESSAGES_DIR / "languages.toml"
PSEUDO_ENV = "INTAKE_PSEUDO_LOCALE"
CATEGORIES = ("zero", "one", "two", "few", "many", "other")


class CatalogueError(ValueError):
    """A catalogue or registry file that cannot be read as messages (names the file and key)."""


class MissingMessage(KeyError):
    """A message id a language's catalogue does not have: a bug, never shown as a fallback."""


class UnknownLanguage(KeyError):
    """A language code the registry does not list."""


# --- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # its own name ("Español"); a pseudo-locale's is pseudo-accented
    locale: str  # Babel locale: plural rules, numbers, month and weekday names
    date_order: str = "mdy"  # how the kiosk asks for a date
    pseudo_of: str = ""  # a pseudo-locale: made from this language's texts

    @property
    def is_pseudo(self) -> bool:
        return bool(self.pseudo_of)

    @property
    def babel(self) -> Locale:
        return _babel_locale(self.locale)


@cache
def _babel_locale(name: str) -> Locale:
    return Locale.parse(name)


@cache
def _registry() -> tuple[Language, ...]:
    try:
        with REGISTRY.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{REGISTRY.name}: {exc}") from exc
    out: list[Language] = []
    for i, entry in enumerate(data.get("languages", [])):
        try:
            lang = Language(
                code=str(entry["code"]),
                name=str(entry["name"]),
                locale=str(entry["locale"]),
                date_order=str(entry.get("date_order", "mdy")),
                pseudo_of=str(entry.get("pseudo_of", "")),
            )
            lang.babel  # noqa: B018 - an unknown Babel locale is a registry error
        except (KeyError, ValueError, TypeError) as exc:
            raise CatalogueError(f"{REGISTRY.name}: languages[{i}]: {exc}") from exc
        if lang.date_order not in ("mdy", "dmy"):
            raise CatalogueError(f"{REGISTRY.name}: {lang.code}: date_order must be mdy or dmy")
        if lang.is_pseudo:
            lang = Language(
                lang.code, pseudo_text(lang.name), lang.locale, lang.date_order, lang.pseudo_of
            )
        out.append(lang)
    codes = [lang.code for lang in out]
    if not out or out[0].is_pseudo or len(set(codes)) != len(codes):
        raise CatalogueError(f"{REGISTRY.name}: needs a real first language and unique codes")
    for lang in out:
        if lang.is_pseudo and lang.pseudo_of not in codes:
            raise CatalogueError(f"{REGISTRY.name}: {lang.code}: unknown pseudo_of")
    return tuple(out)


def languages(*, pseudo: bool = False) -> tuple[Language, ...]:
    """The registered languages in order; pseudo-locales only when asked for."""
    return tuple(lang for lang in _registry() if pseudo or not lang.is_pseudo)


def codes(*, pseudo: bool = False) -> tuple[str, ...]:
    return tuple(lang.code for lang in languages(pseudo=pseudo))


def source_language() -> str:
    """The language every message and form text is written in first."""
    return _registry()[0].code


def language(code: str) -> Language:
    for lang in _registry():
        if lang.code == code:
            return lang
    raise UnknownLanguage(code)


def pseudo_enabled() -> bool:
    """Whether the kiosk offers the pseudo-locales (developers set INTAKE_PSEUDO_LOCALE=1)."""
    return os.environ.get(PSEUDO_ENV, "") == "1"


def offered() -> tuple[str, ...]:
    """The languages a patient can choose at the kiosk, in order."""
    return codes(pseudo=pseudo_enabled())


def base_language(code: str) -> str:
    """The real language whose texts a code uses: itself, or what a pseudo-locale is made from."""
    return language(code).pseudo_of or code


# --- the pseudo-locale --------------------------------------------------------------------------

PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"  # both in the embedded DejaVu fonts (domain.printable)
_ACCENTED = str.maketrans("aeiouyAEIOUY", "áéíóúýÁÉÍÓÚÝ")
_VOWELS = frozenset("áéíóúýÁÉÍÓÚÝ")
# Kept as written: format placeholders, markup tags, entities.
_PROTECTED = re.compile(r"\{[^{}]*\}|<[^<>]*>|&#?\w+;")
_LEAD = re.compile(r"^(\s*(?:- )?)")
PSEUDO_GROWTH = 0.3


def pseudo_text(text: str) -> str:
    """``text`` in the pseudo-locale: each line bracketed in ⟦ ⟧, its vowels accented, and about
    30% longer (some vowels doubled); placeholders, tags, indentation and bullets untouched."""
    return "\n".join(_pseudo_line(line) for line in text.split("\n"))


def _pseudo_line(line: str) -> str:
    if not line.strip():
        return line
    lead = _LEAD.match(line).group(1)  # type: ignore[union-attr]
    stripped = line[len(lead) :].rstrip()
    if stripped.startswith(PSEUDO_OPEN) and stripped.endswith(PSEUDO_CLOSE):
        return line  # already pseudo
    trail = line[len(lead) + len(stripped) :]
    parts: list[tuple[str, bool]] = []  # (text, protected)
    at = 0
    for m in _PROTECTED.finditer(stripped):
        parts.append((stripped[at : m.start()], False))
        parts.append((m.group(0), True))
        at = m.end()
    parts.append((stripped[at:], False))
    visible = sum(len(p) for p, protected in parts if not protected)
    need = max(0, math.ceil(visible * PSEUDO_GROWTH) - 2)  # the brackets count too
    vowels = sum(1 for p, protected in parts if not protected for c in p if c in "aeiouyAEIOUY")
    out: list[str] = []
    seen = doubled = 0
    for text, protected in parts:
        if protected:
            out.append(text)
            continue
        for char in text:
            accented = char.translate(_ACCENTED)
            out.append(accented)
            if accented in _VOWELS and char != accented:
                seen += 1
                # spread the doubled vowels evenly over the line
                if doubled < need and seen * need // max(vowels, 1) > doubled:
                    out.append(accented)
                    doubled += 1
    out.append("·" * (need - doubled))
    return f"{lead}{PSEUDO_OPEN}{''.join(out)}{PSEUDO_CLOSE}{trail}"


def is_pseudo(text: str) -> bool:
    """Whether every non-blank line of ``text`` went through ``pseudo_text``."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return bool(lines) and all(
        PSEUDO_OPEN in line and line.endswith(PSEUDO_CLOSE) for line in lines
    )


# --- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One message in one language: a text, or one text per CLDR plural category."""

    forms: Mapping[str, str]  # category -> text; a plain text is under "other"
    plural: bool = False
    leaves_out: frozenset[str] = field(default_factory=frozenset)
    where: str = ""  # file and key, for problem reports

    def placeholders(self) -> set[str]:
        return {name for text in self.forms.values() for name in placeholders(text)}


def placeholders(text: str) -> set[str]:
    """The names a format string fills in (``{name}``, ``{name:.1f}``)."""
    try:
        return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f}
    except ValueError:
        return set()


def _message(value: object, where: str) -> Message:
    if isinstance(value, str):
        return Message({"other": value}, where=where)
    if isinstance(value, dict) and "text" in value:
        inner = _message(value["text"], where)
        leaves = value.get("leaves_out", [])
        if set(value) - {"text", "leaves_out"} or not isinstance(leaves, list):
            raise CatalogueError(f"{where}: a table with text takes only text and leaves_out")
        return Message(inner.forms, inner.plural, frozenset(map(str, leaves)), where)
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        unknown = [k for k in value if k not in CATEGORIES]
        if unknown:
            raise CatalogueError(f"{where}: {unknown[0]!r} is not a CLDR plural category")
        if "other" not in value:
            raise CatalogueError(f"{where}: plural forms need an 'other'")
        return Message(dict(value), plural=True, where=where)
    raise CatalogueError(f"{where}: must be a text, plural forms or {{ text, leaves_out }}")


def catalogue_files(code: str) -> list[Path]:
    return sorted(MESSAGES_DIR.glob(f"*.{code}.toml"))


@cache
def catalogue(code: str) -> Mapping[str, Message]:
    """Every message of a language, by id; a pseudo-locale's are made from its base language."""
    lang = language(code)
    if lang.is_pseudo:
        return {
            msg_id: Message(
                {cat: pseudo_text(text) for cat, text in msg.forms.items()},
                msg.plural,
                where=f"{code} (from {msg.where})",
            )
            for msg_id, msg in catalogue(lang.pseudo_of).items()
        }
    out: dict[str, Message] = {}
    for path in catalogue_files(code):
        area = path.name.split(".")[0]
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise CatalogueError(f"{path.name}: {exc}") from exc
        for key, value in data.items():
            out[f"{area}.{key}"] = _message(value, f"{path.name}: {key}")
    return out


def _resolve(value: object, lang: Language) -> object:
    if isinstance(value, Localized):
        return value.get(lang.code)
    if isinstance(value, float | Decimal):
        return number(value, lang.code)
    return value


def _lookup(msg_id: str, code: str) -> tuple[Message, Language]:
    lang = language(code)
    msg = catalogue(code).get(msg_id)
    if msg is None:
        raise MissingMessage(f"{msg_id} (in {code})")
    return msg, lang


def tr(msg_id: str, lang: str, **args: object) -> str:
    """The message ``msg_id`` in ``lang``, its placeholders filled in.

    A plural message picks its form by ``count``. A ``Localized`` argument gives its text in
    ``lang``; a float or Decimal is written the language's way (``number``). An int is written
    as it is: counts are small, and ids and years are never grouped.
    """
    msg, language_ = _lookup(msg_id, lang)
    if msg.plural:
        if "count" not in args:
            raise TypeError(f"{msg_id} is a plural message: give it count=")
        text = msg.forms[plural_category(args["count"], lang)]  # type: ignore[arg-type]
    else:
        text = msg.forms["other"]
    if not args:
        return text
    return text.format(**{k: _resolve(v, language_) for k, v in args.items()})


def template(msg_id: str, lang: str, category: str = "other") -> str:
    """A message's text with its placeholders still in, for a caller that fills them later."""
    msg, _ = _lookup(msg_id, lang)
    return msg.forms[category]


def area_texts(area: str, lang: str) -> dict[str, str]:
    """Every plain message of ``area`` by key (``documents.page`` as ``page``), unfilled."""
    prefix = f"{area}."
    return {
        msg_id.removeprefix(prefix): msg.forms["other"]
        for msg_id, msg in catalogue(lang).items()
        if msg_id.startswith(prefix) and not msg.plural
    }


def has(msg_id: str, lang: str | None = None) -> bool:
    return msg_id in catalogue(lang or source_language())


@dataclass(frozen=True)
class Localized:
    """An argument that is itself worded per language (a lab's name from the clinic's form).

    A pseudo-locale takes its base language's text, pseudo-accented; a language it lacks is an
    error, as for a message."""

    by_lang: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, **by_lang: str) -> Localized:
        return cls(tuple(by_lang.items()))

    def get(self, code: str) -> str:
        lang = language(code)
        for have, text in self.by_lang:
            if have == (lang.pseudo_of or code):
                return pseudo_text(text) if lang.is_pseudo else text
        raise MissingMessage(f"argument has no {code}: {self.by_lang!r}")


# --- numbers, plurals, dates --------------------------------------------------------------------


def plural_category(count: int | float | Decimal, lang: str) -> str:
    """The CLDR plural category of ``count`` in ``lang`` ("one", "many", "other"...)."""
    return str(language(lang).babel.plural_form(count))


def plural_categories(lang: str) -> frozenset[str]:
    """Every category the language's plural rule can give (always with "other")."""
    return frozenset(language(lang).babel.plural_form.tags) | {"other"}


def number(value: int | float | Decimal, lang: str, *, places: int | None = None) -> str:
    """A number the language's way ("55.5" in English, "55,5" in Spanish); ``places``: at most
    that many decimals."""
    fmt = None if places is None else "#,##0." + "#" * places if places else "#,##0"
    return str(format_decimal(value, format=fmt, locale=language(lang).babel))


def month_name(month: int, lang: str) -> str:
    """A month's name as it stands in a date ("March", "marzo")."""
    return str(get_month_names("wide", context="format", locale=language(lang).babel)[month])


def weekday_name(value: dt.date, lang: str) -> str:
    return str(
        get_day_names("wide", context="format", locale=language(lang).babel)[value.weekday()]
    )


# --- checks -------------------------------------------------------------------------------------


def catalogue_problems() -> list[str]:
    """Everything wrong between the languages' catalogues, one line each (empty when sound).

    Every language has every id of the source language and no other; a message is plural in all
    or none, with exactly the plural categories of its language; a translation uses no
    placeholder the source lacks and leaves out only those it declares in ``leaves_out``.
    """
    problems: list[str] = []
    src_code = source_language()
    source = catalogue(src_code)
    src_areas = {p.name.split(".")[0] for p in catalogue_files(src_code)}
    for code in codes():
        areas = {p.name.split(".")[0] for p in catalogue_files(code)}
        for area in sorted(src_areas - areas):
            problems.append(f"{code}: no file {area}.{code}.toml")
        for area in sorted(areas - src_areas):
            problems.append(f"{code}: {area}.{code}.toml has no {src_code} file")
        cat = catalogue(code)
        for msg_id in sorted(set(source) - set(cat)):
            problems.append(f"{code}: missing {msg_id}")
        for msg_id in sorted(set(cat) - set(source)):
            problems.append(f"{code}: {msg_id} is not in {src_code}")
        wanted = plural_categories(code)
        for msg_id in sorted(set(cat) & set(source)):
            msg, src = cat[msg_id], source[msg_id]
            if msg.plural != src.plural:
                problems.append(f"{msg.where}: plural in one language and not the other")
            elif msg.plural and set(msg.forms) != wanted:
                problems.append(
                    f"{msg.where}: plural forms {sorted(msg.forms)}, {code} needs {sorted(wanted)}"
                )
            have, src_names = msg.placeholders(), src.placeholders()
            for name in sorted(have - src_names):
                problems.append(f"{msg.where}: {{{name}}} is not in the {src_code} text")
            for name in sorted(msg.leaves_out - src_names):
                problems.append(f"{msg.where}: leaves out {name!r}, which {src_code} lacks")
            for name in sorted(src_names - have - msg.leaves_out):
                problems.append(f"{msg.where}: {{{name}}} missing (or list it in leaves_out)")
            if code == src_code and msg.leaves_out:
                problems.append(f"{msg.where}: the source text leaves nothing out")
    return problems
