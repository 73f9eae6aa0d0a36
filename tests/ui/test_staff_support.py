"""Helpers shared by the staff UI tests (imported by them; holds no tests itself)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from intake.services.context import Actor, AppContext
from intake.services.scripted import ScriptedPatient, ensure_staff, walk_visit
from intake.services.staff import StaffInfo, staff_actor


@pytest.fixture(autouse=True)
def background_work_finishes(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Work sent off the GUI thread (documents, countersigning) ends before the database goes."""
    from intake.ui.operations import wait_for_operations

    for name in ("ctx", "sqlite_ctx"):
        if name in request.fixturenames:
            request.getfixturevalue(name)  # set up first, so torn down after this
    yield
    assert wait_for_operations(60_000)


def desk_info(ctx: AppContext) -> StaffInfo:
    return ensure_staff(ctx, "front_desk", "desk", "Front Desk")


def clinician_info(ctx: AppContext) -> StaffInfo:
    return ensure_staff(ctx, "clinician", "derm", "Dr Ana Ruiz")


def desk(ctx: AppContext) -> Actor:
    return staff_actor(desk_info(ctx))


def clinician(ctx: AppContext) -> Actor:
    return staff_actor(clinician_info(ctx))


def search(qtbot, page, text: str) -> None:  # type: ignore[no-untyped-def]
    """Search on a staff page (or a search panel) and wait for the patients found."""
    panel = getattr(page, "search_panel", page)
    with qtbot.waitSignal(panel.searched, timeout=10_000):
        page.search_for(text)


def refresh_board(qtbot, board) -> None:  # type: ignore[no-untyped-def]
    """Refresh the status board and wait for its rows (read off the GUI thread)."""
    with qtbot.waitSignal(board.refreshed, timeout=10_000):
        board.refresh()


def refresh_queue(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    """Refresh the dermatologist's queue and wait for it (read off the GUI thread)."""
    with qtbot.waitSignal(page.queue_refreshed, timeout=10_000):
        page.refresh_queue()


def signed_visit(ctx: AppContext, **patient: Any) -> tuple[str, int]:
    """A visit walked through the kiosk and signed: (visit id, patient id)."""
    from intake.services.visits import VisitService

    vid, _, _ = walk_visit(ctx, ScriptedPatient(**patient))
    row = next(r for r in VisitService(ctx).board(desk(ctx)) if r.visit_id == vid)
    return vid, row.patient_id


def pdf_printer(path: Path, paper: str | None = None) -> QPrinter:
    """A printer that writes a PDF file: what the tests print to instead of paper.

    ``paper`` ("a4" or "letter") stands for the queue's default paper.
    """
    from PySide6.QtGui import QPageSize

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    if paper is not None:
        sizes = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
        printer.setPageSize(QPageSize(sizes[paper]))
    return printer


def printer_to(path: Path, paper: str | None = None):  # type: ignore[no-untyped-def]
    """A stand-in for the system print dialog: 'chooses' a PDF-file printer at once."""

    def choose(_parent: QWidget, on_chosen) -> None:  # type: ignore[no-untyped-def]
        on_chosen(pdf_printer(path, paper))

    return choose


LETTER_POINTS = (612, 792)
A4_POINTS = (595, 842)


def pdf_page_sizes(path: Path) -> list[tuple[int, int]]:
    """Each page's width and height in points, rounded."""
    from pypdf import PdfReader

    return [
        (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
        for page in PdfReader(str(path)).pages
    ]


def pdf_title(path: Path) -> str:
    """The document title a PDF printer wrote: the print job's name."""
    from pypdf import PdfReader

    meta = PdfReader(str(path)).metadata
    return str(meta.title or "") if meta is not None else ""


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def pdf_pages(data_or_path: bytes | Path) -> int:
    import io

    from pypdf import PdfReader

    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else str(data_or_path)
    return len(PdfReader(source).pages)


@dataclass(frozen=True)
class Event:
    action: str
    entity: str
    entity_id: str
    actor: str
    detail: dict[str, Any]


def audit_events(
    ctx: AppContext, action: str | None = None, entity: str | None = None
) -> list[Event]:
    """Audit events, oldest first (tests may read the store directly; the UI never does)."""
    from sqlalchemy import select

    from intake.store.models import AuditEvent

    with ctx.db.session() as s:
        stmt = select(AuditEvent).order_by(AuditEvent.seq)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        if entity:
            stmt = stmt.where(AuditEvent.entity == entity)
        return [
            Event(e.action, e.entity, e.entity_id, e.actor, dict(e.detail or {}))
            for e in s.scalars(stmt)
        ]


def draw_signature(pad: QWidget) -> None:
    """Real pressed-button mouse events across the pad: two loops, like a signature."""
    import math

    w, h = pad.width(), pad.height()

    def send(kind: QEvent.Type, x: float, y: float, buttons: Qt.MouseButton) -> None:
        pos = QPointF(x, y)
        event = QMouseEvent(
            kind,
            pos,
            pad.mapToGlobal(pos),
            Qt.MouseButton.LeftButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(pad, event)

    for part in range(2):
        points = [
            (w * (0.1 + 0.35 * t / 40 + 0.45 * part), h * (0.5 + 0.3 * math.sin(t / 4 + part)))
            for t in range(41)
        ]
        send(QEvent.Type.MouseButtonPress, *points[0], Qt.MouseButton.LeftButton)
        for x, y in points[1:]:
            send(QEvent.Type.MouseMove, x, y, Qt.MouseButton.LeftButton)
        send(QEvent.Type.MouseButtonRelease, *points[-1], Qt.MouseButton.NoButton)


def visible_text(root: QWidget) -> str:
    """Every piece of text a person could read in ``root`` right now (labels, tables, fields)."""
    from PySide6.QtWidgets import QAbstractItemView, QLineEdit

    parts: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if not w.isVisible():
            continue
        if isinstance(w, QLabel | QLineEdit):
            parts.append(w.text())
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            for r in range(model.rowCount()):
                for c in range(model.columnCount()):
                    parts.append(str(model.index(r, c).data() or ""))
    return "\n".join(parts)


def today(ctx: AppContext) -> dt.date:
    return ctx.today()
