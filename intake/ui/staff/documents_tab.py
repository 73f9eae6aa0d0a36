"""A visit's documents: every issue kept, each previewed or printed (both audited), each shown
timestamped (PAdES B-T, with the time the authority gave) or waiting for its timestamp."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake.domain.kinds import FINISHED
from intake.services.context import Actor, AppContext
from intake.ui.common import (
    BusyBar,
    Clock,
    describe_error,
    fill_table,
    make_table,
    named,
)
from intake.ui.operations import KNOWN_ERRORS, Operation
from intake.ui.staff.document_rows import (
    COLUMNS,
    TIMESTAMP_COLUMN,
    document_rows,
    documents_note,
    headers,
    in_order,
    style_timestamp_cell,
)
from intake.ui.staff.packets import (
    document_service,
    print_documents,
    print_footer,
    print_job_name,
)
from intake.ui.staff.pdf_preview import PdfPreviewDialog, PrintFailed, ask_for_printer
from intake.ui.staff.signing_words import kind_title, message_label, said
from intake.ui.staff.timestamps import PendingTimestamps, action_text

FHIR_ROLES = ("clinician", "admin")


def ask_for_save_path(parent: QWidget, suggested: str) -> str | None:
    """The file a FHIR bundle is saved to, from the standard save dialog (None: cancelled)."""
    path, _ = QFileDialog.getSaveFileName(
        parent, said("fhir_save_title"), suggested, said("fhir_save_filter")
    )
    return path or None


def fhir_service(ctx: AppContext) -> Any:
    from intake.services.fhir import FhirService

    return FhirService(ctx)


class DocumentsWidget(QWidget):
    """Lists all issues of a visit's documents, newest first per kind; preview and print."""

    documents_loaded = Signal(int)
    documents_issued = Signal(int)
    preview_opened = Signal(object)  # the PdfPreviewDialog
    printed = Signal(int)  # pages
    fhir_exported = Signal(str)  # the file written
    timestamps_added = Signal(str)  # the message shown: "N timestamped, M still pending"

    COLUMNS = COLUMNS
    TIMESTAMP_COLUMN = TIMESTAMP_COLUMN

    def __init__(self, ctx: AppContext, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        named(self, said("documents_name"), "documents_tab")
        self._ctx, self._actor = ctx, actor
        self._clock = Clock(ctx.forms.clinic.timezone)
        self.tasks = Operation(self, "documents")
        self.choose_printer: Callable[[QWidget, Callable[[QPrinter], object]], object] = (
            ask_for_printer
        )
        # Asked for the file a FHIR export goes to; tests put a function of their own here.
        self.choose_save_path: Callable[[QWidget, str], str | None] = ask_for_save_path
        self.visit_id: str | None = None
        self.record_number = ""  # the patient's, set by the review: it names print jobs
        self.status = ""
        self.documents: list[Any] = []
        self.preview: PdfPreviewDialog | None = None

        self.note = named(QLabel(self), said("documents_note_name"), "documents_note")
        self.note.setWordWrap(True)
        self.table = make_table(self, said("documents_table_name"), headers(), 0)
        self.table.setObjectName("documents_of_this_visit")
        self.table.itemSelectionChanged.connect(self._on_table_item_selection_changed)
        self.table.cellDoubleClicked.connect(self._on_table_cell_double_clicked)
        self.issue_button = named(
            QPushButton(said("issue"), self), said("issue_name"), "issue_documents"
        )
        self.issue_button.clicked.connect(self._on_issue_button_clicked)
        self.preview_button = named(
            QPushButton(said("preview"), self), said("preview_name"), "preview_document"
        )
        self.preview_button.clicked.connect(self._on_preview_button_clicked)
        self.print_button = named(
            QPushButton(said("print"), self), said("print_name"), "print_document"
        )
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.fhir_button = named(
            QPushButton(said("fhir"), self), said("fhir_name"), "export_fhir_bundle"
        )
        self.fhir_button.setToolTip(said("fhir_tip"))
        self.fhir_button.clicked.connect(self._on_fhir_button_clicked)
        self.fhir_button.setVisible(actor.role in FHIR_ROLES)
        self.timestamp_button = named(
            QPushButton(action_text(), self), action_text(), "add_pending_timestamps"
        )
        self.timestamp_button.setToolTip(said("timestamp_tip"))
        self.timestamp_button.clicked.connect(self._on_timestamp_button_clicked)
        self.timestamps = PendingTimestamps(ctx, actor, self)
        self._connect_timestamps()
        self.message = message_label("documents_name", "documents_message", self)
        self.busy = BusyBar(self)
        self.tasks.busy_changed.connect(self._on_tasks_busy_changed)

        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.timestamp_button)
        buttons.addWidget(self.fhir_button)
        buttons.addWidget(self.issue_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        self._update_buttons()

    # --- loading ---------------------------------------------------------------------------------

    def load(self, visit_id: str, status: str, *, auto_issue: bool = True) -> None:
        """List the visit's documents; a signed visit without them has them made (off-thread)."""
        self.visit_id, self.status = visit_id, status
        self.message.clear_message()
        try:
            documents = document_service(self._ctx).documents(self._actor, visit_id)
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            documents = []
        self._show(documents)
        self.documents_loaded.emit(len(documents))
        kinds = {d.kind for d in documents}
        if (
            auto_issue
            and status in FINISHED
            and any(k not in kinds for k in ("consent", "education", "summary"))
            and not self.tasks.busy
        ):
            self.issue()

    def clear(self) -> None:
        self.visit_id, self.status, self.documents = None, "", []
        self.record_number = ""
        self.table.setRowCount(0)
        self.note.clear()
        self.message.clear_message()
        if self.preview is not None:
            self.preview.reject()
        self._update_buttons()

    def _show(self, documents: list[Any]) -> None:
        self.documents = in_order(documents)
        fill_table(self.table, *document_rows(self.documents, self._clock))
        for row, d in enumerate(self.documents):
            style_timestamp_cell(self.table.item(row, TIMESTAMP_COLUMN), d, self._clock)
        self.table.resizeRowsToContents()
        if documents:
            self.table.selectRow(0)
        self.note.setText(documents_note(self.documents, self.status in FINISHED))
        self._update_buttons()

    def selected(self) -> Any | None:
        row = self.table.currentRow()
        return self.documents[row] if 0 <= row < len(self.documents) else None

    def select(self, kind: str, issue: int) -> bool:
        for i, d in enumerate(self.documents):
            if d.kind == kind and d.issue == issue:
                self.table.selectRow(i)
                return True
        return False

    def _update_buttons(self) -> None:
        busy = self.tasks.busy
        chosen = self.selected() is not None
        self.preview_button.setEnabled(chosen and not busy)
        self.print_button.setEnabled(chosen and not busy)
        kinds = {d.kind for d in self.documents}
        missing = any(k not in kinds for k in ("consent", "education", "summary"))
        self.issue_button.setVisible(self.status in FINISHED and missing)
        self.issue_button.setEnabled(not busy)
        self.fhir_button.setEnabled(self.visit_id is not None and not busy)
        self.timestamp_button.setVisible(
            self.timestamps.allowed and any(d.timestamp_pending for d in self.documents)
        )
        self.timestamp_button.setEnabled(not self.timestamps.busy)

    @Slot(bool)
    def _on_tasks_busy_changed(self, _busy: bool) -> None:
        self.busy.setVisible(self.tasks.busy or self.timestamps.busy)
        self._update_buttons()

    # --- timestamps ------------------------------------------------------------------------------

    def share_timestamps(self, runner: PendingTimestamps) -> None:
        """Use the staff window's runner, so that its menu action and this button are one."""
        self._disconnect_timestamps()
        self.timestamps.deleteLater()
        self.timestamps = runner
        self._connect_timestamps()
        self._update_buttons()

    def _connect_timestamps(self) -> None:
        self.timestamps.busy_changed.connect(self._on_timestamps_busy_changed)
        self.timestamps.finished.connect(self._on_timestamps_finished)
        self.timestamps.failed.connect(self._on_timestamps_failed)

    def _disconnect_timestamps(self) -> None:
        self.timestamps.busy_changed.disconnect(self._on_timestamps_busy_changed)
        self.timestamps.finished.disconnect(self._on_timestamps_finished)
        self.timestamps.failed.disconnect(self._on_timestamps_failed)

    @Slot()
    def _on_timestamp_button_clicked(self) -> None:
        if self.timestamps.run(self):
            self.message.show_message(said("asking_authority"), "info")

    @Slot(bool)
    def _on_timestamps_busy_changed(self, _busy: bool) -> None:
        self.busy.setVisible(self.tasks.busy or self.timestamps.busy)
        self._update_buttons()

    @Slot(object, str, str)
    def _on_timestamps_finished(self, source: object, text: str, kind: str) -> None:
        if self.visit_id is not None:
            self.load(self.visit_id, self.status, auto_issue=False)  # shows the new state
        if source is self:
            self.message.show_message(text, kind)
            self.timestamps_added.emit(text)

    @Slot(object, str)
    def _on_timestamps_failed(self, source: object, text: str) -> None:
        if source is self:
            self.message.show_error(text)

    @Slot()
    def _on_table_item_selection_changed(self) -> None:
        self._update_buttons()

    # --- issuing ---------------------------------------------------------------------------------

    @Slot()
    def _on_issue_button_clicked(self) -> None:
        self.issue()

    def issue(self) -> None:
        """Make the documents of a signed visit, off the GUI thread."""
        if self.visit_id is None:
            return
        visit_id = self.visit_id
        self.message.show_message(said("making"), "info")
        self.tasks.run(
            lambda: document_service(self._ctx).issue_documents(self._actor, visit_id),
            lambda made: self._on_issue_done(visit_id, made),
            self._on_task_failed,
        )

    def _on_issue_done(self, visit_id: str, made: list[Any]) -> None:
        if self.visit_id != visit_id:
            return  # another visit is shown now
        self.load(self.visit_id, self.status, auto_issue=False)
        self.message.show_message(said("ready"), "info")
        self.documents_issued.emit(len(made))

    def _on_task_failed(self, exc: BaseException) -> None:
        self.message.show_error(describe_error(exc))
        self._update_buttons()

    # --- preview and print -----------------------------------------------------------------------

    @Slot(int, int)
    def _on_table_cell_double_clicked(self, _row: int, _column: int) -> None:
        self._on_preview_button_clicked()

    @Slot()
    def _on_preview_button_clicked(self) -> None:
        doc = self.selected()
        if doc is None:
            return
        self.message.clear_message()
        self.tasks.run(
            lambda: document_service(self._ctx).open_pdf(self._actor, doc.id, purpose="view"),
            lambda data: self._show_preview(doc, data),
            self._on_task_failed,
        )

    def _show_preview(self, doc: Any, data: bytes) -> None:
        title = said("preview_title", title=kind_title(doc.kind), issue=doc.issue)
        try:
            dialog = PdfPreviewDialog(
                data,
                title,
                footer=print_footer(self._ctx, self._actor, doc),
                fetch_for_print=lambda: document_service(self._ctx).open_pdf(
                    self._actor, doc.id, purpose="print"
                ),
                job_name=print_job_name([doc], self.record_number),
                parent=self,
            )
        except PrintFailed as exc:
            self.message.show_error(str(exc))
            return
        dialog.choose_printer = self.choose_printer
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_preview_finished)
        dialog.printed.connect(self.printed)
        self.preview = dialog
        dialog.open()
        self.preview_opened.emit(dialog)

    @Slot(int)
    def _on_preview_finished(self, _result: int) -> None:
        self.preview = None

    @Slot()
    def _on_print_button_clicked(self) -> None:
        if self.selected() is not None:
            self.choose_printer(self, self.print_selected_to)

    def print_selected_to(self, printer: QPrinter) -> int:
        doc = self.selected()
        if doc is None:
            return 0
        try:
            pages = print_documents(self._ctx, self._actor, printer, [doc], self.record_number)
        except PrintFailed as exc:
            self.message.show_error(str(exc))
            return 0
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return 0
        self.message.show_message(said("sent_pages", count=pages), "info")
        self.printed.emit(pages)
        return pages

    # --- FHIR export -----------------------------------------------------------------------------

    @Slot()
    def _on_fhir_button_clicked(self) -> None:
        if self.visit_id is None:
            return
        visit_id = self.visit_id
        suggested = f"fhir-{self.record_number or 'visit'}-{visit_id[:8]}.json"
        chosen = self.choose_save_path(self, suggested)
        if not chosen:
            return
        from pathlib import Path

        target = Path(chosen)
        self.message.show_message(said("fhir_exporting"), "info")
        self.tasks.run(
            lambda: fhir_service(self._ctx).export_visit(self._actor, visit_id, target),
            self._on_fhir_done,
            self._on_fhir_failed,
        )

    def _on_fhir_done(self, done: Any) -> None:
        self.message.show_message(
            said("fhir_saved", count=done.resources, file=done.path.name), "info"
        )
        self.fhir_exported.emit(str(done.path))

    def _on_fhir_failed(self, exc: BaseException) -> None:
        if isinstance(exc, OSError):
            self.message.show_error(said("fhir_not_saved", reason=exc.strerror))
        else:
            self.message.show_error(describe_error(exc))
        self._update_buttons()
