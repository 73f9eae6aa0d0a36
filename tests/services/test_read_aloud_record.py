"""A statement read aloud at the kiosk is recorded with its acknowledgement: stored, in the signed
content and the record's fingerprint (only where true, so every earlier record hashes as it did),
and marked on the consent."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader

from intake.documents.fingerprint import canonical_record
from intake.domain import rules
from intake.domain.records import AcknowledgementRecord
from intake.services.audit import AuditService
from intake.services.documents import DocumentService
from intake.services.records import build_record
from intake.services.scripted import ScriptedPatient, signature_strokes, walk_visit
from intake.services.visits import VisitService
from intake.store.models import Acknowledgement, AuditEvent, Visit


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _walk_with_one_listened(ctx, patient: ScriptedPatient) -> tuple[str, str, object]:  # type: ignore[no-untyped-def]
    """A visit whose first statement the patient listened to before initialling it (the kiosk
    sends it so when "Listen" was pressed), then signed."""
    vid, kiosk, _ = walk_visit(ctx, patient, sign=False)
    visits = VisitService(ctx)
    facts = visits.draft(kiosk, vid).facts()
    first = rules.applicable_statements(ctx.forms.risks, facts)[0].id
    mine = rules.expected_initials_for(patient.first_name, patient.last_name)
    visits.acknowledge(kiosk, vid, first, "patient", mine, page_seconds=20.0, read_aloud=True)
    name = f"{patient.first_name} {patient.last_name}"
    visits.sign(kiosk, vid, "patient", name, signature_strokes(), 600, 200)
    return vid, first, kiosk


def test_read_aloud_is_stored_signed_and_shown_on_the_consent(ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient()
    vid, first, kiosk = _walk_with_one_listened(ctx, patient)
    with ctx.db.session() as s:
        rows = s.query(Acknowledgement).filter_by(visit_id=vid).order_by(Acknowledgement.id).all()
        assert [r.read_aloud for r in rows if r.statement_id == first] == [False, True]
        assert not any(r.read_aloud for r in rows if r.statement_id != first)
        listened_row = next(r.id for r in rows if r.read_aloud)
        record = build_record(s, ctx.forms, vid)
        details = [
            e.detail for e in s.query(AuditEvent).filter_by(entity_id=vid, action="acknowledge")
        ]
    listened_events = [d for d in details if d.get("read_aloud")]
    assert [(d["statement"], d["by"], d["row"]) for d in listened_events] == [
        (first, "patient", listened_row)
    ]
    listened = [a.statement_id for a in record.acknowledgements if a.read_aloud]
    assert listened == [first]
    consent = DocumentService(ctx).issue_documents(kiosk, vid)[0]  # type: ignore[arg-type]
    assert consent.kind == "consent"
    with ctx.db.session() as s:
        from intake.store.models import Document

        pdf = s.get(Document, consent.id).pdf  # type: ignore[union-attr]
    assert _text(pdf).count("read aloud") == 1
    assert AuditService(ctx).verify().intact


def test_the_spanish_consent_says_leida_en_voz_alta(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _first, kiosk = _walk_with_one_listened(sqlite_ctx, ScriptedPatient(lang="es"))
    consent = DocumentService(sqlite_ctx).issue_documents(kiosk, vid)[0]  # type: ignore[arg-type]
    with sqlite_ctx.db.session() as s:
        from intake.store.models import Document

        pdf = s.get(Document, consent.id).pdf  # type: ignore[union-attr]
    text = " ".join(_text(pdf).split())
    assert text.count("leída en voz alta") == 1


def test_read_aloud_is_in_the_signed_content_only_where_true(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, first, _ = _walk_with_one_listened(sqlite_ctx, ScriptedPatient())
    visits = VisitService(sqlite_ctx)
    with sqlite_ctx.db.session() as s:
        visit = s.get(Visit, vid)
        content = visits._content(s, visit)
        assert visits.content_hash(s, visit) == visit.record_sha256
    marked = [a for a in content["acknowledgements"] if "read_aloud" in a]
    assert marked == [next(a for a in marked if a["statement"] == first)]
    assert marked[0]["read_aloud"] is True
    # Every other acknowledgement has exactly the keys it had before read-aloud existed.
    others = [a for a in content["acknowledgements"] if "read_aloud" not in a]
    assert others and all(set(a) == {"statement", "by", "initials", "at"} for a in others)


def test_a_record_fingerprint_covers_read_aloud_only_when_set() -> None:
    at = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC)
    read = AcknowledgementRecord("purpose.indication", "patient", "ML", at)
    heard = dataclasses.replace(read, read_aloud=True)
    as_before = {"statement_id": "purpose.indication", "by": "patient", "initials": "ML"}
    assert json.loads(canonical_record(read)) == {**as_before, "at": at.isoformat()}  # type: ignore[arg-type]
    assert json.loads(canonical_record(heard))["read_aloud"] is True  # type: ignore[arg-type]
    assert canonical_record(read) != canonical_record(heard)  # type: ignore[arg-type]


@pytest.mark.parametrize("to", [True, False])
def test_read_aloud_edited_in_the_database_is_caught(ctx, to: bool) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text
    from test_tamper_evidence import _drop_triggers

    vid, first, _ = _walk_with_one_listened(ctx, ScriptedPatient())
    assert AuditService(ctx).verify().intact
    _drop_triggers(ctx)
    with ctx.db.engine.begin() as conn:
        changed = conn.execute(
            text(
                "UPDATE acknowledgements SET read_aloud = :to WHERE visit_id = :id"
                " AND read_aloud = :was"
            ),
            {"to": to, "was": not to, "id": vid},
        ).rowcount
    assert changed >= 1
    report = AuditService(ctx).verify()
    assert not report.intact
    assert any(p.startswith("visit ") and vid in p for p in report.problems), report.problems
