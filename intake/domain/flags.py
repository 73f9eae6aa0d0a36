"""Flags raised for the dermatologist's review."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from intake.domain.course import out_of_range, pregnancy_hold
from intake.domain.phq9 import POSITIVE_SCREEN
from intake.domain.records import Flag, Phq9Result
from intake.domain.rules import contraception_problem

_YES = ("yes", "unsure")


def review_token(flag: Flag) -> str:
    """What a tick in the countersign dialog stands for: this flag, as it read when ticked.

    A result recorded after the tick changes the flag's text, and so the token: the earlier
    tick no longer counts for it.
    """
    return f"{flag.id}:{hashlib.sha256(flag.text.encode('utf-8')).hexdigest()[:16]}"


@dataclass(frozen=True)
class LabFinding:
    """The latest result of one test, with the clinic's ranges for it."""

    test: str
    label: str
    label_es: str
    value: float
    unit: str
    taken_on: dt.date
    low: float
    high: float
    critical_high: float | None = None


def result_flags(
    labs: Sequence[LabFinding], pregnancy_tests: Sequence[tuple[dt.date, str]] = ()
) -> tuple[Flag, ...]:
    """Flags from the patient's results: a positive pregnancy test, then labs out of range.

    A result above the clinic's critical threshold is an alert the countersigning
    dermatologist must tick as reviewed; one merely out of range is a warning.
    """
    out: list[Flag] = []
    held = pregnancy_hold(pregnancy_tests)
    positives = [d for d, r in pregnancy_tests if r == "positive"]
    if held is not None:
        day = held.isoformat()
        out.append(
            Flag(
                "pregnancy_test_positive",
                "alert",
                f"POSITIVE pregnancy test on {day}: do not prescribe; the course is on hold",
                f"Prueba de embarazo POSITIVA el {day}: no prescribir; el tratamiento queda en pausa",
                must_review=True,
            )
        )
    elif positives:
        day = max(positives).isoformat()
        later = min(d for d, r in pregnancy_tests if r == "negative" and d > max(positives))
        out.append(
            Flag(
                "pregnancy_test_positive",
                "warning",
                f"A POSITIVE pregnancy test on {day} was followed by a negative one on"
                f" {later.isoformat()}: confirm before prescribing",
                f"Una prueba de embarazo POSITIVA el {day}, seguida de una negativa el"
                f" {later.isoformat()}: confirmar antes de prescribir",
                must_review=True,
            )
        )
    found = [(lab, out_of_range(lab.value, lab.low, lab.high, lab.critical_high)) for lab in labs]
    for lab, where in sorted(found, key=lambda f: f[1] != "critical"):
        if not where:
            continue
        value = f"{lab.value:g} {lab.unit}"
        day = lab.taken_on.isoformat()
        if where == "critical":
            limit = f"{lab.critical_high:g} {lab.unit}"
            out.append(
                Flag(
                    f"lab_{lab.test}",
                    "alert",
                    f"CRITICAL {lab.label} {value} on {day} (critical above {limit}; range"
                    f" {lab.low:g}–{lab.high:g})",
                    f"CRÍTICO {lab.label_es} {value} el {day} (crítico por encima de {limit})",
                    must_review=True,
                )
            )
        else:
            words = "above" if where == "high" else "below"
            out.append(
                Flag(
                    f"lab_{lab.test}",
                    "warning",
                    f"{lab.label} {value} on {day}: {words} the range {lab.low:g}–{lab.high:g}",
                    f"{lab.label_es} {value} el {day}: fuera del intervalo {lab.low:g}–{lab.high:g}",
                )
            )
    return tuple(out)


PREGNANCY_UNACKNOWLEDGED = "pregnancy_unacknowledged"
PREGNANCY_UNCONFIRMED = "pregnancy_unconfirmed"


def pregnancy_gate(
    reported_can_become_pregnant: bool, confirmed: bool | None, sex_at_birth: str | None
) -> str | None:
    """Why a signed consent cannot be countersigned as it stands, as far as pregnancy goes.

    ``PREGNANCY_UNACKNOWLEDGED``: a clinician confirmed the patient can become pregnant but the
    consent was signed without the pregnancy statements (a correction visit is needed);
    ``PREGNANCY_UNCONFIRMED``: a patient with ovaries at birth reported she cannot, and no
    clinician has confirmed it yet. None when neither holds.
    """
    if confirmed is True and not reported_can_become_pregnant:
        return PREGNANCY_UNACKNOWLEDGED
    if (
        confirmed is None
        and not reported_can_become_pregnant
        and sex_at_birth in ("female", "intersex")
    ):
        return PREGNANCY_UNCONFIRMED
    return None


