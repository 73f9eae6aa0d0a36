"""The dermatologist's page: visits waiting for review, patient search, and the review itself."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake.services.context import Actor, AppContext
from intake.services.patients import PatientRow, PatientService
from intake.services.visits import QUEUE_PAGE_MAX, BoardRow, VisitService
from intake.ui.common import (
    AMBER_BG,
    RED_BG,
    RED_FG,
    Clock,
    MessageLabel,
    describe_error,
    fill_table,
    make_table,
    named,
    visit_status_words,
    words,
)
from intake.ui.operations import KNOWN_ERRORS, Operation, Reentry
from intake.ui.staff.review import ReviewWidget
from intake.ui.staff.search_model import PatientSearchModel
from intake.ui.staff.search_panel import PatientSearchPanel
from intake.ui.staff.status_board import waiting_text

QUEUE_PAGE = 50  # visits fetched at a time; "Show more" fetches the next ones
LEFT_PANE_WIDTH = 340  # the queue, the search and the visits of the chosen patient


class ClinicianPage(QWidget):
    """Left: who is waiting, and any patient by search; right: the review of the chosen visit."""

    queue_refreshed = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        refresh_ms: int = 5000,
        debounce_ms: int = 150,
    ):
        super().__init__(parent)
        named(self, words("review.page"), "clinician_page")
        self._ctx, self._actor = ctx, actor
        self._visits = VisitService(ctx)
        self._patients = PatientService(ctx)
        self._clock = Clock(ctx.forms.clinic.timezone)
        self.queue: list[BoardRow] = []
        self.queue_total = 0  # every visit waiting, shown or not yet
        self.patient_visits: list[BoardRow] = []

        left = QWidget(self)
        left.setMinimumWidth(270)
        left.setMaximumWidth(420)
        heading = QLabel(words("review.queue_heading"), left)
        heading.setObjectName("section")
        self.queue_table = make_table(
            left,
            words("review.queue_table"),
            (words("review.queue_patient"), words("review.queue_waiting")),
            0,
        )
        self.queue_table.setObjectName("visits_waiting_for_the_dermatologist")
        self.queue_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.queue_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        self.queue_table.setMaximumHeight(220)
        self.queue_table.itemSelectionChanged.connect(self._on_queue_table_item_selection_changed)
        self.queue_label = named(QLabel(left), words("review.queue_count_name"), "waiting_count")
        self.queue_label.setObjectName("muted")
        self.queue_label.setWordWrap(True)
        self.more_button = named(
            QPushButton(words("review.more", count=QUEUE_PAGE), left),
            words("review.more_name"),
            "show_more_waiting_visits",
        )
        self.more_button.hide()
        self.more_button.clicked.connect(self._on_more_button_clicked)

        search_heading = QLabel(words("review.search_heading"), left)
        search_heading.setObjectName("section")
        self.search_panel = PatientSearchPanel(
            self._patients,
            actor,
            left,
            placeholder=words("review.search_hint"),
            debounce_ms=debounce_ms,
            hidden_columns=(3, 4),  # sex and phone
        )
        visits_heading = QLabel(words("review.visits_heading"), left)
        visits_heading.setObjectName("section")
        self.visits_table = make_table(
            left,
            words("review.visits_table"),
            (words("review.visits_date"), words("review.visits_status")),
            1,
        )
        self.visits_table.setObjectName("visits_of_the_patient")
        self.visits_table.setMaximumHeight(150)
        self.visits_table.itemSelectionChanged.connect(self._on_visits_table_item_selection_changed)
        self.patient_button = named(
            QPushButton(words("review.patient_button"), left),
            words("review.patient_button_name"),
            "open_patient_course",
        )
        self.patient_button.setEnabled(False)
        self.patient_button.clicked.connect(self._on_patient_button_clicked)
        self.message = MessageLabel(words("review.page_message"), left)
        self.message.setObjectName("clinician_message")

        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(heading)
        left_layout.addWidget(self.queue_label)
        left_layout.addWidget(self.queue_table)
        left_layout.addWidget(self.more_button)
        left_layout.addWidget(search_heading)
        left_layout.addWidget(self.search_panel, 1)
        left_layout.addWidget(visits_heading)
        left_layout.addWidget(self.visits_table)
        left_layout.addWidget(self.patient_button)
        left_layout.addWidget(self.message)

        self.review = ReviewWidget(ctx, actor, self)
        self.review.countersigned.connect(self._on_review_countersigned)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.review)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        # Room for "Nguyễn, Zoë" beside the number, and for the whole of the button's words
        # (longer in some languages) where the screen has it.
        want = max(LEFT_PANE_WIDTH, self.patient_button.sizeHint().width())
        splitter.setSizes([min(want, left.maximumWidth()), 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.search_panel.patient_selected.connect(self._on_search_panel_patient_selected)
        self.search_panel.patient_activated.connect(self._on_search_panel_patient_activated)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self._on_timer_timeout)
        # One queue read at a time; a newer one (a click on "Show more") follows the running one.
        self._queue_op = Operation(
            self,
            "refresh the queue",
            report=self.message.show_error,
            reentry=Reentry.LATEST,
            disables=(self.more_button,),
        )

    # --- the queue -------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_queue()
        self.timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.timer.stop()
        super().hideEvent(event)

    @Slot()
    def refresh_queue(self) -> None:
        """Reload the queue off the GUI thread: as many visits as are shown now (at least one
        page), all counted."""
        count = max(QUEUE_PAGE, len(self.queue))
        self._queue_op.run(lambda: self._fetch_queue(0, count), self._on_queue_fetched)

    def load_more(self) -> None:
        """The next page of waiting visits, after those shown."""
        offset = len(self.queue)
        self._queue_op.run(lambda: self._fetch_queue(offset, QUEUE_PAGE), self._on_more_fetched)

    @property
    def queue_busy(self) -> bool:
        return self._queue_op.busy

    @Slot()
    def _on_timer_timeout(self) -> None:
        if not self._queue_op.busy:  # a slow database: the ticks do not pile up
            self.refresh_queue()

    def _on_queue_fetched(self, fetched: tuple[list[BoardRow], int]) -> None:
        self._show_queue(*fetched)

    def _on_more_fetched(self, fetched: tuple[list[BoardRow], int]) -> None:
        rows, total = fetched
        known = {r.visit_id for r in self.queue}
        self._show_queue(self.queue + [r for r in rows if r.visit_id not in known], total)

    def _fetch_queue(self, offset: int, count: int) -> tuple[list[BoardRow], int]:
        rows: list[BoardRow] = []
        total = 0
        while len(rows) < count:
            page = self._visits.review_queue(
                self._actor, offset + len(rows), min(QUEUE_PAGE_MAX, count - len(rows))
            )
            total = page.total
            rows += page.rows
            if not page.rows:
                break
        return rows, total

    def _show_queue(self, waiting: list[BoardRow], total: int) -> None:
        keep = self._selected_queue_row()
        self.queue, self.queue_total = waiting, total
        now = self._ctx.now()
        self.queue_table.blockSignals(True)
        fill_table(
            self.queue_table,
            [
                (
                    words(
                        "review.queue_row_needs_staff" if r.needs_staff else "review.queue_row",
                        name=r.patient_name,
                        record=r.record_number,
                    ),
                    waiting_text(int((now - (r.waiting_since or r.updated_at)).total_seconds())),
                )
                for r in waiting
            ],
            [(RED_BG, RED_FG, True) if r.needs_staff else (AMBER_BG, "", False) for r in waiting],
        )
        if keep is not None:
            for i, r in enumerate(waiting):
                if r.visit_id == keep.visit_id:
                    self.queue_table.selectRow(i)
        self.queue_table.blockSignals(False)
        if not total:
            text = words("review.queue_empty")
        elif len(waiting) < total:
            text = words("review.queue_count_shown", count=total, shown=len(waiting))
        else:
            text = words("review.queue_count", count=total)
        self.queue_label.setText(text)
        self.more_button.setVisible(len(waiting) < total)
        self.more_button.setText(
            words("review.more", count=max(0, min(QUEUE_PAGE, total - len(waiting))))
        )
        self.queue_refreshed.emit(total)

    @Slot()
    def _on_more_button_clicked(self) -> None:
        self.load_more()

    def _selected_queue_row(self) -> BoardRow | None:
        rows = self.queue_table.selectionModel().selectedRows()
        index = rows[0].row() if rows else -1
        return self.queue[index] if 0 <= index < len(self.queue) else None

    @Slot()
    def _on_queue_table_item_selection_changed(self) -> None:
        row = self._selected_queue_row()
        if row is not None:
            self.open_visit(row.visit_id, row.patient_id)

    def open_visit(self, visit_id: str, patient_id: int) -> bool:
        self.message.clear_message()
        shown = self.review.show_visit(visit_id, patient_id)
        if shown:
            self._list_visits(patient_id, select=visit_id)
        return shown

    def _list_visits(self, patient_id: int, select: str | None = None) -> None:
        """The patient's visits, newest first, in the list under the search."""
        try:
            self.patient_visits = self._visits.visits_for(self._actor, patient_id)
        except KNOWN_ERRORS as exc:
            self.patient_visits = []
            self.message.show_error(describe_error(exc))
        self.visits_table.blockSignals(True)
        fill_table(
            self.visits_table,
            [
                (self._clock.local_date(v.started_at), visit_status_words(v.status))
                for v in self.patient_visits
            ],
        )
        for i, v in enumerate(self.patient_visits):
            if v.visit_id == select:
                self.visits_table.selectRow(i)
        self.visits_table.blockSignals(False)

    @Slot(object)
    def _on_review_countersigned(self, _info: object) -> None:
        self.refresh_queue()
        # The patient's visit list shows the new state too.
        if self.review.patient_id is not None:
            self._list_visits(self.review.patient_id, select=self.review.visit_id)

    # --- search ----------------------------------------------------------------------------------

    @property
    def search_box(self) -> QLineEdit:
        return self.search_panel.search_box

    @property
    def results(self) -> QTableView:
        return self.search_panel.table

    @property
    def model(self) -> PatientSearchModel:
        return self.search_panel.model

    def search_for(self, text: str, then: Callable[[], object] | None = None) -> None:
        self.search_panel.search_for(text, then)

    def select_patient(self, patient_id: int) -> bool:
        return self.search_panel.select_patient(patient_id)

    @Slot(object)
    def _on_search_panel_patient_selected(self, patient: PatientRow | None) -> None:
        self.patient_button.setEnabled(patient is not None)
        self.visits_table.setRowCount(0)
        self.patient_visits = []
        if patient is not None:
            self._list_visits(patient.id)

    @Slot(object)
    def _on_search_panel_patient_activated(self, _patient: PatientRow) -> None:
        # Enter (or a double-click) on a patient opens their latest visit.
        if self.patient_visits:
            self.visits_table.setFocus()
            self.visits_table.selectRow(0)

    @Slot()
    def _on_visits_table_item_selection_changed(self) -> None:
        index = self.visits_table.currentRow()
        if 0 <= index < len(self.patient_visits):
            v = self.patient_visits[index]
            self.open_visit(v.visit_id, v.patient_id)

    @Slot()
    def _on_patient_button_clicked(self) -> None:
        patient = self.search_panel.selected_patient()
        if patient is not None:
            self.review.show_patient(
                patient.id,
                words(
                    "review.patient_heading",
                    name=patient.full_name,
                    record=patient.record_number,
                    born=patient.date_of_birth.isoformat(),
                ),
                patient.record_number,
            )

    # --- locking ---------------------------------------------------------------------------------

    def clear(self) -> None:
        self.timer.stop()
        self._queue_op.cancel()  # no patient comes back onto a locked screen
        self.search_panel.clear()
        self.queue = []
        self.queue_total = 0
        self.queue_table.setRowCount(0)
        self.more_button.hide()
        self.visits_table.setRowCount(0)
        self.review.clear()
