"""The one error type the domain raises for a person's bad input, and the coded text it carries."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


class Coded(str):
    """A message in English that also names itself: ``code`` and its values ``params``.

    Code that only wants the words uses it as the plain English ``str`` it is; a screen words it
    in the person's own language from the message catalogue by its code (the kiosk:
    ``kiosk.error_<code>``), never by reading the English sentence.
    """

    code: str
    params: Mapping[str, Any]

    def __new__(cls, text: str = "", code: str = "", **params: Any) -> Coded:
        self = super().__new__(cls, text)
        self.code = code
        self.params = MappingProxyType(dict(params))
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_coded, (str(self), self.code, dict(self.params)))


def _coded(text: str, code: str, params: dict[str, Any]) -> Coded:
    return Coded(text, code, **params)


def code_of(text: object) -> str:
    """The code a message carries; "" for a plain text."""
    return text.code if isinstance(text, Coded) else ""


class ValidationError(ValueError):
    """An answer a person gave cannot be accepted; ``message`` says what to do about it.

    ``code`` (with its values ``params``) names the problem, so that a screen words it in the
    person's language: ``message`` is then a ``Coded`` text carrying both.
    """

    def __init__(self, field: str, message: str, code: str = "", **params: Any):
        if code:
            message = Coded(message, code, **params)
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    @property
    def code(self) -> str:
        return code_of(self.message)