def clinician_flags(
    facts: Mapping[str, Any], phq9: Phq9Result | None, confirmed: bool | None = None
) -> tuple[Flag, ...]:
    """Flags in order of urgency: alerts (act this visit) before warnings (review).

    ``facts`` are the patient's own answers; ``confirmed`` is the clinician's confirmation of
    "can become pregnant", if one was recorded.
    """
    flags: list[Flag] = []
    reported = bool(facts.get("can_become_pregnant"))
    gate = pregnancy_gate(reported, confirmed, facts.get("sex_at_birth"))
    if gate == PREGNANCY_UNACKNOWLEDGED:
        flags.append(
            Flag(
                PREGNANCY_UNACKNOWLEDGED,
                "alert",
                "Clinician confirmed the patient can become pregnant, but the consent was signed without the pregnancy statements: start a correction visit",
                "El médico confirmó que puede quedar embarazada, pero el consentimiento se firmó sin las declaraciones de embarazo: inicie una corrección",
            )
        )
    if gate == PREGNANCY_UNCONFIRMED:
        flags.append(
            Flag(
                PREGNANCY_UNCONFIRMED,
                "warning",
                "Patient reports she cannot become pregnant: clinician confirmation needed before countersigning",
                "La paciente indica que no puede quedar embarazada: el médico debe confirmarlo antes de refrendar",
                must_review=True,
            )
        )
    conditions = set(facts.get("conditions") or ())
    if phq9 is not None and phq9.item9_positive:
        flags.append(
            Flag(
                "item9",
                "alert",
                "PHQ-9 item 9 positive: thoughts of self-harm; same-visit follow-up",
                "PHQ-9 ítem 9 positivo: pensamientos de autolesión; seguimiento en esta visita",
                must_review=True,
            )
        )
    if facts.get("pregnant_now") in _YES:
        flags.append(
            Flag(
                "pregnant",
                "alert",
                f"Pregnant now: {facts['pregnant_now']}; do not prescribe until excluded",
                "Embarazo actual posible: no prescribir hasta descartarlo",
            )
        )
    if facts.get("breastfeeding") == "yes":
        flags.append(Flag("breastfeeding", "alert", "Breastfeeding", "Lactancia"))
    if facts.get("takes_tetracycline") in _YES:
        flags.append(
            Flag(
                "tetracycline",
                "alert",
                f"Tetracycline-class antibiotic: {facts['takes_tetracycline']} (raised intracranial pressure)",
                "Antibiótico del grupo de las tetraciclinas (hipertensión intracraneal)",
            )
        )
    if facts.get("takes_vitamin_a") in _YES:
        flags.append(
            Flag(
                "vitamin_a",
                "alert",
                f"Vitamin A supplement: {facts['takes_vitamin_a']} (hypervitaminosis A)",
                "Suplemento de vitamina A (hipervitaminosis A)",
            )
        )
    # From here on the clinician's confirmation, when there is one, decides.
    if confirmed if confirmed is not None else reported:
        unconfirmed = confirmed is None
        flags.append(
            Flag(
                "pregnancy_possible",
                "warning",
                "Can become pregnant: pregnancy prevention programme applies"
                + ("; not yet confirmed by a clinician" if unconfirmed else ""),
                "Puede quedar embarazada: se aplica el programa de prevención del embarazo"
                + ("; aún sin confirmar por el médico" if unconfirmed else ""),
                must_review=unconfirmed,
            )
        )
        problem = contraception_problem(facts.get("contraception_methods"))
        if problem:
            flags.append(
                Flag(
                    "contraception",
                    "warning",
                    f"Contraception not yet adequate: {problem}",
                    "Anticoncepción aún no adecuada",
                )
            )
    if phq9 is not None and phq9.total >= POSITIVE_SCREEN:
        flags.append(
            Flag(
                "mood_screen",
                "warning",
                f"PHQ-9 {phq9.total} ({phq9.band.replace('_', ' ')})",
                f"PHQ-9 {phq9.total}",
            )
        )
    psych = conditions & {"depression", "anxiety", "other_mental_illness", "self_harm_history"}
    if psych:
        flags.append(
            Flag(
                "psychiatric_history",
                "warning",
                "Psychiatric history: " + ", ".join(sorted(c.replace("_", " ") for c in psych)),
                "Antecedentes psiquiátricos",
            )
        )
    if "liver_disease" in conditions:
        flags.append(Flag("liver", "warning", "Liver disease", "Enfermedad hepática"))
    if "high_lipids" in conditions:
        flags.append(
            Flag(
                "lipids",
                "warning",
                "High cholesterol or triglycerides",
                "Colesterol o triglicéridos altos",
            )
        )
    if "ibd" in conditions:
        flags.append(
            Flag(
                "ibd", "warning", "Inflammatory bowel disease", "Enfermedad inflamatoria intestinal"
            )
        )
    if "diabetes" in conditions:
        flags.append(Flag("diabetes", "warning", "Diabetes", "Diabetes"))
    if facts.get("has_allergies") == "yes":
        flags.append(Flag("allergies", "warning", "Allergies reported", "Alergias"))
    return tuple(flags)
