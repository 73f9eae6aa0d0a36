"""Re-consent at the kiosk: only the new and changed statements, each marked, with the rest
listed as carried over from the earlier consent; at 18 the patient alone signs."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLabel, QWidget
from reconsent_forms import CHANGED, NEW, revised
from sqlalchemy import select
from test_kiosk_driver import KioskDriver, desk_actor

from intake.domain import rules
from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient, walk_visit
from intake.services.visits import VisitService
from intake.store.models import Signature, Visit
from intake.ui.kiosk.review import format_date


def signed_before(ctx: AppContext, patient: ScriptedPatient) -> int:
    """The patient's first visit, through the services: consented and submitted."""
    vid, _, outcome = walk_visit(ctx, patient)
    assert outcome is not None and outcome.submitted
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None
        return visit.patient_id


def open_next_visit(kiosk: KioskDriver, ctx: AppContext, patient: ScriptedPatient, pid: int) -> str:
    started = VisitService(ctx).start_visit(desk_actor(ctx), pid, patient.lang)
    kiosk.open_with_code(patient.date_of_birth, started.code)
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    return started.visit_id


def texts(root: QWidget) -> list[str]:
    return [label.text() for label in root.findChildren(QLabel) if label.isVisibleTo(root)]


def test_a_changed_statement_is_shown_marked_with_the_rest_carried_over(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    pid = signed_before(sqlite_ctx, patient)
    signed_on = sqlite_ctx.today()
    sqlite_ctx.forms = revised(sqlite_ctx.forms, "major")
    vid = open_next_visit(kiosk, sqlite_ctx, patient, pid)

    assert kiosk.step() == "reconsent"
    kiosk.check_page()
    page = kiosk.page
    shown = texts(page)
    assert f"Carried over from your consent of {format_date(signed_on, 'en')}" in shown
    assert "2 statements to read on the next pages." in shown
    carried = {w.objectName().removeprefix("carried_") for w in page.findChildren(QLabel)}
    assert CHANGED not in carried and NEW not in carried
    assert "carried_purpose.indication" in {w.objectName() for w in page.findChildren(QLabel)}
    kiosk.next()

    # One topic page, holding just the two statements, each marked.
    assert kiosk.step() == "topic:dryness"
    topic = kiosk.page
    assert {sid for sid, _ in topic.fields} == {CHANGED, NEW}  # type: ignore[attr-defined]
    assert kiosk.find(f"mark_{CHANGED}", QLabel).text() == "Changed"
    assert kiosk.find(f"mark_{NEW}", QLabel).text() == "New"
    # A screen reader hears the mark with the statement, at the box for the initials.
    box = topic.fields[(NEW, "patient")].edit  # type: ignore[attr-defined]
    spoken = QAccessible.queryAccessibleInterface(box).text(QAccessible.Text.Name)
    assert "New: I understand that a humidifier" in spoken
    assert kiosk.walk_topics(patient) == ["topic:dryness"]
    kiosk.answer_quiz()
    assert kiosk.step() == "review"
    kiosk.next()
    kiosk.sign(expect_next="done")

    with sqlite_ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None and visit.status == "submitted"
        assert visit.reconsent is not None
        assert visit.reconsent["changed"] == [CHANGED] and visit.reconsent["new"] == [NEW]
        assert "purpose.indication" in visit.reconsent["carried_over"]
    kiosk.wait_documents()


def test_in_spanish_the_marks_and_the_date_come_from_the_catalogue(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient(
        first_name="Lucía",
        last_name="Peña",
        sex_at_birth="male",
        can_become_pregnant=False,
        lang="es",
    )
    pid = signed_before(sqlite_ctx, patient)
    sqlite_ctx.forms = revised(sqlite_ctx.forms, "major")
    kiosk.wait_ready()
    kiosk.click("welcome_lang_es")
    open_next_visit(kiosk, sqlite_ctx, patient, pid)
    assert kiosk.step() == "reconsent"
    when = format_date(sqlite_ctx.today(), "es")
    assert " de " in when
    assert f"Sin cambios desde su consentimiento del {when}" in texts(kiosk.page)
    kiosk.next()
    assert kiosk.find(f"mark_{CHANGED}", QLabel).text() == "Modificada"
    assert kiosk.find(f"mark_{NEW}", QLabel).text() == "Nueva"


def test_turning_18_the_patient_signs_alone_without_guardian_statements(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    today = sqlite_ctx.today()
    birthday = today + dt.timedelta(days=10)
    teen = ScriptedPatient(
        first_name="Mateo",
        last_name="Álvarez",
        date_of_birth=birthday.replace(year=birthday.year - 18),
        sex_at_birth="male",
        can_become_pregnant=False,
    )
    pid = signed_before(sqlite_ctx, teen)
    real_clock = sqlite_ctx.clock
    sqlite_ctx.clock = lambda: real_clock() + dt.timedelta(days=30)
    vid = open_next_visit(kiosk, sqlite_ctx, teen, pid)

    # No guardian page: the patient is 18 now.
    assert kiosk.step() == "reconsent"
    kiosk.check_page()
    shown = " ".join(texts(kiosk.page))
    assert "You have turned 18" in shown
    assert "you only need to sign again" in shown
    names = {w.objectName() for w in kiosk.page.findChildren(QLabel)}
    guardian_only = {s.id for s in sqlite_ctx.forms.risks.statements if s.audience == "guardian"}
    assert guardian_only and not {f"carried_{sid}" for sid in guardian_only} & names
    kiosk.next()
    assert kiosk.step() == "review"
    kiosk.next()
    kiosk.sign(expect_next="done")  # no guardian signature is asked

    with sqlite_ctx.db.session() as s:
        roles = set(s.scalars(select(Signature.role).where(Signature.visit_id == vid)))
        visit = s.get(Visit, vid)
        assert visit is not None and visit.reconsent is not None
        # The guardian's statements drop (and what is said to minors only).
        assert guardian_only <= set(visit.reconsent["dropped"])
        assert not set(visit.reconsent["dropped"]) & set(visit.reconsent["carried_over"])
    assert roles == {"patient"}
    assert not rules.age_on(teen.date_of_birth, sqlite_ctx.today()) < rules.ADULT_AGE
    kiosk.wait_documents()


def test_the_front_desk_is_told_the_visit_is_a_re_consent(qtbot, sqlite_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.front_desk import VisitCodeDialog

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    pid = signed_before(sqlite_ctx, patient)
    sqlite_ctx.forms = revised(sqlite_ctx.forms, "major")
    visits = VisitService(sqlite_ctx)
    started = visits.start_visit(desk_actor(sqlite_ctx), pid, patient.lang)
    assert started.reconsent == ("form_changed",)
    row = visits.visits_for(desk_actor(sqlite_ctx), pid)[0]
    dialog = VisitCodeDialog(row, started)
    qtbot.addWidget(dialog)
    notice = dialog.findChild(QLabel, "reconsent_notice")
    assert notice is not None
    said = QAccessible.queryAccessibleInterface(notice)
    assert said.text(QAccessible.Text.Name) == "Re-consent"
    assert "only the new and changed ones" in notice.text()
    plain = VisitCodeDialog(row, dataclasses.replace(started, reconsent=()))
    qtbot.addWidget(plain)
    assert plain.findChild(QLabel, "reconsent_notice") is None


def test_a_check_in_carries_the_re_consent_end_to_end(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    """A major change since the first visit: the next monthly check-in says what has changed,
    asks the new and changed statements only (marked), is signed as a consent and issues the
    renewed consent beside the month's record."""
    from test_kiosk_checkin import CHECKIN_PAGES
    from test_kiosk_driver import every_text

    from intake.domain.kinds import VisitKind
    from intake.services.documents import DocumentService

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    pid = signed_before(sqlite_ctx, patient)
    signed_on = sqlite_ctx.today()
    sqlite_ctx.forms = revised(sqlite_ctx.forms, "major")
    started = VisitService(sqlite_ctx).start_visit(
        desk_actor(sqlite_ctx), pid, "en", kind=VisitKind.CHECKIN
    )
    assert started.reconsent == ("form_changed",)
    kiosk.open_with_code(patient.date_of_birth, started.code)
    while kiosk.step().startswith("intake:"):
        page_id = kiosk.step().split(":", 1)[1]
        kiosk.check_page()
        for qid in kiosk.page.visible_ids():  # type: ignore[attr-defined]
            value = CHECKIN_PAGES.get(page_id, {}).get(qid)
            if value is None and qid.startswith("se_"):
                value = "none"
            if value is not None:
                kiosk.answer(qid, value)
        kiosk.next()
    kiosk.answer_phq9(patient.phq9)

    assert kiosk.step() == "reconsent"
    kiosk.check_page()
    shown = texts(kiosk.page)
    assert f"Carried over from your consent of {format_date(signed_on, 'en')}" in shown
    assert "2 statements to read on the next pages." in shown
    kiosk.next()
    assert kiosk.step() == "topic:dryness"
    assert {sid for sid, _ in kiosk.page.fields} == {CHANGED, NEW}  # type: ignore[attr-defined]
    assert kiosk.find(f"mark_{CHANGED}", QLabel).text() == "Changed"
    assert kiosk.find(f"mark_{NEW}", QLabel).text() == "New"
    assert kiosk.walk_topics(patient) == ["topic:dryness"]
    assert kiosk.step().startswith("quiz:")
    kiosk.answer_quiz()
    assert kiosk.step() == "review"
    kiosk.check_page()
    kiosk.next()
    assert kiosk.step() == "sign:patient"
    words = every_text(kiosk.page)
    assert not any("Monthly attestation" in text for text in words)
    kiosk.sign(expect_next="done")

    with sqlite_ctx.db.session() as s:
        visit = s.get(Visit, started.visit_id)
        assert visit is not None and visit.status == "submitted"
        assert visit.reconsent is not None and visit.reconsent["new"] == [NEW]
    kiosk.wait_documents()
    docs = DocumentService(sqlite_ctx)
    kinds = {d.kind for d in docs.documents(desk_actor(sqlite_ctx), started.visit_id)}
    assert kinds == {"checkin", "consent"}


def test_a_minor_change_is_shown_on_a_page_of_its_own_in_the_patient_s_language(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    from intake.services.visits import NOTICE_SHOWN
    from intake.store.models import AuditEvent

    patient = ScriptedPatient(
        first_name="Lucía",
        last_name="Peña",
        sex_at_birth="male",
        can_become_pregnant=False,
        lang="es",
    )
    pid = signed_before(sqlite_ctx, patient)
    sqlite_ctx.forms = revised(sqlite_ctx.forms, "minor")
    kiosk.wait_ready()
    kiosk.click("welcome_lang_es")
    vid = open_next_visit(kiosk, sqlite_ctx, patient, pid)
    assert kiosk.step() == "notice"
    kiosk.check_page()
    page = kiosk.page
    # The page starts at its heading, for a screen reader to say where the patient is.
    heading = page.heading  # type: ignore[attr-defined]
    kiosk.qtbot.waitUntil(heading.hasFocus)
    assert heading.text() == "Qué ha cambiado en su información"
    when = format_date(sqlite_ctx.today(), "es")
    shown = texts(page)
    assert any(when in text for text in shown)
    assert "2 afirmaciones son nuevas o han cambiado:" in shown
    assert kiosk.find(f"mark_{CHANGED}", QLabel).text() == "Modificada"
    assert kiosk.find(f"mark_{NEW}", QLabel).text() == "Nueva"
    new_text = sqlite_ctx.forms.risks.statement(NEW).text("es")
    assert kiosk.find(f"notice_text_{NEW}", QLabel).text() == new_text
    # Nothing to initial: Next goes on at once, and the trail says the notice was shown.
    assert kiosk.window.nav.next.isEnabled()
    kiosk.next()
    assert kiosk.step().startswith("topic:")
    with sqlite_ctx.db.session() as s:
        events = [
            e.detail
            for e in s.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == NOTICE_SHOWN, AuditEvent.entity_id == vid
                )
            )
        ]
    assert len(events) == 1 and events[0]["lang"] == "es"
