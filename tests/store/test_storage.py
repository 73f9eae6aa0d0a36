"""Storage and services on SQLite and PostgreSQL: migrations, immutability, audit chain, staff, concurrency."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from intake.services.audit import AuditService
from intake.services.clinician import ClinicianService
from intake.services.completeness import Missing, MissingKind
from intake.services.context import SYSTEM, Actor, open_context
from intake.services.errors import (
    Conflict,
    Immutable,
    InvalidInput,
    Locked,
    LoginFailed,
    NotAllowed,
    NotFound,
)
from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient, ensure_staff, walk_visit
from intake.services.staff import StaffService, staff_actor
from intake.services.visits import VisitService
from intake.store import audit
from intake.store.models import AuditEvent, Base

ROOT = Path(__file__).resolve().parents[2]


def desk(ctx) -> Actor:  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))


def doctor(ctx) -> Actor:  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))


# --- schema ----------------------------------------------------------------------------------


def test_migrations_build_exactly_the_models(ctx) -> None:  # type: ignore[no-untyped-def]
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with ctx.db.engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(mc, Base.metadata)
    assert diff == []


def test_migration_twice_is_a_no_op_and_head_is_recorded(ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.store.migrate import HEAD, current_revision

    ctx.db.migrate()
    assert current_revision(ctx.db) == HEAD


def test_the_known_head_is_alembics_own_head() -> None:
    """A new migration must move HEAD too; otherwise a database one migration behind would be
    taken for up to date and never upgraded."""
    from alembic.script import ScriptDirectory

    from intake.store.migrate import HEAD, MIGRATIONS

    assert ScriptDirectory(str(MIGRATIONS)).get_heads() == [HEAD]


def test_a_database_at_head_opens_without_loading_alembic(tmp_path: Path) -> None:
    """The second start of a station reads alembic_version and goes on; the first migrates."""
    child = (
        "import sys\n"
        "from intake.services.context import open_context\n"
        "ctx = open_context()\n"
        "ctx.db.dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    env = {**os.environ, "INTAKE_DATA_DIR": str(tmp_path / "station"), "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", child], env=env, capture_output=True, text=True, check=True
        ).stdout.split()[-1]
        for _ in range(2)
    ]
    assert runs == ["True", "False"]


def test_a_database_behind_head_is_still_upgraded(ctx) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from sqlalchemy import inspect

    from intake.store.migrate import HEAD, alembic_config, at_head, current_revision

    assert at_head(ctx.db)
    cfg = alembic_config(ctx.db)
    with ctx.db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
        conn.commit()
    assert not at_head(ctx.db) and current_revision(ctx.db) != HEAD
    ctx.db.migrate()
    assert at_head(ctx.db) and current_revision(ctx.db) == HEAD
    columns = {c["name"] for c in inspect(ctx.db.engine).get_columns("documents")}
    assert "record_sha256" in columns


def test_sqlite_settings(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    with sqlite_ctx.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db_file = Path(sqlite_ctx.db.url.database)
    assert db_file.exists() and db_file.parent == sqlite_ctx.data_dir


# --- visits, drafts, immutability ------------------------------------------------------------


def test_draft_survives_a_restart(ctx, db_target) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient(), sign=False)
    ctx.db.dispose()
    url, schema = db_target
    again = open_context(data_dir=ctx.data_dir, url=url, schema=schema)
    draft = VisitService(again).draft(kiosk, vid)
    assert draft.status == "draft"
    assert draft.answers["first_name"] == "Zoë"
    assert draft.quiz_passed
    assert VisitService(again).completeness(kiosk, vid).missing == [
        Missing(MissingKind.SIGNATURE, role="patient")
    ]
    again.db.dispose()


def test_submitted_visit_is_refused_by_service_and_database(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, outcome = walk_visit(ctx, ScriptedPatient())
    assert outcome is not None and outcome.submitted
    visits = VisitService(ctx)
    with pytest.raises(Immutable):
        visits.save_page(kiosk, vid, "body", {"weight_kg": {"value": "70", "unit": "kg"}})
    with pytest.raises(Immutable):
        visits.acknowledge(
            kiosk,
            vid,
            "dryness." + ctx.forms.risks.topics[1].statements[0].id.split(".", 1)[1],
            "patient",
            "ZN",
        )
    statements = [
        'UPDATE answers SET value = \'{"v": "x"}\' WHERE visit_id = :v',
        "DELETE FROM answers WHERE visit_id = :v",
        "UPDATE acknowledgements SET initials = 'XX' WHERE visit_id = :v",
        "DELETE FROM signatures WHERE visit_id = :v",
        "UPDATE signatures SET printed_name = 'Someone Else' WHERE visit_id = :v",
        "UPDATE visits SET lang = 'es' WHERE id = :v",
        "UPDATE visits SET status = 'draft' WHERE id = :v",
        "DELETE FROM visits WHERE id = :v",
        "UPDATE audit_events SET actor = 'x'",
        "DELETE FROM audit_events",
    ]
    for sql in statements:
        with pytest.raises(DBAPIError), ctx.db.engine.begin() as conn:
            conn.execute(text(sql), {"v": vid})
    assert visits.draft(kiosk, vid).status == "submitted"


def test_a_signature_is_bound_to_the_record_it_was_given_for(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    with ctx.db.engine.connect() as conn:
        visit_hash = conn.execute(
            text("SELECT record_sha256 FROM visits WHERE id = :v"), {"v": vid}
        ).scalar()
        sig_hashes = (
            conn.execute(
                text("SELECT record_sha256 FROM signatures WHERE visit_id = :v"), {"v": vid}
            )
            .scalars()
            .all()
        )
    assert len(visit_hash) == 64 and sig_hashes == [visit_hash]


def test_minor_needs_guardian_signature_before_submission(ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.scripted import signature_strokes

    teen = ScriptedPatient(
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=ctx.today().replace(year=ctx.today().year - 16) - dt.timedelta(days=3),
    )
    vid, kiosk, _ = walk_visit(ctx, teen, sign=False)
    visits = VisitService(ctx)
    first = visits.sign(kiosk, vid, "patient", "Maya Okafor", signature_strokes(), 600, 200)
    assert not first.submitted and first.still_needed == ("guardian",)
    # Only the guardian named on the guardian page signs as guardian.
    with pytest.raises(InvalidInput) as err:
        visits.sign(kiosk, vid, "guardian", "Someone Else", signature_strokes(), 600, 200)
    assert "printed_name" in err.value.errors
    # The relationship given on the guardian page is the one signed with.
    done = visits.sign(kiosk, vid, "guardian", "Ana Ñúñez", signature_strokes(seed=2), 600, 200)
    assert done.submitted
    with ctx.db.session() as s:
        from intake.store.models import Signature

        signed = s.query(Signature).filter_by(visit_id=vid, role="guardian").one()
        assert signed.relationship == "parent"


@pytest.mark.parametrize(
    ("strokes", "message"),
    [
        ([], "Please sign"),
        ([[(10.0, 10.0)] * 20], "too small"),
        ([[(x * 1.0, 100.0) for x in range(5)]], "Please sign"),
    ],
)
def test_empty_or_tiny_signatures_are_refused_and_nothing_is_saved(
    sqlite_ctx, strokes, message
) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(), sign=False)
    with pytest.raises(InvalidInput) as err:
        VisitService(sqlite_ctx).sign(kiosk, vid, "patient", "Zoë Nguyễn", strokes, 600, 200)
    assert message in err.value.errors["signature"]
    assert VisitService(sqlite_ctx).draft(kiosk, vid).signed_roles == ()


def test_kiosk_session_reads_only_its_own_visit(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid_a, kiosk_a, _ = walk_visit(sqlite_ctx, ScriptedPatient(), sign=False)
    vid_b, kiosk_b, _ = walk_visit(
        sqlite_ctx, ScriptedPatient(first_name="Lena", last_name="Berg"), sign=False
    )
    visits = VisitService(sqlite_ctx)
    with pytest.raises(NotAllowed):
        visits.draft(kiosk_a, vid_b)
    with pytest.raises(NotAllowed):
        visits.save_page(
            kiosk_b, vid_a, "allergies", {"has_allergies": "yes", "allergies_detail": "x"}
        )
    with pytest.raises(NotAllowed):
        PatientService(sqlite_ctx).search(kiosk_a, "Berg")


def test_wrong_visit_code_is_refused_and_audited(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    p = PatientService(sqlite_ctx).register(
        desk(sqlite_ctx), first_name="Ivy", last_name="Lo", date_of_birth="2001-02-03"
    )
    started = VisitService(sqlite_ctx).start_visit(desk(sqlite_ctx), p.id)
    wrong = "000000" if started.code != "000000" else "111111"
    with pytest.raises(NotFound):
        VisitService(sqlite_ctx).open_by_code(dt.date(2001, 2, 3), wrong)
    with pytest.raises(NotFound):
        VisitService(sqlite_ctx).open_by_code(dt.date(2001, 2, 4), started.code)
    actor = VisitService(sqlite_ctx).open_by_code(dt.date(2001, 2, 3), started.code)
    assert actor.visit_id == started.visit_id
    with sqlite_ctx.db.session() as s:
        actions = [e.action for e in s.query(AuditEvent).order_by(AuditEvent.seq)]
    assert actions.count("open_failed") == 2 and "open" in actions


def test_bad_page_input_changes_nothing(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient(), sign=False)
    with pytest.raises(InvalidInput) as err:
        VisitService(sqlite_ctx).save_page(
            kiosk,
            vid,
            "identity",
            {
                "first_name": "",
                "last_name": "N3guyen",
                "date_of_birth": "2999-01-01",
                "sex_at_birth": "female",
                "phone": "12",
                "email": "nope",
            },
        )
    assert set(err.value.errors) >= {"first_name", "last_name", "date_of_birth", "phone", "email"}
    assert VisitService(sqlite_ctx).draft(kiosk, vid).answers["last_name"] == "Nguyễn"


def test_item9_pauses_for_staff_and_is_audited_without_the_score(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    p = PatientService(sqlite_ctx).register(
        desk(sqlite_ctx),
        first_name="Sam",
        last_name="Reyes",
        date_of_birth="1998-08-08",
        sex_at_birth="male",
    )
    started = VisitService(sqlite_ctx).start_visit(desk(sqlite_ctx), p.id)
    kiosk = VisitService(sqlite_ctx).open_by_code(dt.date(1998, 8, 8), started.code)
    assert (
        VisitService(sqlite_ctx).save_phq9(kiosk, started.visit_id, [0, 0, 0, 0, 0, 0, 0, 0, 1])
        is True
    )
    board = VisitService(sqlite_ctx).board(desk(sqlite_ctx))
    assert board[0].stage == "needs_staff" and board[0].needs_staff == "item9"
    with sqlite_ctx.db.session() as s:
        detail = s.query(AuditEvent).filter(AuditEvent.action == "alert").one().detail
    assert detail == {"reason": "mood_item9"}
    VisitService(sqlite_ctx).staff_continue(doctor(sqlite_ctx), started.visit_id, note="Seen.")
    assert VisitService(sqlite_ctx).board(desk(sqlite_ctx))[0].stage == "at_kiosk"


# --- audit chain -----------------------------------------------------------------------------


def _drop_audit_protection(ctx) -> None:  # type: ignore[no-untyped-def]
    """What someone with direct database access could do; the chain must still show it."""
    with ctx.db.engine.begin() as conn:
        if ctx.db.dialect == "postgresql":
            conn.execute(text("DROP TRIGGER trg_audit_events_append_only ON audit_events"))
        else:
            conn.execute(text("DROP TRIGGER trg_audit_events_no_update"))
            conn.execute(text("DROP TRIGGER trg_audit_events_no_delete"))


@pytest.mark.parametrize("tamper", ["edit", "delete", "insert", "reorder", "truncate_tail"])
def test_audit_chain_detects_tampering(ctx, tamper) -> None:  # type: ignore[no-untyped-def]
    walk_visit(ctx, ScriptedPatient())
    report = AuditService(ctx).verify()
    assert report.intact and report.events > 20
    _drop_audit_protection(ctx)
    with ctx.db.engine.begin() as conn:
        if tamper == "edit":
            conn.execute(text("UPDATE audit_events SET actor = 'staff:999' WHERE seq = 7"))
            expected = 7
        elif tamper == "delete":
            conn.execute(text("DELETE FROM audit_events WHERE seq = 9"))
            expected = 9
        elif tamper == "insert":
            conn.execute(text("UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 5"))
            conn.execute(text("UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1005"))
            conn.execute(
                text(
                    "INSERT INTO audit_events (seq, at, actor, station, action, entity, entity_id, detail, prev_hash, hash) SELECT 5, at, actor, station, 'view', entity, entity_id, detail, hash, hash FROM audit_events WHERE seq = 4"
                )
            )
            expected = 5
        elif tamper == "reorder":
            conn.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = 11"))
            conn.execute(text("UPDATE audit_events SET seq = 11 WHERE seq = 12"))
            conn.execute(text("UPDATE audit_events SET seq = 12 WHERE seq = -1"))
            expected = 11
        else:
            last = conn.execute(text("SELECT max(seq) FROM audit_events")).scalar()
            conn.execute(text("DELETE FROM audit_events WHERE seq >= :s"), {"s": last - 2})
            expected = last - 2
    report = AuditService(ctx).verify()
    assert not report.intact
    assert report.first_bad_seq == expected


def test_audit_verify_command_on_a_real_database(tmp_path: Path) -> None:
    env = {
        "INTAKE_DATA_DIR": str(tmp_path / "d"),
        "PATH": "/usr/bin:/bin",
        "INTAKE_STATION": "cli-test",
        # The default database is encrypted; the command finds the key where this test made it.
        "INTAKE_SECRET_STORE": "file",
        "INTAKE_SECRETS_DIR": os.environ["INTAKE_SECRETS_DIR"],
    }
    ctx = open_context(data_dir=tmp_path / "d")
    walk_visit(ctx, ScriptedPatient())
    ok = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    _drop_audit_protection(ctx)
    with ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET action = 'view' WHERE seq = 3"))
    ctx.db.dispose()
    broken = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert broken.returncode == 1
    assert "event 3" in broken.stderr
    assert "Zoë" not in broken.stdout + broken.stderr


def test_concurrent_writers_keep_one_chain(ctx, db_target) -> None:  # type: ignore[no-untyped-def]
    """Eight stations writing at once: every append lands, and the chain verifies."""
    url, schema = db_target
    front = desk(ctx)
    errors: list[BaseException] = []

    def station(n: int) -> None:
        try:
            mine = open_context(data_dir=ctx.data_dir, url=url, schema=schema, migrate=False)
            mine.station = f"station-{n}"
            patients = PatientService(mine)
            for i in range(6):
                patients.register(
                    front,
                    allow_duplicate=True,  # WriterA and WriterB Test: one typo apart
                    first_name=f"Writer{chr(65 + n)}",
                    last_name=f"Test{chr(65 + i)}",
                    date_of_birth="1990-01-01",
                )
            mine.db.dispose()
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=station, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    report = AuditService(ctx).verify()
    assert report.intact, report.reason
    with ctx.db.session() as s:
        creates = (
            s.query(AuditEvent)
            .filter(AuditEvent.action == "create", AuditEvent.entity == "patient")
            .count()
        )
    assert creates == 48


# --- staff -----------------------------------------------------------------------------------


def test_staff_secrets_are_argon2id_and_login_is_throttled(ctx) -> None:  # type: ignore[no-untyped-def]
    staff = StaffService(ctx)
    admin = staff.add(SYSTEM, "admin", "Clinic Admin", "admin", "975318")
    with pytest.raises(NotAllowed):
        staff.add(
            SYSTEM, "second", "Second Admin", "admin", "975318"
        )  # only the very first account needs no admin
    staff.add(
        staff_actor(admin), "ruiz", "Dr Ana Ruiz", "clinician", "730185", admin_secret="975318"
    )
    with ctx.db.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT secret_hash FROM staff_users WHERE username = 'ruiz'")
        ).scalar()
    assert stored.startswith("$argon2id$") and "730185" not in stored
    assert staff.login("ruiz", "730185").role == "clinician"
    for _ in range(3):
        with pytest.raises(LoginFailed):
            staff.login("ruiz", "0000")
    with pytest.raises(Locked) as locked:
        staff.login("ruiz", "730185")  # even the right PIN waits while locked
    assert locked.value.seconds > 0
    with ctx.db.session() as s:
        actions = [e.action for e in s.query(AuditEvent).order_by(AuditEvent.seq)]
    assert actions.count("login_failed") == 3 and "login_refused" in actions and "login" in actions


def test_roles_are_enforced_in_services(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    front = desk(ctx)
    patient_id = VisitService(ctx).board(front)[0].patient_id
    clinician = ClinicianService(ctx)
    with pytest.raises(NotAllowed):
        clinician.review(front, vid)
    with pytest.raises(NotAllowed):
        clinician.record_lab(front, patient_id, "alt", 30, ctx.today())
    with pytest.raises(NotAllowed):
        clinician.review(kiosk, vid)
    assert clinician.review(doctor(ctx), vid).status == "submitted"


# --- concurrency -----------------------------------------------------------------------------


def test_two_stations_correcting_one_patient(ctx, db_target) -> None:  # type: ignore[no-untyped-def]
    url, schema = db_target
    front = desk(ctx)
    p = PatientService(ctx).register(
        front,
        first_name="Noor",
        last_name="Haddad",
        date_of_birth="1995-05-05",
        phone="555 010 7777",
    )
    other = open_context(data_dir=ctx.data_dir, url=url, schema=schema, migrate=False)
    first = PatientService(ctx).correct(
        front, p.id, p.version, "typo in phone", phone="555 010 7778"
    )
    assert first.version == p.version + 1
    with pytest.raises(Conflict):
        PatientService(other).correct(front, p.id, p.version, "moved", phone="555 010 9999")
    assert PatientService(other).get(front, p.id).phone == "5550107778"
    history = PatientService(ctx).history(front, p.id)
    assert [h["version"] for h in history] == [1, 2] and history[0]["phone"] == "5550107777"
    other.db.dispose()


def test_follow_up_edits_are_version_checked(ctx) -> None:  # type: ignore[no-untyped-def]
    front, doc = desk(ctx), doctor(ctx)
    p = PatientService(ctx).register(
        front, first_name="Kai", last_name="Lee", date_of_birth="2000-01-01", sex_at_birth="male"
    )
    clin = ClinicianService(ctx)
    row = clin.record_follow_up(doc, p.id, 1, seen_on=ctx.today(), weight="70", daily_dose_mg="40")
    updated = clin.record_follow_up(
        doc,
        p.id,
        1,
        seen_on=ctx.today(),
        weight="70",
        daily_dose_mg="60",
        expected_version=row.version,
    )
    assert updated.daily_dose_mg == 60
    with pytest.raises(Conflict):
        clin.record_follow_up(
            doc,
            p.id,
            1,
            seen_on=ctx.today(),
            weight="70",
            daily_dose_mg="20",
            expected_version=row.version,
        )
    course = clin.course(doc, p.id)
    assert course.dose.cumulative_mg == 60 * 30 and course.dose.mg_per_kg == pytest.approx(
        1800 / 70, abs=0.1
    )


def test_search_by_name_either_order_dob_and_record_number(ctx) -> None:  # type: ignore[no-untyped-def]
    front = desk(ctx)
    svc = PatientService(ctx)
    a = svc.register(front, first_name="Zoë", last_name="Nguyễn", date_of_birth="1999-04-12")
    svc.register(front, first_name="Ñuria", last_name="Núñez", date_of_birth="1987-10-01")
    svc.register(front, first_name="Zack", last_name="Nash", date_of_birth="1999-04-12")
    assert [r.id for r in svc.search(front, "nguy")] == [a.id]
    assert [r.id for r in svc.search(front, "zoe ng")] == [a.id]
    assert {r.last_name for r in svc.search(front, "1999-04-12")} == {"Nguyễn", "Nash"}
    assert [r.id for r in svc.search(front, a.record_number)] == [a.id]
    assert [r.first_name for r in svc.search(front, "nunez")] == ["Ñuria"]
    assert svc.search(front, "100%_") == []
    assert len(svc.search(front, "", limit=2)) == 2


def test_audit_is_append_only_at_the_service_level(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    with sqlite_ctx.db.session(write=True) as s:
        audit.append(s, actor="system", station="x", action="test", entity="none", entity_id="1")
    with pytest.raises(DBAPIError), sqlite_ctx.db.session(write=True) as s:
        s.execute(text("UPDATE audit_events SET action = 'changed'"))


def test_a_staff_name_the_documents_cannot_print_is_refused(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    """A dermatologist's name goes on every consent they countersign."""
    staff = StaffService(sqlite_ctx)
    before = staff.list()
    with pytest.raises(InvalidInput) as err:
        staff.add(SYSTEM, "drwang", "Dr 王", "clinician", "long-enough-pin-1")
    assert "cannot print 王" in err.value.errors["display_name"]
    assert staff.list() == before
    admin = staff_actor(staff.add(SYSTEM, "admin", "Clinic Admin", "admin", "long-enough-pin-1"))
    info = staff.add(
        admin,
        "drruiz",
        "Dr Ana Ruíz",
        "clinician",
        "long-enough-pin-1",
        admin_secret="long-enough-pin-1",
    )
    assert info.display_name == "Dr Ana Ruíz"
