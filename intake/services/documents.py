"""Documents: made from the stored record, sealed with the clinic key, kept in the database.

Rendering and sealing import reportlab and pyHanko on first use only (intake.documents is lazy).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from intake.documents.errors import DocumentError
from intake.documents.fingerprint import FINGERPRINT_LENGTH, parse_check_text, record_sha256
from intake.domain import flags, rules
from intake.domain.course import pregnancy_hold
from intake.domain.errors import Coded
from intake.domain.kinds import SignerRole, StaffRole, VisitStatus
from intake.domain.names import titled
from intake.domain.records import SIGNATURE_MEANINGS, ConsentRecord
from intake.domain.timestamps import TimestampState
from intake.services import form_snapshots, integrity, row_digests
from intake.services.base import Service, require_role, require_visit
from intake.services.context import Actor, AppContext
from intake.services.errors import (
    Conflict,
    FormsNotReady,
    Immutable,
    InvalidInput,
    NotAllowed,
    NotFound,
    RecordMismatch,
    SealingFailed,
    SigningUnavailable,
)
from intake.services.records import build_record, clinician_override, document_id
from intake.services.staff import StaffService
from intake.services.visits import countersign_binding, signature_digest, signature_problem
from intake.store.models import (
    Document,
    DocumentTimestamp,
    Patient,
    PregnancyTest,
    Signature,
    StaffUser,
    Visit,
)

KINDS = ("consent", "education", "summary")
FORMS_MISMATCH_MESSAGE = (
    "This visit was signed under form versions (risk statements or questions) that are neither"
    " loaded nor kept in the database, so its documents cannot be drawn as signed. Nothing was"
    " signed or issued. Please tell the clinic's administrator (`main.py audit verify`)."
)
# The forms whose questions a document draws beside the patient's answers (the risk statements
# are kept by content, see form_snapshots): a record is drawn only with the versions it was
# answered under, never with a later version's wording.
DRAWN_FORMS = {"checkin": ("checkin", "phq9", "quiz"), "summary": ("intake", "phq9", "quiz")}
# What a signed visit issues, by the visit's kind: a monthly check-in makes its own record.
KINDS_FOR_VISIT = {"first_visit": KINDS, "checkin": ("checkin",)}


def kinds_for_visit(visit: Visit) -> tuple[str, ...]:
    """The documents a signed visit issues: a check-in that carried a re-consent also issues
    the renewed consent, as a first visit's re-consent does."""
    kinds = KINDS_FOR_VISIT.get(visit.kind, KINDS)
    if "consent" not in kinds and "carried_over" in (visit.reconsent or {}):
        kinds = (*kinds, "consent")
    return kinds


_FORM_FOR_KIND = {
    "consent": "risks",
    "education": "education",
    "summary": "intake",
    "checklist": "clinic",
    "aftercare": "aftercare",
    "checkin": "checkin",
}
_signers: dict[str, Any] = {}
_signer_lock = threading.Lock()
# After the time-stamping authority fails, documents are sealed B-B (timestamp pending) without
# asking it again for this long, so that a TSA that is down costs one timeout, not one per
# document.
TSA_RETRY_AFTER = dt.timedelta(minutes=5)
_tsa_down_until: dict[str, dt.datetime] = {}
# Likewise after the clinic CA's revocation service fails: documents are sealed without the
# validation data (B-T rather than B-LTA) without asking it again for this long.
REVOCATION_RETRY_AFTER = dt.timedelta(minutes=5)
_revocation_down_until: dict[str, dt.datetime] = {}


@dataclass(frozen=True)
class TsaSettings:
    """The clinic's time-stamping authority, from the environment (see README, Documents)."""

    url: str
    user: str = ""
    password: str = ""

    @classmethod
    def from_env(cls) -> TsaSettings | None:
        url = os.environ.get("INTAKE_TSA_URL", "").strip()
        if not url:
            return None
        return cls(
            url,
            os.environ.get("INTAKE_TSA_USER", ""),
            os.environ.get("INTAKE_TSA_PASSWORD", ""),
        )

    def stamper(self) -> Any:
        from intake.documents.signing import time_stamper

        return time_stamper(self.url, user=self.user, password=self.password)


def tsa_roots() -> Any:
    """What a time-stamping authority must chain to: the PEM file in INTAKE_TSA_CA, else the
    operating system's trust list."""
    path = os.environ.get("INTAKE_TSA_CA", "").strip()
    return Path(path) if path else "system"


@dataclass(frozen=True)
class TimestampReport:
    """What ``timestamp_pending`` did: documents timestamped, still pending, and why."""

    timestamped: tuple[str, ...]
    still_pending: tuple[str, ...]
    problem: str = ""


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    visit_id: str
    kind: str
    issue: int
    lang: str
    sha256: str
    size: int
    created_at: dt.datetime
    supersedes_id: str | None
    # Filled in by ``documents``, ``issue_documents`` and ``verify_bytes``; NONE elsewhere.
    timestamp: TimestampState = TimestampState.NONE
    timestamped_at: dt.datetime | None = None  # the time the authority's token states

    @property
    def timestamp_pending(self) -> bool:
        return self.timestamp is TimestampState.PENDING


@dataclass(frozen=True)
class VerifyOutcome:
    valid: bool
    usable: bool
    reason: str
    document: DocumentInfo | None = None


# A sealed document is well under 1 MB; a file this large is refused before it is read.
MAX_VERIFY_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class SignedBy:
    """A signature on a document: the role, the staff member's name (never a patient's), when."""

    role: str
    name: str
    signed_at: dt.datetime


@dataclass(frozen=True)
class PaperCheck:
    """What the id, fingerprint or QR code of a printed copy says about the stored document."""

    found: bool
    reason: str
    document: DocumentInfo | None = None
    record_number: str = ""
    current: bool = False
    superseded_by: DocumentInfo | None = None
    signatures: tuple[SignedBy, ...] = ()
    # False: the printed fingerprint is not this document's (a copy made up or altered);
    # None: nothing to compare (only the id was given, or an issue from before fingerprints).
    fingerprint_matches: bool | None = None
    # False: the text is no document id, fingerprint or QR payload at all (unusable input).
    recognised: bool = True


def describe_check(check: PaperCheck, timezone: str) -> list[str]:
    """The answer of a paper check as lines a person reads (the command and the screen)."""
    from zoneinfo import ZoneInfo

    if not check.found or check.document is None:
        return [check.reason]
    d = check.document
    zone = ZoneInfo(timezone)

    def when(moment: dt.datetime) -> str:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    lines = [
        check.reason,
        f"record number {check.record_number}, visit {d.visit_id}",
        f"{d.kind} issue {d.issue}, made {when(d.created_at)} ({d.id})",
    ]
    if check.current:
        lines.append("current: the latest issue of this document")
    elif check.superseded_by is not None:
        lines.append(
            f"superseded by issue {check.superseded_by.issue} ({check.superseded_by.id}),"
            f" made {when(check.superseded_by.created_at)}"
        )
    for sig in check.signatures:
        who = f"{sig.role} ({sig.name})" if sig.name else sig.role
        lines.append(f"signed by the {who} at {when(sig.signed_at)}")
    if not check.signatures:
        lines.append("no signatures")
    return lines


def _embedded(bundle: bytes | None) -> dict[str, Any]:
    """The audit detail of a bundle embedded in a document: its hash and size, no content."""
    if bundle is None:
        return {}
    return {"fhir_sha256": hashlib.sha256(bundle).hexdigest(), "fhir_size": len(bundle)}


