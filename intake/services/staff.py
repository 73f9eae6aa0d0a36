"""Staff accounts: argon2id secrets, throttled and audited sign-in, roles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from intake.domain import printable
from intake.services.base import Service, require_role
from intake.services.context import SYSTEM, Actor
from intake.services.errors import InvalidInput, Locked, LoginFailed, NotAllowed, NotFound
from intake.store.models import StaffUser

ROLES = ("front_desk", "clinician", "admin")
MIN_SECRET = 4
FREE_ATTEMPTS = 3  # failures before the account starts to wait
MAX_LOCK_SECONDS = 15 * 60

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@dataclass(frozen=True)
class StaffInfo:
    id: int
    username: str
    display_name: str
    role: str
    active: bool


def _info(u: StaffUser) -> StaffInfo:
    return StaffInfo(u.id, u.username, u.display_name, u.role, u.active)


def staff_actor(info: StaffInfo) -> Actor:
    return Actor(f"staff:{info.id}", info.role, info.display_name)


class StaffService(Service):
    def any_staff(self) -> bool:
        with self.read() as s:
            return bool(s.scalar(select(func.count()).select_from(StaffUser)))

    def list(self) -> list[StaffInfo]:
        with self.read() as s:
            return [_info(u) for u in s.scalars(select(StaffUser).order_by(StaffUser.display_name))]

    def add(
        self, actor: Actor, username: str, display_name: str, role: str, secret: str
    ) -> StaffInfo:
        """Create an account. The first account may be made by the system (first run)."""
        errors: dict[str, str] = {}
        username = username.strip().lower()
        if (
            not username
            or len(username) > 60
            or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
        ):
            errors["username"] = "Use letters, digits, dots, dashes or underscores."
        if not display_name.strip() or len(display_name) > 120:
            errors["display_name"] = "Please enter the person's name."
        elif missing := printable.unprintable(display_name):
            # A dermatologist's name is printed on every consent they countersign.
            errors["display_name"] = (
                f"The clinic's documents cannot print {missing}; please type the name with"
                " other letters."
            )
        if role not in ROLES:
            errors["role"] = f"Role must be one of {', '.join(ROLES)}."
        if len(secret) < MIN_SECRET:
            errors["secret"] = f"The PIN or password needs at least {MIN_SECRET} characters."
        if errors:
            raise InvalidInput(errors)
        with self.write() as s:
            first = not s.scalar(select(func.count()).select_from(StaffUser))
            if actor is SYSTEM or actor.role == "system":
                if not first:
                    require_role(actor, "admin")
            else:
                require_role(actor, "admin")
            if s.scalar(select(StaffUser).where(StaffUser.username == username)):
                raise InvalidInput({"username": "That username is taken."})
            user = StaffUser(
                username=username,
                display_name=display_name.strip(),
                role=role,
                secret_hash=_hasher.hash(secret),
                failed_attempts=0,
                created_at=self.ctx.now(),
                actor=actor.id,
                station=self.ctx.station,
                active=True,
            )
            s.add(user)
            s.flush()
            self.audit(s, actor, "create", "staff", user.id, {"role": role})
            return _info(user)

    def login(self, username: str, secret: str) -> StaffInfo:
        """Check a PIN/password. Failures are audited; after a few, the account waits, doubling each time."""
        username = username.strip().lower()
        now = self.ctx.now()
        locked_for = 0
        with self.write() as s:
            user = s.scalar(select(StaffUser).where(StaffUser.username == username))
            if user is None or not user.active:
                self.audit(
                    s,
                    SYSTEM,
                    "login_failed",
                    "staff",
                    "-",  # never what was typed: it may be a PIN in the wrong box
                    {"reason": "unknown user"},
                )
                failed = True
            else:
                if user.locked_until and user.locked_until > now:
                    self.audit(s, SYSTEM, "login_refused", "staff", user.id, {"reason": "locked"})
                    locked_for = int((user.locked_until - now).total_seconds()) + 1
                    failed = True
                else:
                    failed = self._wrong_secret(user, secret, now, s)
                if not failed:
                    return _info(user)
        # Raised after the unit of work, so the refusal's audit event is committed.
        if locked_for:
            raise Locked(locked_for)
        raise LoginFailed("That name or PIN is not right.")

    def confirm_secret(self, actor: Actor, secret: str, username: str | None = None) -> None:
        """The signed-in staff member gives their PIN again before an electronic signature.

        21 CFR 11.200: a signature in a continuous session needs at least one component of
        the signer's identity, so a colleague at an unlocked station cannot sign as them.
        Failures count towards the same lock-out as sign-in and are audited. ``username``, when
        given (the first signing after sign-in), must be the signer's own as well.
        """
        if not actor.is_staff or not actor.id.startswith("staff:"):
            raise NotAllowed("Only a signed-in member of staff can sign here.")
        now = self.ctx.now()
        locked_for = 0
        with self.write() as s:
            user = s.get(StaffUser, int(actor.id.split(":", 1)[1]))
            if user is None or not user.active or user.role != actor.role:
                self.audit(s, SYSTEM, "reauth_failed", "staff", "-", {"reason": "no account"})
                failed = True
            elif user.locked_until and user.locked_until > now:
                self.audit(s, SYSTEM, "reauth_refused", "staff", user.id, {"reason": "locked"})
                locked_for = int((user.locked_until - now).total_seconds()) + 1
                failed = True
            else:
                wrong_name = username is not None and username.strip().lower() != user.username
                failed = self._wrong_secret(
                    user, "" if wrong_name else secret, now, s, event="reauth"
                )
        # Raised after the unit of work, so the refusal's audit event is committed.
        if locked_for:
            raise Locked(locked_for)
        if failed:
            if username is not None:
                raise InvalidInput({"secret": "That username and PIN are not right."})
            raise InvalidInput({"secret": "That PIN is not right."})

    def _wrong_secret(
        self, user: StaffUser, secret: str, now: dt.datetime, s: Any, event: str = "login"
    ) -> bool:
        """Check the secret in the caller's unit of work; count and audit the outcome."""
        try:
            _hasher.verify(user.secret_hash, secret)
        except (VerificationError, InvalidHashError):
            user.failed_attempts += 1
            if user.failed_attempts >= FREE_ATTEMPTS:
                wait = min(MAX_LOCK_SECONDS, 30 * 2 ** (user.failed_attempts - FREE_ATTEMPTS))
                user.locked_until = now + dt.timedelta(seconds=wait)
            self.audit(
                s, SYSTEM, f"{event}_failed", "staff", user.id, {"attempts": user.failed_attempts}
            )
            return True
        user.failed_attempts = 0
        user.locked_until = None
        if _hasher.check_needs_rehash(user.secret_hash):
            user.secret_hash = _hasher.hash(secret)
        self.audit(
            s, Actor(f"staff:{user.id}", user.role, user.display_name), event, "staff", user.id
        )
        return False

    def get(self, staff_id: int) -> StaffInfo:
        with self.read() as s:
            user = s.get(StaffUser, staff_id)
            if user is None:
                raise NotFound("No such staff member.")
            return _info(user)
