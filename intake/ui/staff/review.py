"""A visit under review: the tabs the dermatologist works through, and countersigning."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from intake.domain.kinds import OPEN, StaffRole, VisitStatus
from intake.domain.rules import can_become_pregnant
from intake.services.clinician import ClinicianService, Review
from intake.services.context import Actor, AppContext
from intake.services.dermatologists import DermatologistService
from intake.ui.common import Clock, MessageLabel, describe_error, named, primary, words
from intake.ui.operations import KNOWN_ERRORS
from intake.ui.staff.completion import visit_kind_text
from intake.ui.staff.countersign import CountersignDialog, shown_attestations
from intake.ui.staff.course import CourseWidget
from intake.ui.staff.documents_tab import DocumentsWidget
from intake.ui.staff.labs import LabsWidget
from intake.ui.staff.pregnancy import PregnancyStatusWidget
from intake.ui.staff.review_tabs import (
    AcknowledgementsTab,
    MoodTab,
    QuizTab,
    SummaryTab,
    said,
)


class ReviewWidget(QWidget):
    """Everything about one visit (and its patient's course), in tabs."""

    visit_loaded = Signal(str)
    patient_loaded = Signal(int)
    countersigned = Signal(object)  # DocumentInfo of the re-issued consent

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, words("review.review"), "review")
        self._ctx, self._actor = ctx, actor
        self._clinician = ClinicianService(ctx)
        clock = Clock(ctx.forms.clinic.timezone)
        self.visit_id: str | None = None
        self.patient_id: int | None = None
        self.review: Review | None = None
        self.dialog: CountersignDialog | None = None
        self._reload_pending = False
        # 21 CFR 11.200: the first signing after sign-in (a new staff window) asks for the
        # username as well as the PIN; later ones in the same session for the PIN.
        self._signed_this_session = False

        self.title = named(
            QLabel(words("review.choose"), self), words("review.title_name"), "reviewing"
        )
        self.title.setObjectName("title")
        # A patient's long name (or a 30% longer language) wraps rather than widening the page.
        self.title.setWordWrap(True)
        self.subtitle = named(QLabel(self), words("review.status_name"), "visit_status")
        self.subtitle.setObjectName("muted")
        self.subtitle.setWordWrap(True)
        self.countersign_button = named(
            QPushButton(words("review.countersign"), self),
            words("review.countersign_name"),
            "countersign_consent",
        )
        primary(self.countersign_button)
        self.countersign_button.clicked.connect(self._on_countersign_button_clicked)
        self.refresh_button = named(
            QPushButton(words("review.reload"), self), words("review.reload_name"), "reload_review"
        )
        self.refresh_button.clicked.connect(self._on_refresh_button_clicked)
        self.message = MessageLabel(words("review.review_message"), self)
        self.message.setObjectName("review_message")

        self.summary = SummaryTab(ctx.forms, clock, self)
        self._dermatologists = DermatologistService(ctx)
        self.summary.dermatologist.change_requested.connect(self._on_dermatologist_change_requested)
        self.mood = MoodTab(ctx.forms, self)
        self.acknowledgements = AcknowledgementsTab(ctx.forms, clock, self)
        self.quiz = QuizTab(ctx.forms, clock, self)
        self.documents = DocumentsWidget(ctx, actor, self)
        self.labs = LabsWidget(ctx, actor, self)
        self.course = CourseWidget(ctx, actor, self)
        self.pregnancy = PregnancyStatusWidget(ctx, actor, self)
        self.tabs = named(QTabWidget(self), words("review.sections"), "review_sections")
        # Short labels, so that all eight (with "Summary · 3 alerts") show at 1280 wide; on a
        # narrower screen they shorten rather than scroll out of sight. The tooltip says it all.
        for widget, key in (
            (self.summary, "summary"),
            (self.mood, "mood"),
            (self.acknowledgements, "risks"),
            (self.quiz, "understanding"),
            (self.documents, "documents"),
            (self.labs, "labs"),
            (self.course, "course"),
            (self.pregnancy, "pregnancy"),
        ):
            index = self.tabs.addTab(widget, words(f"review.tab_{key}"))
            self.tabs.setTabToolTip(index, words(f"review.tab_{key}_tip"))
        bar = self.tabs.tabBar()
        bar.setElideMode(Qt.TextElideMode.ElideRight)
        bar.setUsesScrollButtons(False)
        bar.setExpanding(False)
        # Qt names the tab bar's (unused) scroll arrows in English: a screen reader lists them.
        arrows = bar.findChildren(QToolButton)
        for arrow, key in zip(arrows, ("tab_scroll_left", "tab_scroll_right"), strict=False):
            arrow.setAccessibleName(words(f"review.{key}"))
        self.visit_tabs = (
            self.summary,
            self.mood,
            self.acknowledgements,
            self.quiz,
            self.documents,
        )

        self.labs.lab_recorded.connect(self._on_patient_data_changed)
        self.labs.pregnancy_test_recorded.connect(self._on_patient_data_changed)
        self.course.follow_up_saved.connect(self._on_patient_data_changed)
        self.course.completion_recorded.connect(self._on_patient_data_changed)
        self.pregnancy.status_confirmed.connect(self._on_pregnancy_status_confirmed)

        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        header.addLayout(titles, 1)
        header.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.countersign_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self._blank = QWidget(self)  # holds the space while no one is chosen
        layout.addWidget(self._blank, 1)
        self.clear()

    # --- loading ---------------------------------------------------------------------------------

    def _set_subtitle(self, text: str) -> None:
        """The visit's status under the title; a screen reader hears it as the label's name."""
        self.subtitle.setText(text)
        self.subtitle.setAccessibleName(text or words("review.status_name"))

    def show_visit(self, visit_id: str, patient_id: int) -> bool:
        """Load a visit's review (audited as a view) and its patient's course."""
        self.message.clear_message()
        try:
            review = self._clinician.review(self._actor, visit_id)
        except KNOWN_ERRORS as exc:
            self.clear()
            self.message.show_error(describe_error(exc))
            return False
        self.visit_id, self.patient_id, self.review = visit_id, patient_id, review
        p = review.record.patient
        self.title.setText(
            words(
                "review.patient_heading",
                name=p.full_name,
                record=p.record_number,
                born=p.date_of_birth.isoformat(),
            )
        )
        record = review.record
        status = words(
            "review.visit_status",
            date=record.visit_date.isoformat(),
            status=said("review.status_", review.status, review.status),
        )
        kind = visit_kind_text(
            record.visit_kind,
            record.course_month,
            record.reconsent.reasons if record.reconsent is not None else (),
        )
        self._set_subtitle(
            words("review.visit_kind_status", kind=kind, status=status) if kind else status
        )
        for section in (self.summary, self.mood, self.acknowledgements, self.quiz):
            section.show_review(review)
        self.documents.record_number = self.course.record_number = p.record_number
        self.documents.load(visit_id, review.status)
        for widget in self.visit_tabs:
            self.tabs.setTabEnabled(self.tabs.indexOf(widget), True)
        alerts = sum(1 for f in review.record.flags if f.severity == "alert")
        self.tabs.setTabText(
            self.tabs.indexOf(self.summary),
            words("review.tab_summary_alerts", count=alerts)
            if alerts
            else words("review.tab_summary"),
        )
        phq9 = review.record.phq9
        self.tabs.setTabText(
            self.tabs.indexOf(self.mood),
            words("review.tab_mood_item9")
            if phq9 is not None and phq9.item9_positive
            else words("review.tab_mood"),
        )
        self._show_sections(True)
        self.countersign_button.setVisible(True)
        self.countersign_button.setEnabled(
            review.status == VisitStatus.SUBMITTED and self._actor.role == StaffRole.CLINICIAN
        )
        self.countersign_button.setToolTip(
            ""
            if self._actor.role == StaffRole.CLINICIAN
            else words("review.countersign_only_clinician")
        )
        self._show_dermatologist(visit_id, review.status)
        self._load_course()
        # A visit always opens on its summary, where every open problem is listed.
        self.tabs.setCurrentWidget(self.summary)
        self.visit_loaded.emit(visit_id)
        return True

    def _show_dermatologist(self, visit_id: str, status: str) -> None:
        """Who is responsible; changeable (audited) until the consent is countersigned."""
        picker = self.summary.dermatologist
        try:
            chosen = self._dermatologists.of_visit(self._actor, visit_id)
            picker.set_choices(
                self._dermatologists.choices(self._actor), chosen.id if chosen else None
            )
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        open_ = status in OPEN
        picker.set_editable(open_, "" if open_ else words("review.dermatologist_locked"))

    @Slot(object)
    def _on_dermatologist_change_requested(self, staff_id: int | None) -> None:
        if self.visit_id is None:
            return
        try:
            self._dermatologists.choose(self._actor, self.visit_id, staff_id)
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        self.reload()
        self.message.show_message(words("review.dermatologist_changed"), "info")

    def show_patient(self, patient_id: int, title: str = "", record_number: str = "") -> bool:
        """A patient without a particular visit: labs, tests, course and pregnancy status only."""
        self.clear()
        self.patient_id = patient_id
        self.course.record_number = record_number
        self.title.setText(title or words("review.patient"))
        self._set_subtitle(words("review.no_visit"))
        if not self._load_course():
            return False
        self._show_sections(True)
        self.tabs.setCurrentWidget(self.labs)
        self.patient_loaded.emit(patient_id)
        return True

    def _load_course(self) -> bool:
        if self.patient_id is None:
            return False
        try:
            course = self._clinician.course(self._actor, self.patient_id)
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return False
        self.labs.show_course(self.patient_id, course)
        self.course.show_course(self.patient_id, course)
        says = (
            can_become_pregnant(self.review.record.answers, None)
            if self.review is not None
            else None
        )
        confirmed = self.review.pregnancy_confirmed if self.review is not None else None
        self.pregnancy.show_status(
            self.patient_id,
            says,
            confirmed,
            course.can_become_pregnant,
            with_visit=self.review is not None,
        )
        return True

    def reload(self) -> None:
        if self.visit_id is not None and self.patient_id is not None:
            tab = self.tabs.currentIndex()
            self.show_visit(self.visit_id, self.patient_id)
            self.tabs.setCurrentIndex(tab)
        elif self.patient_id is not None:
            self._load_course()

    def clear(self) -> None:
        """Nothing about any patient left on screen."""
        self.visit_id, self.patient_id, self.review = None, None, None
        self.title.setText(words("review.choose"))
        self._set_subtitle("")
        self.message.clear_message()
        for section in (self.summary, self.mood, self.acknowledgements, self.quiz):
            section.clear()
        self.documents.clear()
        self.labs.clear()
        self.course.clear()
        self.pregnancy.clear()
        for widget in self.visit_tabs:
            self.tabs.setTabEnabled(self.tabs.indexOf(widget), False)
        self.tabs.setTabText(self.tabs.indexOf(self.summary), words("review.tab_summary"))
        self.tabs.setTabText(self.tabs.indexOf(self.mood), words("review.tab_mood"))
        self.countersign_button.setVisible(False)
        self._show_sections(False)
        if self.dialog is not None:
            self.dialog.reject()

    def _show_sections(self, shown: bool) -> None:
        """The sections and Reload only once someone is chosen: empty forms invite mistakes."""
        self.tabs.setVisible(shown)
        self._blank.setVisible(not shown)
        self.refresh_button.setVisible(shown)

    # --- reacting --------------------------------------------------------------------------------

    @Slot()
    def _on_refresh_button_clicked(self) -> None:
        self.reload()

    @Slot(object)
    def _on_patient_data_changed(self, _row: object) -> None:
        self._load_course()  # the tables at once
        if self.review is None:
            return
        # A result recorded here may raise or clear a flag: the summary, its tab and the
        # countersign dialog must show it. One reload for a panel of several results.
        if not self._reload_pending:
            self._reload_pending = True
            QTimer.singleShot(0, self._reload_after_change)

    @Slot()
    def _reload_after_change(self) -> None:
        self._reload_pending = False
        self.reload()

    @Slot(bool)
    def _on_pregnancy_status_confirmed(self, _value: bool) -> None:
        # The flags and the statements that apply may change with it.
        self.reload()
        self.tabs.setCurrentWidget(self.pregnancy)

    @Slot()
    def _on_countersign_button_clicked(self) -> None:
        if self.visit_id is None or self.review is None:
            return
        self.reload()  # the dialog lists the flags as they are now, not as when the visit opened
        if self.review is None or self.review.status != VisitStatus.SUBMITTED:
            return
        dialog = CountersignDialog(
            self._ctx,
            self._actor,
            self.visit_id,
            self.review.record.patient.full_name,
            self,
            flags=self.review.record.flags,
            first_signing=not self._signed_this_session,
            attestations=shown_attestations(self.review),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.countersigned.connect(self._on_dialog_countersigned)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()

    @Slot(int)
    def _on_dialog_finished(self, _result: int) -> None:
        self.dialog = None

    @Slot(object)
    def _on_dialog_countersigned(self, info: Any) -> None:
        self._signed_this_session = True
        self.reload()
        self.tabs.setCurrentWidget(self.documents)
        self.documents.select(info.kind, info.issue)
        self.message.show_message(words("review.countersigned", issue=info.issue), "info")
        self.countersigned.emit(info)