def _naive(moment: dt.datetime) -> dt.datetime:
    """UTC without tzinfo, so times read back from SQLite and PostgreSQL compare alike."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _fold_name(name: str) -> str:
    from intake.services.patients import fold

    return fold(name.replace("Dr.", "").replace("Dr ", "").replace(".", " "))


def _info(
    d: Document, size: int | None = None, stamped: tuple[str, int] | None = None
) -> DocumentInfo:
    """``stamped`` is (SHA-256, size) of the document's timestamped version, when it has one:
    that file is the current one."""
    sha, length = stamped if stamped is not None else (d.sha256, size)
    return DocumentInfo(
        d.id,
        d.visit_id,
        d.kind,
        d.issue,
        d.lang,
        sha,
        length if length is not None else len(d.pdf),
        d.created_at,
        d.supersedes_id,
    )


# The time in each file's time-stamp token, by the file's SHA-256: stored files never change, so
# a listing reads each token once per process.
_token_times: dict[str, Any] = {}
_TOKEN_TIMES_KEPT = 4096


def _token_time(sha256: str, pdf: Callable[[], bytes]) -> Any:
    """``StampTime`` of the file's time-stamp token, or None when it has none."""
    if sha256 not in _token_times:
        from intake.documents.signing import timestamp_time

        if len(_token_times) >= _TOKEN_TIMES_KEPT:
            _token_times.clear()
        _token_times[sha256] = timestamp_time(bytes(pdf()))
    return _token_times[sha256]


def _with_timestamp(
    info: DocumentInfo, d: Document, stamp: DocumentTimestamp | None
) -> DocumentInfo:
    """``info`` with whether (and when) the document is timestamped, or that it is pending."""
    if stamp is not None:
        found = _token_time(stamp.sha256, lambda: stamp.pdf)
        return dataclasses.replace(
            info, timestamp=TimestampState.ADDED, timestamped_at=found.at if found else None
        )
    if d.timestamp_pending:
        return dataclasses.replace(info, timestamp=TimestampState.PENDING)
    found = _token_time(d.sha256, lambda: d.pdf)
    if found is None:
        return info
    return dataclasses.replace(info, timestamp=TimestampState.AT_SEALING, timestamped_at=found.at)


def _stamps(s: Any, ids: Sequence[str]) -> dict[str, DocumentTimestamp]:
    """The timestamped version of each of ``ids`` that has one."""
    if not ids:
        return {}
    rows = s.scalars(select(DocumentTimestamp).where(DocumentTimestamp.document_id.in_(list(ids))))
    return {row.document_id: row for row in rows}


def _listed(d: Document, stamp: DocumentTimestamp | None, size: int | None = None) -> DocumentInfo:
    """A document as a listing shows it: its current file, and its timestamp state."""
    current = (stamp.sha256, len(stamp.pdf)) if stamp is not None else None
    return _with_timestamp(_info(d, size, current), d, stamp)


def _stamped(s: Any, ids: Sequence[str]) -> dict[str, tuple[str, int]]:
    """(SHA-256, size) of the timestamped version of each of ``ids`` that has one."""
    if not ids:
        return {}
    rows = s.execute(
        select(
            DocumentTimestamp.document_id,
            DocumentTimestamp.sha256,
            func.length(DocumentTimestamp.pdf),
        ).where(DocumentTimestamp.document_id.in_(list(ids)))
    ).all()
    return {did: (sha, size) for did, sha, size in rows}


def _later_timestamp(info: DocumentInfo) -> str:
    """What a file sealed B-B does not show: that its document was timestamped since (a newer
    stored version), or that its timestamp is still to come."""
    if info.timestamp is TimestampState.ADDED:
        when = (
            f" of {info.timestamped_at.astimezone(dt.UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}"
            if info.timestamped_at is not None
            else ""
        )
        return (
            f"; a timestamped version of this document is stored (PAdES B-T, document timestamp"
            f"{when}): this file was exported before it was timestamped, and the app gives the"
            f" timestamped file when the document is opened or printed again"
        )
    if info.timestamp is TimestampState.PENDING:
        return (
            "; its timestamp is pending: it is added as a new stored version once the"
            " time-stamping authority answers (main.py timestamp pending, or Add pending"
            " timestamps in the staff Station menu)"
        )
    return ""


def current_pdf(s: Any, d: Document) -> bytes:
    """The document's current file: the timestamped version if there is one, else as sealed."""
    stamp = s.get(DocumentTimestamp, d.id)
    return bytes(stamp.pdf if stamp is not None else d.pdf)


def clinic_signer(ctx: AppContext) -> Any:
    """The clinic's key: a configured PKCS#12 file, or one made in the data folder on first use."""
    from intake.documents import ClinicSigner

    key = str(ctx.data_dir)
    with _signer_lock:
        if key not in _signers:
            pkcs12 = os.environ.get("INTAKE_PKCS12")
            clinic = ctx.forms.clinic
            _signers[key] = ClinicSigner.load_or_create(
                ctx.data_dir,
                pkcs12=pkcs12 or None,
                passphrase=os.environ.get("INTAKE_PKCS12_PASSPHRASE"),
                common_name=f"{clinic.name} document signing",
                organisation=clinic.name,
            )
        return _signers[key]


def clinic_certificate(ctx: AppContext) -> bytes | None:
    """The certificate documents are checked against, read without touching the key.

    None when this installation has none yet: checking a document never makes a key.
    """
    from intake.documents.signing import installation_certificate

    with _signer_lock:
        signer = _signers.get(str(ctx.data_dir))
    if signer is not None:
        return bytes(signer.certificate_pem + signer.chain_pem)
    return installation_certificate(
        ctx.data_dir,
        pkcs12=os.environ.get("INTAKE_PKCS12") or None,
        passphrase=os.environ.get("INTAKE_PKCS12_PASSPHRASE"),
    )


COUNTERSIGNED_MEANWHILE = "This consent was countersigned at another station a moment ago."
SAVED_MEANWHILE = "This was just saved at another station. Please reload and check it."


@dataclass(frozen=True)
class _Reissue:
    """A document a countersign issues: its record as stored with it, the issue it takes and
    the issue it supersedes."""

    kind: str
    record: ConsentRecord
    issue: int
    supersedes: str | None


@dataclass(frozen=True)
class _CountersignPlan:
    """What a countersign writes, worked out in a read unit of work: the review ticks the
    signature keeps, the documents it issues and the FHIR bundle inside the consent."""

    ticks: list[dict[str, str]]
    documents: tuple[_Reissue, ...]
    bundle: bytes
    # The prescriber attestations of the visit's rule set, kept with the review ticks.
    attestations: list[dict[str, str]] = dataclasses.field(default_factory=list)

    @property
    def kept(self) -> list[dict[str, str]]:
        """What the signature keeps and is bound to: the review ticks, then the attestations."""
        return self.ticks + self.attestations


class _Changed(Exception):
    """The visit, read again in the write unit of work, is not what was rendered: nothing is
    written, and the countersign reads, renders and seals again."""


ATTESTATION_PREFIX = "attestation:"  # a kept entry that is a prescriber attestation, not a flag


