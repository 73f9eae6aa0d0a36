"""Signing and documents in the pseudo-locale and in Spanish: every text the countersign dialog,
the pregnancy-status confirmation, the printed-copy check, the documents tab (its rows, its
timestamp notes, a changed file's problem) and the PDF preview show comes from the catalogue."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pseudo_text import staff_texts, unmarked_staff_texts
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget
from sqlalchemy import text
from test_staff_buttons_fit import clipped_buttons
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    draw_signature,
    signed_visit,
)

from intake.services.clinician import ClinicianService
from intake.services.documents import DocumentService
from intake.services.errors import Conflict
from intake.services.scripted import STAFF_PIN, countersign_consent
from intake.ui.staff.countersign import CountersignDialog
from intake.ui.staff.documents_tab import DocumentsWidget
from intake.ui.staff.paper_check import PaperCheckDialog
from intake.ui.staff.pregnancy import PregnancyStatusWidget

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

# Where to write screenshots for a person to look at (none are written otherwise).
SHOTS = os.environ.get("INTAKE_PSEUDO_SHOTS", "")
STAFF = ("Dr Ana Ruiz",)


def shot(widget: QWidget, name: str) -> None:
    """Keep a picture when INTAKE_PSEUDO_SHOTS names a folder; every button shows its text."""
    assert clipped_buttons(widget) == [], name
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"signing_{name}.png"))


def accessible_name(widget: QWidget) -> str:
    face = QAccessible.queryAccessibleInterface(widget)
    assert face is not None
    return face.text(QAccessible.Text.Name)


def flag_texts(ctx, vid: str) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    record = ClinicianService(ctx).review(clinician(ctx), vid).record
    return tuple(f.text for f in record.flags)


def countersign_dialog(qtbot, ctx, vid: str, name: str) -> CountersignDialog:  # type: ignore[no-untyped-def]
    record = ClinicianService(ctx).review(clinician(ctx), vid).record
    ruleset = ctx.forms.programme.ruleset(record.ruleset_id)
    dialog = CountersignDialog(
        ctx,
        clinician(ctx),
        vid,
        name,
        flags=record.flags,
        attestations=[(a.id, a.text) for a in ruleset.prescriber_attestations],
    )
    qtbot.addWidget(dialog)
    dialog.resize(1280, 800)
    dialog.show()
    return dialog


def attestation_texts(ctx, vid: str) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    record = ClinicianService(ctx).review(clinician(ctx), vid).record
    return tuple(
        a.text for a in ctx.forms.programme.ruleset(record.ruleset_id).prescriber_attestations
    )


def test_countersign_dialog_in_pseudo(qtbot, sqlite_ctx, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    vid, _ = signed_visit(sqlite_ctx, first_name="Em", last_name="Sato")
    data = ("Em Sato", *STAFF, *flag_texts(sqlite_ctx, vid), *attestation_texts(sqlite_ctx, vid))
    dialog = countersign_dialog(qtbot, sqlite_ctx, vid, "Em Sato")
    assert dialog.review_boxes  # the serious flag is a box to tick
    draw_signature(dialog.pad)
    assert unmarked_staff_texts(dialog, data) == []
    assert accessible_name(dialog.clear_button).startswith("⟦")
    shot(dialog, "countersign_pseudo")

    # Refused by a code the catalogue words; the dialog stays open, saying so.
    dialog._on_countersign_failed(Conflict("changed", code="changed_elsewhere"))
    assert dialog.message.isVisible() and dialog.message.text().startswith("⟦")
    assert unmarked_staff_texts(dialog, data) == []
    shot(dialog, "countersign_refused_pseudo")

    # While it signs: the message says what is under way.
    for box in (*dialog.review_boxes.values(), *dialog.attestation_boxes.values()):
        box.setChecked(True)
    dialog.username.setText("derm")  # type: ignore[union-attr]
    dialog.secret.setText(STAFF_PIN)
    with qtbot.waitSignal(dialog.countersigned, timeout=60_000):
        dialog.sign()
        assert unmarked_staff_texts(dialog, data) == []

    # Signed again, once it is countersigned: the service refuses it.
    again = countersign_dialog(qtbot, sqlite_ctx, vid, "Em Sato")
    draw_signature(again.pad)
    for box in (*again.review_boxes.values(), *again.attestation_boxes.values()):
        box.setChecked(True)
    again.username.setText("derm")  # type: ignore[union-attr]
    again.secret.setText(STAFF_PIN)
    again.sign()
    qtbot.waitUntil(lambda: not again.tasks.busy, timeout=60_000)
    assert again.message.isVisible() and again.isVisible()
    # Worded by its code (already_countersigned), never the service's English.
    assert again.message.text().startswith("⟦")
    assert unmarked_staff_texts(again, data) == []


def test_countersign_dialog_without_flags_in_pseudo(qtbot, sqlite_ctx, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    dialog = CountersignDialog(
        sqlite_ctx, clinician(sqlite_ctx), "visit", "Al Ng", first_signing=False
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert unmarked_staff_texts(dialog, ("Al Ng", *STAFF)) == []


def test_pregnancy_status_in_pseudo(qtbot, sqlite_ctx, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    widget = PregnancyStatusWidget(sqlite_ctx, clinician(sqlite_ctx))
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    assert unmarked_staff_texts(widget) == []
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Dee", last_name="Holm")
    for says, confirmed, current, with_visit in (
        (True, None, True, True),
        (None, None, True, True),
        (False, True, True, True),
        (True, False, False, False),
    ):
        widget.show_status(patient_id, says, confirmed, current, with_visit=with_visit)
        assert unmarked_staff_texts(widget, STAFF) == [], (says, confirmed, current)
    widget.show_status(patient_id, True, None, True)
    widget.cannot.setChecked(True)
    widget._on_confirm_button_clicked()  # a correction without a reason
    assert widget.message.isVisible()
    assert unmarked_staff_texts(widget, STAFF) == []
    shot(widget, "pregnancy_problem_pseudo")
    widget.reason.setText("hysterectomy 2019")
    with qtbot.waitSignal(widget.status_confirmed):
        widget._on_confirm_button_clicked()
    assert widget.message.kind == "info"
    assert unmarked_staff_texts(widget, (*STAFF, "hysterectomy 2019")) == []
    shot(widget, "pregnancy_pseudo")


def test_paper_check_in_pseudo(qtbot, sqlite_ctx, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    vid, _ = signed_visit(sqlite_ctx, first_name="Em", last_name="Sato")
    docs = DocumentService(sqlite_ctx).issue_documents(clinician(sqlite_ctx), vid)
    consent = next(d for d in docs if d.kind == "consent")
    dialog = PaperCheckDialog(sqlite_ctx, clinician(sqlite_ctx))
    qtbot.addWidget(dialog)
    dialog.show()
    assert unmarked_staff_texts(dialog) == []
    widget = dialog.widget
    widget.check()  # nothing typed
    assert widget.message.isVisible()
    assert unmarked_staff_texts(dialog) == []
    widget.entry.setText(consent.id)
    with qtbot.waitSignal(widget.checked, timeout=30_000) as done:
        widget.check()
    check = done.args[0]
    assert check.found and widget.details.isVisible()
    # The verdict's first line is worded by its code (``PaperCheck.reason``), never in English.
    assert check.reason.code == "paper_genuine_by_id"
    assert unmarked_staff_texts(dialog, (consent.id, vid, check.record_number)) == []
    widget.entry.setText("not a document")
    with qtbot.waitSignal(widget.checked, timeout=30_000):
        widget.check()
    assert unmarked_staff_texts(dialog) == []
    shot(dialog, "paper_check_pseudo")


@pytest.mark.qt_log_ignore("propagateSizeHints", "QPainter::begin")  # the failing printer
def test_documents_tab_in_pseudo(qtbot, sqlite_ctx, staff_in_pseudo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("INTAKE_TSA_URL", raising=False)  # sealed without a time-stamping authority
    vid, _ = signed_visit(sqlite_ctx, first_name="Em", last_name="Sato")
    tab = DocumentsWidget(sqlite_ctx, clinician(sqlite_ctx))
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    assert unmarked_staff_texts(tab) == []
    tab.load(vid, "draft")  # not signed yet
    assert unmarked_staff_texts(tab) == []
    with qtbot.waitSignal(tab.documents_issued, timeout=60_000):
        tab.load(vid, "submitted")
    qtbot.waitUntil(lambda: not tab.tasks.busy, timeout=30_000)
    countersign_consent(sqlite_ctx, clinician(sqlite_ctx), vid)
    tab.load(vid, "countersigned", auto_issue=False)
    assert tab.table.rowCount() >= 4  # the countersigned consent and the one it replaces
    shas = tuple(d.sha256[:16] for d in tab.documents)
    ids = tuple(d.id for d in tab.documents)
    assert unmarked_staff_texts(tab, shas + ids) == []
    shot(tab, "documents_pseudo")

    # The preview of a real document, and what printing it says.
    tab.select("consent", 2)
    with qtbot.waitSignal(tab.preview_opened, timeout=30_000) as opened:
        tab._on_preview_button_clicked()
    preview = opened.args[0]
    assert unmarked_staff_texts(preview, STAFF + shas + ids) == []
    preview.message.show_error(preview.message.text() or "x")  # shown, as after a failure
    preview.print_to(_failing_printer())
    assert preview.message.isVisible()
    assert unmarked_staff_texts(preview, STAFF + shas + ids) == []
    assert accessible_name(preview.close_button).startswith("⟦")
    shot(preview, "preview_pseudo")
    with qtbot.waitSignal(preview.destroyed):  # closed (and deleted) before the tab goes
        preview.reject()

    # A document whose stored file was changed (no longer a PDF): its problem is said.
    with sqlite_ctx.db.engine.begin() as conn:  # what direct database access can do
        names = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'documents'")
        ).scalars()
        for name in list(names):
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        conn.execute(
            text("UPDATE documents SET pdf = :pdf WHERE id = :id"),
            {"pdf": b"not a pdf any more", "id": ids[-1]},
        )
    tab.select(tab.documents[-1].kind, tab.documents[-1].issue)
    tab._on_preview_button_clicked()
    qtbot.waitUntil(lambda: tab.message.isVisible(), timeout=30_000)
    assert tab.message.kind == "error"
    assert unmarked_staff_texts(tab, shas + ids) == []
    shot(tab, "documents_problem_pseudo")


def _failing_printer():  # type: ignore[no-untyped-def]
    """A printer that cannot be opened: an output file in a folder that does not exist."""
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName("/nonexistent-folder/x/out.pdf")
    return printer


def test_signing_in_spanish(qtbot, sqlite_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INTAKE_STAFF_LANG", "es")
    monkeypatch.delenv("INTAKE_TSA_URL", raising=False)
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Em", last_name="Sato")
    dialog = countersign_dialog(qtbot, sqlite_ctx, vid, "Em Sato")
    assert dialog.windowTitle() == "Refrendar el consentimiento"
    assert dialog.sign_button.text() == "Refrendar"
    assert accessible_name(dialog.cancel_button) == "Cancelar el refrendo"
    assert "declaración del prescriptor" in dialog.meaning.text()
    shot(dialog, "countersign_es")
    widget = PregnancyStatusWidget(sqlite_ctx, clinician(sqlite_ctx))
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.show_status(patient_id, True, None, True)
    assert "Vigente: <b>puede quedar embarazada</b>" in widget.current.text()
    shot(widget, "pregnancy_es")
    tab = DocumentsWidget(sqlite_ctx, clinician(sqlite_ctx))
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.show()
    with qtbot.waitSignal(tab.documents_issued, timeout=60_000):
        tab.load(vid, "submitted")
    header = tab.table.horizontalHeaderItem(3)
    assert header is not None and header.text() == "Sello de tiempo"
    texts = [tab.table.item(r, 0).text() for r in range(tab.table.rowCount())]
    assert "Consentimiento" in texts
    assert tab.note.text().startswith("Se conservan todas las emisiones.")
    shot(tab, "documents_es")
    paper = PaperCheckDialog(sqlite_ctx, clinician(sqlite_ctx))
    qtbot.addWidget(paper)
    paper.show()
    paper.widget.entry.setText(tab.documents[0].id)
    with qtbot.waitSignal(paper.widget.checked, timeout=30_000):
        paper.widget.check()
    assert "emisión 1" in paper.widget.details.text()
    shot(paper, "paper_check_es")
    tab.select("consent", 1)
    with qtbot.waitSignal(tab.preview_opened, timeout=30_000) as opened:
        tab._on_preview_button_clicked()
    preview = opened.args[0]
    assert preview.windowTitle() == "Consentimiento, emisión 1"
    assert accessible_name(preview.close_button) == "Cerrar la vista previa"
    shot(preview, "preview_es")
    for root in (dialog, widget, tab, paper, preview):
        assert not any("⟦" in text for _, text in staff_texts(root))
    with qtbot.waitSignal(preview.destroyed):  # closed (and deleted) before the tab goes
        preview.reject()
