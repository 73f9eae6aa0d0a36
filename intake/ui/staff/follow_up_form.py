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

from intake.domain.checkin import CLINICAL_CONTRACEPTION
from intake.domain.course import SIDE_EFFECTS
from intake.domain.numbers import written_unit
from intake.domain.rules import contraception_problem
from intake.services.clinician import CourseView, FollowUpRow
from intake.services.context import AppContext
from intake.ui.common import AMBER_FG, GREEN_FG, MessageLabel, humanise, named
from intake.ui.staff.labs import month_spin

SIDE_EFFECT_LABELS = {
    "dry_skin_lips": "Dry skin or lips",
    "dry_eyes": "Dry eyes",
    "nosebleeds": "Nosebleeds",
    "joint_muscle_pain": "Joint or muscle pain",
    "headache": "Headache",
    "vision_change": "Vision change",
    "stomach_pain": "Stomach pain",
    "rash": "Rash",
    "mood_change": "Mood change",
    "other": "Other (see notes)",
}
ERROR_KEYS = ("month", "seen_on", "weight", "daily_dose_mg", "side_effects", "mood_score")


def _contraception_options(ctx: AppContext) -> list[tuple[str, str]]:
    """The methods the form offers, in the clinician's words ("Tubal ligation")."""
    try:
        question = ctx.forms.intake.question("contraception_methods")
    except KeyError:
        return []
    return [
        (o.value, CLINICAL_CONTRACEPTION.get(o.value, o.label("en")))
        for o in question.options
        if o.value != "none_yet"
    ]


