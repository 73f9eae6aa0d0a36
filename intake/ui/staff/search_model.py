"""Patient search as a Qt model that pages from the database: never every patient at once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)

from intake.domain.rules import ADULT_AGE, age_on
from intake.domain.validation import format_phone
from intake.services.context import Actor
from intake.services.errors import ServiceError
from intake.services.patients import PatientRow, PatientService

Index = QModelIndex | QPersistentModelIndex

SEX_LABELS = {"female": "F", "male": "M", "intersex": "X", "": ""}


class PatientSearchModel(QAbstractTableModel):
    """Rows of ``PatientService.search`` for the current query, fetched a page at a time.

    ``set_query`` waits ``debounce_ms`` for typing to pause; an empty query shows no one.
    Views call ``fetchMore`` as they scroll to the end.
    """

    PAGE_SIZE = 50
    COLUMNS = ("Record no.", "Name", "Date of birth (age)", "Sex", "Phone")
    PatientRole = Qt.ItemDataRole.UserRole + 1

    searched = Signal(str)  # a query's first page is in (the query text)
    search_failed = Signal(str)  # a message fit to show

    def __init__(
        self,
        patients: PatientService,
        actor: Actor,
        parent: QObject | None = None,
        *,
        debounce_ms: int = 150,
        page_size: int | None = None,
    ):
        super().__init__(parent)
        self._patients = patients
        self._actor = actor
        self._rows: list[PatientRow] = []
        self._query = ""
        self._pending = ""
        self._exhausted = True
        self.page_size = page_size or self.PAGE_SIZE
        self.pages_fetched = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    # --- querying --------------------------------------------------------------------------------

    @property
    def query(self) -> str:
        return self._query

    def set_query(self, text: str) -> None:
        """Search for ``text`` once typing pauses."""
        self._pending = text
        self._timer.start()

    def search_now(self, text: str | None = None) -> None:
        """Run the pending (or the given) query at once."""
        self._timer.stop()
        if text is not None:
            self._pending = text
        self._apply(self._pending)

    def refresh(self) -> None:
        self._apply(self._query)

    def clear(self) -> None:
        """Forget the query and every row (e.g. when the station locks)."""
        self._timer.stop()
        self.beginResetModel()
        self._rows, self._query, self._pending, self._exhausted = [], "", "", True
        self.endResetModel()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._apply(self._pending)

    def _apply(self, text: str) -> None:
        query = text.strip()
        self.beginResetModel()
        self._rows, self._query, self.pages_fetched = [], query, 0
        self._exhausted = not query
        failure = ""
        if query:
            try:
                self._fetch_page()
            except ServiceError as exc:
                self._exhausted, failure = True, str(exc)
        self.endResetModel()
        if failure:
            self.search_failed.emit(failure)
        else:
            self.searched.emit(query)

    def _fetch_page(self) -> list[PatientRow]:
        page = self._patients.search(
            self._actor, self._query, limit=self.page_size, offset=len(self._rows)
        )
        self.pages_fetched += 1
        self._exhausted = len(page) < self.page_size
        self._rows.extend(page)
        return page

    # --- paging ----------------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        start = len(self._rows)
        try:
            page = self._patients.search(
                self._actor, self._query, limit=self.page_size, offset=start
            )
        except ServiceError as exc:
            self._exhausted = True
            self.search_failed.emit(str(exc))
            return
        self.pages_fetched += 1
        self._exhausted = len(page) < self.page_size
        if page:
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    # --- the model -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        p = self._rows[index.row()]
        if role == self.PatientRole:
            return p
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            # A narrow panel cuts long names short; the whole name is a hover away.
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            column = index.column()
            if column == 0:
                return p.record_number
            if column == 1:
                name = f"{p.last_name}, {p.first_name}"
                return f"{name} ({p.preferred_name})" if p.preferred_name else name
            if column == 2:
                return f"{p.date_of_birth.isoformat()} ({self.age_text(p)})"
            if column == 3:
                return SEX_LABELS.get(p.sex_at_birth, p.sex_at_birth)
            return format_phone(p.phone)
        return None

    def age_text(self, p: PatientRow) -> str:
        """The age today, with "minor" under 18 (a guardian co-signs)."""
        age = age_on(p.date_of_birth, self._patients.ctx.today())
        return f"{age}, minor" if age < ADULT_AGE else str(age)

    def patient(self, row: int) -> PatientRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, patient_id: int) -> int:
        for i, p in enumerate(self._rows):
            if p.id == patient_id:
                return i
        return -1
