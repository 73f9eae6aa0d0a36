"""The first-run screen says where the database key is kept, and when the file fallback is used."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from intake import secrets
from intake.services.context import open_context


def _notice(qtbot, ctx) -> str:  # type: ignore[no-untyped-def]
    from intake.ui.staff.login import FirstRunPage

    page = FirstRunPage(ctx)
    qtbot.addWidget(page)
    page.show()
    labels = [w for w in page.findChildren(QLabel) if w.accessibleName() == "Data protection"]
    assert len(labels) == 1 and labels[0].isVisible()
    return labels[0].text()


def test_no_keyring_names_the_file_fallback_and_how_to_choose(
    qtbot, sqlite_ctx, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("INTAKE_SECRET_STORE", "auto")
    monkeypatch.setattr(secrets, "keyring_available", lambda: False)
    text = _notice(qtbot, sqlite_ctx)
    assert "No system keyring was found" in text
    assert "file fallback is in use" in text
    assert os.environ["INTAKE_SECRETS_DIR"] in text
    assert "INTAKE_SECRET_STORE=keyring" in text and "README" in text
    assert "is encrypted" in text


def test_a_working_keyring_is_named_without_a_fallback_warning(
    qtbot, sqlite_ctx, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    import keyring

    class SecretServiceKeyring:
        pass

    monkeypatch.setenv("INTAKE_SECRET_STORE", "auto")
    monkeypatch.setattr(secrets, "keyring_available", lambda: True)
    monkeypatch.setattr(keyring, "get_keyring", lambda: SecretServiceKeyring())
    text = _notice(qtbot, sqlite_ctx)
    assert "system keyring (SecretServiceKeyring)" in text
    assert "No system keyring" not in text


def test_a_plain_database_is_said_to_be_unencrypted(qtbot, fresh_environment: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = open_context(url=f"sqlite:///{fresh_environment / 'plain.sqlite3'}")
    try:
        assert "NOT encrypted" in _notice(qtbot, ctx)
    finally:
        ctx.db.dispose()


def test_a_missing_database_key_is_explained_on_the_start_screen(
    qtbot, fresh_environment: Path  # type: ignore[no-untyped-def]
) -> None:
    from intake.store.db import DatabaseKeyError
    from intake.ui.common import describe_error

    ctx = open_context()
    ctx.db.dispose()
    for f in Path(os.environ["INTAKE_SECRETS_DIR"]).iterdir():
        f.unlink()
    with pytest.raises(DatabaseKeyError) as caught:
        open_context()
    text = describe_error(caught.value)
    assert text.startswith("the database key is not available: no key")
