"""Form definitions: typed model and the loader for the top-level ``forms/`` folder."""

from __future__ import annotations

from functools import lru_cache

from intake.forms.loader import FormProblem, FormsInvalid, load_forms, lock_problems
from intake.forms.model import FormSet

__all__ = ["FormProblem", "FormSet", "FormsInvalid", "default_forms", "load_forms", "lock_problems"]


@lru_cache(maxsize=1)
def default_forms() -> FormSet:
    """The forms of this installation, loaded once per process."""
    return load_forms()
