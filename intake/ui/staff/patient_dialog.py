"""Register a patient, or correct a patient's details (a new audited version, with a reason)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from intake.services.context import Actor
from intake.services.errors import Conflict, InvalidInput, ServiceError
from intake.services.patients import PatientRow, PatientService
from intake.ui.staff.common import MessageLabel, describe_error, named

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
    """One form for both: ``patient=None`` registers, a PatientRow corrects that patient."""

    patient_saved = Signal(object)  # PatientRow

    def __init__(
        self,
        patients: PatientService,
        actor: Actor,
        patient: PatientRow | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._patients = patients
        self._actor = actor
        self.patient = patient
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
                saved = self._patients.register(self._actor, **self.values())
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
        except Conflict as exc:
            self._reload()
            self.message.show_error(str(exc))
            return
        except ServiceError as exc:
            self.message.show_error(str(exc))
            return
        except Exception as exc:
            self.message.show_error(describe_error(exc))
            return
        self.patient_saved.emit(saved)
        self.accept()

    def _reload(self) -> None:
        """Show what is stored now, so the person checks it before saving again."""
        if self.patient is None:
            return
        try:
            self.patient = self._patients.get(self._actor, self.patient.id)
        except Exception as exc:
            self.message.show_error(describe_error(exc))
            return
        self.fill(self.patient)
