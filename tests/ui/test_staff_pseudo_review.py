"""The dermatologist's page and a visit's review speak only the message catalogue.

Built in the pseudo-locale, where every catalogue message is wrapped in ⟦ ⟧: any word left
outside the brackets (other than the patient's and the staff's own data) was written into code.
The panes the desk and course areas' code builds (the labs and course tabs, the dermatologist
picker, the patient search) are checked by their own tests and left out here; the documents and
pregnancy tabs are checked here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from pseudo_text import staff_texts, unmarked
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    clinician,
)

from intake.services.scripted import (
    ScriptedPatient,
    countersign_consent,
    walk_checkin,
    walk_visit,
)
from intake.services.staff import StaffService
from intake.services.visits import VisitService
from intake.ui.staff.clinician import ClinicianPage
from intake.ui.staff.review import ReviewWidget
from intake.ui.staff.status_board import waiting_text

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

MOOD_ALERT = (2, 2, 1, 1, 1, 0, 1, 0, 1)  # item 9 positive


def _foreign(review: ReviewWidget) -> tuple[QWidget, ...]:
    """The parts of the review that other areas' code builds (and their tests check)."""
    return (
        review.labs,  # course area
        review.course,  # course area
        review.summary.dermatologist,  # desk area (the dermatologist picker)
    )


def _elsewhere(page: ClinicianPage, review: ReviewWidget) -> tuple[QWidget, ...]:
    """The page's parts other areas build: the patient search (desk area) and the review's."""
    return (page.search_panel, *_foreign(review))


def _problems(root: QWidget, foreign: tuple[QWidget, ...], data: tuple[str, ...]) -> list[str]:
    """unmarked_staff_texts(root, data), leaving out the widgets under ``foreign``: the texts
    of those widgets (each counted once, where it is) are taken from root's list."""
    theirs: Counter[tuple[str, str]] = Counter()
    for part in foreign:
        theirs.update(staff_texts(part)[1:])  # [0] is the window title, counted under root
    out = []
    for where, text in staff_texts(root):
        if theirs[(where, text)] > 0:
            theirs[(where, text)] -= 1
            continue
        left = unmarked(text, data)
        if left:
            out.append(f"{where}: {left!r} in {text!r}")
    return out


def _patient_data(ctx, review: ReviewWidget) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """What the patient, the kiosk and the staff wrote: shown as given, in no language."""
    data: list[str] = []
    if review.review is not None:
        record = review.review.record
        p = record.patient
        data += [p.full_name, p.record_number, p.first_name, p.last_name]
        data += [s.printed_name for s in record.signatures]
        data += [s.relationship for s in record.signatures if s.relationship]
        data += [a.initials for a in review.review.acknowledgements]
        data += [a.statement_id for a in review.review.acknowledgements]
        data += [r.released_by for r in record.alert_releases]
        data += [r.note for r in record.alert_releases]
        data += [r.station for r in record.alert_releases if r.station]
        data += ["patient@example.org", "Ana", "Ñúñez", "Zoë", "Nguyễn"]
    data += [i.display_name for i in StaffService(ctx).list()]
    # The documents tab: each document's fingerprint and id.
    data += [d.sha256[:16] for d in review.documents.documents]
    data += [d.id for d in review.documents.documents]
    # The waiting time is the status board's wording (its own catalogue).
    data += [waiting_text(s) for s in (0, 30, 90, 3600, 90_000)]
    return tuple(d for d in data if d)


@pytest.fixture
def visits(sqlite_ctx):  # type: ignore[no-untyped-def]
    """A minor's submitted visit with flags, an adult's countersigned one and a check-in."""
    ctx = sqlite_ctx
    doctor = clinician(ctx)
    minor = ScriptedPatient(
        first_name="Lia",
        last_name="Moss",
        date_of_birth=ctx.today() - dt.timedelta(days=16 * 365),
        phq9=MOOD_ALERT,
    )
    flagged, _, _ = walk_visit(ctx, minor)
    adult = ScriptedPatient(
        first_name="Eli", last_name="Roth", sex_at_birth="male", can_become_pregnant=False
    )
    signed, _, _ = walk_visit(ctx, adult)
    countersign_consent(ctx, doctor, signed)
    rows = {r.visit_id: r for r in VisitService(ctx).board(doctor)}
    checkin, _, _ = walk_checkin(ctx, adult, rows[signed].patient_id)
    rows = {r.visit_id: r for r in VisitService(ctx).board(doctor)}
    return {
        "flagged": (flagged, rows[flagged].patient_id),
        "countersigned": (signed, rows[signed].patient_id),
        "checkin": (checkin, rows[checkin].patient_id),
    }


