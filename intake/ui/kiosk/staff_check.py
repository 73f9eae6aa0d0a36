"""The patient's details wait for a check by staff (a name proposal, "not my date of birth")."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from intake.ui.kiosk.base import KioskPage, card, make_label
from intake.ui.kiosk.text import message, t


class StaffCheckPage(KioskPage):
    """Calm words, no personal data; a member of staff continues once the desk has decided."""

    def __init__(self, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.setObjectName("page_staff_check")
        self.add_title(t("staff_check_title", lang))
        frame, layout = card(self.body)
        body = make_label(t("staff_check_body", lang), "lead", frame)
        body.setObjectName("staff_check_body")
        layout.addWidget(body)
        self.content.addWidget(frame)
        self.content.addSpacing(24)
        self.error = make_label("", "error", self.body)
        self.error.setObjectName("staff_check_error")
        self.error.hide()
        self.content.addWidget(self.error)
        self.continue_button = QPushButton(t("help_staff_continue", lang), self.body)
        self.continue_button.setObjectName("staff_check_continue")
        self.continue_button.setAccessibleName(t("help_staff_continue", lang))
        self.continue_button.setProperty("role", "quiet")
        self.continue_button.setMinimumHeight(48)
        self.continue_button.clicked.connect(self.staff_continue_requested)
        self.content.addWidget(self.continue_button)
        self.finish()

    def is_complete(self) -> bool:
        return False

    def show_errors(self, errors: dict[str, str]) -> None:
        text = " ".join(message(m, self.lang) for m in errors.values())
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def focus_first(self) -> None:
        self.continue_button.setFocus()
