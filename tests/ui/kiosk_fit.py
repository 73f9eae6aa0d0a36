"""Whether the texts a patient sees on a kiosk screen are shown whole: no button or label cuts
its text, and none lies outside the window."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.exceptions import TimeoutError as WaitTimeout

_TAGS = re.compile(r"<[^<>]*>")


def _where(w: QWidget) -> str:
    names = []
    p: QWidget | None = w
    while p is not None and len(names) < 3:
        names.append(p.objectName() or type(p).__name__)
        p = p.parentWidget()
    return "/".join(reversed(names))


def _button_chrome(button: QPushButton) -> int:
    """The width of a push button's borders and padding (measured around wide contents)."""
    option = QStyleOptionButton()
    button.initStyleOption(option)
    option.text = ""
    wide = 4000
    size = button.style().sizeFromContents(
        QStyle.ContentsType.CT_PushButton, option, QSize(wide, 0), button
    )
    return size.width() - wide


def _visible_rect(w: QWidget, window: QWidget) -> QRect:
    """Where ``w`` is in the window, or in the scrolled area it lies in (which scrolls to it)."""
    area = None
    p = w.parentWidget()
    while p is not None and p is not window:
        if isinstance(p, QScrollArea):
            area = p
            break
        p = p.parentWidget()
    if area is not None and area.widget() is not None:
        inner = area.widget()
        top_left = w.mapTo(inner, QPoint(0, 0))
        rect = QRect(top_left, w.size())
        # Only sideways must it fit: the area scrolls up and down, never sideways.
        width = area.viewport().width()
        return QRect(rect.x(), 0, rect.width(), 1) if rect.right() >= width else QRect()
    return QRect(w.mapTo(window, QPoint(0, 0)), w.size())


def clipped(window: QWidget, roots: list[QWidget]) -> list[str]:
    """A line for every visible label and push button under ``roots`` whose text is cut, or that
    lies outside the window (sideways, in a scrolled page)."""
    problems: list[str] = []
    bounds = window.rect()
    for root in roots:
        for w in [root, *root.findChildren(QWidget)]:
            if not w.isVisibleTo(window) or not isinstance(w, QLabel | QPushButton):
                continue
            text = w.text()
            if isinstance(w, QLabel) and w.textFormat() != Qt.TextFormat.PlainText:
                text = _TAGS.sub("", text)
            if not text.strip():
                continue
            where = _where(w)
            rect = _visible_rect(w, window)
            if rect.isValid() and not bounds.contains(rect):
                problems.append(f"{where}: outside the window {rect} in {bounds}: {text!r}")
            elif rect.width() == 1:
                problems.append(f"{where}: past the page's right edge: {text!r}")
            room = w.contentsRect().width()
            metrics = QFontMetrics(w.font())
            if isinstance(w, QLabel) and w.wordWrap():
                need = w.heightForWidth(w.width())
                if need > w.height():
                    problems.append(f"{where}: {w.height()} px high, needs {need}: {text!r}")
                continue
            if isinstance(w, QPushButton):
                room = w.width() - _button_chrome(w)
            for line in text.split("\n"):
                need = metrics.horizontalAdvance(line)
                if need > room:
                    problems.append(f"{where}: {room} px wide, needs {need}: {line!r}")
    return problems


def settled_clipped(qtbot: Any, window: QWidget, roots: list[QWidget]) -> list[str]:
    """``clipped`` once the window is laid out: a change of page, language or text size lays it
    out again after the events then queued, so a cut seen at once may not last."""
    with contextlib.suppress(WaitTimeout):
        qtbot.waitUntil(lambda: not clipped(window, roots), timeout=1_000)
    return clipped(window, roots)
