"""Build the plain ConsentRecord for a visit from storage: what documents are made from."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.domain import flags, reconsent, rules
from intake.domain.course import OpenDays, monthly_visit_dates
from intake.domain.kinds import SignerRole, VisitStatus
from intake.domain.records import (
    AcknowledgementRecord,
    ConsentRecord,
    PatientInfo,
    Phq9Result,
    QuizAnswerRecord,
    ReconsentRecord,
    SignatureRecord,
)
from intake.forms.model import FormSet
from intake.services import alerts, dermatologists, form_snapshots
from intake.store.models import (
    Acknowledgement,
    Answer,
    Document,
    LabResult,
    Patient,
    PregnancyStatus,
    PregnancyTest,
    QuizAnswer,
    Signature,
    Visit,
)

# Document ids are derived from the visit, so every issue of a document for a visit is traceable.
DOC_NAMESPACE = uuid.UUID("6f1d7c52-4a43-4bd5-9f1f-2a7d1f0c9e11")


def document_id(visit_id: str, kind: str, issue: int) -> str:
    return str(uuid.uuid5(DOC_NAMESPACE, f"{visit_id}/{kind}/{issue}"))


def clinician_override(s: Session, patient_id: int) -> bool | None:
    latest = s.scalars(
        select(PregnancyStatus)
        .where(PregnancyStatus.patient_id == patient_id)
        .order_by(PregnancyStatus.at.desc(), PregnancyStatus.id.desc())
        .limit(1)
    ).first()
    return None if latest is None else latest.can_become_pregnant


def result_flags(s: Session, forms: FormSet, patient_id: int) -> tuple[flags.Flag, ...]:
    """Flags from the patient's latest result of each lab test and latest pregnancy test."""
    latest: dict[str, LabResult] = {}
    for result in s.scalars(
        select(LabResult)
        .where(LabResult.patient_id == patient_id)
        .order_by(LabResult.taken_on, LabResult.id)
    ):
        latest[result.test] = result
    findings = []
    for lab in forms.clinic.labs:  # in the clinic profile's order
        r = latest.get(lab.id)
        if r is not None:
            findings.append(
                flags.LabFinding(
                    lab.id,
                    lab.label.get("en"),
                    lab.label.get("es"),
                    r.value,
                    r.unit,
                    r.taken_on,
                    lab.low,
                    lab.high,
                    lab.critical_high,
                )
            )
    tests = [
        (t.taken_on, t.result)
        for t in s.scalars(select(PregnancyTest).where(PregnancyTest.patient_id == patient_id))
    ]
    return flags.result_flags(findings, tests)


