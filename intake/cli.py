"""Headless commands and the GUI launcher.

Start-up stays light: each command imports what it needs when it runs, so ``main.py`` opens
its window without loading reportlab, pyHanko or running SQL migrations first.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="main.py",
        description="Isotretinoin intake and consent. With no command, starts the desktop app.",
        epilog="INTAKE_DATABASE_URL selects the database (any SQLAlchemy URL; default: SQLite in the data folder). "
        "INTAKE_DATA_DIR selects the data folder (database, clinic signing key and certificate).",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("gui", help="start the desktop app (the default)")
    sub.add_parser("kiosk", help="start this station straight into kiosk mode")
    demo = sub.add_parser(
        "demo",
        help="run one synthetic patient through the real services and write the signed documents",
    )
    demo.add_argument("--out", required=True, type=Path, help="folder to write the PDFs to")
    demo.add_argument("--lang", choices=("en", "es"), default="en")
    verify = sub.add_parser(
        "verify",
        help="check a PDF's signature and that it matches a stored record (exit 0 valid, 1 not valid, 2 unusable)",
    )
    verify.add_argument("file", type=Path, nargs="?", help="the PDF file to check")
    verify.add_argument(
        "--id",
        metavar="TEXT",
        dest="check_text",
        help="check a printed copy instead: its document id, the fingerprint printed at the foot"
        " of each page, or what its QR code says (exit 0 genuine, 1 not, 2 not recognised)",
    )
    audit = sub.add_parser("audit", help="audit trail commands")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    audit_sub.add_parser("verify", help="check the whole hash chain (exit 0 intact, 1 broken)")
    staff = sub.add_parser("staff", help="staff accounts")
    staff_sub = staff.add_subparsers(dest="staff_command", metavar="SUBCOMMAND", required=True)
    add = staff_sub.add_parser(
        "add", help="add a staff account; asks for the PIN or password twice"
    )
    add.add_argument("name", help="the person's name, e.g. 'Dr Ana Ruiz'")
    add.add_argument("--role", required=True, choices=("front_desk", "clinician", "admin"))
    add.add_argument("--username", help="sign-in name (default: made from the name)")
    staff_sub.add_parser("list", help="list staff accounts")
    forms = sub.add_parser("forms", help="form content commands")
    forms_sub = forms.add_subparsers(dest="forms_command", metavar="SUBCOMMAND", required=True)
    forms_sub.add_parser("check", help="validate every form file and its recorded version hash")
    forms_sub.add_parser(
        "lock", help="record each form's version and content hash in forms/versions.lock"
    )
    _add_export_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(argv) if argv is not None else None)
    command = args.command or "gui"
    if command in ("gui", "kiosk"):
        from intake.ui.app import run

        return run(kiosk=command == "kiosk")
    if command == "demo":
        from intake.forms import default_check
        from intake.services.demo import run_demo

        check = default_check()
        if not check.ok:
            _say_problems(check.problems)
            return 2
        from intake.services.errors import SealingFailed

        try:
            paths = run_demo(args.out, args.lang)
        except SealingFailed as exc:
            print(f"demo failed: {exc}", file=sys.stderr)
            return 1
        for path in paths:
            print(path)
        return 0
    if command == "verify":
        if (args.file is None) == (args.check_text is None):
            print("verify needs a FILE or --id TEXT (one of them)", file=sys.stderr)
            return 2
        if args.check_text is not None:
            return _verify_id(args.check_text)
        return _verify(args.file)
    if command == "audit":
        return _audit_verify()
    if command == "staff":
        return _staff(args)
    if command == "forms":
        return _forms(args.forms_command)
    if command == "export":
        return _export(args)
    return 2


def _context():  # type: ignore[no-untyped-def]
    from intake.forms import FormsInvalid
    from intake.services.context import open_context

    try:
        return open_context()
    except FormsInvalid as exc:
        _say_problems(exc.problems)
        raise SystemExit(2) from None


def _say_problems(problems: Sequence[object]) -> None:
    """The form problems, one a line on stderr: the file, the place in it and what is wrong."""
    for problem in problems:
        print(problem, file=sys.stderr)


def _verify(path: Path) -> int:
    from intake.services.documents import DocumentService

    service = DocumentService(_context())
    try:
        result = service.verify_file(path)
    except OSError as exc:
        print(f"not usable: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    stream = sys.stdout if result.valid else sys.stderr
    print(
        ("valid: " if result.valid else "not valid: " if result.usable else "not usable: ")
        + result.reason,
        file=stream,
    )
    return 0 if result.valid else (1 if result.usable else 2)


def _verify_id(text: str) -> int:
    """`verify --id`: what a printed copy's id, fingerprint or QR code says (the system asks)."""
    from intake.services.context import SYSTEM
    from intake.services.documents import DocumentService, describe_check

    ctx = _context()
    check = DocumentService(ctx).check_printed(SYSTEM, text)
    stream = sys.stdout if check.found else sys.stderr
    for line in describe_check(check, ctx.forms.clinic.timezone):
        print(line, file=stream)
    return 0 if check.found else (1 if check.recognised else 2)


