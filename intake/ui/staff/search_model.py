"""Patient search as a Qt model that pages from the database: never every patient at once."""

from __future__ import annotations

from collections.abc import Callable
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
from intake.services.patients import PatientRow, PatientService
from intake.ui.common import describe_error, words
from intake.ui.operations import Operation, Reentry

Index = QModelIndex | QPersistentModelIndex

SEXES = ("female", "male", "intersex")


class PatientSearchModel(QAbstractTableModel):
    """Rows of ``PatientService.search`` for the current query, fetched a page at a time.

    ``set_query`` waits ``debounce_ms`` for typing to pause; an empty query shows no one.
    Views call ``fetchMore`` as they scroll to the end. Every page is read off the GUI thread;
    ``searched`` says when a query's first page is in.
    """

    PAGE_SIZE = 50
    COLUMNS = ("record", "name", "born", "sex", "phone")  # desk.column_<key>
    PatientRole = Qt.ItemDataRole.UserRole + 1

    searched = Signal(str)  # a query's first page is in (the query text)
    search_failed = Signal(str)  # a message fit to show
    page_added = Signal(int)  # a further page is in (how many rows it added)
    busy_changed = Signal(bool)  # a search or a further page is being read

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
        self._asked = ""  # the query last asked for: only its rows are shown
        self._then: Callable[[], object] | None = None
        # Off the GUI thread. A query typed while one runs follows it, and the older
        # query's rows are never shown; one further page at a time.
        self._search = Operation(
            self, "search patients", on_failure=self._on_search_failed, reentry=Reentry.LATEST
        )
        self._more = Operation(self, "more patients", on_failure=self._on_search_failed)
        for op in (self._search, self._more):
            op.busy_changed.connect(self._on_op_busy_changed)

    # --- querying --------------------------------------------------------------------------------

    @property
    def query(self) -> str:
        """The query whose rows are shown."""
        return self._query

    @property
    def searching(self) -> bool:
        return self._search.busy or self._more.busy

    def set_query(self, text: str) -> None:
        """Search for ``text`` once typing pauses."""
        self._pending = text
        self._timer.start()

    def search_now(self, text: str | None = None, then: Callable[[], object] | None = None) -> None:
        """Run the pending (or the given) query at once; ``then`` runs once its rows are in."""
        self._timer.stop()
        if text is not None:
            self._pending = text
        self._apply(self._pending, then)

    def refresh(self, then: Callable[[], object] | None = None) -> None:
        """Search again for the query last asked for (its rows may not be in yet)."""
        self._apply(self._asked if self.searching else self._query, then)

    def clear(self) -> None:
        """Forget the query and every row (e.g. when the station locks)."""
        self._timer.stop()
        self._search.cancel()  # a search still running shows no one on a locked screen
        self._more.cancel()
        self._asked, self._then = "", None
        self.beginResetModel()
        self._rows, self._query, self._pending, self._exhausted = [], "", "", True
        self.endResetModel()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._apply(self._pending)

    def _apply(self, text: str, then: Callable[[], object] | None = None) -> None:
        query = text.strip()
        earlier = self._then if query == self._asked and self.searching else None
        if earlier is not None and then is not None:
            # Asked again before its rows came (saved, then the dialog closed): both wait.
            first, second = earlier, then
            self._then = lambda: (first(), second())
        else:
            self._then = then or earlier
        self._asked = query
        self._more.cancel()  # a page of the query before is not added to this one's
        if not query:
            self._search.cancel()
            self._show_first_page(query, [])
            return
        patients, actor, size = self._patients, self._actor, self.page_size
        self._search.run(
            lambda: patients.search(actor, query, limit=size, offset=0),
            lambda page: self._show_first_page(query, page),
        )

    def _show_first_page(self, query: str, page: list[PatientRow]) -> None:
        if query != self._asked:
            return  # typed on since: a newer query's rows are on their way
        self.beginResetModel()
        self._rows, self._query = list(page), query
        self.pages_fetched = 1 if query else 0
        self._exhausted = not query or len(page) < self.page_size
        self.endResetModel()
        then, self._then = self._then, None
        self.searched.emit(query)
        if then is not None:
            then()

    def _on_search_failed(self, exc: BaseException) -> None:
        self._then = None
        self._exhausted = True
        self.search_failed.emit(describe_error(exc))

    # --- paging ----------------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        # A view may still ask while the model is being torn down (its Python attributes gone
        # before the C++ object): nothing more to fetch then.
        exhausted = getattr(self, "_exhausted", True)
        more = getattr(self, "_more", None)
        return not parent.isValid() and not exhausted and more is not None and not more.busy

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or self._search.busy:
            return
        query, start = self._query, len(self._rows)
        patients, actor, size = self._patients, self._actor, self.page_size
        self._more.run(
            lambda: patients.search(actor, query, limit=size, offset=start),
            lambda page: self._add_page(query, start, page),
        )

    def _add_page(self, query: str, start: int, page: list[PatientRow]) -> None:
        if query != self._query or start != len(self._rows):
            return  # the rows changed meanwhile (a new search)
        self.pages_fetched += 1
        self._exhausted = len(page) < self.page_size
        if page:
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        self.page_added.emit(len(page))

    @Slot(bool)
    def _on_op_busy_changed(self, _busy: bool) -> None:
        self.busy_changed.emit(self.searching)

    # --- the model -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return words(f"desk.column_{self.COLUMNS[section]}")
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
                sex = p.sex_at_birth
                return words(f"desk.sex_short_{sex}") if sex in SEXES else sex
            return format_phone(p.phone)
        return None

    def age_text(self, p: PatientRow) -> str:
        """The age today, with "minor" under 18 (a guardian co-signs)."""
        age = age_on(p.date_of_birth, self._patients.ctx.today())
        return words("desk.age_minor", age=age) if age < ADULT_AGE else str(age)

    def patient(self, row: int) -> PatientRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, patient_id: int) -> int:
        for i, p in enumerate(self._rows):
            if p.id == patient_id:
                return i
        return -1
