"""Shared fixtures for the kiosk UI tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_kiosk_driver import KioskDriver

from intake.services.context import AppContext


@pytest.fixture
def kiosk(qtbot, sqlite_ctx: AppContext) -> Iterator[KioskDriver]:  # type: ignore[no-untyped-def]
    """A kiosk window on a fresh database, driven like a patient would; cleared afterwards."""
    from intake.ui.kiosk import KioskWindow
    from intake.ui.operations import wait_for_operations

    window = KioskWindow(sqlite_ctx, locked=False, done_return_ms=600_000)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    driver = KioskDriver(qtbot, window, sqlite_ctx)
    driver.wait_ready()
    yield driver
    window.clear_screen()
    assert wait_for_operations(30_000)


@pytest.fixture
def staff_in_pseudo(monkeypatch: pytest.MonkeyPatch) -> str:
    """The staff screens built after this speak the pseudo-locale (see tests/ui/pseudo_text.py)."""
    from intake import i18n
    from intake.ui.common import STAFF_LANG_ENV

    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    monkeypatch.setenv(STAFF_LANG_ENV, "pseudo")
    return "pseudo"
