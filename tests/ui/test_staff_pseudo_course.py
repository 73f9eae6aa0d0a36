"""The course screen, the monthly follow-up form, the labs screen and the completion dialog say
only what the message catalogue gives them: built in the pseudo-locale, every text a member of
staff can see or hear is marked (tests/ui/pseudo_text.py), in the states met during a course; in
Spanish they speak Spanish, numbers written the Spanish way."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from pseudo_text import staff_texts, unmarked_staff_texts
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
    signed_visit,
)

from intake.i18n import tr
from intake.services.clinician import ClinicianService
from intake.services.context import Actor, AppContext
from intake.services.scripted import countersign_consent, finish_course

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

FIRST, LAST = "Eva", "Lind"
NOTES = ("Lips cracked, using balm", "Sleeps badly")
# Texts services return in English for a field (not a coded refusal): patient-independent, but
# not the screens' own words; the tests below show them as the screens do.
SERVICE_TEXTS: tuple[str, ...] = ()


def _shot(widget: QWidget, name: str) -> None:
    """A picture of the screen for a person to look at, when INTAKE_PSEUDO_SHOTS names a folder."""
    folder = os.environ.get("INTAKE_PSEUDO_SHOTS")
    if folder:
        QApplication.sendPostedEvents()  # the layout the text changes asked for
        QApplication.processEvents()
        lang = os.environ.get("INTAKE_STAFF_LANG", "en")
        widget.grab().save(str(Path(folder) / f"course-{name}-{lang}.png"))


def _name(widget: QWidget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def _running_course(ctx: AppContext) -> tuple[Actor, str, int]:
    """A countersigned patient three months in: follow-ups with side effects and a high mood
    score, a contraception month not adequate, blood tests normal, high and critical, and two
    negative pregnancy tests."""
    vid, pid = signed_visit(ctx, first_name=FIRST, last_name=LAST)
    doctor = clinician(ctx)
    countersign_consent(ctx, doctor, vid)
    service = ClinicianService(ctx)
    today = ctx.today()
    months = [
        (1, ["dry_skin_lips", "headache"], 4, ["hormonal_iud", "male_condom"], NOTES[0]),
        (2, ["dry_eyes", "other"], 12, ["male_condom"], NOTES[1]),
        (3, [], None, ["hormonal_iud", "male_condom"], ""),
    ]
    for month, effects, mood, methods, notes in months:
        service.record_follow_up(
            doctor,
            pid,
            month,
            seen_on=today - dt.timedelta(days=30 * (3 - month)),
            weight=61.5,
            daily_dose_mg=40,
            side_effects=effects,
            mood_score=mood,
            contraception=methods,
            notes=notes,
        )
    service.record_lab_panel(
        doctor, pid, {"alt": "30", "ast": "60", "cholesterol": "310"}, today, 3
    )
    service.record_lab_panel(
        doctor, pid, {"alt": "20", "triglycerides": "140.5"}, today - dt.timedelta(days=60), 1
    )
    service.record_pregnancy_test(doctor, pid, today - dt.timedelta(days=30), "negative", 2)
    service.record_pregnancy_test(doctor, pid, today, "negative", 3)
    return doctor, vid, pid


def _unmarked(widget: QWidget, *extra: str) -> list[str]:
    return unmarked_staff_texts(widget, (FIRST, LAST, *NOTES, *SERVICE_TEXTS, *extra))


def test_the_course_screen_of_a_running_course_in_pseudo(
    qtbot, sqlite_ctx: AppContext, staff_in_pseudo: str
) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.course import CourseWidget

    ctx = sqlite_ctx
    doctor, _vid, pid = _running_course(ctx)
    widget = CourseWidget(ctx, doctor)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    assert _unmarked(widget) == []  # no patient yet

    widget.show_course(pid, ClinicianService(ctx).course(doctor, pid))
    assert widget.table.rowCount() == 3
    assert _unmarked(widget) == []
    _shot(widget, "running")

    # A recorded month chosen for correction, then a month already recorded saved as new.
    widget.table.selectRow(1)
    assert widget.form.month.value() == 2
    assert _unmarked(widget) == []
    widget.form.month.setValue(1)
    widget.editing = None
    widget.save()
    assert widget.message.isVisible()
    assert _unmarked(widget) == []

    # A field the service refuses: its message under the field.
    widget._start_new()
    widget.weight.setText("-70")
    widget.save()
    assert widget.errors["weight"].isVisible()
    assert _unmarked(widget, widget.errors["weight"].text()) == []
    _shot(widget, "error")
    # A screen reader hears the catalogue's name.
    assert "⟦" in _name(widget.save_button)
    assert "⟦" in _name(widget.form.side_effects["dry_eyes"])


# The dermatologist's page at 1024 wide: the patients' column takes 270 px, the course tab the
# rest; the course tab (its follow-up form in a scroll area that never scrolls sideways) must not
# ask for more, or the page is cut (it asked for ~1055 px in all).
COURSE_TAB_WIDTH = 640


@pytest.mark.parametrize("lang", ["en", "es", "pseudo"])
def test_the_course_tab_and_its_follow_up_form_fit_a_1024_wide_page(
    qtbot, sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:  # type: ignore[no-untyped-def]
    """The form shrinks (its captions wrap, its check boxes reflow into fewer columns) and the
    course's buttons wrap onto a second line, in every language."""
    from intake.ui.staff.course import CourseWidget
    from intake.ui.staff.style import STAFF_QSS

    monkeypatch.setenv("INTAKE_PSEUDO_LOCALE", "1")
    monkeypatch.setenv("INTAKE_STAFF_LANG", lang)
    ctx = sqlite_ctx
    doctor, _vid, pid = _running_course(ctx)
    widget = CourseWidget(ctx, doctor)
    widget.setStyleSheet(STAFF_QSS)  # the staff window's: its padding makes buttons wider
    qtbot.addWidget(widget)
    widget.show()
    widget.show_course(pid, ClinicianService(ctx).course(doctor, pid))
    assert widget.form.contraception_box.isVisible()
    assert widget.form.minimumSizeHint().width() <= COURSE_TAB_WIDTH
    assert widget.minimumSizeHint().width() <= COURSE_TAB_WIDTH
    # At that width nothing is cut: the form is as wide as the tab shows it, every box whole.
    widget.resize(COURSE_TAB_WIDTH, 760)
    qtbot.waitUntil(lambda: widget.form.width() <= COURSE_TAB_WIDTH)
    for check in widget.form.side_effects.values():
        assert check.width() >= check.sizeHint().width(), check.text()
        right = check.mapTo(widget, check.rect().topRight()).x()
        assert right <= widget.width(), check.text()
    _shot(widget, f"narrow-{lang}")


