"""FHIR R4 export: a visit, or a patient's whole course, as one Bundle (see intake.domain.fhir).

Each visit's content comes from ``build_record``, the one place that reads a visit's record; the
documents, labs, pregnancy tests and follow-ups come from their own rows. Only staff who may read
the clinical record (a clinician or an administrator) export, or the system itself (the
command line). Every export is audited with the bundle's SHA-256 and size, never its content.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.domain import fhir
from intake.domain.kinds import SignerRole, VisitStatus
from intake.domain.records import ConsentRecord, PatientInfo, SignatureRecord
from intake.forms.model import Page
from intake.services.base import Service, require_role
from intake.services.context import Actor
from intake.services.errors import NotFound
from intake.services.records import build_record
from intake.store.models import (
    CourseCompletion,
    Document,
    FollowUp,
    LabResult,
    Patient,
    PregnancyTest,
    Signature,
    StaffUser,
    Visit,
)

EXPORT_ROLES = ("clinician", "admin", "system")
RECORD_SCOPE = "visit-record"  # the bundle inside a consent: the visit without its PDFs


@dataclass(frozen=True)
class Countersignature:
    """A clinician's countersignature about to be stored, and who signs it (``staff:ID``).

    ``record_bundle_in`` given one makes the bundle as it will be once the signature is stored
    and the visit countersigned: the same bytes, made before the signature is written.
    """

    signature: SignatureRecord
    actor_id: str


@dataclass(frozen=True)
class FhirExport:
    path: Path | None
    sha256: str
    resources: int
    data: bytes


def clinic_base_url(name: str, email: str, prefix: str) -> str:
    """The clinic's URI namespace, from the domain of its e-mail address."""
    domain = email.rpartition("@")[2].strip().lower()
    if domain and "." in domain:
        return f"https://{domain}/fhir"
    return f"urn:intake:{(prefix or name).lower().replace(' ', '-')}"


