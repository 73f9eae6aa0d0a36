"""Where this installation keeps its data: ``INTAKE_DATA_DIR`` or the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "isotretinoin-intake"


def data_dir() -> Path:
    override = os.environ.get("INTAKE_DATA_DIR")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_NAME, appauthor=False))
    private_folder(path)
    return path


def private_folder(path: Path) -> None:
    """Make ``path`` (0700), and tighten it to 0700 if it already existed looser."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)


DATABASE_FILE = "intake.sqlite3"


def default_database_url(folder: Path | None = None) -> str:
    """The default database: SQLCipher-encrypted SQLite in the data folder."""
    return f"sqlcipher:///{(folder or data_dir()) / DATABASE_FILE}"


def database_url(folder: Path | None = None) -> str:
    """``INTAKE_DATABASE_URL``, or the encrypted default in ``folder`` (the data folder)."""
    return os.environ.get("INTAKE_DATABASE_URL") or default_database_url(folder)
