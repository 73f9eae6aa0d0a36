"""The staff screens in Spanish, as a review found them: the countersign dialog words each flag
and each prescriber attestation in the staff language (what it records stays English), the
patient list's sex column is not ambiguous, a detail's problem is never English, objectNames are
the same in every language, a sex changed in the database is shown as stored, and the
acknowledgement count is a plural of the statements it counts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget
from sqlalchemy import text
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    clinician_info,
    desk,
    desk_info,
    draw_signature,
    search,
    signed_visit,
)

from intake import i18n
from intake.domain.errors import Coded
from intake.domain.flags import worded
from intake.forms import forget_default_check, load_forms
from intake.forms.loader import write_lock
from intake.services.alerts import AlertService
from intake.services.clinician import ClinicianService
from intake.services.context import AppContext, open_context
from intake.services.errors import InvalidInput
from intake.services.patients import PatientService
from intake.services.scripted import STAFF_PIN, ensure_staff
from intake.services.staff import staff_actor
from intake.ui.staff.countersign import CountersignDialog
from intake.ui.staff.front_desk import FrontDeskPage
from intake.ui.staff.patient_dialog import PatientDialog
from intake.ui.staff.review import ReviewWidget

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def accessible_name(widget: QWidget) -> str:
    face = QAccessible.queryAccessibleInterface(widget)
    assert face is not None
    return face.text(QAccessible.Text.Name)


@pytest.fixture
def spanish(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("INTAKE_STAFF_LANG", "es")
    return "es"


def _countersign_dialog(qtbot, ctx, vid: str, patient_id: int):  # type: ignore[no-untyped-def]
    review = ReviewWidget(ctx, clinician(ctx))
    qtbot.addWidget(review)
    review.resize(1280, 800)
    review.show()
    with qtbot.waitSignal(review.documents.documents_issued, timeout=60_000):
        review.show_visit(vid, patient_id)
    qtbot.mouseClick(review.countersign_button, Qt.MouseButton.LeftButton)
    dialog = review.dialog
    assert isinstance(dialog, CountersignDialog)
    return review, dialog


def test_countersign_words_flags_and_attestations_in_spanish(qtbot, sqlite_ctx, spanish) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Em", last_name="Sato")
    record = ClinicianService(sqlite_ctx).review(clinician(sqlite_ctx), vid).record
    flag = next(f for f in record.flags if f.id == "pregnancy_possible")
    assert worded(flag, "es") != flag.text
    _review, dialog = _countersign_dialog(qtbot, sqlite_ctx, vid, patient_id)

    # The flag reads as the Summary tab words it; its objectName stays the English one.
    label = dialog.findChild(QWidget, f"warning:_{flag.text}".lower().replace(" ", "_"))
    assert label is not None
    assert accessible_name(label) == f"Aviso: {worded(flag, 'es')}"
    assert worded(flag, "es") in label.text() and flag.text not in label.text()
    box = dialog.review_boxes[flag.id]
    assert accessible_name(box) == f"Revisada: Aviso: {worded(flag, 'es')}"


@pytest.fixture
def uk_ctx(forms_copy: Path, fresh_environment: Path) -> Iterator[AppContext]:
    """A clinic whose programme is the UK's (its rule set in force today asks the prescriber
    for attestations: uk-mhra-2026)."""
    path = forms_copy / "programme" / "form.toml"
    path.write_text(
        path.read_text("utf-8").replace(
            'default_jurisdiction = "US"', 'default_jurisdiction = "UK"'
        )
    )
    (forms_copy / "versions.lock").unlink()
    write_lock(load_forms(forms_copy), forms_copy)
    forget_default_check()
    context = open_context(data_dir=fresh_environment)
    yield context
    context.db.dispose()


def test_countersign_attestations_in_spanish_recorded_in_english(qtbot, uk_ctx, spanish) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(uk_ctx, first_name="Em", last_name="Sato")
    record = ClinicianService(uk_ctx).review(clinician(uk_ctx), vid).record
    flag = next(f for f in record.flags if f.id == "pregnancy_possible")
    _review, dialog = _countersign_dialog(qtbot, uk_ctx, vid, patient_id)
    ruleset = uk_ctx.forms.programme.ruleset(record.ruleset_id)
    assert len(ruleset.prescriber_attestations) == 2
    # The attestations read in Spanish, as the programme's form file words them.
    for a in ruleset.prescriber_attestations:
        check = dialog.attestation_boxes[a.id]
        assert check.text() == a.text.get("es") != a.text.get("en")
        assert a.text.get("es") in accessible_name(check)

    # Countersigned in Spanish: the signature keeps each tick and attestation in English.
    draw_signature(dialog.pad)
    for each in (*dialog.review_boxes.values(), *dialog.attestation_boxes.values()):
        qtbot.mouseClick(each, Qt.MouseButton.LeftButton, pos=each.rect().center())
    assert dialog.username is not None
    dialog.username.setText("derm")
    dialog.secret.setText(STAFF_PIN)
    with qtbot.waitSignal(dialog.countersigned, timeout=60_000):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    signed = ClinicianService(uk_ctx).review(clinician(uk_ctx), vid).record
    sig = signed.signature("clinician")
    assert sig is not None
    kept = {entry[0]: entry[1] for entry in sig.reviewed}
    assert kept[flag.id] == flag.text
    for a in ruleset.prescriber_attestations:
        assert kept[f"attestation:{a.id}"] == a.text.get("en")


def test_front_desk_sex_column_and_a_sex_changed_in_the_database(
    qtbot, sqlite_ctx, spanish
) -> None:  # type: ignore[no-untyped-def]
    clinician_info(sqlite_ctx)
    page = FrontDeskPage(sqlite_ctx, desk(sqlite_ctx), board_refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    patients = PatientService(sqlite_ctx)
    patients.register(
        desk(sqlite_ctx),
        first_name="Ana",
        last_name="Moreno",
        date_of_birth="1993-06-14",
        sex_at_birth="female",
    )
    patients.register(
        desk(sqlite_ctx),
        first_name="Luis",
        last_name="Moreno",
        date_of_birth="1990-01-02",
        sex_at_birth="male",
    )
    search(qtbot, page, "moreno")
    model = page.search_panel.model
    shown = {
        model.data(model.index(row, 1)): model.data(model.index(row, 3))
        for row in range(model.rowCount())
    }
    assert shown == {"Moreno, Ana": "Mujer", "Moreno, Luis": "Hombre"}
    header = page.search_panel.table.horizontalHeader()
    metrics = page.search_panel.table.fontMetrics()
    assert header.sectionSize(3) >= metrics.horizontalAdvance("Hombre")
    if os.environ.get("INTAKE_PSEUDO_SHOTS"):  # a picture for a person to look at
        page.grab().save(str(Path(os.environ["INTAKE_PSEUDO_SHOTS"]) / "review_fixes_sex_es.png"))


def test_a_sex_changed_in_the_database_is_shown_as_stored(qtbot, sqlite_ctx, spanish) -> None:  # type: ignore[no-untyped-def]
    clinician_info(sqlite_ctx)
    page = FrontDeskPage(sqlite_ctx, desk(sqlite_ctx), board_refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    ana = PatientService(sqlite_ctx).register(
        desk(sqlite_ctx),
        first_name="Ana",
        last_name="Moreno",
        date_of_birth="1993-06-14",
        sex_at_birth="female",
    )
    # A value changed in the database: shown as it is stored, not a crash.
    with sqlite_ctx.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE patients SET sex_at_birth = 'unknown' WHERE id = :id"), {"id": ana.id}
        )
    search(qtbot, page, "ana moreno")
    assert page.select_patient(ana.id)
    assert "· unknown ·" in page.details.text()


@pytest.mark.parametrize(
    ("code", "params", "english", "spanish_text"),
    [
        ("shorten", {"max": 2000}, "Please shorten this to at most 2000 characters.", "Acórtelo"),
        ("fill_in", {}, "Please fill this in.", "Complete este dato."),
        (
            "text_unprintable",
            {"chars": "ß"},
            "The clinic's forms cannot print ß; please write this in other letters, or ask a"
            " member of staff.",
            "no pueden imprimir ß",
        ),
    ],
)
def test_a_detail_problem_by_code_reads_in_spanish(  # type: ignore[no-untyped-def]
    qtbot, sqlite_ctx, monkeypatch, code, params, english, spanish_text
) -> None:
    patients = PatientService(sqlite_ctx)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise InvalidInput({"first_name": Coded(english, code, **params)})

    monkeypatch.setattr(patients, "register", refuse)
    for lang, expected in (("es", spanish_text), ("en", english)):
        monkeypatch.setenv("INTAKE_STAFF_LANG", lang)
        dialog = PatientDialog(patients, desk(sqlite_ctx), None)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.set_value("first_name", "Ana")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        shown = dialog.errors["first_name"]
        assert shown.isVisible()
        assert expected in shown.text()
        if lang == "es":
            assert english not in shown.text()
        assert i18n.tr(f"desk.error_{code}", "en", **params) == english
        dialog.reject()


def _object_names(root: QObject) -> set[str]:
    return {o.objectName() for o in root.findChildren(QObject)} | {root.objectName()}


def _window_and_release_names(qtbot, ctx, monkeypatch, lang: str) -> set[str]:  # type: ignore[no-untyped-def]
    from intake.ui.release_dialog import AlertReleaseDialog
    from intake.ui.staff.window import StaffWindow

    monkeypatch.setenv("INTAKE_STAFF_LANG", lang)
    admin = ensure_staff(ctx, "admin", "adm", "Clinic Admin")
    window = StaffWindow(ctx, admin, refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    dialog = AlertReleaseDialog(AlertService(ctx), staff_actor(desk_info(ctx)), "v-1", "Rosa Díaz")
    qtbot.addWidget(dialog)
    dialog.show()
    names = _object_names(window) | _object_names(dialog)
    window.close()
    dialog.reject()
    return names


def test_object_names_are_the_same_in_every_language(qtbot, sqlite_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    clinician_info(sqlite_ctx)
    desk_info(sqlite_ctx)  # every account is there before either window lists them
    english = _window_and_release_names(qtbot, sqlite_ctx, monkeypatch, "en")
    spanish = _window_and_release_names(qtbot, sqlite_ctx, monkeypatch, "es")
    assert {"topbar_button", "accounts_page", "release_note"} <= english
    assert (spanish - english, english - spanish) == (set(), set())


def test_the_acknowledgement_count_is_a_plural_of_the_statements(
    qtbot, sqlite_ctx, spanish
) -> None:  # type: ignore[no-untyped-def]
    for lang in ("en", "es"):
        one = i18n.tr("review.ack_count", lang, count=1, acks=1)
        many = i18n.tr("review.ack_count", lang, count=3, acks=1)
        assert one != many
    assert "1 statement that" in i18n.tr("review.ack_count", "en", count=1, acks=2)
    assert "1 declaración aplicable" in i18n.tr("review.ack_count", "es", count=1, acks=2)
    assert "3 declaraciones" in i18n.tr("review.ack_count", "es", count=3, acks=1)
    # On screen: the review's acknowledgements tab counts the statements that applied.
    vid, patient_id = signed_visit(sqlite_ctx, first_name="Em", last_name="Sato")
    review = ReviewWidget(sqlite_ctx, clinician(sqlite_ctx))
    qtbot.addWidget(review)
    review.show()
    with qtbot.waitSignal(review.documents.documents_issued, timeout=60_000):
        review.show_visit(vid, patient_id)
    summary = review.findChild(QWidget, "acknowledgement_count")
    assert summary is not None
    assert summary.text().startswith("Número de aceptaciones para ")  # type: ignore[attr-defined]
    assert "declaraciones aplicables" in summary.text()  # type: ignore[attr-defined]
