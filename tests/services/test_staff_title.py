"""A title on staff accounts ("Dra."), printed where documents name the clinician."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from intake.domain.names import titled
from intake.services import integrity
from intake.services.accounts import account_digest, audited_digest
from intake.services.context import AppContext, open_context
from intake.services.documents import DocumentService
from intake.services.errors import InvalidInput
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import StaffService, staff_actor
from intake.store.models import StaffUser, Visit

ROOT = Path(__file__).resolve().parents[2]


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_titled_puts_the_title_before_the_name_once() -> None:
    assert titled("Dra.", "Ana Ruiz") == "Dra. Ana Ruiz"
    assert titled("Dr", "Dr Ana Ruiz") == "Dr Ana Ruiz"
    assert titled("Dr.", "Dr Ana Ruiz") == "Dr Ana Ruiz"
    assert titled("", "Ana Ruiz") == "Ana Ruiz"
    # A name that starts with another title keeps its own, and gets no second one.
    assert titled("Dra.", "Dr Ana Ruiz") == "Dr Ana Ruiz"
    assert titled("Dr", "Dra. Ana Ruiz") == "Dra. Ana Ruiz"
    assert titled("Prof.", "Doctora Ana Ruiz") == "Doctora Ana Ruiz"
    assert titled("Dra.", "Drake Ana") == "Dra. Drake Ana"  # a name, not a title


def test_the_staff_add_help_gives_a_name_without_its_title(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from intake.cli import _parser

    with pytest.raises(SystemExit):
        _parser().parse_args(["staff", "add", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "e.g. 'Ana Ruiz'" in shown and "'Dr Ana Ruiz'" not in shown
    assert "e.g. 'Dr' or 'Dra.'" in shown


def _admin(ctx: AppContext):  # type: ignore[no-untyped-def]
    ensure_staff(ctx, "front_desk", "desk", "Front Desk")  # makes the administrator first
    return staff_actor(next(i for i in StaffService(ctx).list() if i.role == "admin"))


def test_a_title_is_kept_with_the_account_and_its_digest(sqlite_ctx: AppContext) -> None:
    service = StaffService(sqlite_ctx)
    admin = _admin(sqlite_ctx)
    info = service.add(
        admin, "ana.ruiz", "Ana Ruiz", "clinician", "739146", admin_secret=STAFF_PIN, title="Dra."
    )
    assert info.title == "Dra."
    with sqlite_ctx.db.session() as s:
        user = s.get(StaffUser, info.id)
        assert user is not None and user.title == "Dra."
        assert audited_digest(s, info.id) == account_digest(user)
        # A title changed straight in the database no longer matches the trail.
        user.title = "Dr"
        assert audited_digest(s, info.id) != account_digest(user)
        s.rollback()
    # An account without a title keeps the digest it always had (no "title" in it).
    desk = next(i for i in service.list() if i.username == "desk")
    assert desk.title == ""


@pytest.mark.parametrize("bad", ["Dr 2", "x" * 21])
def test_a_title_is_a_short_word(sqlite_ctx: AppContext, bad: str) -> None:
    admin = _admin(sqlite_ctx)
    with pytest.raises(InvalidInput) as refused:
        StaffService(sqlite_ctx).add(
            admin, "ana.ruiz", "Ana Ruiz", "clinician", "739146", admin_secret=STAFF_PIN, title=bad
        )
    assert "title" in refused.value.errors


def test_the_countersigned_consent_names_the_clinician_with_her_title(
    sqlite_ctx: AppContext,
) -> None:
    admin = _admin(sqlite_ctx)
    info = StaffService(sqlite_ctx).add(
        admin, "ana.ruiz", "Ana Ruiz", "clinician", "739146", admin_secret=STAFF_PIN, title="Dra."
    )
    doctor = staff_actor(info)
    vid, _, _ = walk_visit(
        sqlite_ctx,
        ScriptedPatient(can_become_pregnant=False, sex_at_birth="male"),
        dermatologist_id=info.id,
    )
    docs = DocumentService(sqlite_ctx)
    issued = docs.issue_documents(doctor, vid)
    consent = next(d for d in issued if d.kind == "consent")
    first = _text(docs.open_pdf(doctor, consent.id))
    assert "Dra. Ana Ruiz" in first  # the chosen dermatologist, before she countersigns
    signed = docs.countersign(
        doctor,
        vid,
        "Ana Ruiz",
        signature_strokes(),
        600,
        200,
        secret="739146",
        reviewed=review_everything(sqlite_ctx, doctor, vid),
    )
    text = _text(docs.open_pdf(doctor, signed.id))
    assert "Dra. Ana Ruiz" in text
    # The aftercare packet names her the same way.
    from intake.services.clinician import ClinicianService

    with sqlite_ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None
        pid = visit.patient_id
    ClinicianService(sqlite_ctx).record_completion(doctor, pid, sqlite_ctx.today())
    packet = _text(docs.open_pdf(doctor, docs.issue_aftercare(doctor, pid).id))
    assert "Recorded by Dra. Ana Ruiz" in packet
    with sqlite_ctx.db.session() as s:
        assert integrity.visit_problems(sqlite_ctx, s) == []


def test_staff_add_takes_a_title(tmp_path: Path) -> None:
    env = {**os.environ, "INTAKE_DATA_DIR": str(tmp_path / "d")}
    env.pop("INTAKE_DATABASE_URL", None)

    def main(*args: str, lines: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), *args],
            input="".join(f"{line}\n" for line in lines),
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )

    first = main("staff", "add", "--role", "admin", "Clinic Admin", lines=(STAFF_PIN,) * 2)
    assert first.returncode == 0, first.stderr
    added = main(
        "staff", "add", "--role", "clinician", "--title", "Dra.", "Ana Ruiz",
        "--by", "clinic.admin", lines=(STAFF_PIN, "739146", "739146"),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = main("staff", "list", lines=())
    assert "ana.ruiz\tclinician\tactive\tDra. Ana Ruiz" in listed.stdout
    ctx = open_context(data_dir=tmp_path / "d")
    try:
        assert next(i for i in StaffService(ctx).list() if i.username == "ana.ruiz").title == "Dra."
    finally:
        ctx.db.dispose()


def test_an_administrator_sets_changes_and_removes_a_title(sqlite_ctx: AppContext) -> None:
    from intake.services.accounts import account_problem
    from intake.services.audit import AuditService
    from intake.store.models import AuditEvent

    service = StaffService(sqlite_ctx)
    admin = _admin(sqlite_ctx)
    info = service.add(admin, "ana.ruiz", "Ana Ruiz", "clinician", "739146", admin_secret=STAFF_PIN)
    assert info.title == ""
    assert service.set_title(admin, "Ana.Ruiz", "  Dra. ").title == "Dra."
    assert service.set_title(admin, "ana.ruiz", "Lic. Enf.").title == "Lic. Enf."
    assert service.set_title(admin, "ana.ruiz", "").title == ""
    with sqlite_ctx.db.session() as s:
        user = s.get(StaffUser, info.id)
        assert user is not None and account_problem(s, user) is None
        events = [
            e.detail for e in s.query(AuditEvent).filter_by(entity="staff", action="set_title")
        ]
    assert [(d["title"], d["before"]) for d in events] == [
        ("Dra.", ""),
        ("Lic. Enf.", "Dra."),
        ("", "Lic. Enf."),
    ]
    report = AuditService(sqlite_ctx).verify()
    assert report.intact, report.problems
    # The same title again changes nothing and records nothing.
    service.set_title(admin, "ana.ruiz", "")
    with sqlite_ctx.db.session() as s:
        assert s.query(AuditEvent).filter_by(action="set_title").count() == 3


@pytest.mark.parametrize("bad", ["Dr 2", "Dr-", "D.r", "Dr..", ".Dr", "Dr!", "x" * 21])
def test_a_title_that_is_not_short_letters_and_a_dot_is_refused(
    sqlite_ctx: AppContext, bad: str
) -> None:
    service = StaffService(sqlite_ctx)
    admin = _admin(sqlite_ctx)
    service.add(admin, "ana.ruiz", "Ana Ruiz", "clinician", "739146", admin_secret=STAFF_PIN)
    with pytest.raises(InvalidInput) as refused:
        service.set_title(admin, "ana.ruiz", bad)
    assert "letters" in refused.value.errors["title"]
    assert next(i for i in service.list() if i.username == "ana.ruiz").title == ""


def test_only_an_administrator_sets_a_title(sqlite_ctx: AppContext) -> None:
    from intake.services.errors import NotAllowed

    ensure_staff(sqlite_ctx, "clinician", "drruiz", "Ana Ruiz")
    doctor = staff_actor(next(i for i in StaffService(sqlite_ctx).list() if i.username == "drruiz"))
    with pytest.raises(NotAllowed):
        StaffService(sqlite_ctx).set_title(doctor, "drruiz", "Dra.")
    assert next(i for i in StaffService(sqlite_ctx).list() if i.username == "drruiz").title == ""
