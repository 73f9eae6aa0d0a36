"""The documents' own words (headings, labels, footers) in each language; form texts stay in forms/."""

from __future__ import annotations

import re

from intake import i18n
from intake.domain.records import ConsentRecord

# The documents' own words are the catalogue's "documents" area
# (resources/messages/documents.<lang>.toml); ``_ui(lang)`` gives them by key, unfilled.
AREA = "documents"


class _Texts(dict[str, dict[str, str]]):
    """The documents' texts in every language, by language code (``UI["en"]["page"]``)."""

    def __missing__(self, lang: str) -> dict[str, str]:
        texts = i18n.area_texts(AREA, lang)
        self[lang] = texts
        return texts


UI: dict[str, dict[str, str]] = _Texts()


def language_name(code: str, in_lang: str) -> str:
    """A language's name as a document in ``in_lang`` writes it ("Spanish", "español")."""
    lang, reader = i18n.language(code), i18n.language(in_lang)
    if reader.is_pseudo:
        return i18n.pseudo_text(language_name(code, reader.pseudo_of))
    base = i18n.language(lang.pseudo_of or code).babel.language
    return str(reader.babel.languages.get(base, code))


SIGNATURE_ROLES = ("patient", "guardian", "clinician")
MEDICINE_QUESTIONS = ("takes_vitamin_a", "takes_tetracycline", "other_medicines")
INTERACTION_FLAGS = ("vitamin_a", "tetracycline")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _ui(lang: str) -> dict[str, str]:
    return UI[lang]


FEMALE_SUFFIX = "_female"


def _ui_for(record: ConsentRecord) -> dict[str, str]:
    """The documents' words for this patient: where a language words "the patient" by gender
    ("la paciente" in Spanish), a woman's record takes the ``<key>_female`` messages."""
    ui = _ui(record.lang)
    if record.patient.sex_at_birth != "female":
        return ui
    return ui | {
        key.removesuffix(FEMALE_SUFFIX): text
        for key, text in ui.items()
        if key.endswith(FEMALE_SUFFIX)
    }
