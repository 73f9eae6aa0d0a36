"""The typed sets keep the exact values storage and documents hold."""

from __future__ import annotations

from intake.domain.kinds import FINISHED, OPEN, SignerRole, StaffRole, Stage, VisitStatus


def test_members_equal_the_stored_values() -> None:
    assert [s.value for s in VisitStatus] == ["draft", "submitted", "countersigned", "abandoned"]
    assert [r.value for r in StaffRole] == ["front_desk", "clinician", "admin"]
    assert [r.value for r in SignerRole] == ["patient", "guardian", "clinician"]
    assert {s.value for s in Stage} == {
        "waiting",
        "at_kiosk",
        "left_kiosk",
        "needs_staff",
        "for_dermatologist",
        "done",
        "abandoned",
    }
    # A plain string read from storage compares, hashes and formats as its member.
    assert VisitStatus.DRAFT == "draft" and VisitStatus("submitted") in FINISHED
    assert f"{StaffRole.FRONT_DESK}" == "front_desk" and {"clinician": 1}[SignerRole.CLINICIAN]
    assert "draft" in OPEN and "countersigned" not in OPEN
