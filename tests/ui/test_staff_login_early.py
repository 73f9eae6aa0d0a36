"""The staff sign-in page is usable before the database is open; a Sign in pressed meanwhile
waits for it and goes ahead once, with what was typed."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    desk_info,
)

from intake.i18n import tr
from intake.services.scripted import STAFF_PIN
from intake.services.staff import StaffService
from intake.ui.app import AppWindow, _open_context

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

REPO = Path(__file__).resolve().parents[2]
OPENING = tr("staff.signin_opening", "en")
EXPIRED = tr("staff.signin_expired", "en")


@pytest.fixture
def held() -> Iterator[threading.Event]:
    """Released by the test: until then the database 'is opening'."""
    release = threading.Event()
    yield release
    release.set()  # a failed test does not leave the worker waiting


def held_opener(
    release: threading.Event, fail: BaseException | None = None
) -> Callable[[], object]:
    def opener():  # type: ignore[no-untyped-def]
        assert release.wait(60)
        if fail is not None:
            raise fail
        return _open_context()

    return opener


@pytest.fixture
def logins(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The usernames each PIN check was asked for (the PINs themselves are not kept)."""
    calls: list[str] = []
    original = StaffService.login

    def counted(self, username, secret):  # type: ignore[no-untyped-def]
        calls.append(username)
        return original(self, username, secret)

    monkeypatch.setattr(StaffService, "login", counted)
    return calls


def shown_window(qtbot, opener, **options) -> AppWindow:  # type: ignore[no-untyped-def]
    window = AppWindow(open_context=opener, refresh_ms=60_000, debounce_ms=0, **options)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def press_sign_in_while_opening(qtbot, window: AppWindow, username: str) -> None:  # type: ignore[no-untyped-def]
    page = window.login_page
    assert window.stack.currentWidget() is page and page.isVisible()
    assert page.focusWidget() is page.username
    qtbot.keyClicks(page.username, username)
    qtbot.keyClick(page.username, Qt.Key.Key_Return)  # on to the PIN
    assert page.focusWidget() is page.secret
    qtbot.keyClicks(page.secret, STAFF_PIN)
    assert page.username.text() == username and page.secret.text() == STAFF_PIN
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    assert page.message.isVisible() and page.message.text() == OPENING
    assert page.signing_in
    assert not page.secret.isEnabled() and not page.sign_in_button.isEnabled()
    # The name it will sign in with cannot be changed while it waits.
    assert not page.username.isEnabled()
    assert page.secret.text() == ""  # not left on screen while it waits
    # Not double-submittable: neither another press nor Return starts a second attempt.
    page.sign_in_button.click()
    qtbot.keyClick(page.secret, Qt.Key.Key_Return)
    assert page.message.text() == OPENING


def test_sign_in_pressed_while_the_database_opens_signs_in_once_after(
    qtbot, sqlite_ctx, held, logins  # type: ignore[no-untyped-def]
) -> None:
    desk_info(sqlite_ctx)
    window = shown_window(qtbot, held_opener(held))
    assert window.ctx is None  # the page is up and typed into with the database not open
    press_sign_in_while_opening(qtbot, window, "desk")
    assert logins == [] and window.ctx is None
    with qtbot.waitSignal(window.signed_in, timeout=20_000) as entered:
        held.set()
    assert entered.args[0].username == "desk"
    assert logins == ["desk"]
    assert window.staff_window is not None and window.stack.currentWidget() is window.staff_window
    page = window.login_page
    assert not page.signing_in and page.secret.text() == ""
    assert page.secret.isEnabled() and page.sign_in_button.isEnabled()
    assert page.username.isEnabled()
    assert page._waiting is None  # the PIN is not kept once used
    window.ctx.db.dispose()


