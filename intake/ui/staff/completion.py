"""The end of a course: the dermatologist records it (the last dose, how it ended, the dose
reached); the course view then says so and offers the aftercare packet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake.domain.completion import StopReason
from intake.services.clinician import ClinicianService, CompletionRow
from intake.services.context import Actor, AppContext
from intake.services.errors import InvalidInput
from intake.ui.common import (
    BusyBar,
    MessageLabel,
    describe_error,
    named,
    primary,
    staff_number,
    words,
)
from intake.ui.operations import Operation, Reentry
from intake.ui.staff.course_words import plain
from intake.ui.staff.course_words import text as course_text
from intake.ui.staff.packets import document_service

if TYPE_CHECKING:
    from intake.ui.staff.course import CourseWidget


def text(key: str, **args: object) -> str:
    return words(f"staff.{key}", **args)


class CompletionDialog(QDialog):
    """Asks for the end of the course and records it through the operations helper."""

    completion_recorded = Signal(object)  # CompletionRow

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        patient_id: int,
        mg_per_kg: float,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(text("completion_title"))
        named(self, text("completion_title"), "completion_dialog")
        self._ctx, self._actor, self._patient_id = ctx, actor, patient_id
        self.tasks = Operation(self, "record_completion")
        self.result_row: CompletionRow | None = None

        intro = QLabel(text("completion_intro"), self)
        intro.setWordWrap(True)
        self.last_dose = named(QLineEdit(self), text("completion_last_dose"), "last_dose_on")
        self.last_dose.setPlaceholderText(course_text("date_hint"))
        self.last_dose.setText(ctx.today().isoformat())
        self.reason = named(QComboBox(self), text("completion_reason"), "how_the_course_ended")
        for reason in StopReason:
            self.reason.addItem(text(f"reason_{reason}"), str(reason))
        self.reason_text = named(QLineEdit(self), text("completion_reason_text"), "details")
        self.reason_text.setPlaceholderText(text("completion_reason_text_hint"))
        self.dose = named(QLineEdit(self), text("completion_dose"), "cumulative_dose_(mg/kg)")
        self.dose.setText(plain(mg_per_kg))
        self.dose.setToolTip(text("completion_dose_hint", value=staff_number(mg_per_kg)))
        fields = (
            ("completion_last_dose", self.last_dose, "completed_on"),
            ("completion_reason", self.reason, "reason"),
            ("completion_reason_text", self.reason_text, "reason_text"),
            ("completion_dose", self.dose, "mg_per_kg"),
        )
        self.errors: dict[str, MessageLabel] = {}
        for label, _field, key in fields:
            problem = MessageLabel(words("staff.problem_of", name=text(label)), self)
            problem.setObjectName(f"completion_{key}_problem")
            self.errors[key] = problem
        form = QFormLayout()
        for label, field, key in fields:
            caption = QLabel(text(label), self)
            caption.setBuddy(field)
            form.addRow(caption, field)
            form.addRow("", self.errors[key])
        self.message = MessageLabel(course_text("completion_message"), self)
        self.message.setObjectName("completion_message")
        self.busy = BusyBar(self)
        self.tasks.busy_changed.connect(self.busy._on_tasks_busy_changed)
        self.record_button = primary(
            named(
                QPushButton(text("completion_record"), self),
                text("completion_record"),
                "record_completion",
            )
        )
        self.record_button.clicked.connect(self._on_record_button_clicked)
        self.cancel_button = named(
            QPushButton(text("completion_cancel"), self), text("completion_cancel"), "cancel"
        )
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)

    @Slot()
    def _on_record_button_clicked(self) -> None:
        self.record()

    def record(self) -> None:
        """Record what the form holds off the GUI thread; close once it is recorded."""
        for label in self.errors.values():
            label.clear_message()
        self.message.clear_message()
        values = (
            self.last_dose.text(),
            str(self.reason.currentData()),
            self.reason_text.text(),
            self.dose.text(),
        )
        service = ClinicianService(self._ctx)
        self.record_button.setEnabled(False)
        self.tasks.run(
            lambda: service.record_completion(self._actor, self._patient_id, *values),
            self._on_recorded,
            self._on_failed,
        )

    def _on_recorded(self, row: CompletionRow) -> None:
        self.record_button.setEnabled(True)
        self.result_row = row
        self.completion_recorded.emit(row)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.record_button.setEnabled(True)
        if isinstance(exc, InvalidInput):
            for key, message in exc.errors.items():
                (self.errors.get(key) or self.message).show_error(message)
        else:
            self.message.show_error(describe_error(exc))
        self._grow()

    def _grow(self) -> None:
        """Taller where a message now shows, so its wrapped lines are not cut."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
            self.resize(self.size().expandedTo(self.sizeHint()))


