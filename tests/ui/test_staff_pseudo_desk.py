"""The front desk speaks only the catalogue: in the pseudo-locale every text it shows (search,
results, the patient's details, the patient dialog, the identity check, starting a visit and
its code, the choice about an unfinished visit, the dermatologist picker) is a message; in
Spanish the same screens read in Spanish."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pseudo_text import staff_texts, unmarked, unmarked_staff_texts
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QListWidget, QWidget
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician_info,
    desk,
    search,
    signed_visit,
)

from intake import i18n
from intake.services.identity_review import IdentityReviewService
from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService
from intake.ui.staff.dermatologist_picker import DermatologistPicker
from intake.ui.staff.front_desk import FrontDeskPage, VisitCodeDialog
from intake.ui.staff.identity_dialog import IdentityCheckDialog
from intake.ui.staff.patient_dialog import PatientDialog
from intake.ui.staff.style import STAFF_QSS
from intake.ui.staff.visit_choice import AbandonVisitDialog, OpenVisitDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

STAFF = ("Front Desk", "Dr Ana Ruiz", "Clinic Administrator")
# A patient's language is offered by its own name ("Español"), the same in every language.
LANGUAGES = tuple(language.name for language in i18n.languages())


@pytest.fixture
def page(qtbot, sqlite_ctx, staff_in_pseudo):  # type: ignore[no-untyped-def]
    clinician_info(sqlite_ctx)  # a dermatologist to choose
    widget = FrontDeskPage(sqlite_ctx, desk(sqlite_ctx), board_refresh_ms=60_000, debounce_ms=0)
    widget.setStyleSheet(STAFF_QSS)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


def _desk_problems(page: FrontDeskPage, data: tuple[str, ...]) -> list[str]:
    """The unmarked texts of the front desk's own half (the status board beside it is not)."""
    left = page.search_panel.parentWidget()
    assert left is not None
    problems = unmarked_staff_texts(left, data)
    for text in (page.accessibleName(), page.accessibleDescription()):
        if unmarked(text, data):
            problems.append(f"page: {text!r}")
    return problems


def _dialog_problems(dialog: QWidget, data: tuple[str, ...] = ()) -> list[str]:
    """The unmarked texts of a dialog; a list widget's rows are read by the test itself."""
    problems = [
        f"dialog: {text!r}"
        for text in (dialog.windowTitle(), dialog.accessibleName(), dialog.accessibleDescription())
        if unmarked(text, data)
    ]
    for child in dialog.children():
        if isinstance(child, QListWidget):
            for text in (child.accessibleName(), child.accessibleDescription(), child.toolTip()):
                if unmarked(text, data):
                    problems.append(f"{child.objectName()}: {text!r}")
            for row in range(child.count()):
                item = child.item(row)
                for text in (item.text(), item.toolTip()):
                    if unmarked(text, data):
                        problems.append(f"{child.objectName()} row: {text!r}")
        elif isinstance(child, QWidget):
            problems += unmarked_staff_texts(child, data)
    return problems


def _counted(problems: list[str]) -> str:
    return f"{len(problems)} texts not from the catalogue: {problems}"


def _patient_data(patient) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return (
        patient.full_name,
        patient.first_name,
        patient.last_name,
        patient.record_number,
        patient.date_of_birth.isoformat(),
        patient.email,
        *STAFF,
    )


def _shot(widget: QWidget, name: str) -> None:
    """With INTAKE_PSEUDO_SHOTS set, keep a picture of the screen to look at."""
    folder = os.environ.get("INTAKE_PSEUDO_SHOTS")
    if folder:
        # The layouts take in what changed (a button's new label) before the picture.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        lang = os.environ.get("INTAKE_STAFF_LANG", "en")
        widget.grab().save(str(Path(folder) / f"desk_{name}_{lang}.png"))


def test_the_empty_front_desk_speaks_only_the_catalogue(page) -> None:  # type: ignore[no-untyped-def]
    problems = _desk_problems(page, STAFF)
    assert not problems, _counted(problems)
    _shot(page, "empty")


