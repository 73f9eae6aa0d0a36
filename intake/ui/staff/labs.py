"""Lab results (ranges from the clinic profile, out-of-range highlighted) and pregnancy tests."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
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

from intake.services.clinician import ClinicianService, CourseView, LabRow
from intake.services.context import Actor, AppContext
from intake.services.errors import InvalidInput, ServiceError
from intake.ui.common import (
    GREY_FG,
    RED_BG,
    RED_FG,
    MessageLabel,
    describe_error,
    fill_table,
    make_table,
    named,
)
from intake.ui.operations import KNOWN_ERRORS


def month_spin(parent: QWidget, name: str, low: int = 0) -> QSpinBox:
    spin = QSpinBox(parent)
    named(spin, name)
    spin.setRange(low, 12)
    if low == 0:
        spin.setSpecialValueText("Baseline")
    spin.setPrefix("" if low == 0 else "Month ")
    return spin


def short_lab_name(label: str) -> str:
    """'ALT (liver enzyme)' -> 'ALT'; 'Total cholesterol' -> 'Cholesterol'."""
    short = label.split(" (")[0]
    return short[6:].capitalize() if short.startswith("Total ") else short


def month_text(month: int) -> str:
    return "Baseline" if month == 0 else f"Month {month}"


class LabsWidget(QWidget):
    """Record ALT, AST, cholesterol, triglycerides and pregnancy tests; see them all, flagged."""

    lab_recorded = Signal(object)  # LabRow
    pregnancy_test_recorded = Signal(object)  # PregnancyTestRow

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, "Labs and tests", "labs_tab")
        self._ctx, self._actor = ctx, actor
        self._clinician = ClinicianService(ctx)
        self.patient_id: int | None = None
        clinic = ctx.forms.clinic

        # Lab results.
        lab_box = QGroupBox("Blood tests", self)
        named(lab_box, "Blood tests")
        # One blood draw, one form: every test of the panel, one save (blank ones are skipped).
        lab_form = QFormLayout()
        self.values: dict[str, QLineEdit] = {}
        self.lab_errors = {
            key: MessageLabel(f"Lab {key} problem", lab_box)
            for key in (*(lab.id for lab in clinic.labs), "panel", "taken_on", "course_month")
        }
        for lab in clinic.labs:
            label = lab.label("en")
            field = named(QLineEdit(lab_box), f"{label} result")
            field.setPlaceholderText(f"{lab.low:g}–{lab.high:g}")
            critical = f" · critical above {lab.critical_high:g}" if lab.critical_high else ""
            field.setToolTip(f"Reference range {lab.low:g}–{lab.high:g} {lab.unit}{critical}")
            unit = QLabel(lab.unit, lab_box)
            unit.setObjectName("muted")
            # One width for every unit, so the fields line up.
            units = [x.unit for x in clinic.labs]
            unit.setMinimumWidth(max(unit.fontMetrics().horizontalAdvance(u) for u in units) + 4)
            row = QHBoxLayout()
            row.addWidget(field, 1)
            row.addWidget(unit)
            self.values[lab.id] = field
            lab_form.addRow(short_lab_name(label), row)
            lab_form.addRow("", self.lab_errors[lab.id])
        self.lab_taken_on = named(QLineEdit(lab_box), "Lab taken on")
        self.lab_taken_on.setPlaceholderText("YYYY-MM-DD")
        self.lab_month = month_spin(lab_box, "Lab course month")
        # Fields as wide as what is typed in them, so the results table has the room.
        digits = self.lab_taken_on.fontMetrics().horizontalAdvance("0000-00-00") + 24
        sized: list[QWidget] = [*self.values.values(), self.lab_taken_on, self.lab_month]
        for widget in sized:
            widget.setMaximumWidth(digits + 20)
        lab_form.addRow("Taken on", self.lab_taken_on)
        lab_form.addRow("", self.lab_errors["taken_on"])
        lab_form.addRow("Course month", self.lab_month)
        lab_form.addRow("", self.lab_errors["course_month"])
        lab_form.addRow("", self.lab_errors["panel"])
        self.record_lab_button = named(QPushButton("Record results", lab_box), "Record lab results")
        self.record_lab_button.clicked.connect(self._on_record_lab_button_clicked)
        # One row per blood draw, one column per test: a month's results read across.
        self.lab_columns = [lab.id for lab in clinic.labs]
        headers = tuple(
            f"{short_lab_name(lab.label('en'))}\n{lab.low:g}–{lab.high:g} {lab.unit}"
            for lab in clinic.labs
        )
        # Every column as wide as its header and results need: a header is never cut short
        # (a narrower screen scrolls the table instead).
        self.labs_table = make_table(lab_box, "Lab results", ("Taken on", "Month", *headers), ())
        lab_layout = QHBoxLayout(lab_box)
        form_column = QVBoxLayout()
        form_column.addLayout(lab_form)
        form_column.addWidget(self.record_lab_button)
        form_column.addStretch(1)
        # The form takes the width it needs; the table the rest.
        lab_layout.addLayout(form_column, 0)
        lab_layout.addWidget(self.labs_table, 1)

        # Pregnancy tests.
        test_box = QGroupBox("Pregnancy tests", self)
        named(test_box, "Pregnancy tests")
        test_form = QFormLayout()
        self.pregnancy_note = named(QLabel(test_box), "Pregnancy test note")
        self.pregnancy_note.setWordWrap(True)
        self.test_taken_on = named(QLineEdit(test_box), "Pregnancy test taken on")
        self.test_taken_on.setPlaceholderText("YYYY-MM-DD")
        self.test_result = named(QComboBox(test_box), "Pregnancy test result")
        # No default: a result is recorded only when someone chose it.
        self.test_result.addItem("Choose the result…", "")
        self.test_result.addItem("Negative", "negative")
        self.test_result.addItem("Positive", "positive")
        self.test_month = month_spin(test_box, "Pregnancy test course month")
        self.test_errors = {
            key: MessageLabel(f"Pregnancy test {key} problem", test_box)
            for key in ("taken_on", "result")
        }
        test_form.addRow(self.pregnancy_note)
        test_form.addRow("Taken on", self.test_taken_on)
        test_form.addRow("", self.test_errors["taken_on"])
        test_form.addRow("Result", self.test_result)
        test_form.addRow("", self.test_errors["result"])
        test_form.addRow("Course month", self.test_month)
        self.record_test_button = named(
            QPushButton("Record pregnancy test", test_box), "Record pregnancy test"
        )
        self.record_test_button.clicked.connect(self._on_record_test_button_clicked)
        self.tests_table = make_table(
            test_box,
            "Pregnancy test results",
            ("Taken on", "Month", "Result", "Collect prescription by"),
            3,
        )
        test_layout = QHBoxLayout(test_box)
        column = QVBoxLayout()
        column.addLayout(test_form)
        column.addWidget(self.record_test_button)
        column.addStretch(1)
        test_layout.addLayout(column, 2)
        test_layout.addWidget(self.tests_table, 4)

        self.message = MessageLabel("Labs message", self)
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
                    t.result.capitalize(),
                    t.collect_by.isoformat() if t.collect_by else "—",
                )
            )
            tstyles.append((RED_BG, RED_FG, True) if t.result == "positive" else None)
        fill_table(self.tests_table, trows, tstyles)
        if course.can_become_pregnant:
            window = (
                f" Current prescription must be collected by <b>{course.collect_by.isoformat()}</b>."
                if course.collect_by
                else " No negative test recorded yet."
            )
            self.pregnancy_note.setText(
                "Can become pregnant: a test before starting, every month, and after finishing."
                + window
            )
            self.pregnancy_note.setStyleSheet("")
        else:
            self.pregnancy_note.setText("Cannot become pregnant: tests are not required.")
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
                text = ", ".join(
                    f"{x.value:g}"
                    + {"high": " ↑ high", "low": " ↓ low", "critical": " ‼ CRITICAL"}.get(
                        x.flag, ""
                    )
                    for x in results
                )
                item = QTableWidgetItem(text or "—")
                if any(x.flag for x in results):
                    item.setBackground(QBrush(QColor(RED_BG)))
                    item.setForeground(QBrush(QColor(RED_FG)))
                    item.setFont(bold)
                elif not results:
                    item.setForeground(QBrush(QColor(GREY_FG)))
                try:
                    info = self._ctx.forms.clinic.lab(test)
                    critical = (
                        f"; critical above {info.critical_high:g}"
                        if info.critical_high is not None
                        else ""
                    )
                    item.setToolTip(
                        f"{info.label('en')}: reference range {info.low:g}–{info.high:g}"
                        f" {info.unit}{critical}"
                    )
                except KeyError:
                    pass
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
            for key, text in exc.errors.items():
                (self.lab_errors.get(key) or self.message).show_error(text)
            return
        except ServiceError as exc:
            self.message.show_error(describe_error(exc))
            return
        for field in self.values.values():
            field.clear()
        words = {"high": "high", "low": "low", "critical": "CRITICAL"}
        parts = [
            f"{short_lab_name(self._ctx.forms.clinic.lab(r.test).label('en'))} {r.value:g}"
            f" {r.unit}" + (f" {words[r.flag]}" if r.flag else "")
            for r in rows
        ]
        kind = (
            "error"
            if any(r.flag == "critical" for r in rows)
            else "warning"
            if any(r.flag for r in rows)
            else "info"
        )
        tail = " Critical results are alerts on the visit's summary." if kind == "error" else ""
        self.message.show_message(f"Recorded {'; '.join(parts)}.{tail}", kind)
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
            )
        except InvalidInput as exc:
            for key, text in exc.errors.items():
                (self.test_errors.get(key) or self.message).show_error(text)
            return
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        if row.result == "positive":
            self.message.show_message(
                "Recorded a POSITIVE pregnancy test: do not prescribe; stop treatment and follow the programme.",
                "error",
            )
        else:
            self.message.show_message(
                f"Recorded a negative pregnancy test; prescription to be collected by {row.collect_by}.",
                "info",
            )
        self.test_result.setCurrentIndex(0)  # the next test starts with no result chosen
        self.pregnancy_test_recorded.emit(row)
