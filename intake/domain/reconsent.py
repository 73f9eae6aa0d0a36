"""Re-consent: what a patient who signed before is asked again, and whether they are asked at all.

Plain Python (no Qt, SQL or PDF). A patient's earlier consent is known by the statements they
acknowledged (each by id and content hash), the form versions it was made on, its date and
whether it was given as a minor. Against the statements in force now:

* a statement whose id is new is asked as "new";
* a statement with the same id but another content hash is asked as "changed";
* an unchanged statement is carried over from the earlier consent, not asked again;
* a statement signed before and no longer in force (removed, or a guardian's statement once the
  patient is an adult) drops.

Whether the change calls for re-consent at all is the clinic profile's decision, per form
version: "major" asks again at the next visit, "minor" only tells the patient. A version the
profile does not list counts as major (the safe side). A patient who signed as a minor and is
now an adult always signs again, for themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from intake.domain import rules
from intake.forms import model as fm

# The forms whose content a consent is made of: a new version of one may call for re-consent.
CONSENT_FORMS = ("risks",)
MAJOR, MINOR = "major", "minor"
CHANGE_CLASSES = (MAJOR, MINOR)
NEW, CHANGED = "new", "changed"
FORM_CHANGED, TURNED_18 = "form_changed", "turned_18"


def statement_hash(statement: fm.Statement) -> str:
    """SHA-256 of what a statement says, in every language, and to whom it applies."""
    content = {
        "id": statement.id,
        "text": dict(statement.text.values),
        "audience": statement.audience,
        "applies_if": statement.applies_if,
    }
    data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def statement_hashes(risks: fm.RisksForm) -> dict[str, str]:
    """Every statement of a risks form: id -> content hash."""
    return {s.id: statement_hash(s) for s in risks.statements}


def version_key(version: str) -> tuple[int, ...]:
    """ "1.10.0" after "1.9.2"; a version that is not numbers sorts first."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()


@dataclass(frozen=True)
class SignedConsent:
    """What the patient signed last: the basis a re-consent is measured against."""

    visit_id: str
    signed_on: dt.date
    form_versions: Mapping[str, str]  # form id -> version
    statements: Mapping[str, str]  # statement id -> content hash ("" when not known)
    as_minor: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "visit_id": self.visit_id,
            "signed_on": self.signed_on.isoformat(),
            "form_versions": dict(sorted(self.form_versions.items())),
            "statements": dict(sorted(self.statements.items())),
            "as_minor": self.as_minor,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SignedConsent:
        return cls(
            str(data["visit_id"]),
            dt.date.fromisoformat(str(data["signed_on"])),
            {str(k): str(v) for k, v in dict(data.get("form_versions") or {}).items()},
            {str(k): str(v) for k, v in dict(data.get("statements") or {}).items()},
            bool(data.get("as_minor")),
        )


@dataclass(frozen=True)
class ReconsentPlan:
    """The re-consent set: what is asked (new, changed), carried over and dropped, and why."""

    previous: SignedConsent
    current_versions: Mapping[str, str]
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    carried: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    # form id -> "major" | "minor", for each consent form whose version moved on
    changes: Mapping[str, str] = field(default_factory=dict)
    turned_18: bool = False

    @property
    def reasons(self) -> tuple[str, ...]:
        out = []
        if MAJOR in self.changes.values():
            out.append(FORM_CHANGED)
        if self.turned_18:
            out.append(TURNED_18)
        return tuple(out)

    @property
    def needed(self) -> bool:
        """The patient signs again (a major change, or they turned 18 since signing)."""
        return bool(self.reasons)

    @property
    def notice_only(self) -> bool:
        """Forms moved on by minor changes only: the patient is told, not asked."""
        return bool(self.changes) and not self.needed

    @property
    def asked(self) -> tuple[str, ...]:
        """The statements to acknowledge at the re-consent visit (new and changed)."""
        return (*self.new, *self.changed) if self.needed else ()

    def mark(self, statement_id: str) -> str:
        """ "new", "changed" or "" for a statement."""
        if statement_id in self.new:
            return NEW
        if statement_id in self.changed:
            return CHANGED
        return ""


