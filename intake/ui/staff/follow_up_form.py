"""The month's follow-up form of the course view: weight, dose, side effects, mood, contraception."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.domain.course import SIDE_EFFECTS
from intake.domain.numbers import written_unit
from intake.services.clinician import CourseView, FollowUpRow
from intake.services.context import AppContext
from intake.ui.common import AMBER_FG, GREEN_FG, MessageLabel, named, staff_lang, words
from intake.ui.staff.course_words import (
    contraception_problem_text,
    method_label,
    object_name,
    plain,
    side_effect_label,
    text,
)
from intake.ui.staff.labs import month_spin
from intake.ui.staff.reflow import ReflowLayout

ERROR_KEYS = ("month", "seen_on", "weight", "daily_dose_mg", "side_effects", "mood_score")
# The message key of each field with a problem line (its accessible name says whose it is).
ERROR_FIELDS = {
    "month": "col_month",
    "seen_on": "seen_on",
    "weight": "weight",
    "daily_dose_mg": "daily_dose",
    "side_effects": "side_effects",
    "mood_score": "phq9",
}
UNITS = ("kg", "lb", "st")


def _contraception_options(ctx: AppContext) -> list[tuple[str, str, str]]:
    """The methods the form offers, in the clinician's words ("Tubal ligation"): (value, label,
    its English label for the check box's objectName)."""
    try:
        question = ctx.forms.intake.question("contraception_methods")
    except KeyError:
        return []
    lang, source = staff_lang(), i18n.source_language()
    return [
        (
            o.value,
            method_label(o.value, o.label(lang)),
            method_label(o.value, o.label(source), english=True),
        )
        for o in question.options
        if o.value != "none_yet"
    ]


def _caption(text_: str, parent: QWidget) -> QLabel:
    """A field's caption: wraps, so the form shrinks with the screen."""
    label = QLabel(text_, parent)
    label.setWordWrap(True)
    return label


