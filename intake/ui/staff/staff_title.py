"""The administrator sets the title printed before a staff member's name ("Dra. Ana Ruiz").

A box of the accounts screen: the account, the title, Save. Both the list of accounts and the
change go through the operations helper; the service checks the title (short, letters and a
dot), refuses anyone but an administrator, and audits the change.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, SignalInstance, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from intake.domain.names import titled
from intake.services.context import Actor, AppContext
from intake.services.errors import InvalidInput
from intake.services.staff import MAX_TITLE, StaffInfo, StaffService
from intake.ui.common import BusyBar, MessageLabel, describe_error, named, words
from intake.ui.operations import Operation, Reentry


def text(key: str, **args: object) -> str:
    return words(f"staff.{key}", **args)


class StaffTitleBox(QGroupBox):
    """Choose an account, type its title (or clear it) and save it."""

    title_saved = Signal(object)  # StaffInfo

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        accounts_changed: SignalInstance | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(text("title_box"), parent)
        named(self, text("title_box"), "staff_title_box")
        self._staff = StaffService(ctx)
        self._actor = actor
        self._accounts: dict[str, StaffInfo] = {}
        intro = named(
            QLabel(text("title_intro"), self),
            text("title_intro"),
            "printed_before_the_name_where_documents_name_the_clinician,_e.g._dra._ana_ruiz._leave_it_empty_for_no_title.",
        )
        intro.setWordWrap(True)
        self.account = named(QComboBox(self), text("title_account"), "account_for_a_title")
        self.title_edit = named(QLineEdit(self), text("title_field"), "title")
        self.title_edit.setPlaceholderText(text("title_hint"))
        self.title_edit.setMaxLength(MAX_TITLE)
        self.error = MessageLabel(text("problem_of", name=text("title_field")), self)
        self.error.setObjectName("title_problem")  # the same in every language
        self.message = MessageLabel(text("message_of", name=text("title_box")), self)
        self.message.setObjectName("title_printed_before_the_name_message")
        self.save_button = named(
            QPushButton(text("title_save"), self), text("title_save"), "save_title"
        )
        self.busy = BusyBar(self)
        self.loading = Operation(
            self,
            "staff_title_accounts",
            on_success=self._on_accounts_loaded,
            report=self.message.show_error,
            reentry=Reentry.LATEST,
        )
        self.saving = Operation(
            self,
            "staff_title_save",
            on_success=self._on_title_saved,
            on_failure=self._on_save_failed,
            disables=(self.save_button, self.account, self.title_edit),
        )
        for op in (self.loading, self.saving):
            op.busy_changed.connect(self.busy._on_tasks_busy_changed)
        form = QFormLayout(self)
        form.addRow(intro)
        for key, field in (("title_account", self.account), ("title_field", self.title_edit)):
            caption = QLabel(text(key), self)
            caption.setBuddy(field)
            form.addRow(caption, field)
        form.addRow("", self.error)
        form.addRow("", self.save_button)
        form.addRow(self.message)
        form.addRow(self.busy)
        self.account.currentIndexChanged.connect(self._on_account_current_index_changed)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.title_edit.returnPressed.connect(self._on_save_button_clicked)
        if accounts_changed is not None:
            accounts_changed.connect(self._on_accounts_changed)
        self.refresh()

    def refresh(self) -> None:
        """Load the accounts off the GUI thread (the one chosen stays chosen)."""
        self.loading.run(self._staff.list)

    @Slot(object)
    def _on_accounts_changed(self, _info: object) -> None:
        self.refresh()

    def _on_accounts_loaded(self, accounts: list[StaffInfo]) -> None:
        current = self.account.currentData()
        self._accounts = {a.username: a for a in accounts}
        self.account.blockSignals(True)
        self.account.clear()
        for a in accounts:
            shown = titled(a.title, a.display_name)
            self.account.addItem(f"{shown} ({a.username})", a.username)
        if current is not None and (index := self.account.findData(current)) >= 0:
            self.account.setCurrentIndex(index)
        self.account.blockSignals(False)
        self._show_title()

    @Slot(int)
    def _on_account_current_index_changed(self, _index: int) -> None:
        self.error.clear_message()
        self._show_title()

    def _show_title(self) -> None:
        chosen = self._accounts.get(self.account.currentData() or "")
        self.title_edit.setText(chosen.title if chosen is not None else "")

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    def save(self) -> None:
        """Save the title typed for the chosen account, off the GUI thread."""
        self.error.clear_message()
        self.message.clear_message()
        username = self.account.currentData()
        if username is None:
            self.error.show_error(text("title_choose"))
            return
        title = self.title_edit.text()
        actor, staff = self._actor, self._staff
        self.saving.run(lambda: staff.set_title(actor, username, title))

    def _on_title_saved(self, info: StaffInfo) -> None:
        if info.title:
            done = text(
                "title_saved", name=info.display_name, titled=titled(info.title, info.display_name)
            )
        else:
            done = text("title_removed", name=info.display_name)
        self.message.show_message(done, "info")
        self.title_saved.emit(info)
        self.refresh()

    def _on_save_failed(self, exc: BaseException) -> None:
        if isinstance(exc, InvalidInput):
            self.error.show_error(" ".join(exc.errors.values()))
            return
        self.message.show_error(describe_error(exc))
