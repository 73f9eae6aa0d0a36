"""Under the UK rules of 22 January 2026 the prescriber confirms the indication when countersigning."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from intake.forms import forget_default_check, load_forms
from intake.forms.loader import write_lock
from intake.services import integrity
from intake.services.clinician import ClinicianService
from intake.services.context import AppContext, open_context
from intake.services.documents import DocumentService
from intake.services.errors import InvalidInput
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import staff_actor

CONFIRMED = ("clinically_indicated", "no_other_treatment")


@pytest.fixture
def uk_ctx(forms_copy: Path, fresh_environment: Path) -> Iterator[AppContext]:
    """A clinic whose programme is the UK's (its rule set in force today: uk-mhra-2026)."""
    path = forms_copy / "programme" / "form.toml"
    path.write_text(
        path.read_text("utf-8").replace(
            'default_jurisdiction = "US"', 'default_jurisdiction = "UK"'
        )
    )
    (forms_copy / "versions.lock").unlink()
    write_lock(load_forms(forms_copy), forms_copy)
    forget_default_check()
    context = open_context(data_dir=fresh_environment)
    yield context
    context.db.dispose()


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_the_countersignature_needs_each_uk_2026_attestation(uk_ctx: AppContext) -> None:
    vid, _, _ = walk_visit(uk_ctx, ScriptedPatient(can_become_pregnant=False, sex_at_birth="male"))
    doctor = staff_actor(ensure_staff(uk_ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    review = ClinicianService(uk_ctx).review(doctor, vid)
    assert review.record.ruleset_id == "uk-mhra-2026"
    assert [i for i, _ in review.attestations] == list(CONFIRMED)
    docs = DocumentService(uk_ctx)
    ticks = review_everything(uk_ctx, doctor, vid)
    with pytest.raises(InvalidInput) as refused:
        docs.countersign(
            doctor,
            vid,
            "Dr Ana Ruiz",
            signature_strokes(),
            600,
            200,
            secret=STAFF_PIN,
            reviewed=ticks,
            attested=CONFIRMED[:1],
        )
    assert "no other appropriate effective treatment" in refused.value.errors["attested"]
    info = docs.countersign(
        doctor,
        vid,
        "Dr Ana Ruiz",
        signature_strokes(),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=ticks,
        attested=CONFIRMED,
    )
    text = _text(docs.open_pdf(doctor, info.id))
    assert "Prescriber confirms" in text
    assert "clinically indicated for this patient's acne" in text
    assert "no other appropriate effective treatment" in text
    # The attestations are kept with the signature and bound to it: the visit still verifies.
    with uk_ctx.db.session() as s:
        assert integrity.visit_problems(uk_ctx, s) == []


def test_a_us_visit_asks_the_prescriber_for_no_attestation(sqlite_ctx: AppContext) -> None:
    vid, _, _ = walk_visit(
        sqlite_ctx, ScriptedPatient(can_become_pregnant=False, sex_at_birth="male")
    )
    doctor = staff_actor(ensure_staff(sqlite_ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    review = ClinicianService(sqlite_ctx).review(doctor, vid)
    assert review.record.ruleset_id.startswith("us-ipledge")
    assert review.attestations == ()


def test_a_uk_2026_consent_without_the_required_statements_is_not_countersigned(
    uk_ctx: AppContext,
) -> None:
    """A consent signed under a form lacking a statement the rule set requires is refused."""
    from dataclasses import replace

    from intake.services.documents import _attestations

    vid, _, _ = walk_visit(uk_ctx, ScriptedPatient(can_become_pregnant=False, sex_at_birth="male"))
    doctor = staff_actor(ensure_staff(uk_ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    record = ClinicianService(uk_ctx).review(doctor, vid).record
    assert _attestations(uk_ctx.forms, record, CONFIRMED)  # as signed: all there
    without = replace(
        record,
        acknowledgements=tuple(
            a for a in record.acknowledgements if a.statement_id != "purpose.second_opinion"
        ),
    )
    with pytest.raises(InvalidInput) as refused:
        _attestations(uk_ctx.forms, without, CONFIRMED)
    assert "purpose.second_opinion" in refused.value.errors["visit"]
