"""The kiosk's furniture around every page: the accessibility bar on top, the navigation below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.ui.kiosk.text import LANGUAGE_NAMES, progress_text, t
from intake.ui.kiosk.theme import TEXT_SIZES, Theme
from intake.ui.widgets.flow import FlowLayout

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

    from intake.services.kiosk_payloads import NavState


# The gap between groups of buttons in the top bar.
GROUP_GAP = 12
# The least of the clinic's name the top bar shows, in pixels (all of it when shorter).
BRAND_MIN_WIDTH = 280


class ElidedLabel(QLabel):
    """One line that ends in "…" when there is not room for all of it; its accessible name
    and (when cut) its tooltip keep all of it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        # It takes the room the buttons leave; the bar keeps it at least ``minimumWidth()``.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setAccessibleName(text)
        self._elide()

    def full_width(self) -> int:
        """The width that shows all of the text."""
        margins = self.contentsMargins()
        return (
            self.fontMetrics().horizontalAdvance(self._full) + margins.left() + margins.right() + 2
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        text = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, self.width())
        self.setText("" if text == "…" else text)
        self.setToolTip(self._full if text != self._full else "")


class AccessibilityBar(QWidget):
    """Language, text size, high contrast, and (for staff) leaving the kiosk; on every page."""

    language_chosen = Signal(str)
    text_size_chosen = Signal(int)
    contrast_toggled = Signal(bool)
    read_aloud_requested = Signal()  # "Read aloud", or "Stop" while speaking
    staff_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("AccessibilityBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._rows = rows = QVBoxLayout(self)
        rows.setContentsMargins(16, 8, 16, 8)
        rows.setSpacing(8)
        self._top = QHBoxLayout()
        self._top.setSpacing(8)
        rows.addLayout(self._top)
        # On a narrow screen (or with long texts, or large ones) the text size, contrast,
        # read-aloud and staff buttons go to a second row, so that the clinic's name stays
        # readable; and on to a third where the second is not wide enough.
        self._second = QHBoxLayout()
        self._second.setSpacing(8)
        self._second.addStretch(1)
        rows.addLayout(self._second)
        self.brand = ElidedLabel(self)
        self.brand.setProperty("role", "brand")
        self._top.addWidget(self.brand, 1)
        self.languages: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        for code in i18n.offered():
            button = self._button(LANGUAGE_NAMES[code], f"bar_lang_{code}", checkable=True)
            group.addButton(button)
            button.setAutoExclusive(True)  # one of several: a radio button to a screen reader
            button.clicked.connect(lambda _c=False, c=code: self.language_chosen.emit(c))
            self.languages[code] = button
            self._top.addWidget(button)
        self._top.addSpacing(GROUP_GAP)
        # Made after the language buttons, so Tab reaches them in the order they are seen in
        # any arrangement. Its groups (text sizes; contrast and read-aloud; staff) go on to a
        # further row when one is not wide enough: large text on a narrow screen.
        self._tools = QWidget(self)
        self._tools.setObjectName("bar_tools")
        tools = FlowLayout(self._tools, spacing=GROUP_GAP, row_spacing=8, align_right=True)
        self.sizes: list[QPushButton] = []
        sizes = QButtonGroup(self)
        row = self._group(tools)
        for i, label in enumerate(("A", "A+", "A++")):
            button = self._button(label, f"bar_size_{TEXT_SIZES[i][0]}", checkable=True)
            sizes.addButton(button)
            button.setAutoExclusive(True)
            button.clicked.connect(lambda _c=False, i=i: self.text_size_chosen.emit(i))
            self.sizes.append(button)
            row.addWidget(button)
        row = self._group(tools)
        self.contrast = self._button("", "bar_contrast", checkable=True)
        self.contrast.toggled.connect(self.contrast_toggled)
        row.addWidget(self.contrast)
        self.read_aloud = self._button("", "bar_read_aloud")
        self.read_aloud.clicked.connect(self.read_aloud_requested)
        row.addWidget(self.read_aloud)
        self.staff = self._button("", "bar_staff")
        self.staff.clicked.connect(self.staff_requested)
        tools.addWidget(self.staff)
        self._top.addWidget(self._tools)
        self.two_rows = False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _one_row_width(self) -> int:
        """The width one row needs to show the clinic's whole name beside every button."""
        margins = self._rows.contentsMargins()
        widgets: list[QWidget] = [*self.languages.values(), self._tools]
        return (
            margins.left()
            + margins.right()
            + self.brand.full_width()
            + sum(w.sizeHint().width() for w in widgets)
            + self._top.spacing() * (len(widgets) + 1)
            + GROUP_GAP
        )

    def _arrange(self) -> None:
        """One row where all of it fits; else two (or three), the name beside the languages."""
        two = self.width() < self._one_row_width()
        # However narrow, a good part of the name stays (the rest is in its accessible name).
        self.brand.setMinimumWidth(min(self.brand.full_width(), BRAND_MIN_WIDTH))
        if two == self.two_rows:
            return
        self.two_rows = two
        if two:
            self._top.removeWidget(self._tools)
            self._second.addWidget(self._tools)
        else:
            self._second.removeWidget(self._tools)
            self._top.addWidget(self._tools)
        self._second.invalidate()
        self._top.invalidate()

    def _group(self, tools: FlowLayout) -> QHBoxLayout:
        """A row of buttons in ``tools`` kept together."""
        holder = QWidget(self._tools)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        tools.addWidget(holder)
        return row

    def _button(self, text: str, name: str, *, checkable: bool = False) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setProperty("role", "bar")
        button.setCheckable(checkable)
        button.setMinimumHeight(48)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return button

    def retranslate(self, lang: str, theme: Theme, brand: str) -> None:
        self.brand.set_full_text(brand)
        for code, button in self.languages.items():
            button.setChecked(code == lang)
            button.setAccessibleName(t("language_name", lang, name=LANGUAGE_NAMES[code]))
        names = ("size_normal", "size_large", "size_larger")
        for i, button in enumerate(self.sizes):
            button.setChecked(i == theme.size_index)
            button.setAccessibleName(t(names[i], lang))
            button.setText(t(f"{names[i]}_short", lang))
        self.contrast.blockSignals(True)
        self.contrast.setChecked(theme.high_contrast)
        self.contrast.blockSignals(False)
        self.contrast.setText(t("contrast", lang))
        self.contrast.setAccessibleName(t("contrast_name", lang))
        self.staff.setText(t("staff", lang))
        self.staff.setAccessibleName(t("staff_name", lang))
        self._arrange()

    def show_reading(self, lang: str, *, available: bool, speaking: bool) -> None:
        """ "Read aloud", "Stop" while speaking, or disabled saying why where no engine exists."""
        button = self.read_aloud
        key = "read_aloud_stop" if speaking else "read_aloud"
        button.setText(t(key, lang))
        button.setAccessibleName(t(f"{key}_name", lang))
        why = "" if available else t("read_aloud_none", lang)
        button.setToolTip(why)
        button.setAccessibleDescription(why)
        button.setEnabled(available)
        self._arrange()


class NavBar(QWidget):
    """Back, where the patient is, Next."""

    back_clicked = Signal()
    next_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("NavBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 12, 24, 12)
        row.setSpacing(20)
        self.back = QPushButton(self)
        self.back.setObjectName("nav_back")
        self.back.setMinimumSize(150, 60)
        self.back.clicked.connect(self.back_clicked)
        middle = QVBoxLayout()
        middle.setSpacing(6)
        self.where = QLabel(self)
        self.where.setProperty("role", "progress")
        self.where.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # "Part 5 of 6: … · Question 10 of 15" in large text on a tablet: wrap, never clip.
        self.where.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("nav_progress")
        self.bar.setTextVisible(False)
        middle.addStretch(1)
        middle.addWidget(self.where)
        middle.addWidget(self.bar)
        middle.addStretch(1)
        self.next = QPushButton(self)
        self.next.setObjectName("nav_next")
        self.next.setProperty("role", "primary")
        self.next.setMinimumSize(200, 60)
        self.next.clicked.connect(self.next_clicked)
        row.addWidget(self.back)
        row.addLayout(middle, 1)
        row.addWidget(self.next)

    def set_state(
        self,
        lang: str,
        *,
        back: bool,
        forward: bool,
        next_label: str,
        where: str,
        position: int,
        total: int,
    ) -> None:
        self.back.setText(t("back", lang))
        self.back.setAccessibleName(t("back", lang))
        self.back.setEnabled(back)
        self.back.setVisible(back)
        self.next.setText(next_label)
        self.next.setAccessibleName(next_label)
        self.next.setEnabled(forward)
        self.where.setText(where)
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(position)
        self.bar.setAccessibleName(t("progress_name", lang))
        self.bar.setAccessibleDescription(where)

    def show_state(self, nav: NavState, lang: str) -> None:
        """Draw what the controller decided: Next's label is a message key."""
        self.set_state(
            lang,
            back=nav.back,
            forward=nav.forward,
            next_label=t(nav.label, lang),
            where=progress_text(nav.place, lang),
            position=nav.position,
            total=nav.total,
        )
