"""A layout that reflows its items into as many columns (or along as many rows) as the width
allows, so a box of check boxes or a row of buttons shrinks with the screen instead of holding
the page wider than it is."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class ReflowLayout(QLayout):
    """Items left to right, wrapping onto the next line when the width runs out.

    ``columns``: at most this many equal columns, as wide as the widest item, so check boxes
    line up (a narrower width takes fewer); 0: each item as wide as it asks, wrapped like words.
    Its minimum width is the widest item's; its height follows the width (heightForWidth).
    """

    def __init__(self, parent: QWidget | None = None, *, columns: int = 0, spacing: int = 8):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._columns = columns
        self._spacing = spacing

    # --- QLayout's bookkeeping -------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        shown = self._shown()
        if not shown:
            return QSize(0, 0)
        margins = self.contentsMargins()
        if self._columns:
            cell = self._cell_width(shown)
            across = min(self._columns, len(shown))
            width = across * cell + (across - 1) * self._spacing
        else:
            width = sum(i.sizeHint().width() for i in shown) + (len(shown) - 1) * self._spacing
        width += margins.left() + margins.right()
        return QSize(width, self.heightForWidth(width))

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        shown = self._shown()
        if not shown:
            return QSize(0, 0)
        margins = self.contentsMargins()
        width = max(i.minimumSize().width() for i in shown)
        if self._columns:
            width = self._cell_width(shown)
        width += margins.left() + margins.right()
        # One line's height: the height at the width given comes from heightForWidth.
        height = max(i.sizeHint().height() for i in shown) + margins.top() + margins.bottom()
        return QSize(width, height)

    # --- placing the items -----------------------------------------------------------------------

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    @staticmethod
    def _cell_width(items: list[QLayoutItem]) -> int:
        return max(i.sizeHint().width() for i in items)

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place (or only measure) the items in ``rect``; the height they take."""
        shown = self._shown()
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        if not shown:
            return 0
        space = self._spacing
        if self._columns:
            cell = min(self._cell_width(shown), max(area.width(), 1))
            across = max(1, min(self._columns, (area.width() + space) // (cell + space)))
            cell = max(cell, (area.width() - (across - 1) * space) // across)
            y = area.y()
            for start in range(0, len(shown), across):
                line = shown[start : start + across]
                height = max(i.sizeHint().height() for i in line)
                if move:
                    for k, item in enumerate(line):
                        x = area.x() + k * (cell + space)
                        item.setGeometry(QRect(QPoint(x, y), QSize(cell, height)))
                y += height + space
            return y - space - area.y() + margins.top() + margins.bottom()
        x, y, line_height = area.x(), area.y(), 0
        for item in shown:
            hint = item.sizeHint()
            width = min(hint.width(), area.width()) if area.width() > 0 else hint.width()
            if x > area.x() and x + width > area.x() + area.width():
                x, y, line_height = area.x(), y + line_height + space, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += width + space
            line_height = max(line_height, hint.height())
        return y + line_height - area.y() + margins.top() + margins.bottom()
