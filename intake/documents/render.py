"""Consent, education packet and intake summary as PDF bytes: data in, bytes out.

The three documents live in ``consent``, ``education`` and ``summary``; what they share (fonts,
styles, page furniture, the document template, signature blocks) in ``layout``; their own words
in each language in ``strings``. This module is the entry point.

Rendering is pure and deterministic: the same record and forms give the same bytes (reportlab's
invariant mode, the creation date taken from the record), so a document can be made again and
compared, and tested without Qt or a database. Every page carries the document id, its issue,
"page X of Y", the form versions, a short fingerprint of the record and a QR code of the id, issue
and fingerprint (``check_payload``), so a paper copy can be checked. The output is PDF/A-3b
(``intake.documents.pdfa``); the consent can carry the visit's FHIR record as an associated file.
"""

from __future__ import annotations

from intake.documents.aftercare import _aftercare_story
from intake.documents.checkin import _checkin_story
from intake.documents.consent import _check_forms, _consent_story
from intake.documents.education import _education_story
from intake.documents.fingerprint import record_fingerprint
from intake.documents.layout import (
    FHIR_MIME,
    FONT,
    FONT_BOLD,
    PAGE_SIZES,
    RECORD_FILE,
    Para,
    SignatureDrawing,
    _build,
    _logo_path,
    _styles,
    body_blocks,
    register_fonts,
)
from intake.documents.pdfa import Attachment
from intake.documents.summary import _summary_story, answer_text
from intake.domain.completion import AftercareRecord
from intake.domain.records import ConsentRecord
from intake.forms.model import FormSet

# The module's own entry points, and what the checklist and the tests use of the layout.
__all__ = [
    "FONT",
    "FONT_BOLD",
    "PAGE_SIZES",
    "RECORD_FILE",
    "Para",
    "SignatureDrawing",
    "_logo_path",
    "_styles",
    "answer_text",
    "body_blocks",
    "record_fingerprint",
    "register_fonts",
    "render_aftercare",
    "render_checkin",
    "render_consent",
    "render_education",
    "render_summary",
]


# --- entry points -------------------------------------------------------------------------------


def render_consent(
    record: ConsentRecord,
    forms: FormSet,
    page_size: str = "letter",
    fhir_bundle: bytes | None = None,
    *,
    issue: int = 1,
) -> bytes:
    """The consent: every applicable statement with its initials and times, and the signatures.

    ``fhir_bundle`` (the visit's record as a FHIR R4 Bundle, JSON) is embedded as the PDF/A-3
    associated file ``RECORD_FILE`` (AFRelationship Data), so the seal covers it too.
    """
    _check_forms(record, forms)
    attachments: tuple[Attachment, ...] = ()
    if fhir_bundle is not None:
        attachments = (
            Attachment(
                RECORD_FILE,
                fhir_bundle,
                FHIR_MIME,
                "The visit's record as a FHIR R4 Bundle (JSON), as it stood when this document was sealed",
            ),
        )
    return _build(
        record,
        forms,
        page_size,
        "consent",
        ("risks", "quiz", "intake"),
        lambda doc: _consent_story(record, forms, doc),
        attachments,
        issue,
    )


def render_education(
    record: ConsentRecord, forms: FormSet, page_size: str = "letter", *, issue: int = 1
) -> bytes:
    """The patient's personalised education packet, with a one-page 'when to call us now'."""
    return _build(
        record,
        forms,
        page_size,
        "education",
        ("education", "clinic"),
        lambda doc: _education_story(record, forms, doc),
        issue=issue,
    )


def render_summary(
    record: ConsentRecord, forms: FormSet, page_size: str = "letter", *, issue: int = 1
) -> bytes:
    """The clinician-facing intake summary: flags first, then the mood screen and every answer."""
    return _build(
        record,
        forms,
        page_size,
        "summary",
        ("intake", "phq9"),
        lambda doc: _summary_story(record, forms, doc),
        issue=issue,
    )


def render_aftercare(
    record: AftercareRecord, forms: FormSet, page_size: str = "letter", *, issue: int = 1
) -> bytes:
    """The aftercare packet at the end of a course: the patient's dates and what to do."""
    return _build(
        record,
        forms,
        page_size,
        "aftercare",
        ("aftercare", "programme"),
        lambda doc: _aftercare_story(record, forms, doc),
        issue=issue,
    )


def render_checkin(
    record: ConsentRecord, forms: FormSet, page_size: str = "letter", *, issue: int = 1
) -> bytes:
    """A monthly check-in: what the patient reported this month, and their signed attestation."""
    return _build(
        record,
        forms,
        page_size,
        "checkin",
        ("checkin", "phq9", "quiz"),
        lambda doc: _checkin_story(record, forms, doc),
        issue=issue,
    )
