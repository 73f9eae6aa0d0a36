"""The one error type the domain raises for a person's bad input."""

from __future__ import annotations


class ValidationError(ValueError):
    """An answer a person gave cannot be accepted; ``message`` says what to do about it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
