"""End-to-end: patients walked through the kiosk by clicks, typing and a drawn signature.

Each test checks what was stored (through the services) and the PDFs the Done page made.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select
from test_kiosk_driver import (
    KioskDriver,
    desk_actor,
    every_text,
    pdf_checks,
    register,
    stored_checks,
)

from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService
from intake.store.models import AuditEvent


def test_adult_who_can_become_pregnant_in_english(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    assert kiosk.step() == "intake:identity"
    # The identity page starts from the registered details, to confirm or correct.
    assert kiosk.page.fields["first_name"].raw() == "Zoë"  # type: ignore[attr-defined]
    kiosk.walk_visit(patient)
    assert "intake:pregnancy" in kiosk.pages_seen
    assert "topic:pregnancy" in kiosk.pages_seen
    assert "quiz:q_pregnancy_amount" in kiosk.pages_seen
    documents = kiosk.wait_documents()
    stored_checks(sqlite_ctx, reg, lang="en", signers=("patient",))
    pdf_checks(sqlite_ctx, reg, documents, lang="en", words=("Nguy",))
    assert kiosk.page.objectName() == "page_done"
    kiosk.click("done_finish")
    assert kiosk.page.objectName() == "page_welcome"
    assert kiosk.window.flow is None


def test_adult_who_cannot_become_pregnant_in_spanish(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient(
        first_name="Lucía",
        last_name="Peña",
        date_of_birth=dt.date(1990, 6, 3),
        lang="en",  # the front desk did not know; she chooses Español herself
        can_become_pregnant=False,
    )
    reg = register(sqlite_ctx, patient)
    kiosk.wait_ready()
    kiosk.click("welcome_lang_es")
    assert kiosk.find("welcome_start").text() == "Comenzar"
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    assert kiosk.window.lang == "es"
    assert kiosk.window.nav.next.text() == "Siguiente"
    identity = sqlite_ctx.forms.intake.pages[0]
    assert any(label.text() == identity.title("es") for label in kiosk.page.findChildren(QLabel))
    kiosk.walk_visit(patient)
    assert "intake:pregnancy" in kiosk.pages_seen  # asked, answered "no"
    assert not any(p.startswith("quiz:q_pregnancy") for p in kiosk.pages_seen)
    documents = kiosk.wait_documents()
    stored_checks(sqlite_ctx, reg, lang="es", signers=("patient",))
    draft = VisitService(sqlite_ctx).draft(desk_actor(sqlite_ctx), reg.started.visit_id)
    assert not draft.facts()["can_become_pregnant"]
    assert ("pregnancy.two_methods", "patient") not in draft.acknowledged
    pdf_checks(sqlite_ctx, reg, documents, lang="es", words=("Peña",))


def test_sixteen_year_old_with_a_guardian(kiosk: KioskDriver, sqlite_ctx: AppContext) -> None:
    today = sqlite_ctx.today()
    patient = ScriptedPatient(
        first_name="Mateo",
        last_name="Álvarez",
        date_of_birth=today.replace(year=today.year - 16) - dt.timedelta(days=40),
        sex_at_birth="male",
        guardian=("Ana", "Ñúñez"),
    )
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    assert kiosk.step() == "guardian"
    kiosk.fill_guardian(*patient.guardian)
    first_topic = kiosk.page
    roles = {role for (_sid, role) in first_topic.fields}  # type: ignore[attr-defined]
    assert roles == {"patient", "guardian"}
    # The guardian's initials must match the guardian's name, not the patient's.
    sid = next(iter(first_topic.fields))[0]  # type: ignore[attr-defined]
    field = first_topic.fields[(sid, "guardian")]  # type: ignore[attr-defined]
    kiosk.type_into(field.edit, "MA")
    field.edit.editingFinished.emit()
    assert not field.done and "please type AN" in field.error.text()
    seen = kiosk.walk_topics(patient)
    assert seen[-1] == "topic:guardian"
    kiosk.answer_quiz()
    kiosk.next()  # review
    kiosk.sign(expect_next="sign:guardian")
    assert not kiosk.window.nav.back.isVisible()  # the point of no return
    page = kiosk.page
    assert page.printed_name.text() == "Ana Ñúñez"  # type: ignore[attr-defined]
    assert "Mateo Álvarez" in page.meaning.text()  # type: ignore[attr-defined]
    kiosk.sign(expect_next="done")
    documents = kiosk.wait_documents()
    stored_checks(sqlite_ctx, reg, lang="en", signers=("patient", "guardian"))
    pdf_checks(sqlite_ctx, reg, documents, lang="en", words=("Ana",))


def test_positive_item_nine_pauses_for_staff_and_shows_no_score(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient(phq9=(2, 2, 1, 2, 1, 1, 0, 0, 1))
    reg = register(sqlite_ctx, patient)
    kiosk.window.idle.set_timeouts(200, 200)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    assert kiosk.step() == "help_now"
    kiosk.check_page()
    assert not kiosk.window.nav.isVisible()  # no Back, no Next: the visit waits for staff
    texts = " ".join(every_text(kiosk.window)).lower()
    assert "988" in texts
    for word in ("score", "total", "moderate", "severe", "mild", "puntuación", "/27"):
        assert word not in texts, f"the help page says {word!r}"
    # The alert is for staff: on the status board, and audited without answers or score.
    desk = desk_actor(sqlite_ctx)
    row = next(
        r for r in VisitService(sqlite_ctx).board(desk) if r.visit_id == reg.started.visit_id
    )
    assert row.needs_staff == "item9" and row.stage == "needs_staff"
    with sqlite_ctx.db.session() as s:
        alerts = s.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == "alert", AuditEvent.entity_id == reg.started.visit_id
            )
        ).all()
    assert alerts == [{"reason": "mood_item9"}]
    # Nobody is timed out of the help page: no countdown runs, and activity starts none.
    assert not kiosk.window.idle.watching
    kiosk.qtbot.keyClick(kiosk.page, Qt.Key.Key_Shift)
    assert not kiosk.window.idle.watching
    assert kiosk.step() == "help_now" and not kiosk.window.overlay.isVisible()
    kiosk.window.idle.set_timeouts(600_000, 15_000)
    # A wrong PIN is refused; the right one continues the visit.
    kiosk.click("help_staff_continue")
    kiosk.qtbot.waitUntil(lambda: kiosk.window.pin_dialog is not None)
    dialog = kiosk.window.pin_dialog
    assert dialog is not None
    kiosk.type_into(dialog.username, "desk")
    kiosk.type_into(dialog.secret, "0000")
    kiosk.click(dialog.confirm_button)
    kiosk.qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=20_000)
    assert "not right" in dialog.error.text()
    assert kiosk.step() == "help_now"
    # The front desk may not release a positive mood screen (the clinic names clinicians).
    kiosk.staff_pin()
    kiosk.qtbot.waitUntil(lambda: "clinician" in " ".join(every_text(kiosk.page)))
    assert kiosk.step() == "help_now" and kiosk.window.release_dialog is None
    # A clinician does, with a note.
    kiosk.release_mood_alert()
    assert kiosk.step().startswith("topic:")
    with sqlite_ctx.db.session() as s:
        assert s.scalars(
            select(AuditEvent.actor).where(
                AuditEvent.action == "release", AuditEvent.entity_id == reg.started.visit_id
            )
        ).all() == ["staff:3"]
    assert kiosk.window.nav.back.isVisible()
    # Back to the mood questions and on again, unchanged: no second alert, no second pause.
    kiosk.back()
    assert kiosk.step() == "phq9"
    kiosk.next()
    assert kiosk.step().startswith("topic:")
    with sqlite_ctx.db.session() as s:
        assert s.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == "alert", AuditEvent.entity_id == reg.started.visit_id
            )
        ).all() == [{"reason": "mood_item9"}]
    kiosk.walk_topics(patient)
    kiosk.answer_quiz()
    kiosk.next()
    kiosk.sign(expect_next="done")
    documents = kiosk.wait_documents()
    stored_checks(sqlite_ctx, reg, lang="en", signers=("patient",))
    pdf_checks(sqlite_ctx, reg, documents, lang="en", words=("Nguy",))
