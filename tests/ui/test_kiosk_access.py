"""Accessibility: live language switch, text sizes, high contrast, keyboard-only completion."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from test_kiosk_driver import KioskDriver, desk_actor, register, type_text

from intake.domain import rules
from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService
from intake.ui.kiosk.theme import TEXT_SIZES


def labels(widget: QWidget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel) if label.text()]


def test_language_switch_retranslates_live_and_keeps_what_was_typed(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.answer("phone", "555 0101")
    kiosk.answer("sex_at_birth", "female")
    identity = sqlite_ctx.forms.intake.pages[0]
    kiosk.click(kiosk.window.bar.languages["es"])
    page = kiosk.page
    assert identity.title("es") in labels(page)
    assert identity.title("en") not in labels(page)
    assert "Nombre" in labels(page)
    assert page.fields["phone"].raw() == "555 0101"  # type: ignore[attr-defined]
    assert page.fields["sex_at_birth"].raw() == "female"  # type: ignore[attr-defined]
    assert page.fields["sex_at_birth"].input.button("female").accessibleName() == "Femenino"  # type: ignore[attr-defined]
    assert kiosk.window.nav.next.text() == "Siguiente"
    assert kiosk.window.bar.contrast.text() == "Alto contraste"
    assert "Parte 1 de 6" in kiosk.window.nav.where.text()
    # The visit's language (and so its documents) follows the patient's choice.
    desk = desk_actor(sqlite_ctx)
    assert VisitService(sqlite_ctx).draft(desk, reg.started.visit_id).lang == "es"
    kiosk.next()
    assert kiosk.step() == "intake:pregnancy"
    assert sqlite_ctx.forms.intake.pages[1].title("es") in labels(kiosk.page)
    kiosk.click(kiosk.window.bar.languages["en"])
    assert sqlite_ctx.forms.intake.pages[1].title("en") in labels(kiosk.page)
    assert VisitService(sqlite_ctx).draft(desk, reg.started.visit_id).lang == "en"


def test_three_text_sizes_and_high_contrast(kiosk: KioskDriver, sqlite_ctx: AppContext) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    title = kiosk.page.fields["first_name"].title  # type: ignore[attr-defined]
    sizes = []
    for i, button in enumerate(kiosk.window.bar.sizes):
        kiosk.click(button)
        assert kiosk.window.theme.size_index == i
        sizes.append(title.font().pixelSize())
        kiosk.check_page()  # still 44 px targets and named widgets at every size
    assert len(sizes) == len(TEXT_SIZES) >= 3
    assert sizes == sorted(sizes) and sizes[-1] >= 1.5 * sizes[0]
    normal = title.palette().color(QPalette.ColorRole.WindowText)
    kiosk.click(kiosk.window.bar.contrast)
    assert kiosk.window.theme.high_contrast
    contrast = title.palette().color(QPalette.ColorRole.WindowText)
    assert contrast != normal and contrast.value() > 200  # light text on black
    # The choice stays for the visit's next pages...
    kiosk.fill_intake_page(patient.page_answers()["identity"])
    kiosk.next()
    label = kiosk.page.findChildren(QLabel)[0]
    assert label.font().pixelSize() >= sizes[-1]
    # ...and is reset for the next person.
    kiosk.window.clear_screen()
    assert kiosk.window.theme.size_index == 0 and not kiosk.window.theme.high_contrast


# --- keyboard only -------------------------------------------------------------------------------


class Keyboard:
    """Only key presses, sent to whatever has the focus."""

    def __init__(self, kiosk: KioskDriver):
        self.kiosk = kiosk

    @staticmethod
    def focus() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def key(self, key: Qt.Key, text: str = "") -> None:
        widget = self.focus()
        for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
            )
        QApplication.processEvents()
        self.kiosk.wait_idle()  # a press of Next or Start saves off the GUI thread

    def tab_to(self, target: QWidget) -> None:
        for _ in range(400):
            if self.focus() is target:
                return
            self.key(Qt.Key.Key_Tab)
        raise AssertionError(f"Tab never reached {target.objectName() or target.accessibleName()}")

    def press(self, button: QAbstractButton) -> None:
        self.tab_to(button)
        self.key(Qt.Key.Key_Space, " ")

    def choose(self, button: QAbstractButton) -> None:
        """A radio group: Tab into it, then the arrow keys move (and choose), as usual."""
        group = [b for b in button.parentWidget().findChildren(QAbstractButton)]
        for _ in range(400):
            if self.focus() in group:
                break
            self.key(Qt.Key.Key_Tab)
        for _ in range(len(group) * 2):
            here = self.focus()
            if here is button:
                break
            there, now = button.geometry().center(), here.geometry().center()
            if there.y() > now.y() + 5:
                self.key(Qt.Key.Key_Down)
            elif there.y() < now.y() - 5:
                self.key(Qt.Key.Key_Up)
            else:
                self.key(Qt.Key.Key_Right if there.x() > now.x() else Qt.Key.Key_Left)
        assert self.focus() is button
        self.key(Qt.Key.Key_Space, " ")
        assert button.isChecked()

    def type_into(self, edit: QWidget, text: str) -> None:
        self.tab_to(edit)
        if isinstance(edit, QLineEdit):
            edit.selectAll()
            self.key(Qt.Key.Key_Delete)
        type_text(edit, text)
        self.kiosk.wait_idle()  # initials are saved as soon as they are typed

    def next(self) -> None:
        self.press(self.kiosk.window.nav.next)


def test_a_whole_visit_with_the_keyboard_only(kiosk: KioskDriver, sqlite_ctx: AppContext) -> None:
    patient = ScriptedPatient(
        first_name="Sam", last_name="Lee", sex_at_birth="male", can_become_pregnant=False
    )
    reg = register(sqlite_ctx, patient)
    kb = Keyboard(kiosk)
    kiosk.qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    dob = kiosk.find("welcome_dob")
    for name, text in (("date_month", "04"), ("date_day", "12"), ("date_year", "1999")):
        kb.type_into(dob.findChild(QLineEdit, name), text)
    kb.type_into(kiosk.find("welcome_code"), reg.started.code)
    kb.press(kiosk.find("welcome_start"))
    pages = patient.page_answers()
    while kiosk.step().startswith("intake:"):
        page = kiosk.page
        answers = pages.get(kiosk.step().split(":")[1], {})
        for qid, value in answers.items():
            if qid not in page.visible_ids():  # type: ignore[attr-defined]
                continue
            field = page.fields[qid]  # type: ignore[attr-defined]
            kind = field.question.type
            if kind in ("name", "phone", "email", "text"):
                kb.type_into(field.input, str(value))
            elif kind == "longtext":
                continue  # optional here
            elif kind == "date":
                continue  # already there from the registration
            elif kind == "choice":
                kb.choose(field.input.button(value))
            elif kind == "multi":
                for v in value:
                    kb.press(field.input.button(v))
            elif kind == "weight":
                kb.type_into(field.input.number, value["value"])
        kb.next()
    for buttons, value in zip(kiosk.page.items, patient.phq9, strict=True):  # type: ignore[attr-defined]
        kb.choose(buttons.button(str(value)))
    kb.choose(kiosk.page.difficulty.button("not_difficult"))  # type: ignore[attr-defined]
    kb.next()
    initials = rules.expected_initials_for(patient.first_name, patient.last_name)
    while kiosk.step().startswith("topic:"):
        for field in kiosk.page.fields.values():  # type: ignore[attr-defined]
            kb.type_into(field.edit, initials)
            assert field.done
        kb.next()
    while kiosk.step().startswith("quiz:"):
        page = kiosk.page
        kb.choose(page.choices.button(page.question.answer))  # type: ignore[attr-defined]
        kb.next()
    assert kiosk.step() == "review"
    kb.next()
    kb.press(kiosk.find("type_signature"))  # the keyboard's way to sign
    kb.next()
    assert kiosk.step() == "done"
    kiosk.wait_documents()
    draft = VisitService(sqlite_ctx).draft(desk_actor(sqlite_ctx), reg.started.visit_id)
    assert draft.status == "submitted"