def test_a_search_and_the_patient_found_speak_only_the_catalogue(qtbot, page, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    _vid, patient_id = signed_visit(sqlite_ctx, first_name="Pia", last_name="Lund")
    young = PatientService(sqlite_ctx).register(
        desk(sqlite_ctx), first_name="Tess", last_name="Lundqvist", date_of_birth="2012-01-05"
    )
    search(qtbot, page, "lund")
    assert page.model.rowCount() == 2
    patient = PatientService(sqlite_ctx).get(desk(sqlite_ctx), patient_id)
    data = _patient_data(patient) + _patient_data(young) + ("Lund, Pia", "Lundqvist, Tess")
    problems = _desk_problems(page, data)
    assert not problems, _counted(problems)
    assert page.select_patient(patient_id)
    assert page.checkin_button.isVisible()
    problems = _desk_problems(page, data)
    assert not problems, _counted(problems)
    _shot(page, "patient")
    # Choosing another dermatologist for the open visit (the check-in started) says so.
    with qtbot.waitSignal(page.visit_started):
        qtbot.mouseClick(page.checkin_button, Qt.MouseButton.LeftButton)
    code_dialog = page.dialog
    assert isinstance(code_dialog, VisitCodeDialog)
    problems = _dialog_problems(code_dialog, data + (code_dialog.code_label.text(),))
    assert not problems, _counted(problems)
    code_dialog.accept()
    qtbot.waitUntil(lambda: page.dialog is None)
    qtbot.waitUntil(lambda: page.dermatologist.apply_button.isVisible())
    page.dermatologist.combo.setCurrentIndex(page.dermatologist.combo.count() - 1)
    qtbot.mouseClick(page.dermatologist.apply_button, Qt.MouseButton.LeftButton)
    assert page.message.isVisible()
    problems = _desk_problems(page, data)
    assert not problems, _counted(problems)
    # Nothing found.
    search(qtbot, page, "zzyzx")
    problems = _desk_problems(page, STAFF)
    assert not problems, _counted(problems)
    search(qtbot, page, "1999-04-13")
    problems = _desk_problems(page, STAFF)
    assert not problems, _counted(problems)


def test_the_patient_dialog_speaks_only_the_catalogue(qtbot, page, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, PatientDialog)
    problems = _dialog_problems(dialog, LANGUAGES)
    assert not problems, _counted(problems)
    dialog.set_value("last_name", "Ruiz")
    dialog.set_value("email", "not-an-email")
    dialog.set_value("date_of_birth", "12/31/1")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["first_name"].isVisible() and dialog.errors["email"].isVisible()
    problems = _dialog_problems(dialog, (*LANGUAGES, "Ruiz", "not-an-email", "12/31/1"))
    assert not problems, _counted(problems)
    _shot(dialog, "register_problems")
    dialog.reject()

    # A likely duplicate.
    patients = PatientService(sqlite_ctx)
    first = patients.register(
        desk(sqlite_ctx), first_name="Marta", last_name="Ruiz", date_of_birth="2001-02-03"
    )
    dialog = PatientDialog(patients, desk(sqlite_ctx), None, page)
    qtbot.addWidget(dialog)
    for key, value in (
        ("first_name", "Marta"),
        ("last_name", "Ruiz"),
        ("date_of_birth", "2001-02-03"),
    ):
        dialog.set_value(key, value)
    dialog.show()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.duplicates.isVisible()
    data = _patient_data(first) + ("Ruiz, Marta", *LANGUAGES)
    problems = _dialog_problems(dialog, data)
    assert not problems, _counted(problems)
    assert dialog.duplicates.count() == 1  # its row and tooltip are checked above
    _shot(dialog, "duplicates")

    # Correcting: a problem with the details, and one with the reason.
    dialog = PatientDialog(patients, desk(sqlite_ctx), first, page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["reason"].isVisible()
    problems = _dialog_problems(dialog, data)
    assert not problems, _counted(problems)
    dialog.reason.setText("typo")
    dialog.set_value("phone", "phone?")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["phone"].isVisible()
    problems = _dialog_problems(dialog, (*data, "phone?", "typo"))
    assert not problems, _counted(problems)
    _shot(dialog, "correct_problems")


def test_the_identity_dialog_speaks_only_the_catalogue(qtbot, page, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    scripted = ScriptedPatient(first_name="Lena", last_name="Berg")
    p = PatientService(sqlite_ctx).register(
        desk(sqlite_ctx), first_name="Lena", last_name="Berg", date_of_birth=scripted.date_of_birth
    )
    visits = VisitService(sqlite_ctx)
    started = visits.start_visit(desk(sqlite_ctx), p.id, "en")
    kiosk = visits.open_by_code(scripted.date_of_birth, started.code)
    answers = {**scripted.page_answers()["identity"], "last_name": "Bergman"}
    visits.save_page(kiosk, started.visit_id, "identity", answers)
    service = IdentityReviewService(sqlite_ctx)
    check = service.check(desk(sqlite_ctx), started.visit_id)
    dialog = IdentityCheckDialog(service, desk(sqlite_ctx), check, p.full_name, page)
    qtbot.addWidget(dialog)
    dialog.show()
    data = _patient_data(p) + ("Bergman",)
    problems = _dialog_problems(dialog, data)
    assert not problems, _counted(problems)
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)  # no reason given
    assert dialog.message.isVisible()
    problems = _dialog_problems(dialog, data)
    assert not problems, _counted(problems)
    _shot(dialog, "identity")


def test_starting_a_visit_and_the_unfinished_visit_choice_speak_only_the_catalogue(
    qtbot, page, sqlite_ctx
) -> None:  # type: ignore[no-untyped-def]
    p = PatientService(sqlite_ctx).register(
        desk(sqlite_ctx), first_name="Ines", last_name="Moreno", date_of_birth="1993-06-14"
    )
    search(qtbot, page, "moreno")
    assert page.select_patient(p.id)
    data = _patient_data(p)
    with qtbot.waitSignal(page.visit_started) as started:
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, VisitCodeDialog)
    code = dialog.code_label.text()
    assert code.replace(" ", "") == started.args[0].code
    problems = _dialog_problems(dialog, (*data, code))
    assert not problems, _counted(problems)
    _shot(dialog, "visit_code")
    dialog.accept()
    qtbot.waitUntil(lambda: page.dialog is None)

    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    choice = page.dialog
    assert isinstance(choice, OpenVisitDialog)
    problems = _dialog_problems(choice, data)
    assert not problems, _counted(problems)
    qtbot.mouseClick(choice.restart_button, Qt.MouseButton.LeftButton)  # no reason given
    assert choice.reason.error.isVisible()
    problems = _dialog_problems(choice, data)
    assert not problems, _counted(problems)
    _shot(choice, "open_visit")
    with qtbot.waitSignal(page.visit_started):
        qtbot.mouseClick(choice.resume_button, Qt.MouseButton.LeftButton)
    code_dialog = page.dialog
    assert isinstance(code_dialog, VisitCodeDialog)
    problems = _dialog_problems(code_dialog, (*data, code_dialog.code_label.text()))
    assert not problems, _counted(problems)

    box = AbandonVisitDialog(p.full_name, page)
    qtbot.addWidget(box)
    box.show()
    box.show_reason_error("x")
    problems = _dialog_problems(box, (*data, "x"))
    assert not problems, _counted(problems)


def test_the_dermatologist_picker_speaks_only_the_catalogue(qtbot, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    picker = DermatologistPicker(
        apply=i18n.tr("desk.set_for_open_visit", "pseudo"), apply_object_name="set_for_open_visit"
    )
    qtbot.addWidget(picker)
    picker.show()
    problems = unmarked_staff_texts(picker)
    assert not problems, _counted(problems)
    assert picker.apply_button is not None
    face = QAccessible.queryAccessibleInterface(picker.apply_button)
    assert face is not None
    assert face.text(QAccessible.Text.Name) == i18n.tr("desk.set_for_open_visit", "pseudo")
    assert picker.apply_button.objectName() == "set_for_open_visit"
    assert picker.combo.objectName() == "dermatologist"
    assert picker.combo.accessibleName() == i18n.tr("desk.dermatologist", "pseudo")


def test_the_front_desk_reads_in_spanish(qtbot, sqlite_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INTAKE_STAFF_LANG", "es")
    clinician_info(sqlite_ctx)
    page = FrontDeskPage(sqlite_ctx, desk(sqlite_ctx), board_refresh_ms=60_000, debounce_ms=0)
    page.setStyleSheet(STAFF_QSS)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    p = PatientService(sqlite_ctx).register(
        desk(sqlite_ctx), first_name="Ines", last_name="Moreno", date_of_birth="1993-06-14"
    )
    search(qtbot, page, "moreno")
    assert page.select_patient(p.id)
    left = page.search_panel.parentWidget()
    texts = " ".join(t for _w, t in staff_texts(left))
    assert "Registrar" in texts and "Fecha de nacimiento" in texts
    assert "todavía no tiene visitas" in page.details.text()
    assert page.start_button.text() == "Iniciar visita en el quiosco"
    name = QAccessible.queryAccessibleInterface(page.search_box).text(QAccessible.Text.Name)
    assert name == "Búsqueda de pacientes"
    assert page.search_box.objectName() == "patient_search"
    assert "⟦" not in texts
    _shot(page, "patient")
    with qtbot.waitSignal(page.visit_started):
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, VisitCodeDialog)
    assert dialog.windowTitle() == "Visita iniciada"
    assert "⟦" not in " ".join(t for _w, t in staff_texts(dialog))
    _shot(dialog, "visit_code")
