"""The monthly check-in: which comprehension questions a month asks.

The check-in repeats a few questions of the first visit's quiz each month (the US programme asks
them monthly): a different set each month, the same set for the same month whoever asks, so a
resumed visit and its record agree.
"""

from __future__ import annotations

from collections.abc import Sequence

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
