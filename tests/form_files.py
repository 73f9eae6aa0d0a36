"""Breaking a private copy of the forms folder (see the ``forms_copy`` fixture) in known ways."""

from __future__ import annotations

import re
from pathlib import Path


def unlock_form(root: Path, form_id: str) -> None:
    """Make ``versions.lock`` record another version of ``form_id`` than its file has."""
    lock = root / "versions.lock"
    text, n = re.subn(
        rf'(\[forms\.{form_id}\]\nversion = )"[^"]*"', r'\1"0.0.1"', lock.read_text("utf-8")
    )
    assert n == 1, f"{form_id} is not in {lock}"
    lock.write_text(text, "utf-8")


def add_huge_statement(root: Path, chars: int = 10_000_000) -> None:
    """Append a topic whose one statement is ``chars`` long to the risks form."""
    with (root / "risks" / "form.toml").open("a", encoding="utf-8") as f:
        f.write(
            '\n[[topics]]\nid = "zz_huge"\ntitle = { en = "Huge", es = "Enorme" }\n'
            '[[topics.statements]]\nid = "zz_huge.one"\n'
            f'text = {{ en = "{"x" * chars}", es = "x" }}\n'
        )
