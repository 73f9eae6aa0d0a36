"""The Dermatologist page shrinks to a 1024x768 screen: no review tab needs more width than the
review has there, once the window's, page's and splitter's margins and the narrowest list of
waiting visits are taken off."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QSplitter, QWidget
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
)

from intake.services.scripted import ScriptedPatient, ensure_staff, walk_visit
from intake.services.staff import staff_actor
from intake.services.visits import VisitService
from intake.ui.staff.window import StaffWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

SMALL_SCREEN = 1024
# Item 9, a tetracycline and vitamin A, a minor who can become pregnant: the longest labels.
BUSY = {
    "first_name": "Lia",
    "last_name": "Moss",
    "phq9": (2, 2, 1, 1, 1, 0, 1, 0, 1),
    "extra_answers": {"takes_vitamin_a": "yes", "takes_tetracycline": "yes"},
}


@pytest.fixture
def window(qtbot, sqlite_ctx):  # type: ignore[no-untyped-def]
    return _busy_window(qtbot, sqlite_ctx)


def _busy_window(qtbot, ctx) -> StaffWindow:  # type: ignore[no-untyped-def]
    """An administrator's window at 1024x768, a busy visit of a minor open on the Dermatologist
    page."""
    info = ensure_staff(ctx, "admin", "adm", "Clinic Admin")
    patient = ScriptedPatient(date_of_birth=ctx.today() - dt.timedelta(days=16 * 365), **BUSY)
    vid, _, _ = walk_visit(ctx, patient)
    row = next(r for r in VisitService(ctx).board(staff_actor(info)) if r.visit_id == vid)
    window = StaffWindow(ctx, info, refresh_ms=60_000, debounce_ms=0)
    qtbot.addWidget(window)
    window.resize(SMALL_SCREEN, 768)
    window.show()
    page = window.clinician
    assert page is not None
    window.tabs.setCurrentWidget(page)
    with qtbot.waitSignal(page.review.documents.documents_issued, timeout=30_000):
        assert page.open_visit(vid, row.patient_id)
    return window


def _room(window: StaffWindow, tab: QWidget) -> int:
    """The width a review tab has in a 1024-wide window with the list of waiting visits at its
    narrowest: 1024 less everything beside the tab (the window's and page's margins, the
    splitter's handle, the tab widget's frame) as laid out now."""
    page = window.clinician
    assert page is not None
    splitter = page.findChild(QSplitter)
    assert splitter is not None
    left = splitter.widget(0)
    beside = window.width() - tab.width() - left.width() + left.minimumWidth()
    assert 0 < beside < SMALL_SCREEN // 2
    return SMALL_SCREEN - beside


def _too_wide(window: StaffWindow, keys: tuple[str, ...]) -> list[tuple[str, int, int]]:
    page = window.clinician
    assert page is not None
    review = page.review
    out = []
    for key in keys:
        tab = getattr(review, key)
        review.tabs.setCurrentWidget(tab)
        need, room = tab.minimumSizeHint().width(), _room(window, tab)
        if need > room:
            out.append((key, need, room))
    return out


def test_each_review_tab_fits_a_1024_wide_screen(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    keys = (
        "summary",
        "mood",
        "acknowledgements",
        "quiz",
        "documents",
        "labs",
        "pregnancy",
        "course",
    )
    assert not _too_wide(window, keys)


def test_the_review_own_tabs_fit_in_a_longer_language(qtbot, monkeypatch, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    """The pseudo-locale's texts are some 30% longer than English: labels wrap, tables shrink."""
    from intake import i18n
    from intake.ui.common import STAFF_LANG_ENV

    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    monkeypatch.setenv(STAFF_LANG_ENV, "pseudo")
    longer = _busy_window(qtbot, sqlite_ctx)
    assert not _too_wide(longer, ("summary", "mood", "acknowledgements", "quiz", "course"))


@pytest.mark.parametrize("lang", ["en", "es", "pseudo"])
def test_the_dermatologist_page_fits_a_1024_wide_screen(qtbot, monkeypatch, sqlite_ctx, lang) -> None:  # type: ignore[no-untyped-def]
    """The whole window, every review tab shown in turn, asks for no more than 1024 pixels."""
    from intake import i18n
    from intake.ui.common import STAFF_LANG_ENV

    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    monkeypatch.setenv(STAFF_LANG_ENV, lang)
    window = _busy_window(qtbot, sqlite_ctx)
    page = window.clinician
    assert page is not None
    review = page.review
    wide = []
    for index in range(review.tabs.count()):
        review.tabs.setCurrentIndex(index)
        qtbot.waitUntil(review.tabs.currentWidget().isVisible)
        need = window.minimumSizeHint().width()
        if need > SMALL_SCREEN:
            wide.append((review.tabs.currentWidget().objectName(), need))
    assert not wide
