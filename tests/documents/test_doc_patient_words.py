"""Spanish documents say "la paciente" of a woman and "el paciente" otherwise."""

from __future__ import annotations

from collections.abc import Callable

from doc_samples import pdf_pages_text, squash

PdfOf = Callable[..., bytes]


def test_a_womans_spanish_consent_says_la_paciente(pdf_of: PdfOf) -> None:
    # Zoë Nguyễn (adult, female at birth): the prescriber's declaration and the signature due.
    text = squash(" ".join(pdf_pages_text(pdf_of("consent", "adult", "es"))))
    assert "he comprobado que la paciente los entiende" in text
    assert "Falta la firma de la paciente" not in text  # she signed
    assert "el paciente" not in text


def test_a_mans_spanish_consent_says_el_paciente(pdf_of: PdfOf) -> None:
    # Mateo Ñúñez (16, male at birth), guardian co-signed.
    text = squash(" ".join(pdf_pages_text(pdf_of("consent", "minor", "es"))))
    assert "Como el paciente es menor de 18 años" in text
    assert "he comprobado que el paciente los entiende" in text
    # Only the forms' neutral "el o la paciente" speaks of "la paciente" here.
    assert text.count("la paciente") == text.count("el o la paciente")


def test_a_womans_spanish_summary_says_la_paciente(pdf_of: PdfOf) -> None:
    text = squash(" ".join(pdf_pages_text(pdf_of("summary", "adult", "es"))))
    assert "antes de que la paciente se vaya" in text  # her mood screen's item 9 is positive


def test_english_documents_read_the_same_for_everyone(pdf_of: PdfOf) -> None:
    text = squash(" ".join(pdf_pages_text(pdf_of("consent", "adult", "en"))))
    assert "checked the patient's understanding" in text
