"""What every kiosk page shares: a centred, scrolling column, labels, errors and wiping."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from intake.ui.kiosk.reader import Utterance
from intake.ui.widgets.access import HeadingLabel

if TYPE_CHECKING:
    from intake.services.kiosk_payloads import Payload

CONTENT_WIDTH = 1040
SERVICE_ERROR_NAME = "page_service_error"
# A widget's property: its texts read aloud to the end mean the statement of this id was heard.
HEARD_AS = "heard_as"


def make_label(
    text: str,
    role: str | None = None,
    parent: QWidget | None = None,
    *,
    rich: bool = False,
    kind: type[QLabel] = QLabel,
) -> QLabel:
    label = kind(parent)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    if role:
        label.setProperty("role", role)
    return label


def card(parent: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(parent)
    frame.setProperty("role", "card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(22, 18, 22, 18)
    layout.setSpacing(12)
    return frame, layout


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property used by it changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def _deliver(event: QAccessibleEvent) -> None:
    QAccessible.updateAccessibility(event)


def announce(widget: QWidget, text: str, *, assertive: bool = True) -> None:
    """Have a screen reader say ``text``: at once, interrupting what it was saying (an error,
    a wrong answer: the message appears where the patient may not be looking), or politely
    after it (a new page's heading)."""
    if not text:
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive
        if assertive
        else QAccessible.AnnouncementPoliteness.Polite
    )
    _deliver(event)


def set_flag(widget: QWidget, name: str, on: bool) -> None:
    if bool(widget.property(name)) != on:
        widget.setProperty(name, on)
        repolish(widget)


def paragraphs_html(text: str) -> str:
    """Form text (paragraphs split by blank lines, "- " bullets) as simple rich text."""
    import html

    out: list[str] = []
    for block in text.strip().split("\n\n"):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        bullets = [line[2:] for line in lines if line.startswith("- ")]
        plain = [line for line in lines if not line.startswith("- ")]
        if plain:
            out.append(f"<p>{html.escape(' '.join(plain))}</p>")
        if bullets:
            items = "".join(f"<li>{html.escape(b)}</li>" for b in bullets)
            out.append(f"<ul style='margin-left:8px'>{items}</ul>")
    return "".join(out)


def wipe_tree(root: QWidget) -> None:
    """Blank every text a widget tree holds: nothing of a patient stays in memory on screen."""
    widgets = [root, *root.findChildren(QWidget)]
    pads = sys.modules.get("intake.ui.widgets.signature_pad")  # none exists before it is loaded
    pad_type = pads.SignaturePadWidget if pads is not None else ()
    for w in widgets:
        if isinstance(w, pad_type):
            w.clear()
        elif isinstance(w, QLineEdit):
            w.setReadOnly(False)
            w.clear()
        elif isinstance(w, QPlainTextEdit | QLabel):
            w.clear()
        elif isinstance(w, QAbstractButton):
            w.setText("")
        w.setAccessibleName("")
        w.setAccessibleDescription("")
        w.setToolTip("")