def build_record(
    s: Session,
    forms: FormSet,
    visit_id: str,
    *,
    kind: str = "consent",
    issue: int = 1,
    extra_signatures: tuple[SignatureRecord, ...] = (),
) -> ConsentRecord:
    from intake.domain.identity import with_record_identity
    from intake.services.visits import decode_value, record_identity

    visit = s.get(Visit, visit_id)
    if visit is None:
        raise LookupError(visit_id)
    if visit.status != VisitStatus.DRAFT:
        # Signed: the risk statements as signed, whatever version is loaded now.
        forms = form_snapshots.forms_as_used(s, forms, visit.form_versions)
    patient = s.get(Patient, visit.patient_id)
    assert patient is not None
    answers: dict[str, Any] = {
        a.question_id: decode_value(a.value)
        for a in s.scalars(select(Answer).where(Answer.visit_id == visit_id))
    }
    if visit.status == VisitStatus.DRAFT:
        # Not signed yet: the patient record says who the patient is. A signed visit keeps the
        # identity stored with its answers when it was signed.
        answers = with_record_identity(answers, record_identity(patient))
    # The record is what the patient answered, acknowledged and signed: a clinician's later
    # confirmation never changes which statements it holds (it is flagged instead).
    override = clinician_override(s, patient.id)
    checkin = visit.kind == "checkin"
    answers = rules.effective_answers(forms.for_visit(visit.kind).intake, answers, visit.visit_date)
    facts = rules.derive_facts(answers, visit.visit_date)
    renewal = _reconsent_record(s, visit)
    if renewal is not None:
        # Signed: the statements it asked are those kept with its first signature.
        asked = {*renewal.new, *renewal.changed}
        statements = [st.id for st in forms.risks.statements if st.id in asked]
    else:
        stored = (visit.reconsent or {}).get("basis")
        basis = reconsent.SignedConsent.from_json(stored) if stored else None
        statements = [st.id for st in reconsent.statements_to_acknowledge(forms, facts, basis)]
        if basis is not None:
            plan = reconsent.plan_for(basis, forms, facts)
            renewal = _renewal(s, visit, basis, plan)
    # The latest acknowledgement per statement and role is the one that counts.
    latest: dict[tuple[str, str], AcknowledgementRecord] = {}
    for a in s.scalars(
        select(Acknowledgement)
        .where(Acknowledgement.visit_id == visit_id)
        .order_by(Acknowledgement.at, Acknowledgement.id)
    ):
        latest[(a.statement_id, a.by_role)] = AcknowledgementRecord(
            a.statement_id, a.by_role, a.initials, a.at, a.read_aloud
        )
    if checkin:
        # A check-in holds only the statements initialled again after a wrong answer.
        again = {sid for sid, _by in latest}
        statements = [sid for sid in statements if sid in again]
    quiz = tuple(
        QuizAnswerRecord(q.question_id, q.chosen, q.correct, q.at)
        for q in s.scalars(
            select(QuizAnswer)
            .where(QuizAnswer.visit_id == visit_id)
            .order_by(QuizAnswer.at, QuizAnswer.id)
        )
    )
    sigs = (
        tuple(
            SignatureRecord(
                g.role,
                g.printed_name,
                g.meaning,
                g.signed_at,
                tuple(tuple((float(x), float(y)) for x, y in st) for st in g.strokes),
                g.pad_width,
                g.pad_height,
                g.relationship,
                g.station,
                g.method,
                tuple(
                    (str(r["flag"]), str(r["text"]), str(r.get("text_es", "")))
                    for r in (g.reviewed or ())
                ),
            )
            for g in s.scalars(
                select(Signature)
                .where(Signature.visit_id == visit_id)
                .order_by(Signature.signed_at, Signature.id)
            )
        )
        + extra_signatures
    )
    if extra_signatures:
        # Signatures not stored yet take the place they will have once they are: by signing
        # time, after the stored ones of the same moment (their ids come later).
        sigs = tuple(sorted(sigs, key=lambda g: g.signed_at))
    phq = visit.phq9
    phq9 = (
        Phq9Result(
            tuple(phq["answers"]),
            phq["total"],
            phq["band"],
            phq["item9"],
            phq.get("difficulty", ""),
        )
        if phq
        else None
    )
    # The countersigning clinician once there is one; until then the dermatologist chosen for
    # the visit, or nobody ("" : the documents say a clinic dermatologist will countersign).
    clinician = next((g.printed_name for g in sigs if g.role == SignerRole.CLINICIAN), "")
    if not clinician:
        clinician = dermatologists.named(s, visit)
    months = forms.clinic.course_months[1]
    return ConsentRecord(
        document_id=document_id(visit_id, kind, issue),
        visit_id=visit_id,
        lang=visit.lang,
        patient=PatientInfo(
            patient.record_number,
            str(answers.get("first_name") or patient.first_name),
            str(answers.get("last_name") or patient.last_name),
            answers.get("date_of_birth") or patient.date_of_birth,
            str(answers.get("sex_at_birth") or patient.sex_at_birth),
            str(answers.get("preferred_name") or ""),
        ),
        visit_date=visit.visit_date,
        created_at=visit.submitted_at or visit.updated_at,
        answers=answers,
        can_become_pregnant=bool(facts["can_become_pregnant"]),
        is_minor=bool(facts["is_minor"]),
        statement_ids=tuple(statements),
        acknowledgements=tuple(latest.values()),
        quiz=quiz,
        quiz_passed=visit.quiz_passed,
        signatures=sigs,
        phq9=phq9,
        flags=_by_urgency(
            flags.clinician_flags(facts, phq9, confirmed=override)
            + (
                flags.checkin_flags(
                    facts,
                    _previous_checkin(s, visit),
                    counselling_due=rules.monthly_counselling_documented(
                        forms.programme.ruleset(visit.ruleset_id),
                        bool(facts["can_become_pregnant"]),
                    ),
                )
                if checkin
                else ()
            )
            + result_flags(s, forms, patient.id)
        ),
        form_versions={k: (v[0], v[1]) for k, v in visit.form_versions.items()},
        ruleset_id=visit.ruleset_id,
        dermatologist=clinician,
        course_visits=monthly_visit_dates(
            visit.visit_date,
            months,
            forms.clinic.visit_interval_days,
            OpenDays(frozenset(forms.clinic.open_weekdays), frozenset(forms.clinic.closures)),
        ),
        alert_releases=alerts.releases(s, visit_id),
        reconsent=renewal,
        visit_kind=visit.kind,
        course_month=visit.course_month,
    )


