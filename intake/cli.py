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

from intake import i18n


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
    demo.add_argument("--lang", choices=i18n.codes(pseudo=True), default=i18n.source_language())
    demo.add_argument(
        "--course",
        action="store_true",
        help="the whole course: first visit, five monthly check-ins and completion with aftercare",
    )
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
    stamp = sub.add_parser("timestamp", help="time-stamping commands (PAdES B-T)")
    stamp_sub = stamp.add_subparsers(dest="timestamp_command", metavar="SUBCOMMAND", required=True)
    stamp_sub.add_parser(
        "pending",
        help="add a document timestamp from INTAKE_TSA_URL to each document sealed while the "
        "time-stamping authority could not be reached (exit 0 none left, 1 some left, 2 no TSA set)",
    )
    audit = sub.add_parser("audit", help="audit trail commands")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    audit_verify = audit_sub.add_parser(
        "verify",
        help="check the hash chain, its signed head, every signed visit and every stored document"
        " (exit 0 intact, 1 broken, 2 unusable --head file)",
    )
    audit_verify.add_argument(
        "--head",
        type=Path,
        metavar="FILE",
        help="a head kept earlier with `audit head`: the chain must still contain it",
    )
    audit_sub.add_parser(
        "head",
        help="print the chain head (seq, hash, signature) as one line of JSON to keep elsewhere",
    )
    audit_seal = audit_sub.add_parser(
        "seal",
        help="sign the head of an intact chain with the clinic key (after the upgrade to signed"
        " heads, or a new clinic key); asks the administrator's PIN (--by) first",
    )
    audit_seal.add_argument(
        "--by",
        metavar="ADMIN_USERNAME",
        required=True,
        help="the administrator who has checked the chain (asks their PIN first)",
    )
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
    add.add_argument("name", help="the person's name without a title, e.g. 'Ana Ruiz'")
    add.add_argument("--role", required=True, choices=("front_desk", "clinician", "admin"))
    add.add_argument(
        "--title",
        default="",
        help="printed before the name where documents name the clinician, e.g. 'Dr' or 'Dra.'",
    )
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
    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    db_sub.add_parser(
        "encrypt",
        help="encrypt a plain default database in place (SQLCipher); stop every station first",
    )
    key_export = db_sub.add_parser(
        "key-export",
        help="write the database key to a new 0600 file, to keep apart from the backups "
        "(restore on another computer: restore FILE --key-file KEYFILE)",
    )
    key_export.add_argument("--out", required=True, type=Path)
    backup = sub.add_parser(
        "backup",
        help="write a consistent copy of the SQLite database (encrypted with the same key), stations may run",
    )
    backup.add_argument("--out", required=True, type=Path, help="the backup file to write")
    restore = sub.add_parser(
        "restore",
        help="check a backup (audit chain, documents) and only then put it in place of the database; "
        "exit 0 restored, 1 refused, 2 unusable",
    )
    restore.add_argument("file", nargs="?", type=Path, help="a file written by `main.py backup`")
    restore.add_argument(
        "--check-only",
        metavar="URL",
        help="run the same checks on a database already restored (e.g. PostgreSQL after pg_restore)",
    )
    restore.add_argument("--schema", help="PostgreSQL schema of --check-only's database")
    restore.add_argument(
        "--key-file",
        type=Path,
        help="the backup's key (from `db key-export` where it was made) if not this installation's",
    )
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
        from intake.services.errors import NotAllowed

        check = default_check()
        if not check.ok:
            _say_problems(check.problems)
            return 2
        from intake.services.errors import SealingFailed, SigningUnavailable

        try:
            written = run_demo(args.out, args.lang, course=args.course)
        except NotAllowed as exc:
            print(f"demo refused: {exc}", file=sys.stderr)
            return 2
        except (SealingFailed, SigningUnavailable) as exc:
            print(f"demo failed: {exc}", file=sys.stderr)
            return 1
        for path in written:
            print(path)
        return 0
    if command == "verify":
        if (args.file is None) == (args.check_text is None):
            print("verify needs a FILE or --id TEXT (one of them)", file=sys.stderr)
            return 2
        if args.check_text is not None:
            return _verify_id(args.check_text)
        return _verify(args.file)
    if command == "timestamp":
        return _timestamp_pending()
    if command == "audit":
        if args.audit_command == "head":
            return _audit_head()
        if args.audit_command == "seal":
            return _audit_seal(args.by)
        return _audit_verify(args.head)
    if command == "staff":
        return _staff(args)
    if command == "forms":
        return _forms(args.forms_command)
    if command == "export":
        return _export(args)
    if command in ("db", "backup", "restore"):
        return _database_command(command, args)
    return 2


