"""The application shell: first run, sign-in, role-based workspace, idle lock, kiosk mode, start-up."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician_info,
    desk_info,
    search,
    signed_visit,
    visible_text,
)

from intake.services.scripted import STAFF_PIN
from intake.services.staff import StaffService
from intake.ui.app import AppWindow, _open_context

# The offscreen platform plugin warns whenever a window's size limits change; that is the test
# platform talking, not the application.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def make_window(qtbot):  # type: ignore[no-untyped-def]
    made: list[AppWindow] = []

    def make(**kwargs) -> AppWindow:  # type: ignore[no-untyped-def]
        kwargs.setdefault("refresh_ms", 60_000)
        kwargs.setdefault("debounce_ms", 0)
        window = AppWindow(**kwargs)
        qtbot.addWidget(window)
        made.append(window)
        with qtbot.waitSignal(window.context_opened, timeout=20_000):
            window.show()
        return window

    yield make
    from intake.ui.operations import wait_for_operations

    wait_for_operations()
    for window in made:
        if window.ctx is not None:
            window.ctx.db.dispose()


def sign_in(qtbot, window: AppWindow, username: str, pin: str = STAFF_PIN) -> None:  # type: ignore[no-untyped-def]
    page = window.login_page
    assert page is not None and window.stack.currentWidget() is page
    page.username.clear()
    qtbot.keyClicks(page.username, username)
    qtbot.keyClicks(page.secret, pin)
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    # The PIN is checked off the GUI thread; meanwhile neither the PIN nor the button takes more.
    assert page.signing_in and not page.secret.isEnabled() and not page.sign_in_button.isEnabled()
    qtbot.waitUntil(lambda: not page.signing_in, timeout=10_000)
    assert page.secret.isEnabled() and page.sign_in_button.isEnabled()


def test_first_run_creates_the_admin_and_confirms_the_clinic_profile(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    page = window.first_run_page
    assert page is not None and window.stack.currentWidget() is page
    text = visible_text(page)
    assert "RPM Health" in text and "forms/clinic/form.toml" in text
    assert "7–56 U/L" in text  # lab ranges from the clinic profile, shown read-only

    qtbot.keyClicks(page.display_name, "Clinic Administrator")
    qtbot.keyClicks(page.username, "admin")
    qtbot.keyClicks(page.secret, "739146")
    qtbot.keyClicks(page.secret_again, "739147")
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert "differ" in page.errors["secret_again"].text()

    for field, value in ((page.secret, "12"), (page.secret_again, "12")):
        qtbot.keyClicks(field, value)
    page.profile_confirmed.setChecked(True)
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert "at least" in page.errors["secret"].text()
    assert window.staff_window is None

    for field in (page.secret, page.secret_again):
        field.clear()
        qtbot.keyClicks(field, "739146")
    page.profile_confirmed.setChecked(False)
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert "tick the box" in page.message.text()
    page.profile_confirmed.setChecked(True)
    with qtbot.waitSignal(window.signed_in):
        qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    staff = window.staff_window
    assert staff is not None and window.stack.currentWidget() is staff
    assert staff.info.role == "admin"
    assert staff.page_names == ["Front desk", "Dermatologist", "Staff accounts"]

    # The administrator adds a dermatologist.
    accounts = staff.accounts
    assert accounts is not None
    qtbot.keyClicks(accounts.display_name, "Dr Ana Ruiz")
    qtbot.keyClicks(accounts.username, "ana.ruiz")
    accounts.role.setCurrentIndex(accounts.role.findData("clinician"))
    qtbot.keyClicks(accounts.secret, "864209")
    qtbot.keyClicks(accounts.secret_again, "864209")
    qtbot.mouseClick(accounts.add_button, Qt.MouseButton.LeftButton)
    # Adding an account asks the administrator's own PIN first.
    dialog = accounts.pin_dialog
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(accounts.account_added):
        qtbot.keyClicks(dialog.secret, "739146")
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert {(s.username, s.role) for s in StaffService(window.ctx).list()} == {
        ("admin", "admin"),
        ("ana.ruiz", "clinician"),
    }


def test_sign_in_refusals_and_pages_by_role(qtbot, sqlite_ctx, make_window) -> None:  # type: ignore[no-untyped-def]
    desk_info(sqlite_ctx)
    clinician_info(sqlite_ctx)
    window = make_window()
    page = window.login_page
    sign_in(qtbot, window, "derm", "0000")
    assert page.message.text() == "That name or PIN is not right."
    assert page.secret.text() == "" and window.staff_window is None

    sign_in(qtbot, window, "nobody", STAFF_PIN)
    assert page.message.text() == "That name or PIN is not right."
    for _ in range(2):
        sign_in(qtbot, window, "derm", "0000")
    sign_in(qtbot, window, "derm", STAFF_PIN)  # right PIN, but the account must wait now
    assert "Too many attempts" in page.message.text()
    assert window.staff_window is None

    # The front desk sees the front desk only: no review, no labs, no countersigning.
    sign_in(qtbot, window, "desk")
    staff = window.staff_window
    assert staff is not None and staff.page_names == ["Front desk"]
    assert staff.clinician is None and staff.accounts is None
    assert "Front Desk · Front desk" in staff.who.text()


def test_clinician_sees_the_dermatologist_page_first(qtbot, sqlite_ctx, make_window) -> None:  # type: ignore[no-untyped-def]
    clinician_info(sqlite_ctx)
    window = make_window()
    sign_in(qtbot, window, "derm")
    assert window.staff_window.page_names == ["Dermatologist", "Front desk"]


def test_idle_lock_leaves_no_patient_data_on_screen(qtbot, sqlite_ctx, make_window) -> None:  # type: ignore[no-untyped-def]
    clinician_info(sqlite_ctx)
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Quinn", last_name="Abara")
    window = make_window(idle_seconds=60.0)
    sign_in(qtbot, window, "derm")
    staff = window.staff_window
    staff.clinician.open_visit(vid, patient_id)
    assert "Abara" in visible_text(window)

    # Activity restarts the countdown (read from the timer itself, not from fixed waits)...
    timer = window.idle.timer
    started = timer.remainingTime()
    qtbot.waitUntil(lambda: timer.remainingTime() < started - 1500, timeout=10_000)
    qtbot.keyClick(staff.clinician.search_box, Qt.Key.Key_Shift)
    assert timer.remainingTime() > started - 1000
    assert window.staff_window is staff
    # ...quiet locks it.
    timer.setInterval(300)
    timer.start()
    with qtbot.waitSignal(window.locked, timeout=5000) as locked:
        pass
    assert locked.args == ["idle"]
    assert window.staff_window is None
    assert window.stack.currentWidget() is window.login_page
    assert "locked itself" in window.login_page.message.text()
    assert "Abara" not in visible_text(window)
    assert not window.idle.active


def test_lock_and_sign_out_buttons(qtbot, sqlite_ctx, make_window) -> None:  # type: ignore[no-untyped-def]
    desk_info(sqlite_ctx)
    window = make_window()
    sign_in(qtbot, window, "desk")
    with qtbot.waitSignal(window.locked) as locked:
        qtbot.mouseClick(window.staff_window.lock_button, Qt.MouseButton.LeftButton)
    assert locked.args == ["lock"] and window.login_page.username.text() == ""
    sign_in(qtbot, window, "desk")
    with qtbot.waitSignal(window.locked) as locked:
        qtbot.mouseClick(window.staff_window.sign_out_button, Qt.MouseButton.LeftButton)
    assert locked.args == ["sign_out"] and window.login_page.message.text() == "Signed out."


def test_start_kiosk_mode_on_this_station(qtbot, sqlite_ctx, make_window) -> None:  # type: ignore[no-untyped-def]
    desk_info(sqlite_ctx)
    started: list[object] = []

    def fake_kiosk(ctx, session):  # type: ignore[no-untyped-def]
        started.append(session)
        widget = QWidget()
        widget.setAccessibleName("Fake kiosk")
        return widget

    window = make_window(kiosk_factory=fake_kiosk)
    sign_in(qtbot, window, "desk")
    with qtbot.waitSignal(window.kiosk_started) as kiosk:
        qtbot.mouseClick(window.staff_window.kiosk_button, Qt.MouseButton.LeftButton)
    assert started == [None]
    assert window.staff_window is None and not window.isVisible()
    assert kiosk.args[0].isVisible()
    # Leaving the kiosk brings back the staff sign-in.
    with qtbot.waitSignal(kiosk.args[0].destroyed):
        kiosk.args[0].close()
    assert window.isVisible() and window.stack.currentWidget() is window.login_page


def test_hand_over_opens_the_real_kiosk_for_that_visit(qtbot, sqlite_ctx, make_window) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("intake.ui.kiosk")
    from intake.services.patients import PatientService
    from intake.services.staff import staff_actor

    desk = staff_actor(desk_info(sqlite_ctx))
    patient = PatientService(sqlite_ctx).register(
        desk, first_name="Tove", last_name="Lund", date_of_birth="2000-10-11"
    )
    window = make_window()
    sign_in(qtbot, window, "desk")
    front = window.staff_window.front_desk
    search(qtbot, front, "lund")
    front.select_patient(patient.id)
    qtbot.mouseClick(front.start_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.kiosk_started, timeout=10_000) as started:
        qtbot.mouseClick(front.dialog.hand_over_button, Qt.MouseButton.LeftButton)
    kiosk = started.args[0]
    try:
        assert type(kiosk).__name__ == "KioskWindow"
        assert window.staff_window is None
        qtbot.waitUntil(lambda: kiosk.flow is not None, timeout=10_000)
        assert kiosk.isFullScreen() or kiosk.isVisible()
    finally:
        kiosk.hide()
        with qtbot.waitSignal(kiosk.destroyed):
            kiosk.deleteLater()


def test_main_kiosk_goes_straight_to_the_kiosk_after_sign_in(
    qtbot, sqlite_ctx, make_window
) -> None:  # type: ignore[no-untyped-def]
    desk_info(sqlite_ctx)
    made: list[QWidget] = []

    def fake_kiosk(ctx, session):  # type: ignore[no-untyped-def]
        made.append(QWidget())
        return made[-1]

    window = make_window(kiosk_mode=True, kiosk_factory=fake_kiosk)
    assert "kiosk mode" in visible_text(window.login_page)
    with qtbot.waitSignal(window.kiosk_started):
        sign_in(qtbot, window, "desk")
    assert window.staff_window is None and len(made) == 1
    made[0].close()


def test_kiosk_missing_is_a_message_not_a_crash(qtbot, sqlite_ctx, make_window) -> None:  # type: ignore[no-untyped-def]
    desk_info(sqlite_ctx)
    window = make_window(kiosk_factory=lambda ctx, session: None)
    sign_in(qtbot, window, "desk")
    qtbot.mouseClick(window.staff_window.kiosk_button, Qt.MouseButton.LeftButton)
    assert window.staff_window is not None
    assert "not installed" in window.message_box.text()
    window.message_box.close()


def test_database_opens_after_the_first_paint_off_the_gui_thread(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, object] = {}
    holder: list[AppWindow] = []

    def opener():  # type: ignore[no-untyped-def]
        seen["visible"] = holder[0].isVisible()
        seen["gui_thread"] = threading.current_thread() is threading.main_thread()
        return _open_context()

    window = AppWindow(open_context=opener)
    holder.append(window)
    qtbot.addWidget(window)
    assert window.stack.currentWidget() is window.login_page  # usable while the database opens
    with qtbot.waitSignal(window.context_opened, timeout=20_000):
        window.show()
    assert seen == {"visible": True, "gui_thread": False}
    window.ctx.db.dispose()


def test_start_up_problem_is_explained_and_can_be_retried(qtbot) -> None:  # type: ignore[no-untyped-def]
    attempts: list[int] = []

    def flaky():  # type: ignore[no-untyped-def]
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("server gone")
        return _open_context()

    window = AppWindow(open_context=flaky)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.starting_page.retry_button.isVisible(), timeout=10_000)
    assert "could not be reached" in window.starting_page.label.text()
    assert "server gone" not in window.starting_page.label.text()
    with qtbot.waitSignal(window.context_opened, timeout=20_000):
        qtbot.mouseClick(window.starting_page.retry_button, Qt.MouseButton.LeftButton)
    assert window.first_run_page is not None
    window.ctx.db.dispose()


def test_the_shell_imports_no_database_or_pdf_code_before_its_window_is_up() -> None:
    code = (
        "import sys; import intake.ui.app, intake.ui.staff, intake.ui.staff.style, "
        "intake.ui.common; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sqlalchemy','reportlab','pyhanko','alembic','psycopg'}))"
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
    assert result.stdout.strip() == "[]"


def test_no_patient_data_is_printed(qtbot, sqlite_ctx, make_window, capfd) -> None:  # type: ignore[no-untyped-def]
    clinician_info(sqlite_ctx)
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Wren", last_name="Falk")
    window = make_window()
    sign_in(qtbot, window, "derm")
    window.staff_window.clinician.open_visit(vid, patient_id)
    search(qtbot, window.staff_window.clinician, "falk")
    out, err = capfd.readouterr()
    assert "Falk" not in out and "Falk" not in err


def test_a_demo_database_opens_on_the_first_run_screen(qtbot, make_window, fresh_environment) -> None:  # type: ignore[no-untyped-def]
    from intake.services.context import open_context
    from intake.services.demo import DEMO_ACCOUNTS

    ctx = open_context(data_dir=fresh_environment)
    ctx.demo = True
    StaffService(ctx).ensure_demo_accounts(DEMO_ACCOUNTS, STAFF_PIN)
    ctx.db.dispose()
    window = make_window()
    # The demo's accounts cannot sign in, so the first real administrator is made here.
    assert window.first_run_page is not None
    assert window.stack.currentWidget() is window.first_run_page
