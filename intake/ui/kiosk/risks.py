"""The risk walkthrough: a parent or guardian's name (for a minor), what has changed since the
patient signed (a re-consent, or a notice of minor changes), then one topic per page, each
statement acknowledged by typing initials that must match the person's name."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake.domain import reconsent as rc
from intake.domain import validation
from intake.domain.errors import ValidationError
from intake.domain.kinds import SignerRole
from intake.domain.wizard import Guardian, KioskFlow
from intake.services.kiosk_payloads import GuardianDetails, Initials, PageProblems, Payload
from intake.ui.kiosk.base import HEARD_AS, KioskPage, announce, card, make_label, set_flag
from intake.ui.kiosk.review import format_date
from intake.ui.kiosk.text import message, t, tn
from intake.ui.widgets.choices import ChoiceButtons

RELATIONSHIPS = ("parent", "guardian")
LISTENED = "listened"  # a topic page's snapshot: the statements read aloud so far


class GuardianPage(KioskPage):
    def __init__(self, flow: KioskFlow, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.setObjectName("page_guardian")
        self.add_title(t("guardian_title", lang))
        # At a plain check-in the guardian confirms the month's answers and co-signs the
        # monthly attestation; a first visit or a re-consent has them initial every statement.
        plain_checkin = flow.is_checkin and flow.reconsent is None
        self.add_text(
            t("guardian_intro_checkin" if plain_checkin else "guardian_intro", lang), "lead"
        )
        self.first = self._name_field("guardian_first", t("guardian_first", lang))
        self.last = self._name_field("guardian_last", t("guardian_last", lang))
        self.content.addWidget(make_label(t("relationship", lang), "subtitle", self.body))
        self.relationship = ChoiceButtons(
            [(r, t(f"rel_{r}", lang)) for r in RELATIONSHIPS],
            columns=2,
            name=t("relationship", lang),
            parent=self.body,
        )
        self.relationship.setObjectName("guardian_relationship")
        self.relationship.changed.connect(self._on_input_changed)
        self.content.addWidget(self.relationship)
        self.errors: dict[str, QWidget] = {}
        self.error = self.add_text("", "error")
        self.error.hide()
        self.finish()
        if flow.guardian is not None:
            self.first.setText(flow.guardian.first_name)
            self.last.setText(flow.guardian.last_name)
            self.relationship.set_value(flow.guardian.relationship)

    def _name_field(self, name: str, label: str) -> QLineEdit:
        title = make_label(label, "subtitle", self.body)
        self.content.addWidget(title)
        edit = QLineEdit(self.body)
        edit.setObjectName(name)
        edit.setAccessibleName(label)
        edit.setMaxLength(60)
        edit.textChanged.connect(self._on_input_changed)
        title.setBuddy(edit)
        self.content.addWidget(edit)
        return edit

    def _on_input_changed(self, *_args: object) -> None:
        self.completeness_changed.emit(self.is_complete())

    def is_complete(self) -> bool:
        return bool(
            self.first.text().strip() and self.last.text().strip() and self.relationship.value()
        )

    def payload(self) -> Payload:
        try:
            return GuardianDetails(self.guardian())
        except ValidationError as exc:
            return PageProblems({exc.field: exc.message})

    def guardian(self) -> Guardian:
        """The guardian as typed; raises ValidationError with a message for the person."""
        first = validation.name(self.first.text(), "guardian_first")
        last = validation.name(self.last.text(), "guardian_last")
        rel = self.relationship.value()
        if rel not in RELATIONSHIPS:
            raise ValidationError("relationship", t("choose_relationship", self.lang))
        return Guardian(first, last, str(rel))

    def show_errors(self, errors: dict[str, str]) -> None:
        text = " ".join(message(m, self.lang) for m in errors.values())
        self.error.setText(text)
        self.error.setVisible(bool(text))
        set_flag(self.first, "invalid", "guardian_first" in errors)
        set_flag(self.last, "invalid", "guardian_last" in errors)

    def snapshot(self) -> dict[str, Any]:
        return {
            "first": self.first.text(),
            "last": self.last.text(),
            "rel": self.relationship.value(),
        }

    def restore(self, snapshot: dict[str, Any]) -> None:
        self.first.setText(snapshot.get("first", ""))
        self.last.setText(snapshot.get("last", ""))
        if snapshot.get("rel"):
            self.relationship.set_value(snapshot["rel"])

    def focus_first(self) -> None:
        self.first.setFocus()


class ReconsentPage(KioskPage):
    """A re-consent: why the patient is asked again, and the statements carried over unchanged
    from the consent it renews (with its date); the new and changed ones follow, one topic a
    page."""

    def __init__(self, flow: KioskFlow, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.setObjectName("page_reconsent")
        plan = flow.reconsent_plan()
        assert plan is not None
        when = format_date(plan.previous.signed_on, lang)
        self.add_title(t("reconsent_title", lang))
        if plan.turned_18:
            self.add_text(t("reconsent_turned_18", lang, date=when), "lead")
        if rc.FORM_CHANGED in plan.reasons or not plan.turned_18:
            self.add_text(t("reconsent_form_changed", lang, date=when), "lead")
        asked = tn("reconsent_asked", lang, len(plan.asked)) if plan.asked else ""
        self.asked = self.add_text(asked or t("reconsent_nothing_asked", lang), "help")
        self.asked.setObjectName("reconsent_asked")
        self.carried: list[str] = list(plan.carried)
        if plan.carried:
            frame, layout = card(self.body)
            frame.setObjectName("reconsent_carried")
            heading = make_label(t("reconsent_carried_title", lang, date=when), "subtitle", frame)
            heading.setObjectName("reconsent_carried_title")
            layout.addWidget(heading)
            layout.addWidget(make_label(t("reconsent_carried_intro", lang), "help", frame))
            for sid in plan.carried:
                item = make_label(
                    "• " + flow.forms.risks.statement(sid).text(lang), "statement", frame
                )
                item.setObjectName(f"carried_{sid}")
                layout.addWidget(item)
            self.content.addWidget(frame)
        self.finish()


class NoticePage(KioskPage):
    """Changes the clinic calls minor, since the patient last signed: the statements that are
    new or changed, each marked, to read only (nothing to initial; Next goes on)."""

    def __init__(self, flow: KioskFlow, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.setObjectName("page_notice")
        notice = flow.notice
        assert notice is not None
        when = format_date(notice.signed_on, lang)
        self.add_title(t("notice_title", lang))
        self.add_text(t("notice_intro", lang, date=when), "lead")
        shown = flow.notice_statements()
        count = self.add_text(tn("notice_count", lang, len(shown)), "help")
        count.setObjectName("notice_count")
        self.statements: list[str] = []
        for statement, mark in shown:
            frame, layout = card(self.body)
            frame.setObjectName(f"notice_{statement.id}")
            badge = make_label(t(f"statement_{mark}", lang), "badge", frame)
            badge.setObjectName(f"mark_{statement.id}")
            layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignLeft)
            text = statement.text(lang)
            item = make_label(text, "statement", frame)
            item.setObjectName(f"notice_text_{statement.id}")
            item.setAccessibleName(t("statement_marked", lang, mark=badge.text(), text=text))
            layout.addWidget(item)
            self.content.addWidget(frame)
            self.statements.append(statement.id)
        self.add_text(t("notice_nothing_to_do", lang), "help")
        self.finish()


class InitialsField(QWidget):
    """A labelled box for one person's initials under one statement."""

    typed = Signal(str)

    def __init__(self, label: str, spoken: str, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(18)
        layout.setVerticalSpacing(4)
        self.label = make_label(label, "help", self)
        self.edit = QLineEdit(self)
        self.edit.setMaxLength(6)
        self.edit.setMinimumHeight(52)
        self.edit.setFixedWidth(180)
        self.edit.setAccessibleName(spoken)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.edit.setInputMethodHints(
            Qt.InputMethodHint.ImhUppercaseOnly | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.label.setBuddy(self.edit)
        self.status = make_label("", "good", self)
        self.status.hide()
        self.error = make_label("", "error", self)
        self.error.hide()
        layout.addWidget(self.label, 0, 0, 1, 2)
        layout.addWidget(self.edit, 1, 0)
        messages = QVBoxLayout()
        messages.setSpacing(0)
        messages.addWidget(self.status)
        messages.addWidget(self.error)
        layout.addLayout(messages, 1, 1)
        layout.setColumnStretch(1, 1)

    def mark_done(self, initials: str, status: str) -> None:
        # Read-only first: the text set next is not a new entry (see ``done``).
        self.edit.setReadOnly(True)
        self.edit.setText(initials)
        self.edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab skips what is already done
        self.status.setText(status)
        self.status.show()
        self.show_error("")

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        set_flag(self.edit, "invalid", bool(text))
        self.edit.setAccessibleDescription(text)
        announce(self.error, text)

    @property
    def done(self) -> bool:
        return self.edit.isReadOnly()


class TopicPage(KioskPage):
    """One risk topic. Each statement row asks for the patient's initials (and, for a minor, the
    guardian's). A valid set of initials is sent at once: ``initials_given(Initials)``.

    Each statement has its own "Listen": ``listen_requested(statement id, text)``. When the
    kiosk has said a statement to its end (its "Listen", or its part of "Read aloud"), it calls
    ``note_listened``, and the statement's initials then say it was read aloud.
    """

    listen_requested = Signal(str, str)

    def __init__(self, flow: KioskFlow, topic_id: str, lang: str, parent: QWidget | None = None):
        super().__init__(lang, parent)
        self.flow = flow
        self.topic_id = topic_id
        self.shown_at = time.monotonic()
        topic, statements = flow.topic(topic_id)
        plan = flow.reconsent_plan()
        minor = flow.is_minor
        self.setObjectName(f"page_topic_{topic_id}")
        self.add_title(topic.title(lang))
        if topic.intro is not None:
            self.add_text(topic.intro(lang), "lead")
        self.add_text(
            t("topic_instructions_minor" if minor else "topic_instructions", lang), "help"
        )
        first = str(flow.answers.get("first_name", ""))
        last = str(flow.answers.get("last_name", ""))
        guardian = flow.guardian
        theirs = (guardian.first_name, guardian.last_name) if guardian else ("", "")
        self._names: dict[str, tuple[str, str]] = {
            SignerRole.PATIENT: (first, last),
            SignerRole.GUARDIAN: theirs,
        }
        self.fields: dict[tuple[str, str], InitialsField] = {}
        self.cards: dict[str, QFrame] = {}
        # After valid initials the keyboard moves to the next box by itself; a Tab typed out of
        # habit right after must not skip that statement (WCAG 2.4.3).
        self._advanced_to: QLineEdit | None = None
        self.listen: dict[str, QPushButton] = {}
        self.listened: set[str] = set()
        total = len(statements)
        for n, statement in enumerate(statements, start=1):
            frame, layout = card(self.body)
            frame.setObjectName(f"card_{statement.id}")
            frame.setProperty(HEARD_AS, statement.id)  # "Read aloud": an utterance of its own
            counter = make_label(t("statement_count", lang, n=n, total=total), "help", frame)
            text = statement.text(lang)
            listen = QPushButton(t("listen", lang), frame)
            listen.setObjectName(f"listen_{statement.id}")
            listen.setAccessibleName(t("listen_name", lang, n=n))
            listen.setProperty("role", "quiet")
            listen.setProperty("spoken", False)
            listen.clicked.connect(
                lambda _c=False, s=statement.id, x=text: self.listen_requested.emit(s, x)
            )
            self.listen[statement.id] = listen
            head = QHBoxLayout()
            mark = plan.mark(statement.id) if plan is not None else ""
            if mark:
                # At a re-consent: "New" or "Changed" since the consent it renews.
                badge = make_label(t(f"statement_{mark}", lang), "badge", frame)
                badge.setObjectName(f"mark_{statement.id}")
                head.addWidget(badge, 0, Qt.AlignmentFlag.AlignVCenter)
            head.addWidget(counter, 1)
            head.addWidget(listen)
            layout.addLayout(head)
            layout.addWidget(make_label(text, "statement", frame))
            reread = flow.needs_ack(statement.id, SignerRole.PATIENT) and (
                (statement.id, SignerRole.PATIENT) in flow.acknowledged
            )
            if reread:
                frame.setProperty("attention", True)
                layout.addWidget(make_label(t("read_again_notice", lang), "notice", frame))
            for role in flow.acknowledgers(statement):
                if role == SignerRole.PATIENT:
                    label = t("patient_initials" if minor else "your_initials", lang)
                else:
                    label = t("guardian_initials", lang)
                # A marked statement is said with its mark ("New: I understand that ...").
                said = t("statement_marked", lang, mark=badge.text(), text=text) if mark else text
                spoken = t("initials_for", lang, who=label, statement=said)
                field = InitialsField(label, spoken, frame)
                field.edit.setObjectName(f"initials_{statement.id}_{role}")
                # Whoever set the text (keys, or assistive technology through the
                # accessibility interface, which calls setText): it counts.
                field.edit.textChanged.connect(
                    lambda text, s=statement.id, r=role: self._on_initials_text_edited(s, r, text)
                )
                field.edit.installEventFilter(self)
                field.edit.editingFinished.connect(
                    lambda s=statement.id, r=role: self._on_initials_editing_finished(s, r)
                )
                if not flow.needs_ack(statement.id, role):
                    field.mark_done("✓", t("initialled", lang))
                layout.addWidget(field)
                self.fields[(statement.id, role)] = field
            self.cards[statement.id] = frame
            self.content.addWidget(frame)
        self.finish()

    def elapsed(self) -> float:
        return round(time.monotonic() - self.shown_at, 1)

    def _check(self, role: str, text: str) -> str | None:
        first, last = self._names[role]
        try:
            validation.initials(text, first, last)
        except ValidationError as exc:
            return exc.message
        return None

    def _on_initials_text_edited(self, statement_id: str, role: str, text: str) -> None:
        field = self.fields.get((statement_id, role))
        if field is None or field.done:  # the page is being wiped, or it is already initialled
            return
        if len(text.replace(".", "").replace(" ", "")) >= 2 and self._check(role, text) is None:
            self.initials_given.emit(
                Initials(
                    statement_id,
                    role,
                    text,
                    self.elapsed(),
                    read_aloud=statement_id in self.listened,
                )
            )
        elif field.error.isVisible():
            field.show_error("")

    def _on_initials_editing_finished(self, statement_id: str, role: str) -> None:
        field = self.fields[(statement_id, role)]
        text = field.edit.text()
        if field.done or not text.strip():
            return
        problem = self._check(role, text)
        if problem is not None:
            field.show_error(message(problem, self.lang))

    def set_listening(self, available: bool, why: str) -> None:
        """Where no speech engine exists, every "Listen" is disabled and says why."""
        for button in self.listen.values():
            button.setEnabled(available)
            button.setToolTip(why)
            button.setAccessibleDescription(why)

    def note_listened(self, statement_id: str) -> None:
        """A statement on this page was read aloud to the patient, to its end."""
        if statement_id in self.listen:
            self.listened.add(statement_id)

    def mark_acknowledged(self, statement_id: str, role: str, initials: str) -> None:
        field = self.fields[(statement_id, role)]
        had_focus = field.edit.hasFocus()
        field.mark_done(initials, t("initialled", self.lang))
        frame = self.cards[statement_id]
        if all(f.done for (sid, _), f in self.fields.items() if sid == statement_id):
            frame.setProperty("attention", False)
            frame.setProperty("done", True)
            frame.style().unpolish(frame)
            frame.style().polish(frame)
        if had_focus and self._focus_next_open(after=(statement_id, role)):
            focused = self.focusWidget()
            self._advanced_to = focused if isinstance(focused, QLineEdit) else None
        self.completeness_changed.emit(self.is_complete())

    def show_initials_error(self, statement_id: str, role: str, text: str) -> None:
        self.fields[(statement_id, role)].show_error(message(text, self.lang))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            advanced, self._advanced_to = self._advanced_to, None
            if (
                watched is advanced
                and event.key() == Qt.Key.Key_Tab
                and isinstance(watched, QLineEdit)
                and not watched.text()
            ):
                return True  # the habitual Tab after the jump: stay on this statement
        return super().eventFilter(watched, event)

    def _focus_next_open(self, after: tuple[str, str] | None = None) -> bool:
        keys = list(self.fields)
        start = keys.index(after) + 1 if after in self.fields else 0
        for key in keys[start:] + keys[:start]:
            field = self.fields[key]
            if not field.done:
                field.edit.setFocus(Qt.FocusReason.TabFocusReason)
                self.reveal(self.cards[key[0]])
                return True
        return False

    def is_complete(self) -> bool:
        return all(f.done for f in self.fields.values())

    def snapshot(self) -> dict[str, Any]:
        typed: dict[str, Any] = {
            f"{sid}|{role}": f.edit.text()
            for (sid, role), f in self.fields.items()
            if not f.done and f.edit.text()
        }
        if self.listened:  # kept across a change of language, like what was typed
            typed[LISTENED] = sorted(self.listened)
        return typed

    def restore(self, snapshot: dict[str, Any]) -> None:
        self.listened.update(s for s in snapshot.get(LISTENED, ()) if s in self.listen)
        for key, text in snapshot.items():
            if key == LISTENED:
                continue
            sid, _, role = key.partition("|")
            field = self.fields.get((sid, role))
            if field is not None and not field.done:
                field.edit.setText(text)

    def focus_first(self) -> None:
        if not self._focus_next_open():
            self.focusNextChild()
