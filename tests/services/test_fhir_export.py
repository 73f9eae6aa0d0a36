"""FHIR R4 export: validated by fhir.resources (R4B models) and by the checks that library skips."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from fhir.resources.R4B.bundle import Bundle

from intake.domain.fhir import every_reference
from intake.services.clinician import ClinicianService
from intake.services.context import SYSTEM
from intake.services.documents import DocumentService
from intake.services.errors import NotAllowed, NotFound
from intake.services.fhir import FhirService
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.services.visits import VisitService
from intake.store.models import AuditEvent, Document

ROOT = Path(__file__).resolve().parents[2]
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"


def _doctor(ctx):  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))


def _patient_id(ctx, vid: str) -> int:  # type: ignore[no-untyped-def]
    return next(r.patient_id for r in VisitService(ctx).board(_doctor(ctx)) if r.visit_id == vid)


def countersigned_adult(ctx) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """An adult who can become pregnant: baseline labs, a negative test, countersigned."""
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    docs = DocumentService(ctx)
    docs.issue_documents(kiosk, vid)
    doctor = _doctor(ctx)
    pid = _patient_id(ctx, vid)
    clinician = ClinicianService(ctx)
    clinician.record_lab_panel(
        doctor,
        pid,
        {"alt": "40", "ast": "30", "cholesterol": "210", "triglycerides": "120"},
        ctx.today(),
    )
    clinician.record_pregnancy_test(doctor, pid, ctx.today(), "negative")
    docs.countersign(
        doctor,
        vid,
        "Dr Ana Ruiz",
        signature_strokes(seed=4),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=review_everything(ctx, doctor, vid),
    )
    return vid, pid


def signed_minor(ctx) -> str:  # type: ignore[no-untyped-def]
    today = dt.date.today()
    minor = ScriptedPatient(
        first_name="Leo",
        last_name="Sá",
        date_of_birth=dt.date(today.year - 16, 1, 15),
        sex_at_birth="male",
        can_become_pregnant=False,
    )
    vid, kiosk, _ = walk_visit(ctx, minor)
    DocumentService(ctx).issue_documents(kiosk, vid)
    return vid


def check_bundle(bundle: dict[str, Any], pdfs: dict[str, bytes]) -> dict[str, list[dict[str, Any]]]:
    """Everything fhir.resources does not check; returns the resources by type."""
    Bundle.model_validate(bundle)  # raises on any structural error
    assert bundle["type"] == "collection"
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(urls) == len(set(urls))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for e in bundle["entry"]:
        r = e["resource"]
        assert e["fullUrl"] == f"urn:uuid:{r['id']}"
        by_type.setdefault(r["resourceType"], []).append(r)
    # Every reference resolves inside the bundle.
    for target in every_reference(bundle["entry"]):
        assert target in urls, target
    # Consent invariants (ppc-1..ppc-5 style).
    for c in by_type.get("Consent", []):
        assert c.get("policy") or c.get("policyRule")
        assert c["patient"]["reference"] in urls
        assert {(x["system"], x["code"]) for x in c["scope"]["coding"]} == {
            ("http://terminology.hl7.org/CodeSystem/consentscope", "treatment")
        }
        assert (LOINC, "59284-0") in {
            (x["system"], x["code"]) for cat in c["category"] for x in cat["coding"]
        }
        assert c["sourceReference"]["reference"] in urls
        assert c["organization"] and c["performer"] and c["dateTime"]
    # Coding systems are the right URIs.
    for o in by_type.get("Observation", []):
        for x in o["code"].get("coding", []):
            if x["code"][0].isdigit():
                assert x["system"] == LOINC
        q = o.get("valueQuantity")
        if q and "code" in q:
            assert q["system"] == UCUM
    # Attachment.hash is the base64 SHA-1 of the very PDF bytes; the SHA-256 is in an extension.
    for d in by_type.get("DocumentReference", []):
        att = d["content"][0]["attachment"]
        doc_id = d["masterIdentifier"]["value"].removeprefix("urn:uuid:")
        pdf = pdfs[doc_id]
        assert att["hash"] == base64.b64encode(hashlib.sha1(pdf).digest()).decode()
        assert att["size"] == len(pdf) and att["contentType"] == "application/pdf"
        assert att["extension"][0]["valueString"] == hashlib.sha256(pdf).hexdigest()
    return by_type


def _pdfs(ctx) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    with ctx.db.session() as s:
        return {d.id: bytes(d.pdf) for d in s.query(Document)}


def _codes(resource: dict[str, Any]) -> set[str]:
    return {x["code"] for x in resource["code"].get("coding", [])}


def test_a_countersigned_adult_visit_exports_a_valid_bundle(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _ = countersigned_adult(ctx)
    out = FhirService(ctx).visit_bundle(SYSTEM, vid)
    bundle = json.loads(out.data)
    by_type = check_bundle(bundle, _pdfs(ctx))
    assert out.resources == len(bundle["entry"])

    (patient,) = by_type["Patient"]
    ident = patient["identifier"][0]
    assert ident["system"] == "https://rpmhealth.example/fhir/patient-record-number"
    assert ident["value"].startswith("RPM")
    assert patient["name"][0]["family"] == "Nguyễn"

    responses = {
        q["questionnaire"].split("/")[-1].split("|")[0]: q for q in by_type["QuestionnaireResponse"]
    }
    assert set(responses) == {"44249-1", "intake", "quiz"}
    phq, intake = responses["44249-1"], responses["intake"]
    # The comprehension check travels too: every answer given, and whether it was passed.
    passed = next(i for i in responses["quiz"]["item"] if i["linkId"] == "quiz-passed")
    assert passed["answer"] == [{"valueBoolean": True}]
    version = ctx.forms.intake.meta.version  # the form in force, whatever its version today
    assert (
        intake["questionnaire"] == f"https://rpmhealth.example/fhir/Questionnaire/intake|{version}"
    )
    items = {i["linkId"]: i["answer"] for i in intake["item"]}
    assert items["date_of_birth"] == [{"valueDate": "1999-04-12"}]
    assert items["sex_at_birth"][0]["valueCoding"]["code"] == "female"
    assert {a["valueCoding"]["code"] for a in items["contraception_methods"]} == {
        "hormonal_iud",
        "male_condom",
    }
    weight = items["weight_kg"][0]["valueQuantity"]
    assert (weight["value"], weight["system"], weight["code"]) == (61.5, UCUM, "kg")
    assert phq["questionnaire"] == "http://loinc.org/q/44249-1"
    phq_items = [i["linkId"] for i in phq["item"]]
    assert phq_items[:9] == [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ]
    assert phq["item"][0]["answer"][0]["valueCoding"]["code"] == "LA6569-3"  # several days
    observations = {next(iter(_codes(o)), o["code"].get("text")): o for o in by_type["Observation"]}
    assert observations["44261-6"]["valueInteger"] == 3
    assert observations["44260-8"]["valueCodeableConcept"]["coding"][0]["code"] == "LA6568-5"
    for code, unit in (
        ("1742-6", "U/L"),
        ("1920-8", "U/L"),
        ("2093-3", "mg/dL"),
        ("2571-8", "mg/dL"),
    ):
        assert observations[code]["valueQuantity"]["code"] == unit
    assert observations["2093-3"]["interpretation"][0]["coding"][0]["code"] == "H"  # 210 > 200
    assert observations["2106-3"]["valueCodeableConcept"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "260385009",
        "display": "Negative",
    }

    (consent,) = by_type["Consent"]
    assert consent["status"] == "active"
    ruleset = ctx.forms.programme.in_force(ctx.today()).id
    assert consent["policy"][0]["uri"] == f"https://rpmhealth.example/fhir/programme/{ruleset}"
    assert consent["verification"][0]["verified"] is True
    docrefs = {f"urn:uuid:{d['id']}": d for d in by_type["DocumentReference"]}
    source = docrefs[consent["sourceReference"]["reference"]]
    assert source["status"] == "current" and source["description"] == "Consent, issue 2"
    assert "relatesTo" in source  # replaces issue 1
    assert len(by_type["DocumentReference"]) == 5  # consent 1+2, education, summary 1+2

    provenance = {p["signature"][0]["type"][0]["code"]: p for p in by_type["Provenance"]}
    assert set(provenance) == {"1.2.840.10065.1.12.1.7", "1.2.840.10065.1.12.1.5"}
    for p in by_type["Provenance"]:
        assert p["signature"][0]["type"][0]["system"] == "urn:iso-astm:E1762-95:2013"
    counter = provenance["1.2.840.10065.1.12.1.5"]
    (practitioner,) = by_type["Practitioner"]
    assert counter["signature"][0]["who"]["reference"] == f"urn:uuid:{practitioner['id']}"
    assert consent["sourceReference"]["reference"] in {t["reference"] for t in counter["target"]}
    patient_sig = provenance["1.2.840.10065.1.12.1.7"]
    assert patient_sig["agent"][0]["who"]["reference"] == f"urn:uuid:{patient['id']}"
    # The drawn signature travels as an SVG image of its strokes.
    assert patient_sig["signature"][0]["sigFormat"] == "image/svg+xml"
    svg = ElementTree.fromstring(base64.b64decode(patient_sig["signature"][0]["data"]))
    assert len(svg.findall(".//{http://www.w3.org/2000/svg}path")) == len(signature_strokes())


def test_a_minor_with_a_guardian(ctx) -> None:  # type: ignore[no-untyped-def]
    vid = signed_minor(ctx)
    by_type = check_bundle(json.loads(FhirService(ctx).visit_bundle(SYSTEM, vid).data), _pdfs(ctx))
    (guardian,) = by_type["RelatedPerson"]
    assert guardian["name"][0]["family"] == "Ñúñez"
    assert guardian["relationship"][0]["coding"][0]["code"] == "PRN"
    (consent,) = by_type["Consent"]
    assert consent["status"] == "proposed"  # not countersigned yet
    performers = {p["reference"] for p in consent["performer"]}
    assert f"urn:uuid:{guardian['id']}" in performers
    signers = {p["agent"][0]["who"]["reference"] for p in by_type["Provenance"]}
    assert f"urn:uuid:{guardian['id']}" in signers and len(signers) == 2
    assert "Practitioner" not in by_type


def test_two_exports_are_identical_and_each_is_audited(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vid, _ = countersigned_adult(ctx)
    service = FhirService(ctx)
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    first = service.export_visit(SYSTEM, vid, one)
    service.export_visit(_doctor(ctx), vid, two)
    assert one.read_bytes() == two.read_bytes() == first.data
    assert stat.S_IMODE(os.stat(one).st_mode) == 0o600
    with ctx.db.session() as s:
        events = s.query(AuditEvent).filter(AuditEvent.action == "export").all()
        assert [(e.entity, e.entity_id) for e in events] == [("visit", vid), ("visit", vid)]
        for e in events:
            assert e.detail["sha256"] == hashlib.sha256(one.read_bytes()).hexdigest()
            blob = json.dumps(e.detail, ensure_ascii=False)
            assert "Nguy" not in blob and "1999" not in blob and "RPM" not in blob


def test_the_whole_course_of_a_patient(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, pid = countersigned_adult(ctx)
    doctor = _doctor(ctx)
    ClinicianService(ctx).record_follow_up(
        doctor,
        pid,
        1,
        seen_on=ctx.today(),
        weight="61",
        daily_dose_mg="40",
        side_effects=["dry_skin_lips"],
        mood_score=4,
        contraception=["hormonal_iud", "male_condom"],
    )
    record_number = next(
        r for r in VisitService(ctx).board(doctor) if r.visit_id == vid
    ).record_number
    out = FhirService(ctx).patient_bundle(doctor, record_number.lower())  # case does not matter
    by_type = check_bundle(json.loads(out.data), _pdfs(ctx))
    panel = next(o for o in by_type["Observation"] if "monthly-follow-up" in _codes(o))
    dose = next(c for c in panel["component"] if "daily-dose" in _codes(c))
    assert dose["valueQuantity"] == {"value": 40.0, "unit": "mg/d", "system": UCUM, "code": "mg/d"}
    members = {m["reference"] for m in panel["hasMember"]}
    weights = [o for o in by_type["Observation"] if "29463-7" in _codes(o)]
    assert len(weights) == 1 and f"urn:uuid:{weights[0]['id']}" in members
    with ctx.db.session() as s:
        event = s.query(AuditEvent).filter(AuditEvent.action == "export").one()
        assert (event.entity, event.entity_id) == ("patient", str(pid))


def test_only_clinicians_admins_and_the_system_export(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient())
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    for actor in (desk, kiosk):
        with pytest.raises(NotAllowed):
            FhirService(ctx).visit_bundle(actor, vid)
    with pytest.raises(NotFound):
        FhirService(ctx).visit_bundle(SYSTEM, "no-such-visit")
    with pytest.raises(NotFound):
        FhirService(ctx).patient_bundle(SYSTEM, "RPM-999999")
    with ctx.db.session() as s:
        assert s.query(AuditEvent).filter(AuditEvent.action == "export").count() == 0


def _main(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_export_command(sqlite_ctx, fresh_environment: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vid, _ = countersigned_adult(sqlite_ctx)
    env = {**os.environ, "INTAKE_DATA_DIR": str(fresh_environment)}
    out = tmp_path / "visit.json"
    done = _main(env, "export", "fhir", "--visit", vid, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Zoë" not in done.stdout + done.stderr and "Nguy" not in done.stdout
    check_bundle(json.loads(out.read_bytes()), _pdfs(sqlite_ctx))
    assert hashlib.sha256(out.read_bytes()).hexdigest() in done.stdout

    missing = tmp_path / "missing.json"
    bad = _main(env, "export", "fhir", "--visit", "no-such-visit", "--out", str(missing))
    assert bad.returncode == 2 and "No visit has that id" in bad.stderr
    bad = _main(env, "export", "fhir", "--patient", "RPM-999999", "--out", str(missing))
    assert bad.returncode == 2 and "record number" in bad.stderr
    nowhere = tmp_path / "no-folder" / "x.json"
    bad = _main(env, "export", "fhir", "--visit", vid, "--out", str(nowhere))
    assert bad.returncode == 2 and "cannot write" in bad.stderr
    assert not missing.exists() and not nowhere.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".json") == ["visit.json"]
    with sqlite_ctx.db.session() as s:  # the failed write left no export on the audit trail
        assert s.query(AuditEvent).filter(AuditEvent.action == "export").count() == 1


def _signed_with_one_listened(ctx, patient: ScriptedPatient) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A first visit whose first statement the patient listened to before initialling it."""
    from intake.domain import rules

    vid, kiosk, _ = walk_visit(ctx, patient, sign=False)
    visits = VisitService(ctx)
    facts = visits.draft(kiosk, vid).facts()
    first = rules.applicable_statements(ctx.forms.risks, facts)[0].id
    mine = rules.expected_initials_for(patient.first_name, patient.last_name)
    visits.acknowledge(kiosk, vid, first, "patient", mine, page_seconds=20.0, read_aloud=True)
    name = f"{patient.first_name} {patient.last_name}"
    visits.sign(kiosk, vid, "patient", name, signature_strokes(), 600, 200)
    return vid, first


