"""Finding text a screen shows that the message catalogue did not give.

In the pseudo-locale every catalogue message is wrapped in ⟦ ⟧: what is left outside the
brackets, once markup and the patient's own data are taken out, was written into the code.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from intake.ui.widgets.choices import WrapButton

_INNERMOST = re.compile(r"⟦[^⟦⟧]*⟧")
_TAGS = re.compile(r"<[^<>]*>|&#?\w+;")
_LETTER = re.compile(r"[^\W\d_]")


def unmarked(text: str, data: tuple[str, ...]) -> str:
    """What is left of ``text`` outside ⟦ ⟧, without markup and the patient's own data; "" when
    only digits and punctuation are left."""
    rest = _TAGS.sub(" ", text)
    while _INNERMOST.search(rest):
        rest = _INNERMOST.sub(" ", rest)
    for value in sorted(data, key=len, reverse=True):
        rest = rest.replace(value, " ")
    return rest.strip() if _LETTER.search(rest) else ""


def shown_texts(window: QWidget, roots: list[QWidget]) -> list[tuple[str, str]]:
    """(where, text) of every visible label and button under ``roots``."""
    out = [("window title", window.windowTitle())]
    for root in roots:
        for w in [root, *root.findChildren(QWidget)]:
            if not w.isVisibleTo(window):
                continue
            where = f"{root.objectName()}/{w.objectName() or type(w).__name__}"
            if isinstance(w, WrapButton):
                out.append((where, w.full_text()))
            elif isinstance(w, QLabel | QAbstractButton):
                out.append((where, w.text()))
    return [(where, text) for where, text in out if text.strip()]


def _view_texts(view: QAbstractItemView) -> list[str]:
    model = view.model()
    if model is None:
        return []
    out = []
    try:
        columns = model.columnCount(QModelIndex())
    except (AttributeError, TypeError):  # a list model (QListWidget) hides it: one column
        columns = 1
    for section in range(columns):
        out.append(str(model.headerData(section, Qt.Orientation.Horizontal) or ""))
    for row in range(model.rowCount(QModelIndex())):
        for col in range(columns):
            index = model.index(row, col)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if isinstance(value, str):
                    out.append(value)
    return out


def staff_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) of every text a member of staff can see or hear under ``root``, hidden
    parts included (a tab not chosen, a box shown only when needed): labels, buttons, box
    titles, tab names, placeholders, choices, table headers and cells, tooltips, and the
    accessible names and descriptions a screen reader says."""
    out: list[tuple[str, str]] = [("window title", root.windowTitle())]
    for w in [root, *root.findChildren(QWidget)]:
        where = w.objectName() or type(w).__name__
        texts: list[str] = [w.toolTip(), w.accessibleName(), w.accessibleDescription()]
        if isinstance(w, WrapButton):
            texts.append(w.full_text())
        elif isinstance(w, QLabel | QAbstractButton):
            texts.append(w.text())
        if isinstance(w, QGroupBox):
            texts.append(w.title())
        if isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
        if isinstance(w, QTextEdit):
            texts += [w.placeholderText(), w.toPlainText()]
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QTabWidget):
            texts += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView):
            texts += _view_texts(w)
        out += [(where, t) for t in texts if t and t.strip()]
    return out


def unmarked_staff_texts(root: QWidget, data: tuple[str, ...] = ()) -> list[str]:
    """Every text under ``root`` (see ``staff_texts``) with words outside ⟦ ⟧ that are not
    ``data``, one line each; empty when the screen spoke only the catalogue."""
    problems = []
    for where, text in staff_texts(root):
        left = unmarked(text, data)
        if left:
            problems.append(f"{where}: {left!r} in {text!r}")
    return problems
