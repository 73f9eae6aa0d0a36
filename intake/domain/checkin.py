"""The monthly check-in: which comprehension questions a month asks.

The check-in repeats a few questions of the first visit's quiz each month (the US programme asks
them monthly): a different set each month, the same set for the same month whoever asks, so a
resumed visit and its record agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from intake.forms import model as fm

QUIZ_PER_MONTH = 3


def drawn_quiz(
    questions: Sequence[fm.QuizQuestion], month: int, count: int = QUIZ_PER_MONTH
) -> list[fm.QuizQuestion]:
    """``count`` of ``questions`` for month ``month`` (1-based), in the form's order.

    Months take the questions in turn, wrapping round, so consecutive months ask different
    questions whenever there are at least twice ``count`` of them.
    """
    n = len(questions)
    if n <= count:
        return list(questions)
    start = ((max(month, 1) - 1) * count) % n
    picked = {questions[(start + i) % n].id for i in range(count)}
    return [q for q in questions if q.id in picked]


# The check-in's side effects (forms/checkin "se_" questions) as the follow-up form's boxes
# (intake.domain.course.SIDE_EFFECTS); those the form has no box for go under "other".
FOLLOW_UP_EFFECT = {
    "se_dry_skin_lips": "dry_skin_lips",
    "se_dry_eyes": "dry_eyes",
    "se_nosebleeds": "nosebleeds",
    "se_joint_muscle": "joint_muscle_pain",
    "se_back_pain": "joint_muscle_pain",
    "se_headache_vision": "headache",
    "se_night_vision": "vision_change",
    "se_stomach_pain": "stomach_pain",
    "se_rash": "rash",
}
# The clinician's words for what the patient reported (the follow-up form, the notes).
CLINICAL_EFFECT = {
    "se_dry_skin_lips": "xerosis/cheilitis",
    "se_dry_eyes": "dry eyes (contact lens intolerance)",
    "se_nosebleeds": "epistaxis",
    "se_sun": "photosensitivity",
    "se_joint_muscle": "arthralgia/myalgia or muscle weakness",
    "se_back_pain": "back pain",
    "se_headache_vision": "severe headache or blurred vision (?raised ICP)",
    "se_night_vision": "reduced night vision",
    "se_hearing": "hearing change/tinnitus",
    "se_stomach_pain": "abdominal pain",
    "se_bowel": "diarrhoea or rectal bleeding (?IBD)",
    "se_liver": "dark urine or jaundice (?hepatotoxicity)",
    "se_rash": "rash",
}
CLINICAL_CONTRACEPTION = {
    "copper_iud": "Copper IUD",
    "hormonal_iud": "Levonorgestrel IUD",
    "implant": "Etonogestrel implant",
    "tubal_sterilisation": "Tubal ligation",
    "partner_vasectomy": "Partner vasectomy",
    "combined_pill": "Combined oral contraceptive",
    "patch": "Transdermal patch",
    "ring": "Vaginal ring",
    "injection": "Depot medroxyprogesterone injection",
    "progestin_only_pill": "Progestin-only pill",
    "male_condom": "Male condom",
    "female_condom": "Female condom",
    "diaphragm": "Diaphragm/cervical cap with spermicide",
    "abstinence": "Committed abstinence",
}
SEXUAL_FUNCTION = {
    "no": "No change reported",
    "yes": "Change reported: discuss",
    "prefer_not": "Patient asked to discuss in person",
}


@dataclass(frozen=True)
class FollowUpPrefill:
    """What a month's follow-up form starts from: the patient's check-in, in clinical words."""

    month: int | None
    weight_kg: float | None
    side_effects: tuple[str, ...]
    contraception: tuple[str, ...]
    mood_score: int | None
    sexual_function: str
    notes: str


def _kg(value: Any) -> float | None:
    if isinstance(value, Mapping):
        try:
            number = float(value.get("value", ""))
        except (TypeError, ValueError):
            return None
        unit = value.get("unit", "kg")
        factor = {"kg": 1.0, "lb": 0.45359237, "st": 6.35029318}.get(str(unit), 1.0)
        return round(number * factor, 1)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def follow_up_prefill(
    answers: Mapping[str, Any], mood_total: int | None, month: int | None = None
) -> FollowUpPrefill:
    """The follow-up form's starting values from a signed check-in's answers."""
    reported = [
        (qid, str(answers.get(qid)))
        for qid in CLINICAL_EFFECT
        if answers.get(qid) in ("mild", "moderate", "severe")
    ]
    boxes = []
    for qid, _how in reported:
        box = FOLLOW_UP_EFFECT.get(qid, "other")
        if box not in boxes:
            boxes.append(box)
    notes = []
    if reported:
        notes.append(
            "Reported at check-in: "
            + "; ".join(f"{CLINICAL_EFFECT[qid]} ({how})" for qid, how in reported)
        )
    new = [
        name
        for qid, name in (("new_vitamin_a", "vitamin A"), ("new_tetracycline", "tetracycline"))
        if answers.get(qid) in ("yes", "unsure")
    ]
    if new:
        notes.append("New: " + ", ".join(new))
    if answers.get("missed_pill_or_unprotected") in ("yes", "unsure"):
        notes.append("Missed pill or unprotected intercourse since last visit")
    if answers.get("pregnancy_test_date"):
        notes.append(f"Pregnancy test {answers['pregnancy_test_date']}")
    if answers.get("last_period_start"):
        notes.append(f"LMP {answers['last_period_start']}")
    methods = tuple(
        m for m in answers.get("contraception_methods") or () if m in CLINICAL_CONTRACEPTION
    )
    return FollowUpPrefill(
        month,
        _kg(answers.get("weight_kg")),
        tuple(boxes),
        methods,
        mood_total,
        SEXUAL_FUNCTION.get(str(answers.get("sexual_function_change")), ""),
        ". ".join(notes),
    )
