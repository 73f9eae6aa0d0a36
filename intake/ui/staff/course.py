"""The treatment course month by month: weight, dose, cumulative mg/kg, side effects, mood, contraception."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, SignalInstance, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

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
    make_table,
    named,
    primary,
    staff_number,
)
from intake.ui.operations import KNOWN_ERRORS, Operation, Reentry
from intake.ui.staff.completion import CourseEnd, completion_lines
from intake.ui.staff.completion import text as staff_text
from intake.ui.staff.course_words import (
    contraception_problem_text,
    fixed,
    plain,
    side_effect_label,
    text,
)
from intake.ui.staff.follow_up_form import FollowUpForm
from intake.ui.staff.labs import month_spin
from intake.ui.staff.packets import document_service
from intake.ui.staff.pdf_preview import PdfPreviewDialog, PrintFailed
from intake.ui.staff.reflow import ReflowLayout

DOSE_STYLES = {
    "below": (AMBER_BG, AMBER_FG),
    "within": (GREEN_BG, GREEN_FG),
    "above": (RED_BG, RED_FG),
}


def _tint(label: QLabel, background: str, foreground: str) -> None:
    """A line over the table drawn as a box in these colours."""
    label.setStyleSheet(
        f"QLabel {{ background:{background}; color:{foreground}; border-radius:4px; padding:8px; }}"
    )


def course_rows(course: CourseView, interval: int) -> tuple[list[tuple[Any, ...]], list[Any]]:
    """The course table's rows, month by month (the dose reached at each, the days between
    visits being ``interval``), and their styles: red for a month to look at."""
    dose = course.dose
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
        contraception, problem = text("none"), None
        if course.can_become_pregnant:
            problem = contraception_problem_text(f.contraception)
            contraception = (
                text("cell_contraception_ok")
                if problem is None
                else text("cell_contraception_problem", problem=problem)
            )
        rows.append(
            (
                f.month,
                f.seen_on.isoformat(),
                text("cell_weight", weight=plain(f.weight_kg)),
                text("cell_dose", dose=plain(f.daily_dose_mg)),
                text("cell_per_kg", value=fixed(per_kg, 1)),
                ", ".join(side_effect_label(e) for e in f.side_effects)
                or text("cell_no_side_effects"),
                text("none") if f.mood_score is None else f.mood_score,
                f.sexual_function or text("none"),
                contraception,
                f.notes,
            )
        )
        styles.append(
            (RED_BG, RED_FG, False)
            if (course.can_become_pregnant and problem is not None)
            or (f.mood_score is not None and f.mood_score >= 10)
            or status == "above"
            else None
        )
    return rows, styles


class _WrappingPane(QWidget):
    """A splitter's pane whose lines wrap (labels, reflowing buttons): it asks for the height
    its contents need at the width it has, so the splitter never squeezes them into each other."""

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            need = layout.heightForWidth(event.size().width())
            if need != self.minimumHeight():
                self.setMinimumHeight(need)


class CourseWidget(QWidget):
    """The course table, the month's follow-up form, and the printable monthly checklist."""

    follow_up_saved = Signal(object)  # FollowUpRow
    checklist_opened = Signal(object)  # PdfPreviewDialog
    completion_recorded = Signal(object)  # CompletionRow
    completion_dialog_opened = Signal(object)  # CompletionDialog
    aftercare_opened = Signal(object)  # PdfPreviewDialog

    COLUMNS = (
        "col_month",
        "col_seen_on",
        "col_weight",
        "col_daily_dose",
        "col_cumulative",
        "col_side_effects",
        "col_phq9",
        "col_sexual",
        "col_contraception",
        "col_notes",
    )

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, text("tab_name"), "course_tab")
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

        self.dose_label = named(QLabel(self), text("dose_name"), "cumulative_dose")
        self.dose_label.setWordWrap(True)
        self.window_label = named(QLabel(self), text("window_name"), "prescription_window")
        self.window_label.setWordWrap(True)
        columns = tuple(text(c) for c in self.COLUMNS)
        self.table = make_table(self, text("months_name"), columns, (5, 9))
        self.table.setObjectName("course_months")
        self.table.setMinimumHeight(170)
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)

        self.form = FollowUpForm(ctx, self)
        # The form's fields, by the names the course view has always given them.
        form = self.form
        self.month, self.seen_on = form.month, form.seen_on
        self.weight, self.weight_unit = form.weight, form.weight_unit
        self.dose, self.mood = form.dose, form.mood
        self.sexual, self.notes = form.sexual, form.notes
        self.side_effects, self.contraception = form.side_effects, form.contraception
        self.contraception_state, self.errors = form.contraception_state, form.errors
        said = text("save_follow_up")
        self.save_button = primary(named(QPushButton(said, self), said, "save_follow-up"))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        said = text("new_month")
        self.new_button = named(QPushButton(said, self), said, "new_month")
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.editing_label = named(QLabel(self), text("editing_name"), "muted")
        self.editing_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.editing_label, 1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)

        # The monthly checklist.
        self.checklist_month = month_spin(
            self, text("checklist_month"), low=1, object_name="checklist_month"
        )
        self.checklist_button = named(
            QPushButton(text("checklist_button"), self),
            text("checklist_button_name"),
            "print_monthly_checklist",
        )
        self.checklist_button.clicked.connect(self._on_checklist_button_clicked)
        # The end of the course: its state, recording it, the aftercare packet.
        self.completion_label = named(QLabel(self), text("completion_name"), "course_completion")
        self.completion_label.setWordWrap(True)
        self.completion_label.setVisible(False)
        self.end = CourseEnd(ctx, actor, self)
        self.end.completion_recorded.connect(self.completion_recorded)
        self.end.dialog_opened.connect(self.completion_dialog_opened)
        self.end.aftercare_opened.connect(self.aftercare_opened)
        self.completion_button = self.end.completion_button
        self.aftercare_button = self.end.aftercare_button
        self.aftercare_tasks = self.end.tasks
        # The buttons wrap onto a second line on a narrow screen rather than widen the page.
        checklist_row = ReflowLayout()
        checklist_row.addWidget(self.completion_button)
        checklist_row.addWidget(self.aftercare_button)
        checklist = QWidget(self)
        checklist_parts = QHBoxLayout(checklist)
        checklist_parts.setContentsMargins(0, 0, 0, 0)
        checklist_parts.addWidget(QLabel(text("checklist_for"), checklist))
        checklist_parts.addWidget(self.checklist_month)
        checklist_parts.addWidget(self.checklist_button)
        checklist_row.addWidget(checklist)

        self.message = MessageLabel(text("message_name"), self)
        self.message.setObjectName("course_message")
        self.busy = BusyBar(self)
        self.tasks.busy_changed.connect(self.busy._on_tasks_busy_changed)

        top = _WrappingPane(self)
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
        form_scroll.setWidget(self.form)
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
        self.end.set_enabled(enabled)

    # --- showing ---------------------------------------------------------------------------------

    def show_course(self, patient_id: int, course: CourseView) -> None:
        changed_patient = patient_id != self.patient_id
        self.patient_id, self.course = patient_id, course
        self._set_enabled(True)
        dose = course.dose
        status = dose.status if dose.status in DOSE_STYLES else "below"
        background, foreground = DOSE_STYLES[status]
        target = {"low": plain(dose.target_low), "high": plain(dose.target_high)}
        if course.follow_ups:
            self.dose_label.setText(
                text(
                    "dose_line",
                    mg=staff_number(dose.cumulative_mg, places=0),
                    per_kg=plain(dose.mg_per_kg),
                    status=text(f"dose_{status}"),
                    **target,
                )
            )
        else:
            self.dose_label.setText(text("dose_none", **target))
            background, foreground = "#f4f6f8", "#1b2a33"
        _tint(self.dose_label, background, foreground)
        if course.on_hold_since is not None:
            self.window_label.setText(text("on_hold", date=course.on_hold_since.isoformat()))
            self.window_label.setStyleSheet(f"color:{RED_FG};")
        elif course.completion is not None:
            self.window_label.setText(staff_text("course_no_prescription"))
            self.window_label.setStyleSheet("")
        elif course.can_become_pregnant:
            if course.collect_by:
                late = course.collect_by < self._ctx.today()
                self.window_label.setText(
                    text(
                        "window_passed" if late else "window_open",
                        date=course.collect_by.isoformat(),
                        count=course.collect_within_days,
                    )
                )
                self.window_label.setStyleSheet(f"color:{RED_FG};" if late else "")
            else:
                self.window_label.setText(text("window_no_test"))
                self.window_label.setStyleSheet(f"color:{AMBER_FG};")
        else:
            self.window_label.setText(text("window_cannot"))
            self.window_label.setStyleSheet("")
        if course.completion is not None:
            lines, role = completion_lines(course.completion)
            self.completion_label.setText(lines)
            colours = {"red": (RED_BG, RED_FG), "amber": (AMBER_BG, AMBER_FG)}
            _tint(self.completion_label, *colours.get(role, (GREEN_BG, GREEN_FG)))
        self.completion_label.setVisible(course.completion is not None)
        self.form.contraception_box.setVisible(course.can_become_pregnant)
        fill_table(self.table, *course_rows(course, self._ctx.forms.clinic.visit_interval_days))
        if changed_patient:
            self._start_new()
        next_month = max((f.month for f in course.follow_ups), default=0) + 1
        self.checklist_month.setValue(min(12, next_month))

    def clear(self) -> None:
        # A packet or checklist still being made is for the patient leaving the screen.
        self.tasks.cancel()
        self.end.clear()
        self.patient_id, self.course, self.editing = None, None, None
        self.record_number = ""
        self.table.setRowCount(0)
        self.dose_label.clear()
        self.dose_label.setStyleSheet("")
        self.window_label.clear()
        self.completion_label.clear()
        self.completion_label.setVisible(False)
        self._start_new()
        self.message.clear_message()
        if self.preview is not None:
            self.preview.reject()
        self._set_enabled(False)

    # --- the form --------------------------------------------------------------------------------

    def _start_new(self) -> None:
        self.editing = None
        self.editing_label.setText(text("editing_new"))
        self.form.start_new(self.course, self._ctx.today().isoformat())

    def load_month(self, row: FollowUpRow) -> None:
        """Put a recorded month in the form for correction (saved against its version)."""
        self.editing = row
        self.editing_label.setText(text("editing_month", month=row.month, version=row.version))
        self.form.load(row)

    @Slot()
    def _on_table_item_selection_changed(self) -> None:
        row = self.table.currentRow()
        if self.course and 0 <= row < len(self.course.follow_ups):
            self.load_month(self.course.follow_ups[row])

    @Slot()
    def _on_new_button_clicked(self) -> None:
        self.table.clearSelection()
        self._start_new()

    def form_values(self) -> dict[str, Any]:
        return self.form.values(bool(self.course and self.course.can_become_pregnant))

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    def save(self) -> FollowUpRow | None:
        if self.patient_id is None:
            return None
        self.form.clear_errors()
        self.message.clear_message()
        month = self.month.value()
        expected = None
        if self.editing is not None and self.editing.month == month:
            expected = self.editing.version
        elif self.course and any(f.month == month for f in self.course.follow_ups):
            self.message.show_error(text("month_recorded", month=month))
            return None
        try:
            row = self._clinician.record_follow_up(
                self._actor, self.patient_id, month, expected_version=expected, **self.form_values()
            )
        except InvalidInput as exc:
            for key, problem in exc.errors.items():
                (self.errors.get(key) or self.message).show_error(problem)
            return None
        except Conflict as exc:
            self._reload_after_conflict(month)
            self.message.show_error(exc)
            return None
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return None
        self.message.show_message(text("follow_up_saved", month=row.month), "info")
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

    # --- printable PDFs: the checklist, the aftercare packet -------------------------------------

    def make_and_preview(
        self,
        tasks: Operation,
        button: QPushButton,
        work: Callable[[int], bytes],
        title: str,
        opened: SignalInstance,
        *,
        enabled_after_failure: Callable[[], bool] = lambda: True,
    ) -> None:
        """Make a PDF for the patient shown (``work`` gets their id) off the GUI thread, then
        preview it (print from there). The patient and record number are the ones shown when
        it starts: its result is dropped if another patient is shown by then."""
        if self.patient_id is None:
            return
        patient_id, record_number = self.patient_id, self.record_number
        self.message.clear_message()
        button.setEnabled(False)

        def made(data: bytes) -> None:
            if patient_id != self.patient_id:
                return  # another patient is shown now: their screen shows no one else's PDF
            button.setEnabled(True)
            self._preview(data, title, record_number, opened)

        def failed(exc: BaseException) -> None:
            if patient_id != self.patient_id:
                return  # another patient is shown now: not theirs to read
            button.setEnabled(enabled_after_failure())
            self.message.show_error(describe_error(exc))

        tasks.run(lambda: work(patient_id), made, failed)

    def _preview(self, data: bytes, title: str, record_number: str, opened: SignalInstance) -> None:
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

    @Slot(int)
    def _on_preview_finished(self, _result: int) -> None:
        self.preview = None

    @Slot()
    def _on_checklist_button_clicked(self) -> None:
        self.open_checklist(self.checklist_month.value())

    def open_checklist(self, month: int) -> None:
        """The month's checklist, made off the GUI thread, then previewed."""
        ctx, actor = self._ctx, self._actor
        self.make_and_preview(
            self.tasks,
            self.checklist_button,
            lambda patient_id: document_service(ctx).checklist_pdf(actor, patient_id, month),
            text("checklist_title", month=month),
            self.checklist_opened,
        )
