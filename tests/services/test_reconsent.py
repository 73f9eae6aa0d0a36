"""Re-consent at the next visit, on SQLite and PostgreSQL: only what changed is asked, the
consent renewed and what was carried over are kept with the record and bound to it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from reconsent_forms import CHANGED, NEW, revised
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from intake.domain import reconsent, rules
from intake.services.completeness import MissingKind
from intake.services.records import build_record
from intake.services.scripted import ScriptedPatient, walk_visit
from intake.store.models import AuditEvent, Signature, Visit


def first_visit(ctx, patient: ScriptedPatient) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    vid, _, outcome = walk_visit(ctx, patient)
    assert outcome is not None and outcome.submitted
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None
        assert visit.statement_hashes == reconsent.statement_hashes(ctx.forms.risks)
        return vid, visit.patient_id


def events(ctx, action: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with ctx.db.session() as s:
        return [e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def test_a_changed_statement_is_all_a_re_consent_asks(ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient()
    first, patient_id = first_visit(ctx, patient)
    before = ctx.forms
    ctx.forms = revised(before, "major")

    vid, kiosk, outcome = walk_visit(ctx, patient, patient_id=patient_id, sign=False)
    from intake.services.visits import VisitService

    visits = VisitService(ctx)
    draft = visits.draft(kiosk, vid)
    assert draft.reconsent is not None and draft.reconsent.visit_id == first
    plan = draft.reconsent_plan(ctx.forms)
    assert plan is not None
    assert (plan.new, plan.changed) == ((NEW,), (CHANGED,))
    assert draft.reconsent.form_versions["risks"] == before.risks.meta.version
    # Only the two statements were initialled; nothing else is missing but the signature.
    assert {sid for sid, _ in draft.acknowledged} == {NEW, CHANGED}
    missing = visits.completeness(kiosk, vid).missing
    assert [m.kind for m in missing] == [MissingKind.SIGNATURE]

    from intake.services.scripted import signature_strokes

    done = visits.sign(kiosk, vid, "patient", "Zoë Nguyễn", signature_strokes(), 600, 200)
    assert done.submitted
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None and visit.reconsent is not None
        stored = visit.reconsent
        assert visit.form_versions["risks"][0] == ctx.forms.risks.meta.version
        assert stored["previous_versions"]["risks"] == before.risks.meta.version
        assert stored["basis"]["visit_id"] == first
        assert stored["new"] == [NEW] and stored["changed"] == [CHANGED]
        assert set(stored["carried_over"]) == set(plan.carried) and CHANGED not in plan.carried
        assert visit.record_sha256 == visits.content_hash(s, visit)
        record = build_record(s, ctx.forms, vid)
    assert record.statement_ids == (CHANGED, NEW)
    assert record.reconsent is not None
    assert record.reconsent.carried_over == tuple(stored["carried_over"])
    assert record.reconsent.previous_version("risks") == before.risks.meta.version
    assert record.reconsent.renews_date == ctx.today()
    # Which document it replaces is fixed at the first signature (a later issue of the old
    # consent, its countersignature, does not change what this record says).
    assert stored["renews_document"] == record.reconsent.renews_document_id
    # The trail says a re-consent began and why, by ids and counts only.
    (detail,) = events(ctx, "reconsent")
    assert detail["renews"] == first and detail["reasons"] == [reconsent.FORM_CHANGED]
    assert (detail["new"], detail["changed"]) == (1, 1)
    assert patient.first_name not in str(detail)


def test_what_a_re_consent_carried_over_cannot_be_rewritten(ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _, patient_id = first_visit(ctx, patient)
    ctx.forms = revised(ctx.forms, "major")
    vid, _, outcome = walk_visit(ctx, patient, patient_id=patient_id)
    assert outcome is not None and outcome.submitted
    with pytest.raises(DBAPIError, match="cannot be changed"), ctx.db.session() as s, s.begin():
        s.execute(text("UPDATE visits SET reconsent = NULL WHERE id = :v"), {"v": vid})
    from intake.services.visits import VisitService

    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None and visit.reconsent is not None
        bound = VisitService(ctx).content_hash(s, visit)
        # What the signature is bound to covers the re-consent: another carried-over list
        # would not hash the same.
        with s.no_autoflush:
            visit.reconsent = {**visit.reconsent, "carried_over": []}
            assert VisitService(ctx).content_hash(s, visit) != bound
        s.rollback()


def test_a_minor_change_is_only_noticed(ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _, patient_id = first_visit(ctx, patient)
    ctx.forms = revised(ctx.forms, "minor")
    vid, kiosk, outcome = walk_visit(ctx, patient, patient_id=patient_id)
    assert outcome is not None and outcome.submitted
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        # Nothing is asked again; what the patient is shown is kept with the visit.
        assert visit is not None and set(visit.reconsent or {}) == {"notice"}
        record = build_record(s, ctx.forms, vid)
    assert record.reconsent is None
    assert CHANGED in record.statement_ids and len(record.statement_ids) > 2
    assert events(ctx, "reconsent") == []
    (notice,) = events(ctx, "reconsent_notice")
    assert notice["changes"] == {"risks": "minor"}


def test_no_change_is_an_ordinary_visit(ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _, patient_id = first_visit(ctx, patient)
    vid, _, outcome = walk_visit(ctx, patient, patient_id=patient_id)
    assert outcome is not None and outcome.submitted
    assert events(ctx, "reconsent") == events(ctx, "reconsent_notice") == []


def test_turning_18_the_patient_signs_for_themselves(ctx) -> None:  # type: ignore[no-untyped-def]
    today = ctx.today()
    birthday = today + dt.timedelta(days=10)
    teen = ScriptedPatient(
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=birthday.replace(year=birthday.year - 18),
    )
    first, patient_id = first_visit(ctx, teen)
    with ctx.db.session() as s:
        roles = set(s.scalars(select(Signature.role).where(Signature.visit_id == first)))
    assert roles == {"patient", "guardian"}

    real_clock = ctx.clock
    ctx.clock = lambda: real_clock() + dt.timedelta(days=30)
    vid, kiosk, outcome = walk_visit(ctx, teen, patient_id=patient_id)
    assert outcome is not None and outcome.submitted  # the patient's signature alone
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None and visit.reconsent is not None
        assert visit.reconsent["reasons"] == [reconsent.TURNED_18]
        roles = set(s.scalars(select(Signature.role).where(Signature.visit_id == vid)))
        record = build_record(s, ctx.forms, vid)
    assert roles == {"patient"}
    guardian_only = {s.id for s in ctx.forms.risks.statements if s.audience == "guardian"}
    assert record.reconsent is not None
    # The guardian's statements drop (and what is said to minors only); nothing dropped is kept.
    assert guardian_only <= set(record.reconsent.dropped)
    assert not set(record.reconsent.dropped) & set(record.reconsent.carried_over)
    assert record.statement_ids == ()  # nothing changed: every statement carried over
    assert not record.is_minor
    facts = rules.derive_facts(record.answers, record.visit_date)
    carried = {s.id for s in rules.applicable_statements(ctx.forms.risks, facts)}
    assert set(record.reconsent.carried_over) == carried


def test_a_re_consent_is_sealed_and_verifies(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.documents import DocumentService
    from intake.services.scripted import ensure_staff
    from intake.services.staff import staff_actor

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _, patient_id = first_visit(sqlite_ctx, patient)
    sqlite_ctx.forms = revised(sqlite_ctx.forms, "major")
    vid, kiosk, _ = walk_visit(sqlite_ctx, patient, patient_id=patient_id)
    docs = DocumentService(sqlite_ctx)
    issued = {d.kind: d for d in docs.issue_documents(kiosk, vid)}
    desk = staff_actor(ensure_staff(sqlite_ctx, "front_desk", "desk", "Front Desk"))
    consent = docs.open_pdf(desk, issued["consent"].id, "view")
    outcome = docs.verify_bytes(consent)
    assert outcome.valid, outcome.reason
    words = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(consent)).pages)
    assert "Re-consent" in words and "Statements carried over" in words


def test_the_board_counts_only_the_topics_a_re_consent_shows(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.scripted import ensure_staff
    from intake.services.staff import staff_actor
    from intake.services.visits import VisitService

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _, patient_id = first_visit(sqlite_ctx, patient)
    sqlite_ctx.forms = revised(sqlite_ctx.forms, "major")
    vid, kiosk, _ = walk_visit(sqlite_ctx, patient, patient_id=patient_id, sign=False)
    visits = VisitService(sqlite_ctx)
    visits.set_page(kiosk, vid, "topic:dryness")
    desk = staff_actor(ensure_staff(sqlite_ctx, "front_desk", "desk", "Front Desk"))
    (row,) = [r for r in visits.board(desk) if r.visit_id == vid]
    assert row.place is not None
    assert (row.place.section, row.place.n, row.place.total) == ("risks", 1, 1)


def test_countersigning_either_consent_keeps_the_re_consent_verifiable(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    """At 18 (the same forms): the renewed consent countersigned after the re-consent was
    issued (its second issue), then the re-consent itself; both still verify."""
    from intake.services.documents import DocumentService
    from intake.services.scripted import (
        STAFF_PIN,
        ensure_staff,
        review_everything,
        signature_strokes,
    )
    from intake.services.staff import staff_actor

    birthday = sqlite_ctx.today() + dt.timedelta(days=10)
    patient = ScriptedPatient(
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=birthday.replace(year=birthday.year - 18),
        sex_at_birth="male",
        can_become_pregnant=False,
    )
    docs = DocumentService(sqlite_ctx)
    vid, kiosk, _ = walk_visit(sqlite_ctx, patient)
    renewed = next(d.id for d in docs.issue_documents(kiosk, vid) if d.kind == "consent")
    with sqlite_ctx.db.session() as s:
        patient_id = s.get(Visit, vid).patient_id  # type: ignore[union-attr]
    real_clock = sqlite_ctx.clock
    sqlite_ctx.clock = lambda: real_clock() + dt.timedelta(days=30)
    again, kiosk2, _ = walk_visit(sqlite_ctx, patient, patient_id=patient_id)
    issued = {d.kind: d for d in docs.issue_documents(kiosk2, again)}
    doctor = staff_actor(ensure_staff(sqlite_ctx, "clinician", "drruiz", "Dr Ana Ruiz"))
    desk = staff_actor(ensure_staff(sqlite_ctx, "front_desk", "desk", "Front Desk"))

    def countersign(visit_id: str):  # type: ignore[no-untyped-def]
        return docs.countersign(
            doctor,
            visit_id,
            doctor.name,
            signature_strokes(seed=4),
            600,
            200,
            secret=STAFF_PIN,
            reviewed=review_everything(sqlite_ctx, doctor, visit_id),
        )

    countersign(vid)  # the renewed consent gets its second issue after the re-consent
    outcome = docs.verify_bytes(docs.open_pdf(desk, issued["consent"].id, "view"))
    assert outcome.valid, outcome.reason
    reissued = countersign(again)
    pdf = docs.open_pdf(desk, reissued.id, "view")
    outcome = docs.verify_bytes(pdf)
    assert outcome.valid, outcome.reason
    # It still names the issue of the renewed consent there was when the patient signed.
    words = "".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages)
    assert renewed in "".join(words.split())