class FollowUpForm(QGroupBox):
    """The fields of one month's follow-up, each with its problem line underneath; filled for a
    new month (from the last month and the patient's check-in) or a recorded one, read back as
    the values the clinician service records."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__("Monthly follow-up", parent)
        named(self, "Monthly follow-up")
        self.month = month_spin(self, "Follow-up month", low=1)
        self.seen_on = named(QLineEdit(self), "Seen on")
        self.seen_on.setPlaceholderText("YYYY-MM-DD")
        self.weight = named(QLineEdit(self), "Weight")
        self.weight_unit = named(QComboBox(self), "Weight unit")
        self.weight_unit.addItems(
            ["kg", "lb", "st"] if ctx.forms.clinic.allow_stones else ["kg", "lb"]
        )
        # A unit written with the number ("154 lb") is the one meant: the unit box follows it.
        self.weight.textChanged.connect(self._on_weight_text_changed)
        weight_row = QHBoxLayout()
        weight_row.addWidget(self.weight, 1)
        weight_row.addWidget(self.weight_unit)
        self.dose = named(QLineEdit(self), "Daily dose (mg)")
        self.dose.setPlaceholderText("e.g. 40")
        self.mood = named(QSpinBox(self), "PHQ-9 re-screen score")
        self.mood.setRange(-1, 27)
        self.mood.setSpecialValueText("Not screened")
        self.mood.setValue(-1)
        self.sexual = named(QLineEdit(self), "Sexual function")
        self.sexual.setPlaceholderText("e.g. no change reported")
        self.notes = named(QLineEdit(self), "Notes")
        self.side_effects: dict[str, QCheckBox] = {}
        effects = QGridLayout()
        for i, effect in enumerate(SIDE_EFFECTS):
            check = QCheckBox(SIDE_EFFECT_LABELS.get(effect, humanise(effect)), self)
            named(check, f"Side effect: {SIDE_EFFECT_LABELS.get(effect, humanise(effect))}")
            self.side_effects[effect] = check
            effects.addWidget(check, i // 4, i % 4)
        self.contraception_box = QGroupBox("Contraception confirmed (two methods)", self)
        named(self.contraception_box, "Contraception confirmed")
        contraception = QGridLayout(self.contraception_box)
        self.contraception: dict[str, QCheckBox] = {}
        for i, (value, label) in enumerate(_contraception_options(ctx)):
            check = QCheckBox(label, self.contraception_box)
            named(check, f"Contraception: {label}")
            check.toggled.connect(self._on_contraception_toggled)
            self.contraception[value] = check
            contraception.addWidget(check, i // 2, i % 2)
        self.contraception_state = named(QLabel(self.contraception_box), "Contraception check")
        self.contraception_state.setWordWrap(True)
        contraception.addWidget(self.contraception_state, 99, 0, 1, 2)
        self.errors = {key: MessageLabel(f"Follow-up {key} problem", self) for key in ERROR_KEYS}
        # Two fields a row, each with its message underneath: the form stays short.
        form = QGridLayout()
        form.setHorizontalSpacing(10)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        weight_box = QWidget(self)
        weight_box.setLayout(weight_row)
        weight_row.setContentsMargins(0, 0, 0, 0)
        pairs = [
            (("Month", self.month, "month"), ("Seen on", self.seen_on, "seen_on")),
            (("Weight", weight_box, "weight"), ("Daily dose (mg)", self.dose, "daily_dose_mg")),
            (("PHQ-9 re-screen", self.mood, "mood_score"), ("Sexual function", self.sexual, "")),
        ]
        for row, pair in enumerate(pairs):
            for half, (label, field, key) in enumerate(pair):
                form.addWidget(QLabel(label, self), row * 2, half * 2)
                form.addWidget(field, row * 2, half * 2 + 1)
                if key:
                    form.addWidget(self.errors[key], row * 2 + 1, half * 2 + 1)
        form.addWidget(QLabel("Notes", self), 6, 0)
        form.addWidget(self.notes, 6, 1, 1, 3)
        effects_box = QGroupBox("Side effects", self)
        named(effects_box, "Side effects")
        effects_box.setLayout(effects)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(effects_box)
        layout.addWidget(self.errors["side_effects"])
        layout.addWidget(self.contraception_box)

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
        self.weight.setText(f"{last.weight_kg:g}" if last else "")
        self.weight_unit.setCurrentText("kg")
        self.dose.setText(f"{last.daily_dose_mg:g}" if last else "")
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
            self.weight.setText(f"{found.weight_kg:g}")
            self.weight_unit.setCurrentText("kg")
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
        self.weight.setText(f"{row.weight_kg:g}")
        self.weight_unit.setCurrentText("kg")
        self.dose.setText(f"{row.daily_dose_mg:g}")
        for effect, check in self.side_effects.items():
            check.setChecked(effect in row.side_effects)
        for method, check in self.contraception.items():
            check.setChecked(method in row.contraception)
        self.mood.setValue(-1 if row.mood_score is None else row.mood_score)
        self.sexual.setText(row.sexual_function)
        self.notes.setText(row.notes)
        self.clear_errors()

    @Slot(str)
    def _on_weight_text_changed(self, text: str) -> None:
        unit = written_unit(text, stones=self.weight_unit.findText("st") >= 0)
        if unit is not None and self.weight_unit.findText(unit) >= 0:
            self.weight_unit.setCurrentText(unit)

    @Slot(bool)
    def _on_contraception_toggled(self, _checked: bool) -> None:
        chosen = [m for m, c in self.contraception.items() if c.isChecked()]
        problem = contraception_problem(chosen)
        if problem is None:
            self.contraception_state.setText("✓ Two methods confirmed (or committed abstinence).")
            self.contraception_state.setStyleSheet(f"color:{GREEN_FG};")
        else:
            self.contraception_state.setText(f"Not yet adequate: {problem}.")
            self.contraception_state.setStyleSheet(f"color:{AMBER_FG};")

    def values(self, can_become_pregnant: bool) -> dict[str, Any]:
        """What the form holds, as ``ClinicianService.record_follow_up`` takes it (contraception
        only for a patient who can become pregnant)."""
        return {
            "seen_on": self.seen_on.text(),
            "weight": self.weight.text(),
            "weight_unit": self.weight_unit.currentText(),
            "daily_dose_mg": self.dose.text(),
            "side_effects": [e for e, c in self.side_effects.items() if c.isChecked()],
            "mood_score": None if self.mood.value() < 0 else self.mood.value(),
            "sexual_function": self.sexual.text(),
            "contraception": [m for m, c in self.contraception.items() if c.isChecked()]
            if can_become_pregnant
            else [],
            "notes": self.notes.text(),
        }
