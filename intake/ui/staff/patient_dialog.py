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

from intake import i18n
from intake.domain.validation import format_phone
from intake.services.context import Actor
from intake.services.errors import Conflict, InvalidInput, ServiceError
from intake.services.patients import PatientRow, PatientService, PossibleDuplicates, SearchQuery
from intake.ui.common import MessageLabel, describe_error, named, words
from intake.ui.operations import KNOWN_ERRORS
from intake.ui.staff.desk_text import fit_to_text, message_line, problem_text

# The details, in order; each field's label is desk.field_<key>, its objectName the English one's.
FIELDS: tuple[tuple[str, str], ...] = (
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("preferred_name", "preferred_name"),
    ("date_of_birth", "date_of_birth"),
    ("sex_at_birth", "sex_at_birth"),
    ("phone", "phone"),
    ("email", "email"),
    ("lang", "language"),
)
SEXES = ("", "female", "male", "intersex")  # desk.sex_<value>, "" is desk.sex_none


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
        title = words("desk.correct_title" if correcting else "desk.register_title")
        self.setWindowTitle(title)
        named(self, title, "patient_dialog")

        layout = QVBoxLayout(self)
        fit_to_text(layout, 600)
        if correcting:
            assert patient is not None
            intro = QLabel(words("desk.correct_intro", record=patient.record_number), self)
            intro.setWordWrap(True)
            layout.addWidget(intro)
        form = QFormLayout()
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        self.errors: dict[str, MessageLabel] = {}
        for key, object_name in FIELDS:
            label = words(f"desk.field_{key}")
            widget: QLineEdit | QComboBox
            if key == "sex_at_birth":
                widget = QComboBox(self)
                for value in SEXES:
                    widget.addItem(words(f"desk.sex_{value or 'none'}"), value)
            elif key == "lang":
                widget = QComboBox(self)
                for language in i18n.languages():  # each by its own name
                    widget.addItem(language.name, language.code)
            else:
                widget = QLineEdit(self)
                if key == "date_of_birth":
                    widget.setPlaceholderText(words("desk.date_hint"))
                if key == "preferred_name":
                    widget.setPlaceholderText(words("desk.optional"))
            named(widget, label, object_name)
            self.inputs[key] = widget
            self.errors[key] = self._problem_line(label, f"{object_name}_problem")
            form.addRow(label, widget)
            form.addRow("", self.errors[key])
        if correcting:
            self.reason = named(
                QLineEdit(self), words("desk.correction_reason_name"), "reason_for_the_correction"
            )
            self.reason.setPlaceholderText(words("desk.correction_reason_hint"))
            self.errors["reason"] = self._problem_line(words("desk.reason"), "reason_problem")
            form.addRow(words("desk.reason"), self.reason)
            form.addRow("", self.errors["reason"])
        layout.addLayout(form)
        self.message = message_line(words("desk.patient_message"), "patient_form_message", self)
        layout.addWidget(self.message)
        self.duplicates = named(
            QListWidget(self), words("desk.duplicates_name"), "likely_duplicates"
        )
        self.duplicates.setMaximumHeight(110)
        self.open_button = named(
            QPushButton(words("desk.open_instead"), self),
            words("desk.open_instead_name"),
            "open_patient",
        )
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
        save = words("desk.save_correction" if correcting else "desk.register")
        named(self.save_button, save, "save_correction" if correcting else "register")
        self.save_button.setText(save)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        named(cancel, words("desk.cancel"), "cancel")
        cancel.setText(words("desk.cancel"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if patient is not None:
            self.fill(patient)
        elif start_from is not None:
            self.start_from(start_from)

    def _problem_line(self, label: str, object_name: str) -> MessageLabel:
        return message_line(words("staff.problem_of", name=label), object_name, self)

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
                (self.errors.get(key) or self.message).show_error(self._problem_text(key, text))
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
        self.message.show_message(words("desk.duplicates", count=len(patients)), "warning")
        self.duplicates.clear()
        for p in patients:
            phone = format_phone(p.phone) or words("desk.details_no_phone")
            # The date of birth is the one typed: the name, number and phone tell them apart.
            item = QListWidgetItem(
                words(
                    "desk.duplicate_row",
                    name=f"{p.last_name}, {p.first_name}",
                    record=p.record_number,
                    phone=phone,
                )
            )
            item.setToolTip(
                words(
                    "desk.duplicate_tip",
                    date=p.date_of_birth.isoformat(),
                    email=p.email or words("desk.details_no_email"),
                )
            )
            item.setData(Qt.ItemDataRole.UserRole, p)
            self.duplicates.addItem(item)
        self.duplicates.setCurrentRow(0)
        self.duplicates.show()
        self.open_button.show()
        self.save_button.setText(words("desk.register_anyway"))
        named(self.save_button, words("desk.register_anyway"), "register_anyway")
        self.open_button.setDefault(True)
        self.adjustSize()

    def _problem_text(self, key: str, text: str) -> str:
        """A problem in the staff screens' words: a detail's by its code; the correction's
        reason, the one the service words without a code, when none was given."""
        if key == "reason" and self.patient is not None and not self.reason.text().strip():
            return words("desk.correction_reason_needed")
        return problem_text(text)

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
