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


def _reworded(forms, change: str = "minor"):  # type: ignore[no-untyped-def]
    """The risks form one version on again, its first statement reworded (classed ``change``)."""
    import dataclasses

    from reconsent_forms import next_version

    from intake.forms import model as fm

    version = next_version(forms)
    first, *rest = forms.risks.topics
    statement, *others = first.statements
    statement = dataclasses.replace(
        statement, text=fm.Text.of(en="Reworded once more.", es="Redactado otra vez.")
    )
    topics = (dataclasses.replace(first, statements=(statement, *others)), *rest)
    risks = dataclasses.replace(
        forms.risks,
        meta=dataclasses.replace(forms.risks.meta, version=version, sha256="2" * 64),
        topics=topics,
    )
    clinic = dataclasses.replace(
        forms.clinic, form_changes=(*forms.clinic.form_changes, ("risks", version, change))
    )
    return dataclasses.replace(forms, risks=risks, clinic=clinic)


def test_a_minor_change_is_told_once_and_a_later_one_told_again(ctx) -> None:  # type: ignore[no-untyped-def]
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    first, patient_id = _first_visit(ctx, patient)
    ctx.forms = revised(ctx.forms, "minor")
    told = []
    for _ in range(3):
        vid, _, outcome = walk_checkin(ctx, patient, patient_id)
        assert outcome.submitted
        with ctx.db.session() as s:
            visit = s.get(Visit, vid)
            assert visit is not None
            told.append((visit.reconsent or {}).get("notice"))
    assert told[0] is not None and told[0]["renews"] == first
    assert told[1:] == [None, None]
    assert len(_events(ctx, "reconsent_notice")) == 1
    # A further minor change is told at the next check-in, measured from the same consent.
    ctx.forms = _reworded(ctx.forms)
    vid, _, outcome = walk_checkin(ctx, patient, patient_id)
    assert outcome.submitted
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None and visit.reconsent is not None
        notice = visit.reconsent["notice"]
    assert notice["renews"] == first
    assert notice["changes"]["risks"][1] == ctx.forms.risks.meta.version
    assert notice != told[0]
    vid, _, _ = walk_checkin(ctx, patient, patient_id)
    with ctx.db.session() as s:
        visit = s.get(Visit, vid)
        assert visit is not None and "notice" not in (visit.reconsent or {})


