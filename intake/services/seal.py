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


def clinic_certificate(ctx: AppContext) -> bytes | None:
    """The clinic certificate heads are checked against, read without the key (a check never
    makes a key); None when this installation has none."""
    from intake.services.documents import clinic_certificate as installed

    return installed(ctx)


def head_problem(state: HeadState, certificate: bytes | None) -> str | None:
    """Why ``state`` is not a head signed by the key of ``certificate``, or None."""
    from intake.documents.signing import certificate_fingerprint, verify_detached

    if certificate is None:
        return "there is no clinic certificate in this installation to check the chain head with"
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
    session.info[SIGNED_HEAD] = (head.seq, head.hash)
    return True


# --- the head this station last signed, kept outside the database -------------------------------

SIGNED_HEAD = "intake_signed_head"
REMEMBERED = "audit-head"


def remembered_head(ctx: AppContext) -> tuple[int, str] | None:
    """The last head this station signed, from its secret store (None if it never signed one)."""
    from intake.secrets import SecretStoreError, get_secret

    try:
        value = get_secret(REMEMBERED, folder=ctx.data_dir)
    except SecretStoreError:
        return None
    seq, _, digest = (value or "").partition(":")
    return (int(seq), digest) if seq.isdigit() and len(digest) == 64 else None


def remember_head(ctx: AppContext, signed: tuple[int, str] | None, *, reset: bool = False) -> None:
    """Keep ``signed`` as this station's last head (a later one never gives way to an earlier
    one, unless ``reset``: a restore puts an older database in place on purpose).

    Someone with the database but not this station's secret store cannot cut the chain back, put
    an older signed head in place or empty the trail without ``audit verify`` here saying so.
    """
    if signed is None:
        return
    from intake.secrets import SecretStoreError, set_secret

    seq, digest = signed
    known = None if reset else remembered_head(ctx)
    if known is not None and known[0] >= seq:
        return
    try:
        set_secret(REMEMBERED, f"{seq}:{digest}", folder=ctx.data_dir)
    except (SecretStoreError, OSError):  # the record is saved; the check falls back to the kept head
        log.warning("the audit head could not be remembered outside the database")
