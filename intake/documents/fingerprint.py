"""A stable digest of a consent record, printed on every page of the documents made from it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import hashlib
import json
from typing import Any

from intake.domain.records import ConsentRecord

FINGERPRINT_LENGTH = 12
# What each page's QR code holds: format tag and version, document id, issue, fingerprint.
CHECK_TAG = "RPMDOC"
CHECK_VERSION = 1
_NATIVE = (str, int, float, bool, type(None))


def _signed_fields(value: Any) -> list[dataclasses.Field[Any]]:
    """The fields a record's fingerprint covers: all but those marked ``UNSIGNED`` (a flag's
    catalogue message, which words again what its stored text says), and those marked
    ``SIGNED_WHEN_SET`` only when they differ from their default (an acknowledgement read
    aloud, a re-consent's details: every record without one keeps the fingerprint it had before
    the field existed)."""
    out = []
    for f in dataclasses.fields(value):
        signed = f.metadata.get("fingerprint", True)
        if signed == "when_set":
            signed = getattr(value, f.name) != f.default
        if signed:
            out.append(f)
    return out


def _tree(value: Any) -> Any:
    """The record as plain JSON values, like ``dataclasses.asdict`` but without its deep copies."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _tree(getattr(value, f.name)) for f in _signed_fields(value)}
    if isinstance(value, dict):
        return {str(k): _tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        # Signature strokes are thousands of number pairs: skip the recursion for those.
        if all(type(v) in _NATIVE for v in value):
            return list(value)
        return [_tree(v) for v in value]
    if isinstance(value, set | frozenset):
        # Sets have no order of their own: sort so the order cannot change the hash.
        return sorted((_tree(v) for v in value), key=repr)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def _plain_one(value: Any) -> Any:
    """One level of ``_tree``, for the JSON encoder's ``default``: it walks the rest in C."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in _signed_fields(value)}
    if isinstance(value, set | frozenset):
        return sorted((_tree(v) for v in value), key=repr)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def canonical_record(record: ConsentRecord) -> bytes:
    """The record as canonical JSON: sorted keys, no spaces, UTF-8.

    Same bytes as ``json.dumps(_tree(record))``, built by the C encoder calling back only for
    dataclasses, dates and sets (a test holds the two to the same output).
    """
    return json.dumps(
        record, default=_plain_one, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def record_sha256(record: ConsentRecord) -> str:
    return hashlib.sha256(canonical_record(record)).hexdigest()


def record_fingerprint(record: ConsentRecord) -> str:
    """First 12 hex digits of the record's SHA-256: short enough to read aloud, long enough to tell apart."""
    return record_sha256(record)[:FINGERPRINT_LENGTH]


def check_payload(document_id: str, issue: int, fingerprint: str) -> str:
    """The text of a page's QR code: ``RPMDOC:1:<document id>:<issue>:<fingerprint>``.

    The fingerprint is the first 12 hex digits of the SHA-256 of the record the document was
    drawn from (``record_sha256``), the one the footer prints; the SHA-256 of the sealed file
    cannot be inside the file it is the hash of.
    """
    return f"{CHECK_TAG}:{CHECK_VERSION}:{document_id}:{issue}:{fingerprint}"


@dataclasses.dataclass(frozen=True)
class CheckText:
    """What a person typed or a scanner read off a paper copy, taken apart."""

    document_id: str | None = None
    issue: int | None = None
    fingerprint: str | None = None


_HEX = frozenset("0123456789abcdef")


def parse_check_text(text: str) -> CheckText | None:
    """A QR payload, a document id or a printed fingerprint; None when it is none of those.

    Scanners type what they read and often add spaces, a newline or change the case.
    """
    raw = "".join(text.split())
    if not raw or len(raw) > 200:
        return None
    parts = raw.split(":")
    if parts[0].upper() == CHECK_TAG:
        if len(parts) != 5 or parts[1] != str(CHECK_VERSION) or not parts[3].isdigit():
            return None
        fp = parts[4].lower()
        if len(fp) != FINGERPRINT_LENGTH or not set(fp) <= _HEX or not parts[2]:
            return None
        return CheckText(parts[2].lower(), int(parts[3]), fp)
    if len(parts) != 1:
        return None
    low = raw.lower()
    if len(low) == FINGERPRINT_LENGTH and set(low) <= _HEX:
        return CheckText(fingerprint=low)
    if len(low) == 36 and set(low.replace("-", "")) <= _HEX and low.count("-") == 4:
        return CheckText(document_id=low)
    return None
