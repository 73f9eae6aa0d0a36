"""Whether a sealed document's signing time is proven by a time-stamping authority."""

from __future__ import annotations

import enum


class TimestampState(enum.Enum):
    """PAdES level of a stored document's current file, as far as its timestamp goes."""

    NONE = "none"  # sealed B-B with no authority set: the time is the one the clinic claimed
    PENDING = "pending"  # sealed B-B while the authority was unreachable: a timestamp is to come
    AT_SEALING = "at sealing"  # B-T: a signature timestamp given when it was sealed
    ADDED = "added"  # B-T: a document timestamp added later, stored as a new version

    @property
    def proven(self) -> bool:
        """B-T: the signing time is the authority's, not the clinic computer's."""
        return self in (TimestampState.AT_SEALING, TimestampState.ADDED)
