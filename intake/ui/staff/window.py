"""The signed-in staff workspace: the pages a role may use, and the station's actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMenuBar,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from intake.domain.kinds import StaffRole
from intake.services.context import Actor, AppContext
from intake.services.errors import InvalidInput, Locked
from intake.services.staff import StaffInfo, StaffService, secret_problem, staff_actor
from intake.ui.common import BusyBar, MessageLabel, describe_error, fill_table, make_table, named
from intake.ui.operations import KNOWN_ERRORS
from intake.ui.staff.clinician import ClinicianPage
from intake.ui.staff.front_desk import FrontDeskPage
from intake.ui.staff.paper_check import PaperCheckDialog
from intake.ui.staff.shortcuts import ButtonAction, Keys, StaffAction
from intake.ui.staff.staff_title import StaffTitleBox
from intake.ui.staff.style import STAFF_QSS
from intake.ui.staff.timestamps import ACTION_TEXT, PendingTimestamps

ROLE_NAMES = {"front_desk": "Front desk", "clinician": "Dermatologist", "admin": "Administrator"}
# Which pages each role sees; the services refuse the rest anyway.
ROLE_PAGES = {
    "front_desk": ("front_desk",),
    "clinician": ("clinician", "front_desk"),
    "admin": ("front_desk", "clinician", "accounts"),
}


class AdminPinDialog(QDialog):
    """The administrator types their own PIN again before an account is changed."""

    confirmed = Signal(str)  # the PIN typed

    def __init__(self, question: str, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Confirm with your PIN", "admin_pin_dialog")
        self.setWindowTitle("Confirm with your PIN")
        self.setModal(True)
        layout = QVBoxLayout(self)
        self.question = named(QLabel(question, self), "Change to confirm")
        self.question.setWordWrap(True)
        layout.addWidget(self.question)
        self.secret = named(QLineEdit(self), "Your PIN")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.secret)
        self.message = MessageLabel("Confirm with your PIN message", self)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = named(QPushButton("Cancel", self), "Cancel")
        self.confirm_button = named(QPushButton("Confirm", self), "Confirm")
        self.confirm_button.setDefault(True)
        row.addWidget(self.cancel_button)
        row.addWidget(self.confirm_button)
        layout.addLayout(row)
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button.clicked.connect(self._on_confirm_button_clicked)
        self.secret.returnPressed.connect(self._on_confirm_button_clicked)

    @Slot()
    def _on_confirm_button_clicked(self) -> None:
        secret = self.secret.text()
        self.secret.clear()
        if not secret:
            self.message.show_error("Please type your PIN.")
            return
        self.confirmed.emit(secret)


class StaffAccountsPage(QWidget):
    """Administrators add accounts, switch them off and on, and give them new PINs.

    Adding an account, switching one (the "Active" column) and setting a new PIN ask the
    administrator's own PIN first; the services check the rest and audit every change.
    """

    account_added = Signal(object)  # StaffInfo
    account_changed = Signal(object)  # StaffInfo

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Staff accounts", "accounts_page")
        self._staff = StaffService(ctx)
        self._actor = actor
        self._accounts: list[StaffInfo] = []
        self.switches: dict[str, QCheckBox] = {}
        self.pin_dialog: AdminPinDialog | None = None
        self.table = make_table(
            self, "Staff accounts list", ("Name", "Username", "Role", "Active"), 0
        )
        box = QGroupBox("Add an account", self)
        form = QFormLayout(box)
        self.display_name = named(QLineEdit(box), "New account name")
        self.username = named(QLineEdit(box), "New account username")
        self.role = named(QComboBox(box), "New account role")
        for role in ("front_desk", "clinician", "admin"):
            self.role.addItem(ROLE_NAMES[role], role)
        self.secret = named(QLineEdit(box), "New account PIN")
        self.secret_again = named(QLineEdit(box), "New account PIN again")
        for edit in (self.secret, self.secret_again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors = {
            key: MessageLabel(f"New account {key} problem", box)
            for key in ("display_name", "username", "role", "secret")
        }
        form.addRow("Name", self.display_name)
        form.addRow("", self.errors["display_name"])
        form.addRow("Username", self.username)
        form.addRow("", self.errors["username"])
        form.addRow("Role", self.role)
        form.addRow("PIN or password", self.secret)
        form.addRow("Again", self.secret_again)
        form.addRow("", self.errors["secret"])
        self.add_button = named(QPushButton("Add account", box), "Add account")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        form.addRow("", self.add_button)

        reset_box = QGroupBox("Give an account a new PIN", self)
        reset_form = QFormLayout(reset_box)
        self.reset_account = named(QComboBox(reset_box), "Account for a new PIN")
        self.reset_secret = named(QLineEdit(reset_box), "New PIN")
        self.reset_secret_again = named(QLineEdit(reset_box), "New PIN again")
        for edit in (self.reset_secret, self.reset_secret_again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.reset_error = MessageLabel("New PIN problem", reset_box)
        self.reset_button = named(QPushButton("Set new PIN", reset_box), "Set new PIN")
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        reset_form.addRow("Account", self.reset_account)
        reset_form.addRow("New PIN or passphrase", self.reset_secret)
        reset_form.addRow("Again", self.reset_secret_again)
        reset_form.addRow("", self.reset_error)
        reset_form.addRow("", self.reset_button)

        self.message = MessageLabel("Accounts message", self)
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 3)
        column = QVBoxLayout()
        column.addWidget(box)
        column.addWidget(reset_box)
        column.addWidget(StaffTitleBox(ctx, actor, self.account_added, self))
        column.addWidget(self.message)
        column.addStretch(1)
        layout.addLayout(column, 2)
        self.refresh()

    def refresh(self) -> None:
        try:
            accounts = self._staff.list()
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        self._accounts = accounts
        fill_table(
            self.table,
            [
                (
                    a.display_name,
                    a.username,
                    ROLE_NAMES.get(a.role, a.role),
                    "yes" if a.active else "no",
                )
                for a in accounts
            ],
        )
        self.switches = {}
        for row, a in enumerate(accounts):
            switch = named(QCheckBox("Active", self.table), f"Active: {a.username}")
            switch.setChecked(a.active)
            switch.setToolTip(
                "Untick to disable this account (it can no longer sign in); tick to enable it."
            )
            switch.toggled.connect(partial(self._on_switch_toggled, a))
            self.table.setCellWidget(row, 3, switch)
            self.switches[a.username] = switch
        current = self.reset_account.currentData()
        self.reset_account.clear()
        for a in accounts:
            self.reset_account.addItem(f"{a.display_name} ({a.username})", a.username)
        if current is not None and (index := self.reset_account.findData(current)) >= 0:
            self.reset_account.setCurrentIndex(index)

    def _ask_pin(self, question: str, then: Callable[[str], None]) -> None:
        """Open the PIN dialog; ``then(pin)`` runs once the administrator's PIN is right."""
        if self.pin_dialog is not None:
            self.pin_dialog.close()
        dialog = AdminPinDialog(question, self)
        self.pin_dialog = dialog

        def confirmed(secret: str) -> None:
            try:
                self._staff.confirm_secret(self._actor, secret)
            except (InvalidInput, Locked) as exc:
                text = (
                    exc.errors.get("secret", str(exc))
                    if isinstance(exc, InvalidInput)
                    else describe_error(exc)
                )
                dialog.message.show_error(text)
                return
            except KNOWN_ERRORS as exc:
                dialog.message.show_error(describe_error(exc))
                return
            dialog.accept()
            then(secret)

        dialog.confirmed.connect(confirmed)
        dialog.finished.connect(self._on_pin_dialog_finished)
        dialog.open()

    @Slot(int)
    def _on_pin_dialog_finished(self, _result: int) -> None:
        self.pin_dialog = None

    def _on_switch_toggled(self, account: StaffInfo, checked: bool) -> None:
        switch = self.switches.get(account.username)
        if switch is not None:  # shows what is saved until the change is confirmed
            switch.blockSignals(True)
            switch.setChecked(account.active)
            switch.blockSignals(False)
        self.message.clear_message()
        verb = "Enable" if checked else "Disable"
        self._ask_pin(
            f"{verb} the account of {account.display_name} ({account.username})? Type your own"
            " PIN to confirm.",
            lambda _secret: self._set_active(account, checked),
        )

    def _set_active(self, account: StaffInfo, active: bool) -> None:
        try:
            info = self._staff.set_active(self._actor, account.username, active)
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        done = "enabled" if info.active else "disabled"
        self.message.show_message(f"The account of {info.display_name} is {done}.", "info")
        self.refresh()
        self.account_changed.emit(info)

    @Slot()
    def _on_reset_button_clicked(self) -> None:
        self.reset_error.clear_message()
        self.message.clear_message()
        username = self.reset_account.currentData()
        secret = self.reset_secret.text()
        if username is None:
            self.reset_error.show_error("Please choose the account.")
            return
        if secret != self.reset_secret_again.text():
            self.reset_error.show_error("The two entries differ; please type them again.")
            return
        if problem := secret_problem(secret):
            self.reset_error.show_error(problem)
            return
        self._ask_pin(
            f"Give {username} a new PIN? Type your own PIN to confirm.",
            lambda _secret: self._reset(username, secret),
        )

    def _reset(self, username: str, secret: str) -> None:
        try:
            info = self._staff.reset_secret(self._actor, username, secret)
        except InvalidInput as exc:
            self.reset_error.show_error(" ".join(exc.errors.values()))
            return
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        for edit in (self.reset_secret, self.reset_secret_again):
            edit.clear()
        self.message.show_message(f"{info.display_name} has a new PIN.", "info")
        self.account_changed.emit(info)

    @Slot()
    def _on_add_button_clicked(self) -> None:
        for label in (*self.errors.values(), self.message):
            label.clear_message()
        if self.secret.text() != self.secret_again.text():
            self.errors["secret"].show_error("The two entries differ; please type them again.")
            return
        if problem := secret_problem(self.secret.text()):
            self.errors["secret"].show_error(problem)
            return
        name = self.display_name.text().strip() or self.username.text().strip()
        self._ask_pin(
            f"Add an account for {name}? Type your own PIN to confirm.",
            self._add,
        )

    def _add(self, admin_secret: str) -> None:
        try:
            info = self._staff.add(
                self._actor,
                self.username.text(),
                self.display_name.text(),
                self.role.currentData(),
                self.secret.text(),
                admin_secret=admin_secret,
            )
        except InvalidInput as exc:
            for key, text in exc.errors.items():
                (self.errors.get(key) or self.message).show_error(text)
            return
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        for edit in (self.display_name, self.username, self.secret, self.secret_again):
            edit.clear()
        self.message.show_message(f"Added {info.display_name} ({ROLE_NAMES[info.role]}).", "info")
        self.refresh()
        self.account_added.emit(info)


