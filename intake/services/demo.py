"""`main.py demo`: one synthetic adult who can become pregnant, through the real services.

The demo works in whatever database is configured (by default the clinic's own), but only in
one that holds nothing else: its staff accounts (``DEMO_ACCOUNTS``, PIN ``STAFF_PIN``) and
patients are marked as demo ones, the accounts cannot sign in, and a database with any account
or patient the demo did not make is refused (``NotAllowed``) before anything is written.
"""

from __future__ import annotations

from pathlib import Path

from intake import i18n
from intake.services.context import open_context
from intake.services.documents import DocumentInfo, DocumentService
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    review_everything,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import StaffService, staff_actor

DEMO_ACCOUNTS = (
    ("admin", "Clinic Administrator", "admin"),
    ("dr.ruiz", "Dr Ana Ruiz", "clinician"),
    ("desk", "Front Desk", "front_desk"),
)

FILE_NAMES = {
    "consent": "consent.pdf",
    "education": "education-packet.pdf",
    "summary": "intake-summary.pdf",
}


def run_demo(out: Path, lang: str = "en") -> list[Path]:
    """Walk the visit, countersign it, and write the three signed PDFs to ``out``."""
    from intake.documents import atomic_write

    ctx = open_context()
    ctx.demo = True
    try:
        accounts = StaffService(ctx).ensure_demo_accounts(DEMO_ACCOUNTS, STAFF_PIN)
    except BaseException:
        ctx.db.dispose()
        raise
    # The source language (and a pseudo-locale made from it) keeps the default patient.
    patient = (
        ScriptedPatient(lang=lang)
        if i18n.base_language(lang) == i18n.source_language()
        else ScriptedPatient(first_name="Lucía", last_name="Ñúñez", lang=lang)
    )
    clinician = staff_actor(next(a for a in accounts if a.username == "dr.ruiz"))
    visit_id, kiosk, outcome = walk_visit(ctx, patient, allow_duplicate=True)
    assert outcome is not None and outcome.submitted
    docs = DocumentService(ctx)
    docs.issue_documents(kiosk, visit_id)
    docs.countersign(
        clinician,
        visit_id,
        "Dr Ana Ruiz",
        signature_strokes(seed=5),
        600,
        200,
        secret=STAFF_PIN,
        # The demo dermatologist ticks each serious flag, as the dialog asks.
        reviewed=review_everything(ctx, clinician, visit_id),
    )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    latest: dict[str, DocumentInfo] = {}
    for d in docs.documents(clinician, visit_id):  # newest issue first per kind
        latest.setdefault(d.kind, d)
    for kind, name in FILE_NAMES.items():
        path = out / name
        atomic_write(path, docs.open_pdf(clinician, latest[kind].id, "export"))
        written.append(path.resolve())
    ctx.db.dispose()
    return written
