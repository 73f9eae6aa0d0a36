"""Big, touch-friendly answer buttons whose labels wrap: one choice, or several.

Answers stand side by side in up to the columns asked for, and in fewer where the row is too
narrow for them (a narrow screen, a larger text size, a longer language): an answer wraps to at
most ``MOST_LINES`` lines while there is a narrower layout to try, and its mark (the radio dot or
the box) never sits on a line of its own."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QLayout,
    QLayoutItem,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

MIN_TOUCH = 48
RADIO_OFF, RADIO_ON = "○", "●"
BOX_OFF, BOX_ON = "☐", "☑"
# Between a mark and the answer's first word: spaces that do not break, so the mark stays with it.
MARK_GAP = "\u00a0\u00a0"
# The most lines an answer wraps to before its answers are laid out in fewer columns.
MOST_LINES = 3


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
        return f"{self._marks[1] if self.isChecked() else self._marks[0]}{MARK_GAP}{self._full}"

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

    def _room(self, width: int) -> int:
        """The width the label wraps in, in a button ``width`` wide."""
        return max(40, width - self._chrome().width() - 8)

    def _lines(self, width: int) -> list[str]:
        return wrap_lines(self._label(), self._room(width), self._measure().horizontalAdvance)

    def wraps_well(self, width: int, most: int = MOST_LINES) -> bool:
        """Whether, ``width`` wide, the label takes at most ``most`` lines, none of them wider
        than the button (a word longer than the room is never broken)."""
        lines = self._lines(width)
        room, measure = self._room(width), self._measure().horizontalAdvance
        return len(lines) <= most and all(measure(line) <= room for line in lines)

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
        layout = AnswerGrid(self, columns)
        marks = (BOX_OFF, BOX_ON) if multi else (RADIO_OFF, RADIO_ON)
        for value, label in options:
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
            layout.addWidget(button)
            button.toggled.connect(lambda checked, v=value: self._on_option_toggled(v, checked))
        self.grid = layout
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


class AnswerGrid(QLayout):
    """Answers in equal columns, row by row in their order: as many columns as asked for where
    every answer wraps well in them (``WrapButton.wraps_well``), else fewer, down to one. The
    buttons of a row are as high as its highest."""

    def __init__(self, parent: QWidget, columns: int, spacing: int = 12, row_spacing: int = 10):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._most = max(1, columns)
        self._spacing, self._row_spacing = spacing, row_spacing
        # By width: asked many times per layout pass; forgotten when anything changes.
        self._columns: dict[int, int] = {}
        self._heights: dict[int, int] = {}
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt's name)
        self._items.append(item)
        self._forget()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt's name)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt's name)
        self._forget()
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def invalidate(self) -> None:
        self._forget()  # a font, a label or a mark changed
        super().invalidate()

    def _forget(self) -> None:
        self._columns.clear()
        self._heights.clear()

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt's name)
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt's name)
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = self._place(QRect(0, 0, width, 0), move=False)
        return height

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt's name)
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        items = self._visible()
        columns = min(self._most, max(1, len(items)))
        cell = max((i.sizeHint().width() for i in items), default=0)
        width = columns * cell + self._spacing * (columns - 1)
        return QSize(width, self.heightForWidth(width))

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt's name)
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        return size

    def columns_at(self, width: int) -> int:
        """How many columns the answers take in ``width``."""
        cached = self._columns.get(width)
        if cached is not None:
            return cached
        buttons = [i.widget() for i in self._visible()]
        count = max(1, len(buttons))
        columns = min(self._most, count)
        while columns > 1:
            cell = (width - self._spacing * (columns - 1)) // columns
            if all(not isinstance(b, WrapButton) or b.wraps_well(cell) for b in buttons):
                break
            columns -= 1
            # As many rows in fewer columns fill them more evenly: four answers go 2 + 2,
            # never 3 + 1.
            while columns > 1 and -(-count // (columns - 1)) == -(-count // columns):
                columns -= 1
        self._columns[width] = columns
        return columns

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _place(self, rect: QRect, *, move: bool) -> int:
        """Lays the answers out in ``rect`` (when ``move``); the height they take."""
        items = self._visible()
        if not items:
            return 0
        columns = self.columns_at(rect.width())
        cell = max(1, (rect.width() - self._spacing * (columns - 1)) // columns)
        y = rect.y()
        for start in range(0, len(items), columns):
            row = items[start : start + columns]
            height = max(
                i.heightForWidth(cell) if i.hasHeightForWidth() else i.sizeHint().height()
                for i in row
            )
            if move:
                for n, item in enumerate(row):
                    x = rect.x() + n * (cell + self._spacing)
                    item.setGeometry(QRect(QPoint(x, y), QSize(cell, height)))
            y += height + self._row_spacing
        return y - self._row_spacing - rect.y()
