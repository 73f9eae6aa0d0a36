"""atomic_write: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from intake.documents import files
from intake.documents.files import atomic_write


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "consent.pdf"
    assert atomic_write(target, b"%PDF-1.7 new") == target
    assert target.read_bytes() == b"%PDF-1.7 new"
    assert _leftovers(tmp_path) == []


def test_replaces_an_existing_file_as_a_new_inode(tmp_path: Path) -> None:
    target = tmp_path / "consent.pdf"
    target.write_bytes(b"old contents")
    reader = target.open("rb")  # someone still reading the old file keeps seeing it whole
    before = target.stat().st_ino
    atomic_write(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert reader.read() == b"old contents"
    reader.close()
    if os.name != "nt":
        assert target.stat().st_ino != before
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_files_are_private_unless_asked(tmp_path: Path) -> None:
    atomic_write(tmp_path / "a.pdf", b"x")
    atomic_write(tmp_path / "b.pem", b"x", mode=0o644)
    assert stat.S_IMODE((tmp_path / "a.pdf").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "b.pem").stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "consent.pdf"
    target.write_bytes(b"signed and stored")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        atomic_write(target, b"half a new file")
    assert target.read_bytes() == b"signed and stored"
    assert _leftovers(tmp_path) == []


def test_a_failed_rename_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "consent.pdf"
    target.write_bytes(b"signed and stored")

    def refuse(src: str, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(PermissionError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"signed and stored"
    assert _leftovers(tmp_path) == []


def test_an_interrupt_during_the_write_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(folder / "x.pdf", b"data")
    assert list(folder.iterdir()) == []


def test_the_folder_is_synced_after_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order: list[str] = []
    real_replace, real_fsync = os.replace, os.fsync
    monkeypatch.setattr(
        files.os, "replace", lambda a, b: (order.append("replace"), real_replace(a, b))
    )
    monkeypatch.setattr(files.os, "fsync", lambda fd: (order.append("fsync"), real_fsync(fd)))
    atomic_write(tmp_path / "x.pdf", b"data")
    # data synced before the rename, the folder after it (POSIX); Windows skips the folder
    expected = ["fsync", "replace"] + (["fsync"] if os.name != "nt" else [])
    assert order == expected


def test_a_missing_folder_is_an_error_not_a_stray_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "nope" / "x.pdf", b"data")
    assert not (tmp_path / "nope").exists()
    assert _leftovers(tmp_path) == []


# A writer killed between writing its temporary file and renaming it: the child writes the
# temporary file, says so, and is killed by the test with SIGKILL (no clean-up can run).
KILLED_WRITER = """
import os, sys
from intake.documents import files
def stop(src, dst):
    print("written", flush=True)
    os.kill(os.getpid(), 9)
files.os.replace = stop
files.atomic_write(sys.argv[1], b"%PDF-1.7 patient data " * 1000)
"""


def _killed_write(target: Path) -> Path:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -9 and "written" in done.stdout, done.stderr
    (left,) = _leftovers(target.parent)
    return target.parent / left


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL and flock are POSIX")
def test_a_killed_writers_leftover_is_removed_by_the_next_write(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    left = _killed_write(folder / "consent.pdf")
    assert left.name.startswith(".consent.pdf.") and left.stat().st_size > 1000
    # Make it look a minute old: the sweep leaves files of the last few seconds alone.
    past = time.time() - 60
    os.utime(left, (past, past))
    (folder / "notes.tmp").write_bytes(b"someone else's file")  # not ours: kept
    atomic_write(folder / "summary.pdf", b"%PDF-1.7 other")
    assert not left.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["notes.tmp", "summary.pdf"]


@pytest.mark.skipif(os.name == "nt", reason="flock is POSIX")
def test_the_sweep_spares_a_live_writers_file_and_a_fresh_one(tmp_path: Path) -> None:
    import fcntl

    held = tmp_path / ".consent.pdf.abcd1234.tmp"
    held.write_bytes(b"being written")
    fresh = tmp_path / ".summary.pdf.efgh5678.tmp"
    fresh.write_bytes(b"just created")
    past = time.time() - 600
    os.utime(held, (past, past))
    with open(held, "rb") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        # another open file description, as another process would have
        assert files.sweep_temporary(tmp_path) == []
    assert held.exists() and fresh.exists()
    assert files.sweep_temporary(tmp_path) == [held]
    assert files.sweep_temporary(tmp_path, now=time.time() + 60) == [fresh]


def test_the_app_sweeps_its_data_folder_at_start(tmp_path: Path) -> None:
    from intake.services.context import open_context

    data = tmp_path / "d"
    data.mkdir()
    left = data / ".clinic-key.pem.Zx81_qAb.tmp"
    left.write_bytes(b"-----BEGIN PRIVATE KEY-----")
    past = time.time() - 600
    os.utime(left, (past, past))
    ctx = open_context(data_dir=data)
    ctx.db.dispose()
    assert not left.exists()
