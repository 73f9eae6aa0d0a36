"""Front desk: no silent second patient or second visit; search as people type it."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    audit_events,
    background_work_finishes,
    desk,
)

from intake.services.patients import PatientService
from intake.services.visits import VisitService
from intake.ui.staff.front_desk import FrontDeskPage, VisitCodeDialog
from intake.ui.staff.patient_dialog import PatientDialog
from intake.ui.staff.style import STAFF_QSS
from intake.ui.staff.visit_choice import OpenVisitDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def page(qtbot, ctx):  # type: ignore[no-untyped-def]
    widget = FrontDeskPage(ctx, desk(ctx), board_refresh_ms=60_000, debounce_ms=0)
    widget.setStyleSheet(STAFF_QSS)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


def search(qtbot, page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.search_box.clear()
    with qtbot.waitSignal(page.search_panel.searched):
        qtbot.keyClicks(page.search_box, text)
        qtbot.keyClick(page.search_box, Qt.Key.Key_Return)


def shown_names(page) -> list[str]:  # type: ignore[no-untyped-def]
    model = page.model
    return [model.data(model.index(r, 1)) for r in range(model.rowCount())]


def test_registering_a_likely_duplicate_shows_them_to_open_instead(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    svc = PatientService(ctx)
    zoe = [
        svc.register(
            desk(ctx),
            allow_duplicate=True,
            first_name="Zoë",
            last_name="Nguyễn",
            date_of_birth="1999-04-12",
        )
        for _ in range(3)
    ]
    search(qtbot, page, "Zoe Ngyuen, 4/12/99")  # a typo, a short date: still found
    assert len(shown_names(page)) == 3
    qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, PatientDialog)
    # The dialog starts from what was searched for.
    assert dialog.inputs["first_name"].text() == "Zoe"
    assert dialog.inputs["last_name"].text() == "Ngyuen"
    assert dialog.inputs["date_of_birth"].text() == "1999-04-12"
    dialog.inputs["last_name"].clear()
    qtbot.keyClicks(dialog.inputs["last_name"], "Nguyen")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.duplicates.isVisible()
    assert dialog.duplicates.count() == 3
    assert "similar name" in dialog.message.text()
    assert zoe[0].record_number in dialog.duplicates.item(0).text()
    assert dialog.save_button.text() == "Register anyway"
    assert len(svc.search(desk(ctx), "1999-04-12")) == 3  # nothing registered

    dialog.duplicates.setCurrentRow(1)
    with qtbot.waitSignal(dialog.patient_chosen) as chosen:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert chosen.args[0].id == zoe[1].id
    qtbot.waitUntil(lambda: page.selected_patient() is not None)  # found off the GUI thread
    assert page.selected_patient().id == zoe[1].id
    assert len(svc.search(desk(ctx), "1999-04-12")) == 3


def test_registering_anyway_takes_a_second_deliberate_click(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    svc = PatientService(ctx)
    svc.register(desk(ctx), first_name="Zoë", last_name="Nguyễn", date_of_birth="1999-04-12")
    search(qtbot, page, "zoe nguyen 19990412")
    qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert (dialog.inputs["first_name"].text(), dialog.inputs["last_name"].text()) == (
        "Zoe",
        "Nguyen",
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.duplicates.count() == 1
    with qtbot.waitSignal(dialog.patient_saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].full_name == "Zoe Nguyen"
    assert len(svc.search(desk(ctx), "1999-04-12")) == 2


def test_results_show_age_and_minor_and_a_date_is_not_spelt(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    today = ctx.today()
    teen = today.replace(year=today.year - 16) - dt.timedelta(days=1)
    svc = PatientService(ctx)
    svc.register(desk(ctx), first_name="Tess", last_name="Young", date_of_birth=teen.isoformat())
    svc.register(desk(ctx), first_name="Ted", last_name="Young", date_of_birth="1980-01-02")
    search(qtbot, page, "young")
    model = page.model
    ages = {model.data(model.index(r, 1)): model.data(model.index(r, 2)) for r in range(2)}
    assert ages["Young, Tess"] == f"{teen.isoformat()} (16, minor)"
    assert ages["Young, Ted"].startswith("1980-01-02 (") and "minor" not in ages["Young, Ted"]

    search(qtbot, page, "4/12/99")
    label = page.search_panel.result_label
    assert label is not None and "spelling" not in label.text() and "date" in label.text()
    search(qtbot, page, "Yuong")  # a name: check the spelling (but this one is found)
    assert shown_names(page) == ["Young, Ted", "Young, Tess"]
    search(qtbot, page, "Zzyzx")
    assert "spelling" in label.text()


def _with_open_visit(qtbot, page, ctx):  # type: ignore[no-untyped-def]
    p = PatientService(ctx).register(
        desk(ctx), first_name="Ines", last_name="Moreno", date_of_birth="1993-06-14"
    )
    first = VisitService(ctx).start_visit(desk(ctx), p.id)
    search(qtbot, page, "moreno")
    assert page.select_patient(p.id)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, OpenVisitDialog) and dialog.isVisible()
    return p, first, dialog


def test_starting_a_second_visit_offers_to_carry_on_with_a_new_code(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    p, first, dialog = _with_open_visit(qtbot, page, ctx)
    assert "Ines Moreno" in dialog.intro.text() and "today" in dialog.intro.text()
    assert dialog.resume_button.isEnabled()
    with qtbot.waitSignal(page.visit_started) as started:
        qtbot.mouseClick(dialog.resume_button, Qt.MouseButton.LeftButton)
    again = started.args[0]
    assert again.visit_id == first.visit_id and again.code != first.code
    code_dialog = page.dialog
    assert isinstance(code_dialog, VisitCodeDialog)
    assert code_dialog.code_label.text().replace(" ", "") == again.code
    assert [v.visit_id for v in VisitService(ctx).visits_for(desk(ctx), p.id)] == [first.visit_id]


def test_starting_again_abandons_the_open_visit_with_a_reason(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    p, first, dialog = _with_open_visit(qtbot, page, ctx)
    qtbot.mouseClick(dialog.restart_button, Qt.MouseButton.LeftButton)  # no reason yet
    assert dialog.isVisible() and "why" in dialog.reason.error.text()
    assert len(VisitService(ctx).visits_for(desk(ctx), p.id)) == 1
    qtbot.keyClicks(dialog.reason.edit, "kiosk crashed, starting over")
    with qtbot.waitSignal(page.visit_started) as started:
        qtbot.mouseClick(dialog.restart_button, Qt.MouseButton.LeftButton)
    new = started.args[0]
    visits = {v.visit_id: v.status for v in VisitService(ctx).visits_for(desk(ctx), p.id)}
    assert visits == {first.visit_id: "abandoned", new.visit_id: "draft"}
    assert isinstance(page.dialog, VisitCodeDialog)
    assert [e.entity_id for e in audit_events(ctx, "abandon", "visit")] == [first.visit_id]


def test_cancelling_the_choice_changes_nothing(qtbot, page, ctx) -> None:  # type: ignore[no-untyped-def]
    p, first, dialog = _with_open_visit(qtbot, page, ctx)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert page.dialog is None
    assert [(v.visit_id, v.status) for v in VisitService(ctx).visits_for(desk(ctx), p.id)] == [
        (first.visit_id, "draft")
    ]
    assert VisitService(ctx).open_by_code(dt.date(1993, 6, 14), first.code)
