"""Big, touch-friendly answer buttons whose labels wrap: one choice, or several."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QSize, Signal
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

MIN_TOUCH = 48
RADIO_OFF, RADIO_ON = "○", "●"
BOX_OFF, BOX_ON = "☐", "☑"


def wrap_lines(text: str, width: int, measure: Callable[[str], int]) -> list[str]:
    """Greedy word wrap; ``measure`` gives the width of a piece of text."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if not line or measure(candidate) <= width:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


class WrapButton(QPushButton):
    """A push button whose label wraps over several lines instead of being cut off.

    ``marks`` gives a glyph for the unchecked and checked states (a radio dot or a box), so the
    choice is shown by shape as well as by colour.
    """

    def __init__(
        self,
        text: str,
        parent: QWidget | None = None,
        *,
        marks: tuple[str, str] | None = None,
    ):
        super().__init__(parent)
        self._full = text
        self._marks = marks
        self._heights: dict[int, int] = {}  # heightForWidth, asked many times per layout pass
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMinimumHeight(MIN_TOUCH)
        self.setAccessibleName(text)
        self.toggled.connect(self._on_self_toggled)
        super().setText(self._label())

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._heights.clear()
        self.setAccessibleName(text)
        self._rewrap(self.width())
        self.updateGeometry()

    def _label(self) -> str:
        if self._marks is None:
            return self._full
        return f"{self._marks[1] if self.isChecked() else self._marks[0]}  {self._full}"

    def _on_self_toggled(self, _checked: bool) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Redo the label after the check mark changed without a signal."""
        self._heights.clear()
        self._rewrap(self.width())

    def _option(self) -> QStyleOptionButton:
        """The style option to size by: as if unfocused, so that the focus ring's thicker
        border does not make the button grow and move what is below it."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.state &= ~QStyle.StateFlag.State_HasFocus
        option.text = ""
        return option

    def _chrome(self) -> QSize:
        """Borders and padding around the label. Measured around wide contents: around none,
        the style's minimum width counts too, and labels wrapped long before they had to."""
        wide = 4000
        size = self.style().sizeFromContents(
            QStyle.ContentsType.CT_PushButton, self._option(), QSize(wide, 0), self
        )
        return QSize(size.width() - wide, size.height())

    def _measure(self) -> QFontMetrics:
        """The metrics to wrap by. A chosen answer is drawn in bold: an answer is measured so
        whether or not it is chosen, so its label neither overflows nor re-wraps (and moves
        what is below) when it is chosen."""
        if self._marks is None:
            return self.fontMetrics()
        font = QFont(self.font())
        font.setBold(True)
        return QFontMetrics(font)

    def _lines(self, width: int) -> list[str]:
        metrics = self._measure()
        room = max(40, width - self._chrome().width() - 8)
        return wrap_lines(self._label(), room, metrics.horizontalAdvance)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        cached = self._heights.get(width)
        if cached is not None:
            return cached
        lines = self._lines(width)
        text_h = len(lines) * self.fontMetrics().lineSpacing()
        option = self._option()
        chrome = self.style().sizeFromContents(
            QStyle.ContentsType.CT_PushButton, option, QSize(0, text_h), self
        )
        height = max(MIN_TOUCH, chrome.height() + 4)
        self._heights[width] = height
        return height

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._heights.clear()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        natural = self._measure().horizontalAdvance(self._label()) + self._chrome().width() + 12
        width = min(natural, 560)
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        width = min(self.sizeHint().width(), 160)
        return QSize(width, MIN_TOUCH)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rewrap(event.size().width())

    def _rewrap(self, width: int) -> None:
        if width <= 0:
            return
        text = "\n".join(self._lines(width))
        if text != self.text():
            super().setText(text)


class ChoiceButtons(QWidget):
    """One answer from a few, as large buttons in a grid. ``value()`` is the chosen value."""

    changed = Signal()

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        *,
        columns: int = 1,
        multi: bool = False,
        exclusive: Sequence[str] = (),
        name: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._multi = multi
        self._exclusive = set(exclusive)
        self._buttons: dict[str, WrapButton] = {}
        # One answer: a radio group (Tab enters it, arrow keys choose). Several: each button is
        # its own Tab stop, so no group (Qt would take all but one out of the Tab chain).
        self._group: QButtonGroup | None = None if multi else QButtonGroup(self)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(12)
        layout.setVerticalSpacing(10)
        marks = (BOX_OFF, BOX_ON) if multi else (RADIO_OFF, RADIO_ON)
        for i, (value, label) in enumerate(options):
            button = WrapButton(label, self, marks=marks)
            button.setCheckable(True)
            button.setProperty("role", "option")
            # One answer of several: a radio button to assistive technology (Qt reports a
            # checkable, auto-exclusive button so); the group keeps it exclusive.
            button.setAutoExclusive(not multi)
            button.setObjectName(f"opt_{value}")
            if name:
                button.setAccessibleDescription(name)
            if self._group is not None:
                self._group.addButton(button)
            self._buttons[value] = button
            layout.addWidget(button, i // columns, i % columns)
            button.toggled.connect(lambda checked, v=value: self._on_option_toggled(v, checked))
        for c in range(columns):
            layout.setColumnStretch(c, 1)
        if name:
            self.setAccessibleName(name)

    def is_multi(self) -> bool:
        return self._multi

    def buttons(self) -> dict[str, WrapButton]:
        return dict(self._buttons)

    def button(self, value: str) -> WrapButton:
        return self._buttons[value]

    def value(self) -> str | list[str] | None:
        chosen = [v for v, b in self._buttons.items() if b.isChecked()]
        if self._multi:
            return chosen
        return chosen[0] if chosen else None

    def set_value(self, value: object) -> None:
        wanted = set(value) if isinstance(value, list | tuple | set) else {value}
        if self._group is not None:
            self._group.setExclusive(False)
        for v, button in self._buttons.items():
            button.blockSignals(True)
            button.setChecked(v in wanted)
            button.refresh()
            button.blockSignals(False)
        if self._group is not None:
            self._group.setExclusive(True)
        self.changed.emit()

    def set_locked(self, locked: bool) -> None:
        for button in self._buttons.values():
            button.setEnabled(not locked)

    def _on_option_toggled(self, value: str, checked: bool) -> None:
        if self._multi and checked:
            # "None of these" cannot be combined with anything else, and the other way round.
            clash = (
                [v for v in self._buttons if v != value]
                if value in self._exclusive
                else [v for v in self._exclusive if v in self._buttons]
            )
            for other in clash:
                button = self._buttons[other]
                if button.isChecked():
                    button.blockSignals(True)
                    button.setChecked(False)
                    button.refresh()
                    button.blockSignals(False)
        self.changed.emit()
