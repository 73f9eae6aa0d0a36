"""The first and last screens: Welcome (language, date of birth and visit code), Welcome back
(a started visit waits for staff), and Done (documents made off the GUI thread)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.ui.kiosk.base import KioskPage, announce, card, make_label, set_flag
from intake.ui.kiosk.text import LANGUAGE_NAMES, t
from intake.ui.widgets.entries import DateEntryWidget, keep_digits
from intake.ui.widgets.flow import FlowLayout

CODE_LENGTH = 6


class WelcomePage(KioskPage):
    """Language first, then date of birth and the visit code. Never a list of names."""

    language_chosen = Signal(str)
    start_requested = Signal(object, str)  # date of birth, code
    input_changed = Signal(bool)  # whether anything is typed

    def __init__(self, lang: str, clinic: str = "", parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.setObjectName("page_welcome")
        self.title = self.add_title(
            t("welcome_clinic", lang, clinic=clinic) if clinic else t("welcome_title", lang)
        )
        self.title.setObjectName("welcome_title")
        self.add_text(t("welcome_body", lang), "lead")

        # The question and its buttons in a row, going on to a second row when a longer
        # language or a larger text size needs it: never a button too narrow for its name.
        languages = FlowLayout(spacing=16, row_spacing=12)
        choose = make_label(t("choose_language", lang), "subtitle", self.body)
        choose.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        languages.addWidget(choose)
        self.language_buttons: dict[str, QPushButton] = {}
        for code in i18n.offered():
            button = QPushButton(LANGUAGE_NAMES[code], self.body)
            button.setObjectName(f"welcome_lang_{code}")
            button.setAccessibleName(LANGUAGE_NAMES[code])
            button.setCheckable(True)
            button.setAutoExclusive(True)  # one language: radio buttons to a screen reader
            button.setChecked(code == lang)
            button.setMinimumHeight(60)
            button.setMinimumWidth(170)
            button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _checked=False, c=code: self.language_chosen.emit(c))
            self.language_buttons[code] = button
            languages.addWidget(button)
        self.content.addLayout(languages)

        frame, layout = card(self.body)
        layout.addWidget(make_label(t("start_heading", lang), "lead", frame))
        grid = QGridLayout()
        grid.setHorizontalSpacing(36)
        grid.setVerticalSpacing(6)
        dob_label = make_label(t("date_of_birth", lang), "subtitle", frame)
        grid.addWidget(dob_label, 0, 0)
        self.dob = DateEntryWidget(
            {
                "month": t("month", lang),
                "day": t("day", lang),
                "year": t("year", lang),
                "month_hint": t("month_hint", lang),
                "day_hint": t("day_hint", lang),
                "year_hint": t("year_hint", lang),
            },
            i18n.language(lang).date_order,
            t("date_of_birth", lang),
            frame,
        )
        self.dob.setObjectName("welcome_dob")
        self.dob.changed.connect(self._on_input_changed)
        grid.addWidget(self.dob, 1, 0)
        code_label = make_label(t("visit_code", lang), "subtitle", frame)
        grid.addWidget(code_label, 0, 1)
        code_box = QVBoxLayout()
        code_box.setSpacing(4)
        code_box.addWidget(make_label(t("visit_code_digits", lang), "help", frame))
        self.code = QLineEdit(frame)
        self.code.setObjectName("welcome_code")
        self.code.setAccessibleName(t("visit_code", lang))
        # The help shown beside it is what a screen reader says after the name.
        self._code_help = f"{t('visit_code_digits', lang)}. {t('visit_code_help', lang)}"
        self.code.setAccessibleDescription(self._code_help)
        keep_digits(self.code, " ")
        self.code.setMaxLength(8)
        self.code.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.code.setMaximumWidth(260)
        self.code.setMinimumHeight(52)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setEchoMode(QLineEdit.EchoMode.Normal)
        self.code.textChanged.connect(self._on_input_changed)
        self.code.returnPressed.connect(self._on_start_button_clicked)
        code_label.setBuddy(self.code)
        code_box.addWidget(self.code)
        grid.addLayout(code_box, 1, 1)
        grid.setColumnStretch(2, 1)
        layout.addLayout(grid)
        layout.addWidget(make_label(t("visit_code_help", lang), "help", frame))
        self.error = make_label("", "error", frame)
        self.error.setObjectName("welcome_error")
        # Beside Start, not above it: a message that comes and goes never moves the button
        # under the patient's finger.
        keep = self.error.sizePolicy()
        keep.setRetainSizeWhenHidden(True)
        self.error.setSizePolicy(keep)
        self.error.hide()
        self.start_button = QPushButton(t("start", lang), frame)
        self.start_button.setObjectName("welcome_start")
        self.start_button.setAccessibleName(t("start", lang))
        self.start_button.setProperty("role", "primary")
        self.start_button.setMinimumHeight(64)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addWidget(self.error, 1, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)
        self.content.addWidget(frame)
        self.finish()
        self._update_start()

    def set_clinic(self, clinic: str) -> None:
        if clinic:
            self.title.setText(t("welcome_clinic", self.lang, clinic=clinic))

    def digits(self) -> str:
        return "".join(ch for ch in self.code.text() if ch.isdigit())

    def has_input(self) -> bool:
        return bool(self.code.text() or not self.dob.is_empty())

    def _on_input_changed(self, *_args: object) -> None:
        if self.error.isVisible():
            self.error.hide()
        self._update_start()
        self.input_changed.emit(self.has_input())

    def _update_start(self) -> None:
        self.start_button.setEnabled(not self.dob.is_empty() and len(self.digits()) >= CODE_LENGTH)

    def _on_start_button_clicked(self) -> None:
        problem = self.dob.problem()
        if problem or self.dob.is_empty():
            key = "date_invalid" if problem == "invalid" else "date_incomplete"
            self.show_error(t(key, self.lang))
            return
        if len(self.digits()) != CODE_LENGTH:
            self.show_error(t("code_incomplete", self.lang))
            return
        self.start_requested.emit(self.dob.value(), self.digits())

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.error.setAccessibleName(text)
        # Tied to the fields it is about, and said at once.
        set_flag(self.code, "invalid", bool(text))
        self.code.setAccessibleDescription(" ".join(p for p in (text, self._code_help) if p))
        if text:
            announce(self.error, text)
            self.reveal(self.error)  # beside Start, and the taller of the two

    def set_busy(self, busy: bool) -> None:
        self.start_button.setText(t("getting_ready" if busy else "start", self.lang))
        if busy:
            self.start_button.setEnabled(False)
        else:
            self._update_start()

    def show_refusal(self, text: str) -> None:
        """Opening by code waits for this date of birth (the service says how long): the code
        typed is cleared, the message stays until something new is typed."""
        self.code.clear()
        self._update_start()
        self.show_error(text)

    def snapshot(self) -> dict[str, Any]:
        return {"dob": self.dob.raw(), "code": self.code.text()}

    def restore(self, snapshot: dict[str, Any]) -> None:
        self.dob.set_value(snapshot.get("dob", ""))
        self.code.setText(snapshot.get("code", ""))
        self._update_start()

    def focus_first(self) -> None:
        self.language_buttons[self.lang].setFocus()


class ResumePage(KioskPage):
    """A visit already under way: nothing of it is shown until a member of staff confirms."""

    cancelled = Signal()

    def __init__(self, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.setObjectName("page_resume")
        self.add_title(t("welcome_back_title", lang))
        self.add_text(t("welcome_back_body", lang), "lead")
        row = QHBoxLayout()
        self.cancel_button = QPushButton(t("start_over", lang), self.body)
        self.cancel_button.setObjectName("resume_cancel")
        self.cancel_button.setAccessibleName(t("start_over", lang))
        self.cancel_button.setProperty("role", "quiet")
        self.cancel_button.clicked.connect(self.cancelled)
        self.continue_button = QPushButton(t("staff_continue", lang), self.body)
        self.continue_button.setObjectName("resume_staff_continue")
        self.continue_button.setAccessibleName(t("staff_continue", lang))
        self.continue_button.setProperty("role", "primary")
        self.continue_button.clicked.connect(self.staff_continue_requested)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.continue_button)
        self.content.addLayout(row)
        self.finish()

    def focus_first(self) -> None:
        self.continue_button.setFocus()


class DonePage(KioskPage):
    """Thanks; the documents are made in the background while a bar moves."""

    finished = Signal()

    def __init__(self, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.setObjectName("page_done")
        self.add_title(t("done_title", lang))
        self.add_text(t("done_body", lang), "lead")
        frame, layout = card(self.body)
        self.status = make_label(t("done_preparing", lang), "subtitle", frame)
        self.status.setObjectName("done_status")
        layout.addWidget(self.status)
        self.progress = QProgressBar(frame)
        self.progress.setObjectName("done_progress")
        self.progress.setAccessibleName(t("done_preparing", lang))
        self.progress.setProperty("role", "busy")
        self.progress.setRange(0, 0)  # busy: the length of the work is not known
        self.progress.setTextVisible(False)
        layout.addWidget(self.progress)
        self.content.addWidget(frame)
        self.add_text(t("done_return", lang), "help")
        row = QHBoxLayout()
        row.addStretch(1)
        self.finish_button = QPushButton(t("finish", lang), self.body)
        self.finish_button.setObjectName("done_finish")
        self.finish_button.setAccessibleName(t("finish", lang))
        self.finish_button.setProperty("role", "primary")
        self.finish_button.clicked.connect(self.finished)
        row.addWidget(self.finish_button)
        self.content.addLayout(row)
        self.finish()
        self.state = "preparing"

    def set_state(self, state: str) -> None:
        """preparing | ready | by_staff"""
        self.state = state
        key = {"preparing": "done_preparing", "ready": "done_ready", "by_staff": "done_by_staff"}[
            state
        ]
        self.status.setText(("" if state == "preparing" else "✓ ") + t(key, self.lang))
        if state == "preparing":
            self.progress.setRange(0, 0)
            self.progress.show()
        else:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.progress.hide()
        self.progress.setAccessibleName(t(key, self.lang))

    def focus_first(self) -> None:
        self.finish_button.setFocus()
