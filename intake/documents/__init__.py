"""Documents: consent, education packet and intake summary as PDF bytes; sealing and checking.

Importing this package is cheap: reportlab and pyHanko load only when a document is rendered,
signed or checked, so the kiosk starts fast. ``render_*`` come from ``intake.documents.render``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from intake.documents.errors import DocumentError, FormsMismatch, NotAPdf
from intake.documents.files import atomic_write
from intake.documents.fingerprint import record_fingerprint, record_sha256
from intake.documents.signing import ClinicSigner, VerifyResult, sign_pdf, verify_pdf

if TYPE_CHECKING:
    from intake.documents.render import (
        render_aftercare,
        render_checkin,
        render_consent,
        render_education,
        render_summary,
    )

__all__ = [
    "ClinicSigner",
    "DocumentError",
    "FormsMismatch",
    "NotAPdf",
    "VerifyResult",
    "atomic_write",
    "record_fingerprint",
    "record_sha256",
    "render_aftercare",
    "render_checkin",
    "render_consent",
    "render_education",
    "render_summary",
    "sign_pdf",
    "verify_pdf",
]

_RENDERERS = (
    "render_aftercare",
    "render_checkin",
    "render_consent",
    "render_education",
    "render_summary",
)


def __getattr__(name: str) -> Any:
    # The renderers pull in reportlab: load them on first use only.
    if name in _RENDERERS:
        from intake.documents import render

        return getattr(render, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
