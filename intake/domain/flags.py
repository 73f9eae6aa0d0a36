"""Flags raised for the dermatologist's review."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from intake import i18n
from intake.domain.course import out_of_range, pregnancy_hold
from intake.domain.phq9 import POSITIVE_SCREEN
from intake.domain.records import Flag, Phq9Result
from intake.domain.rules import contraception_problem

_YES = ("yes", "unsure")
# Stored review ticks carry the text in these two languages only (see store.models).
_STORED = ("en", "es")


def _flag(ident: str, severity: str, msg: str, must_review: bool = False, **args: object) -> Flag:
    """A flag worded through the catalogue (``flags.<msg>``); ``text``/``text_es`` are kept
    filled for the review ticks that documents store."""
    en, es = (i18n.tr(f"flags.{msg}", lang, **args) for lang in _STORED)
    return Flag(ident, severity, en, es, must_review, f"flags.{msg}", tuple(args.items()))


def worded(flag: Flag, lang: str) -> str:
    """The flag's text in ``lang``: through the catalogue, or from its stored words."""
    if flag.msg:
        return i18n.tr(flag.msg, lang, **dict(flag.args))
    return stored_text(flag.text, flag.text_es, lang)


def stored_text(text: str, text_es: str, lang: str) -> str:
    """A flag as a stored review tick has it (English and Spanish words), in ``lang``.

    Stored ticks keep the words the dermatologist saw, so they are not worded again; a
    language they lack reads the English (a pseudo-locale its pseudo form)."""
    language = i18n.language(lang)
    if language.is_pseudo:
        return i18n.pseudo_text(stored_text(text, text_es, language.pseudo_of))
    return text_es if lang == "es" and text_es else text


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
            _flag("pregnancy_test_positive", "alert", "pregnancy_test_positive", True, day=day)
        )
    elif positives:
        day = max(positives).isoformat()
        later = min(d for d, r in pregnancy_tests if r == "negative" and d > max(positives))
        out.append(
            _flag(
                "pregnancy_test_positive",
                "warning",
                "pregnancy_test_positive_then_negative",
                True,
                day=day,
                later=later.isoformat(),
            )
        )
    found = [(lab, out_of_range(lab.value, lab.low, lab.high, lab.critical_high)) for lab in labs]
    for lab, where in sorted(found, key=lambda f: f[1] != "critical"):
        if not where:
            continue
        # The numbers are written as the clinic's form gives them, in every language.
        values: dict[str, object] = {
            "label": i18n.Localized.of(en=lab.label, es=lab.label_es),
            "value": f"{lab.value:g} {lab.unit}",
            "day": lab.taken_on.isoformat(),
            "low": f"{lab.low:g}",
            "high": f"{lab.high:g}",
        }
        if where == "critical":
            limit = f"{lab.critical_high:g} {lab.unit}"
            out.append(
                _flag(f"lab_{lab.test}", "alert", "lab_critical", True, limit=limit, **values)
            )
        else:
            out.append(_flag(f"lab_{lab.test}", "warning", f"lab_{where}", False, **values))
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
        flags.append(_flag(PREGNANCY_UNACKNOWLEDGED, "alert", "pregnancy_unacknowledged"))
    if gate == PREGNANCY_UNCONFIRMED:
        flags.append(_flag(PREGNANCY_UNCONFIRMED, "warning", "pregnancy_unconfirmed", True))
    conditions = set(facts.get("conditions") or ())
    if phq9 is not None and phq9.item9_positive:
        flags.append(_flag("item9", "alert", "item9", True))
    if facts.get("pregnant_now") in _YES:
        flags.append(_flag("pregnant", "alert", "pregnant", answer=facts["pregnant_now"]))
    if facts.get("breastfeeding") == "yes":
        flags.append(_flag("breastfeeding", "alert", "breastfeeding"))
    if facts.get("takes_tetracycline") in _YES:
        flags.append(
            _flag("tetracycline", "alert", "tetracycline", answer=facts["takes_tetracycline"])
        )
    if facts.get("takes_vitamin_a") in _YES:
        flags.append(_flag("vitamin_a", "alert", "vitamin_a", answer=facts["takes_vitamin_a"]))
    # From here on the clinician's confirmation, when there is one, decides.
    if confirmed if confirmed is not None else reported:
        unconfirmed = confirmed is None
        flags.append(
            _flag(
                "pregnancy_possible",
                "warning",
                "pregnancy_possible_unconfirmed" if unconfirmed else "pregnancy_possible",
                unconfirmed,
            )
        )
        problem = contraception_problem(facts.get("contraception_methods"))
        if problem:
            flags.append(_flag("contraception", "warning", "contraception", problem=problem))
    if phq9 is not None and phq9.total >= POSITIVE_SCREEN:
        flags.append(
            _flag(
                "mood_screen",
                "warning",
                "mood_screen",
                total=phq9.total,
                band=phq9.band.replace("_", " "),
            )
        )
    psych = conditions & {"depression", "anxiety", "other_mental_illness", "self_harm_history"}
    if psych:
        flags.append(
            _flag(
                "psychiatric_history",
                "warning",
                "psychiatric_history",
                conditions=", ".join(sorted(c.replace("_", " ") for c in psych)),
            )
        )
    if "liver_disease" in conditions:
        flags.append(_flag("liver", "warning", "liver"))
    if "high_lipids" in conditions:
        flags.append(_flag("lipids", "warning", "lipids"))
    if "ibd" in conditions:
        flags.append(_flag("ibd", "warning", "ibd"))
    if "diabetes" in conditions:
        flags.append(_flag("diabetes", "warning", "diabetes"))
    if facts.get("has_allergies") == "yes":
        flags.append(_flag("allergies", "warning", "allergies"))
    return tuple(flags)


