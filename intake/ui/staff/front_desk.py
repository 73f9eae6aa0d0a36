"""The front desk: find or register a patient, correct details, start a kiosk visit, print packets."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape as html_escape
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.domain.kinds import FINISHED, OPEN
from intake.domain.validation import format_phone
from intake.services.context import Actor, AppContext
from intake.services.dermatologists import DermatologistService
from intake.services.patients import PatientRow, PatientService, SearchQuery
from intake.services.visits import BoardRow, VisitService
from intake.ui.common import (
    BusyBar,
    Clock,
    describe_error,
    named,
    visit_status_words,
    words,
)
from intake.ui.operations import KNOWN_ERRORS, Operation
from intake.ui.staff.dermatologist_picker import DermatologistPicker
from intake.ui.staff.desk_text import message_line
from intake.ui.staff.packets import packet_documents, print_documents
from intake.ui.staff.patient_dialog import PatientDialog
from intake.ui.staff.pdf_preview import PrintFailed, ask_for_printer
from intake.ui.staff.search_model import PatientSearchModel
from intake.ui.staff.search_panel import PatientSearchPanel
from intake.ui.staff.status_board import StatusBoardWidget
from intake.ui.staff.visit_code import VisitCodeDialog
from intake.ui.staff.visit_start import VisitStarter

escape = partial(html_escape, quote=False)

__all__ = ["FrontDeskPage", "VisitCodeDialog", "no_match_text"]


def no_match_text(query: SearchQuery) -> str:
    """What to say when no one is found, for what was searched: a date has no spelling."""
    if query.kind in ("date", "record", "name_date"):
        return words(f"desk.no_match_{query.kind}")
    return words("desk.no_match_name")


def visits_text(visits: list[BoardRow], clock: Clock) -> str:
    """How many visits the patient has had, and the latest one's day and status."""
    if not visits:
        return words("desk.details_no_visits")
    return words(
        "desk.details_visits",
        count=len(visits),
        date=clock.local_date(visits[0].started_at),
        status=visit_status_words(visits[0].status),
    )


def details_text(
    patient: PatientRow, latest: str, history: list[dict[str, Any]], clock: Clock
) -> str:
    """The selected patient's details, with the last three versions and why each was made."""
    name = escape(patient.full_name)
    who = (
        words(
            "desk.details_who_preferred",
            name=name,
            preferred=escape(patient.preferred_name),
            record=patient.record_number,
        )
        if patient.preferred_name
        else words("desk.details_who", name=name, record=patient.record_number)
    )
    sex_key = f"desk.details_sex_{patient.sex_at_birth or 'none'}"
    # A value the catalogue does not know (changed in the database) is shown as stored: data.
    sex = words(sex_key) if i18n.has(sex_key) else escape(patient.sex_at_birth or "")
    lang = (
        i18n.language(patient.lang).name
        if patient.lang in i18n.codes(pseudo=True)
        else patient.lang
    )
    born = words(
        "desk.details_born", date=patient.date_of_birth.isoformat(), sex=sex, language=lang
    )
    phone = format_phone(patient.phone) or words("desk.details_no_phone")
    email = escape(patient.email) or words("desk.details_no_email")
    # Each version says why and when: a kiosk update or a correction shows here.
    changes = "".join(
        "<br>"
        + words(
            "desk.details_change",
            version=h["version"],
            at=clock.datetime(h["at"])[:16],
            reason=escape(str(h["reason"])),
        )
        for h in reversed(history[-3:])
    )
    version = words("desk.details_version", visits=latest, version=patient.version)
    return (
        f"{who}<br>{born}<br>{phone} · {email}<br>"
        f"<span style='color:#5b6470'>{version}{changes}</span>"
    )


