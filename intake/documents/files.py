"""Writing documents to disk so that a crash never leaves a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write(path: str | os.PathLike[str], data: bytes, mode: int = 0o600) -> Path:
    """Replace ``path`` with ``data`` in one step: readers see the old file or the new one.

    The bytes go to a temporary file in the same folder (``os.replace`` is only atomic within
    one file system), are flushed to the disk, and only then take the final name. The folder
    is synced too, so the new name itself survives a power cut. Documents hold health data,
    so the file is readable by its owner only unless ``mode`` says otherwise.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            if mode != 0o600:  # mkstemp already made it 0600
                os.fchmod(out.fileno(), mode) if hasattr(os, "fchmod") else os.chmod(tmp_name, mode)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(folder)
    return target


def _fsync_dir(folder: Path) -> None:
    # Windows cannot open a directory for syncing; NTFS journals the rename itself.
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
