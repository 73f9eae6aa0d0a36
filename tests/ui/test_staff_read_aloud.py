"""The dermatologist sees which statements the kiosk read aloud to the patient."""

from __future__ import annotations

import pytest
from test_staff_support import background_work_finishes, clinician  # noqa: F401  (autouse)

from intake.domain import rules
from intake.services.clinician import ClinicianService
from intake.services.scripted import ScriptedPatient, signature_strokes, walk_visit
from intake.services.visits import VisitService
from intake.ui.staff.review import ReviewWidget

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_the_review_says_which_statements_were_read_aloud(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    ctx, patient = sqlite_ctx, ScriptedPatient()
    vid, kiosk, _ = walk_visit(ctx, patient, sign=False)
    visits = VisitService(ctx)
    first = rules.applicable_statements(ctx.forms.risks, visits.draft(kiosk, vid).facts())[0].id
    mine = rules.expected_initials_for(patient.first_name, patient.last_name)
    visits.acknowledge(kiosk, vid, first, "patient", mine, read_aloud=True)
    visits.sign(kiosk, vid, "patient", "Zoë Nguyễn", signature_strokes(), 600, 200)
    data = ClinicianService(ctx).review(clinician(ctx), vid)
    assert [a.statement_id for a in data.acknowledgements if a.read_aloud] == [first]

    widget = ReviewWidget(ctx, clinician(ctx))
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    widget.show()
    with ctx.db.session() as s:
        from intake.store.models import Visit

        patient_id = s.get(Visit, vid).patient_id  # type: ignore[union-attr]
    with qtbot.waitSignal(widget.visit_loaded):
        assert widget.show_visit(vid, patient_id)
    table = widget.acknowledgements.table
    column = next(
        c
        for c in range(table.columnCount())
        if table.horizontalHeaderItem(c).text() == "Read aloud"
    )
    marked = [
        table.item(r, 0).text() for r in range(table.rowCount()) if table.item(r, column).text()
    ]
    assert marked == [first]
    assert {table.item(r, column).text() for r in range(table.rowCount())} == {"yes", ""}
