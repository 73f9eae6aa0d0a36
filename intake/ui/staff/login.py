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
    QVBoxLayout,
    QWidget,
)

from intake.services.errors import InvalidInput, Locked, LoginFailed, ServiceError
from intake.ui.common import MessageLabel, describe_error, named, primary, words
from intake.ui.operations import Operation

if TYPE_CHECKING:
    from intake.forms.model import ClinicProfile
    from intake.services.context import AppContext
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
        named(self, "Staff sign-in", "staff_login_page")
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
            "Staff sign-in to put this station into kiosk mode" if kiosk else "Staff sign-in",
            self,
        )
        subtitle.setObjectName("subtitle")
        layout.addWidget(subtitle)
        form = QFormLayout()
        self.username = named(QLineEdit(self), "Username")
        self.secret = named(QLineEdit(self), "PIN or password")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Username", self.username)
        form.addRow("PIN or password", self.secret)
        layout.addLayout(form)
        self.message = MessageLabel("Sign-in message", self)
        layout.addWidget(self.message)
        self.sign_in_button = named(QPushButton("Sign in", self), "Sign in")
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
            self.message.show_error("Please enter your username and PIN.")
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
        self.sign_in_button.setText("Signing in…" if busy else "Sign in")
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


def clinic_profile_text(clinic: ClinicProfile) -> list[tuple[str, str]]:
    """The clinic profile as label/value pairs, for showing read-only."""
    labs = "; ".join(
        f"{lab.label('en')}: {lab.low:g}–{lab.high:g} {lab.unit}" for lab in clinic.labs
    )
    low, high = clinic.target_mg_per_kg
    months_low, months_high = clinic.course_months
    return [
        ("Clinic", clinic.name),
        ("Department", clinic.department),
        ("Address", clinic.address),
        ("Phone", clinic.phone),
        ("Email", clinic.email),
        ("Opening hours", clinic.hours("en")),
        ("Time zone", clinic.timezone),
        ("Record numbers", f"{clinic.record_prefix}-000001, {clinic.record_prefix}-000002, …"),
        ("Lab reference ranges", labs),
        ("Course target", f"{low:g}–{high:g} mg/kg cumulative, {months_low}–{months_high} months"),
        (
            "Profile version",
            f"{clinic.meta.version} (effective {clinic.meta.effective.isoformat()})",
        ),
    ]


class FirstRunPage(QWidget):
    """Fresh install: create the first staff account (an administrator), confirm the clinic profile."""

    admin_created = Signal(object)  # StaffInfo

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        from intake.services.staff import StaffService

        super().__init__(parent)
        named(self, "First run", "first_run_page")
        self._staff = StaffService(ctx)
        _, layout = _card(self, 640)
        title = QLabel("Welcome — set up this installation", self)
        title.setObjectName("title")
        layout.addWidget(title)
        intro = QLabel(
            "Create the first staff account. It is an administrator account: it can add the "
            "other front-desk and dermatologist accounts afterwards.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.display_name = named(QLineEdit(self), "Full name")
        self.username = named(QLineEdit(self), "Username")
        self.secret = named(QLineEdit(self), "PIN or password")
        self.secret_again = named(QLineEdit(self), "PIN or password again")
        for field in (self.secret, self.secret_again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors: dict[str, MessageLabel] = {}
        for label, field, key in (
            ("Full name", self.display_name, "display_name"),
            ("Username", self.username, "username"),
            ("PIN or password", self.secret, "secret"),
            ("PIN or password again", self.secret_again, "secret_again"),
        ):
            form.addRow(label, field)
            error = MessageLabel(f"{label} problem", self)
            self.errors[key] = error
            form.addRow("", error)
        layout.addLayout(form)

        box = QGroupBox("Clinic profile", self)
        named(box, "Clinic profile")
        box_layout = QFormLayout(box)
        for label, value in clinic_profile_text(ctx.forms.clinic):
            text = QLabel(value, box)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            named(text, label)
            box_layout.addRow(f"{label}:", text)
        note = QLabel(
            "The clinic profile is edited in <b>forms/clinic/form.toml</b> (then run "
            "<code>uv run main.py forms lock</code>); it is shown here read-only.",
            box,
        )
        note.setWordWrap(True)
        box_layout.addRow(note)
        layout.addWidget(box)

        from intake.services.security import protection_notice, protection_status

        self.protection_status = protection_status(ctx)
        self.protection_notice = named(
            QLabel(protection_notice(self.protection_status), self), "Data protection"
        )
        self.protection_notice.setWordWrap(True)
        self.protection_notice.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        layout.addWidget(self.protection_notice)

        self.profile_confirmed = named(
            QCheckBox("I have checked the clinic profile above and it is correct", self),
            "Clinic profile is correct",
        )
        layout.addWidget(self.profile_confirmed)
        self.message = MessageLabel("Setup message", self)
        layout.addWidget(self.message)
        self.create_button = named(
            QPushButton("Create administrator account", self), "Create account"
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
            self.errors["secret_again"].show_error(
                "The two entries differ; please type them again."
            )
            self.secret.clear()
            self.secret_again.clear()
            return
        if not self.profile_confirmed.isChecked():
            self.message.show_error(
                "Please check the clinic profile and tick the box to confirm it."
            )
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
