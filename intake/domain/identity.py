"""Who the patient is: the patient record's legal name and date of birth, not what was typed.

Minor status, the guardian requirement, re-consent at 18 and every date-based rule follow the
date of birth on the record (the one that unlocked the visit). What a patient types at the kiosk
that differs from the record is a proposal for staff to accept or reject, never a fact.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from intake.domain.validation import format_phone

# The answers the patient record decides; typing cannot change them.
IDENTITY_FIELDS = ("first_name", "last_name", "date_of_birth")
# Contact details the patient may give or correct at the kiosk; they update the record.
CONTACT_FIELDS = ("phone", "email")
# Kept with the visit's answers while staff have not yet decided on them.
PROPOSED = {field: f"proposed_{field}" for field in IDENTITY_FIELDS}
DOB_DISPUTED = "date_of_birth_disputed"
PROPOSAL_KEYS = (*PROPOSED.values(), DOB_DISPUTED)
# The needs-staff reason of a visit paused for an identity check.
REASON = "identity"


def with_record_identity(answers: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with the record's legal name and date of birth in place of any typed ones."""
    out = dict(answers)
    for field in IDENTITY_FIELDS:
        if record.get(field) not in (None, ""):
            out[field] = record[field]
    return out


def differences(typed: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    """The identity fields typed differently from the record: field -> typed value."""
    out = {}
    for field in IDENTITY_FIELDS:
        value, held = typed.get(field), record.get(field)
        if value in (None, "") or value == held:
            continue
        if (
            field != "date_of_birth"
            and isinstance(value, str)
            and same_name(value, str(held or ""))
        ):
            continue  # "maya" for "Maya", or a curly apostrophe: the same name, as recorded
        out[field] = value
    return out


def contact_updates(typed: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, str]:
    """Phone and e-mail given at the kiosk that the record does not hold yet (a blank keeps it)."""

    def same(field: str, a: str, b: str) -> bool:
        if field == "email":
            return a.casefold() == b.casefold()
        return format_phone(a) == format_phone(b)  # "+1 555 010 2233" is "(555) 010-2233"

    return {
        field: str(typed[field])
        for field in CONTACT_FIELDS
        if typed.get(field) not in (None, "")
        and not same(field, str(typed[field]), str(record.get(field) or ""))
    }


def pending(answers: Mapping[str, Any]) -> bool:
    """Whether a proposal about the patient's identity waits for staff."""
    return any(answers.get(key) not in (None, "", False) for key in PROPOSAL_KEYS)


def name_words(name: str) -> list[str]:
    """A name's words, compared as people write them: no case, accents, hyphens or apostrophes."""
    decomposed = unicodedata.normalize("NFD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    for mark in "'’ʼ´`":
        plain = plain.replace(mark, "")
    return plain.replace("-", " ").replace(".", " ").split()


def same_name(a: str, b: str) -> bool:
    """Whether two spellings are the same name: only case and the apostrophe typed differ.

    Accents count: "Zoe" for "Zoë" may be a real correction, for staff to see.
    """

    def loose(name: str) -> str:
        text = unicodedata.normalize("NFC", name).casefold()
        for mark in "’ʼ´`":
            text = text.replace(mark, "'")
        return " ".join(text.split())

    return loose(a) == loose(b)


def signs_as(printed: str, first: str, last: str) -> bool:
    """Whether a printed signature name is this person's: every word of the first and last name
    is there (a middle name may be added), in whatever case and with or without accents."""
    words = name_words(printed)
    wanted = name_words(first) + name_words(last)
    return bool(wanted) and all(w in words for w in wanted)
