"""What the patient sees of their identity: the record's date of birth shown, not typed; a
different name or "not my date of birth" waits for staff, who decide at the front desk."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLineEdit
from test_kiosk_driver import KioskDriver, desk_actor, register

from intake.services.context import AppContext
from intake.services.identity_review import IdentityReviewService
from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService


def _teen(ctx: AppContext) -> ScriptedPatient:
    today = ctx.today()
    return ScriptedPatient(
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=today.replace(year=today.year - 15) - dt.timedelta(days=20),
    )


def test_the_record_dob_is_shown_and_a_typed_name_waits_for_staff(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    teen = _teen(sqlite_ctx)
    reg = register(sqlite_ctx, teen)
    kiosk.open_with_code(teen.date_of_birth, reg.started.code)
    assert kiosk.step() == "intake:identity"
    kiosk.check_page()
    field = kiosk.page.fields["date_of_birth"]  # type: ignore[attr-defined]
    assert field.locked and not field.findChildren(QLineEdit)  # nothing to type a date into
    dob = teen.date_of_birth
    assert kiosk.find("shown_date_of_birth").text() == f"{dob.month:02d}/{dob.day:02d}/{dob.year}"
    assert kiosk.find("dob_not_mine").isVisible()
    kiosk.fill_intake_page(teen.page_answers()["identity"])
    kiosk.answer("last_name", "Okafor-Reyes")
    kiosk.next()
    assert kiosk.step() == "staff_check"
    kiosk.check_page()
    assert not kiosk.window.nav.isVisible()  # no Back, no Next: only staff go on from here
    desk = desk_actor(sqlite_ctx)
    row = next(
        r for r in VisitService(sqlite_ctx).board(desk) if r.visit_id == reg.started.visit_id
    )
    assert row.needs_staff == "identity"
    # Staff at the kiosk cannot skip the front desk's decision.
    kiosk.click("staff_check_continue")
    kiosk.staff_pin()
    kiosk.qtbot.waitUntil(lambda: kiosk.find("staff_check_error").isVisible())
    assert "front desk" in kiosk.find("staff_check_error").text()
    assert kiosk.step() == "staff_check"
    IdentityReviewService(sqlite_ctx).keep(desk, reg.started.visit_id)
    kiosk.click("staff_check_continue")
    kiosk.staff_pin()
    kiosk.qtbot.waitUntil(lambda: kiosk.step() == "intake:identity")
    assert kiosk.page.fields["last_name"].raw() == "Okafor"  # type: ignore[attr-defined]
    kiosk.next()
    kiosk.fill_intake(teen)
    kiosk.answer_phq9(teen.phq9)
    assert kiosk.step() == "guardian"  # the record's date: a minor, whatever was typed


def test_not_my_date_of_birth_pauses_until_the_desk_corrects_it_in_spanish(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    adult = ScriptedPatient(date_of_birth=dt.date(1990, 6, 3), lang="es")
    reg = register(sqlite_ctx, adult)
    kiosk.open_with_code(adult.date_of_birth, reg.started.code)
    assert kiosk.step() == "intake:identity"
    assert kiosk.find("shown_date_of_birth").text() == "03/06/1990"
    assert kiosk.find("dob_not_mine").text() == "Esta no es mi fecha de nacimiento"
    kiosk.answer("phone", "555 010 7777")
    button = kiosk.find("dob_not_mine")
    # A screen reader names the date meant, through the accessibility interface.
    from PySide6.QtGui import QAccessible

    spoken = QAccessible.queryAccessibleInterface(button)
    assert spoken.text(QAccessible.Text.Name) == "Esta no es mi fecha de nacimiento: 03/06/1990"
    # One tap asks to confirm (a stray tap does not stop the visit); the second pauses it.
    kiosk.click("dob_not_mine")
    assert kiosk.step() == "intake:identity"
    assert button.text() == "Toque otra vez para que el personal lo revise"
    kiosk.click("dob_not_mine")
    assert kiosk.step() == "staff_check"
    assert "recepción" in kiosk.find("staff_check_body").text()
    desk = desk_actor(sqlite_ctx)
    review = IdentityReviewService(sqlite_ctx)
    check = review.check(desk, reg.started.visit_id)
    assert check.date_of_birth_disputed
    review.accept(
        desk, reg.started.visit_id, check.version, "checked the ID", date_of_birth="1991-06-03"
    )
    assert PatientService(sqlite_ctx).get(desk, reg.patient_id).date_of_birth == dt.date(1991, 6, 3)
    kiosk.click("staff_check_continue")
    kiosk.staff_pin()
    kiosk.qtbot.waitUntil(lambda: kiosk.step() == "intake:identity")
    assert kiosk.find("shown_date_of_birth").text() == "03/06/1991"
    # What was typed before the pause is still there.
    assert kiosk.page.fields["phone"].raw() == "555 010 7777"  # type: ignore[attr-defined]
