"""Staff's numbers go through the patient's parser: a follow-up weight typed in pounds is
pounds, a sign or an exponent is refused, and nothing is saved when one is."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from intake.forms.loader import load_forms
from intake.services.clinician import ClinicianService
from intake.services.context import AppContext
from intake.services.errors import InvalidInput
from intake.services.patients import PatientService
from intake.services.scripted import ensure_staff
from intake.services.staff import staff_actor

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"


def _patient(ctx: AppContext) -> int:
    front = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    return (
        PatientService(ctx)
        .register(
            front,
            first_name="Kai",
            last_name="Lee",
            date_of_birth="2000-01-01",
            sex_at_birth="male",
        )
        .id
    )


def _doctor(ctx: AppContext):  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))


def test_a_follow_up_weight_written_in_pounds_is_pounds(sqlite_ctx: AppContext) -> None:
    clin, pid = ClinicianService(sqlite_ctx), _patient(sqlite_ctx)
    row = clin.record_follow_up(
        _doctor(sqlite_ctx),
        pid,
        1,
        seen_on=sqlite_ctx.today(),
        weight="154 lb",
        weight_unit="kg",
        daily_dose_mg="40 mg",
    )
    assert row.weight_kg == 69.9 and row.daily_dose_mg == 40


@pytest.mark.parametrize(
    ("weight", "dose", "field", "needle"),
    [
        ("-70", "40", "weight", "sign"),
        ("1e2", "40", "weight", "without an e"),
        ("70", "4e1", "daily_dose_mg", "without an e"),
        ("70", "-40", "daily_dose_mg", "sign"),
        ("70", "40 60", "daily_dose_mg", "one number only"),
        ("10 st 4 lb", "40", "weight", "stones are not used"),
    ],
)
def test_a_follow_up_number_that_cannot_be_read_saves_nothing(
    sqlite_ctx: AppContext, weight: str, dose: str, field: str, needle: str
) -> None:
    clin, pid, doc = ClinicianService(sqlite_ctx), _patient(sqlite_ctx), _doctor(sqlite_ctx)
    with pytest.raises(InvalidInput) as info:
        clin.record_follow_up(
            doc, pid, 1, seen_on=sqlite_ctx.today(), weight=weight, daily_dose_mg=dose
        )
    assert needle in info.value.errors[field]
    assert clin.course(doc, pid).follow_ups == ()


def test_a_lab_value_with_an_exponent_is_refused(sqlite_ctx: AppContext) -> None:
    clin, pid, doc = ClinicianService(sqlite_ctx), _patient(sqlite_ctx), _doctor(sqlite_ctx)
    with pytest.raises(InvalidInput) as info:
        clin.record_lab(doc, pid, "alt", "3e1", sqlite_ctx.today())
    assert "without an e" in info.value.errors["value"]
    assert clin.record_lab(doc, pid, "alt", "30,5", sqlite_ctx.today()).value == 30.5


def test_stones_at_a_clinic_that_takes_them(sqlite_ctx: AppContext, tmp_path: Path) -> None:
    root = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, root)
    clinic = root / "clinic" / "form.toml"
    clinic.write_text(
        clinic.read_text("utf-8").replace("[clinic]\n", "[clinic]\nallow_stones = true\n", 1),
        "utf-8",
    )
    ctx = dataclasses.replace(sqlite_ctx, forms=load_forms(root))
    row = ClinicianService(ctx).record_follow_up(
        _doctor(ctx), _patient(ctx), 1, seen_on=ctx.today(), weight="10 st 4", daily_dose_mg="40"
    )
    assert row.weight_kg == 65.3
