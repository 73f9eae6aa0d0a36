"""Patients: register, correct (a new version, never a silent overwrite), find."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from intake.domain import validation as v
from intake.domain.errors import ValidationError
from intake.services.base import Service, require_role
from intake.services.context import Actor
from intake.services.errors import Conflict, InvalidInput, NotFound
from intake.store.models import Patient, PatientVersion, Signature, Visit

EDITABLE = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex_at_birth",
    "phone",
    "email",
    "lang",
)


@dataclass(frozen=True)
class PatientRow:
    id: int
    record_number: str
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: dt.date
    sex_at_birth: str
    phone: str
    email: str
    lang: str
    version: int

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: the form names are searched in."""
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def row(p: Patient) -> PatientRow:
    return PatientRow(
        p.id,
        p.record_number,
        p.first_name,
        p.last_name,
        p.preferred_name,
        p.date_of_birth,
        p.sex_at_birth,
        p.phone,
        p.email,
        p.lang,
        p.version,
    )


def _snapshot(p: Patient) -> dict[str, Any]:
    return {
        k: (getattr(p, k).isoformat() if isinstance(getattr(p, k), dt.date) else getattr(p, k))
        for k in EDITABLE
    }


def clean_details(details: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Validate registration details; raise InvalidInput with a message per field."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    checks = {
        "first_name": lambda x: v.name(x, "first_name"),
        "last_name": lambda x: v.name(x, "last_name"),
        "preferred_name": lambda x: v.name(x, "preferred_name") if x else "",
        "date_of_birth": lambda x: v.date_of_birth(x, today),
        "sex_at_birth": lambda x: (
            v.choice(x, ("female", "male", "intersex"), "sex_at_birth") if x else ""
        ),
        "phone": lambda x: v.phone(x) if x else "",
        "email": lambda x: v.email(x) if x else "",
        "lang": lambda x: v.choice(x or "en", ("en", "es"), "lang"),
    }
    for key, check in checks.items():
        if key not in details:
            continue
        try:
            out[key] = check(details[key])
        except ValidationError as exc:
            errors[key] = exc.message
    if errors:
        raise InvalidInput(errors)
    return out


def apply_changes(
    service: Service, s: Session, actor: Actor, p: Patient, clean: dict[str, Any], reason: str
) -> list[str]:
    """Change validated details as a new version of the record, with its reason, audited.

    Used by every path that changes a patient's details (the front desk's correction, a
    patient's proposal accepted by staff, contact details given at the kiosk). Returns the
    fields that changed; nothing is written when none did.
    """
    changed = sorted(k for k, val in clean.items() if getattr(p, k) != val)
    if not changed:
        return []
    for key in changed:
        setattr(p, key, clean[key])
    PatientService._index(p)
    s.flush()  # bumps the version, failing if another station got there first
    s.add(
        PatientVersion(
            patient_id=p.id,
            version=p.version,
            details=_snapshot(p),
            reason=reason.strip()[:200],
            at=service.ctx.now(),
            actor=actor.id,
            station=service.ctx.station,
        )
    )
    service.audit(s, actor, "correct", "patient", p.id, {"fields": changed, "version": p.version})
    return changed


