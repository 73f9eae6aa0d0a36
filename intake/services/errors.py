"""What services refuse, as exceptions the UI turns into a clear message."""

from __future__ import annotations

from typing import Any

from intake.domain.errors import Coded


class ServiceError(Exception):
    """Base: ``str(exc)`` is a message fit to show to the person who asked, in English.

    ``code`` names the refusal and ``params`` carry its values (a number of minutes, a name),
    so that a screen words it in the person's own language from the message catalogue
    (the kiosk: ``kiosk.error_<code>``) instead of parsing the English sentence.
    """

    code: str = "refused"

    def __init__(self, message: str = "", *, code: str | None = None, **params: Any):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.params: dict[str, Any] = params

    @property
    def said(self) -> Coded:
        """The English message with the code and values a screen words it by."""
        return Coded(str(self), self.code, **self.params)


class NotAllowed(ServiceError):
    """The signed-in person's role may not do this, or the session is not theirs."""

    code = "not_allowed"


class NotFound(ServiceError):
    code = "not_found"


class Conflict(ServiceError):
    """The record changed elsewhere since it was read (optimistic version check)."""

    code = "conflict"


class Immutable(ServiceError):
    """The record is signed or submitted and cannot be changed; make a correction instead."""

    code = "immutable"


class InvalidInput(ServiceError):
    """A person's input failed validation; ``errors`` maps field -> message."""

    code = "invalid_input"

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class LoginFailed(ServiceError):
    code = "login_failed"


class Locked(ServiceError):
    """Too many failed attempts; try again after ``seconds``."""

    code = "locked"

    def __init__(self, seconds: int, message: str = ""):
        self.seconds = seconds
        super().__init__(
            message or f"Too many attempts. Please wait {seconds} seconds and try again.",
            seconds=seconds,
        )


class CodeLocked(Locked):
    """Too many wrong visit codes for this date of birth: opening by code waits, even the right one.

    ``void``: the codes themselves were voided as well; waiting does not help, staff issue a new
    code. The patient is sent to the front desk calmly; nothing says how close a guess came.
    """

    def __init__(self, seconds: int, *, void: bool = False):
        self.void = void
        minutes = max(1, -(-seconds // 60))
        wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
        text = "Please ask at the front desk; they will help you start."
        if not void:
            text += f" You can also try again here in {wait}."
        super().__init__(seconds, text)
        # "code_void": waiting does not help; "code_locked": or try again in ``minutes``.
        self.code = "code_void" if void else "code_locked"
        self.params = {"minutes": minutes}


# What a person is told when the database is unreachable or refused a change.
STORAGE_MESSAGE = "The database cannot be reached or refused the change. Nothing was saved; please try again or call for help."


class StorageUnavailable(ServiceError):
    """The database could not be reached or refused a change for another reason; nothing was saved."""

    code = "storage_unavailable"


class FormsNotReady(ServiceError):
    """The form files fail `main.py forms check`: a consent made now would name a version whose
    content is not the one recorded in versions.lock, so none is issued."""

    code = "forms_not_ready"

    def __init__(self, problems: tuple[object, ...]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"No document can be issued until the form files are fixed: {problems[0]}{more}."
            " `main.py forms check` lists every problem."
        )


class SealingFailed(ServiceError):
    """A document could not be sealed with the clinic key (key, certificate or signing fault);
    nothing was stored. The message says why, for the administrator."""

    code = "sealing_failed"


class RecordMismatch(ServiceError):
    """A signed visit's stored content no longer matches the record its signatures are bound to
    (changed outside the application): nothing more is signed or issued for it."""

    code = "record_mismatch"


class SigningUnavailable(ServiceError):
    """The clinic signing key cannot be used, so the audit trail cannot be sealed: nothing was saved."""

    code = "signing_unavailable"
