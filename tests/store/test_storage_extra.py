"""Corrections, durable signature commits, concurrent start-up migrations, the staff command."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, text

from intake.services.context import open_context
from intake.services.errors import InvalidInput
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import StaffService, staff_actor
from intake.services.visits import VisitService
from intake.store.db import Database
from intake.store.migrate import HEAD, current_revision

ROOT = Path(__file__).resolve().parents[2]


def test_a_correction_is_a_new_visit_pointing_to_the_old_one(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    visits = VisitService(ctx)
    started = visits.start_correction(desk, vid)
    assert started.visit_id != vid
    with ctx.db.engine.connect() as conn:
        points_to = conn.execute(
            text("SELECT corrects_visit_id FROM visits WHERE id = :v"), {"v": started.visit_id}
        ).scalar()
    assert points_to == vid
    new_kiosk = visits.hand_over(desk, started.visit_id)
    draft = visits.draft(new_kiosk, started.visit_id)
    assert draft.answers["last_name"] == "Nguyễn" and draft.status == "draft"
    assert not draft.acknowledged  # every statement is acknowledged again
    assert visits.draft(kiosk, vid).status == "submitted"  # the original stands unchanged
    unfinished, _, _ = walk_visit(
        ctx, ScriptedPatient(first_name="Ola", last_name="Berg"), sign=False
    )
    with pytest.raises(InvalidInput):
        visits.start_correction(desk, unfinished)


def test_signature_commits_use_synchronous_full(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(), sign=False)
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith(
            ("PRAGMA synchronous", "INSERT INTO signatures", "INSERT INTO answers", "BEGIN")
        ):
            seen.append(statement.split("(")[0].strip())

    event.listen(sqlite_ctx.db.engine, "before_cursor_execute", record)
    visits = VisitService(sqlite_ctx)
    visits.set_page(kiosk, vid, "sign")
    visits.sign(kiosk, vid, "patient", "Zoë Nguyễn", signature_strokes(), 600, 200)
    event.remove(sqlite_ctx.db.engine, "before_cursor_execute", record)
    signature_at = seen.index("INSERT INTO signatures")
    begins = [i for i, s in enumerate(seen) if s.startswith("BEGIN")]
    last_begin = max(i for i in begins if i < signature_at)
    assert seen[last_begin] == "BEGIN IMMEDIATE"
    assert seen[last_begin - 1] == "PRAGMA synchronous=FULL"
    first_begin = begins[0]
    assert seen[first_begin - 1] == "PRAGMA synchronous=NORMAL"  # a page change is not a signature


def test_two_stations_starting_together_migrate_once(pg_schema: str, pg_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            db = Database(pg_url, schema=pg_schema)
            db.migrate()
            db.dispose()
        except BaseException as exc:  # re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    db = Database(pg_url, schema=pg_schema)
    assert current_revision(db) == HEAD
    db.dispose()


def test_staff_add_command_asks_twice(tmp_path: Path) -> None:
    env = {**os.environ, "INTAKE_DATA_DIR": str(tmp_path / "d")}
    env.pop("INTAKE_DATABASE_URL", None)
    cmd = [sys.executable, str(ROOT / "main.py"), "staff", "add", "--role", "admin", "Clinic Admin"]
    differ = subprocess.run(
        cmd, input=f"{STAFF_PIN}\n739146\n", env=env, capture_output=True, text=True, timeout=120
    )
    assert differ.returncode == 2 and "differ" in differ.stderr
    ok = subprocess.run(
        cmd,
        input=f"{STAFF_PIN}\n{STAFF_PIN}\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    ctx = open_context(data_dir=tmp_path / "d")
    assert StaffService(ctx).login("clinic.admin", STAFF_PIN).role == "admin"
    ctx.db.dispose()


def test_pregnancy_confirmation_says_who_when_and_why(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.clinician import ClinicianService

    vid, _, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    doctor = staff_actor(ensure_staff(sqlite_ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    clinician = ClinicianService(sqlite_ctx)
    before = clinician.review(doctor, vid)
    assert before.pregnancy_confirmed is None and before.pregnancy_confirmation is None
    clinician.confirm_pregnancy_status(
        doctor,
        VisitService(sqlite_ctx).board(doctor)[0].patient_id,
        False,
        "hysterectomy confirmed in records",
    )
    after = clinician.review(doctor, vid)
    assert after.pregnancy_confirmed is False
    assert after.pregnancy_confirmation is not None
    assert (after.pregnancy_confirmation.by, after.pregnancy_confirmation.reason) == (
        "Dr Ana Ruiz",
        "hysterectomy confirmed in records",
    )
    # The signed record keeps what the patient answered and acknowledged; the course uses the
    # clinician's word from now on.
    assert after.record.can_become_pregnant is True
    patient_id = VisitService(sqlite_ctx).board(doctor)[0].patient_id
    assert clinician.course(doctor, patient_id).can_become_pregnant is False


def test_record_number_digits_find_the_padded_number(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.patients import PatientService

    desk = staff_actor(ensure_staff(sqlite_ctx, "front_desk", "desk", "Front Desk"))
    p = PatientService(sqlite_ctx).register(
        desk, first_name="Ivo", last_name="Kral", date_of_birth="1990-03-03"
    )
    digits = p.record_number.split("-")[1].lstrip("0")
    assert [r.id for r in PatientService(sqlite_ctx).search(desk, digits)] == [p.id]