class KioskPage(QWidget):
    """One screen of the kiosk: a title, then its content in a centred, scrolling column.

    A page only draws and hands back what the patient gave: ``payload()`` on Next, and the
    requests below as they happen; the kiosk controller decides what they lead to.
    """

    completeness_changed = Signal(bool)
    staff_continue_requested = Signal()  # a member of staff is asked for (help, identity check)
    dob_disputed = Signal()  # "this is not my date of birth"
    initials_given = Signal(object)  # kiosk_payloads.Initials, beside one statement

    def __init__(self, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title_text = ""
        self.heading: QLabel | None = None
        # Tab goes from the page to Next before Back (the quiz: from the chosen answer straight
        # to "Check my answer").
        self.next_before_back = False
        self.lang = lang
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        holder = QWidget()
        self._holder = holder
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        self.body = QWidget(holder)
        self.body.setMaximumWidth(CONTENT_WIDTH)
        row.addWidget(self.body, 40)
        row.addStretch(1)
        self.content = QVBoxLayout(self.body)
        self.content.setContentsMargins(28, 24, 28, 32)
        self.content.setSpacing(18)
        self.scroller.setWidget(holder)
        outer.addWidget(self.scroller)

    # --- building --------------------------------------------------------------------------------

    def add_title(self, text: str) -> QLabel:
        # Reported as a heading (its text is its name, also after a change of text).
        label = make_label(text, "title", self.body, kind=HeadingLabel)
        self.content.addWidget(label)
        if self.heading is None:
            self.title_text = text  # the page's heading: said when the page comes up
            self.heading = label
            # Focus goes to it when the page comes up, so a screen reader says it first; it
            # takes focus from code (and a tap), but is no Tab stop.
            label.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        return label

    def add_text(self, text: str, role: str | None = None, *, rich: bool = False) -> QLabel:
        label = make_label(text, role, self.body, rich=rich)
        self.content.addWidget(label)
        return label

    def finish(self) -> None:
        self._service_error_label()  # under the page's own content, above the stretch
        self.content.addStretch(1)

    def _service_error_label(self) -> QLabel:
        label = self.findChild(QLabel, SERVICE_ERROR_NAME)
        if label is None:
            label = make_label("", "error", self.body)
            label.setObjectName(SERVICE_ERROR_NAME)
            label.hide()
            self.content.addWidget(label)
        return label

    def reveal(self, widget: QWidget) -> None:
        self._settle()  # a widget just shown has its place only once the page is laid out
        self.scroller.ensureWidgetVisible(widget, 40, 80)

    def keep_in_place(self, anchor: QWidget, change: Callable[[], None]) -> None:
        """Do ``change`` (show or hide something above ``anchor``) without moving ``anchor`` on
        screen: the page scrolls by what was added, so what the patient's finger was about to
        touch stays under it. Room is made at the bottom if the page was too short to scroll."""
        viewport = self.scroller.viewport()
        before = anchor.mapTo(viewport, QPoint(0, 0)).y()
        change()
        self._settle()
        shift = anchor.mapTo(viewport, QPoint(0, 0)).y() - before
        if not shift:
            return
        bar = self.scroller.verticalScrollBar()
        wanted = bar.value() + shift
        if wanted > bar.maximum():
            self.body.setMinimumHeight(wanted + viewport.height())
            self._settle()
        bar.setValue(max(0, wanted))

    def _settle(self) -> None:
        """Lay the page out now (the scroll area's size and range follow at once)."""
        self.content.activate()
        layout = self._holder.layout()
        if layout is not None:
            layout.activate()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    # --- what the window asks of a page ----------------------------------------------------------

    def is_complete(self) -> bool:
        return True

    def payload(self) -> Payload:
        """What the page holds, for Next (a page with nothing to save just moves on)."""
        from intake.services.kiosk_payloads import Proceed

        return Proceed()

    def snapshot(self) -> dict[str, Any]:
        """What was typed but not yet saved (kept across Back and a change of language)."""
        return {}

    def restore(self, snapshot: dict[str, Any]) -> None:
        pass

    def focus_first(self) -> None:
        self.focusNextChild()

    def focus_heading(self) -> None:
        """Where a new page starts: its heading (a screen reader says where the patient is);
        the next Tab goes on to the page's first control."""
        if self.heading is not None:
            self.heading.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.focus_first()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Say what the services refused, in the page's language.

        ``errors`` hold the services' own (English) wording: every page translates them once,
        here or in its own ``show_errors``; callers never translate them first.
        """
        from intake.ui.kiosk.text import message

        text = " ".join(message(m, self.lang) for m in errors.values() if m)
        label = self._service_error_label()
        label.setText(text)
        label.setAccessibleName(text)
        label.setVisible(bool(text))
        if text:
            self.reveal(label)

    def spoken_parts(self) -> list[Utterance]:
        """What "Read aloud" says, one utterance after another: the heading, then each question
        or statement with its answer choices (what one widget holds, with the loose texts just
        above it), in the order the page shows them; never what was typed. A widget with the
        property ``spoken`` set to False is left out (a "Listen" button). A widget with the
        property ``heard_as`` (a statement's id) is an utterance of its own, heard as that id."""
        parts: list[Utterance] = []
        loose: list[str] = []  # texts straight on the page, said with the next widget's
        top: QWidget | None = None
        group: list[str] = []
        source = ""

        def close() -> None:
            nonlocal top, group, source
            if group:
                parts.append(Utterance(tuple(group), source))
            top, group, source = None, [], ""

        for w, text in self._spoken_items():
            outer = w
            while outer.parentWidget() is not None and outer.parentWidget() is not self.body:
                outer = outer.parentWidget()  # type: ignore[assignment]
            if w is self.heading or outer is w:
                close()
                if w is self.heading:
                    if loose:
                        parts.append(Utterance(tuple(loose)))
                    loose = []
                    parts.append(Utterance((text,)))
                else:
                    loose.append(text)
                continue
            if outer is top:
                group.append(text)
                continue
            close()
            heard_as = outer.property(HEARD_AS)
            if heard_as and loose:  # a statement is heard by itself, not with what came before
                parts.append(Utterance(tuple(loose)))
                loose = []
            top, group, source = outer, [*loose, text], str(heard_as or "")
            loose = []
        close()
        if loose:
            parts.append(Utterance(tuple(loose)))
        return parts

    def spoken_texts(self) -> list[str]:
        """Every text "Read aloud" says, in order."""
        return [text for part in self.spoken_parts() for text in part.texts]

    def _spoken_items(self) -> list[tuple[QWidget, str]]:
        out: list[tuple[QWidget, str]] = []
        for w in self.body.findChildren(QWidget):
            if w.property("spoken") is False or not w.isVisibleTo(self):
                continue
            if isinstance(w, QLabel):
                text = w.text()
                if w.textFormat() != Qt.TextFormat.PlainText and "<" in text:
                    text = QTextDocumentFragment.fromHtml(text).toPlainText()
            elif isinstance(w, QAbstractButton):
                text = w.accessibleName() or w.text()
            else:
                continue
            if text.strip():
                out.append((w, text.strip()))
        return out

    def wipe(self) -> None:
        wipe_tree(self)