def _audit_verify() -> int:
    from intake.services.audit import AuditService

    report = AuditService(_context()).verify()
    if report.intact:
        print(f"audit chain intact: {report.events} events")
        return 0
    where = f" at event {report.first_bad_seq}" if report.first_bad_seq else ""
    print(f"audit chain BROKEN{where}: {report.reason}", file=sys.stderr)
    return 1


def _staff(args: argparse.Namespace) -> int:
    from intake.services.context import SYSTEM
    from intake.services.errors import ServiceError
    from intake.services.staff import StaffService

    service = StaffService(_context())
    if args.staff_command == "list":
        for s in service.list():
            print(f"{s.username}\t{s.role}\t{s.display_name}")
        return 0
    username = args.username or ".".join(args.name.lower().replace("dr ", "").split())
    if sys.stdin.isatty():
        secret, again = getpass.getpass("PIN or password: "), getpass.getpass("Again: ")
    else:  # a script pipes the two entries in, one per line
        secret, again = sys.stdin.readline().rstrip("\n"), sys.stdin.readline().rstrip("\n")
    if secret != again:
        print("The two entries differ; nothing was saved.", file=sys.stderr)
        return 2
    try:
        info = service.add(SYSTEM, username, args.name, args.role, secret)
    except ServiceError as exc:
        print(f"Not added: {exc}", file=sys.stderr)
        return 2
    print(f"added {info.username} ({info.role})")
    return 0


def _forms(command: str) -> int:
    from intake.forms import FormsInvalid, check_forms, load_forms
    from intake.forms.loader import write_lock

    if command == "lock":
        try:
            print(write_lock(load_forms()))
        except FormsInvalid as exc:
            _say_problems(exc.problems)
            return 1
        return 0
    check = check_forms()
    if check.problems:
        _say_problems(check.problems)
        return 1
    assert check.forms is not None
    print(
        "forms valid: "
        + ", ".join(f"{k} {v}" for k, (v, _) in sorted(check.forms.versions().items()))
    )
    return 0


# --- export fhir ----------------------------------------------------------------------------------


def _add_export_parser(sub: Any) -> None:
    export = sub.add_parser("export", help="export records for another clinical system")
    formats = export.add_subparsers(dest="export_format", metavar="FORMAT", required=True)
    fhir = formats.add_parser(
        "fhir",
        help="write one FHIR R4 Bundle (JSON) of a visit, or of a patient's whole course"
        " (exit 0 written, 2 nothing written)",
    )
    which = fhir.add_mutually_exclusive_group(required=True)
    which.add_argument("--visit", metavar="VISIT_ID", help="one visit")
    which.add_argument(
        "--patient", metavar="RECORD_NUMBER", help="every visit, lab, follow-up and document"
    )
    fhir.add_argument("--out", required=True, type=Path, help="the JSON file to write")


def _export(args: argparse.Namespace) -> int:
    """`export fhir`: the command line acts as the system; the service audits the export."""
    from intake.services.context import SYSTEM
    from intake.services.errors import ServiceError
    from intake.services.fhir import FhirService

    service = FhirService(_context())
    try:
        if args.visit is not None:
            done = service.export_visit(SYSTEM, args.visit, args.out)
        else:
            done = service.export_patient(SYSTEM, args.patient, args.out)
    except ServiceError as exc:
        print(f"Not exported: {exc} Nothing was written.", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"Not exported: cannot write {args.out}: {exc.strerror}. Nothing was written.",
            file=sys.stderr,
        )
        return 2
    print(f"{done.path}\t{done.resources} resources\tsha256 {done.sha256}")
    return 0
