"""Kiosk protections: idle timeout, nothing left on screen, staff PIN to close, resume, hand-over."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from test_kiosk_driver import (
    KioskDriver,
    desk_actor,
    every_text,
    pdf_checks,
    register,
    stored_checks,
)

from intake.domain import rules
from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient, walk_visit
from intake.services.visits import VisitService
from intake.ui.kiosk import KioskWindow
from intake.ui.operations import wait_for_operations
from intake.ui.widgets.signature_pad import SignaturePadWidget

# What must never be left on screen once the kiosk has cleared itself.
TRACES = ("Zoë", "Nguy", "ZN", "1999", "0102233", "patient@example", "Ana", "Ñúñez")


def flush_deletes() -> None:
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def assert_no_trace(window: KioskWindow) -> None:
    flush_deletes()
    texts = every_text(window)
    for text in texts:
        for trace in TRACES:
            assert trace not in text, f"{trace!r} is still on screen in {text!r}"
    for pad in window.findChildren(SignaturePadWidget):
        assert not pad.has_ink()


def make_window(qtbot, ctx: AppContext, **kw) -> KioskDriver:  # type: ignore[no-untyped-def]
    kw.setdefault("locked", False)
    kw.setdefault("done_return_ms", 600_000)
    window = KioskWindow(ctx, **kw)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    driver = KioskDriver(qtbot, window, ctx)
    driver.wait_ready()
    return driver


@pytest.fixture(autouse=True)
def no_background_work_left() -> Iterator[None]:
    yield
    assert wait_for_operations(30_000)


def test_idle_timeout_mid_visit_clears_everything_and_the_visit_resumes(
    qtbot, sqlite_ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_window(qtbot, sqlite_ctx, idle_timeout_ms=200, idle_warning_ms=400)
    kiosk.window.idle.set_timeouts(600_000, 400)  # no timeout while the test types
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    topic = kiosk.step()
    page = kiosk.page
    fields = list(page.fields.values())  # type: ignore[attr-defined]
    kiosk.type_into(fields[0].edit, "ZN")
    assert fields[0].done
    kiosk.type_into(fields[1].edit, "Z")  # half typed, not saved
    QApplication.clipboard().setText("Zoë Nguyễn")

    kiosk.window.idle.set_timeouts(200, 400)
    kiosk.window.idle.poke()
    with qtbot.waitSignal(kiosk.window.idle.warning_started, timeout=3000):
        pass
    overlay = kiosk.window.overlay
    assert overlay.isVisible()
    assert "Are you still there?" in overlay.title.text()
    assert overlay.button.accessibleName() == "I'm still here"
    assert overlay.geometry() == kiosk.window.rect()  # it covers the whole window
    with qtbot.waitSignal(kiosk.window.idle_timed_out, timeout=3000):
        pass
    # Everything is cleared: no trace of the patient anywhere in the widget tree.
    assert not overlay.isVisible()
    assert kiosk.page.objectName() == "page_welcome"
    assert kiosk.window.flow is None
    assert not kiosk.window.nav.isVisible()  # Back cannot reach the old pages
    assert QApplication.clipboard().text() == ""
    assert_no_trace(kiosk.window)
    # The draft is kept in storage.
    visits = VisitService(sqlite_ctx)
    draft = visits.draft(desk_actor(sqlite_ctx), reg.started.visit_id)
    assert draft.status == "draft" and draft.page == topic
    assert draft.answers["first_name"] == "Zoë"
    assert len([k for k in draft.acknowledged if k[1] == "patient"]) == 1

    # The patient comes back: date of birth and code, then a member of staff confirms.
    kiosk.window.idle.set_timeouts(600_000, 15_000)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    assert kiosk.page.objectName() == "page_resume"
    assert_no_trace(kiosk.window)  # nothing is shown before the staff PIN
    kiosk.check_page()
    kiosk.click("resume_staff_continue")
    kiosk.staff_pin()
    assert kiosk.step() == topic
    resumed = list(kiosk.page.fields.values())  # type: ignore[attr-defined]
    assert resumed[0].done and not resumed[1].done and resumed[1].edit.text() == ""
    assert kiosk.window.nav.back.isVisible()
    kiosk.back()
    assert kiosk.step() == "phq9"
    kiosk.next()
    kiosk.walk_topics(patient)
    kiosk.answer_quiz()
    kiosk.next()
    kiosk.sign(expect_next="done")
    documents = kiosk.wait_documents()
    stored_checks(sqlite_ctx, reg, lang="en", signers=("patient",))
    pdf_checks(sqlite_ctx, reg, documents, lang="en", words=("Nguy",))


def test_still_here_keeps_the_page(qtbot, sqlite_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_window(qtbot, sqlite_ctx, idle_timeout_ms=200, idle_warning_ms=1500)
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    with qtbot.waitSignal(kiosk.window.idle.warning_started, timeout=3000):
        pass
    assert kiosk.window.overlay.isVisible()
    with qtbot.assertNotEmitted(kiosk.window.idle_timed_out, wait=100):
        kiosk.click(kiosk.window.overlay.button)
    assert not kiosk.window.overlay.isVisible()
    assert kiosk.step() == "intake:identity"
    assert kiosk.page.fields["first_name"].raw() == "Zoë"  # type: ignore[attr-defined]


def test_idle_on_welcome_clears_a_half_typed_code(qtbot, sqlite_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_window(qtbot, sqlite_ctx, idle_timeout_ms=150, idle_warning_ms=150)
    with qtbot.assertNotEmitted(kiosk.window.idle.warning_started, wait=400):
        pass  # nothing typed: nothing to protect, no countdown
    kiosk.enter_date(kiosk.find("welcome_dob"), "04/12/1999")
    with qtbot.waitSignal(kiosk.window.idle_timed_out, timeout=3000):
        pass
    assert_no_trace(kiosk.window)
    assert kiosk.find("date_year").text() == ""


def test_idle_on_the_signature_page_wipes_the_pad(qtbot, sqlite_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient()
    vid, kiosk_actor, _ = walk_visit(sqlite_ctx, patient, sign=False)
    visits = VisitService(sqlite_ctx)
    visits.set_page(kiosk_actor, vid, "sign:patient")
    kiosk = make_window(qtbot, sqlite_ctx, idle_timeout_ms=600_000, idle_warning_ms=200)
    kiosk.window.begin_visit(visits.hand_over(desk_actor(sqlite_ctx), vid))
    kiosk.wait_idle()
    assert kiosk.step() == "review"  # resumes before the signature, never on it
    kiosk.next()
    pad = kiosk.find("signature_pad", SignaturePadWidget)
    from test_kiosk_driver import draw, signature_points

    draw(pad, signature_points(pad.width(), pad.height()))
    assert pad.has_ink()
    wiped: list[bool] = []
    kiosk.window.screen_cleared.connect(lambda: wiped.append(not pad.has_ink()))
    kiosk.window.idle.set_timeouts(100, 200)
    kiosk.window.idle.poke()
    with qtbot.waitSignal(kiosk.window.idle_timed_out, timeout=3000):
        pass
    assert wiped == [True]
    assert_no_trace(kiosk.window)
    assert visits.draft(desk_actor(sqlite_ctx), vid).signed_roles == ()


def test_closing_the_kiosk_needs_a_staff_pin(qtbot, sqlite_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_window(qtbot, sqlite_ctx, locked=True)
    window = kiosk.window
    register(sqlite_ctx, ScriptedPatient())  # makes the staff accounts
    window.close()
    assert window.isVisible()
    qtbot.waitUntil(lambda: window.pin_dialog is not None and window.pin_dialog.isVisible())
    dialog = window.pin_dialog
    assert dialog is not None
    for w in (dialog.username, dialog.secret, dialog.confirm_button, dialog.cancel_button):
        assert w.accessibleName()
    # A wrong PIN is said as such, in the patient's words of the kiosk (not "ask for help").
    kiosk.type_into(dialog.username, "desk")
    kiosk.type_into(dialog.secret, "000000")
    kiosk.click(dialog.confirm_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert dialog.error.text() == "That name or PIN is not right."
    kiosk.click(dialog.cancel_button)
    assert window.pin_dialog is None and window.isVisible()
    kiosk.click(window.bar.staff)
    with qtbot.waitSignal(window.kiosk_left, timeout=20_000):
        kiosk.staff_pin()
    assert not window.isVisible()


def test_restart_resumes_from_the_last_saved_page_after_a_staff_pin(
    qtbot, sqlite_ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    first = make_window(qtbot, sqlite_ctx)
    first.open_with_code(patient.date_of_birth, reg.started.code)
    pages = patient.page_answers()
    for _ in range(3):
        first.fill_intake_page(pages[first.step().split(":")[1]])
        first.next()
    saved = first.step()
    first.window.close()  # the station restarts

    second = make_window(qtbot, sqlite_ctx)
    second.open_with_code(patient.date_of_birth, reg.started.code)
    assert second.page.objectName() == "page_resume"
    second.click("resume_staff_continue")
    second.staff_pin()
    assert second.step() == saved
    second.back()
    assert second.page.fields["weight_kg"].raw() == {"value": "61.5", "unit": "kg"}  # type: ignore[attr-defined]


def test_front_desk_hands_a_visit_to_the_kiosk(qtbot, sqlite_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(lang="es")
    reg = register(sqlite_ctx, patient)
    kiosk = make_window(qtbot, sqlite_ctx)
    actor = VisitService(sqlite_ctx).hand_over(desk_actor(sqlite_ctx), reg.started.visit_id)
    kiosk.window.begin_visit(actor)
    kiosk.wait_idle()
    assert kiosk.step() == "intake:identity"
    assert kiosk.window.lang == "es"  # the language the front desk recorded


def test_documents_left_to_staff_when_the_service_is_missing(
    qtbot, sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # The documents cannot be imported where the kiosk issues them (the rest of the app, which
    # signs the audit head with the clinic key, still can).
    from intake.services.kiosk_flow import KioskController

    issue = KioskController.document_job

    def job(self):  # type: ignore[no-untyped-def]
        work = issue(self)

        def without_documents():  # type: ignore[no-untyped-def]
            saved = sys.modules.get("intake.services.documents")
            sys.modules["intake.services.documents"] = None  # type: ignore[assignment]
            try:
                return work()
            finally:
                sys.modules["intake.services.documents"] = saved  # type: ignore[assignment]

        return without_documents

    monkeypatch.setattr(KioskController, "document_job", job)
    patient = ScriptedPatient()
    vid, _kiosk_actor, _ = walk_visit(sqlite_ctx, patient, sign=False)
    visits = VisitService(sqlite_ctx)
    kiosk = make_window(qtbot, sqlite_ctx)
    kiosk.window.begin_visit(visits.hand_over(desk_actor(sqlite_ctx), vid))
    kiosk.wait_idle()
    while kiosk.step() != "review":
        if kiosk.step().startswith("quiz:"):
            kiosk.answer_quiz()
        else:
            kiosk.next()
    kiosk.next()
    kiosk.sign(expect_next="done")
    assert kiosk.page.objectName() == "page_done"
    assert kiosk.wait_documents() is None
    assert kiosk.page.state == "by_staff"  # type: ignore[attr-defined]
    assert "prepared by staff" in kiosk.page.status.text()  # type: ignore[attr-defined]
    assert visits.draft(desk_actor(sqlite_ctx), vid).status == "submitted"


def test_done_page_returns_to_welcome_by_itself(qtbot, sqlite_ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(first_name="Ana", last_name="Ñúñez")
    vid, _actor, _ = walk_visit(sqlite_ctx, patient, sign=False)
    visits = VisitService(sqlite_ctx)
    kiosk = make_window(qtbot, sqlite_ctx, done_return_ms=300)
    kiosk.window.begin_visit(visits.hand_over(desk_actor(sqlite_ctx), vid))
    kiosk.wait_idle()
    while kiosk.step() != "review":
        if kiosk.step().startswith("quiz:"):
            kiosk.answer_quiz()
        else:
            kiosk.next()
    mine = rules.expected_initials_for(patient.first_name, patient.last_name)
    assert mine == "AÑ"
    kiosk.next()
    kiosk.sign(expect_next="done")
    with qtbot.waitSignal(kiosk.window.screen_cleared, timeout=60_000):
        pass
    assert kiosk.page.objectName() == "page_welcome"
    assert_no_trace(kiosk.window)


def test_welcome_prepares_the_pages_with_the_idle_filter_in_place(
    qtbot, sqlite_ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    """The unseen pages drawn on Welcome pass through the idle filter (so PySide's one-off type
    set-up happens there, not on the patient's first Next), while nobody is being timed out."""
    kiosk = make_window(qtbot, sqlite_ctx)
    window = kiosk.window
    qtbot.waitUntil(lambda: window.startup.prewarm_stage >= 4, timeout=30_000)
    assert window.idle._installed  # in place...
    assert not window.idle._enabled  # ...but not watching anyone
    assert not window.idle._idle.isActive()


def _stage(ctx: AppContext, visit_id: str) -> str:
    rows = VisitService(ctx).board(desk_actor(ctx))
    return next(r.stage for r in rows if r.visit_id == visit_id)


def test_idle_wipe_and_closing_let_go_of_the_visit_on_the_record(
    qtbot, sqlite_ctx: AppContext
) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_window(qtbot, sqlite_ctx, idle_timeout_ms=600_000, idle_warning_ms=200)
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    vid = reg.started.visit_id
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    assert _stage(sqlite_ctx, vid) == "at_kiosk"
    kiosk.window.idle.set_timeouts(150, 150)
    kiosk.window.idle.poke()
    with qtbot.waitSignal(kiosk.window.idle_timed_out, timeout=3000):
        pass
    kiosk.wait_idle()  # the visit is let go off the GUI thread
    assert _stage(sqlite_ctx, vid) == "left_kiosk"
    from sqlalchemy import select

    from intake.store.models import AuditEvent

    with sqlite_ctx.db.session() as s:
        reasons = [
            e.detail
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "release_kiosk"))
        ]
    assert reasons == [{"reason": "idle"}]

    # Back with the code (at the kiosk again), then the kiosk is closed mid-visit.
    kiosk.window.idle.set_timeouts(600_000, 15_000)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    assert _stage(sqlite_ctx, vid) == "at_kiosk"
    kiosk.window.close()
    kiosk.wait_idle()
    assert _stage(sqlite_ctx, vid) == "left_kiosk"