def _attestations(
    forms: Any, record: ConsentRecord, attested: Sequence[str]
) -> list[dict[str, str]]:
    """The prescriber attestations of the visit's rule set, each confirmed, as kept with the
    signature (as they read when signed); or a refusal naming those not confirmed."""
    ruleset = forms.programme.ruleset(record.ruleset_id)
    unacknowledged = rules.missing_acknowledgements(
        ruleset, (a.statement_id for a in record.acknowledgements if a.by == "patient")
    )
    if unacknowledged:
        raise InvalidInput(
            {
                "visit": Coded(
                    f"The programme rules {ruleset.id} ask the patient to acknowledge"
                    f" {', '.join(unacknowledged)}, and this consent was signed without them."
                    " Start a correction visit so the patient can acknowledge them.",
                    "acknowledgements_missing",
                    rules=ruleset.id,
                    statements=", ".join(unacknowledged),
                )
            }
        )
    missing = rules.missing_attestations(ruleset, attested)
    if missing:
        raise InvalidInput(
            {
                "attested": Coded(
                    "Confirm each statement before signing: "
                    + "; ".join(a.text.get("en") for a in missing),
                    "attestations_missing",
                    statements="; ".join(a.text.get("en") for a in missing),
                )
            }
        )
    return [
        {
            "flag": ATTESTATION_PREFIX + a.id,
            "text": a.text.get("en"),
            "text_es": a.text.get("es"),
        }
        for a in ruleset.prescriber_attestations
    ]


def _ticks(serious: Sequence[flags.Flag]) -> list[dict[str, str]]:
    """The review ticks a countersignature keeps: each serious flag as it reads."""
    return [{"flag": f.id, "text": f.text, "text_es": f.text_es} for f in serious]


def _digest(reissue: _Reissue) -> tuple[str, int, str | None, str]:
    return (reissue.kind, reissue.issue, reissue.supersedes, record_sha256(reissue.record))


