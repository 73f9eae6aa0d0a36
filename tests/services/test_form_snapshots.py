"""A visit signed under one version of the risk statements is countersigned and drawn as signed
after another version is loaded, on SQLite and PostgreSQL; a kept form changed outside the app
is refused with a message and named by ``audit verify``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from reconsent_forms import CHANGED, NEW, revised
from sqlalchemy import select, text

from intake.forms.snapshot import risks_from_snapshot, risks_snapshot, snapshot_sha256
from intake.services.audit import AuditService
from intake.services.documents import DocumentService
from intake.services.errors import RecordMismatch
from intake.services.form_snapshots import SnapshotRefused
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.store.models import AuditEvent, FormSnapshot, Signature


def _words(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "consent.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def _countersign(ctx, vid: str):  # type: ignore[no-untyped-def]
    doctor = staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    return DocumentService(ctx).countersign(
        doctor,
        vid,
        doctor.name,
        signature_strokes(seed=4),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=review_everything(ctx, doctor, vid),
    )


def _signed_then_revised(ctx) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A visit signed (documents issued) under the risks form in force, then the next version
    loaded; the visit id and the statement text it was signed with."""
    as_signed = ctx.forms.risks.statement(CHANGED).text.get("en")
    vid, kiosk, outcome = walk_visit(ctx, ScriptedPatient())
    assert outcome is not None and outcome.submitted
    DocumentService(ctx).issue_documents(kiosk, vid)
    ctx.forms = revised(ctx.forms, "major")
    assert ctx.forms.risks.statement(CHANGED).text.get("en") != as_signed
    return vid, as_signed


def test_the_snapshot_reads_back_as_the_form_it_keeps(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    form = sqlite_ctx.forms.risks
    content = risks_snapshot(form)
    assert risks_from_snapshot(content, snapshot_sha256(content)) == form
    assert risks_snapshot(form) == content  # canonical: same form, same text


def test_a_visit_signed_under_an_earlier_risks_form_is_countersigned_as_signed(  # type: ignore[no-untyped-def]
    ctx, tmp_path: Path
) -> None:
    vid, as_signed = _signed_then_revised(ctx)
    with ctx.db.session() as s:
        (kept,) = s.scalars(select(FormSnapshot)).all()
        assert kept.form_id == "risks"
        assert kept.sha256 == snapshot_sha256(kept.content)
    reissued = _countersign(ctx, vid)
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    docs = DocumentService(ctx)
    pdf = docs.open_pdf(desk, reissued.id, "view")
    words = _words(pdf, tmp_path)
    assert " ".join(as_signed.split()) in words
    assert "humidifier" not in words  # the statement the later version added was never asked
    assert NEW not in words
    outcome = docs.verify_bytes(pdf)
    assert outcome.valid, outcome.reason
    report = AuditService(ctx).verify()
    assert report.intact, report.problems


def test_a_kept_form_changed_outside_the_app_is_refused_and_named(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, as_signed = _signed_then_revised(ctx)
    with ctx.db.session() as s:
        sha = s.scalars(select(FormSnapshot.sha256)).one()
    with ctx.db.engine.begin() as conn:  # what someone with direct database access could do
        if ctx.db.dialect == "postgresql":
            conn.execute(text('DROP TRIGGER "trg_form_snapshots_append_only" ON form_snapshots'))
        else:
            conn.execute(text('DROP TRIGGER "trg_form_snapshots_no_update"'))
        conn.execute(
            text("UPDATE form_snapshots SET content = replace(content, :old, :new)"),
            {"old": as_signed.split()[1], "new": "never"},
        )
    with pytest.raises(SnapshotRefused) as refused:
        _countersign(ctx, vid)
    assert isinstance(refused.value, RecordMismatch)
    assert sha[:12] in str(refused.value)
    assert "audit verify" in str(refused.value)
    report = AuditService(ctx).verify()
    assert not report.intact
    assert any(
        f"form snapshot {sha}" in p and "does not match its hash" in p for p in report.problems
    )
    with ctx.db.session() as s:  # nothing was signed
        assert not s.scalars(select(Signature).where(Signature.role == "clinician")).all()
        assert s.scalars(select(AuditEvent).where(AuditEvent.entity == "form_snapshot")).all()


def _delete_kept_forms(ctx) -> None:  # type: ignore[no-untyped-def]
    with ctx.db.engine.begin() as conn:  # what someone with direct database access could do
        if ctx.db.dialect == "postgresql":
            conn.execute(text('DROP TRIGGER "trg_form_snapshots_append_only" ON form_snapshots'))
        else:
            conn.execute(text('DROP TRIGGER "trg_form_snapshots_no_delete"'))
        conn.execute(text("DELETE FROM form_snapshots"))


def test_a_kept_form_deleted_outside_the_app_is_refused_and_named(ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.records import build_record

    vid, _as_signed = _signed_then_revised(ctx)
    with ctx.db.session() as s:
        sha = s.scalars(select(FormSnapshot.sha256)).one()
    _delete_kept_forms(ctx)
    report = AuditService(ctx).verify()
    assert not report.intact
    assert any(f"form snapshot {sha}" in p and "missing" in p for p in report.problems)
    with pytest.raises(SnapshotRefused) as refused:
        _countersign(ctx, vid)
    assert refused.value.code == "snapshot_missing"
    assert sha[:12] in str(refused.value)
    assert "audit verify" in str(refused.value)
    with ctx.db.session() as s, pytest.raises(SnapshotRefused):  # the review tabs, FHIR
        build_record(s, ctx.forms, vid)
    with ctx.db.session() as s:  # nothing was signed
        assert not s.scalars(select(Signature).where(Signature.role == "clinician")).all()


def test_a_consent_that_cannot_be_drawn_as_signed_is_a_coded_refusal(  # type: ignore[no-untyped-def]
    ctx, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake import i18n
    from intake.services import form_snapshots

    vid, _as_signed = _signed_then_revised(ctx)
    # A visit from before forms were kept, signed under a version no longer loaded.
    monkeypatch.setattr(form_snapshots, "forms_as_used", lambda s, forms, versions: forms)
    with pytest.raises(RecordMismatch) as refused:
        _countersign(ctx, vid)
    assert refused.value.code == "forms_mismatch"
    assert "audit verify" in str(refused.value)
    # The staff screens word it by its code (intake.ui.common.refusal_text), not its English.
    assert i18n.has(f"staff.error_{refused.value.code}")
    with ctx.db.session() as s:  # nothing was signed
        assert not s.scalars(select(Signature).where(Signature.role == "clinician")).all()


def test_the_staff_screens_word_a_refused_kept_form() -> None:
    from intake import i18n

    for code in ("snapshot_tampered", "snapshot_missing", "forms_mismatch"):
        for lang in ("en", "es"):
            assert i18n.has(f"staff.error_{code}"), code
            assert "audit verify" in i18n.tr(f"staff.error_{code}", lang)