# The check-in's side-effect questions (forms/checkin: "se_" ids) and how bad each can be.
SIDE_EFFECT_PREFIX = "se_"
_SEVERITY = {"none": 0, "mild": 1, "moderate": 2, "severe": 3}


def checkin_flags(
    facts: Mapping[str, Any],
    previous: Mapping[str, Any] | None = None,
    *,
    counselling_due: bool = False,
) -> tuple[Flag, ...]:
    """Flags a monthly check-in adds to the mood screen's and contraception's (see
    ``clinician_flags``): a side effect severe this month that was not severe at the last
    check-in (``previous``: its answers), a new vitamin A or tetracycline-class antibiotic, a
    missed pill or sex without the two methods, and no pregnancy test this month.

    ``counselling_due``: the programme rules in force ask that this month's counselling be
    documented (``rules.monthly_counselling_documented``); for a patient who cannot get
    pregnant that is said with a flag (where pregnancy is possible the tests and methods above
    already ask for it)."""
    flags: list[Flag] = []
    before = previous or {}
    worse = sorted(
        qid
        for qid, value in facts.items()
        if qid.startswith(SIDE_EFFECT_PREFIX)
        and value == "severe"
        and _SEVERITY.get(str(before.get(qid)), 0) < _SEVERITY["severe"]
    )
    if worse:
        flags.append(_flag("checkin_severe", "alert", "checkin_severe", True, count=len(worse)))
    if facts.get("new_tetracycline") in _YES:
        flags.append(
            _flag("tetracycline", "alert", "tetracycline", answer=facts["new_tetracycline"])
        )
    if facts.get("new_vitamin_a") in _YES:
        flags.append(_flag("vitamin_a", "alert", "vitamin_a", answer=facts["new_vitamin_a"]))
    if facts.get("can_become_pregnant"):
        if facts.get("missed_pill_or_unprotected") in _YES:
            flags.append(_flag("checkin_unprotected", "alert", "checkin_unprotected", True))
        if not facts.get("pregnancy_test_date"):
            flags.append(_flag("checkin_test_missing", "alert", "checkin_test_missing", True))
    elif counselling_due:
        flags.append(_flag("checkin_counselling", "warning", "checkin_counselling"))
    return tuple(flags)
