"""Validate a page of answers against its form definition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from intake.domain import validation as v
from intake.domain.errors import ValidationError
from intake.domain.rules import derive_facts, holds
from intake.forms import model as fm


def validate_answer(q: fm.Question, raw: Any, today: dt.date) -> Any:
    """The normalised value of one answer; None for an optional question left empty."""
    empty = raw is None or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip())
    if empty and q.type != "multi":
        if q.required:
            if q.type == "choice":
                raise ValidationError(q.id, "Please answer this question.", code="answer_this")
            raise ValidationError(q.id, "Please fill this in.", code="fill_in")
        return None
    match q.type:
        case "name":
            return v.name(raw, q.id)
        case "text" | "longtext":
            return v.free_text(raw, q.id, required=q.required)
        case "date":
            return (
                v.date_of_birth(raw, today, q.id)
                if q.id == "date_of_birth"
                else v.parse_date(raw, q.id)
            )
        case "choice":
            return v.choice(raw, [o.value for o in q.options], q.id)
        case "multi":
            return v.multi(
                raw, [o.value for o in q.options], q.exclusive, q.id, required=q.required
            )
        case "weight":
            # A unit written in the text wins over the selector beside it ("154 lb" is pounds).
            stones = "st" in q.units
            if isinstance(raw, Mapping):
                return v.weight_kg(raw.get("value"), str(raw.get("unit", "kg")), q.id, stones)
            return v.weight_kg(raw, "kg", q.id, stones)
        case "phone":
            return v.phone(raw, q.id)
        case "email":
            return v.email(raw, q.id)
    raise ValidationError(
        q.id,
        "This question cannot be answered here; please ask a member of staff.",
        code="question_unanswerable",
    )


def validate_page(
    page: fm.Page, raw: Mapping[str, Any], known: Mapping[str, Any], today: dt.date
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate the visible questions of a page, in order.

    ``known`` holds answers saved earlier (other pages, and this page's last save). A question's
    ``show_if`` sees the facts as validated so far: an answer to a question that is now hidden is
    dropped and cannot reveal the questions after it. Returns the clean values and a message per
    question that failed.
    """
    page_ids = {q.id for q in page.questions}
    current: dict[str, Any] = {k: v for k, v in known.items() if k not in page_ids}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in page.questions:
        if not holds(q.show_if, derive_facts(current, today)):
            continue
        given = raw[q.id] if q.id in raw else known.get(q.id)
        try:
            value = validate_answer(q, given, today)
        except ValidationError as exc:
            errors[q.id] = exc.message
            continue
        values[q.id] = value
        current[q.id] = value
    return values, errors
