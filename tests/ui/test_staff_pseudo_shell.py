"""The shell's screens speak only the catalogue: sign-in, first run, the staff window's bar, menus
and accounts page, the mood-screen release dialog, and the start-up and error boxes.

Built in the pseudo-locale (every catalogue text bracketed in ⟦ ⟧), so any text written into
the code shows; and once in Spanish.
"""

from __future__ import annotations

import sys

import pytest
from pseudo_text import staff_texts, unmarked_staff_texts
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QMessageBox,
    QToolButton,
    QWidget,
)
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician_info,
    desk_info,
)

from intake.services.alerts import NOTE_MAX, AlertService
from intake.services.context import AppContext
from intake.services.scripted import STAFF_PIN, ensure_staff
from intake.services.staff import StaffService, staff_actor
from intake.ui.common import words
from intake.ui.staff.shortcuts import ButtonAction

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def clinic_data(ctx: AppContext) -> tuple[str, ...]:
    """What the clinic profile itself says (the clinic's data, not the program's words)."""
    import os

    clinic = ctx.forms.clinic
    return (
        clinic.name,
        clinic.department,
        clinic.address,
        clinic.phone,
        clinic.email,
        clinic.timezone,
        clinic.record_prefix,
        clinic.meta.version,
        *(lab.unit for lab in clinic.labs),
        os.environ.get("INTAKE_SECRETS_DIR", ""),
    )


def staff_data(ctx: AppContext) -> tuple[str, ...]:
    accounts = StaffService(ctx).list()
    return (
        *clinic_data(ctx),
        *(a.display_name for a in accounts),
        *(a.username for a in accounts),
    )


def window_problems(window, data: tuple[str, ...]) -> list[str]:  # type: ignore[no-untyped-def]
    """What the staff window's own parts (not the pages inside it, but the accounts page) show
    outside the catalogue: the bar, the messages, the tab names, the menus and their actions, and
    what the shortcuts add to the buttons they press."""
    from pseudo_text import unmarked

    roots: list[QWidget] = [window.findChild(QFrame, "topbar"), window.station_message]
    roots.append(window.station_busy)
    if window.accounts is not None:
        roots.append(window.accounts)
    problems = [p for root in roots for p in unmarked_staff_texts(root, data)]
    texts = [
        window.accessibleName(),
        window.tabs.accessibleName(),
        window.menu_bar.accessibleName(),
    ]
    texts += [window.tabs.tabText(i) for i in range(window.tabs.count())]
    texts += [b.accessibleName() for b in window.menu_bar.findChildren(QToolButton)]
    for top in window.menu_bar.actions():
        texts.append(top.text())
        menu = top.menu()
        if menu is not None:
            texts.append(menu.accessibleName())
            for action in menu.actions():
                texts += [action.text(), action.toolTip()]
                if isinstance(action, ButtonAction):
                    texts += [action.button.toolTip(), action.button.accessibleDescription()]
    problems += [f"{t!r}" for t in texts if t and unmarked(t, data)]
    return problems


def box_problems(box: QMessageBox, data: tuple[str, ...] = ()) -> list[str]:
    return unmarked_staff_texts(box, data)


# --- sign-in ------------------------------------------------------------------------------------


def test_sign_in_page(qtbot, sqlite_ctx, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.login import StaffLoginPage

    desk_info(sqlite_ctx)
    data = clinic_data(sqlite_ctx)
    early = StaffLoginPage(None)  # before the database is open
    qtbot.addWidget(early)
    early.show()
    assert unmarked_staff_texts(early, data) == []
    qtbot.keyClicks(early.username, "desk")
    qtbot.keyClicks(early.secret, STAFF_PIN)
    qtbot.mouseClick(early.sign_in_button, Qt.MouseButton.LeftButton)
    assert early.signing_in  # waits for the database: "Signing in…" and a note
    assert unmarked_staff_texts(early, data) == []
    early.drop_waiting()

    for kiosk in (False, True):
        page = StaffLoginPage(sqlite_ctx, kiosk=kiosk)
        qtbot.addWidget(page)
        page.show()
        assert unmarked_staff_texts(page, data) == []
        qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)  # nothing typed
        assert page.message.isVisible()
        assert unmarked_staff_texts(page, data) == []
    face = QAccessible.queryAccessibleInterface(page.sign_in_button)
    assert face is not None
    assert face.text(QAccessible.Text.Name) == words("shell.sign_in")
    assert face.text(QAccessible.Text.Name).startswith("⟦")