class PatientService(Service):
    def register(self, actor: Actor, **details: Any) -> PatientRow:
        require_role(actor, "front_desk", "clinician", "admin")
        for key in ("first_name", "last_name", "date_of_birth"):
            details.setdefault(key, "")
        clean = clean_details(details, self.ctx.today())
        with self.write() as s:
            # Writers are serialised (the audit lock), so a number cannot be taken twice.
            number = (s.scalar(select(func.max(Patient.id))) or 0) + 1
            p = Patient(
                record_number=f"{self.ctx.forms.clinic.record_prefix}-{number:06d}",
                created_at=self.ctx.now(),
                actor=actor.id,
                station=self.ctx.station,
                **clean,
            )
            self._index(p)
            s.add(p)
            s.flush()
            s.add(
                PatientVersion(
                    patient_id=p.id,
                    version=1,
                    details=_snapshot(p),
                    reason="registered",
                    at=self.ctx.now(),
                    actor=actor.id,
                    station=self.ctx.station,
                )
            )
            self.audit(s, actor, "create", "patient", p.id)
            s.flush()
            return row(p)

    def get(self, actor: Actor, patient_id: int) -> PatientRow:
        require_role(actor, "front_desk", "clinician", "admin")
        with self.read() as s:
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("No such patient.")
            return row(p)

    def correct(
        self, actor: Actor, patient_id: int, expected_version: int, reason: str, **changes: Any
    ) -> PatientRow:
        """Change details; refused with Conflict if the record changed since ``expected_version``."""
        require_role(actor, "front_desk", "clinician", "admin")
        if not reason.strip():
            raise InvalidInput({"reason": "Please say why the details are being corrected."})
        clean = clean_details(changes, self.ctx.today())
        with self.write() as s:
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("No such patient.")
            if p.version != expected_version:
                raise Conflict(
                    "These details were changed at another station. They have been reloaded; please check them and try again."
                )
            identity_changes = any(
                k in clean and clean[k] != getattr(p, k)
                for k in ("first_name", "last_name", "date_of_birth")
            )
            if identity_changes and self._being_signed(s, p.id):
                # The first signature binds the visit to the name and date of birth it was
                # given for; the next signer must sign the same details.
                raise Conflict(
                    "This patient is signing a consent right now. Wait until the visit is"
                    " submitted, or abandon it, before correcting the name or date of birth."
                )
            apply_changes(self, s, actor, p, clean, reason)
            return row(p)

    @staticmethod
    def _being_signed(s: Session, patient_id: int) -> bool:
        """Whether a draft visit of this patient already holds a signature."""
        return bool(
            s.scalar(
                select(func.count())
                .select_from(Signature)
                .join(Visit, Visit.id == Signature.visit_id)
                .where(Visit.patient_id == patient_id, Visit.status == "draft")
            )
        )

    def history(self, actor: Actor, patient_id: int) -> list[dict[str, Any]]:
        require_role(actor, "front_desk", "clinician", "admin")
        with self.read() as s:
            versions = s.scalars(
                select(PatientVersion)
                .where(PatientVersion.patient_id == patient_id)
                .order_by(PatientVersion.version)
            )
            return [
                {
                    "version": pv.version,
                    "at": pv.at,
                    "reason": pv.reason,
                    "actor": pv.actor,
                    **pv.details,
                }
                for pv in versions
            ]

    def search(
        self, actor: Actor, query: str, limit: int = 50, offset: int = 0
    ) -> list[PatientRow]:
        """Name prefix (either order), date of birth, or record number; ordered by name; paged."""
        require_role(actor, "front_desk", "clinician", "admin")
        with self.read() as s:
            stmt = self.search_statement(s, query).limit(limit).offset(offset)
            return [row(p) for p in s.scalars(stmt)]

    def search_statement(self, session: Session, query: str) -> Any:
        q = query.strip()
        stmt = select(Patient)
        if not q:
            return stmt.order_by(Patient.search_name, Patient.id)
        try:
            dob = v.parse_date(q)
        except ValidationError:
            dob = None
        if dob is not None:
            return stmt.where(Patient.date_of_birth == dob).order_by(
                Patient.search_name, Patient.id
            )
        prefix = self.ctx.forms.clinic.record_prefix
        if re.fullmatch(rf"(?i){re.escape(prefix)}-?\d*|\d+", q):
            digits = re.sub(r"\D", "", q)
            match = self._prefix(Patient.record_number, f"{prefix}-{digits}")
            if 0 < len(digits) < 6 and not digits.startswith("0"):
                # "54321" means RPM-054321 as well as numbers that start with 54321.
                match = or_(match, Patient.record_number == f"{prefix}-{digits.zfill(6)}")
            return stmt.where(match).order_by(Patient.record_number)
        folded = fold(q.replace(",", " "))
        return stmt.where(
            or_(self._prefix(Patient.search_name, folded), self._prefix(Patient.search_alt, folded))
        ).order_by(Patient.search_name, Patient.id)

    def _prefix(self, column: Any, prefix: str) -> Any:
        if self.ctx.db.dialect == "postgresql":
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return column.like(escaped + "%", escape="\\")
        # SQLite: a binary range uses the plain index; LIKE would not (it folds case).
        return and_(column >= prefix, column < prefix + "\U0010ffff")

    @staticmethod
    def _index(p: Patient) -> None:
        p.search_name = fold(f"{p.last_name} {p.first_name}")
        p.search_alt = fold(f"{p.first_name} {p.last_name}")


def as_dict(p: PatientRow) -> dict[str, Any]:
    return asdict(p)
