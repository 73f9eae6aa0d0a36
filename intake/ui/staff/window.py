"""The signed-in staff workspace: the pages a role may use, and the station's actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QKeySequence
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
from intake.ui.common import (
    BusyBar,
    describe_error,
    fill_table,
    make_table,
    named,
    problem_text,
    staff_lang,
    words,
)
from intake.ui.operations import KNOWN_ERRORS
from intake.ui.shell_words import NarrowingLabel, message_of, problem_of, role_words
from intake.ui.staff.clinician import ClinicianPage
from intake.ui.staff.front_desk import FrontDeskPage
from intake.ui.staff.paper_check import PaperCheckDialog
from intake.ui.staff.shortcuts import ButtonAction, Keys, StaffAction
from intake.ui.staff.staff_title import StaffTitleBox
from intake.ui.staff.style import STAFF_QSS
from intake.ui.staff.timestamps import PendingTimestamps

ROLES = ("front_desk", "clinician", "admin")
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
        named(self, words("shell.pin_title"), "admin_pin_dialog")
        self.setWindowTitle(words("shell.pin_title"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        self.question = named(
            QLabel(question, self), words("shell.pin_question"), "change_to_confirm"
        )
        self.question.setWordWrap(True)
        layout.addWidget(self.question)
        self.secret = named(QLineEdit(self), words("shell.pin_yours"), "your_pin")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.secret)
        self.message = message_of(words("shell.pin_title"), "confirm_with_your_pin_message", self)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = named(
            QPushButton(words("shell.cancel"), self), words("shell.cancel"), "cancel"
        )
        self.confirm_button = named(
            QPushButton(words("shell.confirm"), self), words("shell.confirm"), "confirm"
        )
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
            self.message.show_error(words("shell.pin_missing"))
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
        named(self, words("shell.accounts_page"), "accounts_page")
        self._staff = StaffService(ctx)
        self._actor = actor
        self._accounts: list[StaffInfo] = []
        self.switches: dict[str, QCheckBox] = {}
        self.pin_dialog: AdminPinDialog | None = None
        self.table = make_table(
            self,
            words("shell.accounts_list"),
            tuple(words(f"shell.column_{c}") for c in ("name", "username", "role", "active")),
            0,
        )
        self.table.setObjectName("staff_accounts_list")
        box = QGroupBox(words("shell.add_box"), self)
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.display_name = named(QLineEdit(box), words("shell.new_name"), "new_account_name")
        self.username = named(QLineEdit(box), words("shell.new_username"), "new_account_username")
        self.role = named(QComboBox(box), words("shell.new_role"), "new_account_role")
        for role in ROLES:
            self.role.addItem(role_words(role), role)
        self.secret = named(QLineEdit(box), words("shell.new_secret"), "new_account_pin")
        self.secret_again = named(
            QLineEdit(box), words("shell.new_secret_again"), "new_account_pin_again"
        )
        for edit in (self.secret, self.secret_again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors = {
            key: problem_of(words(f"shell.new_{field}"), f"new_account_{key}_problem", box)
            for key, field in (
                ("display_name", "name"),
                ("username", "username"),
                ("role", "role"),
                ("secret", "secret"),
            )
        }
        form.addRow(words("shell.field_name"), self.display_name)
        form.addRow("", self.errors["display_name"])
        form.addRow(words("shell.field_username"), self.username)
        form.addRow("", self.errors["username"])
        form.addRow(words("shell.field_role"), self.role)
        form.addRow(words("shell.field_secret"), self.secret)
        form.addRow(words("shell.field_again"), self.secret_again)
        form.addRow("", self.errors["secret"])
        self.add_button = named(
            QPushButton(words("shell.add_account"), box), words("shell.add_account"), "add_account"
        )
        self.add_button.clicked.connect(self._on_add_button_clicked)
        form.addRow("", self.add_button)

        reset_box = QGroupBox(words("shell.reset_box"), self)
        reset_form = QFormLayout(reset_box)
        reset_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.reset_account = named(
            QComboBox(reset_box), words("shell.reset_account"), "account_for_a_new_pin"
        )
        self.reset_secret = named(QLineEdit(reset_box), words("shell.reset_secret"), "new_pin")
        self.reset_secret_again = named(
            QLineEdit(reset_box), words("shell.reset_secret_again"), "new_pin_again"
        )
        for edit in (self.reset_secret, self.reset_secret_again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.reset_error = problem_of(words("shell.reset_secret"), "new_pin_problem", reset_box)
        self.reset_button = named(
            QPushButton(words("shell.set_new_pin"), reset_box),
            words("shell.set_new_pin"),
            "set_new_pin",
        )
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        reset_form.addRow(words("shell.field_account"), self.reset_account)
        reset_form.addRow(words("shell.field_new_secret"), self.reset_secret)
        reset_form.addRow(words("shell.field_again"), self.reset_secret_again)
        reset_form.addRow("", self.reset_error)
        reset_form.addRow("", self.reset_button)

        self.message = message_of(words("shell.accounts_box"), "accounts_message", self)
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
                    role_words(a.role),
                    words("shell.active_yes" if a.active else "shell.active_no"),
                )
                for a in accounts
            ],
        )
        self.switches = {}
        for row, a in enumerate(accounts):
            switch = named(
                QCheckBox(words("shell.active"), self.table),
                words("shell.active_of", username=a.username),
                f"Active: {a.username}".lower().replace(" ", "_"),
            )
            switch.setChecked(a.active)
            switch.setToolTip(words("shell.active_tip"))
            switch.toggled.connect(partial(self._on_switch_toggled, a))
            self.table.setCellWidget(row, 3, switch)
            # The switch says it: the cell's own "yes"/"no" is kept for reading, not drawn under it.
            if (cell := self.table.item(row, 3)) is not None:
                cell.setForeground(QBrush(Qt.GlobalColor.transparent))
            self.switches[a.username] = switch
        current = self.reset_account.currentData()
        self.reset_account.clear()
        for a in accounts:
            self.reset_account.addItem(
                words("shell.account_choice", name=a.display_name, username=a.username),
                a.username,
            )
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
        self._ask_pin(
            words(
                "shell.ask_enable" if checked else "shell.ask_disable",
                name=account.display_name,
                username=account.username,
            ),
            lambda _secret: self._set_active(account, checked),
        )

    def _set_active(self, account: StaffInfo, active: bool) -> None:
        try:
            info = self._staff.set_active(self._actor, account.username, active)
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        done = "shell.enabled" if info.active else "shell.disabled"
        self.message.show_message(words(done, name=info.display_name), "info")
        self.refresh()
        self.account_changed.emit(info)

    @Slot()
    def _on_reset_button_clicked(self) -> None:
        self.reset_error.clear_message()
        self.message.clear_message()
        username = self.reset_account.currentData()
        secret = self.reset_secret.text()
        if username is None:
            self.reset_error.show_error(words("shell.choose_account"))
            return
        if secret != self.reset_secret_again.text():
            self.reset_error.show_error(words("shell.entries_differ"))
            return
        if problem := secret_problem(secret):
            self.reset_error.show_error(problem)
            return
        self._ask_pin(
            words("shell.ask_reset", username=username),
            lambda _secret: self._reset(username, secret),
        )

    def _reset(self, username: str, secret: str) -> None:
        try:
            info = self._staff.reset_secret(self._actor, username, secret)
        except InvalidInput as exc:
            self.reset_error.show_error(" ".join(problem_text(t) for t in exc.errors.values()))
            return
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        for edit in (self.reset_secret, self.reset_secret_again):
            edit.clear()
        self.message.show_message(words("shell.new_pin_set", name=info.display_name), "info")
        self.account_changed.emit(info)

    @Slot()
    def _on_add_button_clicked(self) -> None:
        for label in (*self.errors.values(), self.message):
            label.clear_message()
        if self.secret.text() != self.secret_again.text():
            self.errors["secret"].show_error(words("shell.entries_differ"))
            return
        if problem := secret_problem(self.secret.text()):
            self.errors["secret"].show_error(problem)
            return
        name = self.display_name.text().strip() or self.username.text().strip()
        self._ask_pin(words("shell.ask_add", name=name), self._add)

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
        self.message.show_message(
            words("shell.added", name=info.display_name, role=role_words(info.role)), "info"
        )
        self.refresh()
        self.account_added.emit(info)


class TimestampAction(StaffAction):
    """The Station menu's "Add pending timestamps": off while a run is under way."""

    def __init__(self, runner: PendingTimestamps, scope: QWidget, on_run: Callable[[], object]):
        super().__init__(words("shell.action_timestamps"), None, scope, on_run)
        self.runner = runner
        self.setToolTip(words("shell.action_timestamps_tip"))
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
        named(self, words("shell.workspace_window"), "staff_window")
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
        self.station_message = message_of(words("shell.station_box"), "station_message", self)
        self.station_busy = named(BusyBar(self), words("shell.adding_timestamps"), "station_busy")

        bar = QFrame(self)
        bar.setObjectName("topbar")
        profile = ctx.forms.clinic
        clinic = NarrowingLabel(
            words(
                "shell.top_bar_clinic",
                clinic=profile.name,
                department=profile.department_in(staff_lang()),
            ),
            bar,
        )
        clinic.setObjectName("topbar_title")
        # Both labels go onto two lines where the buttons need the room (1024 wide, long words).
        self.who = named(
            NarrowingLabel(
                words("shell.signed_in_who", name=info.display_name, role=role_words(info.role)),
                bar,
            ),
            words("shell.signed_in_as"),
            "signed_in_as",
        )
        self.who.setObjectName("topbar_text")
        self.kiosk_button = named(
            QPushButton(words("shell.kiosk_mode"), bar),
            words("shell.kiosk_mode_name"),
            "start_kiosk_mode",
        )
        self.paper_check_button = named(
            QPushButton(words("shell.paper_check"), bar),
            words("shell.paper_check"),
            "check_a_printed_copy",
        )
        self.paper_check_button.clicked.connect(self._on_paper_check_button_clicked)
        self.paper_check_dialog: PaperCheckDialog | None = None
        self.lock_button = named(
            QPushButton(words("shell.lock"), bar), words("shell.lock_name"), "lock_station"
        )
        self.sign_out_button = named(
            QPushButton(words("shell.sign_out"), bar), words("shell.sign_out"), "sign_out"
        )
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

        self.tabs = named(QTabWidget(self), words("shell.workspace"), "workspace")
        self.tabs.setDocumentMode(True)
        for page in ROLE_PAGES.get(info.role, ()):
            if page == "front_desk":
                self.front_desk = FrontDeskPage(
                    ctx, self.actor, self, board_refresh_ms=refresh_ms, debounce_ms=debounce_ms
                )
                self.front_desk.station_handed_over.connect(self.kiosk_requested)
                self.tabs.addTab(self.front_desk, words("shell.page_front_desk"))
            elif page == "clinician":
                self.clinician = ClinicianPage(
                    ctx, self.actor, self, refresh_ms=refresh_ms, debounce_ms=debounce_ms
                )
                self.tabs.addTab(self.clinician, words("shell.page_clinician"))
            elif page == "accounts":
                self.accounts = StaffAccountsPage(ctx, self.actor, self)
                self.tabs.addTab(self.accounts, words("shell.page_accounts"))
        if self.clinician is not None and self.timestamps is not None:
            self.clinician.review.documents.share_timestamps(self.timestamps)
        # One page needs no tabs to choose between.
        self.tabs.tabBar().setVisible(self.tabs.count() > 1)
        self.menu_bar = named(QMenuBar(self), words("shell.menu"), "menu_bar")
        self.menu_bar.setNativeMenuBar(False)  # it belongs to this session, not the application
        self.shortcut_actions: dict[str, StaffAction] = {}
        self._build_menus()
        # The bar's own ">>" button (for menus that do not fit) is named like every control.
        for more in self.menu_bar.findChildren(QToolButton, "qt_menubar_ext_button"):
            more.setAccessibleName(words("shell.more_menus"))
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
        patient = self._menu("patient")
        self._add(
            patient,
            "find",
            StaffAction(words("shell.action_find"), keys.Find, self, self.focus_search),
        )
        desk = self.front_desk
        if desk is not None:
            patient.addSeparator()
            for name, key, button in (
                ("new_patient", keys.New, desk.register_button),
                ("correct_details", "Ctrl+Shift+E", desk.correct_button),
                ("start_visit", "Ctrl+Shift+S", desk.start_button),
                ("print_packet", keys.Print, desk.print_button),
                ("refresh_board", keys.Refresh, desk.board.refresh_button),
            ):
                self._add_button(patient, name, key, button)
        if self.clinician is not None:
            review = self.clinician.review
            visit = self._menu("visit")
            for name, key, button in (
                ("countersign", "Ctrl+K", review.countersign_button),
                ("print_document", keys.Print, review.documents.print_button),
                ("preview_document", "Ctrl+Shift+P", review.documents.preview_button),
                ("reload_review", keys.Refresh, review.refresh_button),
            ):
                self._add_button(visit, name, key, button)
        station = self._menu("station")
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
        self._add_button(station, "paper_check", "Ctrl+Shift+V", self.paper_check_button)
        self._add_button(station, "lock", "Ctrl+L", self.lock_button)
        self._add_button(station, "sign_out", None, self.sign_out_button)
        self._add_button(station, "kiosk", None, self.kiosk_button)
        if self.timestamps is not None:
            station.addSeparator()
            self._add(
                station,
                "add_timestamps",
                TimestampAction(self.timestamps, self, self.add_pending_timestamps),
            )

    def _menu(self, key: str) -> QMenu:
        """The menu ``shell.menu_<key>``, named ``shell.menu_<key>_name``."""
        menu = self.menu_bar.addMenu(words(f"shell.menu_{key}"))
        named(menu, words(f"shell.menu_{key}_name"), f"{key}_menu")
        menu.aboutToShow.connect(self.sync_actions)
        return menu

    def _add(self, menu: QMenu, name: str, action: StaffAction) -> None:
        action.setObjectName(f"{name}_action")
        menu.addAction(action)
        self.shortcut_actions[name] = action

    def _add_button(self, menu: QMenu, name: str, keys: Keys | None, button: QPushButton) -> None:
        """The action ``name``, worded by ``shell.action_<name>``, that presses ``button``."""
        self._add(menu, name, ButtonAction(words(f"shell.action_{name}"), keys, button, self))

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
            self.station_message.show_message(words("shell.timestamps_asking"), "info")

    @Slot(bool)
    def _on_timestamps_busy_changed(self, busy: bool) -> None:
        self.station_busy.setVisible(busy)

    @Slot(object, str, str)
    def _on_timestamps_finished(self, source: object, text: str, kind: str) -> None:
        if source is self:
            self.station_message.show_message(words("shell.timestamps_result", result=text), kind)

    @Slot(object, str)
    def _on_timestamps_failed(self, source: object, text: str) -> None:
        if source is self:
            self.station_message.show_error(words("shell.timestamps_result", result=text))

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