class TimestampAction(StaffAction):
    """The Station menu's "Add pending timestamps": off while a run is under way."""

    def __init__(self, runner: PendingTimestamps, scope: QWidget, on_run: Callable[[], object]):
        super().__init__("Add pending &timestamps", None, scope, on_run)
        self.runner = runner
        self.setToolTip(
            f"{ACTION_TEXT}: ask the time-stamping authority again for every document sealed"
            " while it could not be reached"
        )
        runner.busy_changed.connect(self._on_runner_busy_changed)
        self.sync()

    def available(self) -> bool:
        return not self.runner.busy

    @Slot(bool)
    def _on_runner_busy_changed(self, _busy: bool) -> None:
        self.sync()


class StaffWindow(QWidget):
    """What a signed-in staff member sees; built for their role, thrown away when the station locks."""

    lock_requested = Signal()
    sign_out_requested = Signal()
    kiosk_requested = Signal(object)  # a kiosk Actor for one visit, or None for the kiosk's welcome

    def __init__(
        self,
        ctx: AppContext,
        info: StaffInfo,
        parent: QWidget | None = None,
        *,
        refresh_ms: int = 4000,
        debounce_ms: int = 150,
    ):
        super().__init__(parent)
        named(self, "Staff workspace", "staff_window")
        self.setStyleSheet(STAFF_QSS)
        self.info = info
        self._ctx = ctx
        self.actor = staff_actor(info)
        self.front_desk: FrontDeskPage | None = None
        self.clinician: ClinicianPage | None = None
        self.accounts: StaffAccountsPage | None = None
        # Adding pending timestamps: the Station menu's action and the documents tab's button.
        self.timestamps: PendingTimestamps | None = None
        if info.role in (StaffRole.CLINICIAN, StaffRole.ADMIN):
            self.timestamps = PendingTimestamps(ctx, self.actor, self)
            self.timestamps.busy_changed.connect(self._on_timestamps_busy_changed)
            self.timestamps.finished.connect(self._on_timestamps_finished)
            self.timestamps.failed.connect(self._on_timestamps_failed)
        self.station_message = MessageLabel("Station message", self)
        self.station_busy = named(BusyBar(self), "Adding timestamps", "station_busy")

        bar = QFrame(self)
        bar.setObjectName("topbar")
        clinic = QLabel(f"{ctx.forms.clinic.name} · {ctx.forms.clinic.department}", bar)
        clinic.setObjectName("topbar_title")
        self.who = named(
            QLabel(f"{info.display_name} · {ROLE_NAMES.get(info.role, info.role)}", bar),
            "Signed in as",
        )
        self.who.setObjectName("topbar_text")
        self.kiosk_button = named(
            QPushButton("Start kiosk mode on this station", bar), "Start kiosk mode"
        )
        self.paper_check_button = named(
            QPushButton("Check a printed copy", bar), "Check a printed copy"
        )
        self.paper_check_button.clicked.connect(self._on_paper_check_button_clicked)
        self.paper_check_dialog: PaperCheckDialog | None = None
        self.lock_button = named(QPushButton("Lock", bar), "Lock station")
        self.sign_out_button = named(QPushButton("Sign out", bar), "Sign out")
        for button in (
            self.paper_check_button,
            self.kiosk_button,
            self.lock_button,
            self.sign_out_button,
        ):
            button.setObjectName("topbar_button")
        self.kiosk_button.clicked.connect(self._on_kiosk_button_clicked)
        self.lock_button.clicked.connect(self.lock_requested)
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(14, 8, 14, 8)
        bar_layout.addWidget(clinic)
        bar_layout.addStretch(1)
        bar_layout.addWidget(self.who)
        bar_layout.addSpacing(12)
        bar_layout.addWidget(self.paper_check_button)
        bar_layout.addWidget(self.kiosk_button)
        bar_layout.addWidget(self.lock_button)
        bar_layout.addWidget(self.sign_out_button)

        self.tabs = named(QTabWidget(self), "Workspace")
        self.tabs.setDocumentMode(True)
        for page in ROLE_PAGES.get(info.role, ()):
            if page == "front_desk":
                self.front_desk = FrontDeskPage(
                    ctx, self.actor, self, board_refresh_ms=refresh_ms, debounce_ms=debounce_ms
                )
                self.front_desk.station_handed_over.connect(self.kiosk_requested)
                self.tabs.addTab(self.front_desk, "Front desk")
            elif page == "clinician":
                self.clinician = ClinicianPage(
                    ctx, self.actor, self, refresh_ms=refresh_ms, debounce_ms=debounce_ms
                )
                self.tabs.addTab(self.clinician, "Dermatologist")
            elif page == "accounts":
                self.accounts = StaffAccountsPage(ctx, self.actor, self)
                self.tabs.addTab(self.accounts, "Staff accounts")
        if self.clinician is not None and self.timestamps is not None:
            self.clinician.review.documents.share_timestamps(self.timestamps)
        # One page needs no tabs to choose between.
        self.tabs.tabBar().setVisible(self.tabs.count() > 1)
        self.menu_bar = named(QMenuBar(self), "Menu", "menu_bar")
        self.menu_bar.setNativeMenuBar(False)  # it belongs to this session, not the application
        self.shortcut_actions: dict[str, StaffAction] = {}
        self._build_menus()
        # The bar's own ">>" button (for menus that do not fit) is named like every control.
        for more in self.menu_bar.findChildren(QToolButton, "qt_menubar_ext_button"):
            more.setAccessibleName("More menus")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.setMenuBar(self.menu_bar)
        layout.addWidget(bar)
        body = QVBoxLayout()
        body.setContentsMargins(10, 8, 10, 10)
        body.addWidget(self.station_busy)
        body.addWidget(self.station_message)
        body.addWidget(self.tabs)
        layout.addLayout(body, 1)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

    # --- menus and shortcuts ----------------------------------------------------------------------

    def _build_menus(self) -> None:
        keys = QKeySequence.StandardKey
        patient = self._menu("&Patient")
        self._add(
            patient, "find", StaffAction("&Find a patient", keys.Find, self, self.focus_search)
        )
        desk = self.front_desk
        if desk is not None:
            patient.addSeparator()
            for name, text, key, button in (
                ("new_patient", "&New patient…", keys.New, desk.register_button),
                ("correct_details", "Correct &details…", "Ctrl+Shift+E", desk.correct_button),
                ("start_visit", "&Start kiosk visit", "Ctrl+Shift+S", desk.start_button),
                ("print_packet", "&Print packet…", keys.Print, desk.print_button),
                ("refresh_board", "&Refresh the board", keys.Refresh, desk.board.refresh_button),
            ):
                self._add_button(patient, name, text, key, button)
        if self.clinician is not None:
            review = self.clinician.review
            visit = self._menu("&Visit")
            for name, text, key, button in (
                ("countersign", "&Countersign consent…", "Ctrl+K", review.countersign_button),
                ("print_document", "&Print document…", keys.Print, review.documents.print_button),
                (
                    "preview_document",
                    "Pre&view document…",
                    "Ctrl+Shift+P",
                    review.documents.preview_button,
                ),
                ("reload_review", "&Reload the review", keys.Refresh, review.refresh_button),
            ):
                self._add_button(visit, name, text, key, button)
        station = self._menu("&Station")
        if self.tabs.count() > 1:
            for i in range(self.tabs.count()):
                self._add(
                    station,
                    f"page_{i + 1}",
                    StaffAction(
                        self.tabs.tabText(i), f"Ctrl+{i + 1}", self, partial(self.show_page, i)
                    ),
                )
            station.addSeparator()
        self._add_button(
            station,
            "paper_check",
            "C&heck a printed copy…",
            "Ctrl+Shift+V",
            self.paper_check_button,
        )
        self._add_button(station, "lock", "&Lock station", "Ctrl+L", self.lock_button)
        self._add_button(station, "sign_out", "Sign &out", None, self.sign_out_button)
        self._add_button(
            station, "kiosk", "Start &kiosk mode on this station", None, self.kiosk_button
        )
        if self.timestamps is not None:
            station.addSeparator()
            self._add(
                station,
                "add_timestamps",
                TimestampAction(self.timestamps, self, self.add_pending_timestamps),
            )

    def _menu(self, title: str) -> QMenu:
        menu = self.menu_bar.addMenu(title)
        named(menu, title.replace("&", "") + " menu")
        menu.aboutToShow.connect(self.sync_actions)
        return menu

    def _add(self, menu: QMenu, name: str, action: StaffAction) -> None:
        action.setObjectName(f"{name}_action")
        menu.addAction(action)
        self.shortcut_actions[name] = action

    def _add_button(
        self, menu: QMenu, name: str, text: str, keys: Keys | None, button: QPushButton
    ) -> None:
        self._add(menu, name, ButtonAction(text, keys, button, self))

    @Slot()
    def sync_actions(self) -> None:
        """Every action enabled as its button is (they follow it anyway; this is before a menu)."""
        for action in self.shortcut_actions.values():
            action.sync()

    def show_page(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)

    def focus_search(self) -> None:
        """The cursor in the current page's search box, its text selected to type over."""
        box = getattr(self.tabs.currentWidget(), "search_box", None)
        if isinstance(box, QLineEdit):
            box.setFocus(Qt.FocusReason.ShortcutFocusReason)
            box.selectAll()

    @Slot(int)
    def _on_tabs_current_changed(self, _index: int) -> None:
        self.focus_search()

    @property
    def page_names(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    @Slot()
    def _on_paper_check_button_clicked(self) -> None:
        if self.paper_check_dialog is None:
            self.paper_check_dialog = PaperCheckDialog(self._ctx, self.actor, self)
        self.paper_check_dialog.show()
        self.paper_check_dialog.activateWindow()
        self.paper_check_dialog.widget.entry.setFocus()

    def add_pending_timestamps(self) -> None:
        """Ask the time-stamping authority for every pending timestamp (off the GUI thread)."""
        if self.timestamps is not None and self.timestamps.run(self):
            self.station_message.show_message(
                "Asking the time-stamping authority for the pending timestamps…", "info"
            )

    @Slot(bool)
    def _on_timestamps_busy_changed(self, busy: bool) -> None:
        self.station_busy.setVisible(busy)

    @Slot(object, str, str)
    def _on_timestamps_finished(self, source: object, text: str, kind: str) -> None:
        if source is self:
            self.station_message.show_message(f"Pending timestamps: {text}", kind)

    @Slot(object, str)
    def _on_timestamps_failed(self, source: object, text: str) -> None:
        if source is self:
            self.station_message.show_error(f"Pending timestamps: {text}")

    @Slot()
    def _on_kiosk_button_clicked(self) -> None:
        self.kiosk_requested.emit(None)

    def clear(self) -> None:
        """Take every patient detail off the screen (before the window is thrown away)."""
        for page in (self.front_desk, self.clinician):
            if page is not None:
                page.clear()
        if self.paper_check_dialog is not None:
            self.paper_check_dialog.widget.clear()
        self.station_message.clear_message()
