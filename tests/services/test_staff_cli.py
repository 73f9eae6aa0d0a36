"""`main.py staff ...` and `main.py demo` as a person or a script runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from intake.services.context import open_context
from intake.services.errors import LoginFailed
from intake.services.scripted import STAFF_PIN
from intake.services.staff import StaffService
from intake.store.models import AuditEvent, Patient, StaffUser

ROOT = Path(__file__).resolve().parents[2]
MAIN = str(ROOT / "main.py")


def _env(data: Path) -> dict[str, str]:
    env = {**os.environ, "INTAKE_DATA_DIR": str(data)}
    env.pop("INTAKE_DATABASE_URL", None)
    return env


def _main(
    env: dict[str, str], *args: str, lines: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, MAIN, *args],
        input="".join(f"{line}\n" for line in lines),
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_staff_commands_need_an_admin_and_their_pin(tmp_path: Path) -> None:
    data = tmp_path / "d"
    env = _env(data)
    # The first account: no --by, but it must be an administrator; its PIN is asked twice.
    first = _main(env, "staff", "add", "--role", "clinician", "Dr Ana Ruiz", lines=(STAFF_PIN,) * 2)
    assert first.returncode == 2 and "must be an administrator" in first.stderr
    differ = _main(
        env, "staff", "add", "--role", "admin", "Clinic Admin", lines=(STAFF_PIN, "739146")
    )
    assert differ.returncode == 2 and "differ" in differ.stderr
    weak = _main(env, "staff", "add", "--role", "admin", "Clinic Admin", lines=("1357", "1357"))
    assert weak.returncode == 2 and "at least 6 digits" in weak.stderr
    ok = _main(env, "staff", "add", "--role", "admin", "Clinic Admin", lines=(STAFF_PIN,) * 2)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "added clinic.admin (admin)"
    # After that, every change names the administrator and asks their PIN first.
    again = _main(env, "staff", "add", "--role", "admin", "Someone Else", lines=(STAFF_PIN,) * 2)
    assert again.returncode == 2 and "--by ADMIN_USERNAME" in again.stderr
    wrong = _main(
        env, "staff", "add", "--role", "clinician", "Dr Ana Ruiz", "--by", "clinic.admin",
        lines=("000001", "739146", "739146"),
    )  # fmt: skip
    assert wrong.returncode == 2 and "not right" in wrong.stderr
    added = _main(
        env, "staff", "add", "--role", "clinician", "Dr Ana Ruiz", "--by", "clinic.admin",
        lines=(STAFF_PIN, "739146", "739146"),
    )  # fmt: skip
    assert added.returncode == 0 and "added ana.ruiz (clinician)" in added.stdout, added.stderr
    # A clinician is not an administrator: refused, saying why.
    refused = _main(env, "staff", "disable", "clinic.admin", "--by", "ana.ruiz", lines=("739146",))
    assert refused.returncode == 2
    assert "Your role does not allow this: only an administrator can" in refused.stderr
    off = _main(env, "staff", "disable", "ana.ruiz", "--by", "clinic.admin", lines=(STAFF_PIN,))
    assert off.returncode == 0 and off.stdout.strip() == "disabled ana.ruiz", off.stderr
    listed = _main(env, "staff", "list")
    assert "ana.ruiz\tclinician\tdisabled" in listed.stdout
    ctx = open_context(data_dir=data)
    try:
        with pytest.raises(LoginFailed):
            StaffService(ctx).login("ana.ruiz", "739146")
    finally:
        ctx.db.dispose()
    on = _main(env, "staff", "enable", "ana.ruiz", "--by", "clinic.admin", lines=(STAFF_PIN,))
    assert on.returncode == 0 and on.stdout.strip() == "enabled ana.ruiz", on.stderr
    reset = _main(
        env, "staff", "reset-pin", "ana.ruiz", "--by", "clinic.admin",
        lines=(STAFF_PIN, "550931", "550931"),
    )  # fmt: skip
    assert reset.returncode == 0 and "new PIN set for ana.ruiz" in reset.stdout, reset.stderr
    missing = _main(env, "staff", "enable", "nobody", "--by", "clinic.admin", lines=(STAFF_PIN,))
    assert missing.returncode == 2 and "no staff account named 'nobody'" in missing.stderr
    ctx = open_context(data_dir=data)
    try:
        assert StaffService(ctx).login("ana.ruiz", "550931").role == "clinician"
        with ctx.db.session() as s:
            events = s.query(AuditEvent).filter_by(entity="staff").all()
            actions = {e.action for e in events}
            trail = " ".join(f"{e.entity_id} {e.detail}" for e in events)
    finally:
        ctx.db.dispose()
    assert {"create", "disable", "enable", "reset_secret", "login", "login_failed"} <= actions
    for secret in (STAFF_PIN, "739146", "550931", "000001"):
        assert secret not in trail


def _accounts(data: Path) -> list[tuple[str, str, bool]]:
    ctx = open_context(data_dir=data)
    try:
        with ctx.db.session() as s:
            return sorted((u.username, u.role, u.demo) for u in s.query(StaffUser))
    finally:
        ctx.db.dispose()


def test_four_demos_at_once_on_a_fresh_folder_share_one_set_of_accounts(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    env = _env(data)
    procs = [
        subprocess.Popen(
            [sys.executable, MAIN, "demo", "--out", str(tmp_path / f"out{i}")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    results = [(p.communicate(timeout=600), p.returncode) for p in procs]
    for (_stdout, stderr), code in results:
        assert code == 0 or (code == 2 and stderr.startswith("demo refused:")), stderr
        assert "Traceback" not in stderr
    assert any(code == 0 for _, code in results)
    assert _accounts(data) == [
        ("admin", "admin", True),
        ("desk", "front_desk", True),
        ("dr.ruiz", "clinician", True),
    ]
    ctx = open_context(data_dir=data)
    try:
        with ctx.db.session() as s:
            assert all(p.demo for p in s.query(Patient))
        # The demo's accounts cannot sign in, with the right PIN either.
        for username in ("admin", "dr.ruiz", "desk"):
            with pytest.raises(LoginFailed, match="demo account"):
                StaffService(ctx).login(username, STAFF_PIN)
    finally:
        ctx.db.dispose()
    # A person then makes their own administrator (the first real account needs no --by)...
    mine = _main(env, "staff", "add", "--role", "admin", "Clinic Admin", lines=(STAFF_PIN,) * 2)
    assert mine.returncode == 0, mine.stderr
    # ...and from then on the demo refuses this database, changing nothing.
    before = _accounts(data)
    refused = _main(env, "demo", "--out", str(tmp_path / "again"))
    assert refused.returncode == 2
    assert "INTAKE_DATA_DIR" in refused.stderr and "scratch" in refused.stderr
    assert _accounts(data) == before
    assert not (tmp_path / "again").exists()


def test_the_demo_refuses_a_database_with_a_real_patient(tmp_path: Path) -> None:
    from intake.services.patients import PatientService
    from intake.services.scripted import ensure_staff
    from intake.services.staff import staff_actor

    data = tmp_path / "clinic"
    ctx = open_context(data_dir=data)
    try:
        desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
        PatientService(ctx).register(
            desk, first_name="Real", last_name="Person", date_of_birth="1980-01-01"
        )
    finally:
        ctx.db.dispose()
    refused = _main(_env(data), "demo", "--out", str(tmp_path / "out"))
    assert refused.returncode == 2 and "did not create" in refused.stderr, refused.stderr
    assert "Real" not in refused.stderr + refused.stdout
    ctx = open_context(data_dir=data)
    try:
        with ctx.db.session() as s:
            assert s.query(Patient).count() == 1
            assert not any(u.demo for u in s.query(StaffUser))
    finally:
        ctx.db.dispose()
