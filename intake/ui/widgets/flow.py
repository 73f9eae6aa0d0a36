"""A layout that lays its widgets out in a row and goes on to the next row when the row is full,
so a longer text (another language, a larger text size) never squeezes a button until its text is
cut. Each widget gets its size hint, no wider than the row; a label that wraps its text gets the
height that text needs at that width. Rows start at the left, or end at the right
(``align_right``)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(
        self,
        parent: QWidget | None = None,
        spacing: int = 12,
        row_spacing: int = 12,
        *,
        align_right: bool = False,
    ):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._row_spacing = row_spacing
        self._align_right = align_right
        self.setContentsMargins(0, 0, 0, 0)

    # --- QLayout ---------------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt's name)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt's name)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt's name)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt's name)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt's name)
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt's name)
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        width = sum(self._natural_width(i) for i in self._visible())
        width += self._spacing * max(0, len(self._visible()) - 1)
        height = max((i.sizeHint().height() for i in self._visible()), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt's name)
        # As narrow as the widest widget's least width: the rest goes to further rows.
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # --- placing ---------------------------------------------------------------------------------

    @staticmethod
    def _natural_width(item: QLayoutItem) -> int:
        """A label that wraps its text is as wide as its text on one line (Qt's own hint for
        it is a guess that wraps a short text too); any other widget its size hint."""
        label = item.widget()
        plain = isinstance(label, QLabel) and label.textFormat() == Qt.TextFormat.PlainText
        if isinstance(label, QLabel) and plain and label.wordWrap():
            lines = label.text().split("\n")
            text = max((label.fontMetrics().horizontalAdvance(line) for line in lines), default=0)
            frame = label.width() - label.contentsRect().width()
            return text + frame + 2 * label.margin() + 2
        return item.sizeHint().width()

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _place(self, rect: QRect, *, move: bool) -> int:
        """Lays the items out in ``rect`` (when ``move``), each centred in its row's height; the
        height they take."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        rows: list[list[tuple[QLayoutItem, int, int, int]]] = [[]]  # item, x, width, height
        x = area.x()
        for item in self._visible():
            width = min(self._natural_width(item), area.width())
            width = max(width, item.minimumSize().width())
            height = item.heightForWidth(width) if item.hasHeightForWidth() else -1
            height = max(height, item.sizeHint().height(), item.minimumSize().height())
            if x > area.x() and x + width > area.right() + 1:
                rows.append([])
                x = area.x()
            rows[-1].append((item, x, width, height))
            x += width + self._spacing
        y = area.y()
        for row in rows:
            row_height = max((h for _, _, _, h in row), default=0)
            shift = 0
            if self._align_right and row:
                _, last_x, last_width, _ = row[-1]
                shift = max(0, area.right() + 1 - (last_x + last_width))
            if move:
                for item, left, width, height in row:
                    top = y + (row_height - height) // 2
                    item.setGeometry(QRect(QPoint(left + shift, top), QSize(width, height)))
            y += row_height + self._row_spacing
        used = y - self._row_spacing - area.y() if rows[0] else 0
        return used + m.top() + m.bottom()
