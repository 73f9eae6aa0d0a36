"""Fresh data folder and database per test; no test reads the developer's own settings."""

from __future__ import annotations

import importlib.abc
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class _NoQt(importlib.abc.MetaPathFinder):
    """Makes PySide6 unimportable: the non-UI half of the suite runs so in CI (``.ci/run``), to
    prove that the domain, forms, documents, storage and services need no Qt at all."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.split(".")[0] in ("PySide6", "shiboken6"):
            raise ImportError(f"{name} is blocked: INTAKE_BLOCK_QT is set")
        return None


if os.environ.get("INTAKE_BLOCK_QT"):
    if any(m.split(".")[0] in ("PySide6", "shiboken6") for m in sys.modules):
        raise RuntimeError("INTAKE_BLOCK_QT needs `-p no:pytest-qt`: Qt was already imported")
    sys.meta_path.insert(0, _NoQt())

PG_URL = os.environ.get("INTAKE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_answers() -> str | None:
    """None when the server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(
            PG_URL.replace("postgresql://", "postgresql://", 1), connect_timeout=3
        ) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:  # any failure to connect means: skip, saying why
        return f"PostgreSQL at 127.0.0.1:5432 does not answer ({type(exc).__name__}: {exc})"


_PG_REASON = _postgres_answers()


@pytest.fixture(autouse=True)
def fresh_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("INTAKE_DATA_DIR", str(data))
    monkeypatch.delenv("INTAKE_DATABASE_URL", raising=False)
    # No test reaches the developer's time-stamping authority: tests run their own on 127.0.0.1.
    for name in ("INTAKE_TSA_URL", "INTAKE_TSA_USER", "INTAKE_TSA_PASSWORD", "INTAKE_TSA_CA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INTAKE_STATION", "test-station")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    # Secrets in a folder of the test's own, never the developer's keyring.
    monkeypatch.setenv("INTAKE_SECRET_STORE", "file")
    monkeypatch.setenv("INTAKE_SECRETS_DIR", str(tmp_path / "secrets"))
    return data


def require_postgres() -> None:
    if _PG_REASON is not None:
        if os.environ.get("INTAKE_REQUIRE_POSTGRES"):
            pytest.fail(_PG_REASON)
        pytest.skip(_PG_REASON)


@pytest.fixture
def pg_url() -> str:
    require_postgres()
    return PG_URL


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A schema of its own in the `test` database, dropped afterwards."""
    require_postgres()
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(
    request: pytest.FixtureRequest, fresh_environment: Path
) -> Iterator[tuple[str, str | None]]:
    """(url, schema) for each backend the storage tests run on."""
    if request.param == "sqlite":
        yield f"sqlite:///{fresh_environment / 'intake.sqlite3'}", None
    else:
        schema = request.getfixturevalue("pg_schema")
        yield PG_URL, schema


@pytest.fixture
def ctx(db_target: tuple[str, str | None], fresh_environment: Path):  # type: ignore[no-untyped-def]
    from intake.services.context import open_context

    url, schema = db_target
    context = open_context(data_dir=fresh_environment, url=url, schema=schema)
    yield context
    context.db.dispose()


@pytest.fixture
def sqlite_ctx(fresh_environment: Path):  # type: ignore[no-untyped-def]
    from intake.services.context import open_context

    context = open_context(data_dir=fresh_environment)
    yield context
    context.db.dispose()


@pytest.fixture
def forms_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the forms folder, locked as it is, that this test's app and services
    use (INTAKE_FORMS_DIR): a test may break it without touching the clinic's own forms."""
    import shutil

    from intake.forms import forget_default_check, load_forms
    from intake.forms.loader import DEFAULT_FORMS_DIR, write_lock

    root = tmp_path / "forms"
    shutil.copytree(DEFAULT_FORMS_DIR, root)
    write_lock(load_forms(root), root)
    monkeypatch.setenv("INTAKE_FORMS_DIR", str(root))
    forget_default_check()
    yield root
    forget_default_check()
