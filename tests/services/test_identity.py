"""Identity is the registered patient's: the record's date of birth and legal name decide, not
what is typed at the kiosk; a typed difference is a proposal staff accept or reject."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from intake.domain import identity, rules
from intake.services.completeness import MissingKind
from intake.services.documents import DocumentService
from intake.services.errors import InvalidInput
from intake.services.identity_review import IdentityReviewService
from intake.services.patients import PatientService
from intake.services.scripted import ScriptedPatient, ensure_staff, signature_strokes, walk_visit
from intake.services.staff import staff_actor
from intake.services.visits import VisitService
from intake.store.models import AuditEvent


def _desk(ctx):  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))


def _minor_dob(ctx) -> dt.date:  # type: ignore[no-untyped-def]
    today = ctx.today()
    return today.replace(year=today.year - 15) - dt.timedelta(days=10)


def _start(ctx, patient: ScriptedPatient):  # type: ignore[no-untyped-def]
    desk = _desk(ctx)
    row = PatientService(ctx).register(
        desk,
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        sex_at_birth=patient.sex_at_birth,
        lang=patient.lang,
    )
    visits = VisitService(ctx)
    started = visits.start_visit(desk, row.id, patient.lang)
    kiosk = visits.open_by_code(patient.date_of_birth, started.code)
    return desk, row, visits, started.visit_id, kiosk


# --- domain ----------------------------------------------------------------------------------------


def test_the_record_identity_overrides_typed_answers() -> None:
    record = {"first_name": "Ana", "last_name": "Ruiz", "date_of_birth": dt.date(2010, 5, 1)}
    typed = {"first_name": "Anna", "last_name": "Ruiz", "date_of_birth": dt.date(1995, 5, 1)}
    merged = identity.with_record_identity({**typed, "phone": "5550102233"}, record)
    assert merged == {**record, "phone": "5550102233"}
    assert identity.differences(typed, record) == {
        "first_name": "Anna",
        "date_of_birth": dt.date(1995, 5, 1),
    }
    facts = rules.derive_facts(merged, dt.date(2026, 3, 1))
    assert facts["is_minor"] is True
    # Contact details: a new or changed value updates the record; a blank keeps it.
    assert identity.contact_updates(
        {"phone": "5550109999", "email": ""}, {"phone": "5550102233", "email": "a@b.org"}
    ) == {"phone": "5550109999"}


# --- services ----------------------------------------------------------------------------------------


def test_a_typed_adult_date_does_not_make_a_registered_minor_an_adult(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    teen = ScriptedPatient(
        first_name="Maya", last_name="Okafor", date_of_birth=_minor_dob(sqlite_ctx)
    )
    desk, _row, visits, vid, kiosk = _start(sqlite_ctx, teen)
    page = teen.page_answers()["identity"]
    saved = visits.save_page(kiosk, vid, "identity", {**page, "date_of_birth": "1995-03-01"})
    assert saved["date_of_birth"] == teen.date_of_birth
    draft = visits.draft(kiosk, vid)
    assert draft.answers["date_of_birth"] == teen.date_of_birth
    assert draft.facts()["is_minor"] is True
    assert draft.needs_staff == "identity"
    assert visits.staff_reason(kiosk, vid) == "identity"
    # The board says why, and staff cannot simply wave the visit on.
    row = next(r for r in visits.board(desk) if r.visit_id == vid)
    assert (row.stage, row.needs_staff) == ("needs_staff", "identity")
    with pytest.raises(InvalidInput):
        visits.staff_continue(desk, vid)


def test_a_typed_minor_date_does_not_give_an_adult_guardian_pages(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    adult = ScriptedPatient(date_of_birth=dt.date(1990, 6, 3))
    _desk_actor, _row, visits, vid, kiosk = _start(sqlite_ctx, adult)
    page = adult.page_answers()["identity"]
    visits.save_page(kiosk, vid, "identity", {**page, "date_of_birth": "2012-01-05"})
    facts = visits.draft(kiosk, vid).facts()
    assert facts["is_minor"] is False
    assert not [
        s
        for s in rules.applicable_statements(sqlite_ctx.forms.risks, facts)
        if s.audience == "guardian"
    ]


def test_scripted_visit_with_a_different_typed_dob_needs_staff_and_a_guardian(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    teen = ScriptedPatient(
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=_minor_dob(sqlite_ctx),
        extra_answers={"date_of_birth": "1995-03-01"},
    )
    vid, kiosk, _ = walk_visit(sqlite_ctx, teen, sign=False)
    visits = VisitService(sqlite_ctx)
    desk = _desk(sqlite_ctx)
    # Not without staff: the patient's signature is refused while the identity check waits.
    with pytest.raises(InvalidInput) as err:
        visits.sign(kiosk, vid, "patient", "Maya Okafor", signature_strokes(), 600, 200)
    assert "staff" in err.value.errors["visit"]
    assert visits.draft(desk, vid).status == "draft"
    IdentityReviewService(sqlite_ctx).keep(desk, vid)
    visits.staff_continue(desk, vid)
    # Never without a guardian: the patient's signature alone does not submit.
    outcome = visits.sign(kiosk, vid, "patient", "Maya Okafor", signature_strokes(), 600, 200)
    assert not outcome.submitted and outcome.still_needed == ("guardian",)
    assert visits.draft(desk, vid).status == "draft"


def test_dob_dispute_pauses_until_the_front_desk_corrects_the_record(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(date_of_birth=dt.date(1990, 6, 3))
    desk, row, visits, vid, kiosk = _start(sqlite_ctx, patient)
    visits.dispute_date_of_birth(kiosk, vid)
    assert visits.draft(kiosk, vid).needs_staff == "identity"
    missing = visits.completeness(kiosk, vid).missing
    assert any(m.kind is MissingKind.IDENTITY for m in missing)
    review = IdentityReviewService(sqlite_ctx)
    check = review.check(desk, vid)
    assert check.date_of_birth_disputed and check.date_of_birth == dt.date(1990, 6, 3)
    with pytest.raises(InvalidInput):  # a disputed date needs the confirmed one, and a reason
        review.accept(desk, vid, check.version, "patient's own date of birth")
    with pytest.raises(InvalidInput):
        review.accept(desk, vid, check.version, " ", date_of_birth="1991-06-03")
    fixed = review.accept(desk, vid, check.version, "checked the ID", date_of_birth="1991-06-03")
    assert fixed.date_of_birth == dt.date(1991, 6, 3) and fixed.version == row.version + 1
    history = PatientService(sqlite_ctx).history(desk, row.id)
    assert history[-1]["reason"] == "checked the ID"
    assert history[-1]["date_of_birth"] == "1991-06-03"
    draft = visits.draft(kiosk, vid)
    assert draft.needs_staff == "" and draft.answers["date_of_birth"] == dt.date(1991, 6, 3)
    assert not review.check(desk, vid).pending
    visits.staff_continue(desk, vid)  # nothing left pending: the visit may go on


def test_a_typed_name_is_a_proposal_and_the_consent_prints_the_record(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(
        first_name="Lena",
        last_name="Berg",
        extra_answers={"last_name": "Bergman", "date_of_birth": "1985-01-01"},
    )
    vid, kiosk, _ = walk_visit(sqlite_ctx, patient, sign=False)
    visits = VisitService(sqlite_ctx)
    desk = _desk(sqlite_ctx)
    draft = visits.draft(kiosk, vid)
    assert (draft.patient_first_name, draft.patient_last_name) == ("Lena", "Berg")
    assert draft.needs_staff == "identity"
    review = IdentityReviewService(sqlite_ctx)
    check = review.check(desk, vid)
    assert (check.last_name, check.proposed_last_name) == ("Berg", "Bergman")
    review.keep(desk, vid)  # rejected: the record's name stands
    assert PatientService(sqlite_ctx).get(desk, check.patient_id).last_name == "Berg"
    # The signature's printed name is the record's too: the rejected spelling is refused.
    with pytest.raises(InvalidInput) as err:
        visits.sign(kiosk, vid, "patient", "Lena Bergman", signature_strokes(), 600, 200)
    assert err.value.errors == {
        "printed_name": "Please write your name as on your record: Lena Berg."
    }
    visits.sign(kiosk, vid, "patient", "lena berg", signature_strokes(), 600, 200)
    documents = DocumentService(sqlite_ctx)
    consent = next(d for d in documents.issue_documents(kiosk, vid) if d.kind == "consent")
    data = documents.open_pdf(desk, consent.id)
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert "Lena Berg" in text
    from intake.services.records import build_record

    with sqlite_ctx.db.session() as s:
        printed = build_record(s, sqlite_ctx.forms, vid).patient
    assert (printed.last_name, printed.date_of_birth) == ("Berg", patient.date_of_birth)
    # Audit events name the fields, never the values typed.
    with sqlite_ctx.db.session() as s:
        details = [str(e.detail) for e in s.query(AuditEvent).all()]
    assert not any("Bergman" in d for d in details)


def test_an_accepted_name_becomes_a_new_record_version(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(first_name="Jon", last_name="Smyth")
    desk, row, visits, vid, kiosk = _start(sqlite_ctx, patient)
    page = patient.page_answers()["identity"]
    visits.save_page(kiosk, vid, "identity", {**page, "first_name": "John"})
    review = IdentityReviewService(sqlite_ctx)
    version = review.check(desk, vid).version
    with pytest.raises(InvalidInput):
        review.accept(desk, vid, version, "")
    saved = review.accept(desk, vid, version, "spelling on ID card")
    assert saved.first_name == "John"
    assert PatientService(sqlite_ctx).history(desk, row.id)[-1]["reason"] == "spelling on ID card"
    draft = visits.draft(kiosk, vid)
    assert draft.patient_first_name == "John" and draft.needs_staff == ""
    # Initials now follow the corrected record.
    sid = rules.applicable_statements(sqlite_ctx.forms.risks, draft.facts())[0].id
    assert visits.acknowledge(kiosk, vid, sid, "patient", "JS") == "JS"


def test_kiosk_phone_and_email_reach_the_patient_record(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient()
    desk, row, visits, vid, kiosk = _start(sqlite_ctx, patient)
    page = patient.page_answers()["identity"]
    visits.save_page(
        kiosk, vid, "identity", {**page, "phone": "555 010 9999", "email": "Zoe@Example.org"}
    )
    stored = PatientService(sqlite_ctx).get(desk, row.id)
    assert (stored.phone, stored.email) == ("5550109999", "Zoe@example.org")
    assert stored.version == row.version + 1
    latest = PatientService(sqlite_ctx).history(desk, row.id)[-1]
    assert latest["reason"] == "updated by the patient at the kiosk"
    assert latest["actor"] == kiosk.id
    # Saving the same again makes no new version; a name unchanged pauses nothing.
    visits.save_page(
        kiosk, vid, "identity", {**page, "phone": "555 010 9999", "email": "Zoe@Example.org"}
    )
    assert PatientService(sqlite_ctx).get(desk, row.id).version == stored.version
    assert visits.draft(kiosk, vid).needs_staff == ""


def test_signatures_carry_their_signers_own_names(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    teen = ScriptedPatient(
        first_name="Maya", last_name="Okafor-Reyes", date_of_birth=_minor_dob(sqlite_ctx)
    )
    vid, kiosk, _ = walk_visit(sqlite_ctx, teen, sign=False)
    visits = VisitService(sqlite_ctx)
    with pytest.raises(InvalidInput):
        visits.sign(kiosk, vid, "patient", "Someone Else", signature_strokes(), 600, 200)
    # Case, accents, hyphens and a middle name are the patient's own way of writing it.
    visits.sign(kiosk, vid, "patient", "maya j okafor reyes", signature_strokes(), 600, 200)
    with pytest.raises(InvalidInput) as err:
        visits.sign(
            kiosk, vid, "guardian", "Random Person", signature_strokes(), 600, 200, "mother"
        )
    assert "Ana Ñúñez" in err.value.errors["printed_name"]  # the name they gave to initial
    outcome = visits.sign(
        kiosk, vid, "guardian", "Ana Nunez", signature_strokes(), 600, 200, "mother"
    )
    assert outcome.submitted


def test_the_record_cannot_be_corrected_between_two_signatures(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    # Found in review: a minor signed as "Maya"; the desk then corrected the record to an adult
    # "Mayra"; the guardian's signature was still taken and the consent printed the new details.
    teen = ScriptedPatient(
        first_name="Maya", last_name="Okafor", date_of_birth=_minor_dob(sqlite_ctx)
    )
    vid, kiosk, _ = walk_visit(sqlite_ctx, teen, sign=False)
    visits = VisitService(sqlite_ctx)
    desk = _desk(sqlite_ctx)
    visits.sign(kiosk, vid, "patient", "Maya Okafor", signature_strokes(), 600, 200)
    patients = PatientService(sqlite_ctx)
    row = next(r for r in visits.board(desk) if r.visit_id == vid)
    current = patients.get(desk, row.patient_id)
    from intake.services.errors import Conflict

    with pytest.raises(Conflict):
        patients.correct(
            desk,
            current.id,
            current.version,
            "typo",
            first_name="Mayra",
            date_of_birth=dt.date(1995, 2, 2),
        )
    assert patients.get(desk, current.id).first_name == "Maya"
    # Contact details may still change; the signing goes on with the details first signed.
    patients.correct(desk, current.id, current.version, "new phone", phone="5550109999")
    draft = visits.draft(kiosk, vid)
    assert draft.facts()["is_minor"] and draft.patient_first_name == "Maya"
    outcome = visits.sign(
        kiosk, vid, "guardian", "Ana Ñúñez", signature_strokes(), 600, 200, "mother"
    )
    assert outcome.submitted


def test_case_or_apostrophe_only_differences_are_not_proposals() -> None:
    record = {"first_name": "Maya", "last_name": "O'Brien", "date_of_birth": dt.date(2000, 1, 1)}
    assert identity.differences({"first_name": "maya", "last_name": "O’Brien"}, record) == {}
    # An accent is a real difference: it may be the patient's correction.
    assert identity.differences({"first_name": "Mayá"}, record) == {"first_name": "Mayá"}


def test_contact_details_written_another_way_are_not_a_new_version() -> None:
    record = {"phone": "5550102233", "email": "Ana@Example.org"}
    assert (
        identity.contact_updates({"phone": "15550102233", "email": "ana@example.org"}, record) == {}
    )
    assert identity.contact_updates({"phone": "5550109999"}, record) == {"phone": "5550109999"}
