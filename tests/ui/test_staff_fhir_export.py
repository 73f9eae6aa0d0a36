"""The dermatologist's documents tab saves the visit as a FHIR bundle through a save dialog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from PySide6.QtCore import Qt
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    desk,
    signed_visit,
)

from intake.services.context import SYSTEM
from intake.services.fhir import FhirService
from intake.ui.staff.documents_tab import DocumentsWidget
from intake.ui.staff.review import ReviewWidget

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_export_fhir_saves_the_visit_where_the_dialog_says(
    qtbot, sqlite_ctx, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    vid, patient_id = signed_visit(ctx, first_name="Em", last_name="Sato")
    review = ReviewWidget(ctx, clinician(ctx))
    qtbot.addWidget(review)
    review.resize(1100, 800)
    review.show()
    with qtbot.waitSignal(review.documents.documents_issued, timeout=60_000):
        review.show_visit(vid, patient_id)
    review.tabs.setCurrentWidget(review.documents)
    tab = review.documents
    button = tab.fhir_button
    assert button.isVisible() and button.isEnabled()
    assert button.accessibleName() == "Export FHIR bundle" and button.text() == "Export FHIR…"

    # Cancelling the dialog writes nothing.
    asked: list[str] = []
    tab.choose_save_path = lambda _parent, suggested: asked.append(suggested) or None
    with qtbot.assertNotEmitted(tab.fhir_exported, wait=200):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert asked and asked[0].endswith(".json")
    assert list(tmp_path.glob("*.json")) == []

    target = tmp_path / "visit.json"
    tab.choose_save_path = lambda _parent, _suggested: str(target)
    with qtbot.waitSignal(tab.fhir_exported, timeout=60_000) as saved:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert saved.args == [str(target)]
    bundle = json.loads(target.read_bytes())
    Bundle.model_validate(bundle)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "QuestionnaireResponse", "Consent", "DocumentReference"} <= kinds
    # The same bytes as the service gives for that visit.
    assert target.read_bytes() == FhirService(ctx).visit_bundle(SYSTEM, vid).data
    assert "visit.json" in tab.message.text()


def test_a_folder_that_cannot_be_written_is_said_plainly(qtbot, sqlite_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    vid, _ = signed_visit(ctx)
    tab = DocumentsWidget(ctx, clinician(ctx))
    qtbot.addWidget(tab)
    tab.load(vid, "submitted", auto_issue=False)
    tab.choose_save_path = lambda _parent, _suggested: str(tmp_path / "gone" / "x.json")
    qtbot.mouseClick(tab.fhir_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "could not be saved" in tab.message.text(), timeout=60_000)
    assert not (tmp_path / "gone").exists()


def test_the_front_desk_has_no_fhir_export(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _ = signed_visit(sqlite_ctx)
    tab = DocumentsWidget(sqlite_ctx, desk(sqlite_ctx))
    qtbot.addWidget(tab)
    tab.show()
    tab.load(vid, "submitted", auto_issue=False)
    assert not tab.fhir_button.isVisible()
