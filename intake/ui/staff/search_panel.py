"""Find a patient: the search box and the paged results table, shared by the staff pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake.services.context import Actor
from intake.services.patients import PatientRow, PatientService, SearchQuery
from intake.ui.common import BusyBar, named, words
from intake.ui.staff.search_model import PatientSearchModel

BUSY_DELAY_MS = 300  # a search that takes longer shows a busy bar


class PatientSearchPanel(QWidget):
    """A search box (with any extra controls beside it) over a table of the patients found.

    Typing searches once it pauses; Return searches at once. With ``no_match_text`` a line
    between the box and the table says how many were found (or that no one was: the text, or
    what the function says for the query as the search read it, a date or a name).

    From the keyboard: Down in the box goes to the results and picks the first; Up on the
    first result goes back to the box; Enter on a result activates it, as a double-click does.
    """

    patient_selected = Signal(object)  # the PatientRow now selected, or None when none is
    patient_activated = Signal(object)  # the PatientRow double-clicked
    searched = Signal(str)  # a query's first page is shown (the query text)
    search_failed = Signal(str)  # a message fit to show

    def __init__(
        self,
        patients: PatientService,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        placeholder: str,
        debounce_ms: int = 150,
        beside_search: Iterable[QWidget] = (),
        no_match_text: str | Callable[[SearchQuery], str] | None = None,
        hidden_columns: Iterable[int] = (),
        alternating_rows: bool = False,
    ):
        super().__init__(parent)
        self.setObjectName("patient_search_panel")
        self._patients = patients
        self._no_match_text = no_match_text

        self.search_box = named(QLineEdit(self), words("desk.search_name"), "patient_search")
        self.search_box.setPlaceholderText(placeholder)
        self.search_box.setClearButtonEnabled(True)
        self.model = PatientSearchModel(patients, actor, self, debounce_ms=debounce_ms)
        self.table = named(QTableView(self), words("desk.found_name"), "patients_found")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(alternating_rows)
        for column in hidden_columns:
            self.table.hideColumn(column)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.result_label: QLabel | None = None
        if no_match_text is not None:
            self.result_label = named(
                QLabel("", self), words("desk.results_name"), "search_results"
            )
            self.result_label.setObjectName("muted")

        self.busy = BusyBar(self)
        named(self.busy, words("desk.searching"), "searching")
        self._busy_delay = QTimer(self)
        self._busy_delay.setSingleShot(True)
        self._busy_delay.setInterval(BUSY_DELAY_MS)
        self._busy_delay.timeout.connect(self.busy.show)

        search_row = QHBoxLayout()
        search_row.addWidget(self.search_box, 1)
        previous: QWidget = self.search_box
        for widget in beside_search:
            search_row.addWidget(widget)
            QWidget.setTabOrder(previous, widget)
            previous = widget
        QWidget.setTabOrder(previous, self.table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(search_row)
        if self.result_label is not None:
            layout.addWidget(self.result_label)
        layout.addWidget(self.busy)
        layout.addWidget(self.table, 1)

        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self.search_box.returnPressed.connect(self._on_search_box_return_pressed)
        self.model.searched.connect(self._on_model_searched)
        self.model.search_failed.connect(self._on_model_search_failed)
        self.model.busy_changed.connect(self._on_model_busy_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.search_box.installEventFilter(self)
        self.table.installEventFilter(self)

    # --- searching -------------------------------------------------------------------------------

    @Slot(str)
    def _on_search_box_text_changed(self, text: str) -> None:
        self.model.set_query(text)

    @Slot()
    def _on_search_box_return_pressed(self) -> None:
        self.model.search_now(self.search_box.text())

    @Slot(str)
    def _on_model_searched(self, query: str) -> None:
        if self.result_label is not None:
            count = self.model.rowCount()
            if not query:
                self.result_label.setText("")
            elif count == 0:
                self.result_label.setText(self.no_match_text(query))
            else:
                found = "desk.found_more" if self.model.canFetchMore() else "desk.found"
                self.result_label.setText(words(found, count=count))
        self.searched.emit(query)

    def no_match_text(self, query: str) -> str:
        said = self._no_match_text
        if callable(said):
            return said(self._patients.read_query(query))
        return said or ""

    @Slot(str)
    def _on_model_search_failed(self, text: str) -> None:
        self.search_failed.emit(text)

    def search_for(self, text: str, then: Callable[[], object] | None = None) -> None:
        """Show ``text`` in the box and search for it at once; ``then`` runs once the patients
        found are listed (not at all if another search replaces this one first)."""
        self.search_box.blockSignals(True)
        self.search_box.setText(text)
        self.search_box.blockSignals(False)
        self.model.search_now(text, then)

    def refresh(self, then: Callable[[], object] | None = None) -> None:
        """Search again for what is listed (a record changed)."""
        self.model.refresh(then)

    @property
    def searching(self) -> bool:
        return self.model.searching

    @Slot(bool)
    def _on_model_busy_changed(self, busy: bool) -> None:
        # Shown only for a search that takes a while: a quick one does not make it flicker.
        if busy:
            self._busy_delay.start()
        else:
            self._busy_delay.stop()
            self.busy.hide()
        self.table.setAccessibleDescription(words("desk.searching_now") if busy else "")

    def clear(self) -> None:
        """Empty the box and forget every patient found (e.g. when the station locks)."""
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        self.model.clear()

    # --- the selection ---------------------------------------------------------------------------

    def select_patient(self, patient_id: int) -> bool:
        """Select the patient's row; False when they are not among the patients found."""
        row = self.model.row_of(patient_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        return True

    def selected_patient(self) -> PatientRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.patient(rows[0].row()) if rows else None

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, *_: object) -> None:
        self.patient_selected.emit(self.selected_patient())

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        patient = self.model.patient(index.row())
        if patient is not None:
            self.patient_activated.emit(patient)

    # --- the keyboard ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.search_box:
                return self._on_search_box_key(event)
            if watched is self.table:
                return self._on_table_key(event)
        return super().eventFilter(watched, event)

    def _on_search_box_key(self, event: QKeyEvent) -> bool:
        if event.key() not in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) or self.model.rowCount() == 0:
            return False
        self.table.setFocus(Qt.FocusReason.TabFocusReason)
        if self.selected_patient() is None:
            self.table.selectRow(0)
        return True

    def _on_table_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            patient = self.selected_patient()
            if patient is not None:
                self.patient_activated.emit(patient)
            return True
        if key == Qt.Key.Key_Up and self.table.currentIndex().row() <= 0:
            self.search_box.setFocus(Qt.FocusReason.BacktabFocusReason)
            return True
        return False
