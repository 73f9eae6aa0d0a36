"""The comprehension check, one question per page.

A wrong answer shows its explanation; Next then leads to the statements it tests, to be read
and initialled again, and back to the question.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from intake.domain.wizard import QUIZ, KioskFlow, Step
from intake.services.kiosk_payloads import Payload, QuizChoice
from intake.ui.kiosk.base import KioskPage, announce, card, make_label
from intake.ui.kiosk.text import message, t, tn
from intake.ui.widgets.choices import ChoiceButtons


class QuizPage(KioskPage):
    def __init__(self, flow: KioskFlow, question_id: str, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.question = flow.quiz_question(question_id)
        self.setObjectName(f"page_quiz_{question_id}")
        questions = [q.id for q in flow.quiz_questions()]
        n = questions.index(question_id) + 1 if question_id in questions else 1
        self.add_title(t("quiz_title", lang))
        self.next_before_back = True  # from the chosen answer, Tab goes to "Check my answer"
        if n == 1:
            intro = self.add_text(tn("quiz_intro", lang, flow.quiz_count()), "help")
            intro.setObjectName("quiz_intro")
        self.add_text(t("quiz_counter", lang, n=n, total=len(questions)), "help")
        prompt = self.question.prompt(lang)
        self.add_text(prompt, "subtitle")
        self.again = self.add_text(t("quiz_again", lang), "notice")
        self.again.setObjectName("quiz_again")
        # Back from re-reading the statements: the question must be answered once more.
        self.again.setVisible(
            question_id in flow.quiz_failed and flow.first_pending_topic() is None
        )
        self.choices = ChoiceButtons(
            [(c.id, c.text(lang)) for c in self.question.choices],
            columns=1,
            name=prompt,
            parent=self.body,
        )
        self.choices.setObjectName(f"quiz_{question_id}")
        self.choices.changed.connect(self._on_choice_changed)
        self.content.addWidget(self.choices)
        frame, layout = card(self.body)
        frame.setObjectName("quiz_explanation")
        frame.setProperty("attention", True)
        self.wrong_heading = make_label(t("quiz_wrong", lang), "subtitle", frame)
        self.wrong_heading.setObjectName("quiz_wrong_heading")
        # Focus goes here when the answers lock, not to the top bar; said with the explanation.
        self.wrong_heading.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.wrong_heading.setAccessibleName(t("quiz_wrong", lang))
        self.wrong_heading.setAccessibleDescription(self.question.explanation(lang))
        layout.addWidget(self.wrong_heading)
        self.explanation = make_label(self.question.explanation(lang), "lead", frame)
        layout.addWidget(self.explanation)
        layout.addWidget(make_label(t("quiz_wrong_next", lang), "help", frame))
        frame.hide()
        self.explanation_card = frame
        self.content.addWidget(frame)
        self.error = self.add_text("", "error")
        self.error.hide()
        self.finish()
        self._answered_wrong = False
        if flow.quiz_answered(question_id):
            self.choices.set_value(self.question.answer)
        elif flow.quiz_detour_pending(Step(QUIZ, question_id)):
            self.show_wrong()  # back here before re-reading: the explanation still stands

    def chosen(self) -> str | None:
        value = self.choices.value()
        return value if isinstance(value, str) else None

    def payload(self) -> Payload:
        return QuizChoice(self.question.id, self.chosen())

    def is_complete(self) -> bool:
        return self.chosen() is not None

    def show_wrong(self) -> None:
        """The explanation, and the choices locked: Next now leads to the statements again."""
        self._answered_wrong = True
        self.again.hide()
        self.explanation_card.show()
        focus = QApplication.focusWidget()
        if focus is None or focus is self or self.isAncestorOf(focus):
            # Locked answers lose the focus: it goes to the explanation, not to the top bar.
            self.wrong_heading.setFocus(Qt.FocusReason.OtherFocusReason)
        self.choices.set_locked(True)
        self.reveal(self.explanation_card)
        if not self.wrong_heading.hasFocus():
            # Said at once where the focus stayed elsewhere (Next): where the focus came to the
            # explanation, a screen reader says it there, and an announcement would repeat it.
            announce(
                self.explanation_card,
                f"{t('quiz_wrong', self.lang)} {self.question.explanation(self.lang)}",
            )

    @property
    def answered_wrong(self) -> bool:
        return self._answered_wrong

    def _on_choice_changed(self) -> None:
        self.completeness_changed.emit(self.is_complete())

    def show_errors(self, errors: dict[str, str]) -> None:
        text = " ".join(message(m, self.lang) for m in errors.values())
        self.error.setText(text)
        self.error.setVisible(bool(text))
        announce(self.error, text)

    def snapshot(self) -> dict[str, Any]:
        return {"chosen": self.chosen()} if not self._answered_wrong else {}

    def restore(self, snapshot: dict[str, Any]) -> None:
        if snapshot.get("chosen"):
            self.choices.set_value(snapshot["chosen"])

    def focus_first(self) -> None:
        next(iter(self.choices.buttons().values())).setFocus()