@dataclass(frozen=True)
class ChangeNotice:
    """Forms moved on by changes the clinic profile calls minor: at the next visit the patient
    is shown which statements are new or changed, and asked nothing for them."""

    renews: str  # the visit of the consent the changes are measured against
    signed_on: dt.date
    changes: Mapping[str, tuple[str, str]]  # form id -> (signed version, version now)
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    @property
    def statements(self) -> tuple[str, ...]:
        return (*self.new, *self.changed)

    def mark(self, statement_id: str) -> str:
        """ "new", "changed" or "" for a statement."""
        if statement_id in self.new:
            return NEW
        if statement_id in self.changed:
            return CHANGED
        return ""

    def to_json(self) -> dict[str, Any]:
        return {
            "renews": self.renews,
            "signed_on": self.signed_on.isoformat(),
            "changes": {k: list(v) for k, v in sorted(self.changes.items())},
            "new": list(self.new),
            "changed": list(self.changed),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChangeNotice:
        return cls(
            str(data["renews"]),
            dt.date.fromisoformat(str(data["signed_on"])),
            {str(k): (str(v[0]), str(v[1])) for k, v in dict(data.get("changes") or {}).items()},
            tuple(str(x) for x in data.get("new") or ()),
            tuple(str(x) for x in data.get("changed") or ()),
        )


def notice_of(plan: ReconsentPlan) -> ChangeNotice | None:
    """What the patient is told of minor changes only; None when a re-consent is asked (which
    shows them anyway) or nothing changed."""
    if not plan.notice_only:
        return None
    previous = plan.previous
    return ChangeNotice(
        previous.visit_id,
        previous.signed_on,
        {
            form: (previous.form_versions[form], plan.current_versions[form])
            for form in sorted(plan.changes)
        },
        plan.new,
        plan.changed,
    )


def change_class(
    form_id: str,
    signed_version: str,
    current_version: str,
    classes: Mapping[tuple[str, str], str],
) -> str | None:
    """How a form changed between two versions: None (same version), "major" or "minor".

    Every version after the signed one up to the current one counts; one major among them makes
    the change major. The current version itself, when the profile does not list it, is major.
    """
    if signed_version == current_version:
        return None
    low, high = version_key(signed_version), version_key(current_version)
    between = [
        change
        for (form, version), change in classes.items()
        if form == form_id and low < version_key(version) <= high
    ]
    if (form_id, current_version) not in classes or MAJOR in between:
        return MAJOR
    return MINOR


def plan(
    previous: SignedConsent,
    statements: Sequence[fm.Statement],
    current_versions: Mapping[str, str],
    classes: Mapping[tuple[str, str], str],
    *,
    minor_now: bool,
) -> ReconsentPlan:
    """The re-consent set for ``statements`` (those in force for the patient now, in form order).

    A guardian's statement drops once the patient is an adult, even if the caller passed it.
    """
    changes: dict[str, str] = {}
    for form_id in CONSENT_FORMS:
        signed, now = previous.form_versions.get(form_id), current_versions.get(form_id)
        if signed is None or now is None:
            continue
        change = change_class(form_id, signed, now, classes)
        if change is not None:
            changes[form_id] = change
    new: list[str] = []
    changed: list[str] = []
    carried: list[str] = []
    in_force: set[str] = set()
    for statement in statements:
        if statement.audience == "guardian" and not minor_now:
            continue
        in_force.add(statement.id)
        before = previous.statements.get(statement.id)
        if before is None:
            new.append(statement.id)
        elif before != statement_hash(statement):
            changed.append(statement.id)
        else:
            carried.append(statement.id)
    dropped = tuple(sorted(sid for sid in previous.statements if sid not in in_force))
    return ReconsentPlan(
        previous,
        dict(current_versions),
        tuple(new),
        tuple(changed),
        tuple(carried),
        dropped,
        changes,
        turned_18=previous.as_minor and not minor_now,
    )


def plan_for(
    previous: SignedConsent,
    forms: fm.FormSet,
    facts: Mapping[str, Any],
) -> ReconsentPlan:
    """The plan for a patient whose facts (answers, age on the visit date) are ``facts``."""
    return plan(
        previous,
        rules.applicable_statements(forms.risks, facts),
        {form_id: version for form_id, (version, _) in forms.versions().items()},
        {(form, version): change for form, version, change in forms.clinic.form_changes},
        minor_now=bool(facts.get("is_minor")),
    )


def statements_to_acknowledge(
    forms: fm.FormSet, facts: Mapping[str, Any], basis: SignedConsent | None
) -> list[fm.Statement]:
    """The statements a visit asks the patient (and guardian) to acknowledge, in form order:
    every one that applies, or at a re-consent (``basis``: the consent it renews) only the new
    and changed ones."""
    applicable = rules.applicable_statements(forms.risks, facts)
    if basis is None:
        return applicable
    asked = set(plan_for(basis, forms, facts).asked)
    return [s for s in applicable if s.id in asked]