def renewed_document(s: Session, visit_id: str) -> str:
    """The document id of the renewed visit's latest consent (its first issue when none)."""
    issue = s.scalar(
        select(Document.issue)
        .where(Document.visit_id == visit_id, Document.kind == "consent")
        .order_by(Document.issue.desc())
        .limit(1)
    )
    return document_id(visit_id, "consent", issue or 1)


def _renewal(
    s: Session, visit: Visit, basis: reconsent.SignedConsent, plan: reconsent.ReconsentPlan
) -> ReconsentRecord:
    stored = visit.reconsent or {}
    return ReconsentRecord(
        basis.visit_id,
        renewed_document(s, basis.visit_id),
        basis.signed_on,
        tuple(sorted(basis.form_versions.items())),
        tuple(stored.get("reasons") or plan.reasons),
        plan.new,
        plan.changed,
        plan.carried,
        plan.dropped,
    )


def _reconsent_record(s: Session, visit: Visit) -> ReconsentRecord | None:
    """The re-consent as kept with the visit's first signature; None before it or otherwise."""
    stored = visit.reconsent
    if not stored or "carried_over" not in stored:
        return None
    basis = reconsent.SignedConsent.from_json(stored["basis"])
    return ReconsentRecord(
        basis.visit_id,
        str(stored.get("renews_document") or renewed_document(s, basis.visit_id)),
        basis.signed_on,
        tuple(sorted((str(k), str(v)) for k, v in (stored.get("previous_versions") or {}).items())),
        tuple(stored.get("reasons") or ()),
        tuple(stored.get("new") or ()),
        tuple(stored.get("changed") or ()),
        tuple(stored.get("carried_over") or ()),
        tuple(stored.get("dropped") or ()),
    )


def _previous_checkin(s: Any, visit: Visit) -> dict[str, Any]:
    """The answers of the patient's signed check-in before this one (none: {})."""
    from intake.services.visits import decode_value

    earlier = s.scalars(
        select(Visit.id)
        .where(
            Visit.patient_id == visit.patient_id,
            Visit.kind == "checkin",
            Visit.status.in_(("submitted", "countersigned")),
            Visit.started_at < visit.started_at,
            Visit.id != visit.id,
        )
        .order_by(Visit.started_at.desc())
        .limit(1)
    ).first()
    if earlier is None:
        return {}
    return {
        a.question_id: decode_value(a.value)
        for a in s.scalars(select(Answer).where(Answer.visit_id == earlier))
    }


def _by_urgency(found: tuple[flags.Flag, ...]) -> tuple[flags.Flag, ...]:
    """Alerts before warnings, each group in the order it was raised."""
    return tuple(sorted(found, key=lambda f: f.severity != "alert"))


def utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
