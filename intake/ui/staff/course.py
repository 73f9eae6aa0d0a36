"""The treatment course month by month: weight, dose, cumulative mg/kg, side effects, mood, contraception."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from intake.domain.checkin import CLINICAL_CONTRACEPTION
from intake.domain.course import SIDE_EFFECTS
from intake.domain.numbers import written_unit
from intake.domain.rules import contraception_problem
from intake.services.clinician import ClinicianService, CourseView, FollowUpRow
from intake.services.context import Actor, AppContext
from intake.services.errors import Conflict, InvalidInput
from intake.ui.common import (
    AMBER_BG,
    AMBER_FG,
    GREEN_BG,
    GREEN_FG,
    RED_BG,
    RED_FG,
    BusyBar,
    MessageLabel,
    describe_error,
    fill_table,
    humanise,
    make_table,
    named,
    primary,
)
from intake.ui.operations import KNOWN_ERRORS, Operation, Reentry
from intake.ui.staff.completion import CompletionDialog, completion_lines
from intake.ui.staff.completion import text as staff_text
from intake.ui.staff.labs import month_spin
from intake.ui.staff.packets import document_service
from intake.ui.staff.pdf_preview import PdfPreviewDialog, PrintFailed

DOSE_STYLES = {
    "below": (AMBER_BG, AMBER_FG, "below the target range"),
    "within": (GREEN_BG, GREEN_FG, "within the target range"),
    "above": (RED_BG, RED_FG, "above the target range"),
}
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


class CourseWidget(QWidget):
    """The course table, the month's follow-up form, and the printable monthly checklist."""

    follow_up_saved = Signal(object)  # FollowUpRow
    checklist_opened = Signal(object)  # PdfPreviewDialog
    completion_recorded = Signal(object)  # CompletionRow
    completion_dialog_opened = Signal(object)  # CompletionDialog
    aftercare_opened = Signal(object)  # PdfPreviewDialog

    COLUMNS = (
        "Month",
        "Seen on",
        "Weight",
        "Daily dose",
        "Cumulative",
        "Side effects",
        "PHQ-9",
        "Sexual function",
        "Contraception",
        "Notes",
    )

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Treatment course", "course_tab")
        self._ctx, self._actor = ctx, actor
        self._clinician = ClinicianService(ctx)
        # Reentry.LATEST: a start for the next patient while the last one's still runs waits
        # for it, and only the newest result is shown.
        self.tasks = Operation(self, "checklist", reentry=Reentry.LATEST)
        self.patient_id: int | None = None
        self.record_number = ""  # the patient's, set by the review: it names print jobs
        self.course: CourseView | None = None
        self.editing: FollowUpRow | None = None
        self.preview: PdfPreviewDialog | None = None
        self.completion_dialog: CompletionDialog | None = None
        self.aftercare_tasks = Operation(self, "aftercare", reentry=Reentry.LATEST)

        self.dose_label = named(QLabel(self), "Cumulative dose")
        self.dose_label.setWordWrap(True)
        self.window_label = named(QLabel(self), "Prescription window")
        self.window_label.setWordWrap(True)
        self.table = make_table(self, "Course months", self.COLUMNS, (5, 9))
        self.table.setMinimumHeight(170)
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)

        # The follow-up form.
        box = QGroupBox("Monthly follow-up", self)
        named(box, "Monthly follow-up")
        self.month = month_spin(box, "Follow-up month", low=1)
        self.seen_on = named(QLineEdit(box), "Seen on")
        self.seen_on.setPlaceholderText("YYYY-MM-DD")
        self.weight = named(QLineEdit(box), "Weight")
        self.weight_unit = named(QComboBox(box), "Weight unit")
        self.weight_unit.addItems(
            ["kg", "lb", "st"] if ctx.forms.clinic.allow_stones else ["kg", "lb"]
        )
        # A unit written with the number ("154 lb") is the one meant: the unit box follows it.
        self.weight.textChanged.connect(self._on_weight_text_changed)
        weight_row = QHBoxLayout()
        weight_row.addWidget(self.weight, 1)
        weight_row.addWidget(self.weight_unit)
        self.dose = named(QLineEdit(box), "Daily dose (mg)")
        self.dose.setPlaceholderText("e.g. 40")
        self.mood = named(QSpinBox(box), "PHQ-9 re-screen score")
        self.mood.setRange(-1, 27)
        self.mood.setSpecialValueText("Not screened")
        self.mood.setValue(-1)
        self.sexual = named(QLineEdit(box), "Sexual function")
        self.sexual.setPlaceholderText("e.g. no change reported")
        self.notes = named(QLineEdit(box), "Notes")
        self.side_effects: dict[str, QCheckBox] = {}
        effects = QGridLayout()
        for i, effect in enumerate(SIDE_EFFECTS):
            check = QCheckBox(SIDE_EFFECT_LABELS.get(effect, humanise(effect)), box)
            named(check, f"Side effect: {SIDE_EFFECT_LABELS.get(effect, humanise(effect))}")
            self.side_effects[effect] = check
            effects.addWidget(check, i // 4, i % 4)
        self.contraception_box = QGroupBox("Contraception confirmed (two methods)", box)
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
        self.errors = {
            key: MessageLabel(f"Follow-up {key} problem", box)
            for key in ("month", "seen_on", "weight", "daily_dose_mg", "side_effects", "mood_score")
        }
        # Two fields a row, each with its message underneath: the form stays short.
        form = QGridLayout()
        form.setHorizontalSpacing(10)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        weight_box = QWidget(box)
        weight_box.setLayout(weight_row)
        weight_row.setContentsMargins(0, 0, 0, 0)
        pairs = [
            (("Month", self.month, "month"), ("Seen on", self.seen_on, "seen_on")),
            (("Weight", weight_box, "weight"), ("Daily dose (mg)", self.dose, "daily_dose_mg")),
            (("PHQ-9 re-screen", self.mood, "mood_score"), ("Sexual function", self.sexual, "")),
        ]
        for row, pair in enumerate(pairs):
            for half, (label, field, key) in enumerate(pair):
                form.addWidget(QLabel(label, box), row * 2, half * 2)
                form.addWidget(field, row * 2, half * 2 + 1)
                if key:
                    form.addWidget(self.errors[key], row * 2 + 1, half * 2 + 1)
        form.addWidget(QLabel("Notes", box), 6, 0)
        form.addWidget(self.notes, 6, 1, 1, 3)
        effects_box = QGroupBox("Side effects", box)
        named(effects_box, "Side effects")
        effects_box.setLayout(effects)
        self.save_button = primary(named(QPushButton("Save follow-up", self), "Save follow-up"))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.new_button = named(QPushButton("New month", self), "New month")
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.editing_label = named(QLabel(self), "Editing")
        self.editing_label.setObjectName("muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.editing_label, 1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        box_layout = QVBoxLayout(box)
        box_layout.addLayout(form)
        box_layout.addWidget(effects_box)
        box_layout.addWidget(self.errors["side_effects"])
        box_layout.addWidget(self.contraception_box)

        # The monthly checklist.
        self.checklist_month = month_spin(self, "Checklist month", low=1)
        self.checklist_button = named(
            QPushButton("Print monthly checklist…", self), "Print monthly checklist"
        )
        self.checklist_button.clicked.connect(self._on_checklist_button_clicked)
        # The end of the course: its state, recording it, the aftercare packet.
        self.completion_label = named(QLabel(self), "Course completion")
        self.completion_label.setWordWrap(True)
        self.completion_label.setVisible(False)
        self.completion_button = named(
            QPushButton(staff_text("completion_button"), self), "Record completion"
        )
        self.completion_button.clicked.connect(self._on_completion_button_clicked)
        self.aftercare_button = named(
            QPushButton(staff_text("aftercare_button"), self), "Aftercare packet"
        )
        self.aftercare_button.clicked.connect(self._on_aftercare_button_clicked)
        checklist_row = QHBoxLayout()
        checklist_row.addWidget(self.completion_button)
        checklist_row.addWidget(self.aftercare_button)
        checklist_row.addStretch(1)
        checklist_row.addWidget(QLabel("Checklist for", self))
        checklist_row.addWidget(self.checklist_month)
        checklist_row.addWidget(self.checklist_button)

        self.message = MessageLabel("Course message", self)
        self.busy = BusyBar(self)
        self.tasks.busy_changed.connect(self.busy._on_tasks_busy_changed)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.dose_label)
        top_layout.addWidget(self.window_label)
        top_layout.addWidget(self.completion_label)
        top_layout.addWidget(self.table, 1)
        top_layout.addLayout(checklist_row)
        form_scroll = QScrollArea(self)
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        form_scroll.setWidget(box)
        form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(form_scroll)
        splitter.setSizes([300, 400])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)  # outside the scrolling form: always in reach
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        self._set_enabled(False)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.save_button, self.new_button, self.checklist_button):
            widget.setEnabled(enabled)
        completed = enabled and self.course is not None and self.course.completion is not None
        # Only a clinician records the end of a course (an administrator may read it).
        clinician = self._actor.role == "clinician"
        self.completion_button.setEnabled(enabled and clinician and not completed)
        self.aftercare_button.setEnabled(completed)

    # --- showing ---------------------------------------------------------------------------------

    def show_course(self, patient_id: int, course: CourseView) -> None:
        changed_patient = patient_id != self.patient_id
        self.patient_id, self.course = patient_id, course
        self._set_enabled(True)
        dose = course.dose
        background, foreground, words = DOSE_STYLES.get(dose.status, DOSE_STYLES["below"])
        if course.follow_ups:
            self.dose_label.setText(
                f"Cumulative dose <b>{dose.cumulative_mg:,.0f} mg</b> = <b>{dose.mg_per_kg:g} mg/kg</b> "
                f"— {words} ({dose.target_low:g}–{dose.target_high:g} mg/kg)"
            )
        else:
            self.dose_label.setText(
                f"No follow-up recorded yet. Target {dose.target_low:g}–{dose.target_high:g} mg/kg cumulative."
            )
            background, foreground = "#f4f6f8", "#1b2a33"
        self.dose_label.setStyleSheet(
            f"QLabel {{ background:{background}; color:{foreground}; border-radius:4px; padding:8px; }}"
        )
        if course.on_hold_since is not None:
            self.window_label.setText(
                f"<b>Course on hold</b>: positive pregnancy test on"
                f" {course.on_hold_since.isoformat()}. Do not prescribe; record 0 mg until a"
                " negative test taken on a later day."
            )
            self.window_label.setStyleSheet(f"color:{RED_FG};")
        elif course.can_become_pregnant:
            if course.collect_by:
                late = course.collect_by < self._ctx.today()
                self.window_label.setText(
                    f"Can become pregnant: the prescription must be collected by "
                    f"<b>{course.collect_by.isoformat()}</b> (7 days from the latest negative test)"
                    + (" — <b>this window has passed; a new test is needed</b>." if late else ".")
                )
                self.window_label.setStyleSheet(f"color:{RED_FG};" if late else "")
            else:
                self.window_label.setText(
                    "Can become pregnant: no negative pregnancy test recorded, so no prescription window yet."
                )
                self.window_label.setStyleSheet(f"color:{AMBER_FG};")
        else:
            self.window_label.setText(
                "Cannot become pregnant: no pregnancy tests or contraception needed."
            )
            self.window_label.setStyleSheet("")
        if course.completion is not None:
            self.window_label.setText(
                staff_text("course_no_prescription")
                if course.on_hold_since is None
                else self.window_label.text()
            )
            self.window_label.setStyleSheet(
                "" if course.on_hold_since is None else f"color:{RED_FG};"
            )
            lines, role = completion_lines(course.completion)
            self.completion_label.setText(lines)
            colours = {"red": (RED_BG, RED_FG), "amber": (AMBER_BG, AMBER_FG)}
            background, foreground = colours.get(role, (GREEN_BG, GREEN_FG))
            self.completion_label.setStyleSheet(
                f"QLabel {{ background:{background}; color:{foreground}; border-radius:4px;"
                " padding:8px; }"
            )
        self.completion_label.setVisible(course.completion is not None)
        self.contraception_box.setVisible(course.can_become_pregnant)
        interval = self._ctx.forms.clinic.visit_interval_days
        rows, styles = [], []
        total = 0.0
        for f in course.follow_ups:
            total += f.daily_dose_mg * interval
            per_kg = total / f.weight_kg if f.weight_kg else 0.0
            status = (
                "below"
                if per_kg < dose.target_low
                else ("within" if per_kg <= dose.target_high else "above")
            )
            contraception = "—"
            if course.can_become_pregnant:
                problem = contraception_problem(list(f.contraception))
                contraception = "Two methods ✓" if problem is None else f"Not adequate: {problem}"
            rows.append(
                (
                    f.month,
                    f.seen_on.isoformat(),
                    f"{f.weight_kg:g} kg",
                    f"{f.daily_dose_mg:g} mg",
                    f"{per_kg:.1f} mg/kg",
                    ", ".join(SIDE_EFFECT_LABELS.get(e, e) for e in f.side_effects) or "None",
                    "—" if f.mood_score is None else f.mood_score,
                    f.sexual_function or "—",
                    contraception,
                    f.notes,
                )
            )
            styles.append(
                (RED_BG, RED_FG, False)
                if (course.can_become_pregnant and contraception.startswith("Not"))
                or (f.mood_score is not None and f.mood_score >= 10)
                or status == "above"
                else None
            )
        fill_table(self.table, rows, styles)
        if changed_patient:
            self._start_new()
        next_month = max((f.month for f in course.follow_ups), default=0) + 1
        self.checklist_month.setValue(min(12, next_month))

    def clear(self) -> None:
        # A packet or checklist still being made is for the patient leaving the screen.
        self.tasks.cancel()
        self.aftercare_tasks.cancel()
        self.patient_id, self.course, self.editing = None, None, None
        self.record_number = ""
        self.table.setRowCount(0)
        self.dose_label.clear()
        self.dose_label.setStyleSheet("")
        self.window_label.clear()
        self.completion_label.clear()
        self.completion_label.setVisible(False)
        if self.completion_dialog is not None:
            self.completion_dialog.reject()
        self._start_new()
        self.message.clear_message()
        if self.preview is not None:
            self.preview.reject()
        self._set_enabled(False)

    # --- the form --------------------------------------------------------------------------------

    def _start_new(self) -> None:
        self.editing = None
        self.editing_label.setText("New follow-up")
        months = [f.month for f in self.course.follow_ups] if self.course else []
        self.month.setValue(min(12, max(months, default=0) + 1))
        self.seen_on.setText(self._ctx.today().isoformat())
        last = self.course.follow_ups[-1] if self.course and self.course.follow_ups else None
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
        self._prefill_from_checkin(months)
        for label in self.errors.values():
            label.clear_message()
        self._on_contraception_toggled(False)

    def _prefill_from_checkin(self, recorded: list[int]) -> None:
        """The month the patient's latest check-in was for, not yet recorded: start from what
        the patient reported there (weight, side effects, mood, contraception), in clinical
        words, for the clinician to check."""
        found = self.course.checkin if self.course else None
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

    def load_month(self, row: FollowUpRow) -> None:
        """Put a recorded month in the form for correction (saved against its version)."""
        self.editing = row
        self.editing_label.setText(f"Editing month {row.month} (version {row.version})")
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
        for label in self.errors.values():
            label.clear_message()

    @Slot()
    def _on_table_item_selection_changed(self) -> None:
        row = self.table.currentRow()
        if self.course and 0 <= row < len(self.course.follow_ups):
            self.load_month(self.course.follow_ups[row])

    @Slot()
    def _on_new_button_clicked(self) -> None:
        self.table.clearSelection()
        self._start_new()

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

    def form_values(self) -> dict[str, Any]:
        return {
            "seen_on": self.seen_on.text(),
            "weight": self.weight.text(),
            "weight_unit": self.weight_unit.currentText(),
            "daily_dose_mg": self.dose.text(),
            "side_effects": [e for e, c in self.side_effects.items() if c.isChecked()],
            "mood_score": None if self.mood.value() < 0 else self.mood.value(),
            "sexual_function": self.sexual.text(),
            "contraception": [m for m, c in self.contraception.items() if c.isChecked()]
            if self.course and self.course.can_become_pregnant
            else [],
            "notes": self.notes.text(),
        }

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    def save(self) -> FollowUpRow | None:
        if self.patient_id is None:
            return None
        for label in self.errors.values():
            label.clear_message()
        self.message.clear_message()
        month = self.month.value()
        expected = None
        if self.editing is not None and self.editing.month == month:
            expected = self.editing.version
        elif self.course and any(f.month == month for f in self.course.follow_ups):
            self.message.show_error(
                f"Month {month} is already recorded. Select it in the table to correct it."
            )
            return None
        try:
            row = self._clinician.record_follow_up(
                self._actor, self.patient_id, month, expected_version=expected, **self.form_values()
            )
        except InvalidInput as exc:
            for key, text in exc.errors.items():
                (self.errors.get(key) or self.message).show_error(text)
            return None
        except Conflict as exc:
            self._reload_after_conflict(month)
            self.message.show_error(exc)
            return None
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return None
        self.message.show_message(f"Saved the month {row.month} follow-up.", "info")
        self.follow_up_saved.emit(row)
        return row

    def _reload_after_conflict(self, month: int) -> None:
        if self.patient_id is None:
            return
        try:
            course = self._clinician.course(self._actor, self.patient_id)
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        self.show_course(self.patient_id, course)
        stored = next((f for f in course.follow_ups if f.month == month), None)
        if stored is not None:
            self.load_month(stored)
        else:
            self._start_new()

    # --- the end of the course -------------------------------------------------------------------

    @Slot()
    def _on_completion_button_clicked(self) -> None:
        self.open_completion()

    def open_completion(self) -> CompletionDialog | None:
        """The dialog that records the end of the course (it saves through the operations helper)."""
        if self.patient_id is None or self.course is None:
            return None
        dialog = CompletionDialog(
            self._ctx, self._actor, self.patient_id, self.course.dose.mg_per_kg, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.completion_recorded.connect(self._on_completion_dialog_completion_recorded)
        dialog.finished.connect(self._on_completion_dialog_finished)
        self.completion_dialog = dialog
        dialog.open()
        self.completion_dialog_opened.emit(dialog)
        return dialog

    @Slot(object)
    def _on_completion_dialog_completion_recorded(self, row: object) -> None:
        self.message.show_message(staff_text("completion_saved"), "info")
        self.completion_recorded.emit(row)

    @Slot(int)
    def _on_completion_dialog_finished(self, _result: int) -> None:
        self.completion_dialog = None

    @Slot()
    def _on_aftercare_button_clicked(self) -> None:
        self.open_aftercare()

    def open_aftercare(self) -> None:
        """Issue the aftercare packet (once; later the stored one) off the GUI thread, then
        preview it (print from there). The patient and record number are the ones shown when
        it starts: its result is dropped if another patient is shown by then."""
        if self.patient_id is None:
            return
        patient_id, record_number = self.patient_id, self.record_number
        self.message.clear_message()
        self.aftercare_button.setEnabled(False)
        docs = document_service(self._ctx)

        def work() -> bytes:
            info = docs.issue_aftercare(self._actor, patient_id)
            return docs.open_pdf(self._actor, info.id, "view")

        self.aftercare_tasks.run(
            work,
            lambda data: self._show_aftercare(patient_id, record_number, data),
            lambda exc: self._on_aftercare_failed(patient_id, exc),
        )

    def _on_aftercare_failed(self, patient_id: int, exc: BaseException) -> None:
        if patient_id != self.patient_id:
            return  # another patient is shown now: not theirs to read
        self.aftercare_button.setEnabled(
            self.course is not None and self.course.completion is not None
        )
        self.message.show_error(describe_error(exc))

    def _show_aftercare(self, patient_id: int, record_number: str, data: bytes) -> None:
        if patient_id != self.patient_id:
            return  # another patient is shown now: their screen shows no one else's packet
        self.aftercare_button.setEnabled(True)
        title = staff_text("aftercare_preview")
        self._preview(data, title, record_number, self.aftercare_opened)

    def _preview(self, data: bytes, title: str, record_number: str, opened: Any) -> None:
        """Show the PDF in the preview dialog, its print job named for the patient it is for."""
        try:
            dialog = PdfPreviewDialog(
                data,
                title,
                job_name=" · ".join(p for p in (title, record_number) if p),
                parent=self,
            )
        except PrintFailed as exc:
            self.message.show_error(str(exc))
            return
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_preview_finished)
        self.preview = dialog
        dialog.open()
        opened.emit(dialog)

    # --- checklist -------------------------------------------------------------------------------

    @Slot()
    def _on_checklist_button_clicked(self) -> None:
        self.open_checklist(self.checklist_month.value())

    def open_checklist(self, month: int) -> None:
        """Make the month's checklist off the GUI thread, then preview it (print from there);
        dropped, as the aftercare packet, if another patient is shown by then."""
        if self.patient_id is None:
            return
        patient_id, record_number = self.patient_id, self.record_number
        self.message.clear_message()
        self.checklist_button.setEnabled(False)
        self.tasks.run(
            lambda: document_service(self._ctx).checklist_pdf(self._actor, patient_id, month),
            lambda data: self._show_checklist(patient_id, record_number, month, data),
            lambda exc: self._on_checklist_failed(patient_id, exc),
        )

    def _on_checklist_failed(self, patient_id: int, exc: BaseException) -> None:
        if patient_id != self.patient_id:
            return
        self.checklist_button.setEnabled(True)
        self.message.show_error(describe_error(exc))

    def _show_checklist(self, patient_id: int, record_number: str, month: int, data: bytes) -> None:
        if patient_id != self.patient_id:
            return
        self.checklist_button.setEnabled(True)
        self._preview(
            data, f"Monthly checklist, month {month}", record_number, self.checklist_opened
        )

    @Slot(int)
    def _on_preview_finished(self, _result: int) -> None:
        self.preview = None