def _course_to_completion(ctx, patient: ScriptedPatient, reason: str = "completed"):  # type: ignore[no-untyped-def]
    """First visit (one statement listened to), countersigned, one check-in (a wrong quiz
    answer first, a new severe symptom), then the end of the course."""
    from intake.services.scripted import countersign_consent, finish_course, walk_checkin

    doctor = _doctor(ctx)
    vid, first = _signed_with_one_listened(ctx, patient)
    countersign_consent(ctx, doctor, vid)
    pid = _patient_id(ctx, vid)
    checkin, _, outcome = walk_checkin(ctx, patient, pid, wrong_answer=True, severe=True)
    assert outcome.submitted
    text = "" if reason == "completed" else "Headaches with blurred vision"
    finish_course(ctx, doctor, pid, ctx.today(), reason, text, 118.5)
    return vid, first, checkin, pid


def _ext(node: dict[str, Any], name: str) -> Any:
    found = [e for e in node.get("extension", []) if e["url"] == name]
    assert len(found) == 1, (name, node.get("extension"))
    return next(v for k, v in found[0].items() if k.startswith("value"))


def test_check_ins_completion_and_read_aloud_travel_in_the_export(ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient()
    vid, first, checkin, pid = _course_to_completion(ctx, patient)
    # Another patient's course, ended early: nothing of it may travel with the first one's.
    other = ScriptedPatient(
        first_name="Rosa",
        last_name="Quintero",
        sex_at_birth="male",
        can_become_pregnant=False,
        date_of_birth=dt.date(1990, 3, 4),
    )
    other_vid, _, other_checkin, other_pid = _course_to_completion(ctx, other, "side_effects")
    doctor = _doctor(ctx)
    board = {r.visit_id: r.record_number for r in VisitService(ctx).board(doctor)}
    out = FhirService(ctx).patient_bundle(doctor, board[vid])
    text = out.data.decode()
    for foreign in (other_vid, other_checkin, "Quintero", "Headaches with blurred vision"):
        assert foreign not in text
    by_type = check_bundle(json.loads(out.data), _pdfs(ctx))
    urls = {f"urn:uuid:{r['id']}": r for rs in by_type.values() for r in rs}

    # The check-in is an encounter, with its own answers, mood screen and quiz linked to it.
    (encounter,) = by_type["Encounter"]
    assert encounter["identifier"][0]["value"] == checkin
    assert encounter["status"] == "finished"
    assert encounter["type"][0]["coding"][0]["code"] == "checkin"
    linked = [r for rs in by_type.values() for r in rs if r.get("encounter")]
    assert all(r["encounter"]["reference"] == f"urn:uuid:{encounter['id']}" for r in linked)
    responses = {
        r["questionnaire"].split("/")[-1].split("|")[0]: r
        for r in linked
        if r["resourceType"] == "QuestionnaireResponse"
    }
    assert {"checkin", "quiz"} <= set(responses)
    assert any(r["questionnaire"].endswith("44249-1") for r in responses.values())  # PHQ-9
    answers = {i["linkId"]: i["answer"] for i in responses["checkin"]["item"]}
    assert answers["se_headache_vision"][0]["valueCoding"]["code"] == "severe"
    assert answers["se_dry_skin_lips"][0]["valueCoding"]["code"] == "mild"
    assert answers["new_vitamin_a"][0]["valueCoding"]["code"] == "no"
    assert answers["sexual_function_change"][0]["valueCoding"]["code"] == "no"
    assert {a["valueCoding"]["code"] for a in answers["contraception_methods"]} == {
        "hormonal_iud",
        "male_condom",
    }
    today = ctx.today()
    assert answers["last_period_start"] == [
        {"valueDate": (today - dt.timedelta(days=10)).isoformat()}
    ]
    assert answers["pregnancy_test_date"] == [{"valueDate": today.isoformat()}]
    quiz = responses["quiz"]["item"]
    attempts = [i for i in quiz if i["linkId"] != "quiz-passed"]
    first_try = attempts[0]["answer"][0]["item"][0]["answer"][0]["valueBoolean"]
    assert first_try is False and len(attempts) >= 2  # the wrong answer is kept, then the right one
    assert attempts[1]["linkId"] == attempts[0]["linkId"]
    assert attempts[1]["answer"][0]["item"][0]["answer"][0]["valueBoolean"] is True
    # The first visit's answers stay answers to the intake form, with no encounter.
    intake = [
        r
        for r in by_type["QuestionnaireResponse"]
        if "/Questionnaire/intake|" in r["questionnaire"]
    ]
    assert len(intake) == 1 and "encounter" not in intake[0]

    # Read aloud: on the consent's provision for that statement, and only there.
    consents = {c["identifier"][0]["value"]: c for c in by_type["Consent"]}
    provisions = consents[vid]["provision"]["provision"]
    url = next(
        e["url"]
        for p in provisions
        for e in p["extension"]
        if e["url"].endswith("/acknowledgement")
    )
    listened = []
    for p in provisions:
        (ack,) = [e for e in p["extension"] if e["url"] == url]
        parts = {x["url"]: x for x in ack["extension"]}
        assert parts["by"]["valueCode"] == "patient"
        assert parts["acknowledged"]["valueDateTime"]
        if parts["readAloud"]["valueBoolean"]:
            listened.append(p["code"][0]["coding"][0]["code"])
    assert listened == [first]

    # The end of the course: a completed care plan, the cumulative dose, the test still due.
    (plan,) = by_type["CarePlan"]
    assert plan["status"] == "completed" and plan["intent"] == "plan"
    assert plan["period"]["end"] == today.isoformat()
    assert plan["identifier"][0]["value"] == vid
    assert _ext(plan, plan["extension"][0]["url"])["coding"][0]["code"] == "completed"
    (dose,) = [urls[r["reference"]] for r in plan["supportingInfo"]]
    assert dose["valueQuantity"] == {
        "value": 118.5,
        "unit": "mg/kg",
        "system": UCUM,
        "code": "mg/kg",
    }
    test = next(a for a in plan["activity"] if a["detail"].get("kind") == "ServiceRequest")
    assert test["detail"]["status"] == "scheduled" and "outcomeReference" not in test
    assert test["detail"]["code"]["coding"][0]["code"] == "2106-3"
    assert test["detail"]["scheduledPeriod"]["start"] > today.isoformat()

    # The other patient's own export: the course stopped early, with its reason.
    theirs = json.loads(FhirService(ctx).patient_bundle(doctor, board[other_vid]).data)
    assert vid not in json.dumps(theirs) and checkin not in json.dumps(theirs)
    other_types = check_bundle(theirs, _pdfs(ctx))
    (stopped,) = other_types["CarePlan"]
    assert stopped["status"] == "revoked"
    reason = _ext(stopped, stopped["extension"][0]["url"])
    assert reason["coding"][0]["code"] == "side_effects"
    assert reason["text"] == "Headaches with blurred vision"
    assert not any(a["detail"].get("kind") == "ServiceRequest" for a in stopped.get("activity", []))
    assert other_pid != pid