def _context():  # type: ignore[no-untyped-def]
    from intake.forms import FormsInvalid
    from intake.services.context import open_context
    from intake.store.db import DatabaseKeyError

    try:
        return open_context()
    except FormsInvalid as exc:
        _say_problems(exc.problems)
        raise SystemExit(2) from None
    except DatabaseKeyError as exc:
        print(f"cannot open the database: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _database_command(command: str, args: argparse.Namespace) -> int:
    """db encrypt, backup, restore: the environment's faults are messages, exit 1 or 2."""
    from intake import paths
    from intake.services import backup
    from intake.store.db import DatabaseKeyError

    url = paths.database_url()
    try:
        if command == "db" and args.db_command == "key-export":
            backup.export_live_key(url, args.out)
            print(
                f"database key written to {args.out}: keep it apart from the backups "
                "(anyone with both can read them)"
            )
            return 0
        if command == "db":
            counts = backup.encrypt_live(url)
            print(
                f"encrypted {paths.data_dir() / paths.DATABASE_FILE}: {sum(counts.values())} rows "
                "checked; the plain file was removed"
            )
            return 0
        if command == "backup":
            encrypted, counts = backup.write_backup(url, args.out)
            print(f"backup written to {args.out}: {sum(counts.values())} rows")
            if encrypted:
                print("encrypted with this installation's database key (see README, Security)")
            else:
                print("NOT encrypted: the database itself is a plain SQLite file", file=sys.stderr)
            return 0
        return _restore(args, url)
    except DatabaseKeyError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except backup.BackupError as exc:
        print(f"refused: {exc}; nothing was changed", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"failed: {exc.strerror or exc}; nothing was changed", file=sys.stderr)
        return 2


def _restore(args: argparse.Namespace, url: str) -> int:
    from intake.services import backup
    from intake.store.db import Database, connect_problem

    if args.check_only:
        db = Database(args.check_only, schema=args.schema)
        try:
            problem = connect_problem(db)
            if problem:
                print(f"cannot connect to the database: {problem}", file=sys.stderr)
                return 2
            report = backup.check_database(db)
        finally:
            db.dispose()
        verdict = "verified"
    elif args.file is None:
        print("restore needs a backup FILE, or --check-only URL", file=sys.stderr)
        return 2
    else:
        report = backup.restore_backup(url, args.file, args.key_file)
        verdict = "restored"
    if not report.ok:
        _say_problems(report.problems)
        print("refused: the database does not verify; nothing was changed", file=sys.stderr)
        return 1
    print(f"{verdict}: audit chain intact ({report.events} events), {report.documents} documents match")
    return 0


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


def _timestamp_pending() -> int:
    from intake.services.context import SYSTEM
    from intake.services.documents import DocumentService

    report = DocumentService(_context()).timestamp_pending(SYSTEM)
    for did in report.timestamped:
        print(f"timestamped {did}")
    if report.problem:
        print(
            f"{len(report.still_pending)} document(s) still pending: {report.problem}",
            file=sys.stderr,
        )
        return 2 if not report.timestamped and "INTAKE_TSA_URL" in report.problem else 1
    print(f"{len(report.timestamped)} document(s) timestamped, none pending")
    return 0


def _audit_verify(head_file: Path | None) -> int:
    from intake.services.audit import AuditService, head_from_text

    kept = None
    if head_file is not None:
        try:
            kept = head_from_text(head_file.read_text(encoding="utf-8").strip())
        except OSError as exc:
            print(f"not usable: cannot read {head_file}: {exc.strerror}", file=sys.stderr)
            return 2
        except (ValueError, UnicodeDecodeError) as exc:
            print(f"not usable: {head_file}: {exc}", file=sys.stderr)
            return 2
    report = AuditService(_context()).verify(kept)
    if report.intact:
        extra = f", contains the kept head (event {kept.seq})" if kept else ""
        print(
            f"audit chain intact: {report.events} events, head signed by the clinic key{extra};"
            " signed visits and stored documents match it"
        )
        return 0
    if report.problems:
        print(f"audit chain BROKEN: {len(report.problems)} problem(s)", file=sys.stderr)
        for problem in report.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    where = f" at event {report.first_bad_seq}" if report.first_bad_seq else ""
    print(f"audit chain BROKEN{where}: {report.reason}", file=sys.stderr)
    return 1


def _audit_head() -> int:
    from intake.services.audit import AuditService, head_to_text
    from intake.services.errors import ServiceError

    try:
        print(head_to_text(AuditService(_context()).head()))
    except ServiceError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def _audit_seal(by: str) -> int:
    from intake.services.audit import AuditService, head_to_text
    from intake.services.errors import ServiceError

    ctx = _context()
    try:
        actor, _secret = _admin_actor(ctx, by, _Entries(), "seal the audit trail")
        outcome = AuditService(ctx).seal(actor)
    except ServiceError as exc:
        print(f"not sealed: {exc}", file=sys.stderr)
        return 1
    print(("sealed: " if outcome.signed else "already sealed: ") + head_to_text(outcome.head))
    return 0


def _admin_actor(ctx: Any, by: str, entries: _Entries, action: str) -> tuple[Any, str]:
    """Sign in the administrator named by ``--by`` with the PIN they type (or pipe in).

    Returns their actor and the PIN; a wrong PIN, or an account that is not an administrator's,
    raises a ServiceError whose text is fit to print.
    """
    from intake.services.errors import NotAllowed
    from intake.services.staff import StaffService, staff_actor

    secret = entries.ask(f"PIN of {by.strip()}: ")
    admin = StaffService(ctx).login(by, secret)
    if admin.role != "admin":
        raise NotAllowed(f"Your role does not allow this: only an administrator can {action}.")
    return staff_actor(admin), secret


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
    from intake.domain.names import titled
    from intake.services.context import SYSTEM
    from intake.services.errors import InvalidInput, ServiceError
    from intake.services.staff import (
        FIRST_ACCOUNT_ADMIN,
        MANAGE,
        NOT_FIRST,
        StaffService,
    )

    service = StaffService(_context())
    command = args.staff_command
    if command == "list":
        for s in service.list():
            state = "active" if s.active else "disabled"
            name = titled(s.title, s.display_name)
            print(f"{s.username}\t{s.role}\t{state}{' demo' if s.demo else ''}\t{name}")
        return 0
    entries = _Entries()
    admin_secret: str | None = None
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
            actor, admin_secret = _admin_actor(service.ctx, args.by, entries, MANAGE)
        if command == "add":
            username = args.username or ".".join(args.name.lower().replace("dr ", "").split())
            if (secret := entries.new_secret()) is None:
                return 2
            info = service.add(
                actor,
                username,
                args.name,
                args.role,
                secret,
                admin_secret=admin_secret,
                title=args.title,
            )
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
