"""Front desk: register, correct (stale edits refused), start a visit, the live board, packets."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    audit_events,
    background_work_finishes,
    clinician,
    desk,
    pdf_pages,
    pdf_text,
    printer_to,
    refresh_board,
    search,
    signed_visit,
    visible_text,
)

from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService
from intake.ui.staff.front_desk import FrontDeskPage, VisitCodeDialog
from intake.ui.staff.patient_dialog import PatientDialog
from intake.ui.staff.status_board import StatusBoardWidget
from intake.ui.staff.style import STAFF_QSS

# The offscreen platform plugin warns whenever a window's size limits change; that is the test
# platform talking, not the application.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def page(qtbot, ctx):  # type: ignore[no-untyped-def]
    widget = FrontDeskPage(ctx, desk(ctx), board_refresh_ms=60_000, debounce_ms=0)
    widget.setStyleSheet(STAFF_QSS)  # as inside the staff window
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


def _fill(dialog: PatientDialog, qtbot, **values: str) -> None:  # type: ignore[no-untyped-def]
    for key, value in values.items():
        widget = dialog.inputs[key]
        if hasattr(widget, "setCurrentIndex"):
            dialog.set_value(key, value)
        else:
            widget.clear()
            qtbot.keyClicks(widget, value)


def test_register_shows_each_problem_inline_then_saves(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, PatientDialog) and dialog.isVisible()
    future = (ctx.today() + dt.timedelta(days=3)).isoformat()
    _fill(
        dialog, qtbot, first_name="", last_name="Ruiz", date_of_birth=future, email="not-an-email"
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.errors["first_name"].isVisible()
    assert "future" in dialog.errors["date_of_birth"].text()
    assert dialog.errors["email"].text()
    assert not dialog.errors["last_name"].isVisible()
    assert PatientService(ctx).search(desk(ctx), "ruiz") == []

    _fill(dialog, qtbot, first_name="Marta", date_of_birth="2001-02-03", email="marta@example.org")
    dialog.set_value("sex_at_birth", "female")
    dialog.set_value("lang", "es")
    with qtbot.waitSignal(dialog.patient_saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    patient = saved.args[0]
    assert patient.full_name == "Marta Ruiz" and patient.lang == "es"
    # The new patient is found and selected, ready for a visit.
    qtbot.waitUntil(lambda: page.selected_patient() is not None)
    assert page.selected_patient() is not None and page.selected_patient().id == patient.id
    assert "Marta Ruiz" in page.details.text()
    assert page.start_button.isEnabled()


def test_correcting_details_keeps_versions_and_refuses_a_stale_edit(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    service = PatientService(ctx)
    patient = service.register(
        desk(ctx), first_name="Jon", last_name="Smyth", date_of_birth="1990-05-06"
    )
    search(qtbot, page, "smyth")
    assert page.select_patient(patient.id)
    qtbot.mouseClick(page.correct_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, PatientDialog) and dialog.patient.version == 1

    # Meanwhile another station corrects the phone number.
    service.correct(desk(ctx), patient.id, 1, "phone given by patient", phone="555-010-9999")

    _fill(dialog, qtbot, last_name="Smith")
    qtbot.keyClicks(dialog.reason, "surname misspelt at registration")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "another station" in dialog.message.text()
    # Reloaded: the other station's change is shown, the stale version is gone.
    assert dialog.patient.version == 2
    assert dialog.inputs["phone"].text() == "5550109999" or "555" in dialog.inputs["phone"].text()
    assert dialog.inputs["last_name"].text() == "Smyth"

    # A correction needs a reason.
    _fill(dialog, qtbot, last_name="Smith")
    dialog.reason.clear()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["reason"].isVisible()

    qtbot.keyClicks(dialog.reason, "surname misspelt at registration")
    with qtbot.waitSignal(dialog.patient_saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    history = service.history(desk(ctx), patient.id)
    assert [h["version"] for h in history] == [1, 2, 3]
    assert history[0]["last_name"] == "Smyth" and history[-1]["last_name"] == "Smith"
    assert history[-1]["reason"] == "surname misspelt at registration"
    assert [e.entity_id for e in audit_events(ctx, "correct", "patient")] == [str(patient.id)] * 2


def test_start_visit_shows_the_code_and_can_hand_over_the_station(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    patient = PatientService(ctx).register(
        desk(ctx), first_name="Ivy", last_name="Okafor", date_of_birth="2003-07-08"
    )
    search(qtbot, page, "okafor")
    page.select_patient(patient.id)
    with qtbot.waitSignal(page.visit_started) as started:
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    visit = started.args[0]
    dialog = page.dialog
    assert isinstance(dialog, VisitCodeDialog)
    shown = dialog.code_label.text().replace(" ", "")
    assert shown == visit.code and len(shown) == 6 and shown.isdigit()
    assert dialog.code_label.fontInfo().pixelSize() >= 48  # large, to read out or copy
    # The board shows the patient waiting.
    qtbot.waitUntil(lambda: not page.board.refreshing)
    assert any(r.visit_id == visit.visit_id and r.stage == "waiting" for r in page.board.rows)

    with qtbot.waitSignal(page.station_handed_over) as handed:
        qtbot.mouseClick(dialog.hand_over_button, Qt.MouseButton.LeftButton)
    kiosk = handed.args[0]
    assert kiosk.role == "kiosk" and kiosk.visit_id == visit.visit_id
    refresh_board(qtbot, page.board)
    assert page.board.row_for(visit.visit_id).stage == "at_kiosk"


def test_front_desk_refusals_are_clear_messages(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.context import Actor

    nobody = Actor("kiosk:x", "kiosk", "patient", "x")
    page = FrontDeskPage(ctx, nobody, board_refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: "role does not allow" in page.board.message.text())
    with qtbot.waitSignal(page.search_panel.search_failed, timeout=10_000):
        page.search_for("smith")
    assert "role does not allow" in page.message.text()
    assert "Traceback" not in visible_text(page)


def test_status_board_follows_a_kiosk_visit(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    board = StatusBoardWidget(ctx, desk(ctx), refresh_ms=50)
    qtbot.addWidget(board)
    board.show()
    patients, visits = PatientService(ctx), VisitService(ctx)
    scripted = ScriptedPatient(
        first_name="Rosa", last_name="Díaz", phq9=(2, 2, 1, 1, 1, 0, 1, 0, 1)
    )
    p = patients.register(
        desk(ctx),
        first_name="Rosa",
        last_name="Díaz",
        date_of_birth=scripted.date_of_birth,
        sex_at_birth="female",
    )
    started = visits.start_visit(desk(ctx), p.id, "en")

    def stage() -> str | None:
        row = board.row_for(started.visit_id)
        return row.stage if row else None

    qtbot.waitUntil(lambda: stage() == "waiting", timeout=3000)
    kiosk = visits.open_by_code(scripted.date_of_birth, started.code)
    qtbot.waitUntil(lambda: stage() == "at_kiosk", timeout=3000)
    visits.save_page(kiosk, started.visit_id, "identity", scripted.page_answers()["identity"])
    qtbot.waitUntil(lambda: board.text_at(0, 3) == "About you", timeout=3000)
    assert board.text_at(0, 0) == "At the kiosk"

    # Item 9 answered: the board asks for staff, discreetly, at the top, in red.
    assert visits.save_phq9(kiosk, started.visit_id, list(scripted.phq9), "somewhat") is True
    qtbot.waitUntil(lambda: stage() == "needs_staff", timeout=3000)
    assert board.rows[0].visit_id == started.visit_id
    text = board.text_at(0, 0)
    assert text == "Needs staff — mood screen"
    row_text = " ".join(board.text_at(0, c) for c in range(len(board.COLUMNS)))
    assert not any(ch.isdigit() for ch in text)  # never a score
    assert "phq" not in row_text.lower() and "score" not in row_text.lower()
    assert board.font_at(0, 0).bold()

    board.select_visit(started.visit_id)
    assert board.attend_button.isEnabled()
    # The front desk may not release it (see test_staff_release); a clinician does, with a note.
    visits.staff_continue(clinician(ctx), started.visit_id, note="Seen; plan agreed.")
    qtbot.waitUntil(lambda: stage() == "at_kiosk", timeout=3000)

    # The rest of the visit at the kiosk, signed: waiting for the dermatologist.
    from intake.domain import rules
    from intake.services.scripted import signature_strokes

    for page_def in ctx.forms.intake.pages:
        visits.save_page(
            kiosk, started.visit_id, page_def.id, scripted.page_answers().get(page_def.id, {})
        )
    facts = visits.draft(kiosk, started.visit_id).facts()
    for st in rules.applicable_statements(ctx.forms.risks, facts):
        visits.acknowledge(kiosk, started.visit_id, st.id, "patient", "RD", page_seconds=5)
    ids = {s.id for s in rules.applicable_statements(ctx.forms.risks, facts)}
    for q in rules.applicable_quiz(ctx.forms.quiz, ids, facts):
        visits.answer_quiz(kiosk, started.visit_id, q.id, q.answer)
    visits.sign(kiosk, started.visit_id, "patient", "Rosa Díaz", signature_strokes(), 600, 200)
    qtbot.waitUntil(lambda: stage() == "for_dermatologist", timeout=3000)
    assert board.text_at(0, 0) == "Waiting for the dermatologist"


def test_print_packet_issues_and_prints_consent_and_education(qtbot, page, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, first_name="Pia", last_name="Lund")
    search(qtbot, page, "lund")
    assert page.select_patient(patient_id)
    assert page.print_button.isEnabled()
    out = tmp_path / "packet.pdf"
    page.choose_printer = printer_to(out)
    with qtbot.waitSignal(page.packet_printed, timeout=30_000) as printed:
        qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    assert [d.kind for d in page.packet] == ["consent", "education"]
    from intake.ui.staff.packets import document_service

    service = document_service(ctx)
    expected = sum(pdf_pages(service.open_pdf(desk(ctx), d.id)) for d in page.packet)
    assert printed.args[0] == expected == pdf_pages(out)
    text = " ".join(pdf_text(out).split())  # pdftotext and pypdf space words differently
    assert "Printed copy" in text and page.packet[0].id in text
    printed_ids = [e.entity_id for e in audit_events(ctx, "print", "document")]
    assert printed_ids == [d.id for d in page.packet]
    assert "Printed the consent and education packet" in page.message.text()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.overrideCursor() is None  # the wait cursor went with the job


def test_no_packet_before_the_visit_is_signed(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    p = PatientService(ctx).register(
        desk(ctx), first_name="Ola", last_name="Berg", date_of_birth="1995-01-02"
    )
    VisitService(ctx).start_visit(desk(ctx), p.id, "en")
    page.prepare_packet(p.id)
    assert "no finished visit" in page.message.text()


def test_clear_removes_every_patient_detail(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    signed_visit(ctx, first_name="Kai", last_name="Moreau")
    refresh_board(qtbot, page.board)
    search(qtbot, page, "moreau")
    page.select_patient(page.model.patient(0).id)
    assert "Moreau" in visible_text(page)
    page.clear()
    assert "Moreau" not in visible_text(page)


def test_abandoning_a_visit_asks_first_and_needs_a_reason(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    p = PatientService(ctx).register(
        desk(ctx), first_name="Una", last_name="Falk", date_of_birth="1993-03-04"
    )
    started = VisitService(ctx).start_visit(desk(ctx), p.id, "en")
    board = page.board
    refresh_board(qtbot, board)
    assert board.select_visit(started.visit_id) and board.abandon_button.isEnabled()
    qtbot.mouseClick(board.abandon_button, Qt.MouseButton.LeftButton)
    box = board.confirm_box
    assert box is not None and "Una Falk" in box.text()
    qtbot.mouseClick(box.cancel_button, Qt.MouseButton.LeftButton)
    assert board.confirm_box is None
    assert board.row_for(started.visit_id).stage == "waiting"
    qtbot.mouseClick(board.abandon_button, Qt.MouseButton.LeftButton)
    box = board.confirm_box
    qtbot.mouseClick(box.abandon_button, Qt.MouseButton.LeftButton)  # no reason given
    assert box.isVisible() and "why" in box.reason.error.text()
    assert board.row_for(started.visit_id).stage == "waiting"
    qtbot.keyClicks(box.reason.edit, "patient had to leave")
    with qtbot.waitSignal(board.refreshed):
        qtbot.mouseClick(box.abandon_button, Qt.MouseButton.LeftButton)
    assert board.row_for(started.visit_id) is None  # abandoned visits leave the board
    assert [e.entity_id for e in audit_events(ctx, "abandon", "visit")] == [started.visit_id]
