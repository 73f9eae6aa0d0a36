"""The countersign dialog asks the prescriber to confirm what the visit's rule set requires."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    draw_signature,
)

from intake.ui.staff.countersign import CountersignDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

ATTESTATIONS = (
    ("clinically_indicated", "I confirm that isotretinoin is clinically indicated."),
    ("no_other_treatment", "I confirm that no other appropriate effective treatment is available."),
)


def test_countersign_waits_for_each_attestation(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    dialog = CountersignDialog(
        sqlite_ctx, clinician(sqlite_ctx), "visit", "Al Ng", attestations=ATTESTATIONS
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert list(dialog.attestation_boxes) == ["clinically_indicated", "no_other_treatment"]
    draw_signature(dialog.pad)
    assert not dialog.sign_button.isEnabled()
    for ident, text in ATTESTATIONS:
        box = dialog.attestation_boxes[ident]
        face = QAccessible.queryAccessibleInterface(box)
        assert face is not None and face.role() == QAccessible.Role.CheckBox
        assert text in face.text(QAccessible.Text.Name)
        assert not dialog.sign_button.isEnabled()
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
        assert box.isChecked()
    assert dialog.sign_button.isEnabled()
    assert dialog.attested == ("clinically_indicated", "no_other_treatment")


def test_without_attestations_the_dialog_shows_none(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    dialog = CountersignDialog(sqlite_ctx, clinician(sqlite_ctx), "visit", "Al Ng")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.attestation_boxes == {} and dialog.attested == ()
    assert not dialog.attestations_box.isVisible()
    draw_signature(dialog.pad)
    assert dialog.sign_button.isEnabled()
