"""The audit head, signed with the clinic key once per unit of work that appended events.

Only a head that verifies is signed over: a unit of work that finds the head unsigned, or signed
by another key (a chain rewritten or shortened without the key, a head not sealed since the
upgrade to signed heads), leaves the new head unsigned too, so ``audit verify`` keeps reporting
it instead of the next write vouching for it. ``AuditService.seal`` signs such a head after the
chain's hashes were checked: a decision for an administrator.
"""

from __future__ import annotations

import base64
import binascii
import logging

from sqlalchemy.orm import Session

from intake.services.context import AppContext
from intake.store import audit
from intake.store.audit import HeadState
from intake.store.models import AuditHead

log = logging.getLogger(__name__)


def clinic_certificate(ctx: AppContext) -> bytes:
    from intake.services.documents import clinic_signer

    return bytes(clinic_signer(ctx).certificate_pem)


def head_problem(state: HeadState, certificate: bytes) -> str | None:
    """Why ``state`` is not a head signed by the key of ``certificate``, or None."""
    from intake.documents.signing import certificate_fingerprint, verify_detached

    if not state.signature:
        return "the chain head is not signed"
    if state.signer != certificate_fingerprint(certificate):
        return "the chain head is signed by another key than the clinic's"
    try:
        raw = base64.b64decode(state.signature, validate=True)
    except (binascii.Error, ValueError):
        return "the chain head's signature is damaged"
    if not verify_detached(certificate, audit.head_message(state.seq, state.hash), raw):
        return "the chain head's signature does not match it (rewritten or shortened)"
    return None


def sign_head(ctx: AppContext, session: Session, *, force: bool = False) -> bool:
    """Sign the head this unit of work wrote; False if it is left unsigned (see the module)."""
    from intake.documents.signing import certificate_fingerprint, sign_detached

    previous = session.info.pop(audit.PREVIOUS_HEAD, None)
    if previous is None and not force:
        return True  # nothing appended: the head is as it was
    head = session.get(AuditHead, 1)
    if head is None:
        return False
    from intake.services.documents import clinic_signer

    signer = clinic_signer(ctx)
    if (
        not force
        and isinstance(previous, HeadState)
        and head_problem(previous, signer.certificate_pem) is not None
    ):
        log.warning("audit head left unsigned: the head before this change does not verify")
        return False
    raw = sign_detached(signer, audit.head_message(head.seq, head.hash))
    head.signature = base64.b64encode(raw).decode("ascii")
    head.signer = certificate_fingerprint(signer.certificate_pem)
    session.flush()
    return True
