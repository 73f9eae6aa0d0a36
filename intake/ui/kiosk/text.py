"""The kiosk's own texts (the forms carry their own): thin wrappers over the message catalogue.

The services and the domain give their messages in English, each with a code and its values
(``intake.domain.errors.Coded``, ``ServiceError.said``); ``message()`` words them from the
catalogue (``kiosk.error_<code>``) in the patient's language, so that an error never switches
language on them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from intake import i18n
from intake.domain.errors import Coded
from intake.domain.kinds import SignerRole

if TYPE_CHECKING:
    from intake.domain.wizard import Place
    from intake.services.completeness import Missing
    from intake.services.kiosk_payloads import ViewState

# The kiosk's texts are the catalogue's "kiosk" area (resources/messages/kiosk.<lang>.toml).
AREA = "kiosk"
LANGS = i18n.codes()  # the real languages; the kiosk offers i18n.offered() (pseudo when asked)
LANGUAGE_NAMES = {lang.code: lang.name for lang in i18n.languages(pseudo=True)}
# The refusal said when a message carries no code the catalogue words: "ask for help".
GENERIC = "refused"


class Worded(str):
    """A text already in the patient's language, from the catalogue: ``message`` keeps it."""


def t(key: str, lang: str, **values: object) -> str:
    """The kiosk's message ``key`` in ``lang`` (a ``Worded`` text)."""
    return Worded(i18n.tr(f"{AREA}.{key}", lang, **values))


def tn(key: str, lang: str, count: int, **values: object) -> str:
    """A text that names a number, in the plural form the language's rules give for ``count``
    ("1 pregunta", "0 preguntas")."""
    return Worded(i18n.tr(f"{AREA}.{key}", lang, count=count, **values))


def has(key: str) -> bool:
    return i18n.has(f"{AREA}.{key}")


def missing_text(item: Missing, lang: str, question_text: str = "") -> str:
    """One thing a visit still lacks, in words (``question_text``: the question's own words)."""
    kind = item.kind.value
    if kind in ("acknowledgement", "signature"):
        signers = (SignerRole.PATIENT, SignerRole.GUARDIAN)
        role = item.role if item.role in signers else SignerRole.PATIENT
        return t(f"missing_{kind}_{role}", lang, id=item.id)
    if kind == "question":
        return t("missing_question", lang, name=question_text or item.id)
    return t(f"missing_{kind}", lang)


def progress_text(place: Place, lang: str) -> str:
    """The progress line: the part of the visit and, inside a part of many pages, which one."""
    section = t(f"section_{place.section}", lang)
    values = {"n": place.part, "total": place.parts, "section": section}
    if not place.unit or not place.total:
        return t("progress", lang, **values)
    if place.n == 0:
        where = tn(f"place_{place.unit}_ahead", lang, place.total)
    else:
        where = t(f"place_{place.unit}", lang, n=place.n, total=place.total)
    return t("progress_place", lang, place=where, **values)


def refusal_text(code: str, params: Mapping[str, Any], lang: str) -> str | None:
    """A refusal or a validation problem by its code, in the kiosk's own words (values:
    ``params``; a plural text counts ``minutes`` or ``seconds``); None when the catalogue has
    no ``error_<code>``."""
    key = f"error_{code}"
    if not has(key):
        return None
    count = params.get("minutes", params.get("seconds"))
    if isinstance(count, int):
        return tn(key, lang, count, **params)
    return t(key, lang, **params)


def worded(view: ViewState, lang: str) -> ViewState:
    """The view with every error in the patient's words (``message``); a plain text beside a
    service's refusal (``view.problem``) is worded by the refusal's code."""
    if not view.errors:
        return view
    problem = view.problem

    def word(text: str) -> str:
        if problem is not None and text and not isinstance(text, Coded | Worded):
            text = Coded(text, problem.code, **problem.params)
        return message(text, lang)

    return dataclasses.replace(view, errors={k: word(v) for k, v in view.errors.items()})


def message(text: str, lang: str) -> str:
    """A service's or the domain's message in the patient's language, by the code it carries
    (``Coded``, ``ServiceError.said``); a text the kiosk already worded is kept as it is.

    A message without a code, or with one the catalogue has no words for, is never shown in
    the services' English: the patient is told, in their language, to ask for help.
    """
    if not text or isinstance(text, Worded):
        return text
    if isinstance(text, Coded):
        said = refusal_text(text.code, text.params, lang)
        if said is not None:
            return said
    return t(f"error_{GENERIC}", lang)
