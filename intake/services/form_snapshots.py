"""The risks form as each visit used it, kept so a signed record is drawn as it was signed.

A visit starts (and is signed) under the risks form loaded then; its ``form_versions`` name that
version and the form's hash. When the clinic later loads a changed form, a visit signed under the
earlier one (and, say, waiting for its countersignature) is still built and rendered from the
statements it was signed under: ``keep_risks`` stores the loaded form's content the first time a
visit uses it (append-only, addressed by the SHA-256 of the content, its creation audited), and
``forms_as_used`` gives the form set with that content in place of the loaded risks form, after
checking its hash. ``problems`` is what ``audit verify`` says of every kept form.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from intake.forms.model import FormSet
from intake.forms.snapshot import (
    SnapshotTampered,
    risks_from_snapshot,
    risks_snapshot,
    snapshot_sha256,
)
from intake.services.errors import RecordMismatch
from intake.store import audit
from intake.store.models import AuditEvent, FormSnapshot

ENTITY = "form_snapshot"
TAMPERED_MESSAGE = (
    "The risk statements this visit was signed under, as kept in the database, no longer match"
    " their hash (form snapshot {sha}), so its consent cannot be shown as signed. Please tell the"
    " clinic's administrator (`main.py audit verify` names it)."
)
MISSING_MESSAGE = (
    "The risk statements this visit was signed under were kept in the database (form snapshot"
    " {sha}) but are no longer there, so its consent cannot be shown as signed. Please tell the"
    " clinic's administrator (`main.py audit verify` names it)."
)


class SnapshotRefused(RecordMismatch):
    """A kept form's content was changed after it was kept: nothing is drawn from it."""

    code = "snapshot_tampered"


def keep_risks(s: Session, forms: FormSet, *, actor: str, station: str, at: Any) -> str | None:
    """Keep the loaded risks form's content unless it is kept already; its SHA-256 when new."""
    form = forms.risks
    found = s.scalar(
        select(FormSnapshot.sha256).where(
            FormSnapshot.form_id == form.meta.id, FormSnapshot.form_sha256 == form.meta.sha256
        )
    )
    if found is not None:
        return None
    content = risks_snapshot(form)
    sha = snapshot_sha256(content)
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    # Two stations starting a visit at the same moment: the second finds the row and adds none.
    added = s.execute(
        dialect.insert(FormSnapshot)
        .values(
            sha256=sha,
            form_id=form.meta.id,
            version=form.meta.version,
            form_sha256=form.meta.sha256,
            content=content,
            created_at=at,
        )
        .on_conflict_do_nothing()
    )
    if not getattr(added, "rowcount", 0):
        return None
    audit.append(
        s,
        actor=actor,
        station=station,
        action="create",
        entity=ENTITY,
        entity_id=sha,
        detail={
            "form": form.meta.id,
            "version": form.meta.version,
            "form_sha256": form.meta.sha256,
        },
        at=at,
    )
    return sha


def _recorded(s: Session, sha: str) -> bool:
    return (
        s.scalar(
            select(AuditEvent.seq)
            .where(
                AuditEvent.entity == ENTITY,
                AuditEvent.entity_id == sha,
                AuditEvent.action == "create",
            )
            .limit(1)
        )
        is not None
    )


def _kept_creations(s: Session) -> dict[str, dict[str, Any]]:
    """Every kept form's creation the audit trail recorded: its SHA-256 and the event's detail."""
    return {
        str(entity_id): dict(detail or {})
        for entity_id, detail in s.execute(
            select(AuditEvent.entity_id, AuditEvent.detail).where(
                AuditEvent.entity == ENTITY, AuditEvent.action == "create"
            )
        )
    }


def forms_as_used(s: Session, forms: FormSet, form_versions: Mapping[str, Any]) -> FormSet:
    """``forms`` with the risks form a visit recorded in ``form_versions`` in place of the loaded
    one, when they differ and its content was kept; ``forms`` unchanged otherwise.

    Raises SnapshotRefused when the kept content does not hash to the SHA-256 it is kept under,
    or when the audit trail never recorded keeping it, or when the audit trail recorded keeping
    it but it is no longer in the database.
    """
    recorded = form_versions.get("risks")
    if not recorded or len(recorded) < 2 or not recorded[1]:
        return forms
    form_sha = str(recorded[1])
    if form_sha == forms.risks.meta.sha256:
        return forms
    row = s.scalars(
        select(FormSnapshot).where(
            FormSnapshot.form_id == "risks", FormSnapshot.form_sha256 == form_sha
        )
    ).first()
    if row is None:
        for sha, detail in _kept_creations(s).items():
            if detail.get("form") == "risks" and detail.get("form_sha256") == form_sha:
                raise SnapshotRefused(MISSING_MESSAGE.format(sha=sha[:12]), code="snapshot_missing")
        return forms  # signed before forms were kept: the loaded form must match
    try:
        risks = risks_from_snapshot(row.content, row.sha256)
    except SnapshotTampered:
        raise SnapshotRefused(TAMPERED_MESSAGE.format(sha=row.sha256[:12])) from None
    if risks.meta.sha256 != form_sha or not _recorded(s, row.sha256):
        raise SnapshotRefused(TAMPERED_MESSAGE.format(sha=row.sha256[:12]))
    return dataclasses.replace(forms, risks=risks)


def problems(s: Session) -> list[str]:
    """One line per kept form whose content no longer matches its hash or the audit trail, and
    per kept form the audit trail recorded that is no longer in the database."""
    created = _kept_creations(s)
    out = []
    rows = list(s.scalars(select(FormSnapshot).order_by(FormSnapshot.sha256)))
    present = {row.sha256 for row in rows}
    for sha in sorted(set(created) - present):
        detail = created[sha]
        out.append(
            f"form snapshot {sha} ({detail.get('form')} {detail.get('version')}): the audit trail"
            " recorded keeping it but it is missing from the database (deleted after it was kept)"
        )
    for row in rows:
        name = f"form snapshot {row.sha256} ({row.form_id} {row.version})"
        try:
            risks = risks_from_snapshot(row.content, row.sha256)
        except SnapshotTampered:
            out.append(f"{name}: its content does not match its hash (changed after it was kept)")
            continue
        event = created.get(row.sha256)
        if event is None:
            out.append(f"{name}: the audit trail has no record of it being kept")
        elif (
            event.get("form_sha256") != row.form_sha256
            or risks.meta.sha256 != row.form_sha256
            or risks.meta.version != row.version
        ):
            out.append(f"{name}: it is not the form version the audit trail recorded keeping")
    return out
