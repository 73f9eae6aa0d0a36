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
_NATIVE = (str, int, float, bool, type(None))


def _tree(value: Any) -> Any:
    """The record as plain JSON values, like ``dataclasses.asdict`` but without its deep copies."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _tree(getattr(value, f.name)) for f in dataclasses.fields(value)}
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
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
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
