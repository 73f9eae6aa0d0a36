"""Writing documents to disk so that a crash never leaves a half-written file.

While a document is written, its bytes sit in a hidden temporary file beside the target
(``.consent.pdf.<random>.tmp``), locked by the writer. A writer killed at that moment leaves the
file behind, holding a whole PDF with patient data: every later write to the folder first
removes such leftovers (``sweep_temporary``), and the application sweeps its data folder and
export folders when it starts writing there.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from pathlib import Path

TEMP_SUFFIX = ".tmp"
# What atomic_write names its temporary files: "." + target name + "." + mkstemp's 8 random
# characters + ".tmp". Nothing else in a folder is ever removed.
_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")
# A file younger than this is left alone even when nobody holds its lock: the writer may be
# between creating it and locking it (a few microseconds), or on a system without locks.
MIN_AGE_SECONDS = 5.0
# Where files cannot be locked (Windows), only age tells: no document takes this long to write.
UNLOCKED_MIN_AGE_SECONDS = 120.0

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def atomic_write(path: str | os.PathLike[str], data: bytes, mode: int = 0o600) -> Path:
    """Replace ``path`` with ``data`` in one step: readers see the old file or the new one.

    The bytes go to a temporary file in the same folder (``os.replace`` is only atomic within
    one file system), are flushed to the disk, and only then take the final name. The folder
    is synced too, so the new name itself survives a power cut. Documents hold health data,
    so the file is readable by its owner only unless ``mode`` says otherwise. Leftovers of an
    earlier writer that was killed are removed first.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    sweep_temporary(folder)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            if fcntl is not None:
                # Held until the file is closed: a sweep in another process sees a live writer.
                fcntl.flock(out.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            if mode != 0o600:  # mkstemp already made it 0600
                os.fchmod(out.fileno(), mode) if hasattr(os, "fchmod") else os.chmod(tmp_name, mode)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            if fcntl is not None:
                # Renamed while still open and locked, so no sweep can take it in between.
                os.replace(tmp_name, target)
        if fcntl is None:  # Windows renames no open file
            os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(folder)
    return target


def sweep_temporary(folder: str | os.PathLike[str], *, now: float | None = None) -> list[Path]:
    """Remove the temporary files a killed writer left in ``folder``; returns what was removed.

    A file is removed only when its name is one ``atomic_write`` makes, it is a few seconds
    old, and no live writer holds its lock (where locks exist; elsewhere, when it is old).
    A folder that does not exist or cannot be read has nothing to sweep.
    """
    base = Path(folder)
    moment = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        if not _TEMP_NAME.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = moment - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if age < MIN_AGE_SECONDS:
            continue
        if _abandoned(Path(entry.path), age):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _abandoned(path: Path, age: float) -> bool:
    if fcntl is None:
        return age >= UNLOCKED_MIN_AGE_SECONDS
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a live writer holds it
    finally:
        os.close(fd)  # also lets go of the lock we may have taken
    return True


def _fsync_dir(folder: Path) -> None:
    # Windows cannot open a directory for syncing; NTFS journals the rename itself.
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
