"""The aftercare packet: the patient's real dates, in the patient's language, only the pregnancy
dates that apply, the 'if acne returns' advice, and the fingerprint covers the dates."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from doc_samples import adult_record, minor_record, pdf_pages_text, squash

from intake.documents import render
from intake.documents.fingerprint import record_fingerprint
from intake.domain import completion as c
from intake.forms import FormSet, load_forms

LAST_DOSE = dt.date(2026, 9, 14)


@pytest.fixture(scope="module")
def forms() -> FormSet:
    return load_forms()


def _record(forms: FormSet, consent, reason: str = "completed", can: bool = True):  # type: ignore[no-untyped-def]
    consent = dataclasses.replace(consent, can_become_pregnant=can)
    ruleset = forms.programme.in_force(LAST_DOSE, "US")
    done = c.completion(LAST_DOSE, 131.2, reason, "mood" if reason == "other" else "")
    return c.aftercare_record(consent, done, c.aftercare(LAST_DOSE, ruleset, can), "Dr Ana Ruiz")


def test_the_english_packet_prints_the_patients_own_dates(forms: FormSet) -> None:
    text = squash(
        " ".join(
            pdf_pages_text(render.render_aftercare(_record(forms, adult_record(forms)), forms))
        )
    )
    assert "After your isotretinoin course" in text
    assert "Monday 14 September 2026" in text  # the last dose
    assert "Have one more pregnancy test on Wednesday 14 October 2026" in text
    assert "until Wednesday 14 October 2026" in text  # contraception and blood
    assert "Saturday 13 March 2027" in text  # waxing, dermabrasion, laser: 180 days
    assert "131.2 mg per kg" in text and "If your acne comes back" in text
    assert "us-ipledge-2026" in text


def test_the_spanish_packet_is_in_spanish(forms: FormSet) -> None:
    text = squash(
        " ".join(
            pdf_pages_text(render.render_aftercare(_record(forms, minor_record(forms)), forms))
        )
    )
    assert "Después de su tratamiento con isotretinoína" in text
    assert "14 de octubre de 2026" in text and "Si el acné regresa" in text
    assert "131,2 mg por kg" in text


def test_no_pregnancy_dates_for_a_patient_who_cannot_become_pregnant(forms: FormSet) -> None:
    record = _record(forms, adult_record(forms), "side_effects", can=False)
    text = squash(" ".join(pdf_pages_text(render.render_aftercare(record, forms))))
    assert "pregnancy test" not in text.lower() and "contraception" not in text.lower()
    assert "Stopped early because of side effects" in text
    assert "Do not give blood until Wednesday 14 October 2026" in text


def test_the_fingerprint_covers_the_dates(forms: FormSet) -> None:
    record = _record(forms, adult_record(forms))
    assert record.aftercare is not None
    later = dataclasses.replace(
        record,
        aftercare=dataclasses.replace(record.aftercare, pregnancy_test_due=dt.date(2026, 11, 1)),
    )
    assert record_fingerprint(later) != record_fingerprint(record)
    assert render.render_aftercare(record, forms) == render.render_aftercare(record, forms)


def test_an_unknown_placeholder_in_the_aftercare_form_is_reported(forms_copy) -> None:  # type: ignore[no-untyped-def]
    from intake.forms.loader import FormsInvalid

    path = forms_copy / "aftercare" / "form.toml"
    path.write_text(
        path.read_text("utf-8").replace("was on {last_dose}", "was on {last_day}"), "utf-8"
    )
    with pytest.raises(FormsInvalid, match="unknown placeholder"):
        load_forms(forms_copy)


def test_a_pregnancy_section_with_no_dates_is_refused_not_printed_blank(forms: FormSet) -> None:
    from intake.documents.aftercare import _fill

    # The patient can become pregnant, but the dates were counted as if not (or the reverse).
    no_dates = _record(forms, adult_record(forms), can=False)
    with pytest.raises(ValueError, match="do not match"):
        render.render_aftercare(dataclasses.replace(no_dates, can_become_pregnant=True), forms)
    dates = _record(forms, adult_record(forms), can=True)
    with pytest.raises(ValueError, match="do not match"):
        render.render_aftercare(dataclasses.replace(dates, can_become_pregnant=False), forms)
    with pytest.raises(ValueError, match="pregnancy_test_due"):
        _fill("Have a test on {pregnancy_test_due}.", {"pregnancy_test_due": ""})
    assert _fill("On {last_dose}.", {"last_dose": "Monday 14", "pregnancy_test_due": ""}) == (
        "On Monday\u00a014."
    )
