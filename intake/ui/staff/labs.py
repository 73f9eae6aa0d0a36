"""Lab results (ranges from the clinic profile, out-of-range highlighted) and pregnancy tests."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.forms.model import LabRange
from intake.services.clinician import ClinicianService, CourseView, LabRow
from intake.services.context import Actor, AppContext
from intake.services.errors import InvalidInput, ServiceError
from intake.ui.common import (
    GREY_FG,
    RED_BG,
    RED_FG,
    MessageLabel,
    fill_table,
    make_table,
    named,
    words,
)
from intake.ui.operations import KNOWN_ERRORS
from intake.ui.staff.course_words import (
    lab_label,
    lab_short,
    month_text,
    plain,
    refusal,
    text,
    unit_text,
)


def month_spin(parent: QWidget, name: str, low: int = 0, *, object_name: str = "") -> QSpinBox:
    """A course month chooser, 0 ("Baseline") or ``low`` to 12 ("Month 3")."""
    spin = QSpinBox(parent)
    named(spin, name, object_name or None)
    spin.setRange(low, 12)
    if low == 0:
        spin.setSpecialValueText(text("baseline"))
    spin.setPrefix("" if low == 0 else text("month_prefix"))
    return spin


def _problem_line(parent: QWidget, field: str, object_name: str) -> MessageLabel:
    """A field's problem line, named for the field in the staff language."""
    label = MessageLabel(words("staff.problem_of", name=field), parent)
    label.setObjectName(object_name)
    return label


def _range(lab: LabRange) -> tuple[str, str]:
    return plain(lab.low), plain(lab.high)


