"""`main.py demo --course`: the first visit, five monthly check-ins and the completion; every
document written verifies with `main.py verify`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_demo_course_writes_every_document_and_each_verifies(tmp_path: Path, lang: str) -> None:
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "main.py", "demo", "--course", "--out", str(out), "--lang", lang],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    names = sorted(Path(line).name for line in run.stdout.split())
    assert names == sorted(
        [
            "consent.pdf",
            "education-packet.pdf",
            "intake-summary.pdf",
            *(f"checkin-month-{n}.pdf" for n in range(1, 6)),
            "aftercare-packet.pdf",
        ]
    )
    for name in names:
        check = subprocess.run(
            [sys.executable, "main.py", "verify", str(out / name)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, (name, check.stdout, check.stderr)
    severe = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(out / "checkin-month-3.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ("severe this month" if lang == "en" else "fuerte este mes") in severe
