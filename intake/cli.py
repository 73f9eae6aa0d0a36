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
    verify.add_argument("file", type=Path)
    audit = sub.add_parser("audit", help="audit trail commands")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    audit_sub.add_parser("verify", help="check the whole hash chain (exit 0 intact, 1 broken)")
    staff = sub.add_parser("staff", help="staff accounts")
    staff_sub = staff.add_subparsers(dest="staff_command", metavar="SUBCOMMAND", required=True)
    by_help = (
        "the administrator doing this (asks their PIN first); needed for every change but"
        " the very first account"
    )
    add = staff_sub.add_parser(
        "add",
        help="add a staff account; asks the administrator's PIN (--by), then the new PIN twice",
    )
    add.add_argument("name", help="the person's name, e.g. 'Dr Ana Ruiz'")
    add.add_argument("--role", required=True, choices=("front_desk", "clinician", "admin"))
    add.add_argument("--username", help="sign-in name (default: made from the name)")
    add.add_argument("--by", metavar="ADMIN_USERNAME", help=by_help)
    for command, what in (
        ("disable", "disable an account (it can no longer sign in)"),
        ("enable", "enable a disabled account again"),
        ("reset-pin", "give an account a new PIN or passphrase (asked twice)"),
    ):
        change = staff_sub.add_parser(command, help=what + "; asks the administrator's PIN first")
        change.add_argument("username", metavar="USERNAME")
        change.add_argument("--by", metavar="ADMIN_USERNAME", required=True, help=by_help)
    staff_sub.add_parser("list", help="list staff accounts")
    forms = sub.add_parser("forms", help="form content commands")
    forms_sub = forms.add_subparsers(dest="forms_command", metavar="SUBCOMMAND", required=True)
    forms_sub.add_parser("check", help="validate every form file and its recorded version hash")
    forms_sub.add_parser(
        "lock", help="record each form's version and content hash in forms/versions.lock"
    )
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
        from intake.services.errors import NotAllowed

        check = default_check()
        if not check.ok:
            _say_problems(check.problems)
            return 2
        try:
            written = run_demo(args.out, args.lang)
        except NotAllowed as exc:
            print(f"demo refused: {exc}", file=sys.stderr)
            return 2
        for path in written:
            print(path)
        return 0
    if command == "verify":
        return _verify(args.file)
    if command == "audit":
        return _audit_verify()
    if command == "staff":
        return _staff(args)
    if command == "forms":
        return _forms(args.forms_command)
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

    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"not usable: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    result = DocumentService(_context()).verify_bytes(data)
    stream = sys.stdout if result.valid else sys.stderr
    print(
        ("valid: " if result.valid else "not valid: " if result.usable else "not usable: ")
        + result.reason,
        file=stream,
    )
    return 0 if result.valid else (1 if result.usable else 2)


def _audit_verify() -> int:
    from intake.services.audit import AuditService

    report = AuditService(_context()).verify()
    if report.intact:
        print(f"audit chain intact: {report.events} events")
        return 0
    where = f" at event {report.first_bad_seq}" if report.first_bad_seq else ""
    print(f"audit chain BROKEN{where}: {report.reason}", file=sys.stderr)
    return 1


class _Entries:
    """Secrets typed at a terminal (not echoed), or piped in by a script one a line, in order."""

    def __init__(self) -> None:
        self.tty = sys.stdin.isatty()

    def ask(self, prompt: str) -> str:
        if self.tty:
            return getpass.getpass(prompt)
        return sys.stdin.readline().rstrip("\r\n")

    def new_secret(self) -> str | None:
        secret, again = self.ask("New PIN or passphrase: "), self.ask("Again: ")
        if secret != again:
            print("The two entries differ; nothing was saved.", file=sys.stderr)
            return None
        return secret


def _staff(args: argparse.Namespace) -> int:
    from intake.services.context import SYSTEM
    from intake.services.errors import InvalidInput, ServiceError
    from intake.services.staff import (
        FIRST_ACCOUNT_ADMIN,
        MANAGE,
        NOT_FIRST,
        StaffService,
        staff_actor,
    )

    service = StaffService(_context())
    command = args.staff_command
    if command == "list":
        for s in service.list():
            state = "active" if s.active else "disabled"
            print(f"{s.username}\t{s.role}\t{state}{' demo' if s.demo else ''}\t{s.display_name}")
        return 0
    entries = _Entries()
    try:
        if args.by is None:  # only `staff add`, and only for the first account
            if not service.first_account_needed():
                print(f"Not added: {NOT_FIRST}", file=sys.stderr)
                return 2
            if args.role != "admin":
                print(f"Not added: {FIRST_ACCOUNT_ADMIN}", file=sys.stderr)
                return 2
            actor = SYSTEM
        else:
            admin = service.login(args.by, entries.ask(f"PIN of {args.by.strip()}: "))
            if admin.role != "admin":
                print(
                    f"Not done: Your role does not allow this: only an administrator can {MANAGE}.",
                    file=sys.stderr,
                )
                return 2
            actor = staff_actor(admin)
        if command == "add":
            username = args.username or ".".join(args.name.lower().replace("dr ", "").split())
            if (secret := entries.new_secret()) is None:
                return 2
            info = service.add(actor, username, args.name, args.role, secret)
            print(f"added {info.username} ({info.role})")
        elif command in ("disable", "enable"):
            info = service.set_active(actor, args.username, command == "enable")
            print(f"{command}d {info.username}")
        else:  # reset-pin
            if (secret := entries.new_secret()) is None:
                return 2
            info = service.reset_secret(actor, args.username, secret)
            print(f"new PIN set for {info.username}")
    except InvalidInput as exc:
        for text in exc.errors.values():
            print(f"Not done: {text}", file=sys.stderr)
        return 2
    except ServiceError as exc:
        print(f"Not done: {exc}", file=sys.stderr)
        return 2
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