class FhirService(Service):
    # --- public ----------------------------------------------------------------------------------

    def visit_bundle(self, actor: Actor, visit_id: str) -> FhirExport:
        """The bundle of one visit (with the patient's labs, tests and follow-ups), audited."""
        return self._export(actor, "visit", visit_id, None)

    def patient_bundle(self, actor: Actor, record_number: str) -> FhirExport:
        """The bundle of a patient's whole course: every visit, lab, test, follow-up, document."""
        return self._export(actor, "patient", record_number, None)

    def record_bundle(self, actor: Actor, visit_id: str) -> FhirExport:
        """The visit's record without its PDFs, as the consent carries it inside (audited).

        A PDF cannot hold a reference to its own bytes, so the bundle embedded in the consent
        has no DocumentReference; this is the same bundle made fresh from the stored record.
        """
        require_role(actor, *EXPORT_ROLES)
        with self.write() as s:
            data = self.record_bundle_in(s, visit_id)
            self.audit(
                s,
                actor,
                "export",
                "visit",
                visit_id,
                {
                    "format": "fhir-r4",
                    "scope": "record",
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "to": "memory",
                },
            )
        return FhirExport(None, hashlib.sha256(data).hexdigest(), 0, data)

    def record_bundle_in(
        self,
        s: Session,
        visit_id: str,
        *,
        countersignature: Countersignature | None = None,
        record: ConsentRecord | None = None,
    ) -> bytes:
        """``record_bundle``'s bytes, read inside the caller's unit of work (not audited here:
        the document that embeds it is).

        With ``countersignature``, the bundle as it will be once that signature is stored and
        the visit countersigned. ``record`` is the visit's ``build_record`` (with that
        signature, if any) when the caller has it already: it is not built again.
        """
        visit = s.get(Visit, visit_id)
        if visit is None:
            raise NotFound("No visit has that id.", code="visit_id_unknown")
        patient = s.get(Patient, visit.patient_id)
        assert patient is not None
        course = self._course(
            s,
            RECORD_SCOPE,
            visit.id,
            patient,
            [visit],
            with_documents=False,
            countersignature=countersignature,
            record=record,
        )
        return fhir.to_json(fhir.build_bundle(course))

    def export_visit(self, actor: Actor, visit_id: str, path: Path) -> FhirExport:
        return self._export(actor, "visit", visit_id, Path(path))

    def export_patient(self, actor: Actor, record_number: str, path: Path) -> FhirExport:
        return self._export(actor, "patient", record_number, Path(path))

    # --- inside ----------------------------------------------------------------------------------

    def _export(self, actor: Actor, scope: str, key: str, path: Path | None) -> FhirExport:
        require_role(actor, *EXPORT_ROLES)
        from intake.documents import atomic_write

        written = False
        try:
            with self.write() as s:
                if scope == "visit":
                    visit = s.get(Visit, key.strip())
                    if visit is None:
                        raise NotFound("No visit has that id.", code="visit_id_unknown")
                    patient = s.get(Patient, visit.patient_id)
                    assert patient is not None
                    visits = [visit]
                    entity, entity_id = "visit", visit.id
                else:
                    patient = s.scalars(
                        select(Patient).where(Patient.record_number == key.strip().upper())
                    ).first()
                    if patient is None:
                        raise NotFound("No patient has that record number.", code="mrn_unknown")
                    visits = list(
                        s.scalars(
                            select(Visit)
                            .where(Visit.patient_id == patient.id)
                            .order_by(Visit.started_at, Visit.id)
                        )
                    )
                    entity, entity_id = "patient", str(patient.id)
                course = self._course(s, scope, entity_id, patient, visits)
                bundle = fhir.build_bundle(course)
                data = fhir.to_json(bundle)
                digest = hashlib.sha256(data).hexdigest()
                count = fhir.resources_in(bundle)
                self.audit(
                    s,
                    actor,
                    "export",
                    entity,
                    entity_id,
                    {
                        "format": "fhir-r4",
                        "sha256": digest,
                        "resources": count,
                        "visits": len(visits),
                        "to": "file" if path is not None else "memory",
                    },
                )
                if path is not None:
                    # Written before the audit event commits; removed again if that fails.
                    atomic_write(path, data)
                    written = True
        except BaseException:
            if written and path is not None:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            raise
        return FhirExport(path, digest, count, data)

    def _course(
        self,
        s: Session,
        scope: str,
        scope_id: str,
        patient: Patient,
        visits: list[Visit],
        with_documents: bool = True,
        countersignature: Countersignature | None = None,
        record: ConsentRecord | None = None,
    ) -> fhir.Course:
        """``countersignature`` and ``record`` (see ``record_bundle_in``) are for a course of
        one visit only."""
        assert (countersignature is None and record is None) or len(visits) == 1
        forms = self.ctx.forms
        clinic = forms.clinic
        questions = _questions(forms.intake.pages)
        checkin_questions = _questions(forms.checkin.pages)
        quiz_questions = tuple(
            fhir.Question(
                q.id,
                "choice",
                q.prompt.get("en"),
                tuple((c.id, c.text.get("en")) for c in q.choices),
            )
            for q in forms.quiz.questions
        )
        # Only this patient's completions (and only their own consent visits' dates).
        completions = []
        for done in s.scalars(
            select(CourseCompletion)
            .where(CourseCompletion.patient_id == patient.id)
            .order_by(CourseCompletion.id)
        ):
            consent = s.get(Visit, done.consent_visit_id)
            started = (
                consent.visit_date
                if consent is not None and consent.patient_id == patient.id
                else done.completed_on
            )
            completions.append(
                fhir.Completion(
                    done.id,
                    done.consent_visit_id,
                    started,
                    done.completed_on,
                    done.mg_per_kg,
                    done.reason,
                    done.reason.replace("_", " ").capitalize(),
                    done.reason_text,
                    done.at,
                    done.pregnancy_test_due,
                    done.contraception_until,
                    done.no_blood_donation_until,
                    done.no_cosmetic_procedures_until,
                )
            )
        labs_by_id = {lab.id: lab for lab in clinic.labs}
        labs = tuple(
            fhir.Lab(
                r.id,
                r.test,
                labs_by_id[r.test].label.get("en") if r.test in labs_by_id else r.test,
                r.value,
                r.unit,
                r.taken_on,
                r.course_month,
                r.at,
                labs_by_id[r.test].low if r.test in labs_by_id else None,
                labs_by_id[r.test].high if r.test in labs_by_id else None,
                labs_by_id[r.test].critical_high if r.test in labs_by_id else None,
            )
            for r in s.scalars(select(LabResult).where(LabResult.patient_id == patient.id))
        )
        tests = tuple(
            fhir.PregnancyTest(t.id, t.taken_on, t.result, t.course_month, t.at)
            for t in s.scalars(select(PregnancyTest).where(PregnancyTest.patient_id == patient.id))
        )
        follow_ups = tuple(
            fhir.FollowUp(
                f.id,
                f.month,
                f.seen_on,
                f.weight_kg,
                f.daily_dose_mg,
                tuple(f.side_effects),
                f.mood_score,
                f.sexual_function,
                tuple(f.contraception),
                f.notes,
                f.at,
            )
            for f in s.scalars(select(FollowUp).where(FollowUp.patient_id == patient.id))
        )
        return fhir.Course(
            scope=scope,
            scope_id=scope_id,
            clinic=fhir.Clinic(
                clinic.name,
                clinic_base_url(clinic.name, clinic.email, clinic.record_prefix),
                clinic.phone,
                clinic.email,
                clinic.address,
            ),
            patient=PatientInfo(
                patient.record_number,
                patient.first_name,
                patient.last_name,
                patient.date_of_birth,
                patient.sex_at_birth,
                patient.preferred_name,
            ),
            phone=patient.phone,
            email=patient.email,
            lang=patient.lang,
            questions=questions,
            visits=tuple(
                self._visit(s, v, with_documents, countersignature, record) for v in visits
            ),
            labs=labs,
            pregnancy_tests=tests,
            follow_ups=follow_ups,
            checkin_questions=checkin_questions,
            quiz_questions=quiz_questions,
            completions=tuple(completions),
        )

    def _visit(
        self,
        s: Session,
        visit: Visit,
        with_documents: bool = True,
        countersignature: Countersignature | None = None,
        record: ConsentRecord | None = None,
    ) -> fhir.VisitRecords:
        if record is None:
            extra = (countersignature.signature,) if countersignature is not None else ()
            record = build_record(s, self.ctx.forms, visit.id, extra_signatures=extra)
        rows = (
            list(
                s.scalars(
                    select(Document)
                    .where(Document.visit_id == visit.id)
                    .order_by(Document.kind, Document.issue)
                )
            )
            if with_documents
            else []
        )
        latest: dict[str, int] = {}
        for d in rows:
            latest[d.kind] = max(latest.get(d.kind, 0), d.issue)
        documents = tuple(
            fhir.PdfDocument(
                d.id,
                d.kind,
                d.issue,
                d.lang,
                len(d.pdf),
                # FHIR's Attachment.hash: the base64 of the SHA-1 of the bytes.
                base64.b64encode(hashlib.sha1(bytes(d.pdf)).digest()).decode("ascii"),
                d.sha256,
                d.created_at,
                d.supersedes_id,
                d.issue == latest[d.kind],
            )
            for d in rows
        )
        staff: dict[str, fhir.StaffMember] = {}
        for g in s.scalars(
            select(Signature).where(
                Signature.visit_id == visit.id, Signature.role == SignerRole.CLINICIAN
            )
        ):
            member = _staff(s, g.actor)
            if member is not None:
                staff["clinician"] = member
        if countersignature is not None:
            member = _staff(s, countersignature.actor_id)
            if member is not None:
                staff["clinician"] = member
        summary = next(
            (
                r.summary.get("en")
                for r in self.ctx.forms.programme.rulesets
                if r.id == record.ruleset_id
            ),
            "",
        )
        status = VisitStatus.COUNTERSIGNED if countersignature is not None else visit.status
        return fhir.VisitRecords(record, status, documents, staff, summary)


def _questions(pages: Sequence[Page]) -> tuple[fhir.Question, ...]:
    return tuple(
        fhir.Question(
            q.id,
            q.type,
            q.label.get("en"),
            tuple((o.value, o.label.get("en")) for o in q.options),
        )
        for page in pages
        for q in page.questions
    )


def _staff(s: Session, actor_id: str) -> fhir.StaffMember | None:
    if not actor_id.startswith("staff:"):
        return None
    user = s.get(StaffUser, int(actor_id.split(":", 1)[1]))
    if user is None:
        return None
    return fhir.StaffMember(actor_id, user.display_name, user.username, user.role)
