"""Starting a visit at the front desk: a first visit or the month's check-in, the question about
an unfinished one, the code to give the patient, and handing the station over to them."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QPushButton

from intake.domain.kinds import VisitKind
from intake.services.context import Actor, AppContext
from intake.services.errors import InvalidInput
from intake.services.patients import PatientRow
from intake.services.visits import BoardRow, OpenVisit, OpenVisitExists, StartedVisit, VisitService
from intake.ui.common import Clock, describe_error, named, primary, staff_lang, words
from intake.ui.operations import KNOWN_ERRORS
from intake.ui.staff.desk_text import problem_text
from intake.ui.staff.visit_choice import OpenVisitDialog
from intake.ui.staff.visit_code import VisitCodeDialog

if TYPE_CHECKING:
    from intake.ui.staff.front_desk import FrontDeskPage


def page_label(ctx: AppContext, page: str) -> str:
    """A kiosk page id as words: intake pages by their title, risk pages as such."""
    base = page.split(":", 1)[0].split("/", 1)[0]
    for p in (*ctx.forms.intake.pages, *ctx.forms.checkin.pages):
        if p.id == base:
            return p.title(staff_lang()).lower()
    topics = {t.id for t in ctx.forms.risks.topics}
    if base.startswith("risk") or base.split(".", 1)[0] in topics:
        return words("desk.risk_statements")
    return base.replace("_", " ")


class VisitStarter(QObject):
    """The front desk's "Start kiosk visit" and "Start Month N check-in" (shown while the
    selected patient's course runs), and what follows: a patient with an unfinished visit is
    asked about first (carry on, or abandon it and start again, never both); the code dialog,
    from which the station can be handed over to the patient."""

    visit_started = Signal(object)  # StartedVisit
    station_handed_over = Signal(object)  # the kiosk Actor for the one visit

    def __init__(self, ctx: AppContext, actor: Actor, page: FrontDeskPage):
        super().__init__(page)
        self._ctx, self._actor, self._page = ctx, actor, page
        self._visits = VisitService(ctx)
        self._clock = Clock(ctx.forms.clinic.timezone)
        self.start_button = named(
            QPushButton(words("desk.start_visit"), page),
            words("desk.start_visit"),
            "start_kiosk_visit",
        )
        primary(self.start_button)
        # A monthly check-in, for a patient on a course: its label names the month.
        self.checkin_button = named(
            QPushButton(words("desk.start_checkin"), page),
            words("desk.start_checkin"),
            "start_check-in",
        )
        self.checkin_button.setVisible(False)
        self.checkin_month: int | None = None
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.checkin_button.clicked.connect(self._on_checkin_button_clicked)

    def show_patient(self, patient: PatientRow | None) -> None:
        """Offer "Start Month N check-in" while the patient's course runs."""
        self.start_button.setEnabled(patient is not None)
        self.checkin_month = None
        if patient is not None:
            try:
                self.checkin_month = self._visits.checkin_month(self._actor, patient.id)
            except KNOWN_ERRORS as exc:
                self._page.message.show_error(describe_error(exc))
        month = self.checkin_month
        self.checkin_button.setVisible(month is not None)
        if month is not None:
            label = words("desk.start_checkin_month", month=month)
            self.checkin_button.setText(label)
            self.checkin_button.setAccessibleName(label)

    @Slot()
    def _on_start_button_clicked(self) -> None:
        self.start(VisitKind.FIRST_VISIT)

    @Slot()
    def _on_checkin_button_clicked(self) -> None:
        self.start(VisitKind.CHECKIN)

    def _dermatologist(self) -> tuple[int | None, str]:
        """The dermatologist chosen for the visit, and their name as the picker shows it."""
        picker = self._page.dermatologist
        chosen = picker.chosen()
        return chosen, picker.combo.currentText() if chosen is not None else ""

    def start(self, kind: VisitKind) -> None:
        """Start a visit of this kind for the selected patient, and show its code."""
        patient = self._page.selected_patient()
        if patient is None:
            return
        self._page.message.clear_message()
        derm, name = self._dermatologist()
        try:
            started = self._visits.start_visit(
                self._actor, patient.id, patient.lang, derm, kind=kind
            )
        except OpenVisitExists as exc:
            self._ask_about_open_visit(patient, exc.visit, kind)
            return
        except KNOWN_ERRORS as exc:
            self._page.message.show_error(describe_error(exc))
            return
        self._show_code(patient, started, dermatologist=name)

    def _show_code(
        self,
        patient: PatientRow,
        started: StartedVisit,
        new_code: bool = False,
        dermatologist: str | None = None,
    ) -> None:
        self.visit_started.emit(started)
        self._page.board.refresh()
        self._page.show_patient(patient)
        self._open_code_dialog(
            VisitCodeDialog(
                patient, started, self._page, dermatologist=dermatologist, new_code=new_code
            )
        )

    def show_new_code(self, row: BoardRow, started: StartedVisit) -> None:
        """A new code issued from the board, for the patient's slip."""
        self._open_code_dialog(VisitCodeDialog(row, started, self._page, new_code=True))

    def _open_code_dialog(self, dialog: VisitCodeDialog) -> None:
        dialog.hand_over_requested.connect(self._on_code_dialog_hand_over_requested)
        self._page.open_dialog(dialog)

    @Slot(str)
    def _on_code_dialog_hand_over_requested(self, visit_id: str) -> None:
        try:
            kiosk = self._visits.hand_over(self._actor, visit_id)
        except KNOWN_ERRORS as exc:
            self._page.message.show_error(describe_error(exc))
            return
        self.station_handed_over.emit(kiosk)

    # --- an unfinished visit ---------------------------------------------------------------------

    def _ask_about_open_visit(
        self, patient: PatientRow, visit: OpenVisit, kind: VisitKind = VisitKind.FIRST_VISIT
    ) -> None:
        """The patient has an unfinished visit: carry on with it or abandon it, never both."""
        today = visit.visit_date == self._ctx.today()
        page = ""
        if visit.needs_staff:
            where = "waiting"
        elif visit.kiosk_station:
            page = page_label(self._ctx, visit.page)
            where = "kiosk" if page else "kiosk_first"
        else:
            where = "new"
        intro = words(
            f"desk.open_{'today' if today else 'earlier'}_{where}",
            name=escape(patient.full_name),
            time=self._clock.time(visit.started_at),
            date=visit.visit_date.isoformat(),
            page=escape(page),
        )
        dialog = OpenVisitDialog(intro, visit.resumable, self._page)
        dialog.resume_chosen.connect(lambda: self._resume_visit(dialog, patient, visit))
        dialog.restart_chosen.connect(
            lambda reason: self._restart_visit(dialog, patient, visit, reason, kind)
        )
        self._page.open_dialog(dialog)

    def _resume_visit(self, dialog: OpenVisitDialog, patient: PatientRow, visit: OpenVisit) -> None:
        try:
            started = self._visits.new_code(self._actor, visit.visit_id)
        except KNOWN_ERRORS as exc:
            dialog.message.show_error(describe_error(exc))
            return
        dialog.accept()
        self._show_code(patient, started, new_code=True)

    def _restart_visit(
        self,
        dialog: OpenVisitDialog,
        patient: PatientRow,
        visit: OpenVisit,
        reason: str,
        kind: VisitKind = VisitKind.FIRST_VISIT,
    ) -> None:
        derm, name = self._dermatologist()
        try:
            started = self._visits.start_visit(
                self._actor,
                patient.id,
                patient.lang,
                derm,
                kind=kind,
                abandon_open=visit.visit_id,
                abandon_reason=reason,
            )
        except InvalidInput as exc:
            # The service's only problem with a reason given in the box (at most 200 characters
            # long): too short to say why.
            dialog.show_reason_error(
                words("desk.abandon_reason_needed")
                if "reason" in exc.errors
                else " ".join(problem_text(t) for t in exc.errors.values())
            )
            return
        except OpenVisitExists as exc:  # another station started one meanwhile: ask again
            dialog.accept()
            self._ask_about_open_visit(patient, exc.visit, kind)
            return
        except KNOWN_ERRORS as exc:
            dialog.message.show_error(describe_error(exc))
            return
        dialog.accept()
        self._show_code(patient, started, dermatologist=name)