class DocumentService(Service):
    def _require_intact(self, actor: Actor, visit_id: str) -> None:
        """Refuse a signed visit whose stored content no longer matches what was signed.

        The refusal is audited in a unit of work of its own (``integrity`` / ``record
        mismatch``), so it stays recorded although nothing else is saved.
        """
        with self.read() as s:
            visit = s.get(Visit, visit_id)
            problem = None if visit is None else integrity.visit_problem(self.ctx, s, visit)
            entries = (
                visit is not None
                and problem is None
                and bool(row_digests.clinical_problems(s, visit.patient_id))
            )
        if problem is None and not entries:
            return
        what = "entries mismatch" if entries else "record mismatch"
        with self.write() as s:
            self.audit(s, actor, "integrity", "visit", visit_id, {"problem": what})
        raise RecordMismatch(
            integrity.ENTRIES_MISMATCH_MESSAGE if entries else integrity.RECORD_MISMATCH_MESSAGE
        )

    def _require_forms_ready(self) -> None:
        """Documents are made only from forms whose every version is locked (see forms check)."""
        if self.ctx.form_problems:
            raise FormsNotReady(self.ctx.form_problems)

    def _render(
        self, kind: str, record: ConsentRecord, issue: int = 1, fhir_bundle: bytes | None = None
    ) -> tuple[bytes, bool]:
        from intake import documents

        paper = self.ctx.forms.clinic.paper
        forms = self.ctx.forms
        recorded = record.form_versions.get("risks")
        if recorded and recorded[1] and recorded[1] != forms.risks.meta.sha256:
            # Signed under another version of the risk statements: drawn as signed.
            with self.read() as s:
                forms = form_snapshots.forms_as_used(s, forms, record.form_versions)
        loaded = forms.versions()
        for form_id in DRAWN_FORMS.get(kind, ()):
            answered = record.form_versions.get(form_id)
            if answered and answered[1] and form_id in loaded and answered[1] != loaded[form_id][1]:
                # Answered under another version of the questions (a later countersignature
                # would draw new wording beside old answers): refused, nothing is issued.
                raise RecordMismatch(FORMS_MISMATCH_MESSAGE, code="forms_mismatch")
        try:
            if kind == "consent":
                pdf = documents.render_consent(record, forms, paper, fhir_bundle, issue=issue)
            else:
                renderer: Any = {
                    "education": documents.render_education,
                    "summary": documents.render_summary,
                    "aftercare": documents.render_aftercare,
                    "checkin": documents.render_checkin,
                }[kind]
                pdf = renderer(record, forms, paper, issue=issue)
        except documents.FormsMismatch:
            # Signed under risk statements neither loaded nor kept: never drawn with others.
            raise RecordMismatch(FORMS_MISMATCH_MESSAGE, code="forms_mismatch") from None
        return self._seal(kind, pdf)

    def _seal(self, kind: str, pdf: bytes) -> tuple[bytes, bool]:
        """The sealed file, and whether its timestamp is still to come.

        With a time-stamping authority configured the seal is B-T; when the authority gives no
        token (or failed a moment ago) the document is sealed B-B at once and marked pending, so
        the patient never waits on it. With a CA-issued clinic certificate (PKCS#12) its
        revocation data is fetched first (bounded in time): a revoked certificate seals
        nothing; otherwise, with the TSA, the seal is B-LTA, and when the data cannot be had
        it is B-T (B-B) as before and ``verify`` says what is missing.
        """
        from intake import documents
        from intake.documents.signing import (
            CertificateRevoked,
            RevocationUnavailable,
            TimestampUnavailable,
            fetch_validation_data,
        )

        tsa = TsaSettings.from_env()
        now = self.ctx.now()
        down_until = _tsa_down_until.get(tsa.url) if tsa else None
        use_tsa = tsa is not None and (down_until is None or now >= down_until)

        def seal(timestamper: Any, validation: Any = None) -> bytes:
            return documents.sign_pdf(
                pdf,
                clinic_signer(self.ctx),
                now,
                reason=f"{self.ctx.forms.clinic.name}: {kind}",
                location=self.ctx.forms.clinic.name,
                timestamper=timestamper,
                validation=validation,
            )

        try:
            signer = clinic_signer(self.ctx)
            stamper = tsa.stamper() if use_tsa and tsa is not None else None
            validation = None
            revocation_key = signer.source or str(self.ctx.data_dir)
            revocation_down = _revocation_down_until.get(revocation_key)
            if signer.chain and (revocation_down is None or now >= revocation_down):
                try:
                    validation = fetch_validation_data(
                        signer, timestamper=stamper, tsa_roots=tsa_roots()
                    )
                    _revocation_down_until.pop(revocation_key, None)
                except CertificateRevoked as exc:
                    raise SealingFailed(
                        f"The document cannot be sealed: {exc}", code="seal_failed", reason=str(exc)
                    ) from exc
                except RevocationUnavailable:
                    _revocation_down_until[revocation_key] = now + REVOCATION_RETRY_AFTER
                except TimestampUnavailable:
                    assert tsa is not None
                    _tsa_down_until[tsa.url] = now + TSA_RETRY_AFTER
                    stamper = None
                except (OSError, ValueError):
                    # INTAKE_TSA_CA missing or not certificates: the long-term data cannot be
                    # checked, so the seal stays B-T or B-B; the patient is never held up by
                    # a station's setting (``verify`` and ``timestamp pending`` say what is wrong).
                    _revocation_down_until[revocation_key] = now + REVOCATION_RETRY_AFTER
            if stamper is not None:
                assert tsa is not None
                try:
                    try:
                        sealed = seal(stamper, validation)
                    except RevocationUnavailable:
                        # The validation data could not be embedded: the seal stays B-T.
                        _revocation_down_until[revocation_key] = now + REVOCATION_RETRY_AFTER
                        sealed = seal(stamper)
                    _tsa_down_until.pop(tsa.url, None)
                    return sealed, False
                except TimestampUnavailable:
                    _tsa_down_until[tsa.url] = now + TSA_RETRY_AFTER
            return seal(None), tsa is not None
        except documents.DocumentError as exc:
            # The key, the certificate or the sealing itself: nothing is stored, and the
            # person is told why instead of getting a traceback.
            raise SealingFailed(
                f"The document cannot be sealed: {exc}", code="seal_failed", reason=str(exc)
            ) from exc

    def issue_documents(self, actor: Actor, visit_id: str) -> list[DocumentInfo]:
        """Make the consent, education packet and intake summary of a submitted visit (once)."""
        require_visit(actor, visit_id)
        self._require_forms_ready()
        self._require_intact(actor, visit_id)
        with self.read() as s:
            visit = s.get(Visit, visit_id)
            if visit is None:
                raise NotFound("No such visit.", code="visit_not_found")
            if visit.status not in ("submitted", "countersigned"):
                raise InvalidInput(
                    {
                        "visit": Coded(
                            "The documents are made once the visit is signed.", "not_signed_yet"
                        )
                    }
                )
            have = {
                d.kind for d in s.scalars(select(Document).where(Document.visit_id == visit_id))
            }
            missing = [k for k in kinds_for_visit(visit) if k not in have]
            base = build_record(s, self.ctx.forms, visit_id)
            # The record as FHIR, read in the same snapshot, goes inside the consent.
            bundle = self._record_bundle(s, visit_id) if "consent" in missing else None
        # Render and seal outside the transaction: no lock is held while reportlab works.
        made = []
        for kind in missing:
            record = dataclasses.replace(base, document_id=document_id(visit_id, kind, 1))
            inside = bundle if kind == "consent" else None
            made.append((kind, record, self._render(kind, record, 1, inside), inside))
        for kind, record, (pdf, pending), inside in made:
            # One unit of work per document: a consent issued by a countersign at the same
            # moment must not take the education packet and the summary down with it.
            form_id = _FORM_FOR_KIND[kind]
            version, sha = record.form_versions.get(form_id, ("", ""))
            try:
                self._store_first_issue(
                    actor, visit_id, kind, (form_id, version, sha), record, pdf, pending, inside
                )
            except Conflict:
                continue  # made at another station at the same moment
        return self._latest(visit_id)

    def issue_aftercare(self, actor: Actor, patient_id: int) -> DocumentInfo:
        """Make the aftercare packet of the patient's completed course (once), in the language
        of the consent visit, sealed and stored with that visit like its other documents."""
        from intake.domain.completion import aftercare_record
        from intake.services import clinician

        require_role(actor, *clinician.CLINICAL)
        self._require_forms_ready()
        with self.read() as s:
            row = clinician.current_completion(s, patient_id)
            if row is None:
                raise Conflict("Record the end of the course first.", code="completion_first")
            visit_id = row.consent_visit_id
            have = s.scalars(
                select(Document).where(Document.visit_id == visit_id, Document.kind == "aftercare")
            ).first()
        if have is not None:
            return next(d for d in self._latest(visit_id) if d.kind == "aftercare")
        self._require_intact(actor, visit_id)
        with self.read() as s:
            row = clinician.current_completion(s, patient_id)
            if row is None or row.consent_visit_id != visit_id:
                raise Conflict(
                    "The course changed meanwhile; please try again.", code="course_changed"
                )
            done, after = clinician.completion_facts(row)
            base = build_record(s, self.ctx.forms, visit_id)
            by = clinician.printed_name(s, row.actor)
            made_at = row.at
            # As the dates were counted: the clinician's confirmation wins over the answers.
            can_become_pregnant = row.can_become_pregnant
        meta = self.ctx.forms.aftercare.meta
        record = aftercare_record(
            base,
            done,
            after,
            by,
            document_id=document_id(visit_id, "aftercare", 1),
            form_versions={**base.form_versions, "aftercare": (meta.version, meta.sha256)},
            created_at=made_at,
            can_become_pregnant=can_become_pregnant,
        )
        # Render and seal outside the transaction, as the visit's other documents.
        pdf, pending = self._render("aftercare", record)
        with contextlib.suppress(Conflict):  # made at another station meanwhile: theirs stands
            self._store_first_issue(
                actor,
                visit_id,
                "aftercare",
                ("aftercare", meta.version, meta.sha256),
                record,
                pdf,
                pending,
            )
        return next(d for d in self._latest(visit_id) if d.kind == "aftercare")

    def _store_first_issue(
        self,
        actor: Actor,
        visit_id: str,
        kind: str,
        form: tuple[str, str, str],
        record: Any,
        pdf: bytes,
        pending: bool,
        inside: Any = None,
    ) -> None:
        """Store issue 1 of a visit's document of ``kind`` and audit it, in one unit of work;
        Conflict when the visit has one already (another station made it meanwhile)."""
        form_id, version, sha = form
        digest = hashlib.sha256(pdf).hexdigest()
        with self.write() as s:
            if s.scalar(
                select(func.count())
                .select_from(Document)
                .where(Document.visit_id == visit_id, Document.kind == kind)
            ):
                raise Conflict("made at another station", code="made_elsewhere")
            s.add(
                Document(
                    id=record.document_id,
                    visit_id=visit_id,
                    kind=kind,
                    issue=1,
                    form_id=form_id,
                    form_version=version,
                    form_sha256=sha,
                    lang=record.lang,
                    pdf=pdf,
                    sha256=digest,
                    record_sha256=record_sha256(record),
                    supersedes_id=None,
                    created_at=self.ctx.now(),
                    actor=actor.id,
                    station=self.ctx.station,
                    timestamp_pending=pending,
                )
            )
            detail: dict[str, Any] = {
                "kind": kind,
                "visit": visit_id,
                "issue": 1,
                "sha256": digest,
                **_embedded(inside),
            }
            if pending:
                detail["timestamp_pending"] = True
            self.audit(s, actor, "create", "document", record.document_id, detail)

    def _latest(self, visit_id: str) -> list[DocumentInfo]:
        with self.read() as s:
            rows = s.execute(
                select(Document.id, Document.kind, Document.issue, func.length(Document.pdf)).where(
                    Document.visit_id == visit_id
                )
            ).all()
            latest: dict[str, tuple[str, int, int]] = {}
            for did, kind, issue, size in rows:
                if kind not in latest or issue > latest[kind][1]:
                    latest[kind] = (did, issue, size)
            stamps = _stamps(s, [did for did, _, _ in latest.values()])
            out = []
            for kind in (*KINDS, "checkin", "checklist", "aftercare"):
                if kind in latest:
                    d = s.get(Document, latest[kind][0])
                    assert d is not None
                    out.append(_listed(d, stamps.get(d.id), latest[kind][2]))
            return out

    def documents(self, actor: Actor, visit_id: str) -> list[DocumentInfo]:
        """Every issue of every document of a visit, newest issue first per kind."""
        require_role(actor, "front_desk", "clinician", "admin")
        with self.read() as s:
            rows = s.scalars(
                select(Document)
                .where(Document.visit_id == visit_id)
                .order_by(Document.kind, Document.issue.desc())
            ).all()
            stamps = _stamps(s, [d.id for d in rows])
            return [_listed(d, stamps.get(d.id)) for d in rows]

    def open_pdf(self, actor: Actor, document_id_: str, purpose: str = "view") -> bytes:
        """The stored PDF bytes; every view, print and export is audited."""
        require_role(actor, "front_desk", "clinician", "admin")
        if purpose not in ("view", "print", "export"):
            raise InvalidInput({"purpose": Coded("Unknown purpose.", "purpose_unknown")})
        with self.write() as s:
            d = s.get(Document, document_id_)
            if d is None:
                raise NotFound("No such document.", code="document_not_found")
            if actor.role == StaffRole.FRONT_DESK and d.kind == "summary":
                raise NotAllowed(
                    "The intake summary is for the dermatologist.", code="summary_for_dermatologist"
                )
            self.audit(s, actor, purpose, "document", d.id, {"kind": d.kind, "issue": d.issue})
            return current_pdf(s, d)

    def export(self, actor: Actor, document_id_: str, path: Path) -> Path:
        from intake.documents import atomic_write

        return atomic_write(path, self.open_pdf(actor, document_id_, "export"))

    def countersign(
        self,
        actor: Actor,
        visit_id: str,
        printed_name: str,
        strokes: Sequence[Sequence[tuple[float, float]]],
        pad_width: float,
        pad_height: float,
        *,
        secret: str,
        reviewed: Sequence[str] = (),
        username: str | None = None,
        attested: Sequence[str] = (),
    ) -> DocumentInfo:
        """The prescriber's attestation: added to the record; the consent is re-issued and linked.

        ``attested`` holds the id of each prescriber attestation of the visit's programme rule
        set the clinician confirmed (``RuleSet.prescriber_attestations``): every one is needed,
        and they are kept with the signature and printed on the consent.

        ``secret`` is the clinician's PIN, asked again for this signature (21 CFR 11.200); on
        the first signing after sign-in the screen asks for ``username`` too.
        ``reviewed`` holds a token (``flags.review_token``) for each serious flag the clinician
        ticked as reviewed: every one open when the signature is saved must be there, as it then
        reads (one raised or changed meanwhile refuses the signature), and the ticks are kept
        with it and printed on the consent.

        Everything is read and checked in a read unit of work, where the consent and summary
        records and the FHIR bundle are made as they will be once the signature is stored;
        both documents are rendered and sealed with no transaction open (a TSA or revocation
        service can take seconds); then one short durable write unit of work checks it all
        again, and stores the signature and both documents with their audit events only when
        the visit reads exactly as it was rendered. Otherwise nothing is written, and it is
        rendered again once, or refused.
        """
        require_role(actor, "clinician")
        self._require_forms_ready()
        errors: dict[str, str] = {}
        # The attestation carries the signed-in clinician's own name (21 CFR 11.50), whatever
        # was typed; a typed name that is clearly someone else's is refused.
        printed = actor.name.strip() or printed_name.strip()
        if not printed_name.strip():
            errors["printed_name"] = Coded("Please type your name.", "printed_name_missing")
        elif _fold_name(printed_name) not in _fold_name(printed) and _fold_name(
            printed
        ) not in _fold_name(printed_name):
            errors["printed_name"] = Coded(
                f"Sign as yourself: this station is signed in as {printed}.",
                "sign_as_yourself",
                name=printed,
            )
        problem = signature_problem(strokes, pad_width, pad_height)
        if problem:
            errors["signature"] = problem
        if not secret:
            errors["secret"] = Coded("Please enter your PIN to sign.", "pin_to_sign")
        if username is not None and not username.strip():
            errors["username"] = Coded("Please enter your username to sign.", "username_to_sign")
        if errors:
            raise InvalidInput(errors)
        StaffService(self.ctx).confirm_secret(actor, secret, username)
        # Printed after the clinician's title, as the account gives it ("Dra. Ana Ruiz").
        printed = titled(self._title_of(actor), printed)
        self._require_intact(actor, visit_id)
        now = self.ctx.now()
        stored_strokes = [[list(map(float, p)) for p in st] for st in strokes]
        # Read and check, render and seal with no transaction open, then write in one short
        # unit of work that finds everything as it was read (else once more from the start).
        for _attempt in range(2):
            plan = self._countersign_plan(
                actor,
                visit_id,
                printed,
                stored_strokes,
                pad_width,
                pad_height,
                reviewed,
                now,
                attested,
            )
            rendered = [
                (
                    reissue,
                    self._render(
                        reissue.kind,
                        reissue.record,
                        reissue.issue,
                        plan.bundle if reissue.kind == "consent" else None,
                    ),
                )
                for reissue in plan.documents
            ]
            try:
                with self.write(durable=True) as s:
                    return self._store_countersign(
                        s,
                        actor,
                        visit_id,
                        printed,
                        stored_strokes,
                        pad_width,
                        pad_height,
                        reviewed,
                        now,
                        plan,
                        rendered,
                    )
            except _Changed:
                continue  # nothing was written: read, render and seal again
            except Conflict:
                raise Immutable(COUNTERSIGNED_MEANWHILE, code="countersigned_elsewhere") from None
        raise Conflict(SAVED_MEANWHILE, code="saved_elsewhere")

    def _title_of(self, actor: Actor) -> str:
        """The title of the signed-in staff account ("" when it has none)."""
        if not actor.id.startswith("staff:"):
            return ""
        with self.read() as s:
            user = s.get(StaffUser, int(actor.id.removeprefix("staff:")))
            return (user.title or "") if user is not None else ""

    def _countersign_status(self, s: Any, visit: Visit | None, *, read: bool) -> None:
        """Refuse a visit that cannot be countersigned (now) or whose record no longer matches."""
        if visit is None:
            raise NotFound("No such visit.", code="visit_not_found")
        if visit.status == VisitStatus.COUNTERSIGNED:
            # Submitted when it was read: someone countersigned it since.
            if read:
                raise Immutable(
                    "This consent is already countersigned.", code="already_countersigned"
                )
            raise Immutable(COUNTERSIGNED_MEANWHILE, code="countersigned_elsewhere")
        if visit.status != VisitStatus.SUBMITTED:
            raise InvalidInput(
                {
                    "visit": Coded(
                        "Only a signed consent can be countersigned.", "countersign_unsigned"
                    )
                }
            )
        if integrity.visit_problem(self.ctx, s, visit) is not None:
            raise RecordMismatch(integrity.RECORD_MISMATCH_MESSAGE)  # changed just now
        # The patient's entries were checked just before (``_require_intact``), outside the
        # write transaction: it reads the trail of every entry kind.

    def _countersign_flags(
        self, s: Any, visit: Visit, record: ConsentRecord, reviewed: Sequence[str]
    ) -> list[flags.Flag]:
        """The serious flags the countersignature is given for (each ticked), or a refusal:
        the pregnancy statements or confirmation missing, a positive test holding the course,
        a serious flag not ticked as it reads now. ``record`` is the visit's, with or without
        the countersignature: its flags and facts are the same."""
        gate = flags.pregnancy_gate(
            record.can_become_pregnant,
            clinician_override(s, visit.patient_id),
            record.patient.sex_at_birth,
        )
        if gate == flags.PREGNANCY_UNACKNOWLEDGED:
            raise InvalidInput(
                {
                    "visit": Coded(
                        "You confirmed that this patient can become pregnant, but the consent was signed without the pregnancy statements. Start a correction visit so the patient can acknowledge them.",
                        "pregnancy_unacknowledged",
                    )
                }
            )
        if gate == flags.PREGNANCY_UNCONFIRMED:
            raise InvalidInput(
                {
                    "visit": Coded(
                        "The patient reports she cannot become pregnant. Please confirm this on the Pregnancy tab before countersigning.",
                        "pregnancy_unconfirmed",
                    )
                }
            )
        held = pregnancy_hold(
            [
                (t.taken_on, t.result)
                for t in s.scalars(
                    select(PregnancyTest).where(PregnancyTest.patient_id == visit.patient_id)
                )
            ]
        )
        if held is not None:
            raise InvalidInput(
                {
                    "visit": Coded(
                        "A positive pregnancy test on"
                        f" {held.isoformat()} holds the course: isotretinoin cannot be"
                        " prescribed, so the consent is not countersigned.",
                        "pregnancy_hold_countersign",
                        date=held.isoformat(),
                    )
                }
            )
        serious = [f for f in record.flags if f.must_review]
        ticked = set(reviewed)
        unticked = [f for f in serious if flags.review_token(f) not in ticked]
        if unticked:
            raise InvalidInput(
                {
                    "reviewed": Coded(
                        "Tick each serious flag as reviewed before signing: "
                        + "; ".join(f.text for f in unticked),
                        "flags_unticked",
                        flags="; ".join(f.text for f in unticked),
                    )
                }
            )
        return serious

    def _reissues(
        self, s: Any, countersigned: ConsentRecord, now: dt.datetime
    ) -> tuple[_Reissue, ...]:
        """The documents reissued with a countersignature, each linked to its earlier issue:
        the latest of each names who countersigned. A first visit's consent and intake summary;
        a check-in's record, with the renewed consent when it carried a re-consent."""
        visit_id = countersigned.visit_id
        visit = s.get(Visit, visit_id)
        issued = kinds_for_visit(visit)
        out = []
        for kind in ("consent", "summary", "checkin"):
            if kind not in issued:
                continue
            previous = s.execute(
                select(Document.id, Document.issue)
                .where(Document.visit_id == visit_id, Document.kind == kind)
                .order_by(Document.issue.desc())
                .limit(1)
            ).first()
            issue = (previous.issue + 1) if previous else 1
            record = dataclasses.replace(
                countersigned,
                document_id=document_id(visit_id, kind, issue),
                created_at=now,
                supersedes=previous.id if previous else "",
            )
            out.append(_Reissue(kind, record, issue, previous.id if previous else None))
        return tuple(out)

    def _countersign_plan(
        self,
        actor: Actor,
        visit_id: str,
        printed: str,
        strokes: list[list[list[float]]],
        pad_width: float,
        pad_height: float,
        reviewed: Sequence[str],
        now: dt.datetime,
        attested: Sequence[str] = (),
    ) -> _CountersignPlan:
        """Everything a countersign writes, read and checked in a read unit of work: the
        documents' records and the FHIR bundle as they will be once the signature is stored."""
        from intake.domain.records import SignatureRecord
        from intake.services.fhir import Countersignature, FhirService

        with self.read() as s:
            visit = s.get(Visit, visit_id)
            self._countersign_status(s, visit, read=True)
            assert visit is not None
            signed_as = build_record(s, self.ctx.forms, visit_id)
            serious = self._countersign_flags(s, visit, signed_as, reviewed)
            ticks = _ticks(serious)
            attestations = _attestations(self.ctx.forms, signed_as, attested)
            pending = SignatureRecord(
                "clinician",
                printed,
                SIGNATURE_MEANINGS["clinician"],
                now,
                tuple(tuple((float(x), float(y)) for x, y in st) for st in strokes),
                float(pad_width),
                float(pad_height),
                "",
                self.ctx.station,
                "drawn",
                tuple((t["flag"], t["text"], t["text_es"]) for t in ticks + attestations),
            )
            countersigned = build_record(s, self.ctx.forms, visit_id, extra_signatures=(pending,))
            bundle = FhirService(self.ctx).record_bundle_in(
                s,
                visit_id,
                countersignature=Countersignature(pending, actor.id),
                record=countersigned,
            )
            return _CountersignPlan(
                ticks, self._reissues(s, countersigned, now), bundle, attestations
            )

    def _store_countersign(
        self,
        s: Any,
        actor: Actor,
        visit_id: str,
        printed: str,
        strokes: list[list[list[float]]],
        pad_width: float,
        pad_height: float,
        reviewed: Sequence[str],
        now: dt.datetime,
        plan: _CountersignPlan,
        rendered: Sequence[tuple[_Reissue, tuple[bytes, bool]]],
    ) -> DocumentInfo:
        """Inside the write unit of work: check again, then store the signature and the
        documents rendered from ``plan``; ``_Changed`` when the visit no longer reads as
        ``plan`` says (the caller renders again)."""
        from intake.services.fhir import FhirService

        visit = s.get(Visit, visit_id)
        self._countersign_status(s, visit, read=False)
        assert visit is not None
        signature = Signature(
            visit_id=visit_id,
            role="clinician",
            reviewed=[dict(t) for t in plan.kept],
            printed_name=printed,
            relationship="",
            meaning=SIGNATURE_MEANINGS["clinician"],
            signed_at=now,
            strokes=strokes,
            pad_width=float(pad_width),
            pad_height=float(pad_height),
            # Bound to the signed record and to the review ticks given with it.
            record_sha256=countersign_binding(visit.record_sha256, plan.kept),
            method="drawn",
            actor=actor.id,
            station=self.ctx.station,
        )
        s.add(signature)
        visit.status = VisitStatus.COUNTERSIGNED
        visit.countersigned_at = now
        visit.updated_at = now
        s.flush()
        countersigned = build_record(s, self.ctx.forms, visit_id)
        # Every serious flag open now is ticked, and they are the ones the ticks stored name.
        serious = self._countersign_flags(s, visit, countersigned, reviewed)
        if _ticks(serious) != plan.ticks:
            raise _Changed()
        self.audit(
            s,
            actor,
            "sign",
            "visit",
            visit_id,
            {
                "role": "clinician",
                "reviewed": [f.id for f in serious],
                "signature_sha256": signature_digest(signature),
            }
            | (
                {
                    "attested": [
                        a["flag"].removeprefix(ATTESTATION_PREFIX) for a in plan.attestations
                    ]
                }
                if plan.attestations
                else {}
            ),
        )
        # What was rendered is what this transaction reads: the same records (so the same
        # issue numbers and earlier issues) and the same bundle inside the consent.
        now_reads = self._reissues(s, countersigned, now)
        if [_digest(r) for r in now_reads] != [_digest(r) for r in plan.documents]:
            raise _Changed()
        bundle = FhirService(self.ctx).record_bundle_in(s, visit_id, record=countersigned)
        if bundle != plan.bundle:
            raise _Changed()
        stored = [
            self._store_reissue(
                s, actor, reissue, pdf, pending, plan.bundle if reissue.kind == "consent" else None
            )
            for reissue, (pdf, pending) in rendered
        ]
        s.flush()
        return _info(stored[0])

    def _store_reissue(
        self,
        s: Any,
        actor: Actor,
        reissue: _Reissue,
        pdf: bytes,
        pending: bool,
        inside: bytes | None,
    ) -> Document:
        """A new issue of a visit's document, linked to the one it supersedes (inside ``s``)."""
        record = reissue.record
        form_id = _FORM_FOR_KIND[reissue.kind]
        version, sha = record.form_versions.get(form_id, ("", ""))
        doc = Document(
            id=record.document_id,
            visit_id=record.visit_id,
            kind=reissue.kind,
            issue=reissue.issue,
            form_id=form_id,
            form_version=version,
            form_sha256=sha,
            lang=record.lang,
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            record_sha256=record_sha256(record),
            supersedes_id=reissue.supersedes,
            created_at=record.created_at,
            actor=actor.id,
            station=self.ctx.station,
            timestamp_pending=pending,
        )
        s.add(doc)
        detail: dict[str, Any] = {
            "kind": reissue.kind,
            "visit": record.visit_id,
            "issue": reissue.issue,
            "supersedes": doc.supersedes_id,
            "sha256": doc.sha256,
            **_embedded(inside),
        }
        if pending:
            detail["timestamp_pending"] = True
        self.audit(s, actor, "create", "document", doc.id, detail)
        return doc

    def _record_bundle(self, s: Any, visit_id: str) -> bytes:
        from intake.services.fhir import FhirService

        return FhirService(self.ctx).record_bundle_in(s, visit_id)

    def checklist_pdf(self, actor: Actor, patient_id: int, month: int) -> bytes:
        """A printable checklist for one month's follow-up visit."""
        require_role(actor, "clinician", "admin")
        from intake.documents.checklist import render_checklist
        from intake.services.clinician import ClinicianService

        with self.read() as s:
            patient = s.get(Patient, patient_id)
            if patient is None:
                raise NotFound("No such patient.", code="patient_not_found")
            who = (
                patient.record_number,
                f"{patient.first_name} {patient.last_name}",
                patient.date_of_birth,
                patient.lang,
            )
        course = ClinicianService(self.ctx).course(actor, patient_id)
        with self.write() as s:
            self.audit(s, actor, "print", "checklist", patient_id, {"month": month})
        return render_checklist(
            self.ctx.forms,
            who,
            month,
            course.can_become_pregnant,
            course.dose.mg_per_kg,
            course.collect_by,
            self.ctx.today(),
            collect_days=course.collect_within_days,
            monthly_counselling=course.monthly_counselling,
        )

    def verify_file(self, path: Path) -> VerifyOutcome:
        """``verify_bytes`` of a file, refused unread when too large; every outcome is audited.

        A valid document is audited by ``verify_bytes`` against its row; any other outcome as
        a check of the file, with its SHA-256 and size only. An older issue is still valid,
        and the reason says which issue superseded it.
        """

        size = path.stat().st_size  # OSError: the caller says it cannot read the file
        if size > MAX_VERIFY_BYTES:
            outcome = VerifyOutcome(
                False,
                False,
                f"the file is {size // (1024 * 1024)} MB; a document this app made is far"
                f" smaller (limit {MAX_VERIFY_BYTES // (1024 * 1024)} MB), so it was not read",
            )
            return self._record_file_check(outcome, "", {"size": size, "result": "too large"})
        data = path.read_bytes()
        outcome = self.verify_bytes(data)
        if outcome.valid and outcome.document is not None:
            newer = self._newest_issue(outcome.document)
            if newer is not None:
                return dataclasses.replace(
                    outcome,
                    reason=f"{outcome.reason}; superseded by issue {newer.issue} ({newer.id})",
                )
            return outcome
        digest = hashlib.sha256(data).hexdigest()
        return self._record_file_check(
            outcome,
            digest,
            {
                "sha256": digest,
                "size": len(data),
                "result": "not valid" if outcome.usable else "not usable",
            },
        )

    def _record_file_check(
        self, outcome: VerifyOutcome, digest: str, detail: dict[str, Any]
    ) -> VerifyOutcome:
        """Audit a check that matched no stored document (the file's hash and size only).

        An installation with no clinic key yet records nothing (recording would make a key to
        sign the audit head with: a check never makes a key), nor one whose key cannot be used;
        the answer stands and says it was not recorded.
        """
        from intake.services.context import SYSTEM

        unrecorded = dataclasses.replace(
            outcome,
            reason=outcome.reason
            + " (not recorded in the audit trail: the clinic key is not available here)",
        )
        try:
            if clinic_certificate(self.ctx) is None:
                return unrecorded
            with self.write() as s:
                self.audit(s, SYSTEM, "verify", "file", digest, detail)
        except (SigningUnavailable, DocumentError):
            return unrecorded
        return outcome

    def _newest_issue(self, d: DocumentInfo) -> DocumentInfo | None:
        """The latest issue of the same visit and kind when it is not ``d``, else None."""
        with self.read() as s:
            latest = s.scalars(
                select(Document)
                .where(Document.visit_id == d.visit_id, Document.kind == d.kind)
                .order_by(Document.issue.desc())
                .limit(1)
            ).first()
            if latest is None or latest.issue <= d.issue:
                return None
            return _info(latest, 0)

    def check_printed(self, actor: Actor, text: str) -> PaperCheck:
        """Find the document a printed copy names: its id, printed fingerprint or QR payload.

        Audited every time, found or not: the document checked, or what kind of text was given.
        """
        require_role(actor, "front_desk", "clinician", "admin", "system")
        parsed = parse_check_text(text)
        if parsed is None:
            check = PaperCheck(
                False,
                Coded(
                    "not recognised: type the document id or the 12-character fingerprint"
                    " printed at the foot of each page, or scan the page's QR code",
                    "paper_not_recognised",
                ),
                recognised=False,
            )
            with self.write() as s:
                self.audit(s, actor, "verify", "paper", "", {"result": "not recognised"})
            return check
        given = (
            "qr"
            if parsed.document_id and parsed.fingerprint
            else ("id" if parsed.document_id else "fingerprint")
        )
        with self.write() as s:
            if parsed.document_id is not None:
                rows = [d for d in (s.get(Document, parsed.document_id),) if d is not None]
            else:
                fp = parsed.fingerprint or ""
                # A prefix range on the indexed column: the fingerprint is the hash's head.
                rows = list(
                    s.scalars(
                        select(Document)
                        .where(Document.record_sha256 >= fp, Document.record_sha256 < fp + "g")
                        .limit(2)
                    )
                )
            if len(rows) != 1:
                reason = (
                    Coded(
                        "no stored document has that id or fingerprint: this copy was not issued"
                        " by this clinic's records",
                        "paper_not_found",
                    )
                    if not rows
                    else Coded(
                        "that fingerprint names more than one document: type the document id",
                        "paper_ambiguous",
                    )
                )
                self.audit(s, actor, "verify", "paper", "", {"given": given, "result": "not found"})
                return PaperCheck(False, reason)
            d = rows[0]
            matches: bool | None = None
            if parsed.fingerprint is not None and d.record_sha256 is not None:
                matches = d.record_sha256[:FINGERPRINT_LENGTH] == parsed.fingerprint
            if parsed.issue is not None and parsed.issue != d.issue:
                matches = False
            latest = s.scalars(
                select(Document)
                .where(Document.visit_id == d.visit_id, Document.kind == d.kind)
                .order_by(Document.issue.desc())
                .limit(1)
            ).first()
            assert latest is not None
            visit = s.get(Visit, d.visit_id)
            patient = s.get(Patient, visit.patient_id) if visit is not None else None
            signatures = tuple(
                SignedBy(
                    g.role, g.printed_name if g.role == SignerRole.CLINICIAN else "", g.signed_at
                )
                for g in s.scalars(
                    select(Signature)
                    .where(Signature.visit_id == d.visit_id)
                    .order_by(Signature.signed_at)
                )
                if _naive(g.signed_at) <= _naive(d.created_at)
            )
            self.audit(
                s,
                actor,
                "verify",
                "document",
                d.id,
                {"given": given, "kind": d.kind, "issue": d.issue, "fingerprint": matches},
            )
            info = _info(d)
            newer = _info(latest) if latest.issue > d.issue else None
        if matches is False:
            reason = Coded(
                f"NOT GENUINE: the fingerprint or issue printed on this copy is not that of"
                f" stored {info.kind} issue {info.issue}",
                "paper_not_genuine",
                kind=info.kind,
                issue=info.issue,
            )
            return PaperCheck(
                False, reason, info, patient.record_number if patient else "", newer is None
            )
        if given == "qr":
            how, code = (
                ("id, issue and fingerprint match", "paper_genuine_qr")
                if matches
                else (
                    "found by its id; its fingerprint was not stored when it was issued",
                    "paper_genuine_unfingerprinted",
                )
            )
        else:
            how = f"found by its {given}"
            code = "paper_genuine_by_id" if given == "id" else "paper_genuine_by_fingerprint"
        return PaperCheck(
            True,
            Coded(
                f"genuine: stored {info.kind} issue {info.issue} ({how})",
                code,
                kind=info.kind,
                issue=info.issue,
            ),
            info,
            patient.record_number if patient else "",
            newer is None,
            newer,
            signatures,
            matches,
        )

    def verify_bytes(self, data: bytes) -> VerifyOutcome:
        """Is this file sealed by the clinic, unchanged, and the very file the database holds?"""
        from intake.documents import NotAPdf, verify_pdf
        from intake.documents.signing import CertificateReplaced, SigningKeyError

        try:
            certificate = clinic_certificate(self.ctx)
        except CertificateReplaced as exc:
            # Not checked against a certificate someone put in the data folder.
            return VerifyOutcome(False, True, str(exc))
        except SigningKeyError as exc:
            return VerifyOutcome(False, True, f"the clinic certificate cannot be read: {exc}")
        try:
            result = verify_pdf(data, certificate, tsa_roots=tsa_roots())
        except NotAPdf:
            return VerifyOutcome(False, False, "this is not a PDF file")
        except (OSError, ValueError) as exc:  # INTAKE_TSA_CA cannot be read
            return VerifyOutcome(
                False, True, f"the TSA certificates in INTAKE_TSA_CA cannot be read ({exc})"
            )
        if not result.valid:
            return VerifyOutcome(False, True, result.reason)
        from intake.documents.signing import embedded_document_id

        digest = hashlib.sha256(data).hexdigest()
        inside = embedded_document_id(data)
        try:
            with self.write() as s:
                return self._match_stored(s, data, result, digest, inside, record=True)
        except SigningUnavailable:
            # Checking needs no key, but the audit trail's head is signed with it: on a station
            # without the key the answer stands, unrecorded, and says so.
            with self.read() as s:
                outcome = self._match_stored(s, data, result, digest, inside, record=False)
            return dataclasses.replace(
                outcome,
                reason=outcome.reason
                + " (not recorded in the audit trail: the clinic key is not available here)",
            )

    def _match_stored(
        self, s: Any, data: bytes, result: Any, digest: str, inside: str | None, *, record: bool
    ) -> VerifyOutcome:
        """Whether the sealed ``data`` is the very file the database holds for its row."""
        rows = list(s.scalars(select(Document).where(Document.sha256 == digest)))
        stamped = not rows
        if stamped:
            # A document timestamped after sealing: its current file is the stamped one.
            rows = list(
                s.scalars(
                    select(Document)
                    .join(DocumentTimestamp, DocumentTimestamp.document_id == Document.id)
                    .where(DocumentTimestamp.sha256 == digest)
                )
            )
        named = s.get(Document, inside) if inside else None
        if not rows:
            if named is not None:
                return VerifyOutcome(
                    False,
                    True,
                    f"the signature is intact, but the database holds another file for "
                    f"{integrity.describe(named)}: one of the two was replaced",
                )
            return VerifyOutcome(
                False, True, "the signature is intact, but no stored record matches this file"
            )
        mine = [d for d in rows if d.id == inside]
        others = [d for d in rows if d.id != inside]
        if not mine:
            return VerifyOutcome(
                False,
                True,
                f"the signature is intact, but this file is document {inside or '(none named)'}"
                f" stored as {integrity.describe(rows[0])}: it was copied into that row",
            )
        d = mine[0]
        problem = (
            integrity.stamped_problem(s, d, data)
            if stamped
            else integrity.document_problem(s, d, data)
        )
        if problem is None and others:
            problem = "the same file is also stored as " + ", ".join(
                integrity.describe(o) for o in others
            )
        if problem is not None:
            return VerifyOutcome(
                False, True, f"the signature is intact, but {integrity.describe(d)}: {problem}"
            )
        from intake.services.context import SYSTEM

        if record:
            self.audit(s, SYSTEM, "verify", "document", d.id, {"kind": d.kind})
        info = _with_timestamp(_info(d), d, s.get(DocumentTimestamp, d.id))
        return VerifyOutcome(
            True,
            True,
            f"intact, sealed by the clinic, and matches stored {info.kind} issue {info.issue}"
            f" of visit {info.visit_id} ({info.id}); "
            + result.level_text()
            + ("" if stamped or result.level != "B-B" else _later_timestamp(info)),
            info,
        )

    def pending_timestamps(self) -> list[str]:
        """Ids of the documents sealed B-B while the TSA was unreachable, not yet timestamped."""
        with self.read() as s:
            return list(
                s.scalars(
                    select(Document.id)
                    .outerjoin(DocumentTimestamp, DocumentTimestamp.document_id == Document.id)
                    .where(Document.timestamp_pending.is_(True))
                    .where(DocumentTimestamp.document_id.is_(None))
                    .order_by(Document.created_at, Document.id)
                )
            )

    def timestamp_pending(self, actor: Actor) -> TimestampReport:
        """Add a document timestamp (PAdES B-T) to every document whose timestamp is pending.

        Each timestamped file is checked like any document before it is stored, as a new
        version beside the sealed one with its own SHA-256, and audited. The TSA failing stops
        the run; what is done stays done and the rest stays pending for the next run.
        Run by the system (``main.py timestamp pending``), or by an administrator or a
        dermatologist from the staff window.
        """
        require_role(actor, "admin", "clinician", "system")
        from intake.documents.errors import DocumentError
        from intake.documents.signing import add_document_timestamp, verify_pdf

        tsa = TsaSettings.from_env()
        pending = self.pending_timestamps()
        if tsa is None:
            return TimestampReport(
                (),
                tuple(pending),
                Coded("no time-stamping authority is set (INTAKE_TSA_URL)", "tsa_missing"),
            )
        stamper = tsa.stamper()
        try:
            certificate = clinic_certificate(self.ctx)
        except DocumentError as exc:  # the certificate was replaced, or cannot be read
            return TimestampReport(
                (), tuple(pending), Coded(str(exc), "timestamp_failed", reason=str(exc))
            )
        done: list[str] = []
        for index, did in enumerate(pending):
            with self.read() as s:
                d = s.get(Document, did)
                assert d is not None
                sealed, sealed_sha = bytes(d.pdf), d.sha256
            try:
                stamped = add_document_timestamp(sealed, stamper)
            except DocumentError as exc:
                return TimestampReport(
                    tuple(done),
                    tuple(pending[index:]),
                    Coded(str(exc), "timestamp_failed", reason=str(exc)),
                )
            try:
                check = verify_pdf(stamped, certificate, tsa_roots=tsa_roots())
            except (OSError, ValueError) as exc:  # INTAKE_TSA_CA missing or not certificates
                return TimestampReport(
                    tuple(done),
                    tuple(pending[index:]),
                    Coded(
                        "the time-stamping authority's certificates in INTAKE_TSA_CA cannot be"
                        f" read ({type(exc).__name__}); nothing was stored",
                        "tsa_ca_unreadable",
                        kind=type(exc).__name__,
                    ),
                )
            if not check.valid or check.level != "B-T":
                return TimestampReport(
                    tuple(done),
                    tuple(pending[index:]),
                    Coded(
                        f"the timestamped document {did} does not check: {check.reason}",
                        "timestamp_unverified",
                        document=did,
                        reason=check.reason,
                    ),
                )
            sha = hashlib.sha256(stamped).hexdigest()
            try:
                with self.write() as s:
                    if s.get(DocumentTimestamp, did) is not None:
                        continue  # another station timestamped it meanwhile
                    s.add(
                        DocumentTimestamp(
                            document_id=did,
                            pdf=stamped,
                            sha256=sha,
                            created_at=self.ctx.now(),
                            actor=actor.id,
                            station=self.ctx.station,
                        )
                    )
                    self.audit(
                        s,
                        actor,
                        "timestamp",
                        "document",
                        did,
                        {"sha256": sha, "sealed_sha256": sealed_sha, "level": check.level},
                    )
            except Conflict:
                continue
            done.append(did)
        return TimestampReport(tuple(done), ())
