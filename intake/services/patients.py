"""Patients: register, correct (a new version, never a silent overwrite), find."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from intake import i18n
from intake.domain import names
from intake.domain import validation as v
from intake.domain.errors import Coded, ValidationError
from intake.domain.kinds import VisitStatus
from intake.domain.names import fold
from intake.services.base import Service, require_role
from intake.services.context import Actor
from intake.services.errors import Conflict, InvalidInput, NotFound, ServiceError
from intake.store.models import NameKey, Patient, PatientVersion, Signature, Visit

__all__ = ["fold"]  # re-exported: the folded form names are searched in

MAX_TYPO_VARIANTS = 24  # corrected spellings tried for one search; more is not one typo

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


@dataclass(frozen=True)
class SearchQuery:
    """What a search box's text asks for, read the way the search reads it."""

    text: str
    kind: str  # "" (nothing typed) | "name" | "date" | "name_date" | "record"
    name: str = ""  # the name part as typed (without the date)
    date_of_birth: dt.date | None = None
    # A best guess, to start a registration from: "Nguyen, Zoe" is last, first; "Zoe Nguyen"
    # first then last; a single word is taken for the last name.
    first_name: str = ""
    last_name: str = ""


class PossibleDuplicates(ServiceError):
    """Registration refused: patients with this date of birth and a similar name exist.

    ``patients`` are the ones to open instead; registering anyway is an explicit choice
    (``register(..., allow_duplicate=True)``).
    """

    def __init__(self, patients: list[PatientRow]):
        self.patients = patients
        listed = "; ".join(f"{p.full_name} ({p.record_number})" for p in patients[:3])
        more = f" and {len(patients) - 3} more" if len(patients) > 3 else ""
        super().__init__(
            f"Already registered with this date of birth and a similar name: {listed}{more}. "
            "Open that record instead, or register a new patient anyway."
        )


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
        "lang": lambda x: v.choice(x or i18n.source_language(), i18n.codes(pseudo=True), "lang"),
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
    PatientService._index(s, p)
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
    from intake.services.visits import patient_binding

    service.audit(
        s,
        actor,
        "correct",
        "patient",
        p.id,
        {"fields": changed, "version": p.version, "identity_sha256": patient_binding(p)},
    )
    return changed


