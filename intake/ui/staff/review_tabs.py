"""The visit tabs of a review: summary and flags, mood screen, acknowledgements, understanding check."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from intake.domain.validation import format_phone
from intake.forms.model import FormSet, Question
from intake.services.clinician import Review
from intake.ui.common import (
    AMBER_BG,
    AMBER_FG,
    GREEN_BG,
    GREEN_FG,
    RED_BG,
    RED_FG,
    Clock,
    fill_table,
    humanise,
    make_table,
    named,
)
from intake.ui.staff.dermatologist_picker import DermatologistPicker

ROLE_WORDS = {"patient": "Patient", "guardian": "Guardian", "clinician": "Dermatologist"}
FLAG_STYLES = {
    "alert": (RED_BG, RED_FG, "#f3b4b1", "Alert"),
    "warning": (AMBER_BG, AMBER_FG, "#f0cf8f", "Warning"),
}


def format_answer(question: Question | None, value: Any) -> str:
    """An answer as the clinician reads it: option labels, dates, kg, yes/no."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(format_answer(question, v) for v in value)
    if question is not None:
        if question.type == "weight":
            return f"{float(value):g} kg"
        if question.type == "phone":
            return format_phone(str(value))
        if question.options:
            return question.option_label(str(value), "en")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _flag_label(parent: QWidget, severity: str, text: str) -> QLabel:
    background, foreground, border, word = FLAG_STYLES.get(severity, FLAG_STYLES["warning"])
    label = QLabel(f"<b>{word}:</b> {text}", parent)
    label.setWordWrap(True)
    label.setStyleSheet(
        f"QLabel {{ background:{background}; color:{foreground}; border:1px solid {border};"
        " border-radius:4px; padding:6px 8px; }"
    )
    named(label, f"{word}: {text}", f"flag_{severity}")
    return label


def _scrolling(widget: QWidget, inner: QWidget) -> QVBoxLayout:
    scroll = QScrollArea(widget)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(inner)
    outer = QVBoxLayout(widget)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)
    layout = QVBoxLayout(inner)
    return layout


