"""Choose the dermatologist responsible for a visit: an active clinician, or none yet."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QWidget

from intake.services.dermatologists import Dermatologist
from intake.ui.common import named, words


class DermatologistPicker(QWidget):
    """A labelled list of the active clinicians (and "none yet"), with an optional apply button.

    ``change_requested(int | None)`` when the apply button is pressed with a different choice.
    """

    change_requested = Signal(object)  # staff id, or None

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        label: str = "",
        apply: str = "",
        apply_object_name: str | None = None,
    ):
        """``label`` names the list (``desk.dermatologist`` when empty); ``apply`` labels the
        apply button, found by ``apply_object_name`` (else the name ``apply`` gives)."""
        super().__init__(parent)
        named(self, words("desk.dermatologist_choice"), "dermatologist_picker")
        # The apply button goes under the list: a long choice ("None yet — …", 30% longer in
        # some languages) shows whole beside the caption on half of a 1024-wide screen.
        row = QGridLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        caption = QLabel(label or words("desk.dermatologist"), self)
        self.combo = named(QComboBox(self), words("desk.dermatologist"), "dermatologist")
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        caption.setBuddy(self.combo)
        row.addWidget(caption, 0, 0)
        row.addWidget(self.combo, 0, 1)
        self.apply_button: QPushButton | None = None
        if apply:
            self.apply_button = named(QPushButton(apply, self), apply, apply_object_name)
            self.apply_button.clicked.connect(self._on_apply_button_clicked)
            self.combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
            row.addWidget(self.apply_button, 1, 1, Qt.AlignmentFlag.AlignLeft)
        row.setColumnStretch(2, 1)
        self._current: int | None = None
        self.set_choices([])

    def set_choices(self, choices: Sequence[Dermatologist], current: int | None = None) -> None:
        """Fill the list; ``current`` is selected (a no-longer-active one is shown as it is)."""
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(words("desk.dermatologist_none"), None)
        for d in choices:
            self.combo.addItem(d.name, d.id)
        index = self.combo.findData(current) if current is not None else 0
        self.combo.setCurrentIndex(max(0, index))
        self.combo.blockSignals(False)
        self._current = current
        self._update_button()

    def chosen(self) -> int | None:
        value = self.combo.currentData()
        return int(value) if value is not None else None

    def choose(self, staff_id: int | None) -> bool:
        index = self.combo.findData(staff_id) if staff_id is not None else 0
        if index < 0:
            return False
        self.combo.setCurrentIndex(index)
        return True

    def set_editable(self, editable: bool, why: str = "") -> None:
        self.combo.setEnabled(editable)
        self.combo.setToolTip(why)
        if self.apply_button is not None:
            self.apply_button.setVisible(editable)
        self._update_button()

    def _update_button(self) -> None:
        if self.apply_button is not None:
            self.apply_button.setEnabled(self.combo.isEnabled() and self.chosen() != self._current)

    @Slot(int)
    def _on_combo_current_index_changed(self, _index: int) -> None:
        self._update_button()

    @Slot()
    def _on_apply_button_clicked(self) -> None:
        if self.chosen() != self._current:
            self.change_requested.emit(self.chosen())
