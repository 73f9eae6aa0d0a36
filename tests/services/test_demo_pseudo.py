"""`main.py demo --lang pseudo`: every line of the three documents is pseudo text or data.

A line with no ⟦ ⟧ and no accented pseudo vowel must be made only of the patient's data, the
clinic's profile, ids, numbers and dates: anything else is program text that bypassed the
catalogue or the forms.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from intake import i18n
from intake.forms import default_forms
from intake.services.scripted import ScriptedPatient

REPO = Path(__file__).resolve().parents[2]
PSEUDO_MARKS = frozenset("áéíóúýÁÉÍÓÚÝ⟦⟧")
WORD = re.compile(r"[^\W\d_]+")
HEX = re.compile(r"^[0-9a-f]+$")


def pdf_lines(path: Path) -> list[str]:
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
        )
        return out.stdout.decode("utf-8").splitlines()
    from pypdf import PdfReader

    return [ln for page in PdfReader(path).pages for ln in (page.extract_text() or "").splitlines()]


def data_words() -> set[str]:
    """Words that may stand outside the pseudo-locale: the patient's and clinic's own data, the
    dermatologist's name, form ids, month and weekday names, the time zone."""
    forms = default_forms()
    patient = ScriptedPatient()
    clinic = forms.clinic
    initials = patient.first_name[0] + patient.last_name[0]
    values = [patient.first_name, patient.last_name, initials, "Dr Ana Ruiz", "EST", "EDT"]
    values += [str(v) for page in patient.page_answers().values() for v in page.values()]
    values += [str(getattr(clinic, name, "")) for name in ("name", "address", "email", "phone")]
    values += [forms.risks.meta.id, forms.quiz.meta.id, forms.intake.meta.id]
    values += [forms.education.meta.id, forms.clinic.meta.id, forms.phq9.meta.id]
    values += [ruleset.id for ruleset in forms.programme.rulesets]
    for month in range(1, 13):
        values.append(i18n.month_name(month, "pseudo"))
    return {w for v in values for w in WORD.findall(v)}


def test_demo_in_the_pseudo_locale_prints_only_pseudo_text_and_data(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "main.py", "demo", "--out", str(out), "--lang", "pseudo"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    allowed = data_words()
    bad: list[str] = []
    marked = 0
    for path in sorted(out.glob("*.pdf")):
        for line in pdf_lines(path):
            if set(line) & PSEUDO_MARKS:
                marked += 1
                continue
            words = [w for w in WORD.findall(line) if w not in allowed and not HEX.match(w)]
            # three-letter month abbreviations in short date-times ("5 Dec 2026 23:57")
            words = [w for w in words if not (len(w) == 3 and w[:3] in _month_abbreviations())]
            if words:
                bad.append(f"{path.name}: {line.strip()!r}: {words}")
    assert len(list(out.glob("*.pdf"))) == 3
    assert marked > 100
    assert not bad, "document text outside the pseudo-locale:\n" + "\n".join(bad)


def _month_abbreviations() -> set[str]:
    return {i18n.month_name(m, "pseudo")[:3] for m in range(1, 13)}


@pytest.mark.parametrize("lang", ["en", "es", "pseudo"])
def test_demo_accepts_every_registered_language(lang: str) -> None:
    from intake.cli import _parser

    args = ["demo", "--out", "x", "--lang", lang]
    assert _parser().parse_args(args).lang == lang
