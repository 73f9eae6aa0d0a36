"""What the administrator should know about how this installation protects its data at rest."""

from __future__ import annotations

from dataclasses import dataclass

from intake.services.context import AppContext


@dataclass(frozen=True)
class ProtectionStatus:
    encrypted: bool  # the database file is SQLCipher-encrypted
    backend: str  # "sqlite" or "postgresql"
    store_kind: str  # "keyring", "file", or "" when the secret store cannot be used
    store_where: str  # the keyring backend's name, or the secrets folder
    fallback: bool  # no keyring works, so the key is in a file
    problem: str = ""  # why the configured secret store cannot be used


def protection_status(ctx: AppContext) -> ProtectionStatus:
    from intake import secrets

    backend = "postgresql" if ctx.db.dialect == "postgresql" else "sqlite"
    try:
        info = secrets.store_description()
    except secrets.SecretStoreError as exc:
        return ProtectionStatus(ctx.db.encrypted, backend, "", "", False, str(exc))
    return ProtectionStatus(ctx.db.encrypted, backend, info.kind, info.where, info.fallback)


def protection_notice(status: ProtectionStatus) -> str:
    """One paragraph for the first-run screen (staff UI text, English like the rest of it)."""
    if status.problem:
        return f"The secret store cannot be used: {status.problem}"
    if status.store_kind == "keyring":
        where = f"the system keyring ({status.store_where})"
    else:
        where = (
            f"a file readable only by this user account, in the folder {status.store_where}"
        )
    if status.backend == "postgresql":
        lead = (
            "The database is on a PostgreSQL server: protect it there (disk encryption, "
            "sslmode=verify-full in INTAKE_DATABASE_URL). Other secrets of this station are kept in "
        )
    elif status.encrypted:
        lead = "The database on this computer is encrypted; its key is kept in "
    else:
        lead = (
            "This database is NOT encrypted (INTAKE_DATABASE_URL names a plain sqlite:/// file). "
            "Secrets are kept in "
        )
    text = lead + where + "."
    if status.fallback:
        text = (
            "No system keyring was found on this computer, so the file fallback is in use. "
            + text
            + " Anyone who can sign in as this user account can read it. To use a keyring, "
            "install one (e.g. the Secret Service) and set INTAKE_SECRET_STORE=keyring; to "
            "keep the file, set INTAKE_SECRET_STORE=file (see README, Security)."
        )
    return text
