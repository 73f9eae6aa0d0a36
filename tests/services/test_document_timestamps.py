"""Documents sealed B-T through the services, B-B and pending when the TSA is down, and
``main.py timestamp pending`` / ``main.py verify`` on them."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from intake import cli
from intake.services import documents as document_service
from intake.services.audit import AuditService
from intake.services.context import SYSTEM
from intake.services.documents import DocumentService
from intake.services.errors import ServiceError
from intake.services.scripted import ScriptedPatient, walk_visit
from intake.store.models import AuditEvent, Document, DocumentTimestamp

sys.path.insert(0, str(Path(__file__).parents[1]))
from tsa import LocalTSA, closed_port_url, make_tsa, serve  # noqa: E402


@pytest.fixture(scope="module")
def authority() -> LocalTSA:
    return make_tsa()


@pytest.fixture(autouse=True)
def tsa_env(authority: LocalTSA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("INTAKE_TSA_CA", str(authority.write_root(tmp_path / "tsa-root.pem")))
    monkeypatch.setattr(document_service, "_tsa_down_until", {})
    yield


@pytest.fixture
def tsa_url(authority: LocalTSA, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    authority.refuse = False
    with serve(authority) as url:
        monkeypatch.setenv("INTAKE_TSA_URL", url)
        yield url


def _stored(ctx) -> list[tuple[str, bool, str]]:  # type: ignore[no-untyped-def]
    with ctx.db.session() as s:
        return [
            (d.id, d.timestamp_pending, d.sha256) for d in s.query(Document).order_by(Document.id)
        ]


def test_documents_issued_with_the_tsa_are_b_t_and_verify_says_so(ctx, tsa_url: str) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    docs = DocumentService(ctx)
    issued = docs.issue_documents(kiosk, vid)
    assert not any(pending for _, pending, _ in _stored(ctx))
    assert docs.pending_timestamps() == []
    with ctx.db.session() as s:
        consent = bytes(s.get(Document, issued[0].id).pdf)  # type: ignore[union-attr]
    outcome = docs.verify_bytes(consent)
    assert outcome.valid, outcome.reason
    assert "PAdES B-T" in outcome.reason and "proven by a signature timestamp" in outcome.reason


def test_an_unreachable_tsa_seals_b_b_pending_and_a_later_run_timestamps(  # type: ignore[no-untyped-def]
    ctx, authority: LocalTSA, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTAKE_TSA_URL", closed_port_url())
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    docs = DocumentService(ctx)
    started = time.monotonic()
    issued = docs.issue_documents(kiosk, vid)
    assert time.monotonic() - started < 60  # the patient is not held up by the TSA
    assert [kind for kind in (d.kind for d in issued)] == ["consent", "education", "summary"]
    assert all(pending for _, pending, _ in _stored(ctx))
    assert sorted(docs.pending_timestamps()) == sorted(d.id for d in issued)
    sealed = {did: sha for did, _, sha in _stored(ctx)}
    with ctx.db.session() as s:
        first = bytes(s.get(Document, issued[0].id).pdf)  # type: ignore[union-attr]
    early = docs.verify_bytes(first)
    assert early.valid and "PAdES B-B" in early.reason and "claimed by the signer" in early.reason

    # Still down: nothing is stored, everything stays pending.
    report = docs.timestamp_pending(SYSTEM)
    assert report.timestamped == () and len(report.still_pending) == 3 and report.problem
    with ctx.db.session() as s:
        assert s.query(DocumentTimestamp).count() == 0

    with serve(authority) as url:
        monkeypatch.setenv("INTAKE_TSA_URL", url)
        # A station whose INTAKE_TSA_CA is not certificates: said, nothing stored.
        trust = os.environ.get("INTAKE_TSA_CA")
        bad = Path(os.environ["INTAKE_DATA_DIR"]) / "not-roots.pem"
        bad.write_text("not a certificate\n", "ascii")
        monkeypatch.setenv("INTAKE_TSA_CA", str(bad))
        report = docs.timestamp_pending(SYSTEM)
        assert report.timestamped == () and "INTAKE_TSA_CA" in report.problem
        with ctx.db.session() as s:
            assert s.query(DocumentTimestamp).count() == 0
        if trust is None:
            monkeypatch.delenv("INTAKE_TSA_CA")
        else:
            monkeypatch.setenv("INTAKE_TSA_CA", trust)
        report = docs.timestamp_pending(SYSTEM)
        assert sorted(report.timestamped) == sorted(d.id for d in issued)
        assert report.still_pending == () and not report.problem
        assert docs.timestamp_pending(SYSTEM).timestamped == ()  # nothing left to do
    assert docs.pending_timestamps() == []

    # The stored SHA-256 follows the timestamped file; the sealed one stays as it was.
    from intake.services.scripted import ensure_staff
    from intake.services.staff import staff_actor

    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    now = {d.id: d for d in docs.documents(desk, vid)}
    consent = docs.open_pdf(desk, issued[0].id)
    assert consent.startswith(first) and consent != first
    assert hashlib.sha256(consent).hexdigest() == now[issued[0].id].sha256
    assert now[issued[0].id].sha256 != sealed[issued[0].id]
    assert {did: sha for did, _, sha in _stored(ctx)} == sealed
    from intake.services.clinician import ClinicianService

    doctor = staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    rows = {r.id: r for r in ClinicianService(ctx).review(doctor, vid).documents}
    assert rows[issued[0].id].sha256 == now[issued[0].id].sha256
    later = docs.verify_bytes(consent)
    assert later.valid, later.reason
    assert "PAdES B-T" in later.reason and "document timestamp" in later.reason
    assert issued[0].id in later.reason

    # Audited with hashes only, and the chain still holds.
    with ctx.db.session() as s:
        events = s.query(AuditEvent).filter(AuditEvent.action == "timestamp").all()
        assert len(events) == 3
    assert AuditService(ctx).verify().intact

    # The timestamped version is append-only like the document itself.
    with pytest.raises(Exception, match="append-only"), ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE document_timestamps SET sha256 = 'x'"))


def test_after_one_tsa_failure_the_next_documents_do_not_wait_on_it(  # type: ignore[no-untyped-def]
    sqlite_ctx, authority: LocalTSA, monkeypatch: pytest.MonkeyPatch
) -> None:
    authority.refuse = True
    try:
        with serve(authority) as url:
            monkeypatch.setenv("INTAKE_TSA_URL", url)
            before = authority.attempts
            vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
            DocumentService(sqlite_ctx).issue_documents(kiosk, vid)
            assert authority.attempts - before == 1  # asked once, then sealed B-B at once
    finally:
        authority.refuse = False
    assert len(DocumentService(sqlite_ctx).pending_timestamps()) == 3


def test_only_the_system_or_an_admin_timestamps(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.scripted import ensure_staff
    from intake.services.staff import staff_actor

    desk = staff_actor(ensure_staff(sqlite_ctx, "front_desk", "desk", "Front Desk"))
    with pytest.raises(ServiceError):
        DocumentService(sqlite_ctx).timestamp_pending(desk)


def test_the_commands_timestamp_pending_and_verify(  # type: ignore[no-untyped-def]
    sqlite_ctx, authority: LocalTSA, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    monkeypatch.delenv("INTAKE_TSA_URL", raising=False)
    assert cli.main(["timestamp", "pending"]) == 2
    assert "INTAKE_TSA_URL" in capsys.readouterr().err
    monkeypatch.setenv("INTAKE_TSA_URL", closed_port_url())
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    issued = DocumentService(sqlite_ctx).issue_documents(kiosk, vid)
    assert cli.main(["timestamp", "pending"]) == 1
    assert "3 document(s) still pending" in capsys.readouterr().err
    with serve(authority) as url:
        monkeypatch.setenv("INTAKE_TSA_URL", url)
        assert cli.main(["timestamp", "pending"]) == 0
    out = capsys.readouterr().out
    assert "3 document(s) timestamped" in out and "Zoë" not in out
    with sqlite_ctx.db.session() as s:
        stamped = s.get(DocumentTimestamp, issued[0].id)
        assert stamped is not None
        path = tmp_path / "consent.pdf"
        path.write_bytes(stamped.pdf)
    assert cli.main(["verify", str(path)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("valid: ") and "PAdES B-T; signing time 20" in said
    assert "proven by a document timestamp of" in said and "Test Time Stamping Unit 1" in said


def test_the_listing_says_which_documents_are_timestamped_and_which_are_pending(  # type: ignore[no-untyped-def]
    sqlite_ctx, authority: LocalTSA, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake.domain.timestamps import TimestampState
    from intake.services.scripted import ensure_staff
    from intake.services.staff import staff_actor

    doctor = staff_actor(ensure_staff(sqlite_ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    docs = DocumentService(sqlite_ctx)
    # No authority set: sealed B-B, nothing to come.
    vid_plain, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(first_name="Ines"))
    issued = docs.issue_documents(kiosk, vid_plain)
    assert {d.timestamp for d in issued} == {TimestampState.NONE}
    assert not any(d.timestamp_pending or d.timestamped_at for d in issued)

    # Authority unreachable: pending, in what issuing returns and in the listing.
    monkeypatch.setenv("INTAKE_TSA_URL", closed_port_url())
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    issued = docs.issue_documents(kiosk, vid)
    assert all(d.timestamp_pending and d.timestamped_at is None for d in issued)
    listed = docs.documents(doctor, vid)
    assert {d.timestamp for d in listed} == {TimestampState.PENDING}

    # A clinician adds the timestamps (audited under their name); the listing shows the time.
    with serve(authority) as url:
        monkeypatch.setenv("INTAKE_TSA_URL", url)
        before = sqlite_ctx.now()
        report = docs.timestamp_pending(doctor)
        assert len(report.timestamped) == 3 and not report.problem
        vid_direct, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(first_name="Uma"))
        direct = docs.issue_documents(kiosk, vid_direct)
    listed = docs.documents(doctor, vid)
    assert {d.timestamp for d in listed} == {TimestampState.ADDED}
    for d in listed:
        assert not d.timestamp_pending and d.timestamped_at is not None
        assert abs(d.timestamped_at - before).total_seconds() < 120
    # Sealed while the authority answered: B-T from the start, with the token's time.
    assert {d.timestamp for d in direct} == {TimestampState.AT_SEALING}
    assert all(d.timestamped_at is not None for d in direct)
    with sqlite_ctx.db.session() as s:
        actors = {e.actor for e in s.query(AuditEvent).filter(AuditEvent.action == "timestamp")}
    assert actors == {doctor.id}


def test_verify_of_a_file_exported_before_its_timestamp_names_the_stored_timestamped_version(  # type: ignore[no-untyped-def]
    sqlite_ctx, authority: LocalTSA, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    monkeypatch.setenv("INTAKE_TSA_URL", closed_port_url())
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    issued = DocumentService(sqlite_ctx).issue_documents(kiosk, vid)
    with sqlite_ctx.db.session() as s:
        sealed = bytes(s.get(Document, issued[0].id).pdf)  # type: ignore[union-attr]
    early = tmp_path / "consent-exported-early.pdf"
    early.write_bytes(sealed)

    # Still pending: valid, B-B, and it says the timestamp is to come.
    assert cli.main(["verify", str(early)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("valid: ") and "PAdES B-B" in said and "(no timestamp)" in said
    assert "its timestamp is pending" in said and "main.py timestamp pending" in said
    assert "timestamped version" not in said

    with serve(authority) as url:
        monkeypatch.setenv("INTAKE_TSA_URL", url)
        assert cli.main(["timestamp", "pending"]) == 0
    capsys.readouterr()

    # The same early file: still valid as it is, and it names the stored timestamped version.
    assert cli.main(["verify", str(early)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("valid: ") and "PAdES B-B" in said
    assert (
        "a timestamped version of this document is stored (PAdES B-T, document timestamp of 20"
        in said
    )
    assert "pending" not in said
    # The timestamped file itself says nothing of the kind.
    with sqlite_ctx.db.session() as s:
        current = tmp_path / "consent-now.pdf"
        current.write_bytes(s.get(DocumentTimestamp, issued[0].id).pdf)  # type: ignore[union-attr]
    assert cli.main(["verify", str(current)]) == 0
    said = capsys.readouterr().out
    assert "PAdES B-T" in said and "timestamped version" not in said and "pending" not in said