def completion_lines(row: CompletionRow) -> tuple[str, str]:
    """The course view's two lines on a completed course (rich text) and the colour role of
    the second: "", "amber" or "red"."""
    after = row.aftercare
    first = text(
        "course_completed",
        date=row.completed_on.isoformat(),
        dose=staff_number(row.mg_per_kg),
        reason=text(f"reason_{row.reason}").lower(),
    )
    cosmetic = after.no_cosmetic_procedures_until.isoformat()
    if after.pregnancy_test_due is None:
        return (
            first + "<br/>" + text(
                "course_aftercare_no_pregnancy",
                until=after.no_blood_donation_until.isoformat(),
                cosmetic=cosmetic,
            ),
            "",
        )  # fmt: skip
    state = row.post_course_test
    due = after.pregnancy_test_due.isoformat()
    test = {
        "due": text("course_test_due", date=due),
        "overdue": text("course_test_overdue", date=due),
        "negative": text("course_test_negative"),
        "positive": text("course_test_positive"),
    }.get(state, "")
    until = after.contraception_until.isoformat() if after.contraception_until else due
    second = text("course_aftercare", until=until, cosmetic=cosmetic)
    role = {"overdue": "red", "positive": "red", "due": "amber"}.get(state, "")
    return f"{first} {test}<br/>{second}", role


class CourseEnd(QObject):
    """The end of the course in the course view: the button that records it (a clinician's:
    an administrator may only read it), and the aftercare packet's, issued off the GUI thread
    then previewed (the view says the course is completed, by ``completion_lines``)."""

    completion_recorded = Signal(object)  # CompletionRow
    dialog_opened = Signal(object)  # CompletionDialog
    aftercare_opened = Signal(object)  # PdfPreviewDialog

    def __init__(self, ctx: AppContext, actor: Actor, view: CourseWidget):
        super().__init__(view)
        self._ctx, self._actor, self._view = ctx, actor, view
        self.dialog: CompletionDialog | None = None
        self.tasks = Operation(view, "aftercare", reentry=Reentry.LATEST)
        self.completion_button = named(
            QPushButton(text("completion_button"), view),
            text("completion_record"),
            "record_completion",
        )
        self.completion_button.clicked.connect(self._on_completion_button_clicked)
        self.aftercare_button = named(
            QPushButton(text("aftercare_button"), view),
            text("aftercare_preview"),
            "aftercare_packet",
        )
        self.aftercare_button.clicked.connect(self._on_aftercare_button_clicked)

    @property
    def completed(self) -> bool:
        course = self._view.course
        return course is not None and course.completion is not None

    def set_enabled(self, enabled: bool) -> None:
        clinician = self._actor.role == "clinician"
        completed = enabled and self.completed
        self.completion_button.setEnabled(enabled and clinician and not completed)
        self.aftercare_button.setEnabled(completed)

    def clear(self) -> None:
        self.tasks.cancel()  # a packet still being made is for the patient leaving the screen
        if self.dialog is not None:
            self.dialog.reject()

    # --- recording it ----------------------------------------------------------------------------

    @Slot()
    def _on_completion_button_clicked(self) -> None:
        self.open_completion()

    def open_completion(self) -> CompletionDialog | None:
        """The dialog that records the end of the course (it saves through the operations helper)."""
        view = self._view
        if view.patient_id is None or view.course is None:
            return None
        dialog = CompletionDialog(
            self._ctx, self._actor, view.patient_id, view.course.dose.mg_per_kg, view
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.completion_recorded.connect(self._on_dialog_completion_recorded)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    @Slot(object)
    def _on_dialog_completion_recorded(self, row: object) -> None:
        self._view.message.show_message(text("completion_saved"), "info")
        self.completion_recorded.emit(row)

    @Slot(int)
    def _on_dialog_finished(self, _result: int) -> None:
        self.dialog = None

    # --- the aftercare packet --------------------------------------------------------------------

    @Slot()
    def _on_aftercare_button_clicked(self) -> None:
        self.open_aftercare()

    def open_aftercare(self) -> None:
        """Issue the aftercare packet (once; later the stored one), then preview it."""
        actor, docs = self._actor, document_service(self._ctx)

        def work(patient_id: int) -> bytes:
            info = docs.issue_aftercare(actor, patient_id)
            return docs.open_pdf(actor, info.id, "view")

        self._view.make_and_preview(
            self.tasks,
            self.aftercare_button,
            work,
            text("aftercare_preview"),
            self.aftercare_opened,
            enabled_after_failure=lambda: self.completed,
        )


def visit_kind_text(kind: str, course_month: int | None, reasons: Sequence[str]) -> str:
    """A check-in's month, and what its re-consent renews the consent for ("" for a first
    visit that renews nothing): "Month 3 check-in · renews the consent: form changed"."""
    parts = []
    if kind == "checkin":
        parts.append(text("visit_checkin", month=course_month or 1))
    if reasons:
        said = ", ".join(text(f"reconsent_{r}") for r in reasons)
        parts.append(text("visit_renews", reasons=said))
    return " · ".join(parts)
