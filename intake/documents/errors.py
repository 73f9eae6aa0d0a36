"""Errors the documents layer raises for input it cannot use."""

from __future__ import annotations


class DocumentError(Exception):
    """A document cannot be made or checked; the message says why in plain words."""


class FormsMismatch(DocumentError, ValueError):
    """The forms given are not the version the record was made with.

    A consent must show the exact statements the patient initialled, so it is never drawn
    from a different version of the risk statements.
    """


class NotAPdf(DocumentError, ValueError):
    """The bytes given to be checked are not a PDF at all (unusable input)."""
