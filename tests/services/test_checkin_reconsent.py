"""Re-consent at a monthly check-in, on SQLite and PostgreSQL: a major change (or turning 18)
since the patient last signed is re-consented at the next check-in, which then counts as the
latest consent; a plain check-in renews nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from reconsent_forms import CHANGED, NEW, revised
from sqlalchemy import select

from intake.domain import reconsent
from intake.domain.kinds import VisitKind
from intake.domain.records import CHECKIN_MEANING, SIGNATURE_MEANINGS
from intake.services.completeness import MissingKind
from intake.services.records import build_record
from intake.services.scripted import (
    ScriptedPatient,
    ensure_staff,
    walk_checkin,
    walk_visit,
)
from intake.services.staff import staff_actor
from intake.services.visits import VisitService
from intake.store.models import Acknowledgement, AuditEvent, Signature, Visit


def _first_visit(ctx, patient: ScriptedPatient) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    vid, _, outcome = walk_visit(ctx, patient)
    assert outcome is not None and outcome.submitted
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None
        return vid, visit.patient_id


def _events(ctx, action: str) -> list[dict]:  # type: ignore[no-untyped-def]
    with ctx.db.session() as s:
        return [e.detail for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def _start_checkin(ctx, patient_id: int):  # type: ignore[no-untyped-def]
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    return VisitService(ctx).start_visit(desk, patient_id, "en", kind=VisitKind.CHECKIN)


def test_a_major_change_is_re_consented_at_the_next_check_in(ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    first, patient_id = _first_visit(ctx, patient)
    before = ctx.forms
    ctx.forms = revised(before, "major")

    started = _start_checkin(ctx, patient_id)
    assert started.kind == VisitKind.CHECKIN
    assert started.reconsent == (reconsent.FORM_CHANGED,)
    visits = VisitService(ctx)
    kiosk = visits.open_by_code(patient.date_of_birth, started.code)
    draft = visits.draft(kiosk, started.visit_id)
    assert draft.reconsent is not None and draft.reconsent.visit_id == first
    # Until the new and changed statements are initialled, the check-in is not complete.
    missing = visits.completeness(kiosk, started.visit_id).missing
    asked = {(m.id, m.role) for m in missing if m.kind == MissingKind.ACKNOWLEDGEMENT}
    assert asked == {(NEW, "patient"), (CHANGED, "patient")}
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    visits.abandon(desk, started.visit_id, "Started again by the test")

    vid, _kiosk, outcome = walk_checkin(ctx, patient, patient_id)
    assert outcome.submitted
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None and visit.kind == VisitKind.CHECKIN
        stored = visit.reconsent
        assert stored is not None
        assert stored["basis"]["visit_id"] == first
        assert stored["previous_versions"]["risks"] == before.risks.meta.version
        assert (stored["new"], stored["changed"]) == ([NEW], [CHANGED])
        assert CHANGED not in stored["carried_over"] and stored["carried_over"]
        acked = set(
            s.scalars(select(Acknowledgement.statement_id).where(Acknowledgement.visit_id == vid))
        )
        assert acked == {NEW, CHANGED}
        (meaning,) = s.scalars(select(Signature.meaning).where(Signature.visit_id == vid))
        assert meaning == SIGNATURE_MEANINGS["patient"]  # it renews a consent
        assert visit.record_sha256 == visits.content_hash(s, visit)
        record = build_record(s, ctx.forms, vid)
    assert record.reconsent is not None and record.statement_ids == (CHANGED, NEW)
    assert record.reconsent.carried_over == tuple(stored["carried_over"])

    # The check-in that carried the re-consent is now what the patient signed last: the next
    # check-in asks nothing again, and signs as a plain monthly attestation.
    vid2, _, outcome2 = walk_checkin(ctx, patient, patient_id)
    assert outcome2.submitted
    with ctx.db.session() as s:
        again = s.get(Visit, vid2)
        assert again is not None and again.reconsent is None
        (meaning,) = s.scalars(select(Signature.meaning).where(Signature.visit_id == vid2))
    assert meaning == CHECKIN_MEANING
    assert [e["renews"] for e in _events(ctx, "reconsent")] == [first, first]


def test_a_plain_check_in_renews_nothing(ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    first, patient_id = _first_visit(ctx, patient)
    plain, _, outcome = walk_checkin(ctx, patient, patient_id)
    assert outcome.submitted
    with ctx.db.session() as s:
        visit = s.get(Visit, plain)
        assert visit is not None and visit.reconsent is None
    ctx.forms = revised(ctx.forms, "major")
    started = _start_checkin(ctx, patient_id)
    assert started.reconsent == (reconsent.FORM_CHANGED,)
    (event,) = _events(ctx, "reconsent")
    assert event["renews"] == first  # the first visit, not the plain check-in


def test_turning_18_the_check_in_is_signed_by_the_patient_alone(ctx) -> None:  # type: ignore[no-untyped-def]
    birthday = ctx.today() + dt.timedelta(days=10)
    teen = ScriptedPatient(
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=birthday.replace(year=birthday.year - 18),
        sex_at_birth="male",
        can_become_pregnant=False,
    )
    first, patient_id = _first_visit(ctx, teen)
    real_clock = ctx.clock
    ctx.clock = lambda: real_clock() + dt.timedelta(days=30)
    vid, _, outcome = walk_checkin(ctx, teen, patient_id)
    assert outcome.submitted  # the patient's signature alone
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None and visit.reconsent is not None
        assert visit.reconsent["reasons"] == [reconsent.TURNED_18]
        roles = set(s.scalars(select(Signature.role).where(Signature.visit_id == vid)))
        record = build_record(s, ctx.forms, vid)
    assert roles == {"patient"}
    guardian_only = {st.id for st in ctx.forms.risks.statements if st.audience == "guardian"}
    assert record.reconsent is not None
    assert guardian_only <= set(record.reconsent.dropped)
    assert not set(record.reconsent.dropped) & set(record.reconsent.carried_over)
    assert not record.is_minor


def test_a_minors_check_in_re_consent_is_co_signed_by_the_guardian(ctx) -> None:  # type: ignore[no-untyped-def]
    teen = ScriptedPatient(
        first_name="Maya",
        last_name="Okafor",
        date_of_birth=ctx.today().replace(year=ctx.today().year - 16),
        sex_at_birth="male",
        can_become_pregnant=False,
    )
    _, patient_id = _first_visit(ctx, teen)
    ctx.forms = revised(ctx.forms, "major")
    vid, _, outcome = walk_checkin(ctx, teen, patient_id)
    assert outcome.submitted
    with ctx.db.session() as s:
        roles = set(s.scalars(select(Signature.role).where(Signature.visit_id == vid)))
        acks = set(
            s.execute(
                select(Acknowledgement.statement_id, Acknowledgement.by_role).where(
                    Acknowledgement.visit_id == vid
                )
            ).tuples()
        )
    assert roles == {"patient", "guardian"}
    assert {(NEW, "patient"), (NEW, "guardian"), (CHANGED, "patient")} <= acks


def test_a_check_in_re_consent_issues_the_renewed_consent_beside_its_record(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.documents import DocumentService

    ctx = sqlite_ctx
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _, patient_id = _first_visit(ctx, patient)
    ctx.forms = revised(ctx.forms, "major")
    vid, kiosk, _ = walk_checkin(ctx, patient, patient_id)
    docs = DocumentService(ctx)
    issued = {d.kind: d for d in docs.issue_documents(kiosk, vid)}
    assert set(issued) == {"checkin", "consent"}
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    for kind in ("checkin", "consent"):
        pdf = docs.open_pdf(desk, issued[kind].id, "view")
        outcome = docs.verify_bytes(pdf)
        assert outcome.valid, (kind, outcome.reason)
    consent = docs.open_pdf(desk, issued["consent"].id, "view")
    words = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(consent)).pages)
    assert "Re-consent" in words and "Statements carried over" in words
    # A plain check-in issues its monthly record alone.
    plain, kiosk2, _ = walk_checkin(ctx, patient, patient_id)
    assert {d.kind for d in docs.issue_documents(kiosk2, plain)} == {"checkin"}


def test_a_minor_change_is_shown_at_the_next_visit_and_the_trail_says_so(ctx) -> None:  # type: ignore[no-untyped-def]
    from intake.services.errors import NotFound
    from intake.services.visits import NOTICE_SHOWN

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    first, patient_id = _first_visit(ctx, patient)
    before = ctx.forms
    ctx.forms = revised(before, "minor")
    started = _start_checkin(ctx, patient_id)
    assert started.reconsent == ()  # nothing asked again
    visits = VisitService(ctx)
    kiosk = visits.open_by_code(patient.date_of_birth, started.code)
    draft = visits.draft(kiosk, started.visit_id)
    assert draft.reconsent is None and draft.notice is not None
    assert draft.notice.renews == first
    assert (draft.notice.new, draft.notice.changed) == ((NEW,), (CHANGED,))
    assert draft.notice.changes == {
        "risks": (before.risks.meta.version, ctx.forms.risks.meta.version)
    }
    # Nothing to initial for it: the check-in is complete without any acknowledgement.
    missing = visits.completeness(kiosk, started.visit_id).missing
    assert MissingKind.ACKNOWLEDGEMENT not in {m.kind for m in missing}
    assert _events(ctx, NOTICE_SHOWN) == []
    visits.notice_shown(kiosk, started.visit_id)
    visits.notice_shown(kiosk, started.visit_id)  # shown again (Back, a resume): one event
    (shown,) = _events(ctx, NOTICE_SHOWN)
    assert shown["renews"] == first and (shown["new"], shown["changed"]) == ([NEW], [CHANGED])
    assert shown["changes"] == {"risks": [before.risks.meta.version, ctx.forms.risks.meta.version]}
    assert patient.first_name not in str(shown)
    # A visit with nothing to tell refuses to record that it told something.
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    visits.abandon(desk, started.visit_id, "Started again by the test")
    ctx.forms = before
    plain = _start_checkin(ctx, patient_id)
    kiosk2 = visits.open_by_code(patient.date_of_birth, plain.code)
    assert visits.draft(kiosk2, plain.visit_id).notice is None
    with pytest.raises(NotFound):
        visits.notice_shown(kiosk2, plain.visit_id)
    assert len(_events(ctx, NOTICE_SHOWN)) == 1
