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
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def database_url() -> str:
    return os.environ.get("INTAKE_DATABASE_URL") or f"sqlite:///{data_dir() / 'intake.sqlite3'}"
