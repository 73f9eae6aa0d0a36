"""A baseline panel is one blood draw: every test given is saved together, or none is."""

from __future__ import annotations

import pytest

from intake.services.clinician import ClinicianService
from intake.services.errors import InvalidInput
from intake.services.scripted import ScriptedPatient, ensure_staff, walk_visit
from intake.services.staff import staff_actor
from intake.services.visits import VisitService


def test_a_panel_is_saved_in_one_go_or_not_at_all(ctx) -> None:  # type: ignore[no-untyped-def]
    walk_visit(ctx, ScriptedPatient())
    doctor = staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    patient_id = VisitService(ctx).board(doctor)[0].patient_id
    clinician = ClinicianService(ctx)
    with pytest.raises(InvalidInput) as err:
        clinician.record_lab_panel(
            doctor, patient_id, {"alt": "40", "ast": "1e3", "cholesterol": ""}, ctx.today()
        )
    assert set(err.value.errors) == {"ast"}
    assert clinician.course(doctor, patient_id).labs == ()  # ALT was not saved either
    with pytest.raises(InvalidInput) as err:
        clinician.record_lab_panel(doctor, patient_id, {"alt": " ", "ast": ""}, ctx.today())
    assert "at least one" in err.value.errors["panel"]
    rows = clinician.record_lab_panel(
        doctor,
        patient_id,
        {"triglycerides": "900", "alt": "40", "ast": "", "cholesterol": "210"},
        ctx.today(),
    )
    # In the clinic profile's order; blank tests skipped; each result flagged.
    assert [(r.test, r.flag) for r in rows] == [
        ("alt", ""),
        ("cholesterol", "high"),
        ("triglycerides", "critical"),
    ]
    assert len({r.taken_on for r in rows}) == 1
    assert [r.test for r in clinician.course(doctor, patient_id).labs] == [
        "alt",
        "cholesterol",
        "triglycerides",
    ]
