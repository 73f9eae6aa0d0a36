"""Check a printed copy from the staff workspace: typed or scanned (a scanner types, then Enter)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    audit_events,
    background_work_finishes,
    desk_info,
    signed_visit,
)

from intake.documents.fingerprint import check_payload
from intake.services.documents import DocumentService
from intake.services.staff import staff_actor
from intake.store.models import Document
from intake.ui.staff.window import StaffWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_a_scanned_qr_code_shows_the_stored_document(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _ = signed_visit(sqlite_ctx, first_name="Em", last_name="Sato")
    # Issued from the front desk (a staff actor; the system actor opens no visit).
    DocumentService(sqlite_ctx).issue_documents(staff_actor(desk_info(sqlite_ctx)), vid)
    with sqlite_ctx.db.session() as s:
        consent = s.scalars(
            select(Document).where(Document.visit_id == vid, Document.kind == "consent")
        ).one()
        payload = check_payload(consent.id, consent.issue, (consent.record_sha256 or "")[:12])
        consent_id = consent.id
    window = StaffWindow(sqlite_ctx, desk_info(sqlite_ctx), refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.show()
    button = window.paper_check_button
    assert button.isVisible() and button.accessibleName() == "Check a printed copy"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.paper_check_dialog
    assert dialog is not None and dialog.isVisible()
    widget = dialog.widget
    assert widget.entry.accessibleName() == "Printed copy id, fingerprint or QR code"

    # A scanner: the payload's characters, then Enter.
    with qtbot.waitSignal(widget.checked, timeout=30_000) as done:
        qtbot.keyClicks(widget.entry, payload)
        qtbot.keyClick(widget.entry, Qt.Key.Key_Return)
    check = done.args[0]
    assert check.found and check.document.id == consent_id
    assert widget.message.isVisible() and widget.message.text().startswith("genuine")
    details = widget.details.text()
    assert "consent issue 1, made" in details and consent_id in details
    assert "current: the latest issue of this document" in details
    assert "signed by the patient at" in details
    assert "Sato" not in widget.message.text() + details  # no patient name on the screen
    assert dialog.isVisible()  # Enter checked; it did not close the dialog

    # The next scan replaces the text: a made-up fingerprint is called out.
    with qtbot.waitSignal(widget.checked, timeout=30_000) as done:
        qtbot.keyClicks(widget.entry, check_payload(consent_id, 1, "0" * 12))
        qtbot.keyClick(widget.entry, Qt.Key.Key_Return)
    assert not done.args[0].found
    assert widget.message.text().startswith("NOT GENUINE") and widget.message.kind == "error"
    assert not widget.details.isVisible()

    # Typed by hand with the Check button: something that is no id at all.
    widget.entry.clear()
    qtbot.keyClicks(widget.entry, "hello")
    with qtbot.waitSignal(widget.checked, timeout=30_000) as done:
        qtbot.mouseClick(widget.check_button, Qt.MouseButton.LeftButton)
    assert not done.args[0].recognised and widget.message.kind == "warning"

    # Every check is on the audit trail, found or not.
    assert len(audit_events(sqlite_ctx, "verify")) == 3
    dialog.reject()
    assert widget.entry.text() == "" and not widget.details.isVisible()
