"""The kiosk as a screen reader sees it: Qt's accessibility tree, walked page by page.

Every interactive element has a name and the right role; one answer of several is a radio
button in an exclusive group, several answers are check boxes; every page has a heading; the
window is a window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget
from test_kiosk_driver import KioskDriver, register

from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.ui.widgets.choices import ChoiceButtons

R = QAccessible.Role
ASSERTIVE = QAccessible.AnnouncementPoliteness.Assertive
INTERACTIVE_ROLES = {
    R.Button,
    R.CheckBox,
    R.RadioButton,
    R.EditableText,
    R.ComboBox,
    R.SpinBox,
    R.Slider,
    R.ButtonMenu,
}


@dataclass
class Node:
    iface: QAccessibleInterface
    role: QAccessible.Role
    name: str
    widget: QWidget | None


def accessible(widget: QWidget) -> QAccessibleInterface:
    iface = QAccessible.queryAccessibleInterface(widget)
    assert iface is not None and iface.isValid()
    return iface


def walk(root: QAccessibleInterface) -> list[Node]:
    """Every node a screen reader can reach (invisible ones and their children left out)."""
    out: list[Node] = []
    todo = [root]
    while todo:
        iface = todo.pop(0)
        if not iface.isValid() or iface.state().invisible:
            continue
        obj = iface.object()
        widget = obj if isinstance(obj, QWidget) else None
        out.append(Node(iface, iface.role(), iface.text(QAccessible.Text.Name), widget))
        todo.extend(iface.child(i) for i in range(iface.childCount()))
    return out


def tree_problems(kiosk: KioskDriver) -> list[str]:
    """What a screen reader user would trip on, on the page on screen."""
    page = kiosk.page
    where = page.objectName()
    problems: list[str] = []
    window = accessible(kiosk.window)
    if window.role() != R.Window:
        problems.append(f"the kiosk window is a {window.role().name}, not a Window")
    nodes = walk(window)
    page_nodes = [n for n in nodes if n.widget is not None and page.isAncestorOf(n.widget)]
    if not any(n.role == R.Heading and n.name.strip() for n in page_nodes):
        problems.append(f"{where}: no heading")
    for n in nodes:
        label = f"{where}/{n.widget.objectName() if n.widget else '?'}"
        if n.role in INTERACTIVE_ROLES or (n.widget is not None and n.iface.state().focusable):
            if not n.name.strip():
                problems.append(f"{label}: a {n.role.name} without a name")
            if n.role in (R.Client, R.Pane, R.NoRole):
                problems.append(f"{label}: focusable but only a {n.role.name}")
        button = n.widget
        if isinstance(button, QAbstractButton) and button.isCheckable():
            group = button.group()
            single = (group is not None and group.exclusive()) or button.autoExclusive()
            want = R.RadioButton if single else R.CheckBox
            if n.role != want:
                problems.append(f"{label}: a {n.role.name}, should be a {want.name}")
            if n.role == R.RadioButton and group is not None and not group.exclusive():
                problems.append(f"{label}: a radio button in a group that is not exclusive")
    for choices in page.findChildren(ChoiceButtons):
        if not choices.isVisibleTo(page):
            continue
        roles = {accessible(b).role() for b in choices.buttons().values()}
        want = R.CheckBox if choices.is_multi() else R.RadioButton
        if roles != {want}:
            problems.append(f"{where}/{choices.objectName()}: answers are {roles}, not {want}")
    return problems


def test_welcome_and_first_pages_report_roles_headings_and_radio_groups(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    assert tree_problems(kiosk) == []
    title = accessible(kiosk.find("welcome_title"))
    assert title.role() == R.Heading and title.text(QAccessible.Text.Name)
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    assert tree_problems(kiosk) == []
    sex = kiosk.page.fields["sex_at_birth"].input  # type: ignore[attr-defined]
    assert {accessible(b).role() for b in sex.buttons().values()} == {R.RadioButton}


def test_the_signature_pad_is_a_graphic_that_can_be_signed_through_its_action(
    kiosk: KioskDriver, sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake.ui.kiosk import base
    from intake.ui.widgets.access import SIGN_ACTION

    said: list[tuple[str, QAccessible.AnnouncementPoliteness]] = []
    monkeypatch.setattr(base, "_deliver", lambda e: said.append((e.message(), e.politeness())))
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.walk_visit_to_signing(patient)
    assert tree_problems(kiosk) == []
    pad = kiosk.find("signature_pad")
    iface = accessible(pad)
    assert iface.role() == R.Graphic
    assert iface.text(QAccessible.Text.Name) == "Signature pad"
    # The description names the keyboard alternative, by the words on its button.
    keyboard = kiosk.find("type_signature", QAbstractButton).text()
    assert keyboard in iface.text(QAccessible.Text.Description)
    actions = iface.actionInterface()
    assert actions is not None and SIGN_ACTION in actions.actionNames()
    assert actions.localizedActionName(SIGN_ACTION) == keyboard
    # No printed name: nothing is signed, and the patient is told why.
    printed = kiosk.find("printed_name", QLineEdit)
    accessible(printed).setText(QAccessible.Text.Value, "")
    actions.doAction(SIGN_ACTION)
    assert not pad.has_ink()
    assert said[-1] == ("Type your full name above first: it becomes your signature.", ASSERTIVE)
    accessible(printed).setText(QAccessible.Text.Value, f"{patient.first_name} {patient.last_name}")
    actions.doAction(SIGN_ACTION)
    assert pad.has_ink() and pad.typed
    assert said[-1][1] == ASSERTIVE and "now your signature" in said[-1][0]
    assert kiosk.window.nav.next.isEnabled()


def test_the_pages_off_the_usual_path_pass_the_walk_too(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    """Welcome in Spanish, the staff check after a disputed date of birth, Welcome back (a
    visit under way), and the help page after a positive PHQ-9 item 9."""
    seen = []

    def walk() -> None:
        seen.append(kiosk.page.objectName())
        assert tree_problems(kiosk) == []

    kiosk.window.set_language("es")
    walk()
    kiosk.window.set_language("en")
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.click("dob_not_mine")
    kiosk.click("dob_not_mine")  # a second, deliberate tap
    kiosk.qtbot.waitUntil(lambda: kiosk.step() == "staff_check")
    walk()
    kiosk.window.clear_screen()
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.qtbot.waitUntil(lambda: kiosk.page.objectName() == "page_resume")
    walk()
    kiosk.window.clear_screen()
    other = ScriptedPatient(first_name="Ada", last_name="Lind", date_of_birth=dt.date(1990, 1, 2))
    reg = register(sqlite_ctx, other)
    kiosk.open_with_code(other.date_of_birth, reg.started.code)
    kiosk.fill_intake(other)
    kiosk.answer_phq9((1, 0, 1, 0, 0, 0, 1, 0, 2))
    kiosk.qtbot.waitUntil(lambda: kiosk.page.objectName() == "page_help_now")
    walk()
    assert seen == ["page_welcome", "page_staff_check", "page_resume", "page_help_now"]


def test_the_pages_of_a_later_visit_pass_the_walk_too(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    """A later visit's own pages: the notice of minor changes (its heading takes the focus)
    and, after a major change, what has changed since the patient signed."""
    from reconsent_forms import revised
    from test_kiosk_driver import desk_actor

    from intake.services.scripted import walk_visit
    from intake.services.visits import VisitService
    from intake.store.models import Visit

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    vid, _, _ = walk_visit(sqlite_ctx, patient)
    with sqlite_ctx.db.session() as s:
        pid = s.get(Visit, vid).patient_id  # type: ignore[union-attr]
    base = sqlite_ctx.forms
    seen = []
    for change, page in (("minor", "page_notice"), ("major", "page_reconsent")):
        sqlite_ctx.forms = revised(base, change)
        started = VisitService(sqlite_ctx).start_visit(desk_actor(sqlite_ctx), pid, "en")
        kiosk.open_with_code(patient.date_of_birth, started.code)
        kiosk.fill_intake(patient)
        kiosk.answer_phq9(patient.phq9)
        kiosk.qtbot.waitUntil(lambda page=page: kiosk.page.objectName() == page)
        kiosk.qtbot.waitUntil(lambda: kiosk.page.heading.hasFocus())  # type: ignore[attr-defined]
        heading = accessible(kiosk.page.heading)  # type: ignore[attr-defined]
        assert heading.role() == R.Heading
        assert tree_problems(kiosk) == []
        seen.append(kiosk.page.objectName())
        kiosk.window.clear_screen()
        VisitService(sqlite_ctx).abandon(desk_actor(sqlite_ctx), started.visit_id, "Test over")
    assert seen == ["page_notice", "page_reconsent"]
