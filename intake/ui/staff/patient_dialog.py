"""Register a patient, or correct a patient's details (a new audited version, with a reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake.domain.validation import format_phone
from intake.services.context import Actor
from intake.services.errors import Conflict, InvalidInput, ServiceError
from intake.services.patients import PatientRow, PatientService, PossibleDuplicates, SearchQuery
from intake.ui.common import MessageLabel, describe_error, named
from intake.ui.operations import KNOWN_ERRORS

FIELDS: tuple[tuple[str, str], ...] = (
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("preferred_name", "Preferred name"),
    ("date_of_birth", "Date of birth"),
    ("sex_at_birth", "Sex at birth"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("lang", "Language"),
)
SEXES = (("", "Not recorded"), ("female", "Female"), ("male", "Male"), ("intersex", "Intersex"))
LANGS = (("en", "English"), ("es", "Español"))


class PatientDialog(QDialog):
    """One form for both: ``patient=None`` registers, a PatientRow corrects that patient.

    Registering starts from ``start_from`` (what was searched for). When the date of birth and
    a similar name are registered already, those patients are listed to open instead;
    registering anyway takes a second, deliberate click.
    """

    patient_saved = Signal(object)  # PatientRow
    patient_chosen = Signal(object)  # PatientRow: a likely duplicate opened instead

    def __init__(
        self,
        patients: PatientService,
        actor: Actor,
        patient: PatientRow | None = None,
        parent: QWidget | None = None,
        *,
        start_from: SearchQuery | None = None,
    ):
        super().__init__(parent)
        self._patients = patients
        self._actor = actor
        self.patient = patient
        self._duplicates_seen: dict[str, Any] | None = None  # the values they were shown for
        correcting = patient is not None
        title = "Correct patient details" if correcting else "Register a patient"
        self.setWindowTitle(title)
        named(self, title, "patient_dialog")
        self.setMinimumWidth(600)

        layout = QVBoxLayout(self)
        if correcting:
            assert patient is not None
            intro = QLabel(
                f"{patient.record_number}. A correction is saved as a new version of the record; "
                "the earlier version is kept.",
                self,
            )
            intro.setWordWrap(True)
            layout.addWidget(intro)
        form = QFormLayout()
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        self.errors: dict[str, MessageLabel] = {}
        for key, label in FIELDS:
            widget: QLineEdit | QComboBox
            if key == "sex_at_birth":
                widget = QComboBox(self)
                for value, text in SEXES:
                    widget.addItem(text, value)
            elif key == "lang":
                widget = QComboBox(self)
                for value, text in LANGS:
                    widget.addItem(text, value)
            else:
                widget = QLineEdit(self)
                if key == "date_of_birth":
                    widget.setPlaceholderText("YYYY-MM-DD, e.g. 2004-03-17")
                if key == "preferred_name":
                    widget.setPlaceholderText("optional")
            named(widget, label)
            self.inputs[key] = widget
            self.errors[key] = MessageLabel(f"{label} problem", self, wrap=False)
            form.addRow(label, widget)
            form.addRow("", self.errors[key])
        if correcting:
            self.reason = named(QLineEdit(self), "Reason for the correction")
            self.reason.setPlaceholderText("e.g. surname misspelt at registration")
            self.errors["reason"] = MessageLabel("Reason problem", self, wrap=False)
            form.addRow("Reason", self.reason)
            form.addRow("", self.errors["reason"])
        layout.addLayout(form)
        self.message = MessageLabel("Patient form message", self)
        layout.addWidget(self.message)
        self.duplicates = named(QListWidget(self), "Likely duplicates")
        self.duplicates.setMaximumHeight(110)
        self.open_button = named(QPushButton("Open this patient instead", self), "Open patient")
        duplicate_row = QHBoxLayout()
        duplicate_row.addWidget(self.duplicates, 1)
        duplicate_row.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(duplicate_row)
        self.duplicates.hide()
        self.open_button.hide()
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.duplicates.itemDoubleClicked.connect(self._on_duplicates_item_double_clicked)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        named(self.save_button, "Save correction" if correcting else "Register")
        self.save_button.setText("Save correction" if correcting else "Register")
        named(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), "Cancel")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if patient is not None:
            self.fill(patient)
        elif start_from is not None:
            self.start_from(start_from)

    def start_from(self, query: SearchQuery) -> None:
        """Fill in what the search already said: name parts and the date of birth."""
        for key in ("first_name", "last_name"):
            if getattr(query, key):
                self.set_value(key, getattr(query, key))
        if query.date_of_birth is not None:
            self.set_value("date_of_birth", query.date_of_birth.isoformat())

    def fill(self, patient: PatientRow) -> None:
        for key, widget in self.inputs.items():
            value = getattr(patient, key)
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            else:
                widget.setText(value.isoformat() if isinstance(value, dt.date) else str(value))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, widget in self.inputs.items():
            out[key] = widget.currentData() if isinstance(widget, QComboBox) else widget.text()
        return out

    def set_value(self, key: str, value: str) -> None:
        widget = self.inputs[key]
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(0, widget.findData(value)))
        else:
            widget.setText(value)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        for label in self.errors.values():
            label.clear_message()
        self.message.clear_message()
        try:
            if self.patient is None:
                values = self.values()
                saved = self._patients.register(
                    self._actor, allow_duplicate=values == self._duplicates_seen, **values
                )
            else:
                saved = self._patients.correct(
                    self._actor,
                    self.patient.id,
                    self.patient.version,
                    self.reason.text(),
                    **self.values(),
                )
        except InvalidInput as exc:
            for key, text in exc.errors.items():
                (self.errors.get(key) or self.message).show_error(text)
            self.adjustSize()
            return
        except PossibleDuplicates as exc:
            self._show_duplicates(exc.patients)
            return
        except Conflict as exc:
            self._reload()
            self.message.show_error(exc)
            return
        except ServiceError as exc:
            self.message.show_error(exc)
            return
        except OSError as exc:
            self.message.show_error(describe_error(exc))
            return
        self.patient_saved.emit(saved)
        self.accept()

    def _show_duplicates(self, patients: list[PatientRow]) -> None:
        self._duplicates_seen = self.values()
        many = len(patients) > 1
        self.message.show_message(
            f"{len(patients)} patient{'s' if many else ''} with this date of birth and a "
            f"similar name {'are' if many else 'is'} registered already. Open "
            f"{'one of them' if many else 'that record'} instead, or register a new patient "
            "anyway.",
            "warning",
        )
        self.duplicates.clear()
        for p in patients:
            phone = format_phone(p.phone) or "no phone"
            # The date of birth is the one typed: the name, number and phone tell them apart.
            item = QListWidgetItem(f"{p.last_name}, {p.first_name} · {p.record_number} · {phone}")
            item.setToolTip(f"born {p.date_of_birth.isoformat()} · {p.email or 'no email'}")
            item.setData(Qt.ItemDataRole.UserRole, p)
            self.duplicates.addItem(item)
        self.duplicates.setCurrentRow(0)
        self.duplicates.show()
        self.open_button.show()
        self.save_button.setText("Register anyway")
        named(self.save_button, "Register anyway")
        self.open_button.setDefault(True)
        self.adjustSize()

    def chosen_duplicate(self) -> PatientRow | None:
        item = self.duplicates.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    @Slot()
    def _on_open_button_clicked(self) -> None:
        patient = self.chosen_duplicate()
        if patient is not None:
            self.patient_chosen.emit(patient)
            self.accept()

    @Slot(QListWidgetItem)
    def _on_duplicates_item_double_clicked(self, _item: QListWidgetItem) -> None:
        self._on_open_button_clicked()

    def _reload(self) -> None:
        """Show what is stored now, so the person checks it before saving again."""
        if self.patient is None:
            return
        try:
            self.patient = self._patients.get(self._actor, self.patient.id)
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        self.fill(self.patient)
