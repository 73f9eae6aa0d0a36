"""The visit tabs of a review: summary and flags, mood screen, acknowledgements, understanding check."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.domain.flags import worded
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
    staff_lang,
    staff_number,
    words,
)
from intake.ui.staff.dermatologist_picker import DermatologistPicker

STATEMENT_ID_WIDTH = 140  # the acknowledgements' first column, in pixels
FLAG_STYLES = {
    "alert": (RED_BG, RED_FG, "#f3b4b1"),
    "warning": (AMBER_BG, AMBER_FG, "#f0cf8f"),
}


def said(msg_id: str, identifier: str, fallback: str | None = None) -> str:
    """A stored identifier (a role, a status, a signature's meaning) in the staff screens'
    words: the catalogue's ``<msg_id><identifier>``; one the catalogue does not know (stored by
    a later version, or changed outside the app) is shown humanised (or as ``fallback``) rather
    than hidden."""
    key = f"{msg_id}{identifier.replace(' ', '_')}"
    if i18n.has(key):
        return words(key)
    return humanise(identifier) if fallback is None else fallback


def format_answer(question: Question | None, value: Any) -> str:
    """An answer as the clinician reads it: option labels, dates, kg, yes/no."""
    if value is None or value == "" or value == []:
        return words("review.answer_none")
    if isinstance(value, bool):
        return words("review.answer_yes" if value else "review.answer_no")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(format_answer(question, v) for v in value)
    if question is not None:
        if question.type == "weight":
            return words("review.answer_kg", value=staff_number(float(value)))
        if question.type == "phone":
            return format_phone(str(value))
        if question.options:
            return question.option_label(str(value), staff_lang())
    if isinstance(value, float):
        return staff_number(value)
    return str(value)


def _flag_label(parent: QWidget, severity: str, text: str) -> QLabel:
    if severity not in FLAG_STYLES:
        severity = "warning"
    background, foreground, border = FLAG_STYLES[severity]
    label = QLabel(words(f"review.flag_{severity}", text=escape(text)), parent)
    label.setWordWrap(True)
    label.setStyleSheet(
        f"QLabel {{ background:{background}; color:{foreground}; border:1px solid {border};"
        " border-radius:4px; padding:6px 8px; }"
    )
    named(label, words(f"review.flag_{severity}_name", text=text), f"flag_{severity}")
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
        named(self, words("review.summary"), "summary_tab")
        self._forms, self._clock = forms, clock
        self._inner = QWidget(self)
        layout = _scrolling(self, self._inner)
        heading = QLabel(words("review.flags_heading"), self._inner)
        heading.setObjectName("section")
        layout.addWidget(heading)
        self.flags_box = QVBoxLayout()
        layout.addLayout(self.flags_box)
        # Who released a positive mood screen, when, and their note.
        self.releases = named(
            QLabel(self._inner), words("review.release_name"), "mood-screen_release"
        )
        self.releases.setWordWrap(True)
        self.releases.setTextFormat(Qt.TextFormat.RichText)
        self.releases.setStyleSheet(
            "QLabel { background:#f4f6f8; border:1px solid #d5dbe1; border-radius:4px;"
            " padding:6px 8px; }"
        )
        self.releases.hide()
        layout.addWidget(self.releases)
        self.dermatologist = DermatologistPicker(
            self._inner,
            label=words("review.dermatologist_label"),
            apply=words("review.dermatologist_apply"),
            apply_object_name="change",
        )
        layout.addWidget(self.dermatologist)
        self.facts = named(QLabel(self._inner), words("review.facts_name"), "key_facts")
        self.facts.setWordWrap(True)
        layout.addWidget(self.facts)
        heading = QLabel(words("review.answers_heading"), self._inner)
        heading.setObjectName("section")
        layout.addWidget(heading)
        self.answers = make_table(
            self._inner,
            words("review.answers_table"),
            (
                words("review.answers_section"),
                words("review.answers_question"),
                words("review.answers_answer"),
            ),
            (1, 2),
        )
        self.answers.setObjectName("intake_answers")
        self.answers.setMinimumHeight(300)
        layout.addWidget(self.answers)
        heading = QLabel(words("review.signatures_heading"), self._inner)
        heading.setObjectName("section")
        layout.addWidget(heading)
        self.signatures = make_table(
            self._inner,
            words("review.signatures_table"),
            (
                words("review.signatures_who"),
                words("review.signatures_name"),
                words("review.signatures_meaning"),
                words("review.signatures_at"),
            ),
        )
        self.signatures.setObjectName("signatures")
        self.signatures.setMaximumHeight(140)
        layout.addWidget(self.signatures)
        self.versions = named(QLabel(self._inner), words("review.versions_name"), "form_versions")
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
            label = _flag_label(self._inner, flag.severity, worded(flag, staff_lang()))
            self.flags_box.addWidget(label)
            self.flag_labels.append(label)
        if not record.flags:
            label = QLabel(words("review.no_flags"), self._inner)
            named(label, words("review.no_flags_name"), "no_flags")
            self.flags_box.addWidget(label)
            self.flag_labels.append(label)
        released = [r for r in record.alert_releases if r.reason == "item9"]
        self.releases.setText(
            "<br>".join(
                words(
                    "review.release_at" if r.station else "review.release",
                    name=escape(r.released_by),
                    role=escape(said("review.staff_role_", r.role)),
                    when=self._clock.datetime(r.released_at),
                    station=escape(r.station),
                    note=escape(r.note),
                )
                for r in released
            )
        )
        self.releases.setVisible(bool(released))
        self.facts.setText(self._facts(review))
        rows = []
        lang = staff_lang()
        # A check-in's answers are on its own pages.
        for page in self._forms.for_visit(record.visit_kind).intake.pages:
            for q in page.questions:
                if q.id in record.answers:
                    rows.append(
                        (page.title(lang), q.label(lang), format_answer(q, record.answers[q.id]))
                    )
        fill_table(self.answers, rows)
        fill_table(
            self.signatures,
            [
                (
                    words(
                        "review.role_with_relationship",
                        role=said("review.role_", s.role),
                        relationship=said("review.relationship_", s.relationship),
                    )
                    if s.relationship
                    else said("review.role_", s.role),
                    s.printed_name,
                    said("review.meaning_", s.meaning, s.meaning),
                    self._clock.datetime(s.signed_at),
                )
                for s in record.signatures
            ],
        )
        self.versions.setText(
            words(
                "review.versions",
                forms=", ".join(f"{k} {v[0]}" for k, v in sorted(record.form_versions.items())),
                ruleset=record.ruleset_id,
            )
        )

    @staticmethod
    def _facts(review: Review) -> str:
        """The visit's key facts, three lines of rich text."""
        record = review.record
        status = said("review.facts_status_", review.status)
        language = i18n.language(record.lang).name if record.lang in i18n.codes() else record.lang
        if record.visit_kind == "checkin":
            first = words(
                "review.facts_checkin",
                month=record.course_month,
                date=record.visit_date.isoformat(),
                status=status,
                language=language,
            )
        else:
            first = words(
                "review.facts_visit",
                date=record.visit_date.isoformat(),
                status=status,
                language=language,
            )
        if record.is_minor:
            first += " · " + words("review.facts_minor")
        confirmed = words(
            {
                None: "review.pregnancy_unconfirmed",
                True: "review.pregnancy_confirmed_yes",
                False: "review.pregnancy_confirmed_no",
            }[review.pregnancy_confirmed]
        )
        pregnant = words(
            "review.facts_pregnant_yes"
            if record.can_become_pregnant
            else "review.facts_pregnant_no",
            confirmed=confirmed,
        )
        quiz = words(
            "review.facts_quiz_passed" if record.quiz_passed else "review.facts_quiz_not_passed"
        )
        age = record.answers.get("date_of_birth")
        if isinstance(age, dt.date):
            quiz += " · " + words("review.facts_born", date=age.isoformat())
        return "<br>".join((first, pregnant, quiz))

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
        named(self, words("review.mood"), "mood_tab")
        self._forms = forms
        layout = QVBoxLayout(self)
        self.score = named(QLabel(self), words("review.mood_score_name"), "mood_score")
        self.score.setObjectName("big")
        self.score.setWordWrap(True)
        self.item9 = named(QLabel(self), words("review.mood_item9_name"), "item_9")
        self.item9.setWordWrap(True)
        self.items = make_table(
            self,
            words("review.mood_table"),
            (
                "#",
                words("review.mood_item"),
                words("review.mood_answer"),
                words("review.mood_points"),
            ),
            1,
        )
        self.items.setObjectName("mood_screen_answers")
        self.difficulty = named(QLabel(self), words("review.mood_difficulty_name"), "difficulty")
        self.difficulty.setWordWrap(True)
        layout.addWidget(self.score)
        layout.addWidget(self.item9)
        layout.addWidget(self.items, 1)
        layout.addWidget(self.difficulty)

    def show_review(self, review: Review) -> None:
        phq9 = review.record.phq9
        if phq9 is None:
            self.score.setText(words("review.mood_not_done"))
            self.item9.clear()
            self.item9.setStyleSheet("")
            self.items.setRowCount(0)
            self.difficulty.clear()
            return
        lang = staff_lang()
        band = next((b.label(lang) for b in self._forms.phq9.bands if b.id == phq9.band), phq9.band)
        self.score.setText(words("review.mood_score", total=phq9.total, band=band))
        if phq9.item9_positive:
            self.item9.setText(words("review.mood_item9_positive"))
            self.item9.setStyleSheet(
                f"QLabel {{ background:{RED_BG}; color:{RED_FG}; border:1px solid #f3b4b1;"
                " border-radius:4px; padding:6px 8px; }"
            )
        else:
            self.item9.setText(words("review.mood_item9_negative"))
            self.item9.setStyleSheet(
                f"QLabel {{ background:{GREEN_BG}; color:{GREEN_FG}; border-radius:4px; padding:6px 8px; }}"
            )
        options = dict(self._forms.phq9.options)
        rows, styles = [], []
        for i, ((_, text), value) in enumerate(
            zip(self._forms.phq9.items, phq9.answers, strict=False)
        ):
            label = options.get(value)
            rows.append((i + 1, text(lang), label(lang) if label else str(value), value))
            styles.append((RED_BG, RED_FG, True) if i == 8 and value > 0 else None)
        fill_table(self.items, rows, styles)
        difficulty = next(
            (
                o.label(lang)
                for o in self._forms.phq9.difficulty_options
                if o.value == phq9.difficulty
            ),
            phq9.difficulty or words("review.mood_difficulty_none"),
        )
        self.difficulty.setText(words("review.mood_difficulty", answer=difficulty))

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
        named(self, words("review.acknowledgements"), "acknowledgements_tab")
        self._forms, self._clock = forms, clock
        layout = QVBoxLayout(self)
        self.summary = named(QLabel(self), words("review.ack_count_name"), "acknowledgement_count")
        # A long count (30% longer in another language) wraps rather than widening the page.
        self.summary.setWordWrap(True)
        self.table = make_table(
            self,
            words("review.ack_table"),
            tuple(
                words(f"review.ack_{key}")
                for key in ("statement", "text", "by", "initials", "time", "seconds", "read_aloud")
            ),
            1,
        )
        self.table.setObjectName("acknowledgements_given")
        # The statement's id is for cross-reference only: a narrow column (elided, the full id
        # in its tooltip), so the statement's text has the room and the table shrinks.
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, STATEMENT_ID_WIDTH)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def show_review(self, review: Review) -> None:
        rows = []
        for a in review.acknowledgements:
            try:
                text = self._forms.risks.statement(a.statement_id).text(staff_lang())
            except KeyError:
                text = ""
            rows.append(
                (
                    a.statement_id,
                    text,
                    said("review.role_", a.by),
                    a.initials,
                    self._clock.datetime(a.at),
                    staff_number(a.page_seconds, places=0),
                    words("review.ack_read_aloud_yes") if a.read_aloud else "",
                )
            )
        fill_table(self.table, rows)
        for row, (statement_id, *_) in enumerate(rows):
            item = self.table.item(row, 0)
            if item is not None:
                item.setToolTip(statement_id)
        applicable = len(review.record.statement_ids)
        self.summary.setText(words("review.ack_count", count=applicable, acks=len(rows)))

    def clear(self) -> None:
        self.summary.clear()
        self.table.setRowCount(0)


