"""Form definitions: typed model and the loader for the top-level ``forms/`` folder."""

from __future__ import annotations

from intake.forms.loader import (
    FormProblem,
    FormsCheck,
    FormsInvalid,
    check_forms,
    load_forms,
    lock_problems,
)
from intake.forms.model import FormSet

__all__ = [
    "FormProblem",
    "FormSet",
    "FormsCheck",
    "FormsInvalid",
    "check_forms",
    "default_check",
    "default_forms",
    "forget_default_check",
    "load_forms",
    "lock_problems",
]


_checked: list[FormsCheck] = []


def default_check() -> FormsCheck:
    """The forms of this installation and their problems.

    A clean result is kept for the life of the process; a result with problems is not, so
    that "Try again" after a fix (or after `main.py forms lock`) reads the files again.
    """
    if _checked:
        return _checked[0]
    check = check_forms()
    if check.ok:
        _checked.append(check)
    return check


def forget_default_check() -> None:
    """Check the files again on the next call (tests that point INTAKE_FORMS_DIR elsewhere)."""
    _checked.clear()


def default_forms() -> FormSet:
    """The forms of this installation, loaded once per process; FormsInvalid when they do not
    load (problems of versions.lock alone do not stop them loading: see ``default_check``)."""
    check = default_check()
    if check.forms is None:
        raise FormsInvalid(list(check.problems))
    return check.forms
