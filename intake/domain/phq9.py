"""PHQ-9 mood screen scoring (public domain; LOINC 44249-1)."""

from __future__ import annotations

from collections.abc import Sequence

from intake.domain.errors import ValidationError
from intake.domain.records import Phq9Result

BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 4, "none"),
    (5, 9, "mild"),
    (10, 14, "moderate"),
    (15, 19, "moderately_severe"),
    (20, 27, "severe"),
)
POSITIVE_SCREEN = 10  # total at or above which the clinician is flagged
# Where a visit keeps the mood screen among its answers: one per item, and the difficulty.
ITEM_IDS = tuple(f"phq9_{n}" for n in range(1, 10))
DIFFICULTY_ID = "phq9_difficulty"
ANSWER_IDS = frozenset((*ITEM_IDS, DIFFICULTY_ID))


def band_for(total: int) -> str:
    for low, high, band in BANDS:
        if low <= total <= high:
            return band
    raise ValueError(f"PHQ-9 total out of range: {total}")


def item9_positive(answers: Sequence[int | None]) -> bool:
    """Any answer but 'not at all' to thoughts of self-harm needs same-visit follow-up."""
    return len(answers) >= 9 and answers[8] is not None and answers[8] > 0


def score(answers: Sequence[int | None], difficulty: str = "") -> Phq9Result:
    if len(answers) != 9:
        raise ValidationError("phq9", "Please answer all nine questions.", code="phq9_all")
    values: list[int] = []
    for i, a in enumerate(answers, start=1):
        if a is None:
            raise ValidationError(
                f"phq9_{i}", f"Please answer question {i}.", code="phq9_item", n=i
            )
        if isinstance(a, bool) or not isinstance(a, int) or not 0 <= a <= 3:
            raise ValidationError(
                f"phq9_{i}", f"Question {i} needs one of the four answers.", code="phq9_value", n=i
            )
        values.append(a)
    total = sum(values)
    return Phq9Result(tuple(values), total, band_for(total), item9_positive(values), difficulty)