class FrontDeskPage(QWidget):
    """Search, register, correct, start visits, print packets; the status board beside them."""

    station_handed_over = Signal(object)  # the kiosk Actor for the one visit
    visit_started = Signal(object)  # StartedVisit
    packet_ready = Signal(list)  # the documents about to be printed
    packet_printed = Signal(int)  # pages

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        parent: QWidget | None = None,
        *,
        board_refresh_ms: int = 4000,
        debounce_ms: int = 150,
    ):
        super().__init__(parent)
        named(self, words("desk.page"), "front_desk_page")
        self._ctx = ctx
        self._actor = actor
        self._patients = PatientService(ctx)
        self._visits = VisitService(ctx)
        self._clock = Clock(ctx.forms.clinic.timezone)
        self.tasks = Operation(self, "packet")
        self.choose_printer: Callable[[QWidget, Callable[[QPrinter], object]], object] = (
            ask_for_printer
        )
        self.packet: list[Any] = []
        self.packet_record_number = ""  # names the print job, with the documents' ids
        self.dialog: QDialog | None = None

        # Search.
        self.register_button = named(
            QPushButton(words("desk.register_button"), self),
            words("desk.register_name"),
            "register_patient",
        )
        self.search_panel = PatientSearchPanel(
            self._patients,
            actor,
            self,
            placeholder=words("desk.search_placeholder"),
            debounce_ms=debounce_ms,
            beside_search=(self.register_button,),
            no_match_text=no_match_text,
            alternating_rows=True,
        )

        # The selected patient.
        self.details = named(
            QLabel(words("desk.details_none"), self), words("desk.details_name"), "patient_details"
        )
        self.details.setObjectName("details")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.correct_button = named(
            QPushButton(words("desk.correct_button"), self),
            words("desk.correct_name"),
            "correct_details",
        )
        # Starting a visit (or the month's check-in), its code, handing the station over.
        self.starter = VisitStarter(ctx, actor, self)
        self.starter.visit_started.connect(self.visit_started)
        self.starter.station_handed_over.connect(self.station_handed_over)
        self.start_button = self.starter.start_button
        self.checkin_button = self.starter.checkin_button
        self.print_button = named(
            QPushButton(words("desk.print_button"), self), words("desk.print_name"), "print_packet"
        )
        # The dermatologist responsible: chosen when the visit starts; changeable until the
        # consent is countersigned ("Set for open visit": the patient's latest unfinished one).
        self.dermatologist = DermatologistPicker(
            self, apply=words("desk.set_for_open_visit"), apply_object_name="set_for_open_visit"
        )
        self.dermatologist.change_requested.connect(self._on_dermatologist_change_requested)
        self._dermatologists = DermatologistService(ctx)
        self._open_visit: BoardRow | None = None
        self.message = message_line(words("desk.message"), "front_desk_message", self)
        self.busy = BusyBar(self)
        self.tasks.busy_changed.connect(self.busy._on_tasks_busy_changed)

        self.board = StatusBoardWidget(ctx, actor, self, refresh_ms=board_refresh_ms)
        self.board.visit_activated.connect(self._on_board_visit_activated)
        self.board.code_issued.connect(self.starter.show_new_code)

        # Two rows (starting a visit; the patient's details and papers), so that every label
        # shows whole on the left half of a 1024-wide screen.
        actions = QGridLayout()
        actions.addWidget(self.start_button, 0, 0)
        actions.addWidget(self.checkin_button, 0, 1)
        actions.addWidget(self.correct_button, 1, 0)
        actions.addWidget(self.print_button, 1, 1)
        actions.setColumnStretch(2, 1)
        panel = QFrame(self)
        panel.setObjectName("panel")
        panel_layout = QVBoxLayout(panel)
        panel_layout.addWidget(self.details)
        panel_layout.addWidget(self.dermatologist)
        panel_layout.addLayout(actions)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel(words("desk.patients"), left)
        title.setObjectName("section")
        left_layout.addWidget(title)
        left_layout.addWidget(self.search_panel, 1)
        left_layout.addWidget(panel)
        left_layout.addWidget(self.message)
        left_layout.addWidget(self.busy)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.board)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([620, 620])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.search_panel.searched.connect(self._on_search_panel_searched)
        self.search_panel.search_failed.connect(self._on_search_panel_search_failed)
        self.search_panel.patient_selected.connect(self._on_search_panel_patient_selected)
        self.search_panel.patient_activated.connect(self._on_search_panel_patient_activated)
        self.register_button.clicked.connect(self._on_register_button_clicked)
        self.correct_button.clicked.connect(self._on_correct_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.show_patient(None)

    # --- search ----------------------------------------------------------------------------------

    @property
    def search_box(self) -> QLineEdit:
        return self.search_panel.search_box

    @property
    def table(self) -> QTableView:
        return self.search_panel.table

    @property
    def model(self) -> PatientSearchModel:
        return self.search_panel.model

    def search_for(self, text: str, then: Callable[[], object] | None = None) -> None:
        """Search at once (used after registering, and by tests); ``then`` runs once the
        patients found are listed."""
        self.search_panel.search_for(text, then)

    def find_and_select(self, record_number: str, patient_id: int) -> None:
        """Search for a patient's record number, then select them."""
        self.search_for(record_number, lambda: self._select_found(patient_id))

    def _select_found(self, patient_id: int) -> None:
        if not self.select_patient(patient_id):
            self.message.show_error(words("desk.not_found_again"))

    def select_patient(self, patient_id: int) -> bool:
        return self.search_panel.select_patient(patient_id)

    def selected_patient(self) -> PatientRow | None:
        return self.search_panel.selected_patient()

    @Slot(str)
    def _on_search_panel_searched(self, _query: str) -> None:
        self.show_patient(None)

    @Slot(str)
    def _on_search_panel_search_failed(self, text: str) -> None:
        self.message.show_error(text)

    @Slot(object)
    def _on_search_panel_patient_selected(self, patient: PatientRow | None) -> None:
        self.show_patient(patient)

    @Slot(object)
    def _on_search_panel_patient_activated(self, _patient: PatientRow) -> None:
        # A double-click does what "Correct details…" does, for the selected patient.
        self._on_correct_button_clicked()

    def show_patient(self, patient: PatientRow | None) -> None:
        for button in (self.correct_button, self.print_button):
            button.setEnabled(patient is not None)
        self.dermatologist.setVisible(patient is not None)
        if patient is None:
            self.starter.show_patient(None)
            self.details.setText(words("desk.details_choose"))
            return
        try:
            visits = self._visits.visits_for(self._actor, patient.id)
        except KNOWN_ERRORS as exc:
            visits = []
            self.message.show_error(describe_error(exc))
        latest = visits_text(visits, self._clock)
        try:
            history = self._patients.history(self._actor, patient.id)
        except KNOWN_ERRORS as exc:
            history = []
            self.message.show_error(describe_error(exc))
        self.details.setText(details_text(patient, latest, history, self._clock))
        self.print_button.setEnabled(any(v.status in FINISHED for v in visits))
        self._show_dermatologist(visits)
        self.starter.show_patient(patient)

    def _show_dermatologist(self, visits: list[BoardRow]) -> None:
        """The clinicians to choose from; the open visit's choice, when there is one."""
        self._open_visit = next((v for v in visits if v.status in OPEN), None)
        current = None
        try:
            choices = self._dermatologists.choices(self._actor)
            if self._open_visit is not None:
                chosen = self._dermatologists.of_visit(self._actor, self._open_visit.visit_id)
                current = chosen.id if chosen else None
        except KNOWN_ERRORS as exc:
            choices = []
            self.message.show_error(describe_error(exc))
        self.dermatologist.set_choices(choices, current)
        self.dermatologist.set_editable(True)
        if self.dermatologist.apply_button is not None:
            self.dermatologist.apply_button.setVisible(self._open_visit is not None)

    @Slot(object)
    def _on_dermatologist_change_requested(self, staff_id: int | None) -> None:
        visit = self._open_visit
        if visit is None:
            return
        try:
            chosen = self._dermatologists.choose(self._actor, visit.visit_id, staff_id)
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        self.dermatologist.set_choices(self._dermatologists.choices(self._actor), staff_id)
        self.dermatologist.apply_button.setVisible(True)  # type: ignore[union-attr]
        said = (
            words("desk.dermatologist_now", name=chosen.name)
            if chosen
            else words("desk.dermatologist_now_none")
        )
        self.message.show_message(said, "info")

    # --- register and correct --------------------------------------------------------------------

    @Slot()
    def _on_register_button_clicked(self) -> None:
        self.message.clear_message()
        # Start from what was searched for: the name parts and the date of birth typed.
        typed = self._patients.read_query(self.search_box.text())
        dialog = PatientDialog(self._patients, self._actor, None, self, start_from=typed)
        dialog.patient_chosen.connect(self._on_dialog_patient_chosen)
        self._open_patient_dialog(dialog)

    @Slot(object)
    def _on_dialog_patient_chosen(self, patient: PatientRow) -> None:
        """A likely duplicate was opened instead of registering a new patient."""
        self.find_and_select(patient.record_number, patient.id)

    @Slot()
    def _on_correct_button_clicked(self) -> None:
        patient = self.selected_patient()
        if patient is None:
            return
        self.message.clear_message()
        self._open_patient_dialog(PatientDialog(self._patients, self._actor, patient, self))

    def _open_patient_dialog(self, dialog: PatientDialog) -> None:
        dialog.patient_saved.connect(self._on_dialog_patient_saved)
        self.open_dialog(dialog)

    def open_dialog(self, dialog: QDialog) -> None:
        """Open one of the page's dialogs; once it closes, the selected patient is shown afresh."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()

    @Slot(int)
    def _on_dialog_finished(self, _result: int) -> None:
        self.dialog = None
        self._refresh_selected()

    def _refresh_selected(self) -> None:
        """Show what is stored now for the selected patient (after a correction or a visit)."""
        patient = self.selected_patient()
        if patient is None:
            return
        self.search_panel.refresh(lambda: self.select_patient(patient.id))

    @Slot(object)
    def _on_dialog_patient_saved(self, patient: PatientRow) -> None:
        self.find_and_select(patient.record_number, patient.id)
        self.message.show_message(
            words("desk.saved", name=patient.full_name, record=patient.record_number), "info"
        )

    # --- the board -------------------------------------------------------------------------------

    @Slot(str, int)
    def _on_board_visit_activated(self, _visit_id: str, patient_id: int) -> None:
        """A row of the board opened: that patient, found and selected beside it."""
        row = next((r for r in self.board.rows if r.patient_id == patient_id), None)
        if row is None:
            return
        self.find_and_select(row.record_number, patient_id)

    # --- packets ---------------------------------------------------------------------------------

    @Slot()
    def _on_print_button_clicked(self) -> None:
        patient = self.selected_patient()
        if patient is not None:
            self.prepare_packet(patient.id)

    def prepare_packet(self, patient_id: int) -> None:
        """Find (or issue, off the GUI thread) the latest finished visit's packet, then print it."""
        self.message.clear_message()
        try:
            visits = self._visits.visits_for(self._actor, patient_id)
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return
        finished = [v for v in visits if v.status in FINISHED]
        if not finished:
            self.message.show_error(words("desk.no_finished_visit"))
            return
        visit_id = finished[0].visit_id
        self.packet_record_number = finished[0].record_number
        self.print_button.setEnabled(False)
        self.tasks.run(
            lambda: packet_documents(self._ctx, self._actor, visit_id),
            self._on_packet_found,
            self._on_packet_failed,
        )

    def _on_packet_found(self, documents: list[Any]) -> None:
        self.print_button.setEnabled(self.selected_patient() is not None)
        if not documents:
            self.message.show_error(words("desk.no_documents"))
            return
        self.packet = documents
        self.packet_ready.emit(documents)
        self.choose_printer(self, self.print_packet_to)

    def _on_packet_failed(self, exc: BaseException) -> None:
        self.print_button.setEnabled(self.selected_patient() is not None)
        self.message.show_error(describe_error(exc))

    def print_packet_to(self, printer: QPrinter) -> int:
        """Print the prepared packet (consent, then education); each document's print is audited."""
        try:
            pages = print_documents(
                self._ctx, self._actor, printer, self.packet, self.packet_record_number
            )
        except PrintFailed as exc:
            self.message.show_error(str(exc))
            return 0
        except KNOWN_ERRORS as exc:
            self.message.show_error(describe_error(exc))
            return 0
        self.message.show_message(printed_text([d.kind for d in self.packet], pages), "info")
        self.packet_printed.emit(pages)
        return pages

    # --- locking ---------------------------------------------------------------------------------

    def clear(self) -> None:
        """Remove every patient detail from the screen."""
        self.search_panel.clear()
        self.packet = []
        self.show_patient(None)
        self.message.clear_message()
        self.board.clear()


def printed_text(kinds: list[str], pages: int) -> str:
    """What was printed: the documents by kind, and how many pages."""
    names = [
        words(f"desk.document_{kind}") if i18n.has(f"desk.document_{kind}") else kind
        for kind in kinds
    ]
    if len(names) == 1:
        return words("desk.printed_one", first=names[0], count=pages)
    if len(names) == 2:
        return words("desk.printed_two", first=names[0], second=names[1], count=pages)
    return words("desk.printed_many", documents=", ".join(names), count=pages)