class FollowUpForm(QGroupBox):
    """The fields of one month's follow-up, each with its problem line underneath; filled for a
    new month (from the last month and the patient's check-in) or a recorded one, read back as
    the values the clinician service records."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(text("form_title"), parent)
        named(self, text("form_title"), "monthly_follow-up")
        self.month = month_spin(self, text("follow_up_month"), low=1, object_name="follow-up_month")
        self.seen_on = named(QLineEdit(self), text("seen_on"), "seen_on")
        self.seen_on.setPlaceholderText(text("date_hint"))
        self.weight = named(QLineEdit(self), text("weight"), "weight")
        self.weight_unit = named(QComboBox(self), text("weight_unit"), "weight_unit")
        for unit in UNITS if ctx.forms.clinic.allow_stones else UNITS[:2]:
            self.weight_unit.addItem(text(f"unit_{unit}"), unit)
        # A unit written with the number ("154 lb") is the one meant: the unit box follows it.
        self.weight.textChanged.connect(self._on_weight_text_changed)
        weight_row = QHBoxLayout()
        weight_row.addWidget(self.weight, 1)
        weight_row.addWidget(self.weight_unit)
        self.dose = named(QLineEdit(self), text("daily_dose"), "daily_dose_(mg)")
        self.dose.setPlaceholderText(text("daily_dose_hint"))
        self.mood = named(QSpinBox(self), text("phq9_name"), "phq-9_re-screen_score")
        self.mood.setRange(-1, 27)
        self.mood.setSpecialValueText(text("not_screened"))
        self.mood.setValue(-1)
        self.sexual = named(QLineEdit(self), text("sexual"), "sexual_function")
        self.sexual.setPlaceholderText(text("sexual_hint"))
        self.notes = named(QLineEdit(self), text("notes"), "notes")
        self.side_effects: dict[str, QCheckBox] = {}
        # As many columns as the width allows (four at most): the form shrinks with the screen.
        effects = ReflowLayout(columns=4)
        for effect in SIDE_EFFECTS:
            label = side_effect_label(effect)
            check = QCheckBox(label, self)
            english = object_name("side_effect_name", label=side_effect_label(effect, english=True))
            named(check, text("side_effect_name", label=label), english)
            self.side_effects[effect] = check
            effects.addWidget(check)
        self.contraception_box = QGroupBox(text("contraception_box"), self)
        named(self.contraception_box, text("contraception_box_name"), "contraception_confirmed")
        contraception = QVBoxLayout(self.contraception_box)
        methods = ReflowLayout(columns=2)
        self.contraception: dict[str, QCheckBox] = {}
        for value, label, english in _contraception_options(ctx):
            check = QCheckBox(label, self.contraception_box)
            named(
                check, text("method_name", label=label), object_name("method_name", label=english)
            )
            check.toggled.connect(self._on_contraception_toggled)
            self.contraception[value] = check
            methods.addWidget(check)
        contraception.addLayout(methods)
        self.contraception_state = named(
            QLabel(self.contraception_box), text("contraception_check"), "contraception_check"
        )
        self.contraception_state.setWordWrap(True)
        contraception.addWidget(self.contraception_state)
        self.errors: dict[str, MessageLabel] = {}
        for key in ERROR_KEYS:
            line = MessageLabel(words("staff.problem_of", name=text(ERROR_FIELDS[key])), self)
            line.setObjectName(f"follow-up_{key}_problem")
            self.errors[key] = line
        # Two fields a row, each with its message underneath: the form stays short.
        form = QGridLayout()
        form.setHorizontalSpacing(10)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        weight_box = QWidget(self)
        weight_box.setLayout(weight_row)
        weight_row.setContentsMargins(0, 0, 0, 0)
        pairs = [
            (("col_month", self.month, "month"), ("seen_on", self.seen_on, "seen_on")),
            (("weight", weight_box, "weight"), ("daily_dose", self.dose, "daily_dose_mg")),
            (("phq9", self.mood, "mood_score"), ("sexual", self.sexual, "")),
        ]
        for row, pair in enumerate(pairs):
            for half, (label, field, key) in enumerate(pair):
                form.addWidget(_caption(text(label), self), row * 2, half * 2)
                form.addWidget(field, row * 2, half * 2 + 1)
                if key:
                    form.addWidget(self.errors[key], row * 2 + 1, half * 2 + 1)
        form.addWidget(_caption(text("notes"), self), 6, 0)
        form.addWidget(self.notes, 6, 1, 1, 3)
        effects_box = QGroupBox(text("side_effects"), self)
        named(effects_box, text("side_effects"), "side_effects")
        effects_box.setLayout(effects)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(effects_box)
        layout.addWidget(self.errors["side_effects"])
        layout.addWidget(self.contraception_box)
        layout.addStretch(1)  # a tall screen leaves the room below the form, not in its boxes

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear_message()

    def start_new(self, course: CourseView | None, today: str) -> None:
        """The next month, from the last one recorded (weight, dose, contraception) and the
        patient's latest check-in for a month not yet recorded."""
        months = [f.month for f in course.follow_ups] if course else []
        self.month.setValue(min(12, max(months, default=0) + 1))
        self.seen_on.setText(today)
        last = course.follow_ups[-1] if course and course.follow_ups else None
        self.weight.setText(plain(last.weight_kg) if last else "")
        self._set_unit("kg")
        self.dose.setText(plain(last.daily_dose_mg) if last else "")
        for check in (*self.side_effects.values(), *self.contraception.values()):
            check.setChecked(False)
        if last:
            for method in last.contraception:
                if method in self.contraception:
                    self.contraception[method].setChecked(True)
        self.mood.setValue(-1)
        self.sexual.clear()
        self.notes.clear()
        if course is not None:
            self._prefill_from_checkin(course, months)
        self.clear_errors()
        self._on_contraception_toggled(False)

    def _prefill_from_checkin(self, course: CourseView, recorded: list[int]) -> None:
        """The month the patient's latest check-in was for, not yet recorded: start from what
        the patient reported there (weight, side effects, mood, contraception), in clinical
        words, for the clinician to check."""
        found = course.checkin
        if found is None or found.month is None or found.month in recorded:
            return
        self.month.setValue(min(12, found.month))
        if found.weight_kg is not None:
            self.weight.setText(plain(found.weight_kg))
            self._set_unit("kg")
        for effect in found.side_effects:
            if effect in self.side_effects:
                self.side_effects[effect].setChecked(True)
        if found.contraception:
            for method, check in self.contraception.items():
                check.setChecked(method in found.contraception)
        if found.mood_score is not None:
            self.mood.setValue(found.mood_score)
        self.sexual.setText(found.sexual_function)
        self.notes.setText(found.notes)

    def load(self, row: FollowUpRow) -> None:
        """A recorded month, for correction."""
        self.month.setValue(row.month)
        self.seen_on.setText(row.seen_on.isoformat())
        self.weight.setText(plain(row.weight_kg))
        self._set_unit("kg")
        self.dose.setText(plain(row.daily_dose_mg))
        for effect, check in self.side_effects.items():
            check.setChecked(effect in row.side_effects)
        for method, check in self.contraception.items():
            check.setChecked(method in row.contraception)
        self.mood.setValue(-1 if row.mood_score is None else row.mood_score)
        self.sexual.setText(row.sexual_function)
        self.notes.setText(row.notes)
        self.clear_errors()

    def _set_unit(self, unit: str) -> None:
        index = self.weight_unit.findData(unit)
        if index >= 0:
            self.weight_unit.setCurrentIndex(index)

    @Slot(str)
    def _on_weight_text_changed(self, typed: str) -> None:
        unit = written_unit(typed, stones=self.weight_unit.findData("st") >= 0)
        if unit is not None:
            self._set_unit(unit)

    @Slot(bool)
    def _on_contraception_toggled(self, _checked: bool) -> None:
        chosen = [m for m, c in self.contraception.items() if c.isChecked()]
        problem = contraception_problem_text(chosen)
        if problem is None:
            self.contraception_state.setText(text("contraception_ok"))
            self.contraception_state.setStyleSheet(f"color:{GREEN_FG};")
        else:
            self.contraception_state.setText(text("contraception_not_yet", problem=problem))
            self.contraception_state.setStyleSheet(f"color:{AMBER_FG};")

    def values(self, can_become_pregnant: bool) -> dict[str, Any]:
        """What the form holds, as ``ClinicianService.record_follow_up`` takes it (contraception
        only for a patient who can become pregnant)."""
        return {
            "seen_on": self.seen_on.text(),
            "weight": self.weight.text(),
            "weight_unit": str(self.weight_unit.currentData()),
            "daily_dose_mg": self.dose.text(),
            "side_effects": [e for e, c in self.side_effects.items() if c.isChecked()],
            "mood_score": None if self.mood.value() < 0 else self.mood.value(),
            "sexual_function": self.sexual.text(),
            "contraception": [m for m, c in self.contraception.items() if c.isChecked()]
            if can_become_pregnant
            else [],
            "notes": self.notes.text(),
        }
