"""What a visit still lacks before it can be signed, as small typed items.

The kiosk turns each item into words in the patient's language (its own text tables); the
English ``str()`` of an item is for the services' own messages and for staff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class MissingKind(StrEnum):
    QUESTION = "question"  # ``id``: the intake question
    MOOD = "mood"  # the mood questions (PHQ-9)
    STAFF = "staff"  # a member of staff must see the patient first (a positive item 9...)
    IDENTITY = "identity"  # a member of staff must check the patient's details
    ACKNOWLEDGEMENT = "acknowledgement"  # ``id``: the statement, ``role``: who initials it
    QUIZ = "quiz"  # the understanding check is not passed
    SIGNATURE = "signature"  # ``role``: who signs


@dataclass(frozen=True)
class Missing:
    """One thing still to do; ``id`` and ``role`` say which, where the kind has them."""

    kind: MissingKind
    id: str = ""
    role: str = ""

    def __str__(self) -> str:
        match self.kind:
            case MissingKind.QUESTION:
                return f"question {self.id}"
            case MissingKind.MOOD:
                return "mood questions"
            case MissingKind.STAFF:
                return "a member of staff must see you first"
            case MissingKind.IDENTITY:
                return "a member of staff must check your details"
            case MissingKind.ACKNOWLEDGEMENT:
                return f"acknowledgement {self.id} ({self.role})"
            case MissingKind.QUIZ:
                return "understanding check"
            case MissingKind.SIGNATURE:
                return f"signature ({self.role})"
        return self.kind.value


@dataclass
class Completeness:
    missing: list[Missing] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def before_signing(self) -> list[Missing]:
        """What is missing apart from the signatures themselves."""
        return [m for m in self.missing if m.kind is not MissingKind.SIGNATURE]
