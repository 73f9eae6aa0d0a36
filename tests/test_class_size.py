"""No class in the UI package grows past MAX_CLASS_LINES: a window or page that does everything
is split into small helpers (drawing, focus, read-aloud, ...) it composes."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "intake" / "ui"
MAX_CLASS_LINES = 400

def class_lengths(source: str) -> dict[str, int]:
    """Each class's length in lines, from ``class`` to its last line (nested ones too; of two
    classes of one name, the longer)."""
    lengths: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
            lines = node.end_lineno - node.lineno + 1
            lengths[node.name] = max(lines, lengths.get(node.name, 0))
    return lengths


def ui_class_lengths() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted(UI.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        for name, lines in class_lengths(path.read_text(encoding="utf-8")).items():
            found[f"{where}::{name}"] = lines
    return found


def test_class_lengths_count_from_class_to_its_last_line() -> None:
    source = "class A:\n    x = 1\n\n    def f(self):\n        return 2\n\n\nclass B:\n    pass\n"
    assert class_lengths(source) == {"A": 5, "B": 2}


def test_no_ui_class_is_longer_than_the_limit() -> None:
    lengths = ui_class_lengths()
    assert "intake/ui/kiosk/window.py::KioskWindow" in lengths  # the scan sees the package
    too_long = {
        name: lines
        for name, lines in lengths.items()
        if lines > MAX_CLASS_LINES
    }
    assert not too_long, f"classes above {MAX_CLASS_LINES} lines: {too_long}"