class SummaryTab(QWidget):
    """Flags first (alerts red, warnings amber), then the answers, signatures and versions."""

    def __init__(self, forms: FormSet, clock: Clock, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Summary and flags", "summary_tab")
        self._forms, self._clock = forms, clock
        self._inner = QWidget(self)
        layout = _scrolling(self, self._inner)
        heading = QLabel("Flags", self._inner)
        heading.setObjectName("section")
        layout.addWidget(heading)
        self.flags_box = QVBoxLayout()
        layout.addLayout(self.flags_box)
        # Who released a positive mood screen, when, and their note.
        self.releases = named(QLabel(self._inner), "Mood-screen release")
        self.releases.setWordWrap(True)
        self.releases.setTextFormat(Qt.TextFormat.RichText)
        self.releases.setStyleSheet(
            "QLabel { background:#f4f6f8; border:1px solid #d5dbe1; border-radius:4px;"
            " padding:6px 8px; }"
        )
        self.releases.hide()
        layout.addWidget(self.releases)
        self.dermatologist = DermatologistPicker(
            self._inner, label="Dermatologist responsible", apply="Change"
        )
        layout.addWidget(self.dermatologist)
        self.facts = named(QLabel(self._inner), "Key facts")
        self.facts.setWordWrap(True)
        layout.addWidget(self.facts)
        heading = QLabel("Answers", self._inner)
        heading.setObjectName("section")
        layout.addWidget(heading)
        self.answers = make_table(
            self._inner, "Intake answers", ("Section", "Question", "Answer"), (1, 2)
        )
        self.answers.setMinimumHeight(300)
        layout.addWidget(self.answers)
        heading = QLabel("Signatures", self._inner)
        heading.setObjectName("section")
        layout.addWidget(heading)
        self.signatures = make_table(
            self._inner, "Signatures", ("Who", "Printed name", "Meaning", "Signed at")
        )
        self.signatures.setMaximumHeight(140)
        layout.addWidget(self.signatures)
        self.versions = named(QLabel(self._inner), "Form versions")
        self.versions.setObjectName("muted")
        self.versions.setWordWrap(True)
        layout.addWidget(self.versions)
        self.flag_labels: list[QLabel] = []

    def show_review(self, review: Review) -> None:
        record = review.record
        for label in self.flag_labels:
            label.deleteLater()
        self.flag_labels = []
        for flag in record.flags:
            label = _flag_label(self._inner, flag.severity, flag.text)
            self.flags_box.addWidget(label)
            self.flag_labels.append(label)
        if not record.flags:
            label = QLabel("No flags.", self._inner)
            named(label, "No flags")
            self.flags_box.addWidget(label)
            self.flag_labels.append(label)
        released = [r for r in record.alert_releases if r.reason == "item9"]
        self.releases.setText(
            "<br>".join(
                f"<b>Mood screen released</b> by {escape(r.released_by)} "
                f"({escape(r.role.replace('_', ' '))}), {self._clock.datetime(r.released_at)}"
                f"{' at ' + escape(r.station) if r.station else ''}:<br>"
                f"<i>“{escape(r.note)}”</i>"
                for r in released
            )
        )
        self.releases.setVisible(bool(released))
        confirmed = {
            None: "not yet confirmed by a clinician",
            True: "confirmed by a clinician: can become pregnant",
            False: "confirmed by a clinician: cannot become pregnant",
        }[review.pregnancy_confirmed]
        age = record.answers.get("date_of_birth")
        minor = " · <b>under 18</b>: guardian co-signs" if record.is_minor else ""
        what = (
            f"Month {record.course_month} check-in" if record.visit_kind == "checkin" else "Visit"
        )
        self.facts.setText(
            f"{what} {record.visit_date.isoformat()} · status {review.status} · language "
            f"{'Español' if record.lang == 'es' else 'English'}{minor}<br>"
            f"Can become pregnant: <b>{'yes' if record.can_become_pregnant else 'no'}</b> "
            f"({confirmed})<br>"
            f"Understanding check: <b>{'passed' if record.quiz_passed else 'not passed'}</b>"
            + (f" · born {age.isoformat()}" if isinstance(age, dt.date) else "")
        )
        rows = []
        # A check-in's answers are on its own pages.
        for page in self._forms.for_visit(record.visit_kind).intake.pages:
            for q in page.questions:
                if q.id in record.answers:
                    rows.append(
                        (page.title("en"), q.label("en"), format_answer(q, record.answers[q.id]))
                    )
        fill_table(self.answers, rows)
        fill_table(
            self.signatures,
            [
                (
                    ROLE_WORDS.get(s.role, humanise(s.role))
                    + (f" ({s.relationship})" if s.relationship else ""),
                    s.printed_name,
                    s.meaning,
                    self._clock.datetime(s.signed_at),
                )
                for s in record.signatures
            ],
        )
        self.versions.setText(
            "Forms: "
            + ", ".join(f"{k} {v[0]}" for k, v in sorted(record.form_versions.items()))
            + f" · programme rules {record.ruleset_id}"
        )

    def clear(self) -> None:
        for label in self.flag_labels:
            label.deleteLater()
        self.flag_labels = []
        self.releases.clear()
        self.releases.hide()
        self.dermatologist.set_choices([])
        self.facts.clear()
        self.answers.setRowCount(0)
        self.signatures.setRowCount(0)
        self.versions.clear()


class MoodTab(QWidget):
    """PHQ-9: total, band, the item-9 alert, every item's answer."""

    def __init__(self, forms: FormSet, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Mood screen", "mood_tab")
        self._forms = forms
        layout = QVBoxLayout(self)
        self.score = named(QLabel(self), "Mood score")
        self.score.setObjectName("big")
        self.item9 = named(QLabel(self), "Item 9")
        self.item9.setWordWrap(True)
        self.items = make_table(
            self, "Mood screen answers", ("#", "Over the last 2 weeks…", "Answer", "Points"), 1
        )
        self.difficulty = named(QLabel(self), "Difficulty")
        self.difficulty.setWordWrap(True)
        layout.addWidget(self.score)
        layout.addWidget(self.item9)
        layout.addWidget(self.items, 1)
        layout.addWidget(self.difficulty)

    def show_review(self, review: Review) -> None:
        phq9 = review.record.phq9
        if phq9 is None:
            self.score.setText("The mood screen has not been completed.")
            self.item9.clear()
            self.item9.setStyleSheet("")
            self.items.setRowCount(0)
            self.difficulty.clear()
            return
        band = next((b.label("en") for b in self._forms.phq9.bands if b.id == phq9.band), phq9.band)
        self.score.setText(f"PHQ-9 total {phq9.total} of 27 — {band}")
        if phq9.item9_positive:
            self.item9.setText(
                "<b>Item 9 positive</b>: thoughts of being better off dead or of self-harm. "
                "Same-visit follow-up is needed."
            )
            self.item9.setStyleSheet(
                f"QLabel {{ background:{RED_BG}; color:{RED_FG}; border:1px solid #f3b4b1;"
                " border-radius:4px; padding:6px 8px; }"
            )
        else:
            self.item9.setText("Item 9 (thoughts of self-harm): not at all.")
            self.item9.setStyleSheet(
                f"QLabel {{ background:{GREEN_BG}; color:{GREEN_FG}; border-radius:4px; padding:6px 8px; }}"
            )
        options = dict(self._forms.phq9.options)
        rows, styles = [], []
        for i, ((_, text), value) in enumerate(
            zip(self._forms.phq9.items, phq9.answers, strict=False)
        ):
            label = options.get(value)
            rows.append((i + 1, text("en"), label("en") if label else str(value), value))
            styles.append((RED_BG, RED_FG, True) if i == 8 and value > 0 else None)
        fill_table(self.items, rows, styles)
        difficulty = next(
            (
                o.label("en")
                for o in self._forms.phq9.difficulty_options
                if o.value == phq9.difficulty
            ),
            phq9.difficulty or "not answered",
        )
        self.difficulty.setText(f"How difficult these problems have made things: {difficulty}")

    def clear(self) -> None:
        for label in (self.score, self.item9, self.difficulty):
            label.clear()
        self.item9.setStyleSheet("")
        self.items.setRowCount(0)


class AcknowledgementsTab(QWidget):
    """Every acknowledgement as given: statement, who, initials, time, seconds on the page,
    and whether the kiosk read the statement aloud to them (they listened rather than read)."""

    def __init__(self, forms: FormSet, clock: Clock, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Acknowledgements", "acknowledgements_tab")
        self._forms, self._clock = forms, clock
        layout = QVBoxLayout(self)
        self.summary = named(QLabel(self), "Acknowledgement count")
        self.table = make_table(
            self,
            "Acknowledgements given",
            ("Statement", "Text", "By", "Initials", "Time", "Seconds on page", "Read aloud"),
            1,
        )
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def show_review(self, review: Review) -> None:
        rows = []
        for a in review.acknowledgements:
            try:
                text = self._forms.risks.statement(a.statement_id).text("en")
            except KeyError:
                text = ""
            rows.append(
                (
                    a.statement_id,
                    text,
                    humanise(a.by),
                    a.initials,
                    self._clock.datetime(a.at),
                    f"{a.page_seconds:.0f}",
                    "yes" if a.read_aloud else "",
                )
            )
        fill_table(self.table, rows)
        applicable = len(review.record.statement_ids)
        self.summary.setText(
            f"{len(rows)} acknowledgement{'s' if len(rows) != 1 else ''} for {applicable} "
            "statements that applied (re-acknowledgements after a wrong answer included)."
        )

    def clear(self) -> None:
        self.summary.clear()
        self.table.setRowCount(0)


class QuizTab(QWidget):
    """The understanding check: every attempt, right or wrong, in order."""

    def __init__(self, forms: FormSet, clock: Clock, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Understanding check", "quiz_tab")
        self._forms, self._clock = forms, clock
        layout = QVBoxLayout(self)
        self.summary = named(QLabel(self), "Understanding check result")
        self.summary.setWordWrap(True)
        self.table = make_table(
            self,
            "Understanding check attempts",
            ("Question", "Attempt", "Answer chosen", "Result", "Time"),
            (0, 2),
        )
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def show_review(self, review: Review) -> None:
        questions = {q.id: q for q in self._forms.quiz.questions}
        rows, styles = [], []
        for attempt in review.quiz:
            q = questions.get(attempt.question_id)
            prompt = q.prompt("en") if q else attempt.question_id
            chosen = next(
                (c.text("en") for c in (q.choices if q else ()) if c.id == attempt.chosen),
                attempt.chosen,
            )
            rows.append(
                (
                    prompt,
                    attempt.attempt,
                    chosen,
                    "Correct"
                    if attempt.correct
                    else "Wrong — explained, statement re-acknowledged",
                    self._clock.datetime(attempt.at),
                )
            )
            styles.append(None if attempt.correct else (AMBER_BG, AMBER_FG, False))
        fill_table(self.table, rows, styles)
        wrong = sum(1 for a in review.quiz if not a.correct)
        self.summary.setText(
            f"<b>{'Passed' if review.record.quiz_passed else 'Not passed'}</b> · "
            f"{len(review.quiz)} answer{'s' if len(review.quiz) != 1 else ''}, {wrong} wrong"
        )

    def clear(self) -> None:
        self.summary.clear()
        self.table.setRowCount(0)


def section_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("section")
    label.setAlignment(Qt.AlignmentFlag.AlignLeft)
    return label
