"""Staff screens: sign-in, front desk, status board, dermatologist review, documents.

Importing the package is cheap; each screen's module loads when it is first used, so the
application paints its first window before the services (and SQLAlchemy) are imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ClinicianPage": "intake.ui.staff.clinician",
    "CountersignDialog": "intake.ui.staff.countersign",
    "CourseWidget": "intake.ui.staff.course",
    "DocumentsWidget": "intake.ui.staff.documents_tab",
    "FirstRunPage": "intake.ui.staff.login",
    "FrontDeskPage": "intake.ui.staff.front_desk",
    "LabsWidget": "intake.ui.staff.labs",
    "PatientDialog": "intake.ui.staff.patient_dialog",
    "PatientSearchModel": "intake.ui.staff.search_model",
    "PdfPreviewDialog": "intake.ui.staff.pdf_preview",
    "PregnancyStatusWidget": "intake.ui.staff.pregnancy",
    "ReviewWidget": "intake.ui.staff.review",
    "StaffLoginPage": "intake.ui.staff.login",
    "StaffWindow": "intake.ui.staff.window",
    "StatusBoardWidget": "intake.ui.staff.status_board",
    "VisitCodeDialog": "intake.ui.staff.visit_code",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
