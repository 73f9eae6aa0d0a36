"""Staff accounts: argon2id secrets, throttled and audited sign-in, roles.

Only an administrator adds, disables, enables or resets accounts (the very first account,
made by the system on a fresh installation, must be an administrator). PINs and passphrases
follow ``intake.domain.pins``; no secret is ever written to the audit trail. Accounts made by
``main.py demo`` (``demo``) cannot sign in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from intake.domain import pins, printable
from intake.domain.errors import Coded
from intake.domain.kinds import StaffRole
from intake.services.accounts import ACCOUNT_DIGEST, account_digest, account_problem
from intake.services.base import Service, require_role
from intake.services.context import SYSTEM, Actor
from intake.services.errors import InvalidInput, Locked, LoginFailed, NotAllowed, NotFound
from intake.store.models import StaffUser

ROLES = ("front_desk", "clinician", "admin")
DEMO_ELSEWHERE = (
    "This database holds staff accounts or patients that the demo did not create; the demo"
    " will not add its synthetic records to it. Point INTAKE_DATA_DIR (or INTAKE_DATABASE_URL)"
    " at a scratch folder (or database) and run the demo there."
)
FREE_ATTEMPTS = 3  # failures before the account starts to wait
FIRST_LOCK_SECONDS = 30  # then doubling with each further failure...
# ...but a colleague typing wrong PINs on purpose cannot keep an account out for more than
# this many seconds in any hour (counted from the first lock of that hour).
MAX_LOCK_SECONDS = 15 * 60
LOCK_WINDOW = dt.timedelta(hours=1)
MANAGE = "add, disable, enable or reset staff accounts"
ADMIN_PIN_NEEDED = "The administrator's own PIN is needed to add an account."
FIRST_ACCOUNT_ADMIN = "The first staff account must be an administrator (role admin)."
NOT_FIRST = (
    "There are staff accounts already: an administrator must add this one"
    " (main.py staff add ... --by ADMIN_USERNAME)."
)
DEMO_REFUSED = (
    "That is a demo account: demo accounts cannot sign in. Add your own administrator with"
    " main.py staff add --role admin NAME."
)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown (or the account cannot sign in), so that a
    wrong name takes as long to refuse as a wrong PIN and the timing tells no one which
    usernames exist. Made at the first such refusal, not at import: hashing costs as much as a
    sign-in, and the sign-in screen waits for this module."""
    return _hasher.hash("not a staff secret: timing only")


def _dummy_verify(secret: str) -> None:
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash(), secret or "-")


@dataclass(frozen=True)
class StaffInfo:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    demo: bool = False
    title: str = ""  # "Dr", "Dra.": printed before the name where documents name the clinician


def _info(u: StaffUser) -> StaffInfo:
    return StaffInfo(u.id, u.username, u.display_name, u.role, u.active, u.demo, u.title or "")


MAX_TITLE = 20


secret_problem = pins.secret_problem  # for the screens: say what is wrong before asking more


def title_problem(title: str) -> str | None:
    """Why ``title`` (spaces already collapsed) cannot be a title, or None; "" is no title.

    A title is short and made of letters, each word perhaps ending in a dot: "Dr", "Dra.",
    "Prof.", "Lic. Enf." (it is printed before the name on every document that names her).
    """
    if not title:
        return None
    words = title.split(" ")
    if len(title) > MAX_TITLE or not all(
        w.rstrip(".").isalpha() and w.count(".") <= 1 and w.lstrip(".") == w for w in words
    ):
        return Coded(
            f"A title is a short word of letters, perhaps ending in a dot, such as Dr or Dra."
            f" ({MAX_TITLE} characters at most).",
            "title_letters",
            most=MAX_TITLE,
        )
    if missing := printable.unprintable(title):
        return Coded(
            f"The clinic's documents cannot print {missing}; please type the title with"
            " other letters.",
            "title_unprintable",
            missing=missing,
        )
    return None


def _secret_errors(secret: str) -> dict[str, str]:
    problem = pins.secret_problem(secret)
    return {"secret": problem} if problem else {}


