"""Fixtures for the documents tests: the real forms, two synthetic records, rendered PDFs."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from doc_samples import adult_record, minor_record  # noqa: E402

from intake.documents import render  # noqa: E402
from intake.domain.records import ConsentRecord  # noqa: E402
from intake.forms import FormSet, load_forms  # noqa: E402

RENDERERS: dict[str, Callable[..., bytes]] = {
    "consent": render.render_consent,
    "education": render.render_education,
    "summary": render.render_summary,
}


@functools.cache
def _forms() -> FormSet:
    return load_forms()


@functools.cache
def _record(who: str, lang: str, clinician_signed: bool) -> ConsentRecord:
    make = adult_record if who == "adult" else minor_record
    return make(_forms(), lang, clinician_signed=clinician_signed)


@functools.cache
def _pdf(kind: str, who: str, lang: str, clinician_signed: bool, page_size: str) -> bytes:
    return RENDERERS[kind](_record(who, lang, clinician_signed), _forms(), page_size)


@pytest.fixture(scope="session")
def forms() -> FormSet:
    return _forms()


@pytest.fixture
def adult() -> ConsentRecord:
    """Zoë Nguyễn: adult, can become pregnant, clinician countersignature still due."""
    return _record("adult", "en", False)


@pytest.fixture
def minor() -> ConsentRecord:
    """Mateo Ñúñez, 16, Spanish, guardian co-signed, countersigned."""
    return _record("minor", "es", True)


@pytest.fixture(scope="session")
def pdf_of() -> Callable[..., bytes]:
    """Rendered documents, made once per session: pdf_of(kind, who, lang, signed, size)."""

    def get(
        kind: str,
        who: str = "adult",
        lang: str = "en",
        clinician_signed: bool | None = None,
        page_size: str = "letter",
    ) -> bytes:
        signed = (who == "minor") if clinician_signed is None else clinician_signed
        return _pdf(kind, who, lang, signed, page_size)

    return get
