"""Entry widgets that are easy on a touch screen: a date in three boxes, a weight with its unit."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake.domain import numbers
from intake.domain.errors import ValidationError

MIN_TOUCH = 48


def keep_digits(edit: QLineEdit, allowed: str = "") -> None:
    """Let a line edit take only digits (and ``allowed``), whatever is typed or pasted.

    A filter on textChanged rather than a QRegularExpressionValidator: this sits on the Welcome
    page, and a validator's regular expression costs start-up time. textChanged, not textEdited:
    text set through the accessibility interface (a screen reader, a switch device) is filtered
    too.
    """

    def _on_text_edited(text: str) -> None:
        # Any script's digits are shown as the ASCII digits they are (what is compared).
        clean = "".join(
            str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
            for ch in text
            if ch.isdecimal() or ch in allowed
        )
        if clean != text:
            position = max(0, edit.cursorPosition() - (len(text) - len(clean)))
            edit.setText(clean)
            edit.setCursorPosition(position)

    edit.textChanged.connect(_on_text_edited)


def digits_edit(max_len: int, placeholder: str, parent: QWidget) -> QLineEdit:
    edit = QLineEdit(parent)
    keep_digits(edit)
    edit.setMaxLength(max_len)
    edit.setPlaceholderText(placeholder)
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
    edit.setMinimumHeight(MIN_TOUCH)
    return edit


class DateEntryWidget(QWidget):
    """A date as month / day / year boxes (day / month / year in Spanish); digits only.

    Focus moves on by itself when a box is full. ``value()`` is the date, or None;
    ``problem()`` names what is missing or impossible ("incomplete" / "invalid"), or "".
    """

    changed = Signal()

    def __init__(
        self,
        labels: dict[str, str],
        order: str = "mdy",
        name: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._order = order
        self.month = digits_edit(2, labels.get("month_hint", "MM"), self)
        self.day = digits_edit(2, labels.get("day_hint", "DD"), self)
        self.year = digits_edit(4, labels.get("year_hint", "YYYY"), self)
        self.month.setObjectName("date_month")
        self.day.setObjectName("date_day")
        self.year.setObjectName("date_year")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        parts = {
            "m": (self.month, labels["month"], 0),
            "d": (self.day, labels["day"], 0),
            "y": (self.year, labels["year"], 0),
        }
        self.month.setFixedWidth(96)
        self.day.setFixedWidth(96)
        self.year.setFixedWidth(132)
        ordered = [parts[c] for c in order]
        for edit, label_text, stretch in ordered:
            column = QVBoxLayout()
            column.setSpacing(4)
            label = QLabel(label_text, self)
            label.setProperty("role", "help")
            label.setBuddy(edit)
            column.addWidget(label)
            column.addWidget(edit)
            layout.addLayout(column, stretch)
            edit.setAccessibleName(f"{name}: {label_text}" if name else label_text)
            # Described in words ("Month"), not by its placeholder ("MM").
            edit.setAccessibleDescription(label_text)
            edit.textChanged.connect(self._on_part_text_changed)
            edit.textEdited.connect(self._on_part_text_edited)
        layout.addStretch(1)
        # Keyboard order follows the order on screen.
        QWidget.setTabOrder(ordered[0][0], ordered[1][0])
        QWidget.setTabOrder(ordered[1][0], ordered[2][0])
        self._sequence = [e for e, _, _ in ordered]
        # After a part fills up, focus moves on by itself; a Tab typed out of habit right
        # after that must not skip the next part.
        self._advanced_to: QLineEdit | None = None
        for edit in self._sequence:
            edit.installEventFilter(self)
        if name:
            self.setAccessibleName(name)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and watched is self._advanced_to:
            key = event.key() if isinstance(event, QKeyEvent) else None
            self._advanced_to = None
            if key == Qt.Key.Key_Tab and isinstance(watched, QLineEdit) and not watched.text():
                return True
        elif event.type() == QEvent.Type.FocusOut and watched is self._advanced_to:
            self._advanced_to = None
        return super().eventFilter(watched, event)

    def edits(self) -> list[QLineEdit]:
        return list(self._sequence)

    def _on_part_text_edited(self, _text: str) -> None:
        # Typed: a part that fills up hands the keyboard to the next one.
        sender = self.sender()
        if isinstance(sender, QLineEdit) and len(sender.text()) == sender.maxLength():
            i = self._sequence.index(sender)
            if i + 1 < len(self._sequence):
                self._advanced_to = self._sequence[i + 1]
                self._sequence[i + 1].setFocus(Qt.FocusReason.TabFocusReason)

    def _on_part_text_changed(self, _text: str) -> None:
        # Changed by anyone (keys, or assistive technology through the accessibility
        # interface): the page re-checks the date.
        self.changed.emit()

    def is_empty(self) -> bool:
        return not (self.month.text() or self.day.text() or self.year.text())

    def problem(self) -> str:
        if self.is_empty():
            return ""
        if not (self.month.text() and self.day.text() and len(self.year.text()) == 4):
            return "incomplete"
        return "" if self.value() is not None else "invalid"

    def value(self) -> dt.date | None:
        try:
            return dt.date(int(self.year.text()), int(self.month.text()), int(self.day.text()))
        except ValueError:
            return None

    def raw(self) -> str:
        """The typed date as ISO text for validation ("" when nothing is typed)."""
        date = self.value()
        if date is not None:
            return date.isoformat()
        if self.is_empty():
            return ""
        return f"{self.year.text()}-{self.month.text()}-{self.day.text()}"

    def set_value(self, value: Any) -> None:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                parts = value.split("-")
                if len(parts) == 3:  # a half-typed date kept across Back: put it back as typed
                    self.year.setText(parts[0][:4])
                    self.month.setText(parts[1][:2])
                    self.day.setText(parts[2][:2])
                    self.changed.emit()
                    return
                value = None
        if isinstance(value, dt.date):
            self.month.setText(f"{value.month:02d}")
            self.day.setText(f"{value.day:02d}")
            self.year.setText(f"{value.year:04d}")
        else:
            for edit in self._sequence:
                edit.clear()
        self.changed.emit()

    def focus_first(self) -> None:
        self._sequence[0].setFocus(Qt.FocusReason.OtherFocusReason)


class WeightEntryWidget(QWidget):
    """A weight: the number as typed, and a unit toggle (kg / lb, and st where the clinic allows).

    ``value()`` is {"value": text, "unit": unit}. Nothing typed is ever dropped or changed:
    what cannot be read stays visible for the message beside it. A unit written in the text
    ("154 lb") is what the person meant, so the toggle follows it, and a line below says what
    was understood in kg when the weight was given in another unit.
    """

    changed = Signal()

    def __init__(
        self,
        labels: dict[str, str],
        name: str = "",
        parent: QWidget | None = None,
        units: tuple[str, ...] = ("kg", "lb"),
    ):
        super().__init__(parent)
        self._units = units
        self._stones = "st" in units
        self._in_kg = labels.get("in_kg", "= {kg} kg")
        self.number = QLineEdit(self)
        self.number.setObjectName("weight_value")
        self.number.setInputMethodHints(Qt.InputMethodHint.ImhPreferNumbers)
        self.number.setMinimumHeight(MIN_TOUCH)
        self.number.setMaximumWidth(260)
        self.number.setAccessibleName(f"{name}: {labels['number']}" if name else labels["number"])
        self.understood = QLabel("", self)
        self.understood.setObjectName("weight_understood")
        self.understood.setProperty("role", "help")
        self.understood.hide()
        self.buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        for unit in units:
            button = QPushButton(labels[unit], self)
            button.setCheckable(True)
            button.setAutoExclusive(True)  # one unit of two: radio buttons to a screen reader
            button.setObjectName(f"unit_{unit}")
            button.setAccessibleName(labels[f"{unit}_name"])
            button.setMinimumSize(72, MIN_TOUCH)
            group.addButton(button)
            button.toggled.connect(self._on_unit_toggled)
            self.buttons[unit] = button
        self.kg = self.buttons["kg"]
        self.lb = self.buttons["lb"]
        self.kg.setChecked(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        row.addWidget(self.number)
        for button in self.buttons.values():
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.understood)
        # textChanged: text set through the accessibility interface counts as typed.
        self.number.textChanged.connect(self._on_number_text_changed)
        if name:
            self.setAccessibleName(name)

    def _follow_written_unit(self) -> None:
        written = numbers.written_unit(self.number.text(), self._stones)
        if written in self.buttons and not self.buttons[written].isChecked():
            self.buttons[written].setChecked(True)

    def _show_understood(self) -> None:
        try:
            weight = numbers.parse_weight(self.number.text(), self.unit(), stones=self._stones)
        except ValidationError:
            weight = None
        if weight is None or weight.unit == "kg":
            self.understood.clear()
            self.understood.hide()
            return
        self.understood.setText(self._in_kg.format(kg=f"{weight.kg:g}"))
        self.understood.show()

    def _on_number_text_changed(self, _text: str) -> None:
        self._follow_written_unit()
        self._show_understood()
        self.changed.emit()

    def _on_unit_toggled(self, checked: bool) -> None:
        if not checked:
            return
        # The unit written in the text is the answer; the toggle is for a bare number.
        self._follow_written_unit()
        self._show_understood()
        self.changed.emit()

    def unit(self) -> str:
        for unit, button in self.buttons.items():
            if button.isChecked():
                return unit
        return "kg"

    def is_empty(self) -> bool:
        return not self.number.text().strip()

    def value(self) -> dict[str, str]:
        return {"value": self.number.text().strip(), "unit": self.unit()}

    def set_value(self, value: Any) -> None:
        if isinstance(value, dict):
            unit = value.get("unit")
            self.buttons.get(unit if isinstance(unit, str) else "kg", self.kg).setChecked(True)
            self.number.setText(str(value.get("value", "")))
        elif isinstance(value, int | float):
            self.kg.setChecked(True)
            self.number.setText(f"{value:g}")
        else:
            self.number.clear()
        self.changed.emit()

    def focus_first(self) -> None:
        self.number.setFocus(Qt.FocusReason.OtherFocusReason)
