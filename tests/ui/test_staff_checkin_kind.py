"""Staff see that a visit is a month's check-in, and when a check-in renews the consent and
why (the form changed, the patient turned 18): on the board and in the review header."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible
from reconsent_forms import revised
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
)

from intake.domain.kinds import VisitKind
from intake.services.scripted import ScriptedPatient, walk_checkin, walk_visit
from intake.services.visits import VisitService
from intake.store.models import Visit
from intake.ui.staff.review import ReviewWidget
from intake.ui.staff.status_board import stage_text

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_board_and_review_say_a_check_in_renews_the_consent(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    first, _, _ = walk_visit(ctx, patient)
    with ctx.db.session() as s:
        visit = s.get(Visit, first)
        assert visit is not None
        patient_id = visit.patient_id
    plain, _, _ = walk_checkin(ctx, patient, patient_id)
    ctx.forms = revised(ctx.forms, "major")
    renewed, _, _ = walk_checkin(ctx, patient, patient_id)

    doctor = clinician(ctx)
    rows = {r.visit_id: r for r in VisitService(ctx).board(doctor)}
    listed = {r.visit_id: r for r in VisitService(ctx).visits_for(doctor, patient_id)}
    for got in (rows, listed):
        assert got[first].kind == VisitKind.FIRST_VISIT and got[first].reconsent_reasons == ()
        assert got[plain].kind == VisitKind.CHECKIN and got[plain].reconsent_reasons == ()
        assert got[renewed].kind == VisitKind.CHECKIN
        assert got[renewed].reconsent_reasons == ("form_changed",)
    month = rows[plain].course_month
    assert month is not None and rows[renewed].course_month is not None
    assert f"Month {month} check-in" in stage_text(ctx, rows[plain])
    assert "renews" not in stage_text(ctx, rows[plain])
    assert "renews the consent: form changed" in stage_text(ctx, rows[renewed])
    assert "check-in" not in stage_text(ctx, rows[first])

    review = ReviewWidget(ctx, doctor)
    qtbot.addWidget(review)
    review.show()
    with qtbot.waitSignal(review.visit_loaded):
        review.show_visit(renewed, patient_id)
    heard = QAccessible.queryAccessibleInterface(review.subtitle).text(QAccessible.Text.Name)
    for said in (review.subtitle.text(), heard):
        assert f"Month {rows[renewed].course_month} check-in" in said
        assert "renews the consent: form changed" in said
        assert "waiting for countersignature" in said
    with qtbot.waitSignal(review.visit_loaded):
        review.show_visit(plain, patient_id)
    assert "check-in" in review.subtitle.text() and "renews" not in review.subtitle.text()
