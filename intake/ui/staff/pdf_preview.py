"""Preview a PDF in the app (QPdfView) and print it on the system printer (QPrintDialog)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QRectF,
    QSize,
    QSizeF,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake.ui.common import describe_error, named
from intake.ui.operations import KNOWN_ERRORS
from intake.ui.staff.signing_words import message_label, said

PRINT_DPI = 300  # pages are rendered at most this fine: enough for text, light on memory


class PrintFailed(Exception):
    """The printer could not be opened or the PDF could not be read."""


@dataclass(frozen=True)
class PrintJob:
    """One PDF to print and the line printed at the foot of each of its pages."""

    data: bytes
    footer: str = ""


def load_pdf(data: bytes, parent: QWidget | None = None) -> tuple[QPdfDocument, QBuffer]:
    """A QPdfDocument reading from memory; keep the buffer alive as long as the document."""
    document = QPdfDocument(parent) if parent is not None else QPdfDocument()
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise PrintFailed(said("not_a_pdf"))
    return document, buffer


def page_layout(points: QSizeF) -> QPageLayout:
    """The paper a PDF page was made for (letter, A4, ...), its orientation, no margins.

    The documents are laid out for the clinic's paper; printing them on whatever the queue
    defaults to would shrink or crop them.
    """
    portrait = QSizeF(min(points.width(), points.height()), max(points.width(), points.height()))
    size = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    orientation = (
        QPageLayout.Orientation.Landscape
        if points.width() > points.height()
        else QPageLayout.Orientation.Portrait
    )
    return QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)


def _same_paper(a: QPageLayout, b: QPageLayout) -> bool:
    return a.pageSize().isEquivalentTo(b.pageSize()) and a.orientation() == b.orientation()


def print_pdfs(
    printer: QPrinter, jobs: Sequence[PrintJob], dpi: int = PRINT_DPI, *, name: str = ""
) -> int:
    """Print each PDF's pages on ``printer``, one after the other; returns the pages printed.

    Each page goes on the paper it was made for. ``name`` names the job in the print queue
    (what it is, whose record, which document), so a shared queue can tell jobs apart.
    """
    documents: list[tuple[QPdfDocument, QBuffer, str]] = []
    try:
        for job in jobs:
            document, buffer = load_pdf(job.data)
            documents.append((document, buffer, job.footer))
        return _print_documents(printer, documents, dpi, name)
    finally:
        for document, buffer, _ in documents:
            document.close()
            buffer.close()


def _print_documents(
    printer: QPrinter, documents: Sequence[tuple[QPdfDocument, QBuffer, str]], dpi: int, name: str
) -> int:
    if name:
        printer.setDocName(name)
    printer.setFullPage(True)  # the documents carry their own margins
    if documents:
        printer.setPageLayout(page_layout(documents[0][0].pagePointSize(0)))
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed(said("printer_not_opened"))
    pages = 0
    # Pages are rasterised here, a second or two for a packet: say so with the cursor.
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        for document, _buffer, footer in documents:
            for index in range(document.pageCount()):
                if pages:
                    layout = page_layout(document.pagePointSize(index))
                    # Changed only when it differs: some printers refuse it mid-job.
                    if not _same_paper(layout, printer.pageLayout()):
                        printer.setPageLayout(layout)
                    printer.newPage()
                _paint_page(painter, printer, document, index, footer, dpi)
                pages += 1
    finally:
        painter.end()
        QGuiApplication.restoreOverrideCursor()
    return pages


def _paint_page(
    painter: QPainter,
    printer: QPrinter,
    document: QPdfDocument,
    index: int,
    footer: str,
    dpi: int,
) -> None:
    paper = printer.paperRect(QPrinter.Unit.DevicePixel)
    points = document.pagePointSize(index)
    resolution = min(printer.resolution(), dpi)
    image = document.render(
        index,
        QSize(round(points.width() * resolution / 72), round(points.height() * resolution / 72)),
    )
    # Fit the page to the paper, keeping its shape.
    scale = min(paper.width() / points.width(), paper.height() / points.height())
    width, height = points.width() * scale, points.height() * scale
    target = QRectF((paper.width() - width) / 2, (paper.height() - height) / 2, width, height)
    painter.drawImage(target, image)
    if footer:
        font = QFont("DejaVu Sans")
        font.setPointSizeF(6.5)
        # No ligatures: the ids in the line must copy out of the PDF letter for letter.
        for feature in ("liga", "clig", "dlig"):
            font.setFeature(QFont.Tag(feature), 0)
        painter.setFont(font)
        painter.setPen(QColor("#555555"))
        margin = printer.resolution() * 0.12
        box = QRectF(target.left(), target.bottom() - margin * 1.8, target.width(), margin * 1.6)
        painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, footer)


def ask_for_printer(parent: QWidget, on_chosen: Callable[[QPrinter], object]) -> QPrintDialog:
    """Open the system print dialog (not blocking); ``on_chosen`` gets the printer if accepted."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    named(dialog, said("choose_printer"), "print_dialog")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: on_chosen(printer))
    QDialog.open(dialog)  # QPrintDialog.open() wants a receiver; the plain one does not
    return dialog