class QuizTab(QWidget):
    """The understanding check: every attempt, right or wrong, in order."""

    def __init__(self, forms: FormSet, clock: Clock, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, words("review.quiz"), "quiz_tab")
        self._forms, self._clock = forms, clock
        layout = QVBoxLayout(self)
        self.summary = named(
            QLabel(self), words("review.quiz_result_name"), "understanding_check_result"
        )
        self.summary.setWordWrap(True)
        self.table = make_table(
            self,
            words("review.quiz_table"),
            tuple(
                words(f"review.quiz_{key}")
                for key in ("question", "attempt", "chosen", "result", "time")
            ),
            (0, 2),
        )
        self.table.setObjectName("understanding_check_attempts")
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def show_review(self, review: Review) -> None:
        questions = {q.id: q for q in self._forms.quiz.questions}
        lang = staff_lang()
        rows, styles = [], []
        for attempt in review.quiz:
            q = questions.get(attempt.question_id)
            prompt = q.prompt(lang) if q else attempt.question_id
            chosen = next(
                (c.text(lang) for c in (q.choices if q else ()) if c.id == attempt.chosen),
                attempt.chosen,
            )
            rows.append(
                (
                    prompt,
                    attempt.attempt,
                    chosen,
                    words("review.quiz_correct" if attempt.correct else "review.quiz_wrong"),
                    self._clock.datetime(attempt.at),
                )
            )
            styles.append(None if attempt.correct else (AMBER_BG, AMBER_FG, False))
        fill_table(self.table, rows, styles)
        wrong = sum(1 for a in review.quiz if not a.correct)
        self.summary.setText(
            words(
                "review.quiz_passed" if review.record.quiz_passed else "review.quiz_not_passed",
                count=len(review.quiz),
                wrong=wrong,
            )
        )

    def clear(self) -> None:
        self.summary.clear()
        self.table.setRowCount(0)


def section_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("section")
    label.setAlignment(Qt.AlignmentFlag.AlignLeft)
    return label