def lock_seconds(
    failed_attempts: int, window_start: dt.datetime | None, window_used: int, now: dt.datetime
) -> tuple[int, dt.datetime | None, int]:
    """The wait after a failure: doubling from the first lock, capped per hour.

    Returns (seconds to wait, the hour's start, seconds locked in that hour so far).
    """
    if failed_attempts < FREE_ATTEMPTS:
        return 0, window_start, window_used
    wanted = FIRST_LOCK_SECONDS * 2 ** min(failed_attempts - FREE_ATTEMPTS, 16)
    if window_start is None or now - window_start >= LOCK_WINDOW or now < window_start:
        window_start, window_used = now, 0
    wait = max(0, min(wanted, MAX_LOCK_SECONDS - window_used))
    return wait, window_start, window_used + wait


def locked_for(user: StaffUser, now: dt.datetime) -> int:
    """Seconds the account must still wait, 0 when it may try.

    A wait is never longer than the app ever sets one (``MAX_LOCK_SECONDS``): a ``locked_until``
    put years ahead in the database, to keep a colleague out, is not honoured.
    """
    until = user.locked_until
    if until is None or until <= now or until > now + dt.timedelta(seconds=MAX_LOCK_SECONDS):
        return 0
    return int((until - now).total_seconds()) + 1


def staff_actor(info: StaffInfo) -> Actor:
    return Actor(f"staff:{info.id}", info.role, info.display_name)