class PatientService(Service):
    def register(
        self, actor: Actor, *, allow_duplicate: bool = False, **details: Any
    ) -> PatientRow:
        """Register a patient; refused with PossibleDuplicates when the date of birth and a
        similar name are already registered, unless ``allow_duplicate`` says staff checked."""
        require_role(actor, "front_desk", "clinician", "admin")
        for key in ("first_name", "last_name", "date_of_birth"):
            details.setdefault(key, "")
        clean = clean_details(details, self.ctx.today())
        with self.write() as s:
            if not allow_duplicate:
                twins = self._likely_duplicates(
                    s, clean["first_name"], clean["last_name"], clean["date_of_birth"]
                )
                if twins:
                    raise PossibleDuplicates(twins)
            # Writers are serialised (the audit lock), so a number cannot be taken twice.
            number = (s.scalar(select(func.max(Patient.id))) or 0) + 1
            p = Patient(
                record_number=f"{self.ctx.forms.clinic.record_prefix}-{number:06d}",
                created_at=self.ctx.now(),
                actor=actor.id,
                station=self.ctx.station,
                demo=self.ctx.demo,
                **clean,
            )
            s.add(p)
            self._index(s, p)
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
                raise NotFound("No such patient.", code="patient_not_found")
            return row(p)

    def correct(
        self, actor: Actor, patient_id: int, expected_version: int, reason: str, **changes: Any
    ) -> PatientRow:
        """Change details; refused with Conflict if the record changed since ``expected_version``."""
        require_role(actor, "front_desk", "clinician", "admin")
        if not reason.strip():
            raise InvalidInput(
                {
                    "reason": Coded(
                        "Please say why the details are being corrected.", "correction_reason"
                    )
                }
            )
        clean = clean_details(changes, self.ctx.today())
        with self.write() as s:
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("No such patient.", code="patient_not_found")
            if p.version != expected_version:
                raise Conflict(
                    "These details were changed at another station. They have been reloaded; please check them and try again.",
                    code="details_changed",
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
                    " submitted, or abandon it, before correcting the name or date of birth.",
                    code="patient_signing_now",
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
                .where(Visit.patient_id == patient_id, Visit.status == VisitStatus.DRAFT)
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

    def likely_duplicates(
        self,
        actor: Actor,
        first_name: str,
        last_name: str,
        date_of_birth: dt.date,
        exclude_id: int | None = None,
    ) -> list[PatientRow]:
        """Patients with this date of birth and a name that is probably the same person's."""
        require_role(actor, "front_desk", "clinician", "admin")
        with self.read() as s:
            found = self._likely_duplicates(s, first_name, last_name, date_of_birth)
            return [p for p in found if p.id != exclude_id]

    @staticmethod
    def _likely_duplicates(
        s: Session, first_name: str, last_name: str, date_of_birth: dt.date
    ) -> list[PatientRow]:
        # Few patients share a date of birth (about 30 in a million), so the names are compared
        # here rather than in SQL, where accents and typos are hard to forgive on both backends.
        same_day = s.scalars(
            select(Patient)
            .where(Patient.date_of_birth == date_of_birth)
            .order_by(Patient.search_name, Patient.id)
        )
        return [
            row(p)
            for p in same_day
            if names.likely_same_person_name(first_name, last_name, p.first_name, p.last_name)
        ]

    def search(
        self, actor: Actor, query: str, limit: int = 50, offset: int = 0
    ) -> list[PatientRow]:
        """Name prefix (either order, one typo forgiven), date of birth (with a name or alone),
        or record number; ordered by name; paged."""
        require_role(actor, "front_desk", "clinician", "admin")
        with self.read() as s:
            stmt = self.search_statement(s, query).limit(limit).offset(offset)
            return [row(p) for p in s.scalars(stmt)]

    def read_query(self, query: str) -> SearchQuery:
        """How ``search`` reads ``query`` (no database needed): for the screens' wording."""
        return read_query(query, self.ctx.today(), self.ctx.forms.clinic.record_prefix)

    def search_statement(self, session: Session, query: str) -> Any:
        sq = self.read_query(query)
        stmt = select(Patient)
        if sq.kind == "":
            return stmt.order_by(Patient.search_name, Patient.id)
        if sq.kind == "record":
            prefix = self.ctx.forms.clinic.record_prefix
            digits = re.sub(r"\D", "", sq.text)
            match = self._prefix(Patient.record_number, f"{prefix}-{digits}")
            if 0 < len(digits) < 6 and not digits.startswith("0"):
                # "54321" means RPM-054321 as well as numbers that start with 54321.
                match = or_(match, Patient.record_number == f"{prefix}-{digits.zfill(6)}")
            return stmt.where(match).order_by(Patient.record_number)
        if sq.date_of_birth is not None:
            stmt = stmt.where(Patient.date_of_birth == sq.date_of_birth)
        if sq.name:
            match, typos = self._name_match(session, sq.name)
            stmt = stmt.where(match)
            if typos and sq.date_of_birth is None:
                # Ordered by an expression, not by the column: with a dozen index ranges
                # ORed, SQLite (without statistics) would rather walk the whole name index in
                # order than union the few rows the ranges find and sort them.
                return stmt.order_by(Patient.search_name.concat(""), Patient.id)
        return stmt.order_by(Patient.search_name, Patient.id)

    def _name_match(self, session: Session, name: str) -> tuple[Any, bool]:
        """The folded name is a prefix of "last first" or "first last", or is one typo away
        from one: a word of four letters or more spelt with one edit, found through the
        name_keys vocabulary and then matched as that whole word through the same indexes."""
        folded = fold(name.replace(",", " "))
        terms = [
            self._prefix(Patient.search_name, folded),
            self._prefix(Patient.search_alt, folded),
        ]
        variants = self._typo_variants(session, folded)
        for variant, last in variants:
            for column in (Patient.search_name, Patient.search_alt):
                if last:
                    terms.extend(self._whole_words(column, variant))
                else:
                    terms.append(self._prefix(column, variant))
        # One flat OR of indexable terms: SQLite then unions index searches.
        return or_(*terms), bool(variants)

    def _typo_variants(self, session: Session, folded: str) -> list[tuple[str, bool]]:
        """Spellings of ``folded`` with one word corrected to a known name word.

        Each comes with whether the corrected word is the last one typed: that one must then
        be a whole word, not a prefix ("garnr" finds Garner, not every name starting "garn").
        """
        parts = re.split(r"([\s\-'’]+)", folded)  # words at even places, what joins them between
        wanted = {
            i: w
            for i, w in enumerate(parts)
            if i % 2 == 0 and names.MIN_TYPO_WORD <= len(w) <= names.MAX_WORD
        }
        if not wanted:
            return []
        keys = set().union(*(names.typo_keys(w) for w in wanted.values()))
        known = session.execute(
            select(NameKey.key, NameKey.word).where(NameKey.key.in_(keys))
        ).all()
        out: list[tuple[str, bool]] = []
        for i, word in wanted.items():
            mine = names.typo_keys(word)
            for better in names.corrections(word, {w for k, w in known if k in mine}):
                last = i == len(parts) - 1
                if last and better.startswith(word):
                    continue  # "lope" -> "lopez": the prefix search finds it already
                out.append(("".join([*parts[:i], better, *parts[i + 1 :]]), last))
        return out[:MAX_TYPO_VARIANTS]

    def _whole_words(self, column: Any, text: str) -> list[Any]:
        """``text`` is the column, or a prefix of it that ends where a word ends (any of these)."""
        return [column == text, self._prefix(column, text + " "), self._prefix(column, text + "-")]

    def _prefix(self, column: Any, prefix: str) -> Any:
        if self.ctx.db.dialect == "postgresql":
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return column.like(escaped + "%", escape="\\")
        # SQLite: a binary range uses the plain index; LIKE would not (it folds case).
        return and_(column >= prefix, column < prefix + "\U0010ffff")

    @staticmethod
    def _index(s: Session, p: Patient) -> None:
        p.search_name = fold(f"{p.last_name} {p.first_name}")
        p.search_alt = fold(f"{p.first_name} {p.last_name}")
        entries = names.index_entries(p.first_name, p.last_name)
        if not entries:
            return
        bind = s.get_bind()
        dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
        # A word another patient already has is there already: kept once, never duplicated.
        s.execute(
            dialect.insert(NameKey)
            .values([{"key": k, "word": w} for k, w in sorted(entries)])
            .on_conflict_do_nothing()
        )


def read_query(query: str, today: dt.date, record_prefix: str) -> SearchQuery:
    """Read a search box's text: a record number, a date of birth, a name, or name and date."""
    text = " ".join(query.split())
    if not text:
        return SearchQuery("", "")
    try:
        whole = v.parse_birth_date(text, today)
    except ValidationError:
        whole = None
    if whole is not None:
        return SearchQuery(text, "date", date_of_birth=whole)
    if re.fullmatch(rf"(?i){re.escape(record_prefix)}-?\d*|\d+", text):
        return SearchQuery(text, "record")
    born: dt.date | None = None
    rest: list[str] = []
    for token in text.split(" "):
        bare = token.strip(",;")
        if born is None and any(c.isdigit() for c in bare):
            try:
                born = v.parse_birth_date(bare, today)
                continue
            except ValidationError:
                pass
        rest.append(token)
    name = " ".join(rest).strip(" ,;")
    first, last = _name_guess(name)
    kind = "name_date" if born is not None and name else ("date" if born else "name")
    return SearchQuery(text, kind, name, born, first, last)


def _name_guess(name: str) -> tuple[str, str]:
    if not name:
        return "", ""
    if name.islower():  # typed quickly in lower case: start each part with a capital
        name = re.sub(r"(^|[\s\-'’])(\w)", lambda m: m.group(1) + m.group(2).upper(), name)
    if "," in name:
        last, _, first = name.partition(",")
        return " ".join(first.replace(",", " ").split()), " ".join(last.split())
    parts = name.split()
    if len(parts) == 1:
        return "", parts[0]
    return parts[0], " ".join(parts[1:])


def as_dict(p: PatientRow) -> dict[str, Any]:
    return asdict(p)
