"""The application shell: first paint, first run, staff sign-in, the staff workspace, kiosk mode.

Start-up stays light: this module imports only Qt and the message catalogue. The window paints first, on the staff
sign-in page (light too: usable at once); the database is opened (and migrated) afterwards, off
the GUI thread, and a Sign in pressed meanwhile waits for it. The staff screens load after that.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QScreen, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.ui.common import describe_error, named, words
from intake.ui.shell_words import message_box, warning_box

if TYPE_CHECKING:
    from types import TracebackType

    from intake.services.context import Actor, AppContext
    from intake.services.staff import StaffInfo
    from intake.ui.operations import Operation
    from intake.ui.staff.login import FirstRunPage
    from intake.ui.staff.window import StaffWindow

DEFAULT_IDLE_SECONDS = 5 * 60
APP_TITLE_ID = "shell.app_title"
# The reception and consulting-room PCs: the staff screens are laid out to fit this.
STATION_SIZE = QSize(1280, 800)


def app_title() -> str:
    """The product's name, in the staff screens' language."""
    return words(APP_TITLE_ID)


def initial_size(screen: QScreen | None) -> QSize:
    """The station size, no larger than the screen's free area (a panel or a dock takes some)."""
    if screen is None:
        return QSize(STATION_SIZE)
    return STATION_SIZE.boundedTo(screen.availableGeometry().size())


def idle_seconds_setting() -> int:
    """Minutes of quiet before a staff station locks itself: INTAKE_STAFF_IDLE_SECONDS, default 5."""
    raw = os.environ.get("INTAKE_STAFF_IDLE_SECONDS", "")
    try:
        value = int(raw)
    except ValueError:
        return DEFAULT_IDLE_SECONDS
    return value if value > 0 else DEFAULT_IDLE_SECONDS


class IdleWatcher(QObject):
    """Any key, click, touch or wheel anywhere in the application restarts the countdown."""

    idle_timed_out = Signal()

    ACTIVITY = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
            QEvent.Type.TabletPress,
        }
    )

    def __init__(self, seconds: float, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, int(seconds * 1000)))
        self.timer.timeout.connect(self.idle_timed_out)
        self._installed = False

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    @property
    def active(self) -> bool:
        return self.timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False