# --- first run ----------------------------------------------------------------------------------


def test_first_run_page(qtbot, sqlite_ctx, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.login import FirstRunPage

    page = FirstRunPage(sqlite_ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    data = clinic_data(sqlite_ctx)
    assert unmarked_staff_texts(page, data) == []
    qtbot.keyClicks(page.secret, "4829150")
    qtbot.keyClicks(page.secret_again, "4829151")
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)  # the two differ
    assert page.errors["secret_again"].isVisible()
    assert unmarked_staff_texts(page, data) == []
    qtbot.keyClicks(page.secret, "4829150")
    qtbot.keyClicks(page.secret_again, "4829150")
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)  # the box not ticked
    assert page.message.isVisible()
    assert unmarked_staff_texts(page, data) == []


# --- the application window: start-up, locking, kiosk mode, the crash box ----------------------


@pytest.fixture
def app_window(qtbot):  # type: ignore[no-untyped-def]
    from intake.ui.app import AppWindow

    made: list[AppWindow] = []

    def make(**kwargs) -> AppWindow:  # type: ignore[no-untyped-def]
        window = AppWindow(refresh_ms=60_000, debounce_ms=0, **kwargs)
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    from intake.ui.operations import wait_for_operations

    wait_for_operations()
    for window in made:
        if window.ctx is not None:
            window.ctx.db.dispose()


def test_start_up_problems_locking_and_kiosk_boxes(  # type: ignore[no-untyped-def]
    qtbot, sqlite_ctx, staff_in_pseudo, app_window
) -> None:
    from intake.ui.app import StartingPage, _open_context

    starting = StartingPage()
    qtbot.addWidget(starting)
    assert unmarked_staff_texts(starting) == []

    desk_info(sqlite_ctx)
    data = clinic_data(sqlite_ctx)
    attempts: list[int] = []

    def flaky():  # type: ignore[no-untyped-def]
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("server gone")
        return _open_context()

    window = app_window(open_context=flaky, kiosk_factory=lambda ctx, session: None)
    window.show()
    qtbot.waitUntil(window.starting_page.retry_button.isVisible, timeout=10_000)
    assert unmarked_staff_texts(window, data) == []
    with qtbot.waitSignal(window.context_opened, timeout=20_000):
        qtbot.mouseClick(window.starting_page.retry_button, Qt.MouseButton.LeftButton)
    assert unmarked_staff_texts(window.login_page, data) == []
    assert window.windowTitle().startswith("⟦")

    page = window.login_page
    for why in ("sign_out", "lock", "idle"):
        qtbot.keyClicks(page.username, "desk")
        qtbot.keyClicks(page.secret, STAFF_PIN)
        with qtbot.waitSignal(window.signed_in, timeout=10_000):
            qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
        staff = window.staff_window
        assert staff is not None
        assert window_problems(staff, staff_data(sqlite_ctx)) == []
        if why == "sign_out":
            qtbot.mouseClick(staff.kiosk_button, Qt.MouseButton.LeftButton)  # not installed
            box = window.message_box
            qtbot.waitUntil(box.isVisible)
            assert box_problems(box) == []
            box.close()
        window.lock(why)
        assert page.message.isVisible()
        assert unmarked_staff_texts(page, data) == []


def test_form_problems_box_and_kiosk_refusal(  # type: ignore[no-untyped-def]
    qtbot, forms_copy, sqlite_ctx, staff_in_pseudo, app_window
) -> None:
    from form_files import unlock_form

    from intake.forms import forget_default_check

    desk_info(sqlite_ctx)
    unlock_form(forms_copy, "risks")
    forget_default_check()
    window = app_window(kiosk_factory=lambda ctx, session: QWidget())
    with qtbot.waitSignal(window.context_opened, timeout=20_000):
        window.show()
    # The problems themselves are worded by `main.py forms check` (the command line's words).
    problems = tuple(str(p) for p in window.ctx.form_problems)
    box = window.message_box
    qtbot.waitUntil(box.isVisible)
    assert box_problems(box, problems) == []
    box.close()
    page = window.login_page
    qtbot.keyClicks(page.username, "desk")
    qtbot.keyClicks(page.secret, STAFF_PIN)
    with qtbot.waitSignal(window.signed_in, timeout=10_000):
        qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    assert window.staff_window is not None
    qtbot.mouseClick(window.staff_window.kiosk_button, Qt.MouseButton.LeftButton)
    refusal = window.message_box
    assert refusal is not box
    qtbot.waitUntil(refusal.isVisible)
    assert box_problems(refusal, problems) == []
    refusal.close()


