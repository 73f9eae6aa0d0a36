"""Forms that fail `main.py forms check`: found at start-up, no document issued, and the
commands that need the forms say the same clear lines as `forms check` (no traceback)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from form_files import add_huge_statement, unlock_form

from intake.cli import main
from intake.forms import FormsInvalid, check_forms
from intake.services.context import open_context
from intake.services.documents import DocumentService
from intake.services.errors import FormsNotReady
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.store.models import Document

ROOT = Path(__file__).resolve().parents[2]


def test_start_up_finds_a_form_version_missing_from_the_lock(forms_copy: Path) -> None:
    unlock_form(forms_copy, "risks")
    started = time.perf_counter()
    ctx = open_context()
    took = time.perf_counter() - started
    try:
        (problem,) = ctx.form_problems
        assert problem.path == "risks/form.toml"
        assert "is not recorded in versions.lock" in problem.message
    finally:
        ctx.db.dispose()
    assert took < 10  # the whole open, migrations included; the check itself is a few ms


def test_no_document_is_issued_or_countersigned_while_the_forms_are_not_locked(
    forms_copy: Path,
) -> None:
    ctx = open_context()
    try:
        vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())  # signed before the change
        unlock_form(forms_copy, "risks")  # as if the lock had changed since start-up
        ctx.form_problems = check_forms(forms_copy).problems
        assert ctx.form_problems
        docs = DocumentService(ctx)
        with pytest.raises(FormsNotReady) as refused:
            docs.issue_documents(kiosk, vid)
        assert "risks/form.toml" in str(refused.value)
        assert "forms check" in str(refused.value)
        doctor = staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
        with pytest.raises(FormsNotReady):
            docs.countersign(
                doctor, vid, "Dr Ana Ruiz", signature_strokes(seed=4), 600, 200, secret=STAFF_PIN
            )
        with ctx.db.session() as s:
            assert s.query(Document).filter(Document.visit_id == vid).count() == 0
        # Staff can still read the visit.
        assert docs.documents(doctor, vid) == []
    finally:
        ctx.db.dispose()


def test_forms_that_do_not_load_stop_the_start_up(forms_copy: Path) -> None:
    add_huge_statement(forms_copy, 5_000)
    with pytest.raises(FormsInvalid) as caught:
        open_context()
    assert any(p.path == "risks/form.toml" for p in caught.value.problems)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(list(argv))
    return code, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize("breakage", ["unlocked", "too_long", "not_toml"])
def test_demo_with_broken_forms_says_what_forms_check_says_and_exits_2(
    forms_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], breakage: str
) -> None:
    if breakage == "unlocked":
        unlock_form(forms_copy, "risks")
    elif breakage == "too_long":
        add_huge_statement(forms_copy, 5_000)
    else:
        (forms_copy / "quiz" / "form.toml").write_text("id = \n", "utf-8")
    check_code, check_lines = _run(capsys, "forms", "check")
    assert check_code == 1 and check_lines
    assert all(line.split(":")[0].endswith(("form.toml", "versions.lock")) for line in check_lines)
    demo_code, demo_lines = _run(capsys, "demo", "--out", str(tmp_path / "out"))
    assert demo_code == 2
    assert demo_lines == check_lines
    assert not (tmp_path / "out").exists()


def test_demo_with_a_ten_megabyte_statement_stops_at_once_without_a_traceback(
    forms_copy: Path, tmp_path: Path
) -> None:
    add_huge_statement(forms_copy)
    env = {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_FORMS_DIR": str(forms_copy),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    demo = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "demo", "--out", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert demo.returncode == 2, demo.stderr
    assert demo.stdout == ""
    assert demo.stderr.startswith("risks/form.toml: is 10.0 MB; a form file may be at most 1 MB")
    assert "Traceback" not in demo.stderr
