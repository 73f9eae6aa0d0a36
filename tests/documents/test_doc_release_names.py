"""The intake summary says who released a mood-screen alert, when, and their note; the documents
name the dermatologist, or say in the patient's language that one will countersign."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from doc_samples import adult_record, pdf_pages_text, squash

from intake.documents import render
from intake.domain.records import AlertReleaseRecord, ConsentRecord
from intake.forms import FormSet
from intake.forms.loader import DEFAULT_FORMS_DIR, load_forms

RELEASE = AlertReleaseRecord(
    "item9",
    'Seen in private <b>& safe</b>; plan agreed "today".',
    "Dr Ana Ruiz",
    "clinician",
    dt.datetime(2026, 3, 2, 15, 42, tzinfo=dt.UTC),
    "desk-1",
)


@pytest.fixture(scope="module")
def forms() -> FormSet:
    return load_forms(DEFAULT_FORMS_DIR)


def _words(pdf: bytes) -> str:
    return squash(" ".join(pdf_pages_text(pdf)))


def _released(forms: FormSet, lang: str) -> ConsentRecord:
    return dataclasses.replace(adult_record(forms, lang), alert_releases=(RELEASE,))


@pytest.mark.parametrize(
    "lang, title, role, when",
    [
        ("en", "Released for the visit to continue", "clinician", "2 March 2026, 10:42"),
        ("es", "Autorizado para seguir con la visita", "médico/a", "2 de marzo de 2026"),
    ],
)
def test_the_summary_names_who_released_the_alert_when_and_the_note(
    forms: FormSet, lang: str, title: str, role: str, when: str
) -> None:
    words = _words(render.render_summary(_released(forms, lang), forms))
    assert title in words
    assert f"Dr Ana Ruiz ({role}), {when}" in words
    assert 'Seen in private <b>& safe</b>; plan agreed "today".' in words  # as typed, escaped


def test_a_summary_without_a_release_has_no_release_line(forms: FormSet) -> None:
    words = _words(render.render_summary(adult_record(forms, "en"), forms))
    assert "Released for the visit" not in words


@pytest.mark.parametrize(
    "lang, pending",
    [
        ("en", "to be countersigned by a clinic dermatologist"),
        ("es", "pendiente de la firma de un dermatólogo/a de la clínica"),
    ],
)
@pytest.mark.parametrize("kind", ["consent", "summary", "education"])
def test_with_no_dermatologist_named_the_documents_say_one_will_countersign(
    forms: FormSet, kind: str, lang: str, pending: str
) -> None:
    record = dataclasses.replace(adult_record(forms, lang), dermatologist="")
    renderer = getattr(render, f"render_{kind}")
    words = _words(renderer(record, forms))
    assert pending in words
    assert "not recorded" not in words and "no consta" not in words
    named = _words(renderer(adult_record(forms, lang), forms))
    assert "Dr. Amara Okafor" in named and pending not in named


def test_a_reissued_summary_names_the_issue_it_replaces(forms: FormSet) -> None:
    record = dataclasses.replace(adult_record(forms, "en"), supersedes="DOC-2026-0001-A")
    assert "Replaces document DOC-2026-0001-A" in _words(render.render_summary(record, forms))
