"""A form's content as a visit was signed under it, kept so the record can be shown as signed.

The risk statements a visit's consent shows must be the ones the patient acknowledged, whatever
version of the risks form is loaded later. ``risks_snapshot`` writes the loaded form as canonical
JSON (the text addressed by its SHA-256); ``risks_from_snapshot`` reads it back, refusing text
whose hash is not the one it is stored under.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from intake.forms import model as m

FORMAT = 1


class SnapshotTampered(ValueError):
    """A stored snapshot's content does not hash to the SHA-256 it is stored under."""


def snapshot_sha256(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _text(text: m.Text | None) -> list[list[str]] | None:
    return None if text is None else [[lang, value] for lang, value in text.values]


def _untext(data: Any) -> m.Text | None:
    if data is None:
        return None
    return m.Text(tuple((str(lang), str(value)) for lang, value in data))


def _plain(value: Any) -> Any:
    """A condition as JSON: dates (the only non-JSON value a TOML condition can hold) tagged."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    return value


def _unplain(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$date"}:
            return dt.date.fromisoformat(value["$date"])
        return {k: _unplain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unplain(v) for v in value]
    return value


def risks_snapshot(form: m.RisksForm) -> str:
    """The risk statements form as canonical JSON (same form, same text)."""
    meta = form.meta
    data = {
        "format": FORMAT,
        "meta": {
            "id": meta.id,
            "kind": meta.kind,
            "version": meta.version,
            "effective": meta.effective.isoformat(),
            "languages": list(meta.languages),
            "sha256": meta.sha256,
            "path": meta.path,
        },
        "topics": [
            {
                "id": t.id,
                "title": _text(t.title),
                "intro": _text(t.intro),
                "statements": [
                    {
                        "id": s.id,
                        "topic": s.topic,
                        "text": _text(s.text),
                        "applies_if": _plain(s.applies_if),
                        "audience": s.audience,
                    }
                    for s in t.statements
                ],
            }
            for t in form.topics
        ],
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def risks_from_snapshot(content: str, sha256: str) -> m.RisksForm:
    """The form kept in ``content``; SnapshotTampered when it does not hash to ``sha256``."""
    if snapshot_sha256(content) != sha256:
        raise SnapshotTampered(
            f"the kept form content {sha256[:12]} does not match its hash (it was changed after"
            " it was kept)"
        )
    try:
        data = json.loads(content)
        meta = data["meta"]
        form_meta = m.FormMeta(
            str(meta["id"]),
            str(meta["kind"]),
            str(meta["version"]),
            dt.date.fromisoformat(meta["effective"]),
            tuple(meta["languages"]),
            str(meta["sha256"]),
            str(meta["path"]),
        )
        topics = []
        for t in data["topics"]:
            statements = tuple(
                m.Statement(
                    str(s["id"]),
                    str(s["topic"]),
                    _untext(s["text"]) or m.Text.of(en="?"),
                    _unplain(s["applies_if"]),
                    str(s["audience"]),
                )
                for s in t["statements"]
            )
            topics.append(
                m.Topic(
                    str(t["id"]),
                    _untext(t["title"]) or m.Text.of(en="?"),
                    statements,
                    _untext(t["intro"]),
                )
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotTampered(
            f"the kept form content {sha256[:12]} cannot be read ({type(exc).__name__})"
        ) from exc
    return m.RisksForm(form_meta, tuple(topics))
