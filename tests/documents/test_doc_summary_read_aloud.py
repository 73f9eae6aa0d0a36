"""The intake summary says which acknowledgements were given after the statement was read aloud
at the kiosk, where it counts the statements acknowledged, in the record's language."""

from __future__ import annotations

import dataclasses

import pytest
from doc_samples import adult_record, pdf_pages_text, squash

from intake.documents import render
from intake.forms import FormSet

WORDS = {
    "en": ("Read aloud at the kiosk", "{n} of {total}: {topic} ({n})", "none (the patient read"),
    "es": ("Leídas en voz alta en el quiosco", "{n} de {total}: {topic} ({n})", "ninguna (el"),
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_summary_names_the_statements_read_aloud(forms: FormSet, lang: str) -> None:
    record = adult_record(forms, lang)
    first = forms.risks.statement(record.statement_ids[0])
    # Two statements of the first topic listened to, the others read.
    listened = [s.id for s in forms.risks.topics[0].statements if s.id in record.statement_ids][:2]
    assert len(listened) == 2 and first.id in listened
    acks = tuple(
        dataclasses.replace(a, read_aloud=a.statement_id in listened)
        for a in record.acknowledgements
    )
    pdf = render.render_summary(dataclasses.replace(record, acknowledgements=acks), forms)
    text = squash(" ".join(pdf_pages_text(pdf)))
    label, some, none = WORDS[lang]
    total = len(record.acknowledgements)
    topic = forms.risks.topics[0].title.get(lang)
    assert label in text
    assert squash(some.format(n=2, total=total, topic=topic)) in text
    assert none not in text

    plain = squash(" ".join(pdf_pages_text(render.render_summary(record, forms))))
    assert label in plain and none in plain
