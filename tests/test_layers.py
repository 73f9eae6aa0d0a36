"""The layers of DESIGN.md, enforced by reading every import in intake/ (including lazy ones)."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "intake"

QT = {"PySide6", "shiboken6"}
SQL = {"sqlalchemy", "alembic", "psycopg", "psycopg2"}
PDF = {"reportlab", "pyhanko", "pyhanko_certvalidator"}
HEAVY = QT | SQL | PDF


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted name
    file: Path
    line: int

    @property
    def top(self) -> str:
        return self.module.split(".")[0]

    def __str__(self) -> str:
        return f"{self.file.relative_to(REPO)}:{self.line}: imports {self.module}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_in(source: str, path: Path, name: str) -> list[Import]:
    """Every module a file imports: top level, inside functions, relative, and the string forms
    ``importlib.import_module("x")`` / ``__import__("x")``."""
    is_package = path.name == "__init__.py"
    found: list[Import] = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, path, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append(Import(target, path, node.lineno))
            # `from intake import store` imports the submodule intake.store
            found += [
                Import(f"{target}.{alias.name}", path, node.lineno)
                for alias in node.names
                if alias.name != "*"
            ]
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            found.append(Import(node.args[0].value, path, node.lineno))
    return found


def layer_imports(layer: str) -> tuple[list[Path], list[Import]]:
    folder = PACKAGE / layer
    files = sorted(folder.rglob("*.py")) if folder.is_dir() else []
    found: list[Import] = []
    for path in files:
        found += imports_in(path.read_text("utf-8"), path, module_name(path))
    return files, found


def violations(found: list[Import], tops: set[str], prefixes: tuple[str, ...] = ()) -> list[str]:
    bad = [
        str(i)
        for i in found
        if i.top in tops or any(i.module == p or i.module.startswith(p + ".") for p in prefixes)
    ]
    return sorted(set(bad))


UPPER_LAYERS = (
    "intake.store",
    "intake.services",
    "intake.documents",
    "intake.ui",
    "intake.cli",
)


@pytest.mark.parametrize(
    ("layer", "tops", "prefixes", "must_exist"),
    [
        # plain Python: no Qt, SQL or PDF, and nothing from the layers above
        ("domain", HEAVY, UPPER_LAYERS, True),
        ("forms", HEAVY, (*UPPER_LAYERS, "intake.domain"), True),
        ("store", QT, ("intake.ui",), True),
        ("documents", QT, ("intake.ui",), True),
        # services may reach reportlab/pyhanko through intake.documents; never Qt
        ("services", QT, ("intake.ui",), True),
        # the UI calls only services: no SQL, no PDF code, no storage, no document code
        ("ui", SQL | PDF, ("intake.store", "intake.documents"), False),
        # the patient's kiosk and the staff workstation share only intake.ui's common parts
        ("ui/kiosk", set(), ("intake.ui.staff",), True),
        ("ui/staff", set(), ("intake.ui.kiosk",), True),
    ],
)
def test_layer_imports(
    layer: str, tops: set[str], prefixes: tuple[str, ...], must_exist: bool
) -> None:
    files, found = layer_imports(layer)
    if must_exist:
        assert files, f"intake/{layer} has no Python files: has the package moved?"
    bad = violations(found, tops, prefixes)
    assert not bad, f"intake/{layer} breaks the layering:\n" + "\n".join(bad)


def test_import_scanner_sees_every_kind_of_import() -> None:
    """Guard the guard: the scanner must find lazy, relative and string imports."""
    source = """
import os, PySide6.QtCore
from sqlalchemy.orm import Session
from . import sibling
from ..store import models
import importlib

def later():
    import reportlab.pdfgen
    from pyhanko.sign import signers
    return importlib.import_module("alembic.command"), __import__("shiboken6")

class Lazy:
    def method(self):
        from intake.store.db import engine
"""
    path = PACKAGE / "domain" / "fake.py"
    found = imports_in(source, path, "intake.domain.fake")
    modules = {i.module for i in found}
    assert {
        "os",
        "PySide6.QtCore",
        "sqlalchemy.orm",
        "intake.domain.sibling",
        "intake.store.models",
        "reportlab.pdfgen",
        "pyhanko.sign",
        "alembic.command",
        "shiboken6",
        "intake.store.db",
    } <= modules
    bad = violations(found, HEAVY, UPPER_LAYERS)

    def line_of(text: str) -> int:
        return next(n for n, line in enumerate(source.splitlines(), 1) if text in line)

    assert f"intake/domain/fake.py:{line_of('PySide6')}: imports PySide6.QtCore" in bad
    assert f"intake/domain/fake.py:{line_of('reportlab')}: imports reportlab.pdfgen" in bad
    assert f"intake/domain/fake.py:{line_of('alembic')}: imports alembic.command" in bad
    assert f"intake/domain/fake.py:{line_of('store.db')}: imports intake.store.db" in bad
    assert not any(b.endswith("imports os") for b in bad)


def test_relative_import_in_a_package_init_resolves_inside_the_package() -> None:
    path = PACKAGE / "store" / "__init__.py"
    found = imports_in("from .db import engine\n", path, "intake.store")
    assert "intake.store.db" in {i.module for i in found}


def test_importing_the_domain_and_forms_loads_no_qt_sql_or_pdf() -> None:
    code = (
        "import intake.domain.rules, intake.domain.flags, intake.domain.validation, "
        "intake.domain.answers, intake.domain.phq9, intake.forms; import sys; "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'PySide6','sqlalchemy','reportlab','pyhanko'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", result.stdout


def test_tests_outside_the_ui_folder_need_no_qt() -> None:
    """CI runs every test outside tests/ui a second time with PySide6 unimportable (.ci/run):
    a test there that reaches Qt or intake.ui, even lazily, would fail only in that run."""
    tests = REPO / "tests"
    found: list[Import] = []
    for path in sorted(tests.rglob("*.py")):
        if (tests / "ui") in path.parents:
            continue
        found += imports_in(path.read_text("utf-8"), path, module_name(path))
    bad = violations(found, QT, ("intake.ui",))
    assert not bad, "tests outside tests/ui reach Qt:\n" + "\n".join(bad)