class StaffService(Service):
    def any_staff(self) -> bool:
        with self.read() as s:
            return bool(s.scalar(select(func.count()).select_from(StaffUser)))

    def first_account_needed(self) -> bool:
        """No real account yet (the demo's do not count): the system may make an administrator."""
        with self.read() as s:
            return not s.scalar(select(func.count()).select_from(StaffUser).where(~StaffUser.demo))

    def list(self) -> list[StaffInfo]:
        with self.read() as s:
            return [_info(u) for u in s.scalars(select(StaffUser).order_by(StaffUser.display_name))]

    def add(
        self,
        actor: Actor,
        username: str,
        display_name: str,
        role: str,
        secret: str,
        admin_secret: str | None = None,
        title: str = "",
    ) -> StaffInfo:
        """Create an account. The first account may be made by the system (first run).

        ``title`` ("Dr", "Dra.") is printed before the name where documents name the clinician.

        Any other is added by an administrator who gives their own PIN (``admin_secret``), checked
        here as for a signature, so a colleague at an unlocked station cannot add an account.
        """
        errors: dict[str, str] = {}
        username = username.strip().lower()
        if (
            not username
            or len(username) > 60
            or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
        ):
            errors["username"] = Coded(
                "Use letters, digits, dots, dashes or underscores.", "username_letters"
            )
        if not display_name.strip() or len(display_name) > 120:
            errors["display_name"] = Coded("Please enter the person's name.", "staff_name_missing")
        elif missing := printable.unprintable(display_name):
            # A dermatologist's name is printed on every consent they countersign.
            errors["display_name"] = Coded(
                f"The clinic's documents cannot print {missing}; please type the name with"
                " other letters.",
                "staff_name_unprintable",
                missing=missing,
            )
        title = " ".join(title.split())
        if problem := title_problem(title):
            errors["title"] = problem
        if role not in ROLES:
            errors["role"] = Coded(
                f"Role must be one of {', '.join(ROLES)}.", "role_unknown", roles=", ".join(ROLES)
            )
        errors.update(_secret_errors(secret))
        if errors:
            raise InvalidInput(errors)
        if actor is not SYSTEM:
            require_role(actor, "admin", action=MANAGE)
            if not admin_secret:
                raise InvalidInput({"admin_secret": Coded(ADMIN_PIN_NEEDED, "admin_pin_needed")})
            try:
                self.confirm_secret(actor, admin_secret)
            except InvalidInput as exc:
                raise InvalidInput({"admin_secret": exc.errors["secret"]}) from None
        with self.write() as s:
            if actor is SYSTEM:
                # First run: the system may make the first real account, an administrator
                # (or, for the demo, the demo's own accounts on a database with nothing else).
                if s.scalar(select(func.count()).select_from(StaffUser).where(~StaffUser.demo)):
                    raise NotAllowed(NOT_FIRST, code="not_first_account")
                if not self.ctx.demo and role != StaffRole.ADMIN:
                    raise InvalidInput({"role": Coded(FIRST_ACCOUNT_ADMIN, "first_account_admin")})
            if s.scalar(select(StaffUser).where(StaffUser.username == username)):
                raise InvalidInput({"username": Coded("That username is taken.", "username_taken")})
            user = StaffUser(
                username=username,
                display_name=display_name.strip(),
                title=title,
                role=role,
                secret_hash=_hasher.hash(secret),
                failed_attempts=0,
                created_at=self.ctx.now(),
                actor=actor.id,
                station=self.ctx.station,
                active=True,
                demo=self.ctx.demo,
            )
            s.add(user)
            s.flush()
            detail: dict[str, Any] = {"role": role, "username": username}
            if self.ctx.demo:
                detail["demo"] = True
            detail[ACCOUNT_DIGEST] = account_digest(user)
            self.audit(s, actor, "create", "staff", user.id, detail)
            return _info(user)

    def set_active(self, actor: Actor, username: str, active: bool) -> StaffInfo:
        """An administrator disables (or enables again) an account; a disabled one cannot sign in.

        An administrator cannot disable their own account, nor the last active administrator.
        """
        require_role(actor, "admin", action=MANAGE)
        with self.write() as s:
            user = self._changeable(s, username)
            if user.active == active:
                return _info(user)
            if not active:
                if actor.id == f"staff:{user.id}":
                    raise NotAllowed("You cannot disable your own account.", code="own_account")
                if user.role == StaffRole.ADMIN and self._active_admins(s) <= 1:
                    raise NotAllowed(
                        "This is the last active administrator account: enable or add another"
                        " administrator first.",
                        code="last_admin",
                    )
            user.active = active
            user.failed_attempts = 0
            user.locked_until = None
            self.audit(
                s, actor, "enable" if active else "disable", "staff", user.id,
                {"username": user.username, ACCOUNT_DIGEST: account_digest(user)},
            )  # fmt: skip
            return _info(user)

    def reset_secret(self, actor: Actor, username: str, secret: str) -> StaffInfo:
        """An administrator gives an account a new PIN or passphrase; its lock-out is lifted."""
        require_role(actor, "admin", action=MANAGE)
        if errors := _secret_errors(secret):
            raise InvalidInput(errors)
        with self.write() as s:
            user = self._changeable(s, username)
            user.secret_hash = _hasher.hash(secret)
            user.failed_attempts = 0
            user.locked_until = None
            user.lock_window_start = None
            user.lock_window_seconds = 0
            self.audit(
                s, actor, "reset_secret", "staff", user.id,
                {"username": user.username, ACCOUNT_DIGEST: account_digest(user)},
            )  # fmt: skip
            return _info(user)

    def set_title(self, actor: Actor, username: str, title: str) -> StaffInfo:
        """An administrator sets (or, with "", removes) the title printed before a staff
        member's name where documents name the clinician ("Dra. Ana Ruiz"); audited."""
        require_role(actor, "admin", action=MANAGE)
        title = " ".join(title.split())
        if problem := title_problem(title):
            raise InvalidInput({"title": problem})
        with self.write() as s:
            user = self._changeable(s, username)
            if (user.title or "") == title:
                return _info(user)
            before = user.title or ""
            user.title = title
            self.audit(
                s, actor, "set_title", "staff", user.id,
                {"username": user.username, "title": title, "before": before,
                 ACCOUNT_DIGEST: account_digest(user)},
            )  # fmt: skip
            return _info(user)

    def _changeable(self, s: Any, username: str) -> StaffUser:
        """The account to change, refused when it no longer matches the audit trail: a change
        written over it would record the tampered role or PIN as if an administrator set it."""
        user = self._by_username(s, username)
        if problem := account_problem(s, user):
            raise NotAllowed(
                f"The account {user.username!r} cannot be changed: {problem}. It cannot sign in"
                " either. Make a new account for this person, and tell whoever looks after the"
                " clinic's database (`main.py audit verify` lists it).",
                code="account_unchangeable",
                username=repr(user.username),
                problem=problem,
            )
        return user

    def _by_username(self, s: Any, username: str) -> StaffUser:
        user = s.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
        if user is None:
            raise NotFound(
                f"There is no staff account named {username.strip()!r}.",
                code="no_staff_account",
                username=repr(username.strip()),
            )
        return user

    def _active_admins(self, s: Any) -> int:
        return int(
            s.scalar(
                select(func.count())
                .select_from(StaffUser)
                .where(StaffUser.role == StaffRole.ADMIN, StaffUser.active)
            )
            or 0
        )

    def ensure_demo_accounts(
        self, accounts: Sequence[tuple[str, str, str]], secret: str
    ) -> tuple[StaffInfo, ...]:
        """The demo's accounts, made once in one unit of work; refused on a real database.

        ``accounts``: (username, display name, role) triples. A database holding any staff
        account or patient not made by the demo is refused (``NotAllowed``), so the demo never
        mixes its records with a clinic's. Processes running the demo together on one fresh
        database wait for each other here and share one set of accounts.
        """
        from intake.store.models import Patient

        if not self.ctx.demo:
            raise NotAllowed("Demo accounts are made by main.py demo only.", code="demo_only")
        if errors := _secret_errors(secret):
            raise InvalidInput(errors)
        with self.write() as s:
            real_staff = s.scalar(
                select(func.count()).select_from(StaffUser).where(~StaffUser.demo)
            )
            real_patients = s.scalar(select(func.count()).select_from(Patient).where(~Patient.demo))
            if real_staff or real_patients:
                raise NotAllowed(DEMO_ELSEWHERE, code="demo_elsewhere")
            out: list[StaffInfo] = []
            for username, name, role in accounts:
                user = s.scalar(select(StaffUser).where(StaffUser.username == username))
                if user is None:
                    user = StaffUser(
                        username=username,
                        display_name=name,
                        role=role,
                        secret_hash=_hasher.hash(secret),
                        failed_attempts=0,
                        created_at=self.ctx.now(),
                        actor=SYSTEM.id,
                        station=self.ctx.station,
                        active=True,
                        demo=True,
                    )
                    s.add(user)
                    s.flush()
                    self.audit(
                        s, SYSTEM, "create", "staff", user.id,
                        {
                            "role": role, "username": username, "demo": True,
                            ACCOUNT_DIGEST: account_digest(user),
                        },
                    )  # fmt: skip
                out.append(_info(user))
            return tuple(out)

    def login(self, username: str, secret: str) -> StaffInfo:
        """Check a PIN/password. Failures are audited; after a few, the account waits, doubling each time."""
        username = username.strip().lower()
        # Every first attempt of a process pays for making the dummy hash, whichever way it
        # goes, so that the first refusal of an unknown name is not the slow one.
        _dummy_hash()
        now = self.ctx.now()
        locked_seconds = 0
        demo = False
        with self.write() as s:
            user = s.scalar(select(StaffUser).where(StaffUser.username == username))
            if user is not None and account_problem(s, user):
                # Planted or edited in the database: refused like an unknown user, audited.
                _dummy_verify(secret)
                self.audit(
                    s, SYSTEM, "login_refused", "staff", user.id, {"reason": "account integrity"}
                )
                failed = True
            elif user is None or not user.active or user.demo:
                _dummy_verify(secret)  # as long as a wrong PIN takes
                demo = user is not None and user.active and user.demo
                self.audit(
                    s,
                    SYSTEM,
                    "login_failed",
                    "staff",
                    "-" if user is None else user.id,  # never what was typed: it may be a PIN
                    {
                        "reason": "unknown user"
                        if user is None
                        else "demo account"
                        if demo
                        else "disabled"
                    },
                )
                failed = True
            else:
                if wait := locked_for(user, now):
                    self.audit(s, SYSTEM, "login_refused", "staff", user.id, {"reason": "locked"})
                    locked_seconds = wait
                    failed = True
                else:
                    failed = self._wrong_secret(user, secret, now, s)
                if not failed:
                    return _info(user)
        # Raised after the unit of work, so the refusal's audit event is committed.
        if locked_seconds:
            raise Locked(locked_seconds)
        if demo:
            raise LoginFailed(DEMO_REFUSED, code="demo_account")
        raise LoginFailed("That name or PIN is not right.", code="name_or_pin_wrong")

    def confirm_secret(self, actor: Actor, secret: str, username: str | None = None) -> None:
        """The signed-in staff member gives their PIN again before an electronic signature.

        21 CFR 11.200: a signature in a continuous session needs at least one component of
        the signer's identity, so a colleague at an unlocked station cannot sign as them.
        Failures count towards the same lock-out as sign-in and are audited. ``username``, when
        given (the first signing after sign-in), must be the signer's own as well.
        """
        if not actor.is_staff or not actor.id.startswith("staff:"):
            raise NotAllowed(
                "Only a signed-in member of staff can sign here.", code="staff_sign_only"
            )
        _dummy_hash()  # as in login: the first attempt costs the same either way
        now = self.ctx.now()
        locked_seconds = 0
        with self.write() as s:
            user = s.get(StaffUser, int(actor.id.split(":", 1)[1]))
            if user is None or not user.active or user.role != actor.role:
                _dummy_verify(secret)  # as long as a wrong PIN takes
                self.audit(s, SYSTEM, "reauth_failed", "staff", "-", {"reason": "no account"})
                failed = True
            elif account_problem(s, user):
                _dummy_verify(secret)
                self.audit(
                    s, SYSTEM, "reauth_refused", "staff", user.id, {"reason": "account integrity"}
                )
                failed = True
            elif wait := locked_for(user, now):
                self.audit(s, SYSTEM, "reauth_refused", "staff", user.id, {"reason": "locked"})
                locked_seconds = wait
                failed = True
            else:
                wrong_name = username is not None and username.strip().lower() != user.username
                failed = self._wrong_secret(
                    user, "" if wrong_name else secret, now, s, event="reauth"
                )
        # Raised after the unit of work, so the refusal's audit event is committed.
        if locked_seconds:
            raise Locked(locked_seconds)
        if failed:
            if username is not None:
                raise InvalidInput(
                    {"secret": Coded("That username and PIN are not right.", "username_pin_wrong")}
                )
            raise InvalidInput({"secret": Coded("That PIN is not right.", "pin_wrong")})

    def _wrong_secret(
        self, user: StaffUser, secret: str, now: dt.datetime, s: Any, event: str = "login"
    ) -> bool:
        """Check the secret in the caller's unit of work; count and audit the outcome."""
        try:
            _hasher.verify(user.secret_hash, secret)
        except (VerificationError, InvalidHashError):
            user.failed_attempts += 1
            wait, user.lock_window_start, user.lock_window_seconds = lock_seconds(
                user.failed_attempts, user.lock_window_start, user.lock_window_seconds or 0, now
            )
            if wait:
                user.locked_until = now + dt.timedelta(seconds=wait)
            self.audit(
                s, SYSTEM, f"{event}_failed", "staff", user.id, {"attempts": user.failed_attempts}
            )
            return True
        user.failed_attempts = 0
        user.locked_until = None
        who = Actor(f"staff:{user.id}", user.role, user.display_name)
        if _hasher.check_needs_rehash(user.secret_hash):
            # Stronger hashing parameters since the PIN was set: the same PIN, hashed anew.
            user.secret_hash = _hasher.hash(secret)
            self.audit(s, who, "rehash", "staff", user.id, {ACCOUNT_DIGEST: account_digest(user)})
        self.audit(s, who, event, "staff", user.id)
        return False

    def get(self, staff_id: int) -> StaffInfo:
        with self.read() as s:
            user = s.get(StaffUser, staff_id)
            if user is None:
                raise NotFound("No such staff member.", code="staff_member_not_found")
            return _info(user)