class LabsWidget(QWidget):
    """Record ALT, AST, cholesterol, triglycerides and pregnancy tests; see them all, flagged."""

    lab_recorded = Signal(object)  # LabRow
    pregnancy_test_recorded = Signal(object)  # PregnancyTestRow

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, text("labs_tab"), "labs_tab")
        self._ctx, self._actor = ctx, actor
        self._clinician = ClinicianService(ctx)
        self.patient_id: int | None = None
        clinic = ctx.forms.clinic

        # Lab results.
        lab_box = QGroupBox(text("blood_tests"), self)
        named(lab_box, text("blood_tests"), "blood_tests")
        # One blood draw, one form: every test of the panel, one save (blank ones are skipped).
        lab_form = QFormLayout()
        self.values: dict[str, QLineEdit] = {}
        self.lab_errors = {
            lab.id: _problem_line(lab_box, lab_short(lab), f"lab_{lab.id}_problem")
            for lab in clinic.labs
        }
        for key, field_key in (
            ("panel", "blood_tests"),
            ("taken_on", "lab_taken_on"),
            ("course_month", "lab_course_month"),
        ):
            self.lab_errors[key] = _problem_line(lab_box, text(field_key), f"lab_{key}_problem")
        units = [unit_text(x.unit) for x in clinic.labs]
        for lab in clinic.labs:
            label, (low, high), unit_said = lab_label(lab), _range(lab), unit_text(lab.unit)
            english = lab.label(i18n.source_language())
            field = named(
                QLineEdit(lab_box),
                text("lab_result_name", label=label),
                f"{english} result".lower().replace(" ", "_"),
            )
            field.setPlaceholderText(text("range", low=low, high=high))
            tip = {"low": low, "high": high, "unit": unit_said}
            field.setToolTip(
                text("lab_range_tip_critical", critical=plain(lab.critical_high), **tip)
                if lab.critical_high
                else text("lab_range_tip", **tip)
            )
            unit = QLabel(unit_said, lab_box)
            unit.setObjectName("muted")
            # One width for every unit, so the fields line up.
            unit.setMinimumWidth(max(unit.fontMetrics().horizontalAdvance(u) for u in units) + 4)
            row = QHBoxLayout()
            row.addWidget(field, 1)
            row.addWidget(unit)
            self.values[lab.id] = field
            lab_form.addRow(lab_short(lab), row)
            lab_form.addRow("", self.lab_errors[lab.id])
        self.lab_taken_on = named(QLineEdit(lab_box), text("lab_taken_on"), "lab_taken_on")
        self.lab_taken_on.setPlaceholderText(text("date_hint"))
        self.lab_month = month_spin(
            lab_box, text("lab_course_month"), object_name="lab_course_month"
        )
        # Fields as wide as what is typed in them, so the results table has the room.
        digits = self.lab_taken_on.fontMetrics().horizontalAdvance("0000-00-00") + 24
        sized: list[QWidget] = [*self.values.values(), self.lab_taken_on, self.lab_month]
        for widget in sized:
            widget.setMaximumWidth(digits + 20)
        lab_form.addRow(text("taken_on"), self.lab_taken_on)
        lab_form.addRow("", self.lab_errors["taken_on"])
        lab_form.addRow(text("course_month"), self.lab_month)
        lab_form.addRow("", self.lab_errors["course_month"])
        lab_form.addRow("", self.lab_errors["panel"])
        self.record_lab_button = named(
            QPushButton(text("record_results"), lab_box),
            text("record_results_name"),
            "record_lab_results",
        )
        self.record_lab_button.clicked.connect(self._on_record_lab_button_clicked)
        # One row per blood draw, one column per test: a month's results read across.
        self.lab_columns = [lab.id for lab in clinic.labs]
        headers = tuple(
            text(
                "lab_header",
                name=lab_short(lab),
                low=_range(lab)[0],
                high=_range(lab)[1],
                unit=unit_text(lab.unit),
            )
            for lab in clinic.labs
        )
        # Every column as wide as its header and results need: a header is never cut short
        # (a narrower screen scrolls the table instead).
        self.labs_table = make_table(
            lab_box, text("lab_results"), (text("taken_on"), text("col_month"), *headers), ()
        )
        self.labs_table.setObjectName("lab_results")
        lab_layout = QHBoxLayout(lab_box)
        form_column = QVBoxLayout()
        form_column.addLayout(lab_form)
        form_column.addWidget(self.record_lab_button)
        form_column.addStretch(1)
        # The form takes the width it needs; the table the rest.
        lab_layout.addLayout(form_column, 0)
        lab_layout.addWidget(self.labs_table, 1)

        # Pregnancy tests.
        test_box = QGroupBox(text("pregnancy_tests"), self)
        named(test_box, text("pregnancy_tests"), "pregnancy_tests")
        test_form = QFormLayout()
        self.pregnancy_note = named(
            QLabel(test_box), text("pregnancy_note_name"), "pregnancy_test_note"
        )
        self.pregnancy_note.setWordWrap(True)
        self.test_taken_on = named(
            QLineEdit(test_box), text("test_taken_on"), "pregnancy_test_taken_on"
        )
        self.test_taken_on.setPlaceholderText(text("date_hint"))
        self.test_result = named(QComboBox(test_box), text("test_result"), "pregnancy_test_result")
        # No default: a result is recorded only when someone chose it.
        self.test_result.addItem(text("choose_result"), "")
        self.test_result.addItem(text("result_negative"), "negative")
        self.test_result.addItem(text("result_positive"), "positive")
        self.test_month = month_spin(
            test_box, text("test_course_month"), object_name="pregnancy_test_course_month"
        )
        # A test the patient did at home: the programme rules in force decide if it counts.
        self.test_at_home = named(
            QCheckBox(text("at_home"), test_box), text("at_home_name"), "pregnancy_test_at_home"
        )
        self.test_at_home.setToolTip(text("at_home_tip"))
        self.test_errors = {
            "taken_on": _problem_line(
                test_box, text("test_taken_on"), "pregnancy_test_taken_on_problem"
            ),
            "result": _problem_line(test_box, text("test_result"), "pregnancy_test_result_problem"),
        }
        test_form.addRow(self.pregnancy_note)
        test_form.addRow(text("taken_on"), self.test_taken_on)
        test_form.addRow("", self.test_errors["taken_on"])
        test_form.addRow(text("result"), self.test_result)
        test_form.addRow("", self.test_errors["result"])
        test_form.addRow(text("course_month"), self.test_month)
        test_form.addRow("", self.test_at_home)
        self.record_test_button = named(
            QPushButton(text("record_test"), test_box), text("record_test"), "record_pregnancy_test"
        )
        self.record_test_button.clicked.connect(self._on_record_test_button_clicked)
        self.tests_table = make_table(
            test_box,
            text("test_results"),
            (text("taken_on"), text("col_month"), text("col_result"), text("col_collect_by")),
            3,
        )
        self.tests_table.setObjectName("pregnancy_test_results")
        test_layout = QHBoxLayout(test_box)
        column = QVBoxLayout()
        column.addLayout(test_form)
        column.addWidget(self.record_test_button)
        column.addStretch(1)
        test_layout.addLayout(column, 2)
        test_layout.addWidget(self.tests_table, 4)

        self.message = MessageLabel(words("staff.message_of", name=text("labs_tab")), self)
        self.message.setObjectName("labs_message")
        layout = QVBoxLayout(self)
        layout.addWidget(lab_box, 3)
        layout.addWidget(test_box, 2)
        layout.addWidget(self.message)
        self.set_enabled(False)

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.record_lab_button, self.record_test_button):
            widget.setEnabled(enabled)

    def show_course(self, patient_id: int, course: CourseView) -> None:
        self.patient_id = patient_id
        self.set_enabled(True)
        today = self._ctx.today().isoformat()
        for edit in (self.lab_taken_on, self.test_taken_on):
            if not edit.text():
                edit.setText(today)
        self._fill_labs(course)
        trows, tstyles = [], []
        for t in sorted(course.pregnancy_tests, key=lambda t: t.taken_on, reverse=True):
            trows.append(
                (
                    t.taken_on.isoformat(),
                    month_text(t.course_month),
                    text(f"result_{t.result}")
                    if t.result in ("negative", "positive")
                    else t.result,
                    t.collect_by.isoformat() if t.collect_by else text("none"),
                )
            )
            tstyles.append((RED_BG, RED_FG, True) if t.result == "positive" else None)
        fill_table(self.tests_table, trows, tstyles)
        if course.can_become_pregnant:
            self.pregnancy_note.setText(
                text("note_collect_by", date=course.collect_by.isoformat())
                if course.collect_by
                else text("note_no_negative")
            )
            self.pregnancy_note.setStyleSheet("")
        else:
            self.pregnancy_note.setText(text("note_cannot"))
            self.pregnancy_note.setStyleSheet(f"color:{GREY_FG};")

    def _fill_labs(self, course: CourseView) -> None:
        draws: dict[tuple[dt.date, int], dict[str, list[LabRow]]] = {}
        for lab in course.labs:
            draws.setdefault((lab.taken_on, lab.course_month), {}).setdefault(lab.test, []).append(
                lab
            )
        keys = sorted(draws, key=lambda k: (k[0], k[1]), reverse=True)  # newest first
        table = self.labs_table
        table.setRowCount(len(keys))
        bold = QFont(table.font())
        bold.setBold(True)
        for r, key in enumerate(keys):
            table.setItem(r, 0, QTableWidgetItem(key[0].isoformat()))
            table.setItem(r, 1, QTableWidgetItem(month_text(key[1])))
            for c, test in enumerate(self.lab_columns, start=2):
                results = draws[key].get(test, [])
                said = ", ".join(
                    text(f"flag_{x.flag}", value=plain(x.value)) if x.flag else plain(x.value)
                    for x in results
                )
                item = QTableWidgetItem(said or text("none"))
                if any(x.flag for x in results):
                    item.setBackground(QBrush(QColor(RED_BG)))
                    item.setForeground(QBrush(QColor(RED_FG)))
                    item.setFont(bold)
                elif not results:
                    item.setForeground(QBrush(QColor(GREY_FG)))
                try:
                    info = self._ctx.forms.clinic.lab(test)
                except KeyError:
                    info = None
                if info is not None:
                    low, high = _range(info)
                    tip = {"label": lab_label(info), "low": low, "high": high}
                    tip["unit"] = unit_text(info.unit)
                    item.setToolTip(
                        text("lab_cell_tip_critical", critical=plain(info.critical_high), **tip)
                        if info.critical_high is not None
                        else text("lab_cell_tip", **tip)
                    )
                table.setItem(r, c, item)
        table.resizeRowsToContents()

    def lab_cell(self, taken_on: dt.date, month: int, test: str) -> QTableWidgetItem | None:
        """The table cell of one result (tests read the highlighting from it)."""
        table = self.labs_table
        for r in range(table.rowCount()):
            day, when = table.item(r, 0), table.item(r, 1)
            if (
                day
                and when
                and (day.text(), when.text()) == (taken_on.isoformat(), month_text(month))
            ):
                return table.item(r, 2 + self.lab_columns.index(test))
        return None

    def clear(self) -> None:
        self.patient_id = None
        self.labs_table.setRowCount(0)
        self.tests_table.setRowCount(0)
        for field in self.values.values():
            field.clear()
        self.pregnancy_note.clear()
        self.message.clear_message()
        for label in (*self.lab_errors.values(), *self.test_errors.values()):
            label.clear_message()
        self.set_enabled(False)

    @Slot()
    def _on_record_lab_button_clicked(self) -> None:
        if self.patient_id is None:
            return
        for label in self.lab_errors.values():
            label.clear_message()
        self.message.clear_message()
        try:
            rows = self._clinician.record_lab_panel(
                self._actor,
                self.patient_id,
                {test: field.text() for test, field in self.values.items()},
                self.lab_taken_on.text(),
                self.lab_month.value(),
            )
        except InvalidInput as exc:
            for key, problem in exc.errors.items():
                (self.lab_errors.get(key) or self.message).show_error(problem)
            return
        except ServiceError as exc:
            self.message.show_error(refusal(exc))
            return
        for field in self.values.values():
            field.clear()
        clinic = self._ctx.forms.clinic
        parts = [
            text(
                f"result_part_{r.flag}" if r.flag else "result_part",
                name=lab_short(clinic.lab(r.test)),
                value=plain(r.value),
                unit=unit_text(r.unit),
            )
            for r in rows
        ]
        kind = (
            "error"
            if any(r.flag == "critical" for r in rows)
            else "warning"
            if any(r.flag for r in rows)
            else "info"
        )
        key = "results_recorded_critical" if kind == "error" else "results_recorded"
        self.message.show_message(text(key, results="; ".join(parts)), kind)
        for r in rows:
            self.lab_recorded.emit(r)

    @Slot()
    def _on_record_test_button_clicked(self) -> None:
        if self.patient_id is None:
            return
        for label in self.test_errors.values():
            label.clear_message()
        self.message.clear_message()
        try:
            row = self._clinician.record_pregnancy_test(
                self._actor,
                self.patient_id,
                self.test_taken_on.text(),
                self.test_result.currentData(),
                self.test_month.value(),
                at_home=self.test_at_home.isChecked(),
            )
        except InvalidInput as exc:
            for key, problem in exc.errors.items():
                (self.test_errors.get(key) or self.message).show_error(problem)
            return
        except KNOWN_ERRORS as exc:
            self.message.show_error(refusal(exc))
            return
        if row.result == "positive":
            self.message.show_message(text("test_positive_recorded"), "error")
        elif row.collect_by is not None:
            self.message.show_message(
                text("test_negative_recorded", date=row.collect_by.isoformat()), "info"
            )
        else:
            self.message.show_message(text("test_negative_recorded_no_window"), "info")
        self.test_result.setCurrentIndex(0)  # the next test starts with no result chosen
        self.test_at_home.setChecked(False)  # and done in a medical setting
        self.pregnancy_test_recorded.emit(row)
