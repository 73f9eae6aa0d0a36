"""The dermatologist: review tabs, pregnancy status, labs, the course, countersigning, documents."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    audit_events,
    background_work_finishes,
    clinician,
    desk,
    draw_signature,
    pdf_pages,
    pdf_printer,
    pdf_text,
    printer_to,
    search,
    signed_visit,
    visible_text,
)

from intake.services.clinician import ClinicianService
from intake.services.scripted import STAFF_PIN
from intake.services.staff import staff_actor
from intake.ui.staff.clinician import ClinicianPage
from intake.ui.staff.countersign import CountersignDialog
from intake.ui.staff.pdf_preview import PdfPreviewDialog
from intake.ui.staff.review import ReviewWidget

# The offscreen platform plugin warns whenever a window's size limits change; that is the test
# platform talking, not the application.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

MOOD_ALERT = (2, 2, 1, 1, 1, 0, 1, 0, 1)  # total 9, item 9 positive


@pytest.fixture
def review(qtbot, ctx):  # type: ignore[no-untyped-def]
    widget = ReviewWidget(ctx, clinician(ctx))
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    widget.show()
    return widget


def test_clinician_page_lists_signed_visits_and_opens_the_review(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, first_name="Nora", last_name="Kim")
    page = ClinicianPage(ctx, clinician(ctx), refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    # Nobody chosen yet: no sections with empty forms, nothing to reload.
    assert not page.review.tabs.isVisible() and not page.review.refresh_button.isVisible()
    qtbot.waitUntil(lambda: [r.visit_id for r in page.queue] == [vid])  # read off the GUI thread
    with qtbot.waitSignal(page.review.visit_loaded):
        page.queue_table.selectRow(0)
    assert "Nora Kim" in page.review.title.text()
    # A visit opens on its summary, never on whichever tab Qt fell back to.
    assert page.review.tabs.currentWidget() is page.review.summary
    assert page.review.tabs.isVisible() and page.review.refresh_button.isVisible()
    # Or by search: the patient's visits, and the course without a visit.
    search(qtbot, page, "kim")
    assert page.select_patient(patient_id)
    assert page.visits_table.rowCount() == 1
    qtbot.mouseClick(page.patient_button, Qt.MouseButton.LeftButton)
    assert page.review.visit_id is None and page.review.patient_id == patient_id
    assert not page.review.tabs.isTabEnabled(page.review.tabs.indexOf(page.review.mood))
    assert page.review.labs.record_lab_button.isEnabled()
    # From the patient's labs back to the visit: it opens on the summary again.
    with qtbot.waitSignal(page.review.visit_loaded):
        assert page.review.show_visit(vid, patient_id)
    assert page.review.tabs.currentWidget() is page.review.summary


def test_review_shows_flags_mood_acknowledgements_and_attempts(qtbot, review, ctx) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(
        ctx,
        first_name="Lia",
        last_name="Moss",
        phq9=MOOD_ALERT,
        extra_answers={"takes_vitamin_a": "yes"},
    )
    assert review.show_visit(vid, patient_id)
    data = ClinicianService(ctx).review(clinician(ctx), vid)

    # Summary: alerts red before warnings amber.
    labels = review.summary.flag_labels
    assert [lab.objectName() for lab in labels][:2] == ["flag_alert", "flag_alert"]
    assert "item 9" in labels[0].text().lower()
    assert "#fde2e1" in labels[0].styleSheet()  # red
    assert any(
        lab.objectName() == "flag_warning" and "#fff1d6" in lab.styleSheet() for lab in labels
    )
    assert "alerts" in review.tabs.tabText(0)
    assert review.summary.answers.rowCount() > 10

    # Mood screen: score, band and the item-9 alert, for staff eyes only.
    assert "PHQ-9 total 9 of 27" in review.mood.score.text()
    assert "Mild" in review.mood.score.text()
    assert "Item 9 positive" in review.mood.item9.text()
    assert review.mood.items.rowCount() == 9

    # Acknowledgements: every one with initials, time and seconds on the page.
    table = review.acknowledgements.table
    assert table.rowCount() == len(data.acknowledgements) > 10
    assert table.item(0, 3).text() == "LM"
    assert table.item(0, 5).text() == "12"
    assert table.item(0, 1).text()  # the statement text

    # Understanding check attempts.
    assert review.quiz.table.rowCount() == len(data.quiz)
    assert "Passed" in review.quiz.summary.text()
    # Viewing a review is audited.
    assert [e.entity_id for e in audit_events(ctx, "view", "visit")][-2:] == [vid, vid]


def test_review_refused_for_the_front_desk(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, first_name="Eli", last_name="Roth")
    widget = ReviewWidget(ctx, desk(ctx))
    qtbot.addWidget(widget)
    widget.show()
    assert not widget.show_visit(vid, patient_id)
    assert "role does not allow" in widget.message.text()
    assert "Roth" not in visible_text(widget)


def test_pregnancy_status_confirmed_and_corrected_with_a_reason(qtbot, review, ctx) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, first_name="Ada", last_name="Voss")
    review.show_visit(vid, patient_id)
    review.tabs.setCurrentWidget(review.pregnancy)
    tab = review.pregnancy
    assert "Not yet confirmed" in tab.current.text() and tab.can.isChecked()
    assert any(f.id == "pregnancy_possible" for f in review.review.record.flags)

    tab.cannot.setChecked(True)
    qtbot.mouseClick(tab.confirm_button, Qt.MouseButton.LeftButton)
    assert "reason" in tab.message.text().lower()
    assert audit_events(ctx, "confirm", "pregnancy_status") == []

    qtbot.keyClicks(tab.reason, "hysterectomy 2019, confirmed from records")
    with qtbot.waitSignal(tab.status_confirmed):
        qtbot.mouseClick(tab.confirm_button, Qt.MouseButton.LeftButton)
    assert "cannot become pregnant" in tab.current.text()
    assert "Confirmed by a clinician" in tab.current.text()
    assert not any(f.id == "pregnancy_possible" for f in review.review.record.flags)
    events = audit_events(ctx, "confirm", "pregnancy_status")
    assert [(e.entity_id, e.detail["can_become_pregnant"]) for e in events] == [
        (str(patient_id), False)
    ]
    assert "Cannot become pregnant" in review.course.window_label.text()


def test_labs_with_ranges_and_highlighting(qtbot, review, ctx) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, first_name="Bo", last_name="Lind")
    review.show_visit(vid, patient_id)
    review.tabs.setCurrentWidget(review.labs)
    labs = review.labs
    # One form for the whole panel, ranges from the clinic profile.
    assert set(labs.values) == {"alt", "ast", "cholesterol", "triglycerides"}
    assert labs.values["alt"].placeholderText() == "7–56"
    assert "critical above 168" in labs.values["alt"].toolTip()
    # Nothing given: nothing recorded, and the form says so.
    qtbot.mouseClick(labs.record_lab_button, Qt.MouseButton.LeftButton)
    assert labs.lab_errors["panel"].isVisible() and labs.labs_table.rowCount() == 0
    # One bad value refuses the whole draw, naming the field; the good ones are not saved.
    qtbot.keyClicks(labs.values["alt"], "81")
    qtbot.keyClicks(labs.values["ast"], "abc")
    qtbot.mouseClick(labs.record_lab_button, Qt.MouseButton.LeftButton)
    assert labs.lab_errors["ast"].isVisible() and not labs.lab_errors["alt"].isVisible()
    assert labs.labs_table.rowCount() == 0
    assert not ClinicianService(ctx).course(clinician(ctx), patient_id).labs
    labs.values["ast"].clear()
    qtbot.keyClicks(labs.values["ast"], "30")
    with qtbot.waitSignal(labs.lab_recorded):
        qtbot.mouseClick(labs.record_lab_button, Qt.MouseButton.LeftButton)
    assert "ALT 81 U/L high" in labs.message.text()
    assert all(not f.text() for f in labs.values.values())  # ready for the next draw
    labs.lab_month.setValue(1)
    qtbot.keyClicks(labs.values["cholesterol"], "180")
    with qtbot.waitSignal(labs.lab_recorded):
        qtbot.mouseClick(labs.record_lab_button, Qt.MouseButton.LeftButton)
    # One row per draw (baseline, month 1), one column per test, out-of-range cells in red.
    table = labs.labs_table
    assert table.rowCount() == 2
    assert table.horizontalHeaderItem(2).text() == "ALT\n7–56 U/L"
    alt = labs.lab_cell(ctx.today(), 0, "alt")
    assert alt.text() == "81 ↑ high"
    assert alt.background().color().name() == "#fde2e1" and alt.font().bold()
    assert labs.lab_cell(ctx.today(), 0, "ast").text() == "30"
    cholesterol = labs.lab_cell(ctx.today(), 1, "cholesterol")
    assert cholesterol.text() == "180" and not cholesterol.font().bold()
    assert labs.lab_cell(ctx.today(), 1, "alt").text() == "—"
    assert table.item(0, 1).text() == "Month 1"  # newest first
    # Above the clinic's critical threshold (3x the upper limit): marked critical, an alert.
    labs.lab_month.setValue(2)
    qtbot.keyClicks(labs.values["alt"], "300")
    with qtbot.waitSignal(labs.lab_recorded):
        qtbot.mouseClick(labs.record_lab_button, Qt.MouseButton.LeftButton)
    assert labs.lab_cell(ctx.today(), 2, "alt").text() == "300 ‼ CRITICAL"
    assert "CRITICAL" in labs.message.text()
    assert "critical above 168" in labs.lab_cell(ctx.today(), 2, "alt").toolTip()

    # Pregnancy test: the 7-day window from the negative test.
    taken = ctx.today() - dt.timedelta(days=1)
    labs.test_taken_on.setText(taken.isoformat())
    # No result is chosen for the clinician: pressing Record with none chosen records nothing.
    assert labs.test_result.currentData() == ""
    qtbot.mouseClick(labs.record_test_button, Qt.MouseButton.LeftButton)
    assert labs.test_errors["result"].isVisible()
    assert "negative or positive" in labs.test_errors["result"].text()
    assert labs.tests_table.rowCount() == 0
    assert not ClinicianService(ctx).course(clinician(ctx), patient_id).pregnancy_tests
    labs.test_result.setCurrentIndex(labs.test_result.findData("negative"))
    with qtbot.waitSignal(labs.pregnancy_test_recorded):
        qtbot.mouseClick(labs.record_test_button, Qt.MouseButton.LeftButton)
    assert labs.test_result.currentData() == ""  # the next test starts unchosen again
    assert labs.tests_table.item(0, 3).text() == (taken + dt.timedelta(days=7)).isoformat()
    assert (taken + dt.timedelta(days=7)).isoformat() in review.course.window_label.text()
    labs.test_taken_on.setText((ctx.today() + dt.timedelta(days=2)).isoformat())
    qtbot.mouseClick(labs.record_test_button, Qt.MouseButton.LeftButton)
    assert "future" in labs.test_errors["taken_on"].text()
    assert labs.test_errors["result"].isVisible()  # both problems are named at once
    assert labs.tests_table.rowCount() == 1


def test_course_months_dose_and_stale_edit(qtbot, review, ctx) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, first_name="Cy", last_name="Park")
    review.show_visit(vid, patient_id)
    review.tabs.setCurrentWidget(review.course)
    course = review.course
    course.seen_on.setText((ctx.today() - dt.timedelta(days=31)).isoformat())
    course.weight.setText("60")
    course.dose.setText("40")
    course.side_effects["dry_skin_lips"].setChecked(True)
    course.mood.setValue(3)
    course.contraception["hormonal_iud"].setChecked(True)
    assert "Not yet adequate" in course.contraception_state.text()
    course.contraception["male_condom"].setChecked(True)
    assert "Two methods confirmed" in course.contraception_state.text()
    with qtbot.waitSignal(course.follow_up_saved):
        qtbot.mouseClick(course.save_button, Qt.MouseButton.LeftButton)
    assert course.table.rowCount() == 1
    assert course.table.item(0, 4).text() == "20.0 mg/kg"  # 40 mg x 30 days / 60 kg
    assert course.table.item(0, 8).text() == "Two methods ✓"
    assert "20 mg/kg" in course.dose_label.text() and "below the target" in course.dose_label.text()
    assert "120–150" in course.dose_label.text()

    # Invalid dose: the message sits by the field, nothing saved.
    course.month.setValue(2)
    course.dose.setText("900")
    qtbot.mouseClick(course.save_button, Qt.MouseButton.LeftButton)
    assert course.errors["daily_dose_mg"].isVisible() and course.table.rowCount() == 1

    # Month 1 open for correction here while another station corrects it first.
    course.table.selectRow(0)
    assert course.editing is not None and course.editing.month == 1
    first = course.editing
    ClinicianService(ctx).record_follow_up(
        clinician(ctx),
        patient_id,
        1,
        seen_on=first.seen_on,
        weight=61,
        daily_dose_mg=40,
        expected_version=first.version,
    )
    course.dose.setText("50")
    qtbot.mouseClick(course.save_button, Qt.MouseButton.LeftButton)
    assert "another station" in course.message.text()
    assert course.weight.text() == "61"  # reloaded: what is stored now
    assert course.editing.version == first.version + 1
    course.dose.setText("50")
    with qtbot.waitSignal(course.follow_up_saved):
        qtbot.mouseClick(course.save_button, Qt.MouseButton.LeftButton)
    assert (
        ClinicianService(ctx).course(clinician(ctx), patient_id).follow_ups[0].daily_dose_mg == 50
    )


def test_monthly_checklist_preview_and_print(qtbot, review, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, first_name="Dee", last_name="Holm")
    review.show_visit(vid, patient_id)
    with qtbot.waitSignal(review.course.checklist_opened, timeout=30_000) as opened:
        review.course.open_checklist(1)
    dialog = opened.args[0]
    assert isinstance(dialog, PdfPreviewDialog) and dialog.page_count >= 1
    out = tmp_path / "checklist.pdf"
    assert dialog.print_to(pdf_printer(out)) == dialog.page_count == pdf_pages(out)
    assert [e.detail.get("month") for e in audit_events(ctx, "print", "checklist")] == [1]
    dialog.reject()


def test_countersign_reissues_the_consent_linked_to_the_earlier_one(
    qtbot, review, ctx, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    vid, patient_id = signed_visit(ctx, first_name="Em", last_name="Sato")
    with qtbot.waitSignal(review.documents.documents_issued, timeout=30_000):
        review.show_visit(vid, patient_id)  # signed, no documents yet: they are made off-thread
    assert review.countersign_button.isEnabled()
    assert {d.kind for d in review.documents.documents} == {"consent", "education", "summary"}

    qtbot.mouseClick(review.countersign_button, Qt.MouseButton.LeftButton)
    dialog = review.dialog
    assert isinstance(dialog, CountersignDialog)
    assert "prescriber attestation" in dialog.meaning.text()
    assert dialog.printed_name.text() == "Dr Ana Ruiz"
    assert not dialog.sign_button.isEnabled()
    draw_signature(dialog.pad)
    assert dialog.pad.point_count() > 40
    # Every open flag is listed; a serious one (pregnancy status not yet confirmed by a
    # clinician) is a box to tick, and Countersign waits for it.
    assert set(dialog.review_boxes) == {"pregnancy_possible"}
    box = dialog.review_boxes["pregnancy_possible"]
    assert "not yet confirmed by a clinician" in box.accessibleName()
    assert not dialog.sign_button.isEnabled()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    assert box.isChecked() and dialog.sign_button.isEnabled()
    # The PIN is asked again: a wrong one is named by the PIN box, and nothing is signed.
    secret = dialog.secret
    assert secret.echoMode() == secret.EchoMode.Password
    # The first signing since sign-in asks for the username too (21 CFR 11.200).
    assert dialog.username is not None
    qtbot.keyClicks(dialog.username, "derm")
    qtbot.keyClicks(secret, "1357")
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.secret_error.isVisible(), timeout=30_000)
    assert dialog.secret_error.text() == "That username and PIN are not right."
    assert secret.text() == "" and dialog.isVisible()
    assert ClinicianService(ctx).review(clinician(ctx), vid).status == "submitted"
    qtbot.keyClicks(secret, STAFF_PIN)
    with qtbot.waitSignal(review.countersigned, timeout=30_000) as signed:
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    info = signed.args[0]
    assert info.kind == "consent" and info.issue == 2 and info.supersedes_id
    assert review.review.status == "countersigned"
    assert not review.countersign_button.isEnabled()
    consents = [d for d in review.documents.documents if d.kind == "consent"]
    assert [d.issue for d in consents] == [2, 1]  # earlier versions stay available
    assert consents[0].supersedes_id == consents[1].id
    assert "(earlier version)" in review.documents.table.item(1, 0).text()
    assert review.tabs.currentWidget() is review.documents
    sig = review.review.record.signature("clinician")
    assert sig is not None and sig.meaning == "prescriber attestation"

    # The re-issued consent carries the attestation; preview it, then print it.
    review.documents.select("consent", 2)
    with qtbot.waitSignal(review.documents.preview_opened, timeout=10_000) as opened:
        qtbot.mouseClick(review.documents.preview_button, Qt.MouseButton.LeftButton)
    preview = opened.args[0]
    assert preview.page_count >= 1
    out = tmp_path / "consent.pdf"
    preview.choose_printer = printer_to(out)
    with qtbot.waitSignal(preview.printed) as printed:
        qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert printed.args[0] == preview.page_count == pdf_pages(out)
    text = pdf_text(out)
    assert "Printed copy" in text and "issue 2" in text
    viewed = [e.entity_id for e in audit_events(ctx, "view", "document")]
    printed_ids = [e.entity_id for e in audit_events(ctx, "print", "document")]
    assert viewed == [info.id] and printed_ids == [info.id]
    preview.reject()

    # The earlier issue is still there to open.
    review.documents.select("consent", 1)
    with qtbot.waitSignal(review.documents.preview_opened, timeout=10_000) as opened:
        review.documents._on_preview_button_clicked()
    assert opened.args[0].windowTitle() == "Consent, issue 1"
    opened.args[0].reject()


def test_countersign_refusals(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    from intake.services.staff import StaffService

    vid, _ = signed_visit(ctx, first_name="Al", last_name="Ng")
    # An administrator may review, but only a dermatologist countersigns.
    admin = staff_actor(next(i for i in StaffService(ctx).list() if i.role == "admin"))
    dialog = CountersignDialog(ctx, admin, vid, "Al Ng")
    qtbot.addWidget(dialog)
    dialog.show()
    draw_signature(dialog.pad)
    dialog.sign()
    qtbot.waitUntil(lambda: not dialog.tasks.busy, timeout=10_000)
    assert "role does not allow" in dialog.message.text()
    assert dialog.isVisible() and dialog.sign_button.isEnabled()

    # A dot is not a signature; an empty name is not a name.
    dialog = CountersignDialog(ctx, clinician(ctx), vid, "Al Ng")
    qtbot.addWidget(dialog)
    dialog.show()
    QTest.mouseClick(dialog.pad, Qt.MouseButton.LeftButton, pos=QPoint(50, 50))
    dialog.printed_name.clear()
    assert dialog.sign_button.isEnabled()
    dialog.sign()
    qtbot.waitUntil(lambda: not dialog.tasks.busy, timeout=10_000)
    assert dialog.signature_error.isVisible() and dialog.name_error.isVisible()
    assert dialog.secret_error.isVisible()  # and no PIN was given: every problem at once
    assert ClinicianService(ctx).review(clinician(ctx), vid).status == "submitted"
    assert audit_events(ctx, "sign", "visit")[-1].actor.startswith("kiosk:")


def test_results_recorded_in_the_review_reach_the_summary_and_the_countersign_dialog(
    qtbot, review, ctx
) -> None:  # type: ignore[no-untyped-def]
    # Found in review: flags were read once, when the visit opened, so a critical lab or a
    # positive test recorded from the review itself never reached the summary or the dialog.
    vid, patient_id = signed_visit(ctx, first_name="Ivy", last_name="Holt")
    review.show_visit(vid, patient_id)
    summary_tab = review.tabs.indexOf(review.summary)
    assert review.tabs.tabText(summary_tab) == "Summary"
    review.tabs.setCurrentWidget(review.labs)
    labs = review.labs
    qtbot.keyClicks(labs.values["alt"], "300")
    qtbot.keyClicks(labs.values["cholesterol"], "250")
    with qtbot.waitSignal(review.visit_loaded, timeout=10_000):
        qtbot.mouseClick(labs.record_lab_button, Qt.MouseButton.LeftButton)
    assert review.tabs.tabText(summary_tab) == "Summary · 1 alert"
    assert review.tabs.currentWidget() is review.labs  # the clinician stays where they were
    ids = {f.id for f in review.review.record.flags}
    assert {"lab_alt", "lab_cholesterol"} <= ids
    qtbot.mouseClick(review.countersign_button, Qt.MouseButton.LeftButton)
    dialog = review.dialog
    assert set(dialog.review_boxes) == {"lab_alt", "pregnancy_possible"}
    names = [w.accessibleName() for w in dialog.findChildren(QLabel)]
    assert any(n.startswith("Warning: Total cholesterol 250 mg/dL") for n in names)
    dialog.reject()
