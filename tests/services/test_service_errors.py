"""A service's refusal carries a code and its values beside its English sentence."""

from __future__ import annotations

from intake.services.context import AppContext
from intake.services.errors import CodeLocked, Locked, NotFound, ServiceError, StorageUnavailable
from intake.services.kiosk_flow import KioskController
from intake.services.kiosk_payloads import Problem, Screen
from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient, ensure_staff
from intake.services.staff import staff_actor
from intake.services.visits import VisitService


def test_codes_and_values_beside_the_message() -> None:
    plain = ServiceError("Something was refused.")
    assert (plain.code, plain.params, str(plain)) == ("refused", {}, "Something was refused.")
    assert StorageUnavailable("x").code == "storage_unavailable"
    named = NotFound("No such visit.", code="visit_code_not_found")
    assert named.code == "visit_code_not_found" and str(named) == "No such visit."
    assert NotFound("No such patient.").code == "not_found"
    locked = Locked(30)
    assert (locked.code, locked.params) == ("locked", {"seconds": 30})
    assert str(locked) == "Too many attempts. Please wait 30 seconds and try again."
    waits = CodeLocked(150)
    assert (waits.code, waits.params) == ("code_locked", {"minutes": 3})
    assert str(waits).endswith("try again here in 3 minutes.")
    void = CodeLocked(150, void=True)
    assert void.code == "code_void" and void.seconds == 150
    assert isinstance(void, Locked)  # callers catching Locked still catch it


def test_the_controller_hands_the_refusal_on_by_code(sqlite_ctx: AppContext) -> None:
    patient = ScriptedPatient()
    desk = staff_actor(ensure_staff(sqlite_ctx, "front_desk", "desk", "Front Desk"))
    row = PatientService(sqlite_ctx).register(
        desk,
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        sex_at_birth=patient.sex_at_birth,
    )
    started = VisitService(sqlite_ctx).start_visit(desk, row.id, "en")
    wrong = "".join(str((int(d) + 1) % 10) for d in started.code)
    view = KioskController(sqlite_ctx).open_by_code(patient.date_of_birth, wrong)
    assert view.screen is Screen.WELCOME and view.problem == Problem("visit_code_not_found", {})
    assert view.errors["_"].startswith("We could not find a visit")
