"""`main.py demo`: one synthetic adult who can become pregnant, through the real services.

The demo works in whatever database is configured (by default the clinic's own), but only in
one that holds nothing else: its staff accounts (``DEMO_ACCOUNTS``, PIN ``STAFF_PIN``) and
patients are marked as demo ones, the accounts cannot sign in, and a database with any account
or patient the demo did not make is refused (``NotAllowed``) before anything is written.
"""

from __future__ import annotations

from pathlib import Path

from intake import i18n
from intake.services.context import Actor, AppContext, open_context
from intake.services.documents import DocumentInfo, DocumentService
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    finish_course,
    review_everything,
    signature_strokes,
    walk_checkin,
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


def run_demo(out: Path, lang: str = "en", *, course: bool = False) -> list[Path]:
    """Walk the visit, countersign it, and write the three signed PDFs to ``out``.

    ``course``: then five monthly check-ins (the second with a wrong quiz answer, the third
    with a new severe symptom) and the course's completion, writing each check-in record and
    the aftercare packet too.
    """
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
    if course:
        written += _course(ctx, patient, visit_id, clinician, out)
    ctx.db.dispose()
    return written


CHECKINS = 5
WRONG_ANSWER_MONTH = 2
SEVERE_MONTH = 3


def _course(
    ctx: AppContext, patient: ScriptedPatient, visit_id: str, clinician: Actor, out: Path
) -> list[Path]:
    """The rest of the demo course, after the first visit: its documents' paths."""
    from intake.documents import atomic_write
    from intake.store.models import Visit

    with ctx.db.session() as s:
        row = s.get(Visit, visit_id)
        assert row is not None
        patient_id = row.patient_id
    docs = DocumentService(ctx)
    written = []
    for month in range(1, CHECKINS + 1):
        vid, kiosk, outcome = walk_checkin(
            ctx,
            patient,
            patient_id,
            wrong_answer=month == WRONG_ANSWER_MONTH,
            severe=month == SEVERE_MONTH,
        )
        assert outcome.submitted
        made = next(d for d in docs.issue_documents(kiosk, vid) if d.kind == "checkin")
        path = out / f"checkin-month-{month}.pdf"
        atomic_write(path, docs.open_pdf(clinician, made.id, "export"))
        written.append(path.resolve())
    _done, packet = finish_course(
        ctx, clinician, patient_id, ctx.today(), mg_per_kg=COURSE_MG_PER_KG
    )
    path = out / "aftercare-packet.pdf"
    atomic_write(path, docs.open_pdf(clinician, packet.id, "export"))
    written.append(path.resolve())
    return written


COURSE_MG_PER_KG = 125.0