class StartingPage(QWidget):
    """Painted at once, while the database opens."""

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, words("shell.starting_name"), "starting_page")
        self.label = named(
            QLabel(words("shell.starting"), self), words("shell.starting_status"), "start-up_status"
        )
        self.label.setObjectName("title")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.retry_button = QPushButton(words("shell.try_again"), self)
        self.retry_button.setAccessibleName(words("shell.try_again"))
        self.retry_button.hide()
        self.retry_button.clicked.connect(self.retry_requested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(2)

    def show_problem(self, text: str) -> None:
        self.label.setText(text)
        self.retry_button.show()


def form_problems_text(problems: Sequence[object], limit: int = 8) -> str:
    """The problems of the form files as `main.py forms check` words them, one a line."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(words("shell.form_problems_more", count=len(problems) - limit))
    return words("shell.form_problems", problems="\n".join(lines))


def _open_context() -> tuple[AppContext, bool]:
    """Runs off the GUI thread: open and migrate the database, load the forms, look for staff."""
    from intake.services.context import open_context
    from intake.services.staff import StaffService

    ctx = open_context()
    # The demo's accounts cannot sign in: on its database the first-run screen still shows,
    # to make the first real administrator.
    return ctx, not StaffService(ctx).first_account_needed()


def start_kiosk(ctx: AppContext, session: Actor | None) -> QWidget | None:
    """The kiosk window for this station (None when the kiosk is not installed).

    ``session`` is a kiosk session for one visit handed over by staff; without it, the kiosk
    starts at its own welcome screen (the patient types their code). Leaving the kiosk needs
    a staff PIN.
    """
    try:
        from intake.ui.kiosk import KioskWindow
    except ImportError:
        return None
    window = KioskWindow(ctx, locked=True)
    if session is not None:
        window.begin_visit(session)
    return window


class AppWindow(QMainWindow):
    """One window for the staff side; the kiosk opens full screen as its own window."""

    context_opened = Signal()
    signed_in = Signal(object)  # StaffInfo
    locked = Signal(str)  # why: "idle", "lock", "sign_out", "kiosk"
    kiosk_started = Signal(object)  # the kiosk window

    def __init__(
        self,
        *,
        kiosk_mode: bool = False,
        idle_seconds: float | None = None,
        refresh_ms: int = 4000,
        debounce_ms: int = 150,
        signin_wait_s: float | None = None,
        open_context: Callable[[], tuple[AppContext, bool]] = _open_context,
        kiosk_factory: Callable[[AppContext, Actor | None], QWidget | None] = start_kiosk,
    ):
        super().__init__()
        self.setWindowTitle(app_title())
        self.setAccessibleName(app_title())
        self.resize(initial_size(self.screen()))
        self.kiosk_mode = kiosk_mode
        self.refresh_ms, self.debounce_ms = refresh_ms, debounce_ms
        self._open_context = open_context
        self._kiosk_factory = kiosk_factory
        self.ctx: AppContext | None = None
        self.first_run_page: FirstRunPage | None = None
        self.staff_window: StaffWindow | None = None
        self.kiosk_window: QWidget | None = None
        self._started = False
        self._opening: Operation | None = None

        self.stack = QStackedWidget(self)
        self.stack.setAccessibleName(words("shell.screens"))
        self.starting_page = StartingPage(self.stack)
        self.starting_page.retry_requested.connect(self._on_starting_page_retry_requested)
        self.stack.addWidget(self.starting_page)
        # Usable before the database is open; it is given the context once that is.
        from intake.ui.staff.login import SIGNIN_WAIT_LIMIT_S, StaffLoginPage

        self.login_page: StaffLoginPage = StaffLoginPage(
            None,
            self.stack,
            kiosk=kiosk_mode,
            wait_limit_s=SIGNIN_WAIT_LIMIT_S if signin_wait_s is None else signin_wait_s,
        )
        self.login_page.signed_in.connect(self._on_login_page_signed_in)
        self.stack.addWidget(self.login_page)
        self.stack.setCurrentWidget(self.login_page)
        self.login_page.reset()
        self.setCentralWidget(self.stack)
        self.idle = IdleWatcher(
            idle_seconds if idle_seconds is not None else idle_seconds_setting(), self
        )
        self.idle.idle_timed_out.connect(self._on_idle_idle_timed_out)
        from intake.ui.staff.style import STAFF_QSS  # plain text: costs nothing

        self.setStyleSheet(STAFF_QSS)

    # --- start-up --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._started:
            self._started = True
            # After the first paint: the window is up before any SQL runs.
            QTimer.singleShot(0, self._begin_opening)

    @Slot()
    def _begin_opening(self) -> None:
        from intake.ui.operations import Operation

        self.starting_page.label.setText(words("shell.opening_database"))
        self.starting_page.retry_button.hide()
        if self.stack.currentWidget() is self.starting_page:  # trying again after a problem
            self.show_login()
        if self._opening is None:
            self._opening = Operation(
                self,
                "open the database",
                on_success=self._on_context_opened,
                on_failure=self._on_context_failed,
            )
        self._opening.run(self._open_context)

    @Slot()
    def _on_starting_page_retry_requested(self) -> None:
        self._begin_opening()

    def _on_context_failed(self, exc: BaseException) -> None:
        problems = getattr(exc, "problems", None)
        text = form_problems_text(problems) if problems else describe_error(exc)
        self.login_page.drop_waiting()  # what was typed is not kept for the next try
        self.starting_page.show_problem(text)
        self.stack.setCurrentWidget(self.starting_page)

    def _on_context_opened(self, result: tuple[AppContext, bool]) -> None:
        from intake.ui.staff.login import FirstRunPage

        self.ctx, has_staff = result
        clinic = self.ctx.forms.clinic
        self.setWindowTitle(words("shell.window_title", clinic=clinic.name, app=app_title()))
        if not has_staff:
            self.login_page.drop_waiting()  # no account to sign in to yet
        self.login_page.attach(self.ctx)  # a Sign in pressed meanwhile goes ahead now
        if not has_staff:
            self.first_run_page = FirstRunPage(self.ctx, self.stack)
            self.first_run_page.admin_created.connect(self._on_first_run_page_admin_created)
            self.stack.addWidget(self.first_run_page)
            self.stack.setCurrentWidget(self.first_run_page)
        if self.ctx.form_problems:
            # The forms load, so staff can sign in and read; but a consent made now would name
            # a version whose text is not the locked one.
            self._tell(
                words("shell.forms_attention_title"),
                words("shell.forms_attention", problems=form_problems_text(self.ctx.form_problems)),
            )
        self.context_opened.emit()

    # --- signing in and out ----------------------------------------------------------------------

    def show_login(self, message: str = "") -> None:
        self.login_page.reset(message)
        self.stack.setCurrentWidget(self.login_page)

    @Slot(object)
    def _on_first_run_page_admin_created(self, info: StaffInfo) -> None:
        if self.first_run_page is not None:
            self.stack.removeWidget(self.first_run_page)
            self.first_run_page.deleteLater()
            self.first_run_page = None
        self._enter(info)

    @Slot(object)
    def _on_login_page_signed_in(self, info: StaffInfo) -> None:
        self._enter(info)

    def _enter(self, info: StaffInfo) -> None:
        from intake.ui.staff.window import StaffWindow

        assert self.ctx is not None
        self.signed_in.emit(info)
        if self.kiosk_mode:
            self._start_kiosk(None)
            return
        self.staff_window = StaffWindow(
            self.ctx,
            info,
            self.stack,
            refresh_ms=self.refresh_ms,
            debounce_ms=self.debounce_ms,
        )
        self.staff_window.lock_requested.connect(self._on_staff_window_lock_requested)
        self.staff_window.sign_out_requested.connect(self._on_staff_window_sign_out_requested)
        self.staff_window.kiosk_requested.connect(self._on_staff_window_kiosk_requested)
        self.stack.addWidget(self.staff_window)
        self.stack.setCurrentWidget(self.staff_window)
        # Most work starts by finding someone: the cursor waits in the search box.
        self.staff_window.focus_search()
        self.idle.start()

    def lock(self, why: str = "lock") -> None:
        """Back to the sign-in screen with no patient data left anywhere on screen."""
        self.idle.stop()
        window, self.staff_window = self.staff_window, None
        if window is not None:
            window.clear()
            for child in window.findChildren(QWidget):
                if child.isWindow() and child.isVisible():
                    child.close()
            self.stack.removeWidget(window)
            window.hide()
            window.deleteLater()
        messages = {
            "idle": "shell.locked_idle",
            "lock": "shell.locked",
            "sign_out": "shell.signed_out",
        }
        self.show_login(words(messages[why]) if why in messages else "")
        self.locked.emit(why)

    @Slot()
    def _on_idle_idle_timed_out(self) -> None:
        self.lock("idle")

    @Slot()
    def _on_staff_window_lock_requested(self) -> None:
        self.lock("lock")

    @Slot()
    def _on_staff_window_sign_out_requested(self) -> None:
        self.lock("sign_out")

    # --- kiosk mode ------------------------------------------------------------------------------

    @Slot(object)
    def _on_staff_window_kiosk_requested(self, session: Actor | None) -> None:
        self._start_kiosk(session)

    def _start_kiosk(self, session: Actor | None) -> None:
        assert self.ctx is not None
        if self.ctx.form_problems:
            self._tell(
                words("shell.kiosk_cannot_start"),
                words(
                    "shell.kiosk_forms_broken", problems=form_problems_text(self.ctx.form_problems)
                ),
            )
            return
        from intake.ui.operations import KNOWN_ERRORS

        try:
            kiosk = self._kiosk_factory(self.ctx, session)
        except KNOWN_ERRORS as exc:
            self._tell(words("shell.kiosk_could_not_start"), describe_error(exc))
            return
        if kiosk is None:
            self._tell(words("shell.kiosk_unavailable"), words("shell.kiosk_not_installed"))
            return
        # The staff session ends: the patient now has the station.
        self.lock("kiosk")
        self.kiosk_window = kiosk
        kiosk.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        kiosk.destroyed.connect(self._on_kiosk_destroyed)
        self.hide()
        kiosk.showFullScreen()
        self.kiosk_started.emit(kiosk)

    @Slot()
    def _on_kiosk_destroyed(self) -> None:
        self.kiosk_window = None
        self.show()
        self.show_login(words("shell.kiosk_ended"))

    def _tell(self, title: str, text: str) -> None:
        box = warning_box(title, text, self)
        box.open()
        self.message_box = box


def install_crash_handler(window: QWidget) -> None:
    """Our own bugs that reach the event loop (a slot, or an operation's worker re-raised on the
    GUI thread): the type and the code locations are logged, never the values (they may hold
    patient data), and the person at the screen is told once that nothing more was done."""
    import logging
    import traceback

    log = logging.getLogger("intake.ui")
    told: list[bool] = []

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.critical("uncaught %s\n%s", kind.__name__, "".join(traceback.format_tb(tb)))
        if told or not isinstance(kind, type) or not issubclass(kind, Exception):
            sys.__excepthook__(kind, exc, tb)
            return
        told.append(True)
        box = message_box(
            QMessageBox.Icon.Critical,
            words("shell.crash_title"),
            words("shell.crash", kind=kind.__name__),
            window if window.isVisible() else None,
        )
        box.finished.connect(told.clear)
        box.open()

    sys.excepthook = hook


def run(kiosk: bool = False) -> int:
    """Start the desktop app (``kiosk``: straight into kiosk mode after a staff sign-in)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    # The product's own name, the same in every language: the platform keys settings by it.
    app.setApplicationName(i18n.tr(APP_TITLE_ID, i18n.source_language()))
    window = AppWindow(kiosk_mode=kiosk)
    install_crash_handler(window)
    window.show()
    code = app.exec()
    from intake.ui.operations import wait_for_operations

    wait_for_operations(10_000)
    if window.ctx is not None:
        window.ctx.db.dispose()
    return code
