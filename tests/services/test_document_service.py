"""Documents through the services: issued once, stored with their SHA-256, verified, countersigned."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from intake.services.clinician import ClinicianService
from intake.services.context import open_context
from intake.services.documents import DocumentService
from intake.services.errors import Immutable, InvalidInput, NotAllowed
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.store.models import Document

ROOT = Path(__file__).resolve().parents[2]


def _text(pdf: bytes) -> str:
    import io

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_documents_are_issued_once_and_stored_with_their_hash(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    docs = DocumentService(ctx)
    first = docs.issue_documents(kiosk, vid)
    assert [d.kind for d in first] == ["consent", "education", "summary"]
    again = docs.issue_documents(kiosk, vid)
    assert [d.id for d in again] == [d.id for d in first]
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    consent = docs.open_pdf(desk, first[0].id, "view")
    assert hashlib.sha256(consent).hexdigest() == first[0].sha256
    assert "Nguyễn" in _text(consent)
    with pytest.raises(NotAllowed):
        docs.open_pdf(desk, first[2].id)  # the intake summary is the dermatologist's
    with ctx.db.session() as s:
        assert s.query(Document).filter(Document.visit_id == vid).count() == 3


def test_documents_need_a_signed_visit(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(), sign=False)
    with pytest.raises(InvalidInput):
        DocumentService(sqlite_ctx).issue_documents(kiosk, vid)


def test_countersign_reissues_the_consent_linked_to_the_earlier_one(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    docs = DocumentService(ctx)
    first = {d.kind: d for d in docs.issue_documents(kiosk, vid)}
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    doctor = staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    with pytest.raises(NotAllowed):
        docs.countersign(desk, vid, "Front Desk", signature_strokes(), 600, 200, secret=STAFF_PIN)
    with pytest.raises(InvalidInput):
        docs.countersign(doctor, vid, "Dr Ana Ruiz", [], 600, 200, secret=STAFF_PIN)
    second = docs.countersign(
        doctor,
        vid,
        "Dr Ana Ruiz",
        signature_strokes(seed=4),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=review_everything(ctx, doctor, vid),
    )
    assert (
        second.kind == "consent"
        and second.issue == 2
        and second.supersedes_id == first["consent"].id
    )
    with pytest.raises(Immutable):
        docs.countersign(
            doctor, vid, "Dr Ana Ruiz", signature_strokes(seed=4), 600, 200, secret=STAFF_PIN
        )
    text = _text(docs.open_pdf(doctor, second.id))
    assert "Dr Ana Ruiz" in text
    earlier = [d for d in docs.documents(doctor, vid) if d.kind == "consent"]
    assert [d.issue for d in earlier] == [2, 1]  # the earlier version stays available
    review = ClinicianService(ctx).review(doctor, vid)
    assert review.status == "countersigned" and review.record.signature("clinician") is not None


def _verify(env: dict[str, str], path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "verify", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_and_verify_commands(tmp_path: Path) -> None:
    env = {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    out = tmp_path / "out"
    demo = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "demo", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    paths = [Path(line) for line in demo.stdout.split()]
    assert sorted(p.name for p in paths) == [
        "consent.pdf",
        "education-packet.pdf",
        "intake-summary.pdf",
    ]
    assert "Zoë" not in demo.stdout + demo.stderr  # no patient data on stdout
    for path in paths:
        ok = _verify(env, path)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
    consent = out / "consent.pdf"
    data = consent.read_bytes()
    flipped = tmp_path / "flipped.pdf"
    middle = len(data) // 3
    flipped.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :])
    assert _verify(env, flipped).returncode == 1
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(data + b"\n1 0 obj\n<< >>\nendobj\n%%EOF\n")
    assert _verify(env, appended).returncode == 1
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(data[: len(data) // 2])
    assert _verify(env, truncated).returncode == 1
    notpdf = tmp_path / "notes.pdf"
    notpdf.write_text("just some text")
    assert _verify(env, notpdf).returncode == 2
    assert _verify(env, tmp_path / "missing.pdf").returncode == 2
    # Signed by another clinic's key: unknown signer.
    other_env = {**env, "INTAKE_DATA_DIR": str(tmp_path / "other")}
    other = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "demo", "--out", str(tmp_path / "other-out")],
        env=other_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert other.returncode == 0, other.stderr
    foreign = _verify(env, tmp_path / "other-out" / "consent.pdf")
    assert foreign.returncode == 1 and "unknown signer" in foreign.stderr
    # One line that says why: no library traceback in the person's terminal.
    assert foreign.stderr.count("\n") == 1 and "Traceback" not in foreign.stderr
    # A valid file from this clinic that the database does not hold: no matching record.
    fresh = tmp_path / "fresh-db"
    shutil.copytree(tmp_path / "data", fresh, ignore=shutil.ignore_patterns("*.sqlite3*"))
    nomatch = _verify({**env, "INTAKE_DATA_DIR": str(fresh)}, consent)
    assert nomatch.returncode == 1 and "no stored record" in nomatch.stderr


def test_checklist_pdf(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    doctor = staff_actor(ensure_staff(sqlite_ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    patient_id = ClinicianService(sqlite_ctx).review(doctor, vid).record
    pid = DocumentService(sqlite_ctx)
    from intake.services.visits import VisitService

    p = VisitService(sqlite_ctx).board(doctor)[0].patient_id
    ClinicianService(sqlite_ctx).record_pregnancy_test(doctor, p, sqlite_ctx.today(), "negative", 1)
    text = _text(pid.checklist_pdf(doctor, p, 1))
    assert (
        "month 1" in text
        and "Two contraception methods" in text
        and patient_id.patient.record_number in text
    )


def test_a_fresh_context_reuses_the_clinic_key(tmp_path: Path) -> None:
    ctx = open_context(data_dir=tmp_path / "k")
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    DocumentService(ctx).issue_documents(kiosk, vid)
    key = tmp_path / "k" / "clinic-key.pem"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
