"""Printing: each document on its own paper, and a job name a shared queue can tell apart."""

from __future__ import annotations

import io

import pytest
from PySide6.QtCore import Qt
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    A4_POINTS,
    LETTER_POINTS,
    background_work_finishes,
    clinician,
    desk,
    pdf_page_sizes,
    pdf_printer,
    pdf_title,
    printer_to,
    search,
    signed_visit,
)

from intake.ui.staff.front_desk import FrontDeskPage
from intake.ui.staff.pdf_preview import PdfPreviewDialog, PrintJob, print_pdfs
from intake.ui.staff.review import ReviewWidget

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _pdf(*pages: tuple[float, float]) -> bytes:
    """A PDF with one page of each size (points), as reportlab lays out the clinic's documents."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, invariant=1)
    for size in pages:
        c.setPageSize(size)
        c.drawString(72, size[1] - 72, f"Page {size[0]:g} x {size[1]:g}")
        c.showPage()
    c.save()
    return out.getvalue()


@pytest.mark.parametrize(
    ("document", "queue_default"),
    [(LETTER_POINTS, "a4"), (A4_POINTS, "letter")],
    ids=["letter-on-an-a4-queue", "a4-on-a-letter-queue"],
)
def test_a_document_prints_on_its_own_paper_not_the_queues_default(
    qtbot, tmp_path, document, queue_default
) -> None:  # type: ignore[no-untyped-def]
    dialog = PdfPreviewDialog(_pdf(document, document), "Consent, issue 1", job_name="Consent job")
    qtbot.addWidget(dialog)
    out = tmp_path / "out.pdf"
    dialog.choose_printer = printer_to(out, queue_default)
    with qtbot.waitSignal(dialog.printed):
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert pdf_page_sizes(out) == [document, document]
    assert pdf_title(out) == "Consent job"


def test_one_job_of_mixed_papers_and_a_landscape_page(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "mixed.pdf"
    landscape = (LETTER_POINTS[1], LETTER_POINTS[0])
    pages = print_pdfs(
        pdf_printer(out, "a4"),
        [PrintJob(_pdf(LETTER_POINTS)), PrintJob(_pdf(A4_POINTS, landscape))],
        name="Packet · RPM-000001",
    )
    assert pages == 3
    assert pdf_page_sizes(out) == [LETTER_POINTS, A4_POINTS, landscape]
    assert pdf_title(out) == "Packet · RPM-000001"


def test_the_front_desk_packet_job_names_kinds_record_and_documents(qtbot, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, first_name="Pia", last_name="Lund")
    page = FrontDeskPage(ctx, desk(ctx), board_refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(page)
    search(qtbot, page, "lund")
    assert page.select_patient(patient_id)
    record = page.selected_patient().record_number
    out = tmp_path / "packet.pdf"
    page.choose_printer = printer_to(out, "a4")
    with qtbot.waitSignal(page.packet_printed, timeout=30_000):
        qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    consent, education = page.packet
    assert pdf_title(out) == (
        f"Consent issue 1 and Education packet issue 1 · {record}"
        f" · documents {consent.id}, {education.id}"
    )
    # The clinic profile's paper is letter; the queue's A4 default is not used.
    assert ctx.forms.clinic.paper == "letter"
    assert set(pdf_page_sizes(out)) == {LETTER_POINTS}


def test_a_reviewed_document_job_names_its_kind_record_and_id(qtbot, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, first_name="Em", last_name="Sato")
    review = ReviewWidget(ctx, clinician(ctx))
    qtbot.addWidget(review)
    review.resize(1100, 800)
    review.show()
    with qtbot.waitSignal(review.documents.documents_issued, timeout=30_000):
        review.show_visit(vid, patient_id)
    record = review.review.record.patient.record_number
    review.tabs.setCurrentWidget(review.documents)
    assert review.documents.select("summary", 1)
    doc = review.documents.selected()
    assert doc.kind == "summary" and review.documents.print_button.isEnabled()
    out = tmp_path / "summary.pdf"
    review.documents.choose_printer = printer_to(out, "a4")
    with qtbot.waitSignal(review.documents.printed, timeout=30_000):
        qtbot.mouseClick(review.documents.print_button, Qt.MouseButton.LeftButton)
    assert pdf_title(out) == f"Intake summary issue 1 · {record} · document {doc.id}"
    assert set(pdf_page_sizes(out)) == {LETTER_POINTS}

    # From the preview, the same name.
    with qtbot.waitSignal(review.documents.preview_opened, timeout=10_000) as opened:
        qtbot.mouseClick(review.documents.preview_button, Qt.MouseButton.LeftButton)
    preview = opened.args[0]
    out2 = tmp_path / "preview.pdf"
    preview.choose_printer = printer_to(out2, "a4")
    with qtbot.waitSignal(preview.printed, timeout=30_000):
        qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert pdf_title(out2) == pdf_title(out)
    assert set(pdf_page_sizes(out2)) == {LETTER_POINTS}
    preview.reject()


def test_ctrl_p_prints_from_the_preview(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAccessible, QKeySequence
    from PySide6.QtTest import QTest

    dialog = PdfPreviewDialog(_pdf(LETTER_POINTS), "Consent, issue 1")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    out = tmp_path / "keys.pdf"
    dialog.choose_printer = printer_to(out)
    keys = QKeySequence(QKeySequence.StandardKey.Print)
    with qtbot.waitSignal(dialog.printed):
        QTest.keyClick(dialog.view, keys[0].key(), keys[0].keyboardModifiers())
    assert pdf_page_sizes(out) == [LETTER_POINTS]
    assert pdf_title(out) == "Consent, issue 1"  # without a job name, the title names it
    text = keys.toString(QKeySequence.SequenceFormat.NativeText)
    assert dialog.print_button.toolTip() == f"Print ({text})"
    face = QAccessible.queryAccessibleInterface(dialog.print_button)
    assert text in face.text(QAccessible.Text.Description)