def _tamper_on_start(ctx, monkeypatch, change):  # type: ignore[no-untyped-def]
    """Every visit started has its stored re-consent changed by ``change`` behind the app."""
    from sqlalchemy import update

    start = VisitService.start_visit

    def tampered(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        started = start(self, *args, **kwargs)
        with ctx.db.session() as s:
            visit = s.get(Visit, started.visit_id)
            assert visit is not None
            value = change(visit.reconsent)
            s.execute(update(Visit).where(Visit.id == visit.id).values(reconsent=value))
            s.commit()
        return started

    monkeypatch.setattr(VisitService, "start_visit", tampered)


def _current_hashes(ctx, stored):  # type: ignore[no-untyped-def]
    basis = dict(stored["basis"])
    current = reconsent.statement_hashes(ctx.forms.risks)
    basis["statements"] = {sid: current.get(sid, h) for sid, h in basis["statements"].items()}
    basis["form_versions"] = {k: str(v[0]) for k, v in ctx.forms.versions().items()}
    return {**stored, "basis": basis}


@pytest.mark.parametrize("change", ["dropped", "rewritten"])
def test_a_re_consent_changed_behind_the_app_is_refused_at_signing(
    ctx, monkeypatch, change
) -> None:  # type: ignore[no-untyped-def]

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _first, patient_id = _first_visit(ctx, patient)
    ctx.forms = revised(ctx.forms, "major")
    edit = (lambda _r: None) if change == "dropped" else (lambda r: _current_hashes(ctx, r))
    _tamper_on_start(ctx, monkeypatch, edit)
    _refused_unsigned(ctx, patient, patient_id)


def test_a_notice_dropped_behind_the_app_is_refused_at_signing(ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from intake.services.errors import ServiceError

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _first, patient_id = _first_visit(ctx, patient)
    ctx.forms = revised(ctx.forms, "minor")
    _tamper_on_start(ctx, monkeypatch, lambda _r: None)
    with pytest.raises(ServiceError) as refused:
        walk_checkin(ctx, patient, patient_id)
    assert refused.value.code == "reconsent_tampered"


def test_audit_verify_names_a_visit_signed_without_its_re_consent(ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from intake.services.audit import AuditService

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _first, patient_id = _first_visit(ctx, patient)
    ctx.forms = revised(ctx.forms, "major")
    _tamper_on_start(ctx, monkeypatch, lambda _r: None)
    # As a program without the check at signing would have let it be signed.
    monkeypatch.setattr(VisitService, "_require_reconsent_intact", lambda *a, **k: None)
    vid, _, outcome = walk_checkin(ctx, patient, patient_id)
    assert outcome.submitted
    report = AuditService(ctx).verify()
    assert not report.intact
    assert any(vid in p and "re-consent" in p for p in report.problems)


def test_a_re_consent_started_before_its_digest_was_kept_is_signed_as_before(
    ctx, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from intake.services.audit import AuditService

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _first, patient_id = _first_visit(ctx, patient)
    ctx.forms = revised(ctx.forms, "major")
    audit = VisitService.audit

    def without_digest(self, s, actor, action, entity, entity_id, detail=None):  # type: ignore[no-untyped-def]
        if action == "reconsent" and detail:
            detail = {k: v for k, v in detail.items() if k != "plan_sha256"}
        return audit(self, s, actor, action, entity, entity_id, detail)

    monkeypatch.setattr(VisitService, "audit", without_digest)
    vid, _, outcome = walk_checkin(ctx, patient, patient_id)
    assert outcome.submitted
    assert "plan_sha256" not in _events(ctx, "reconsent")[0]
    assert AuditService(ctx).verify().intact


def _rewrite_audit_event(ctx, seq: int, **values) -> None:  # type: ignore[no-untyped-def]
    """Edit audit event ``seq`` in place, as someone with the database file would (the
    append-only trigger dropped first)."""
    from sqlalchemy import text, update

    from intake.store.models import AuditEvent

    with ctx.db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER trg_audit_events_append_only ON audit_events"))
        else:
            conn.execute(text("DROP TRIGGER trg_audit_events_no_update"))
        conn.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(**values))


def _refused_unsigned(ctx, patient, patient_id) -> None:  # type: ignore[no-untyped-def]
    """The check-in is refused at signing as tampered, and nothing of it was signed."""
    from intake.services.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        walk_checkin(ctx, patient, patient_id)
    assert refused.value.code == "reconsent_tampered"
    with ctx.db.session() as s:
        assert not s.scalars(select(Signature)).all()[1:]  # only the first visit's signature


def test_a_re_consent_and_its_audit_event_both_rewritten_are_refused_at_signing(
    ctx, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The digest a plan is checked against is trusted only while its event hashes to itself:
    rewriting the plan and the event's digest together (the append-only trigger dropped) is
    refused at signing, not left to audit verify's walk of the chain."""
    from sqlalchemy import update

    from intake.services.visits import reconsent_plan_sha256
    from intake.store.models import AuditEvent

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _first, patient_id = _first_visit(ctx, patient)
    ctx.forms = revised(ctx.forms, "major")
    start = VisitService.start_visit

    def tampered(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        started = start(self, *args, **kwargs)
        with ctx.db.session() as s:
            visit = s.get(Visit, started.visit_id)
            assert visit is not None
            value = _current_hashes(ctx, visit.reconsent)
            event = s.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_id == visit.id, AuditEvent.action == "reconsent"
                )
            ).one()
            detail = {**event.detail, "plan_sha256": reconsent_plan_sha256(value)}
            seq = event.seq
            s.execute(update(Visit).where(Visit.id == visit.id).values(reconsent=value))
            s.commit()
        _rewrite_audit_event(ctx, seq, detail=detail)
        return started

    monkeypatch.setattr(VisitService, "start_visit", tampered)
    _refused_unsigned(ctx, patient, patient_id)


@pytest.mark.parametrize("forgery", ["appended", "appended_without_digest", "rewritten_whole"])
def test_a_forged_re_consent_event_with_a_true_hash_is_refused_at_signing(
    ctx, monkeypatch, forgery
) -> None:  # type: ignore[no-untyped-def]
    """A hash anyone can compute: the event the plan is checked against must be the one the
    chain holds (linked to the events before and after it), and the only one for the visit.
    An event added with only an INSERT (no trigger dropped), with or without a digest, or the
    real one rewritten with its own hash recomputed, is refused at signing."""
    import datetime as dt

    from sqlalchemy import func, update

    from intake.services.visits import reconsent_plan_sha256
    from intake.store import audit
    from intake.store.models import AuditEvent

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _first, patient_id = _first_visit(ctx, patient)
    ctx.forms = revised(ctx.forms, "major")
    start = VisitService.start_visit

    def tampered(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        started = start(self, *args, **kwargs)
        with ctx.db.session() as s:
            visit = s.get(Visit, started.visit_id)
            assert visit is not None
            value = _current_hashes(ctx, visit.reconsent)
            digest = {"plan_sha256": reconsent_plan_sha256(value)}
            s.execute(update(Visit).where(Visit.id == visit.id).values(reconsent=value))
            real = s.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_id == visit.id, AuditEvent.action == "reconsent"
                )
            ).one()
            if forgery.startswith("appended"):
                seq = (s.scalar(select(func.max(AuditEvent.seq))) or 0) + 1000
                at = dt.datetime.now(dt.UTC)
                detail = digest if forgery == "appended" else {}
                body = (seq, at, "x", "x", "reconsent", "visit", visit.id, detail, "f" * 64)
                s.add(
                    AuditEvent(
                        seq=seq, at=at, actor="x", station="x", action="reconsent",
                        entity="visit", entity_id=visit.id, detail=detail,
                        prev_hash="f" * 64, hash=audit.event_hash(*body),
                    )
                )  # fmt: skip
                s.commit()
                return started
            seq, detail = real.seq, {**real.detail, **digest}
            body = (
                real.seq, real.at, real.actor, real.station, real.action, real.entity,
                real.entity_id, detail, real.prev_hash,
            )  # fmt: skip
            new_hash = audit.event_hash(*body)
            s.commit()
        _rewrite_audit_event(ctx, seq, detail=detail, hash=new_hash)
        return started

    monkeypatch.setattr(VisitService, "start_visit", tampered)
    _refused_unsigned(ctx, patient, patient_id)


@pytest.mark.parametrize("revision", [None, "major"])
def test_what_a_re_consent_carried_over_cannot_be_written_before_it_is_signed(
    ctx, monkeypatch, revision
) -> None:  # type: ignore[no-untyped-def]
    """What a re-consent asked and carried over is written by its first signature: stored in
    a draft beforehand (a plain check-in made to look like a renewed consent, or a real
    re-consent made to carry over the statements it should ask again), it is refused."""

    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    _first, patient_id = _first_visit(ctx, patient)
    if revision:
        ctx.forms = revised(ctx.forms, revision)
    every = sorted(s.id for s in ctx.forms.risks.statements)

    def forged(stored):  # type: ignore[no-untyped-def]
        return {**(stored or {}), "new": [], "changed": [], "carried_over": every}

    _tamper_on_start(ctx, monkeypatch, forged)
    _refused_unsigned(ctx, patient, patient_id)