def _page(qtbot, ctx) -> ClinicianPage:  # type: ignore[no-untyped-def]
    page = ClinicianPage(ctx, clinician(ctx), refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    with qtbot.waitSignal(page.queue_refreshed, timeout=10_000):
        page.show()
    return page


def test_an_empty_dermatologist_page_speaks_the_catalogue(
    qtbot, sqlite_ctx, staff_in_pseudo
) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, sqlite_ctx)
    assert page.queue_total == 0
    data = _patient_data(sqlite_ctx, page.review)
    problems = _problems(page, _elsewhere(page, page.review), data)
    assert not problems, "\n".join(problems)


def test_each_review_tab_speaks_the_catalogue(qtbot, sqlite_ctx, visits, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    page = _page(qtbot, ctx)
    assert page.queue_total == 2  # the flagged visit and the check-in
    review = page.review
    seen: list[str] = []
    for which in ("flagged", "countersigned", "checkin"):
        vid, patient_id = visits[which]
        with qtbot.waitSignal(review.visit_loaded):
            assert page.open_visit(vid, patient_id)
        data = _patient_data(ctx, review)
        for tab in range(review.tabs.count()):
            review.tabs.setCurrentIndex(tab)
            seen += [
                f"{which}/{review.tabs.tabText(tab)}: {p}"
                for p in _problems(page, _elsewhere(page, review), data)
            ]
    # A patient without a visit: labs, tests and the course only.
    vid, patient_id = visits["countersigned"]
    record = review.review
    assert record is not None
    assert review.show_patient(
        patient_id, record.record.patient.full_name, record.record.patient.record_number
    )
    seen += _problems(
        page,
        _elsewhere(page, review),
        _patient_data(ctx, review) + (record.record.patient.full_name,),
    )
    assert not sorted(set(seen)), "\n".join(sorted(set(seen)))


def test_review_messages_and_names_come_from_the_catalogue(
    qtbot, sqlite_ctx, visits, staff_in_pseudo
) -> None:  # type: ignore[no-untyped-def]
    ctx = sqlite_ctx
    review = ReviewWidget(ctx, clinician(ctx))
    qtbot.addWidget(review)
    review.resize(1280, 800)
    review.show()
    vid, patient_id = visits["flagged"]
    with qtbot.waitSignal(review.visit_loaded):
        review.show_visit(vid, patient_id)
    # A confirmation shown under the header.
    review._on_dermatologist_change_requested(None)
    assert review.message.isVisible()
    data = _patient_data(ctx, review)
    problems = _problems(review, _foreign(review), data)
    assert not problems, "\n".join(problems)
    # A screen reader hears the catalogue's words.
    heard = QAccessible.queryAccessibleInterface(review.tabs).text(QAccessible.Text.Name)
    assert heard.startswith("⟦") and heard.endswith("⟧")
    assert review.tabs.objectName() == "review_sections"


def test_the_review_speaks_spanish(qtbot, sqlite_ctx, visits, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from intake.ui.common import STAFF_LANG_ENV

    monkeypatch.setenv(STAFF_LANG_ENV, "es")
    page = _page(qtbot, sqlite_ctx)
    assert page.queue_label.text() == "2 visitas firmadas y pendientes de revisión"
    review = page.review
    vid, patient_id = visits["flagged"]
    with qtbot.waitSignal(review.visit_loaded):
        assert page.open_visit(vid, patient_id)
    assert review.tabs.tabText(0) == "Resumen · 1 alerta"
    assert review.tabs.tabText(1) == "Ánimo · ¡ítem 9!"
    assert review.countersign_button.text() == "Refrendar el consentimiento…"
    heard = QAccessible.queryAccessibleInterface(review.subtitle).text(QAccessible.Text.Name)
    assert "firmada por el paciente, pendiente de refrendo" in heard
    assert "<b>menor de 18 años</b>" in review.summary.facts.text()
    assert "Ítem 9 positivo" in review.mood.item9.text()
    assert "aceptaciones para" in review.acknowledgements.summary.text()
    assert review.quiz.summary.text().startswith("<b>Superada</b>")
    roles = {review.summary.signatures.item(r, 0).text() for r in range(2)}
    assert roles == {"Paciente", "Tutor (padre o madre)"}
    assert not [t for _, t in staff_texts(page) if "⟦" in t]