def test_the_labs_screen_in_pseudo(qtbot, sqlite_ctx: AppContext, staff_in_pseudo: str) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.labs import LabsWidget

    ctx = sqlite_ctx
    doctor, _vid, pid = _running_course(ctx)
    widget = LabsWidget(ctx, doctor)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    assert _unmarked(widget) == []  # no patient yet
    widget.show_course(pid, ClinicianService(ctx).course(doctor, pid))
    assert widget.labs_table.rowCount() == 2
    assert _unmarked(widget) == []
    _shot(widget, "labs")

    # A panel with a critical result: the message says so.
    widget.values["alt"].setText("200")
    widget.values["ast"].setText("30")
    with qtbot.waitSignal(widget.lab_recorded):
        qtbot.mouseClick(widget.record_lab_button, Qt.MouseButton.LeftButton)
    assert widget.message.isVisible() and widget.message.kind == "error"
    assert _unmarked(widget) == []
    # A pregnancy test recorded.
    widget.test_result.setCurrentIndex(widget.test_result.findData("negative"))
    with qtbot.waitSignal(widget.pregnancy_test_recorded):
        qtbot.mouseClick(widget.record_test_button, Qt.MouseButton.LeftButton)
    assert widget.message.isVisible() and widget.message.kind == "info"
    assert _unmarked(widget) == []
    _shot(widget, "labs-recorded")

    # A test done at home before the first dose: the programme refuses it, worded by the catalogue.
    widget.test_result.setCurrentIndex(widget.test_result.findData("negative"))
    widget.test_month.setValue(0)
    widget.test_at_home.setChecked(True)
    with qtbot.assertNotEmitted(widget.pregnancy_test_recorded):
        qtbot.mouseClick(widget.record_test_button, Qt.MouseButton.LeftButton)
    assert widget.message.kind == "error"
    assert widget.message.text() == tr("course.error_home_test_before_start", "pseudo")
    assert _unmarked(widget) == []


