"""A pad to sign on with a finger, a pen or the mouse; it records the strokes as points."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QStyle, QStyleOption, QWidget

from intake.ui.widgets.access import set_role

Point = tuple[float, float]


class SignaturePadWidget(QWidget):
    """Records strokes (lists of (x, y) in pad pixels) from mouse, tablet pen and touch input.

    ``signed_changed(bool)`` says whether there is any ink on the pad. The pad refuses nothing
    itself: the visit service decides whether the strokes make a signature.
    """

    signed_changed = Signal(bool)
    # Assistive technology's way to sign (the pad's accessible action); the page decides what
    # is typed.
    keyboard_sign_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._strokes: list[list[Point]] = []
        self._drawing = False
        self._ink = QColor("#0b2a6b")
        self._guide = QColor("#7d99a1")
        self._paper = QColor("#ffffff")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(320, 180)
        self.typed = False  # True while the strokes are the outline of a typed name
        self.setCursor(Qt.CursorShape.CrossCursor)
        # A picture to assistive technology, with an action to sign from the keyboard.
        set_role(self, QAccessible.Role.Graphic)

    def sign_by_keyboard(self) -> None:
        self.keyboard_sign_requested.emit()

    # --- what it holds ---------------------------------------------------------------------------

    @property
    def strokes(self) -> list[list[Point]]:
        return [list(stroke) for stroke in self._strokes if stroke]

    def has_ink(self) -> bool:
        return any(self._strokes)

    def point_count(self) -> int:
        return sum(len(s) for s in self._strokes)

    def clear(self) -> None:
        """Wipe the pad (also called when the kiosk clears itself for the next person)."""
        had = self.has_ink()
        self._strokes = []
        self._drawing = False
        self.typed = False
        self.update()
        if had:
            self.signed_changed.emit(False)

    def set_colors(self, ink: str, paper: str, guide: str) -> None:
        self._ink, self._paper, self._guide = QColor(ink), QColor(paper), QColor(guide)
        self.update()

    def adopt_typed(self, name: str, font: QFont | None = None) -> bool:
        """Sign from the keyboard: the outline of the typed name becomes the strokes.

        For people who cannot draw (keyboard or switch users). Returns False for an empty name.
        """
        name = " ".join(name.split())
        if not name:
            return False
        face = QFont(font or self.font())
        face.setItalic(True)
        face.setPixelSize(64)
        path = QPainterPath()
        path.addText(QPointF(0, 0), face, name)
        box = path.boundingRect()
        if box.width() <= 0 or box.height() <= 0:
            return False
        room_w, room_h = self.width() * 0.84, self.height() * 0.6
        scale = min(room_w / box.width(), room_h / box.height())
        off_x = (self.width() - box.width() * scale) / 2 - box.left() * scale
        off_y = (self.height() - box.height() * scale) / 2 - box.top() * scale
        strokes = []
        for polygon in path.toSubpathPolygons():
            pts = [
                (round(p.x() * scale + off_x, 1), round(p.y() * scale + off_y, 1))
                for p in polygon.toList()
            ]
            if len(pts) > 1:
                strokes.append(pts)
        self._strokes = strokes
        self.typed = True  # recorded with the signature: typed, not drawn
        self.update()
        self.signed_changed.emit(self.has_ink())
        return self.has_ink()

    # --- input -----------------------------------------------------------------------------------

    def _begin(self, pos: QPointF) -> None:
        had = self.has_ink()
        if self.typed:  # drawing over a typed name makes it a drawn signature of its own
            self._strokes = []
            self.typed = False
        self._drawing = True
        self._strokes.append([self._clamp(pos)])
        self.update()
        if not had:
            self.signed_changed.emit(True)

    def _extend(self, pos: QPointF) -> None:
        if not self._drawing or not self._strokes:
            return
        point = self._clamp(pos)
        if self._strokes[-1][-1] != point:
            self._strokes[-1].append(point)
            self.update()

    def _end(self, pos: QPointF | None = None) -> None:
        if pos is not None:
            self._extend(pos)
        self._drawing = False

    def _clamp(self, pos: QPointF) -> Point:
        x = min(max(pos.x(), 0.0), float(self.width()))
        y = min(max(pos.y(), 0.0), float(self.height()))
        return (round(x, 1), round(y, 1))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._end(event.position())
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove:
            if event.buttons() & Qt.MouseButton.LeftButton or event.pressure() > 0:
                self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._end(event.position())
        event.accept()  # no synthesised mouse events on top of the pen's own

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            assert isinstance(event, QTouchEvent)
            points = event.points()
            if points:
                pos = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(pos)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(pos)
                else:
                    self._end(pos)
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
            event.accept()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        old, new = event.oldSize(), event.size()
        if self._strokes and old.width() > 0 and old.height() > 0:
            sx, sy = new.width() / old.width(), new.height() / old.height()
            self._strokes = [
                [(round(x * sx, 1), round(y * sy, 1)) for x, y in stroke]
                for stroke in self._strokes
            ]
        super().resizeEvent(event)

    # --- drawing ---------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(720, 240)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect().adjusted(2, 2, -2, -2), self._paper)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)
        # A baseline with a cross, as on paper.
        guide = QPen(self._guide, 2)
        painter.setPen(guide)
        base_y = self.height() * 0.75
        margin = self.width() * 0.06
        painter.drawLine(QPointF(margin, base_y), QPointF(self.width() - margin, base_y))
        cross = QRectF(margin, base_y - 30, 18, 18)
        painter.drawLine(cross.topLeft(), cross.bottomRight())
        painter.drawLine(cross.topRight(), cross.bottomLeft())
        ink = QPen(self._ink, 3.2)
        ink.setCapStyle(Qt.PenCapStyle.RoundCap)
        ink.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(ink)
        for stroke in self._strokes:
            if len(stroke) == 1:
                painter.drawPoint(QPointF(*stroke[0]))
                continue
            path = QPainterPath(QPointF(*stroke[0]))
            for x, y in stroke[1:]:
                path.lineTo(x, y)
            painter.drawPath(path)
        painter.end()
