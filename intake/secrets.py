"""Secrets this installation keeps outside its database: the database key, the clinic key's passphrase.

Where they live is the ``INTAKE_SECRET_STORE`` setting:

``keyring``
    The operating system's keyring (Windows Credential Manager, macOS Keychain, the Secret
    Service on a Linux desktop), through the ``keyring`` package. Refused if none works.
``file``
    A 0600 file per secret in a 0700 folder *outside* the data folder: ``INTAKE_SECRETS_DIR``, or
    the user's configuration folder. This is the documented fallback for a headless kiosk with
    no keyring: it keeps the database file useless on its own (copied, backed up, stolen), but an
    attacker who has the whole OS account has both.
``auto`` (the default)
    The keyring where one works, otherwise ``file``. :func:`store_description` says which, so the
    first-run screen and ``main.py`` can tell the administrator.

Each secret is scoped to this installation's data folder, so two installations (or two test
folders) on one machine never share a key. Secrets are never logged or printed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets as _random
import stat
from dataclasses import dataclass
from pathlib import Path

from intake.paths import APP_NAME, data_dir

__all__ = [
    "SecretStoreError",
    "StoreInfo",
    "get_secret",
    "keyring_available",
    "store_description",
]

SERVICE = APP_NAME
CHOICES = ("auto", "keyring", "file")


class SecretStoreError(Exception):
    """The configured secret store cannot be used; the message says what to set."""


@dataclass(frozen=True)
class StoreInfo:
    kind: str  # "keyring" or "file"
    where: str  # the keyring backend's name, or the folder
    fallback: bool  # True when "auto" fell back to a file because no keyring works


def _setting() -> str:
    value = (os.environ.get("INTAKE_SECRET_STORE") or "auto").strip().lower()
    if value not in CHOICES:
        raise SecretStoreError(
            f"INTAKE_SECRET_STORE={value!r} is not one of {', '.join(CHOICES)}."
        )
    return value


def keyring_available() -> bool:
    """True if the keyring package has a working backend on this machine."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:  # pragma: no cover - keyring is a dependency
        return False
    try:
        backend = keyring.get_keyring()
    except Exception:
        return False
    if isinstance(backend, fail.Keyring):
        return False
    # The chainer with nothing inside is as good as none.
    inner = getattr(backend, "backends", None)
    return not (inner is not None and not inner)


def secrets_dir() -> Path:
    override = os.environ.get("INTAKE_SECRETS_DIR")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_config_dir

        path = Path(user_config_dir(APP_NAME, appauthor=False)) / "secrets"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def _scope(folder: Path | None = None) -> str:
    """A short id of this installation's data folder (``folder``, default :func:`data_dir`)."""
    return hashlib.sha256(str((folder or data_dir()).resolve()).encode("utf-8")).hexdigest()[:16]


def _kind() -> tuple[str, bool]:
    setting = _setting()
    if setting == "keyring":
        if not keyring_available():
            raise SecretStoreError(
                "INTAKE_SECRET_STORE=keyring but this machine has no working keyring. "
                "Install one, or set INTAKE_SECRET_STORE=file (see README, Security)."
            )
        return "keyring", False
    if setting == "file":
        return "file", False
    return ("keyring", False) if keyring_available() else ("file", True)


def store_description() -> StoreInfo:
    kind, fallback = _kind()
    if kind == "keyring":
        import keyring

        return StoreInfo("keyring", type(keyring.get_keyring()).__name__, fallback)
    return StoreInfo("file", str(secrets_dir()), fallback)


def _file_path(name: str, folder: Path | None = None) -> Path:
    return secrets_dir() / f"{_scope(folder)}-{name}"


def _read_file(name: str, folder: Path | None = None) -> str | None:
    path = _file_path(name, folder)
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        os.chmod(path, 0o600)
    return path.read_text(encoding="ascii").strip() or None


def _write_file(name: str, value: str, folder: Path | None = None, *, replace: bool) -> None:
    """Write the secret through a temporary file of this call's own, then put it in place.

    ``replace`` false: the first writer wins (two processes making the same secret at once both
    read the winner's back); true: the value replaces any earlier one in one step.
    """
    path = _file_path(name, folder)
    # A name of its own per call: two processes sharing one temporary name truncate and unlink
    # each other's file (one of them then finds no file to link, or links a half-written one).
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{_random.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.write(fd, value.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(tmp, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def get_secret(
    name: str, *, create: bool = False, folder: Path | None = None
) -> str | None:
    """The secret ``name`` of this installation; made (32 random bytes, hex) if ``create``.

    ``folder`` is the data folder the secret belongs to (default: :func:`data_dir`); the
    database key is scoped to the folder its database file is in.
    Returns None when it does not exist and ``create`` is false: a reader (``verify``) never
    makes a secret as a side effect.
    """
    if _setting() == "auto":
        # Where "auto" fell back to a file, the secret is read from it without asking first
        # which keyring works: keyring's discovery probes every platform's backend, which
        # costs seconds, and the sign-in screen waits for the database key. (A file here was
        # made because no keyring worked then; it stays the key even if one works now.)
        value = _read_file(name, folder)
        if value is not None:
            return value
    kind, _fallback = _kind()
    if kind == "keyring":
        import keyring

        user = f"{_scope(folder)}:{name}"
        value = keyring.get_password(SERVICE, user)
        if value is None and create:
            keyring.set_password(SERVICE, user, _random.token_hex(32))
            value = keyring.get_password(SERVICE, user)
        return value
    value = _read_file(name, folder)
    if value is None and create:
        _write_file(name, _random.token_hex(32), folder, replace=False)
        value = _read_file(name, folder)
    return value


def set_secret(name: str, value: str, *, folder: Path | None = None) -> None:
    """Store ``value`` (ASCII) under ``name``, replacing any earlier one (key rotation, restore)."""
    kind, _fallback = _kind()
    if kind == "keyring":
        import keyring

        keyring.set_password(SERVICE, f"{_scope(folder)}:{name}", value)
        return
    _write_file(name, value, folder, replace=True)
