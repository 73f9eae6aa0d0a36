"""Countersigning renders and seals outside any transaction, then writes in one short one.

The documents it stores are the very bytes the countersign stored when it rendered inside its
write transaction; what changes between the read and the write is caught (rendered again once,
or refused), and nothing is ever half-written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from intake.documents.fingerprint import record_sha256
from intake.domain.records import SIGNATURE_MEANINGS
from intake.services import base
from intake.services.clinician import ClinicianService
from intake.services.context import Actor, AppContext
from intake.services.documents import DocumentService
from intake.services.errors import Conflict, Immutable, InvalidInput, SealingFailed
from intake.services.fhir import FhirService
from intake.services.records import build_record, document_id
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.services.visits import countersign_binding
from intake.store.models import AuditEvent, Document, Signature, Visit

KINDS = ("consent", "summary")


def _ready(ctx: AppContext) -> tuple[str, Actor, tuple[str, ...]]:
    """A submitted visit with its first documents, a dermatologist and the ticks they give."""
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    DocumentService(ctx).issue_documents(kiosk, vid)
    doctor = staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    return vid, doctor, review_everything(ctx, doctor, vid)


def _countersign(ctx: AppContext, doctor: Actor, vid: str, reviewed: tuple[str, ...]) -> Any:
    return DocumentService(ctx).countersign(
        doctor,
        vid,
        doctor.name,
        signature_strokes(seed=4),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=reviewed,
    )


def _inside_old_way(
    ctx: AppContext, doctor: Actor, vid: str, reviewed: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """What the countersign stored when it rendered inside its write transaction: the same
    statements, in the same order, in one transaction (rolled back here)."""
    service = DocumentService(ctx)
    now = ctx.now()
    out: dict[str, dict[str, Any]] = {}
    with ctx.db.session() as s:  # a read session: rolled back at the end
        visit = s.get(Visit, vid)
        assert visit is not None
        serious = [f for f in build_record(s, ctx.forms, vid).flags if f.must_review]
        assert len(serious) == len(reviewed)
        ticks = [{"flag": f.id, "text": f.text, "text_es": f.text_es} for f in serious]
        s.add(
            Signature(
                visit_id=vid,
                role="clinician",
                reviewed=ticks,
                printed_name=doctor.name,
                relationship="",
                meaning=SIGNATURE_MEANINGS["clinician"],
                signed_at=now,
                strokes=[[list(map(float, p)) for p in st] for st in signature_strokes(seed=4)],
                pad_width=600.0,
                pad_height=200.0,
                record_sha256=countersign_binding(visit.record_sha256, ticks),
                method="drawn",
                actor=doctor.id,
                station=ctx.station,
            )
        )
        visit.status = "countersigned"
        visit.countersigned_at = now
        visit.updated_at = now
        s.flush()
        countersigned = build_record(s, ctx.forms, vid)
        for kind in KINDS:
            previous = s.scalars(
                select(Document)
                .where(Document.visit_id == vid, Document.kind == kind)
                .order_by(Document.issue.desc())
                .limit(1)
            ).first()
            assert previous is not None
            issue = previous.issue + 1
            record = dataclasses.replace(
                countersigned,
                document_id=document_id(vid, kind, issue),
                created_at=now,
                supersedes=previous.id,
            )
            inside = FhirService(ctx).record_bundle_in(s, vid) if kind == "consent" else None
            pdf, pending = service._render(kind, record, issue, inside)
            out[kind] = {
                "id": record.document_id,
                "issue": issue,
                "pdf": pdf,
                "record_sha256": record_sha256(record),
                "supersedes_id": previous.id,
                "timestamp_pending": pending,
                "fhir_sha256": hashlib.sha256(inside).hexdigest() if inside else None,
            }
    return out


def _issued(ctx: AppContext, vid: str, issue: int = 2) -> dict[str, Document]:
    with ctx.db.session() as s:
        found = {
            d.kind: d
            for d in s.scalars(
                select(Document).where(Document.visit_id == vid, Document.issue == issue)
            )
        }
        s.expunge_all()  # read as they are, after the session ends
        return found


def _clinician_signatures(ctx: AppContext, vid: str) -> int:
    with ctx.db.session() as s:
        return len(
            s.scalars(
                select(Signature).where(Signature.visit_id == vid, Signature.role == "clinician")
            ).all()
        )


def _status(ctx: AppContext, vid: str) -> str:
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None
        return visit.status


def _hook_render(
    monkeypatch: pytest.MonkeyPatch, before: Callable[[str], None]
) -> list[tuple[str, bool]]:
    """Call ``before(kind)`` ahead of each render; record (kind, a write unit of work open)."""
    calls: list[tuple[str, bool]] = []
    real = DocumentService._render

    def render(self: DocumentService, kind: str, *args: Any, **kwargs: Any) -> Any:
        calls.append((kind, any(write for _, _, write in base._OPEN.get())))
        before(kind)
        return real(self, kind, *args, **kwargs)

    monkeypatch.setattr(DocumentService, "_render", render)
    return calls


def test_the_countersigned_documents_are_the_bytes_rendered_inside_the_transaction(
    ctx: AppContext,
) -> None:
    vid, doctor, reviewed = _ready(ctx)
    fixed = ctx.now() + dt.timedelta(seconds=5)
    ctx.clock = lambda: fixed
    expected = _inside_old_way(ctx, doctor, vid, reviewed)
    assert _clinician_signatures(ctx, vid) == 0 and not _issued(ctx, vid)  # rolled back
    info = _countersign(ctx, doctor, vid, reviewed)
    stored = _issued(ctx, vid)
    assert info.id == expected["consent"]["id"] and info.issue == 2
    with ctx.db.session() as s:
        events = {
            e.entity_id: e.detail
            for e in s.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "create", AuditEvent.entity == "document"
                )
            )
        }
    for kind in KINDS:
        d, want = stored[kind], expected[kind]
        assert bytes(d.pdf) == want["pdf"], kind
        assert d.sha256 == hashlib.sha256(want["pdf"]).hexdigest()
        assert (d.id, d.issue, d.record_sha256, d.supersedes_id, d.timestamp_pending) == (
            want["id"],
            want["issue"],
            want["record_sha256"],
            want["supersedes_id"],
            want["timestamp_pending"],
        )
        assert d.created_at == fixed
        detail = events[d.id]
        assert detail["sha256"] == d.sha256 and detail["issue"] == 2
        assert detail.get("fhir_sha256") == want["fhir_sha256"]
    # The bundle inside is the one the visit gives now that it is countersigned.
    assert (
        expected["consent"]["fhir_sha256"]
        == hashlib.sha256(FhirService(ctx).record_bundle(doctor, vid).data).hexdigest()
    )


def test_nothing_is_rendered_or_sealed_inside_a_write_transaction(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _hook_render(monkeypatch, lambda kind: None)
    vid, doctor, reviewed = _ready(ctx)  # issue_documents renders the first issues
    _countersign(ctx, doctor, vid, reviewed)
    assert [kind for kind, _ in calls] == ["consent", "education", "summary", *KINDS]
    assert not any(inside for _, inside in calls), calls


def test_a_countersign_at_another_station_meanwhile_is_refused_and_nothing_is_written(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    vid, doctor, reviewed = _ready(ctx)
    other = staff_actor(ensure_staff(ctx, "clinician", "drlee", "Dr Sam Lee"))
    busy = threading.Event()

    def elsewhere(kind: str) -> None:
        if busy.is_set():
            return  # the other station's own rendering
        busy.set()
        failed: list[BaseException] = []

        def run() -> None:
            try:
                _countersign(ctx, other, vid, reviewed)
            except BaseException as exc:  # noqa: BLE001 - handed to the test
                failed.append(exc)

        # Another thread, as another station: it could not write if a lock were held here.
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=120)
        assert not thread.is_alive() and not failed, failed

    _hook_render(monkeypatch, elsewhere)
    with pytest.raises(Immutable) as refused:
        _countersign(ctx, doctor, vid, reviewed)
    assert str(refused.value) == "This consent was countersigned at another station a moment ago."
    assert _clinician_signatures(ctx, vid) == 1
    stored = _issued(ctx, vid)
    assert sorted(stored) == list(KINDS)
    assert all(d.actor == other.id for d in stored.values())
    assert not _issued(ctx, vid, 3)


def test_a_change_meanwhile_is_rendered_again_once(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    vid, doctor, reviewed = _ready(ctx)
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None
        patient_id = visit.patient_id
    added: list[str] = []

    def lab_meanwhile(kind: str) -> None:
        if kind == "consent" and not added:
            added.append(kind)
            # A normal result: no flag, but the FHIR bundle inside the consent carries it.
            ClinicianService(ctx).record_lab(doctor, patient_id, "alt", "30", ctx.today())

    calls = _hook_render(monkeypatch, lab_meanwhile)
    info = _countersign(ctx, doctor, vid, reviewed)
    assert [kind for kind, _ in calls] == [*KINDS, *KINDS]
    assert info.issue == 2 and _clinician_signatures(ctx, vid) == 1
    with ctx.db.session() as s:
        detail = s.scalars(select(AuditEvent.detail).where(AuditEvent.entity_id == info.id)).one()
    assert (
        detail["fhir_sha256"]
        == hashlib.sha256(FhirService(ctx).record_bundle(doctor, vid).data).hexdigest()
    )


def test_a_record_that_keeps_changing_is_refused_with_nothing_written(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    vid, doctor, reviewed = _ready(ctx)
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None
        patient_id = visit.patient_id
    values = iter(("30", "31", "32"))

    def lab_meanwhile(kind: str) -> None:
        if kind == "consent":
            ClinicianService(ctx).record_lab(doctor, patient_id, "alt", next(values), ctx.today())

    _hook_render(monkeypatch, lab_meanwhile)
    with pytest.raises(Conflict):
        _countersign(ctx, doctor, vid, reviewed)
    assert _status(ctx, vid) == "submitted"
    assert _clinician_signatures(ctx, vid) == 0 and not _issued(ctx, vid)


def test_a_serious_flag_raised_meanwhile_refuses_the_signature(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    vid, doctor, reviewed = _ready(ctx)
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None
        patient_id = visit.patient_id

    def critical_meanwhile(kind: str) -> None:
        if kind == "consent":
            ClinicianService(ctx).record_lab(doctor, patient_id, "alt", "300", ctx.today())

    _hook_render(monkeypatch, critical_meanwhile)
    with pytest.raises(InvalidInput) as refused:
        _countersign(ctx, doctor, vid, reviewed)
    assert "reviewed" in refused.value.errors
    assert _status(ctx, vid) == "submitted"
    assert _clinician_signatures(ctx, vid) == 0 and not _issued(ctx, vid)


def test_a_failure_while_sealing_leaves_no_signature_and_no_document(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    vid, doctor, reviewed = _ready(ctx)

    def fail(kind: str) -> None:
        if kind == "summary":
            raise SealingFailed("The document cannot be sealed: the key went away")

    _hook_render(monkeypatch, fail)
    with pytest.raises(SealingFailed):
        _countersign(ctx, doctor, vid, reviewed)
    assert _status(ctx, vid) == "submitted"
    assert _clinician_signatures(ctx, vid) == 0 and not _issued(ctx, vid)
    monkeypatch.undo()
    assert _countersign(ctx, doctor, vid, reviewed).issue == 2
