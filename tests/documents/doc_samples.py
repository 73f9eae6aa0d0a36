"""Synthetic consent records for the documents tests and the documents benchmark.

Built through the real domain rules (applicable statements, acknowledgers, flags, PHQ-9 scoring)
so the records look like the ones the services make. Every value is fixed: same record each run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import re
from typing import Any

from intake.domain import flags, phq9, rules
from intake.domain.records import (
    SIGNATURE_MEANINGS,
    AcknowledgementRecord,
    ConsentRecord,
    PatientInfo,
    QuizAnswerRecord,
    SignatureRecord,
    Stroke,
)
from intake.forms.model import FormSet

UTC = dt.UTC
PAD_W, PAD_H = 600.0, 200.0


def signature_strokes(seed: int) -> tuple[Stroke, ...]:
    """A loopy, handwriting-like scribble in pad coordinates (y downwards), plus a dot."""
    strokes: list[Stroke] = []
    for part, loops in enumerate((3 + seed % 2, 4)):
        x0 = 50 + part * 260
        points = []
        for i in range(90):
            t = i / 89
            phase = 2 * math.pi * loops * t
            x = x0 + 200 * t + 20 * math.sin(phase)
            y = 120 - (40 + 12 * math.sin(seed + 3 * t)) * (1 - math.cos(phase)) / 2 - 25 * t
            points.append((round(x, 2), round(y, 2)))
        strokes.append(tuple(points))
    strokes.append(((40.0, 150.0), (560.0, 140.0 - 4 * seed)))  # the underline
    strokes.append(((300.0 + 10 * seed, 45.0),))  # a dot on its own
    return tuple(strokes)


def _signature(
    role: str, name: str, at: dt.datetime, seed: int, relationship: str = ""
) -> SignatureRecord:
    return SignatureRecord(
        role=role,
        printed_name=name,
        meaning=SIGNATURE_MEANINGS[role],
        signed_at=at,
        strokes=signature_strokes(seed),
        pad_width=PAD_W,
        pad_height=PAD_H,
        relationship=relationship,
        station="kiosk-1",
    )


def _record(
    forms: FormSet,
    *,
    document_id: str,
    lang: str,
    patient: PatientInfo,
    answers: dict[str, Any],
    phq9_answers: tuple[int, ...],
    visit_date: dt.date,
    start: dt.datetime,
    guardian: tuple[str, str] | None,
    clinician_signed: bool,
) -> ConsentRecord:
    answers = dict(answers, date_of_birth=patient.date_of_birth)
    facts = rules.derive_facts(answers, visit_date)
    statements = rules.applicable_statements(forms.risks, facts)
    acks = []
    at = start
    for statement in statements:
        for by in rules.acknowledgers(statement, facts):
            at += dt.timedelta(seconds=41)
            name = patient.full_name if by == "patient" or guardian is None else guardian[0]
            initials = "".join(word[0] for word in name.split())
            acks.append(AcknowledgementRecord(statement.id, by, initials, at))
    quiz = []
    ids = {s.id for s in statements}
    for n, question in enumerate(rules.applicable_quiz(forms.quiz, ids, facts)):
        at += dt.timedelta(seconds=30)
        if n == 1:  # one wrong first try, then right: the check counts both answers
            wrong = next(c.id for c in question.choices if c.id != question.answer)
            quiz.append(QuizAnswerRecord(question.id, wrong, False, at))
            at += dt.timedelta(seconds=20)
        quiz.append(QuizAnswerRecord(question.id, question.answer, True, at))
    result = phq9.score(phq9_answers, "somewhat")
    signatures = [_signature("patient", patient.full_name, at + dt.timedelta(minutes=1), 1)]
    if guardian is not None:
        signatures.append(
            _signature("guardian", guardian[0], at + dt.timedelta(minutes=2), 2, guardian[1])
        )
    if clinician_signed:
        signatures.append(
            _signature("clinician", "Dr. Amara Okafor", at + dt.timedelta(minutes=30), 3)
        )
    visits = tuple(visit_date + dt.timedelta(days=30 * k) for k in range(1, 6))
    return ConsentRecord(
        document_id=document_id,
        visit_id=f"V-{document_id}",
        lang=lang,
        patient=patient,
        visit_date=visit_date,
        created_at=start,
        answers=answers,
        can_become_pregnant=bool(facts["can_become_pregnant"]),
        is_minor=bool(facts["is_minor"]),
        statement_ids=tuple(s.id for s in statements),
        acknowledgements=tuple(acks),
        quiz=tuple(quiz),
        quiz_passed=True,
        signatures=tuple(signatures),
        phq9=result,
        flags=flags.clinician_flags(facts, result),
        form_versions=forms.versions(),
        ruleset_id=forms.programme.in_force(visit_date).id,
        dermatologist="Dr. Amara Okafor",
        course_visits=visits,
    )


def adult_record(forms: FormSet, lang: str = "en", clinician_signed: bool = False) -> ConsentRecord:
    """An adult who can become pregnant, with an item-9-positive mood screen and vitamin A."""
    patient = PatientInfo(
        record_number="RPM-000123",
        first_name="Zoë",
        last_name="Nguyễn",
        date_of_birth=dt.date(1998, 4, 12),
        sex_at_birth="female",
    )
    answers = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "sex_at_birth": "female",
        "phone": "(555) 010-2233",
        "email": "zoe@example.org",
        "address": "12 Elm Row\nApt 3",
        "uterus_and_ovary": "yes",
        "pregnancy_ruled_out": "none",
        "pregnant_now": "no",
        "breastfeeding": "no",
        "contraception_methods": ["implant", "male_condom"],
        "weight_kg": 61.5,
        "has_allergies": "yes",
        "allergies_detail": "Penicillin <rash> & hives",
        "takes_vitamin_a": "yes",
        "takes_tetracycline": "no",
        "other_medicines": 'O\'Brien <b> cream & "zinc"',
        "conditions": ["anxiety"],
        "previous_treatments": ["topical_retinoid", "oral_antibiotic"],
    }
    return _record(
        forms,
        document_id="DOC-2026-0001",
        lang=lang,
        patient=patient,
        answers=answers,
        phq9_answers=(1, 1, 2, 1, 0, 1, 1, 0, 1),
        visit_date=dt.date(2026, 2, 3),
        start=dt.datetime(2026, 2, 3, 15, 2, 0, tzinfo=UTC),
        guardian=None,
        clinician_signed=clinician_signed,
    )


def minor_record(forms: FormSet, lang: str = "es", clinician_signed: bool = True) -> ConsentRecord:
    """A 16-year-old who cannot become pregnant, with a guardian who co-signs."""
    patient = PatientInfo(
        record_number="RPM-000456",
        first_name="Mateo",
        last_name="Ñúñez",
        date_of_birth=dt.date(2009, 8, 30),
        sex_at_birth="male",
    )
    answers = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "sex_at_birth": "male",
        "phone": "(555) 010-4455",
        "weight_kg": 58.0,
        "has_allergies": "no",
        "takes_vitamin_a": "no",
        "takes_tetracycline": "yes",
        "other_medicines": "",
        "conditions": ["none"],
        "previous_treatments": ["benzoyl_peroxide", "oral_antibiotic"],
    }
    return _record(
        forms,
        document_id="DOC-2026-0002",
        lang=lang,
        patient=patient,
        answers=answers,
        phq9_answers=(0, 1, 0, 1, 0, 0, 1, 0, 0),
        visit_date=dt.date(2026, 2, 4),
        start=dt.datetime(2026, 2, 4, 14, 30, 0, tzinfo=UTC),
        guardian=("Lucía Ñúñez Peña", "madre"),
        clinician_signed=clinician_signed,
    )


def with_lang(record: ConsentRecord, lang: str) -> ConsentRecord:
    return dataclasses.replace(record, lang=lang)


def pdf_pages_text(data: bytes) -> list[str]:
    """Each page's text with runs of whitespace made single spaces."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
