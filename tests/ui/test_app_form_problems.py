"""The app with form files that fail `main.py forms check`: the problem is named on screen, staff
can still sign in and read, and the kiosk does not open."""

from __future__ import annotations

from pathlib import Path

import pytest
from form_files import add_huge_statement, unlock_form
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    desk_info,
)

from intake.forms import forget_default_check
from intake.services.context import AppContext
from intake.services.scripted import STAFF_PIN
from intake.ui.app import AppWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def window(qtbot):  # type: ignore[no-untyped-def]
    made: list[AppWindow] = []

    def make(**kwargs) -> AppWindow:  # type: ignore[no-untyped-def]
        w = AppWindow(refresh_ms=60_000, debounce_ms=0, **kwargs)
        qtbot.addWidget(w)
        made.append(w)
        return w

    yield make
    from intake.ui.operations import wait_for_operations

    wait_for_operations()
    for w in made:
        if w.ctx is not None:
            w.ctx.db.dispose()


def test_unlocked_forms_are_named_staff_can_read_and_the_kiosk_stays_shut(
    qtbot, forms_copy: Path, sqlite_ctx: AppContext, window
) -> None:  # type: ignore[no-untyped-def]
    desk_info(sqlite_ctx)
    unlock_form(forms_copy, "risks")
    forget_default_check()
    kiosks: list[QWidget] = []

    def kiosk_factory(ctx, session):  # type: ignore[no-untyped-def]
        kiosks.append(QWidget())
        return kiosks[-1]

    app = window(kiosk_factory=kiosk_factory)
    with qtbot.waitSignal(app.context_opened, timeout=20_000):
        app.show()
    box = app.message_box
    qtbot.waitUntil(box.isVisible)
    assert box.windowTitle() == "The form files need attention"
    assert "risks/form.toml: version: " in box.text()
    assert "is not recorded in versions.lock (it has 0.0.1)" in box.text()
    assert "kiosk does not open" in box.text()
    box.close()
    # Staff sign in and read.
    page = app.login_page
    assert page is not None and app.stack.currentWidget() is page
    qtbot.keyClicks(page.username, "desk")
    qtbot.keyClicks(page.secret, STAFF_PIN)
    with qtbot.waitSignal(app.signed_in, timeout=10_000):
        qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    assert app.staff_window is not None and app.stack.currentWidget() is app.staff_window
    # The kiosk is refused, naming the file.
    qtbot.mouseClick(app.staff_window.kiosk_button, Qt.MouseButton.LeftButton)
    assert kiosks == []
    assert app.staff_window is not None and app.isVisible()
    refusal = app.message_box
    assert refusal is not box and refusal.isVisible()
    assert refusal.windowTitle() == "Kiosk mode cannot start"
    assert "risks/form.toml" in refusal.text()
    refusal.close()


def test_forms_that_do_not_load_keep_the_start_screen_naming_the_file(
    qtbot, forms_copy: Path, window
) -> None:  # type: ignore[no-untyped-def]
    add_huge_statement(forms_copy, 5_000)
    app = window()
    app.show()
    qtbot.waitUntil(lambda: app.starting_page.retry_button.isVisible(), timeout=20_000)
    text = app.starting_page.label.text()
    assert "risks/form.toml: topics[" in text and "at most 4,000" in text
    # Nothing opens on broken forms: the start screen stays, with no context to sign in to.
    assert app.stack.currentWidget() is app.starting_page and app.ctx is None
    assert not app.login_page.signing_in
    # Fixed (the long topic removed): "Try again" reads the files again.
    path = forms_copy / "risks" / "form.toml"
    body = path.read_text("utf-8")
    path.write_text(body[: body.index('\n[[topics]]\nid = "zz_huge"')] + "\n", "utf-8")
    with qtbot.waitSignal(app.context_opened, timeout=20_000):
        qtbot.mouseClick(app.starting_page.retry_button, Qt.MouseButton.LeftButton)
    assert app.login_page is not None