def test_the_completion_dialog_in_pseudo(
    qtbot, sqlite_ctx: AppContext, staff_in_pseudo: str
) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.completion import CompletionDialog

    ctx = sqlite_ctx
    doctor, _vid, pid = _running_course(ctx)
    dialog = CompletionDialog(ctx, doctor, pid, 55.5)
    qtbot.addWidget(dialog)
    dialog.show()
    assert _unmarked(dialog) == []
    # "Other" with no details: the service's message by the field.
    dialog.reason.setCurrentIndex(dialog.reason.findData("other"))
    with qtbot.waitSignal(dialog.tasks.failed):
        dialog.record()
    problem = dialog.errors["reason_text"]
    assert problem.isVisible()
    assert _unmarked(dialog, problem.text()) == []
    # The dialog grows for the message: its wrapped lines are not cut.
    qtbot.waitUntil(lambda: problem.height() >= problem.heightForWidth(problem.width()))
    _shot(dialog, "completion")


def test_a_completed_course_in_pseudo(qtbot, sqlite_ctx: AppContext, staff_in_pseudo: str) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.course import CourseWidget

    ctx = sqlite_ctx
    doctor, _vid, pid = _running_course(ctx)
    finish_course(ctx, doctor, pid, ctx.today())
    widget = CourseWidget(ctx, doctor)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.show_course(pid, ClinicianService(ctx).course(doctor, pid))
    assert widget.completion_label.isVisible()
    assert _unmarked(widget) == []
    _shot(widget, "completed")


def test_the_course_and_labs_in_spanish(
    qtbot, sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.staff.course import CourseWidget
    from intake.ui.staff.labs import LabsWidget

    monkeypatch.setenv("INTAKE_STAFF_LANG", "es")
    ctx = sqlite_ctx
    doctor, _vid, pid = _running_course(ctx)
    course = ClinicianService(ctx).course(doctor, pid)
    widget = CourseWidget(ctx, doctor)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.show_course(pid, course)
    labs = LabsWidget(ctx, doctor)
    qtbot.addWidget(labs)
    labs.resize(1280, 800)
    labs.show()
    labs.show_course(pid, course)
    _shot(widget, "running")
    _shot(labs, "labs")
    texts = [t for w in (widget, labs) for _, t in staff_texts(w)]
    joined = "\n".join(texts)
    assert "⟦" not in joined
    for expected in ("Guardar seguimiento", "Sequedad de piel o labios", "Mes 2", "61,5 kg"):
        assert expected in joined, expected
    assert "140,5" in joined  # the triglycerides, written the Spanish way
    assert "Colesterol" in joined and "Pruebas de embarazo" in joined
    assert _name(widget.save_button) == "Guardar seguimiento"
    # The next month starts from the last one, written the Spanish way, and saves as it reads.
    assert widget.weight.text() == "61,5"
    saved = widget.save()
    assert saved is not None and saved.month == 4 and saved.weight_kg == 61.5
    assert widget.message.text() == "Se guardó el seguimiento del mes 4."


@pytest.mark.parametrize(
    "methods",
    [[], ["progestin_only_pill"], ["male_condom"], ["male_condom", "diaphragm"]],
)
def test_every_reason_contraception_is_not_enough_has_catalogue_words(
    monkeypatch: pytest.MonkeyPatch, methods: list[str]
) -> None:
    """The domain says why in English (the flags use it too); the course screens say it in the
    staff language, never falling back to the English."""
    from intake.ui.staff.course_words import contraception_problem_text

    monkeypatch.setenv("INTAKE_STAFF_LANG", "es")
    said = contraception_problem_text(methods)
    assert said is not None
    assert said in {
        tr(f"staff.error_contraception_{k}", "es")
        for k in ("none_chosen", "pill_alone", "two_methods", "not_effective")
    }
