"""The FHIR builder on plain data: typed answers, stable ids, deterministic bytes (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from intake.domain import fhir
from intake.domain.records import ConsentRecord, PatientInfo, Phq9Result, SignatureRecord

CLINIC = fhir.Clinic("RPM Health", "https://rpmhealth.example/fhir", "(555) 010-0100")
AT = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("question", "value", "expected"),
    [
        (fhir.Question("agree", "boolean", "Agree?"), True, [{"valueBoolean": True}]),
        (fhir.Question("n", "integer", "How many?"), 3, [{"valueInteger": 3}]),
        (fhir.Question("x", "decimal", "How much?"), 2.5, [{"valueDecimal": 2.5}]),
        (
            fhir.Question("dob", "date", "Date of birth"),
            dt.date(2001, 2, 3),
            [{"valueDate": "2001-02-03"}],
        ),
        (fhir.Question("note", "longtext", "Notes"), "None", [{"valueString": "None"}]),
        (fhir.Question("note", "longtext", "Notes"), "", []),
        (
            fhir.Question("pick", "choice", "Pick", (("yes", "Yes"), ("no", "No"))),
            "no",
            [
                {
                    "valueCoding": {
                        "system": "https://rpmhealth.example/fhir/CodeSystem/intake-pick",
                        "code": "no",
                        "display": "No",
                    }
                }
            ],
        ),
        (
            fhir.Question("weight_kg", "weight", "Weight"),
            {"value": "140", "unit": "lb"},
            [
                {
                    "valueQuantity": {
                        "value": 140.0,
                        "unit": "lb",
                        "system": "http://unitsofmeasure.org",
                        "code": "[lb_av]",
                    }
                }
            ],
        ),
    ],
)
def test_answers_are_typed(question, value, expected) -> None:  # type: ignore[no-untyped-def]
    assert fhir._answers(question, value, CLINIC) == expected


def test_a_unit_ucum_does_not_know_gets_no_ucum_system() -> None:
    assert fhir.quantity(5, "mmol/L") == {"value": 5, "unit": "mmol/L"}
    assert fhir.quantity(5, "mg/dL")["system"] == "http://unitsofmeasure.org"


def _course(**changes: object) -> fhir.Course:
    sig = SignatureRecord("patient", "Ada Lovelace", "consent signature", AT, (), 600, 200)
    record = ConsentRecord(
        document_id="d",
        visit_id="v-1",
        lang="en",
        patient=PatientInfo("RPM-000001", "Ada", "Lovelace", dt.date(2000, 1, 1), "female"),
        visit_date=AT.date(),
        created_at=AT,
        answers={"first_name": "Ada"},
        can_become_pregnant=False,
        is_minor=False,
        statement_ids=(),
        acknowledgements=(),
        quiz=(),
        quiz_passed=True,
        signatures=(sig,),
        phq9=Phq9Result((0, 0, 0, 0, 0, 0, 0, 0, 2), 2, "none", True, "somewhat"),
        flags=(),
        form_versions={"intake": ("1.0.0", "x")},
        ruleset_id="us-ipledge-2026",
    )
    doc = fhir.PdfDocument("doc-1", "consent", 1, "en", 10, "AAAA", "ab" * 32, AT, None, True)
    course = fhir.Course(
        scope="visit",
        scope_id="v-1",
        clinic=CLINIC,
        patient=record.patient,
        phone="",
        email="",
        lang="en",
        questions=(fhir.Question("first_name", "name", "First name"),),
        visits=(fhir.VisitRecords(record, "submitted", (doc,)),),
    )
    return dataclasses.replace(course, **changes)  # type: ignore[arg-type]


def test_the_same_records_give_the_same_bytes_and_ids_follow_the_records() -> None:
    one, two = (
        fhir.to_json(fhir.build_bundle(_course())),
        fhir.to_json(fhir.build_bundle(_course())),
    )
    assert one == two
    bundle = json.loads(one)
    Bundle.model_validate(bundle)
    assert bundle["timestamp"] == "2026-03-02T15:30:00.000Z"  # the latest record, not "now"
    other = json.loads(fhir.to_json(fhir.build_bundle(_course(scope_id="v-2"))))
    assert other["id"] != bundle["id"]
    # Same patient, same visit: the resources keep their ids across exports.
    assert [e["fullUrl"] for e in other["entry"]] == [e["fullUrl"] for e in bundle["entry"]]


def test_a_positive_item_9_is_its_own_observation() -> None:
    bundle = fhir.build_bundle(_course())
    item9 = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "44260-8"
    )
    assert item9["valueCodeableConcept"]["coding"][0]["code"] == "LA6570-1"
    phq = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"].get("questionnaire") == "http://loinc.org/q/44249-1"
    )
    difficulty = next(i for i in phq["item"] if i["linkId"] == "69722-7")
    assert difficulty["answer"][0]["valueCoding"]["code"] == "LA6573-5"


def test_an_unsigned_visit_has_no_consent_and_its_answers_are_in_progress() -> None:
    base = _course()
    visit = base.visits[0]
    unsigned = dataclasses.replace(
        visit, record=dataclasses.replace(visit.record, signatures=()), status="draft"
    )
    bundle = fhir.build_bundle(dataclasses.replace(base, visits=(unsigned,)))
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert "Consent" not in kinds and "Provenance" not in kinds
    intake = next(
        e["resource"]
        for e in bundle["entry"]
        if str(e["resource"].get("questionnaire", "")).endswith("intake|1.0.0")
    )
    assert intake["status"] == "in-progress"