def test_a_sign_in_held_beyond_the_limit_is_dropped_and_asked_for_again(
    qtbot, sqlite_ctx, held, logins  # type: ignore[no-untyped-def]
) -> None:
    """Whoever pressed Sign in may have walked away: the station does not sign them in later."""
    desk_info(sqlite_ctx)
    window = shown_window(qtbot, held_opener(held), signin_wait_s=0.3)
    page = window.login_page
    press_sign_in_while_opening(qtbot, window, "desk")
    qtbot.waitUntil(lambda: not page.signing_in, timeout=10_000)
    assert page._waiting is None  # the PIN is forgotten
    assert page.message.isVisible() and page.message.text() == EXPIRED
    assert page.secret.text() == ""
    assert page.username.isEnabled() and page.secret.isEnabled()
    assert page.sign_in_button.isEnabled()
    with qtbot.waitSignal(window.context_opened, timeout=20_000):
        held.set()
    assert logins == []
    assert window.staff_window is None and window.stack.currentWidget() is page
    assert page.message.text() == EXPIRED and page.secret.text() == ""
    window.ctx.db.dispose()


def test_a_wrong_pin_pressed_early_is_refused_as_usual(
    qtbot, sqlite_ctx, held, logins  # type: ignore[no-untyped-def]
) -> None:
    desk_info(sqlite_ctx)
    window = shown_window(qtbot, held_opener(held))
    page = window.login_page
    qtbot.keyClicks(page.username, "desk")
    qtbot.keyClicks(page.secret, "0000")
    qtbot.keyClick(page.secret, Qt.Key.Key_Return)
    assert page.message.text() == OPENING and page.signing_in
    with qtbot.waitSignal(window.context_opened, timeout=20_000):
        held.set()
    qtbot.waitUntil(lambda: not page.signing_in, timeout=10_000)
    assert logins == ["desk"]
    assert page.message.text() == "That name or PIN is not right."
    assert window.staff_window is None and page.secret.isEnabled()
    window.ctx.db.dispose()


def test_no_accounts_yet_goes_to_the_first_run_page_and_forgets_the_pin(
    qtbot, held, logins  # type: ignore[no-untyped-def]
) -> None:
    window = shown_window(qtbot, held_opener(held))
    press_sign_in_while_opening(qtbot, window, "someone")
    with qtbot.waitSignal(window.context_opened, timeout=20_000):
        held.set()
    assert window.first_run_page is not None
    assert window.stack.currentWidget() is window.first_run_page
    page = window.login_page
    assert logins == [] and not page.signing_in and page._waiting is None
    assert window.staff_window is None
    window.ctx.db.dispose()


def test_the_database_failing_to_open_shows_the_problem_and_forgets_the_pin(
    qtbot, held, logins  # type: ignore[no-untyped-def]
) -> None:
    window = shown_window(qtbot, held_opener(held, OSError("server gone")))
    press_sign_in_while_opening(qtbot, window, "desk")
    held.set()
    qtbot.waitUntil(lambda: window.starting_page.retry_button.isVisible(), timeout=10_000)
    assert window.stack.currentWidget() is window.starting_page
    assert "could not be reached" in window.starting_page.label.text()
    assert "server gone" not in window.starting_page.label.text()
    page = window.login_page
    assert logins == [] and not page.signing_in and page._waiting is None
    assert page.secret.isEnabled() and page.sign_in_button.isEnabled()
    assert window.ctx is None


FIRST_PAINT = """
import os, sys, threading
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
from intake.ui.app import AppWindow

never = threading.Event()
window = AppWindow(open_context=lambda: never.wait(60))
page = window.login_page

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, report)
        return False

def report():
    heavy = sorted({m.split('.')[0] for m in sys.modules}
                   & {'sqlalchemy', 'reportlab', 'pyhanko', 'alembic', 'psycopg'})
    usable = (window.stack.currentWidget() is page and page.isVisible()
              and page.username.isEnabled() and page.focusWidget() is page.username)
    print(heavy, usable, flush=True)
    os._exit(0)

spy = FirstPaint()
page.installEventFilter(spy)
window.show()
app.exec()
"""


def test_no_database_or_pdf_code_is_imported_when_the_sign_in_page_first_paints(
    tmp_path: Path,
) -> None:
    import os

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", INTAKE_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] True"
