"""The code base stays linted (ruff) and type-checked (mypy on the package)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(
            f"{name} is not installed in this environment (it is in the dev dependency group)"
        )
    return found


def test_ruff_finds_nothing() -> None:
    run = subprocess.run(
        [_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-4000:]


@pytest.mark.slow
def test_mypy_finds_nothing_in_the_package() -> None:
    run = subprocess.run(
        [_tool("mypy"), "intake"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout[-4000:]
