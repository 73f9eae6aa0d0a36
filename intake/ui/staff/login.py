"""Staff sign-in, and the first-run screen that creates the first (admin) account.

The sign-in page is made before the database is open (the application shows it at once): this
module imports only Qt and the UI's light helpers at start-up; the services load when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from intake.services.errors import InvalidInput, Locked, LoginFailed, ServiceError
from intake.ui.common import (
    MessageLabel,
    describe_error,
    named,
    primary,
    staff_lang,
    staff_number,
    words,
)
from intake.ui.operations import Operation
from intake.ui.shell_words import message_of, problem_of

if TYPE_CHECKING:
    from intake.forms.model import ClinicProfile
    from intake.services.context import AppContext
    from intake.services.security import ProtectionStatus
    from intake.services.staff import StaffInfo, StaffService


def _card(parent: QWidget, width: int = 460) -> tuple[QFrame, QVBoxLayout]:
    """A centred white panel on the page."""
    outer = QVBoxLayout(parent)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    card = QFrame(parent)
    card.setObjectName("card")
    card.setFixedWidth(width)
    row.addWidget(card)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    inner = QVBoxLayout(card)
    inner.setContentsMargins(28, 24, 28, 24)
    inner.setSpacing(12)
    return card, inner


# How long a Sign in pressed before the database opens is held. Beyond it the person may have
# walked away, so the station does not sign them in unattended: they are asked to sign in again.
SIGNIN_WAIT_LIMIT_S = 20.0


class StaffLoginPage(QWidget):
    """Username and PIN/password; failures and locks are explained, never the reason why."""

    signed_in = Signal(object)  # StaffInfo

    def __init__(
        self,
        ctx: AppContext | None = None,
        parent: QWidget | None = None,
        *,
        kiosk: bool = False,
        wait_limit_s: float = SIGNIN_WAIT_LIMIT_S,
    ):
        super().__init__(parent)
        named(self, words("shell.signin_page"), "staff_login_page")
        self._staff: StaffService | None = None
        # A sign-in asked for before the database is open: (username, PIN), kept only until
        # the database opens (or fails to), or for wait_limit_s at most; never logged.
        self._waiting: tuple[str, str] | None = None
        self._wait_limit = QTimer(self)
        self._wait_limit.setSingleShot(True)
        self._wait_limit.setInterval(round(wait_limit_s * 1000))
        self._wait_limit.timeout.connect(self._on_wait_limit_timeout)
        _, layout = _card(self)
        # The clinic's name comes with the database; a space keeps its line meanwhile.
        self.title = QLabel(" ", self)
        self.title.setObjectName("title")
        layout.addWidget(self.title)
        subtitle = QLabel(
            words("shell.signin_subtitle_kiosk" if kiosk else "shell.signin_subtitle"), self
        )
        subtitle.setWordWrap(True)
        subtitle.setObjectName("subtitle")
        layout.addWidget(subtitle)
        form = QFormLayout()
        self.username = named(QLineEdit(self), words("shell.username"), "username")
        self.secret = named(QLineEdit(self), words("shell.secret"), "pin_or_password")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(words("shell.username"), self.username)
        form.addRow(words("shell.secret"), self.secret)
        layout.addLayout(form)
        self.message = message_of(words("shell.signin_box"), "sign-in_message", self)
        layout.addWidget(self.message)
        self.sign_in_button = named(
            QPushButton(words("shell.sign_in"), self), words("shell.sign_in"), "sign_in"
        )
        self.sign_in_button.setDefault(True)
        primary(self.sign_in_button)
        layout.addWidget(self.sign_in_button, 0, Qt.AlignmentFlag.AlignRight)
        self.sign_in_button.clicked.connect(self._on_sign_in_button_clicked)
        self.username.returnPressed.connect(self._on_username_return_pressed)
        self.secret.returnPressed.connect(self._on_sign_in_button_clicked)
        # The PIN check is deliberately slow (argon2): it runs off the GUI thread, and the PIN
        # and the button wait for it, so that one press is one attempt.
        self._login = Operation(
            self,
            "staff sign-in",
            on_success=self._on_login_done,
            on_failure=self._on_login_failed,
            disables=(self.secret, self.sign_in_button),
        )
        self._login.busy_changed.connect(self._on_login_busy_changed)
        if ctx is not None:
            self.attach(ctx)

    def attach(self, ctx: AppContext) -> None:
        """The database is open: name the clinic, and sign in whoever pressed Sign in meanwhile."""
        from intake.services.staff import StaffService

        self._staff = StaffService(ctx)
        self.title.setText(ctx.forms.clinic.name)
        self._wait_limit.stop()
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._set_waiting(False)
            username, secret = waiting
            waiting = None
            self._start_login(username, secret)

    def drop_waiting(self) -> None:
        """The database did not open (or needs its first account): forget what was typed."""
        self._wait_limit.stop()
        if self._waiting is not None:
            self._waiting = None
            self._set_waiting(False)
            self.message.clear_message()

    @Slot()
    def _on_wait_limit_timeout(self) -> None:
        """Held too long: forget it, and ask whoever is there to sign in again."""
        if self._waiting is None:
            return
        self._waiting = None
        self._set_waiting(False)
        self.secret.clear()
        self.message.show_message(words("staff.signin_expired"), "warning")
        self.secret.setFocus()

    def _set_waiting(self, waiting: bool) -> None:
        # The name too: what is on screen is what it signs in with.
        self.username.setEnabled(not waiting)
        self.secret.setEnabled(not waiting)
        self.sign_in_button.setEnabled(not waiting)
        self._on_login_busy_changed(waiting)

    def reset(self, message: str = "") -> None:
        """Empty the fields; optionally say why the sign-in screen is back (e.g. locked)."""
        self.drop_waiting()
        self.username.clear()
        self.secret.clear()
        if message:
            self.message.show_message(message, "warning")
        else:
            self.message.clear_message()
        self.username.setFocus()

    @Slot()
    def _on_username_return_pressed(self) -> None:
        self.secret.setFocus()

    @property
    def signing_in(self) -> bool:
        return self._login.busy or self._waiting is not None

    @Slot()
    def _on_sign_in_button_clicked(self) -> None:
        if self.signing_in:
            return
        username, secret = self.username.text(), self.secret.text()
        self.secret.clear()  # never kept on screen, right or wrong
        if not username.strip() or not secret:
            self.message.show_error(words("shell.signin_missing"))
            return
        if self._staff is None:
            # Pressed while the database opens: the sign-in waits for it, one press one attempt.
            self._waiting = (username, secret)
            self._set_waiting(True)
            self.message.show_message(words("staff.signin_opening"), "info")
            self._wait_limit.start()
            return
        self._start_login(username, secret)

    def _start_login(self, username: str, secret: str) -> None:
        staff = self._staff
        assert staff is not None
        self._login.run(lambda: staff.login(username, secret))

    @Slot(bool)
    def _on_login_busy_changed(self, busy: bool) -> None:
        self.sign_in_button.setText(words("shell.signing_in" if busy else "shell.sign_in"))
        if busy:
            self.message.clear_message()

    def _on_login_done(self, info: StaffInfo) -> None:
        self.username.clear()
        self.secret.clear()
        self.message.clear_message()
        self.signed_in.emit(info)

    def _on_login_failed(self, exc: BaseException) -> None:
        self.message.show_error(exc)
        if isinstance(exc, LoginFailed | Locked):
            self.secret.setFocus()


def clinic_profile_text(clinic: ClinicProfile) -> list[tuple[str, str, str]]:
    """The clinic profile as (object name, label, value), for showing read-only."""
    lang = staff_lang()
    labs = "\n".join(
        words(
            "shell.lab_range",
            lab=lab.label(lang),
            low=staff_number(lab.low),
            high=staff_number(lab.high),
            unit=lab.unit,
        )
        for lab in clinic.labs
    )
    low, high = clinic.target_mg_per_kg
    months_low, months_high = clinic.course_months
    course = words(
        "shell.course_target",
        low=staff_number(low),
        high=staff_number(high),
        months_low=months_low,
        months_high=months_high,
    )
    version = words(
        "shell.profile_version_value",
        version=clinic.meta.version,
        date=clinic.meta.effective.isoformat(),
    )
    return [
        ("clinic", words("shell.profile_clinic"), clinic.name),
        ("department", words("shell.profile_department"), clinic.department_in(lang)),
        ("address", words("shell.profile_address"), clinic.address),
        ("phone", words("shell.profile_phone"), clinic.phone),
        ("email", words("shell.profile_email"), clinic.email),
        ("opening_hours", words("shell.profile_hours"), clinic.hours(lang)),
        ("time_zone", words("shell.profile_timezone"), clinic.timezone),
        (
            "record_numbers",
            words("shell.profile_record_numbers"),
            words("shell.record_numbers", prefix=clinic.record_prefix),
        ),
        ("lab_reference_ranges", words("shell.profile_labs"), labs),
        ("course_target", words("shell.profile_course"), course),
        ("profile_version", words("shell.profile_version"), version),
    ]


# The profile's rows in the box's left column; the rest go in the right one.
PROFILE_LEFT_ROWS = 6


def protection_words(status: ProtectionStatus) -> str:
    """How this installation protects its data at rest, in one paragraph."""
    if status.problem:
        return words("shell.protection_problem", problem=status.problem)
    store = "keyring" if status.store_kind == "keyring" else "file"
    if status.backend == "postgresql":
        database = "postgresql"
    else:
        database = "encrypted" if status.encrypted else "plain"
    text = words(f"shell.protection_{database}_{store}", where=status.store_where)
    if status.fallback:
        text = words("shell.protection_fallback", notice=text)
    return text


def _value_label(text: str, parent: QWidget, object_name: str, name: str) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return named(label, name, object_name)


def _form(parent_layout: QHBoxLayout) -> QFormLayout:
    """One of two forms side by side; a label too long for its column goes above its field."""
    form = QFormLayout()
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    parent_layout.addLayout(form, 1)
    return form


class FirstRunPage(QWidget):
    """Fresh install: create the first staff account (an administrator), confirm the clinic profile.

    Laid out in two columns to be read whole at the stations' 1280x800 and 1024x768; should the
    page still not fit (problems shown, a long notice), the page scrolls and no line is cut.
    """

    admin_created = Signal(object)  # StaffInfo

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        from intake.services.staff import StaffService

        super().__init__(parent)
        named(self, words("shell.first_run"), "first_run_page")
        self._staff = StaffService(ctx)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("first_run_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        content = QWidget(self.scroll_area)
        content.setObjectName("first_run_content")
        self.scroll_area.setStyleSheet(
            "QScrollArea#first_run_scroll, QWidget#first_run_content { background: transparent; }"
        )
        self.scroll_area.viewport().setAutoFillBackground(False)
        page = QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.scroll_area)
        _, layout = _card(content, 900)
        layout.setSpacing(10)
        self.scroll_area.setWidget(content)

        title = QLabel(words("shell.first_run_title"), content)
        title.setObjectName("title")
        title.setWordWrap(True)
        layout.addWidget(title)
        intro = QLabel(words("shell.first_run_intro"), content)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.display_name = named(QLineEdit(content), words("shell.full_name"), "full_name")
        self.username = named(QLineEdit(content), words("shell.username"), "username")
        self.secret = named(QLineEdit(content), words("shell.secret"), "pin_or_password")
        self.secret_again = named(
            QLineEdit(content), words("shell.secret_again"), "pin_or_password_again"
        )
        for field in (self.secret, self.secret_again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors: dict[str, MessageLabel] = {}
        fields = QHBoxLayout()
        fields.setSpacing(24)
        left, right = _form(fields), _form(fields)
        for form, label, field, key in (
            (left, words("shell.full_name"), self.display_name, "display_name"),
            (left, words("shell.username"), self.username, "username"),
            (right, words("shell.secret"), self.secret, "secret"),
            (right, words("shell.secret_again"), self.secret_again, "secret_again"),
        ):
            form.addRow(label, field)
            error = problem_of(label, f"{field.objectName()}_problem", content)
            self.errors[key] = error
            form.addRow("", error)
        layout.addLayout(fields)

        box = QGroupBox(words("shell.profile_box"), content)
        named(box, words("shell.profile_box"), "clinic_profile")
        self.profile_box = box
        box_layout = QVBoxLayout(box)
        columns = QHBoxLayout()
        columns.setSpacing(24)
        profile_forms = (_form(columns), _form(columns))
        for row, (key, label, value) in enumerate(clinic_profile_text(ctx.forms.clinic)):
            form = profile_forms[row >= PROFILE_LEFT_ROWS]
            form.addRow(
                words("shell.profile_row", label=label), _value_label(value, box, key, label)
            )
        box_layout.addLayout(columns)
        note = QLabel(words("shell.profile_note"), box)
        note.setWordWrap(True)
        box_layout.addWidget(note)
        layout.addWidget(box)

        from intake.services.security import protection_status

        self.protection_status = protection_status(ctx)
        self.protection_notice = _value_label(
            protection_words(self.protection_status),
            content,
            "data_protection",
            words("shell.protection"),
        )
        layout.addWidget(self.protection_notice)

        self.profile_confirmed = named(
            QCheckBox(words("shell.profile_confirmed"), content),
            words("shell.profile_confirmed_name"),
            "clinic_profile_is_correct",
        )
        layout.addWidget(self.profile_confirmed)
        self.message = message_of(words("shell.setup_box"), "setup_message", content)
        layout.addWidget(self.message)
        self.create_button = named(
            QPushButton(words("shell.create_admin"), content),
            words("shell.create_admin_name"),
            "create_account",
        )
        self.create_button.setDefault(True)
        primary(self.create_button)
        self.create_button.clicked.connect(self._on_create_button_clicked)
        layout.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignRight)

    @Slot()
    def _on_create_button_clicked(self) -> None:
        for error in self.errors.values():
            error.clear_message()
        self.message.clear_message()
        if self.secret.text() != self.secret_again.text():
            self.errors["secret_again"].show_error(words("shell.entries_differ"))
            self.secret.clear()
            self.secret_again.clear()
            return
        if not self.profile_confirmed.isChecked():
            self.message.show_error(words("shell.profile_unconfirmed"))
            return
        from intake.services.context import SYSTEM

        try:
            info: StaffInfo = self._staff.add(
                SYSTEM,
                self.username.text(),
                self.display_name.text(),
                "admin",
                self.secret.text(),
            )
        except InvalidInput as exc:
            for key, text in exc.errors.items():
                (self.errors.get(key) or self.message).show_error(text)
            return
        except ServiceError as exc:
            self.message.show_error(exc)
            return
        except OSError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.secret.clear()
        self.secret_again.clear()
        self.admin_created.emit(info)