class PdfPreviewDialog(QDialog):
    """Shows one PDF; Print asks for a printer, then prints it.

    ``fetch_for_print`` returns the bytes to print (the services audit that as a print);
    without it, the previewed bytes are printed.
    """

    printed = Signal(int)  # pages sent to the printer
    print_failed = Signal(str)

    def __init__(
        self,
        data: bytes,
        title: str,
        *,
        footer: str = "",
        fetch_for_print: Callable[[], bytes] | None = None,
        job_name: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        named(self, said("preview_window_name", title=title), "pdf_preview")
        self.resize(860, 900)
        self.data = data
        self.footer = footer
        self.job_name = job_name or title
        self._fetch_for_print = fetch_for_print
        # Tests put a PDF-file printer here instead of asking through the system dialog.
        self.choose_printer: Callable[[QWidget, Callable[[QPrinter], object]], object] = (
            ask_for_printer
        )

        self.document, self._buffer = load_pdf(data, self)
        self.view = QPdfView(self)
        named(self.view, said("preview_view_name"), "document_preview")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)

        self.page_label = named(QLabel(self), said("page_count_name"), "page_count")
        self.page_label.setWordWrap(True)
        self.page_label.setText(said("page_count", title=title, count=self.document.pageCount()))
        self.print_button = named(
            QPushButton(said("print_button"), self), said("print_button_name"), "print"
        )
        self.print_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        keys = self.print_button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.print_button.setToolTip(said("print_tip", keys=keys))
        self.print_button.setAccessibleDescription(said("print_shortcut", keys=keys))
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.close_button = named(
            QPushButton(said("close"), self), said("close_name"), "close_preview"
        )
        self.close_button.clicked.connect(self.reject)
        self.message = message_label("print_subject", "print_message", self)

        bar = QHBoxLayout()
        bar.addWidget(self.page_label, 1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    @Slot()
    def _on_print_button_clicked(self) -> None:
        self.choose_printer(self, self.print_to)

    def print_to(self, printer: QPrinter) -> int:
        """Print on ``printer`` (the chosen printer, or a PDF file in tests); 0 when it failed."""
        self.message.clear_message()
        text = said("nothing_printed")
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            data = self._fetch_for_print() if self._fetch_for_print else self.data
            pages = print_pdfs(printer, [PrintJob(data, self.footer)], name=self.job_name)
        except PrintFailed as exc:
            pages, text = 0, str(exc)
        except KNOWN_ERRORS as exc:  # service refusals and faults become a message
            pages, text = 0, describe_error(exc)
        finally:
            QGuiApplication.restoreOverrideCursor()
        if not pages:
            self.message.show_error(text)
            self.print_failed.emit(text)
            return 0
        self.message.show_message(said("sent_pages", count=pages), "info")
        self.printed.emit(pages)
        return pages
