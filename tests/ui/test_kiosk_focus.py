"""Where the keyboard focus goes (WCAG 2.4.3 focus order, 2.4.11 focus not obscured): a new
page starts at its heading, Tab follows what is seen, locked quiz answers do not throw the focus
to the top bar, and a focused field is scrolled into view at the largest text size."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget
from test_kiosk_driver import KioskDriver, register

from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the focus"
    return widget


def tab(kiosk: KioskDriver, times: int = 1) -> list[QWidget]:
    seen = []
    for _ in range(times):
        kiosk.qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        seen.append(focused())
    return seen


def to_topics(kiosk: KioskDriver, sqlite_ctx: AppContext) -> ScriptedPatient:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    kiosk.answer_phq9(patient.phq9)
    assert kiosk.step().startswith("topic:")
    return patient


def test_a_new_page_starts_at_its_heading_and_tab_follows_what_is_seen(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    page = kiosk.page
    heading = focused()
    assert heading is page.heading  # type: ignore[attr-defined]
    iface = QAccessible.queryAccessibleInterface(heading)
    assert iface.role() == QAccessible.Role.Heading and iface.state().focused
    assert iface.text(QAccessible.Text.Name) == page.title_text  # type: ignore[attr-defined]
    # The heading is no Tab stop of its own: the first Tab reaches the first field.
    first = tab(kiosk)[0]
    assert first is page.fields["first_name"].input  # type: ignore[attr-defined]
    kiosk.fill_intake_page(patient.page_answers()["identity"])
    nav, bar = kiosk.window.nav, kiosk.window.bar
    assert nav.back.isVisible() or nav.next.isEnabled()
    # One round of Tab from the last button of the top bar: page, then Back, then Next.
    bar.staff.setFocus(Qt.FocusReason.TabFocusReason)
    stops = tab(kiosk, 40)
    cycle = stops[: stops.index(bar.languages["en"])]
    where = ["page" if page.isAncestorOf(w) else w.objectName() for w in cycle]
    nav_stops = [w for w in where if w != "page"]
    assert where[0] == "page" and nav_stops == [
        n
        for n in ("nav_back", "nav_next")
        if kiosk.find(n).isVisible() and kiosk.find(n).isEnabled()
    ]
    assert where.index(nav_stops[0]) > max(i for i, w in enumerate(where) if w == "page")


def test_the_review_page_starts_at_its_named_heading(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = to_topics(kiosk, sqlite_ctx)
    kiosk.walk_topics(patient)
    kiosk.answer_quiz()
    assert kiosk.step() == "review"
    widget = focused()
    iface = QAccessible.queryAccessibleInterface(widget)
    assert widget.isVisible() and iface.text(QAccessible.Text.Name).strip()
    assert iface.role() == QAccessible.Role.Heading
    # Nothing to fill in: on to Back, then Next (to signing).
    assert tab(kiosk, 2) == [kiosk.window.nav.back, kiosk.window.nav.next]


def test_quiz_focus_goes_from_the_answer_to_check_and_stays_on_the_page_when_locked(
    kiosk: KioskDriver, sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake.ui.kiosk import base

    announced: list[str] = []
    monkeypatch.setattr(base, "_deliver", lambda e: announced.append(e.message()))
    patient = to_topics(kiosk, sqlite_ctx)
    kiosk.walk_topics(patient)
    page = kiosk.page
    question = page.question  # type: ignore[attr-defined]
    wrong = page.choices.button(next(c.id for c in question.choices if c.id != question.answer))  # type: ignore[attr-defined]
    wrong.setFocus(Qt.FocusReason.TabFocusReason)
    kiosk.qtbot.keyClick(wrong, Qt.Key.Key_Space)
    assert wrong.isChecked()
    assert tab(kiosk)[0] is kiosk.window.nav.next  # "Check my answer", the next Tab stop
    # A switch user presses "Check my answer" through the accessibility interface: the focus
    # stays on the answer, which the wrong answer then locks.
    wrong.setFocus(Qt.FocusReason.TabFocusReason)
    actions = QAccessible.queryAccessibleInterface(kiosk.window.nav.next).actionInterface()
    actions.doAction(actions.pressAction())
    kiosk.qtbot.waitUntil(page.explanation_card.isVisible)  # type: ignore[attr-defined]
    assert not wrong.isEnabled()
    here = focused()
    assert not kiosk.window.bar.isAncestorOf(here)
    assert here is page.wrong_heading  # type: ignore[attr-defined]
    said = QAccessible.queryAccessibleInterface(here)
    assert question.explanation("en") in said.text(QAccessible.Text.Description)
    # The focus says it: it is not announced as well (it would be heard twice).
    assert not [text for text in announced if question.explanation("en") in text]


def test_a_focused_field_is_scrolled_into_view_at_the_largest_text_size(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    to_topics(kiosk, sqlite_ctx)
    kiosk.window.set_text_size(2)
    page = kiosk.page
    viewport = page.scroller.viewport()  # type: ignore[attr-defined]

    def in_view(widget: QWidget) -> bool:
        box = QRect(widget.mapTo(viewport, widget.rect().topLeft()), widget.size())
        return viewport.rect().contains(box)

    kiosk.qtbot.waitUntil(lambda: page.scroller.verticalScrollBar().maximum() > 0)  # type: ignore[attr-defined]
    boxes = [f.edit for f in page.fields.values()]  # type: ignore[attr-defined]
    hidden = [b for b in boxes if not in_view(b)]
    assert hidden, "every box fits on screen: nothing to scroll to"
    hidden[-1].setFocus(Qt.FocusReason.OtherFocusReason)  # not by Tab: the page moved it
    kiosk.qtbot.waitUntil(lambda: in_view(hidden[-1]))
    boxes[0].setFocus(Qt.FocusReason.BacktabFocusReason)
    kiosk.qtbot.waitUntil(lambda: in_view(boxes[0]))
