"""The PHQ-9 mood screen, and the calm page shown when a patient needs help now.

The patient never sees a score: a positive item 9 only changes what happens next.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPushButton, QWidget

from intake.forms import model as fm
from intake.services.kiosk_payloads import MoodAnswers, Payload
from intake.ui.kiosk.base import KioskPage, card, make_label, paragraphs_html
from intake.ui.kiosk.text import message, t
from intake.ui.widgets.choices import ChoiceButtons


class Phq9Page(KioskPage):
    def __init__(self, form: fm.Phq9Form, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.setObjectName("page_phq9")
        self.add_title(t("phq9_title", lang))
        self.add_text(t("phq9_intro", lang), "help")
        self.add_text(form.stem(lang), "lead")
        options = [(str(value), label(lang)) for value, label in form.options]
        self.items: list[ChoiceButtons] = []
        for n, (item_id, text) in enumerate(form.items, start=1):
            frame, layout = card(self.body)
            frame.setObjectName(f"card_{item_id}")
            wording = t("phq9_item", lang, n=n, text=text(lang))
            layout.addWidget(make_label(wording, "subtitle", frame))
            buttons = ChoiceButtons(options, columns=len(options), name=wording, parent=frame)
            buttons.setObjectName(item_id)
            buttons.changed.connect(self._on_answer_changed)
            layout.addWidget(buttons)
            self.content.addWidget(frame)
            self.items.append(buttons)
        frame, layout = card(self.body)
        layout.addWidget(make_label(form.difficulty_text(lang), "subtitle", frame))
        self.difficulty = ChoiceButtons(
            [(o.value, o.label(lang)) for o in form.difficulty_options],
            columns=2,
            name=form.difficulty_text(lang),
            parent=frame,
        )
        self.difficulty.setObjectName("phq9_difficulty")
        self.difficulty.changed.connect(self._on_answer_changed)
        layout.addWidget(self.difficulty)
        self.difficulty_card = frame
        self.content.addWidget(frame)
        self.page_error = self.add_text("", "error")
        self.page_error.hide()
        self.finish()

    def answers(self) -> list[int | None]:
        out: list[int | None] = []
        for buttons in self.items:
            value = buttons.value()
            out.append(int(value) if isinstance(value, str) else None)
        return out

    def difficulty_value(self) -> str:
        value = self.difficulty.value()
        return value if isinstance(value, str) else ""

    def payload(self) -> Payload:
        return MoodAnswers(tuple(self.answers()), self.difficulty_value())

    def is_complete(self) -> bool:
        answers = self.answers()
        if any(a is None for a in answers):
            return False
        # The difficulty question is asked "if you checked off any problems".
        return not any(answers) or bool(self.difficulty_value())

    def _on_answer_changed(self) -> None:
        self.completeness_changed.emit(self.is_complete())

    def show_errors(self, errors: dict[str, str]) -> None:
        text = " ".join(message(m, self.lang) for m in errors.values())
        self.page_error.setText(text)
        self.page_error.setVisible(bool(text))
        if text:
            self.reveal(self.page_error)

    def snapshot(self) -> dict[str, Any]:
        return {"answers": self.answers(), "difficulty": self.difficulty_value()}

    def restore(self, snapshot: dict[str, Any]) -> None:
        for buttons, value in zip(self.items, snapshot.get("answers", []), strict=False):
            if value is not None:
                buttons.set_value(str(value))
        if snapshot.get("difficulty"):
            self.difficulty.set_value(snapshot["difficulty"])

    def focus_first(self) -> None:
        next(iter(self.items[0].buttons().values())).setFocus()


class HelpNowPage(KioskPage):
    """Where to get help now. Calm, no score, no personal data; staff continue the visit."""

    def __init__(self, form: fm.Phq9Form, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.setObjectName("page_help_now")
        self.add_title(form.help_now_title(lang))
        frame, layout = card(self.body)
        body = make_label(paragraphs_html(form.help_now_body(lang)), "lead", frame, rich=True)
        body.setObjectName("help_now_body")
        layout.addWidget(body)
        self.content.addWidget(frame)
        self.content.addSpacing(24)
        self.continue_button = QPushButton(t("help_staff_continue", lang), self.body)
        self.continue_button.setObjectName("help_staff_continue")
        self.continue_button.setAccessibleName(t("help_staff_continue", lang))
        self.continue_button.setProperty("role", "quiet")
        self.continue_button.clicked.connect(self.staff_continue_requested)
        self.content.addWidget(self.continue_button)
        self.finish()

    def focus_first(self) -> None:
        self.continue_button.setFocus()