def test_the_something_went_wrong_box(  # type: ignore[no-untyped-def]
    qtbot, staff_in_pseudo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake.ui.app import install_crash_handler

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    install_crash_handler(window)
    sys.excepthook(RuntimeError, RuntimeError("boom"), None)
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    boxes += window.findChildren(QMessageBox)
    box = next(b for b in boxes if b.isVisible())
    assert box_problems(box, ("RuntimeError",)) == []
    box.close()


# --- the staff window -----------------------------------------------------------------------------


def test_staff_window_for_the_front_desk(qtbot, sqlite_ctx, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.window import StaffWindow

    info = desk_info(sqlite_ctx)
    window = StaffWindow(sqlite_ctx, info, refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    assert window_problems(window, staff_data(sqlite_ctx)) == []


def test_staff_window_for_an_admin_and_the_accounts_page(  # type: ignore[no-untyped-def]
    qtbot, sqlite_ctx, staff_in_pseudo
) -> None:
    from intake.ui.staff.window import StaffWindow

    desk_info(sqlite_ctx)
    clinician_info(sqlite_ctx)
    admin = ensure_staff(sqlite_ctx, "admin", "adm", "Clinic Admin")
    window = StaffWindow(sqlite_ctx, admin, refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    data = staff_data(sqlite_ctx)
    assert window_problems(window, data) == []
    accounts = window.accounts
    assert accounts is not None
    window.tabs.setCurrentWidget(accounts)
    qtbot.waitUntil(accounts.isVisible)
    assert unmarked_staff_texts(accounts, data) == []

    # Switching an account off: the PIN dialog asks, then the page says it is done.
    accounts.switches["desk"].click()
    dialog = accounts.pin_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert unmarked_staff_texts(dialog, data) == []
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)  # no PIN typed
    assert dialog.message.isVisible()
    assert unmarked_staff_texts(dialog, data) == []
    qtbot.keyClicks(dialog.secret, STAFF_PIN)
    with qtbot.waitSignal(accounts.account_changed):
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert accounts.message.isVisible()
    assert unmarked_staff_texts(accounts, data) == []

    # A new PIN whose two entries differ, and one confirmed.
    accounts.reset_account.setCurrentIndex(accounts.reset_account.findData("desk"))
    qtbot.keyClicks(accounts.reset_secret, "731946")
    qtbot.keyClicks(accounts.reset_secret_again, "731947")
    qtbot.mouseClick(accounts.reset_button, Qt.MouseButton.LeftButton)
    assert accounts.reset_error.isVisible()
    assert unmarked_staff_texts(accounts, data) == []
    accounts.reset_secret_again.clear()
    qtbot.keyClicks(accounts.reset_secret_again, "731946")
    qtbot.mouseClick(accounts.reset_button, Qt.MouseButton.LeftButton)
    dialog = accounts.pin_dialog
    assert dialog is not None
    assert unmarked_staff_texts(dialog, data) == []
    qtbot.keyClicks(dialog.secret, STAFF_PIN)
    with qtbot.waitSignal(accounts.account_changed):
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert unmarked_staff_texts(accounts, data) == []

    # Adding an account: the entries differ, then it is added.
    qtbot.keyClicks(accounts.display_name, "Lia Moss")
    qtbot.keyClicks(accounts.username, "lia")
    qtbot.keyClicks(accounts.secret, "731946")
    qtbot.keyClicks(accounts.secret_again, "731947")
    qtbot.mouseClick(accounts.add_button, Qt.MouseButton.LeftButton)
    assert accounts.errors["secret"].isVisible()
    assert unmarked_staff_texts(accounts, data) == []
    accounts.secret_again.clear()
    qtbot.keyClicks(accounts.secret_again, "731946")
    qtbot.mouseClick(accounts.add_button, Qt.MouseButton.LeftButton)
    dialog = accounts.pin_dialog
    assert dialog is not None
    assert unmarked_staff_texts(dialog, (*data, "Lia Moss")) == []
    qtbot.keyClicks(dialog.secret, STAFF_PIN)
    with qtbot.waitSignal(accounts.account_added):
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert accounts.message.isVisible()
    assert unmarked_staff_texts(accounts, staff_data(sqlite_ctx)) == []


# --- the release dialog -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clinician", "front_desk"])
def test_release_dialog(qtbot, sqlite_ctx, staff_in_pseudo, who: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.release_dialog import AlertReleaseDialog

    info = clinician_info(sqlite_ctx) if who == "clinician" else desk_info(sqlite_ctx)
    service = AlertService(sqlite_ctx)
    data = (info.display_name, "Rosa Díaz")
    for name in ("Rosa Díaz", ""):
        dialog = AlertReleaseDialog(service, staff_actor(info), "v-1", name)
        qtbot.addWidget(dialog)
        dialog.show()
        assert (dialog.username is None) == (who == "clinician")
        assert unmarked_staff_texts(dialog, data) == []
    dialog.note.setPlainText("x" * (NOTE_MAX + 5))
    assert unmarked_staff_texts(dialog, data) == []

    def unreachable(*_args: object) -> None:
        raise OSError("server gone")

    monkeypatch.setattr(service, "release", unreachable)
    monkeypatch.setattr(service, "release_by_colleague", unreachable)
    qtbot.mouseClick(dialog.release_button, Qt.MouseButton.LeftButton)
    assert dialog.message.isVisible()
    assert unmarked_staff_texts(dialog, data) == []


# --- Spanish ------------------------------------------------------------------------------------


def test_the_shell_in_spanish(qtbot, sqlite_ctx, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.common import STAFF_LANG_ENV
    from intake.ui.release_dialog import AlertReleaseDialog
    from intake.ui.staff.login import FirstRunPage, StaffLoginPage
    from intake.ui.staff.window import StaffWindow

    monkeypatch.setenv(STAFF_LANG_ENV, "es")
    first = FirstRunPage(sqlite_ctx)
    qtbot.addWidget(first)
    admin = ensure_staff(sqlite_ctx, "admin", "adm", "Clinic Admin")
    login = StaffLoginPage(sqlite_ctx)
    qtbot.addWidget(login)
    window = StaffWindow(sqlite_ctx, admin, refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    dialog = AlertReleaseDialog(AlertService(sqlite_ctx), staff_actor(admin), "v-1", "Rosa Díaz")
    qtbot.addWidget(dialog)
    texts = [t for w in (first, login, dialog) for _, t in staff_texts(w)]
    assert window.accounts is not None
    texts += [t for _, t in staff_texts(window.accounts)]
    texts += [window.kiosk_button.text(), window.lock_button.text(), window.sign_out_button.text()]
    texts += [a.text() for a in window.menu_bar.actions()]
    texts += window.page_names
    assert not [t for t in texts if "⟦" in t]
    for expected in (
        "Iniciar sesión",
        "Usuario",
        "Perfil de la clínica",
        "Crear la cuenta de administrador",
        "Cuentas del personal",
        "Bloquear",
        "Cerrar sesión",
        "Liberar la visita",
        "&Paciente",
        "Recepción",
    ):
        assert expected in texts, expected
    face = QAccessible.queryAccessibleInterface(login.sign_in_button)
    assert face is not None and face.text(QAccessible.Text.Name) == "Iniciar sesión"


@pytest.mark.parametrize("lang", ["es", "pseudo"])
def test_the_top_bar_fits_1024_in_longer_words(  # type: ignore[no-untyped-def]
    qtbot, sqlite_ctx, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """The bar's buttons show whole at 1024 wide; the clinic's and the signed-in person's names
    go onto two lines to make room, and stay on one at 1280."""
    from PySide6.QtCore import QSize
    from test_staff_buttons_fit import clipped_buttons

    from intake.ui.common import STAFF_LANG_ENV
    from intake.ui.staff.window import StaffWindow

    monkeypatch.setenv("INTAKE_PSEUDO_LOCALE", "1")
    monkeypatch.setenv(STAFF_LANG_ENV, lang)
    admin = ensure_staff(sqlite_ctx, "admin", "adm", "Clinic Admin")
    window = StaffWindow(sqlite_ctx, admin, refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.show()
    bar = window.findChild(QFrame, "topbar")
    for size in (QSize(1280, 800), QSize(1024, 768)):
        window.resize(size)
        qtbot.waitUntil(lambda size=size: window.size() == size)
        assert clipped_buttons(bar) == []
        if size.width() == 1280:
            for label in (window.who, bar.findChild(QLabel, "topbar_title")):
                lines = label.heightForWidth(label.width()) / label.fontMetrics().lineSpacing()
                assert lines < 2, label.text()
