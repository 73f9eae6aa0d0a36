"""The consent of a re-consent: which consent and version it renews and replaces, why, the new
and changed statements marked, and the statements carried over listed; without Qt or storage."""

from __future__ import annotations

import dataclasses
import datetime as dt

from doc_samples import pdf_pages_text, squash

from intake.documents import render
from intake.documents.fingerprint import record_sha256
from intake.domain.records import ConsentRecord, ReconsentRecord
from intake.forms import FormSet

RENEWED = "11111111-2222-3333-4444-555555555555"


def renewal(record: ConsentRecord, *, asked: tuple[str, ...], reasons: tuple[str, ...]):  # type: ignore[no-untyped-def]
    carried = tuple(sid for sid in record.statement_ids if sid not in asked)
    return dataclasses.replace(
        record,
        statement_ids=asked,
        reconsent=ReconsentRecord(
            "visit-0",
            RENEWED,
            dt.date(2026, 1, 12),
            (("risks", "1.0.0"),),
            reasons,
            asked[:1],
            asked[1:],
            carried,
        ),
    )


def text_of(record: ConsentRecord, forms: FormSet) -> str:
    return squash(" ".join(pdf_pages_text(render.render_consent(record, forms))))


def test_a_re_consent_says_what_it_replaces_and_marks_what_changed(
    adult: ConsentRecord, forms: FormSet
) -> None:
    asked = ("purpose.second_opinion", "dryness.care")
    record = renewal(adult, asked=asked, reasons=("form_changed",))
    text = text_of(record, forms)
    assert "Renews document" in text and RENEWED in text
    assert "renews and replaces the consent of 12 January 2026" in text
    assert "risks 1.0.0" in text and f"risks {forms.risks.meta.version}" in text
    assert "New statements: 1; changed statements: 1." in text
    assert "New · I understand that I can ask for a second opinion" in text
    assert "Changed · I will use moisturizer" in text
    # Every carried-over statement is listed, after the heading saying so.
    carried_at = text.index("Statements carried over")
    for sid in record.reconsent.carried_over[:3]:  # type: ignore[union-attr]
        assert squash(forms.risks.statement(sid).text("en")) in text[carried_at:]
    assert "Changed · " not in text[carried_at:]


def test_a_re_consent_at_18_in_spanish(minor: ConsentRecord, forms: FormSet) -> None:
    adult_now = dataclasses.replace(minor, is_minor=False)
    record = renewal(adult_now, asked=(), reasons=("turned_18",))
    text = text_of(record, forms)
    assert "Renovación del consentimiento" in text
    assert "12 de enero de 2026" in text
    assert "ya cumplió 18 años" in text
    assert "Ninguna declaración cambió" in text
    assert "Declaraciones que se mantienen" in text


def test_an_ordinary_record_keeps_its_fingerprint(adult: ConsentRecord) -> None:
    """The re-consent field counts only when set: records made before it hash as they did."""
    with_field = record_sha256(adult)
    assert with_field == record_sha256(dataclasses.replace(adult, reconsent=None))
    changed = renewal(adult, asked=("dryness.care",), reasons=("form_changed",))
    assert record_sha256(changed) != record_sha256(
        dataclasses.replace(changed, reconsent=dataclasses.replace(changed.reconsent, new=()))  # type: ignore[type-var]
    )
