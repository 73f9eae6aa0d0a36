"""A member of staff confirms with their username and PIN (leave the kiosk, continue, resume)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake.services.errors import ServiceError
from intake.ui.kiosk.base import make_label
from intake.ui.kiosk.text import message, t
from intake.ui.operations import Operation

if TYPE_CHECKING:
    from intake.services.context import AppContext


class StaffPinDialog(QDialog):
    """Signs a member of staff in (off the GUI thread: the PIN check is deliberately slow).

    ``staff_confirmed(StaffInfo)`` on success; the dialog then closes itself.
    """

    staff_confirmed = Signal(object)

    def __init__(self, ctx: AppContext, lang: str, purpose: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self.lang = lang
        self.purpose = purpose
        self.setObjectName("StaffPinDialog")
        self.setWindowTitle(t("pin_title", lang))
        self.setModal(True)
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(12)
        layout.addWidget(make_label(t("pin_title", lang), "subtitle", self))
        layout.addWidget(make_label(t(f"pin_for_{purpose}", lang), None, self))
        user_label = make_label(t("pin_username", lang), None, self)
        layout.addWidget(user_label)
        self.username = QLineEdit(self)
        self.username.setObjectName("pin_username")
        self.username.setAccessibleName(t("pin_username", lang))
        self.username.setMaxLength(60)
        self.username.setInputMethodHints(Qt.InputMethodHint.ImhNoAutoUppercase)
        user_label.setBuddy(self.username)
        layout.addWidget(self.username)
        pin_label = make_label(t("pin_secret", lang), None, self)
        layout.addWidget(pin_label)
        self.secret = QLineEdit(self)
        self.secret.setObjectName("pin_secret")
        self.secret.setAccessibleName(t("pin_secret", lang))
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setMaxLength(128)
        self.secret.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText)
        pin_label.setBuddy(self.secret)
        layout.addWidget(self.secret)
        self.error = make_label("", "error", self)
        self.error.setObjectName("pin_error")
        self.error.hide()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.cancel_button = QPushButton(t("pin_cancel", lang), self)
        self.cancel_button.setObjectName("pin_cancel")
        self.cancel_button.setAccessibleName(t("pin_cancel", lang))
        self.cancel_button.setProperty("role", "quiet")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button = QPushButton(t("pin_confirm", lang), self)
        self.confirm_button.setObjectName("pin_confirm")
        self.confirm_button.setAccessibleName(t("pin_confirm", lang))
        self.confirm_button.setProperty("role", "primary")
        self.confirm_button.setDefault(True)
        self.confirm_button.clicked.connect(self._on_confirm_button_clicked)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        layout.addLayout(row)
        self._login = Operation(
            self,
            "staff sign-in",
            on_success=self._on_login_finished,
            on_failure=self._on_login_failed,
        )
        self._login.busy_changed.connect(self._on_login_busy_changed)

    def _on_confirm_button_clicked(self) -> None:
        if self._login.busy:
            return
        username, secret = self.username.text().strip(), self.secret.text()
        if not username or not secret:
            self._show_error(t("pin_missing", self.lang))
            return
        ctx = self._ctx

        def login() -> Any:
            from intake.services.staff import StaffService

            return StaffService(ctx).login(username, secret)

        self._login.run(login)

    def _on_login_finished(self, info: object) -> None:
        self.secret.clear()
        self.staff_confirmed.emit(info)
        self.accept()

    def _on_login_failed(self, exc: BaseException) -> None:
        self.secret.clear()
        # A refusal worded by its code; a fault of the database or the station in the kiosk's
        # own words, without its details.
        if isinstance(exc, ServiceError):
            self._show_error(message(exc.said, self.lang))
        else:
            self._show_error(t("error_storage_unavailable", self.lang))
        self.secret.setFocus()

    def _on_login_busy_changed(self, busy: bool) -> None:
        self.username.setEnabled(not busy)
        self.secret.setEnabled(not busy)
        self.confirm_button.setEnabled(not busy)
        self.confirm_button.setText(t("pin_checking" if busy else "pin_confirm", self.lang))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.error.setAccessibleName(text)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.username.setFocus()
