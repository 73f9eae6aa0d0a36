"""Finding patients as the front desk types them: one typo, dates in several forms, duplicates.

Run on SQLite and PostgreSQL (the ``ctx`` fixture).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from intake.services.context import Actor, AppContext
from intake.services.patients import PatientService, PossibleDuplicates
from intake.services.scripted import ensure_staff
from intake.services.staff import staff_actor
from intake.store.models import AuditEvent, NameKey


def desk(ctx: AppContext) -> Actor:
    return staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))


def found(svc: PatientService, actor: Actor, query: str) -> list[str]:
    return [f"{p.first_name} {p.last_name}" for p in svc.search(actor, query)]


@pytest.fixture
def people(ctx):  # type: ignore[no-untyped-def]
    svc, front = PatientService(ctx), desk(ctx)
    for first, last, born in (
        ("Zoë", "Nguyễn", "1999-04-12"),
        ("Marta", "Nuñez", "1985-02-03"),
        ("Ana", "García-López", "1990-07-01"),
        ("Omar", "Okafor", "2001-11-30"),
        ("Leo", "Garner", "1978-05-05"),
    ):
        svc.register(front, first_name=first, last_name=last, date_of_birth=born)
    return svc, front


def test_a_name_with_one_typo_is_found(people) -> None:  # type: ignore[no-untyped-def]
    svc, front = people
    assert found(svc, front, "Nguen") == ["Zoë Nguyễn"]  # a letter missing
    assert found(svc, front, "Nunes") == ["Marta Nuñez"]  # a letter changed
    assert found(svc, front, "Ngyuen") == ["Zoë Nguyễn"]  # two letters swapped
    assert found(svc, front, "Okaffor") == ["Omar Okafor"]  # a letter added
    assert found(svc, front, "nguen zoe") == ["Zoë Nguyễn"]  # last then first
    assert found(svc, front, "zoe nguen") == ["Zoë Nguyễn"]  # first then last
    assert found(svc, front, "Nguyen, Zeo") == []  # "zeo" is three letters: no typo forgiven
    assert found(svc, front, "garcia-lopes") == ["Ana García-López"]  # in a double name
    assert found(svc, front, "garcai-lop") == ["Ana García-López"]
    # The last word typed is a whole word when corrected: "garnr" is Garner, not every "garn…".
    assert found(svc, front, "garnr") == ["Leo Garner"]
    assert found(svc, front, "Nguxxn") == []  # two typos are not one


def test_exact_prefixes_still_work_and_are_not_widened(people) -> None:  # type: ignore[no-untyped-def]
    svc, front = people
    assert found(svc, front, "gar") == ["Ana García-López", "Leo Garner"]
    assert found(svc, front, "garc") == ["Ana García-López"]
    assert found(svc, front, "omar ok") == ["Omar Okafor"]


def test_dates_of_birth_typed_in_the_usual_ways_are_found(people) -> None:  # type: ignore[no-untyped-def]
    svc, front = people
    for typed in ("1999-04-12", "4/12/99", "04/12/1999", "19990412", "12.04.1999", "12.04.99"):
        assert found(svc, front, typed) == ["Zoë Nguyễn"], typed
    assert svc.read_query("4/12/99").kind == "date"
    # A two-digit year takes the century that makes a patient 10 to 120 years old.
    assert found(svc, front, "11/30/01") == ["Omar Okafor"]


def test_a_name_and_a_date_together_narrow_the_search(people, ctx) -> None:  # type: ignore[no-untyped-def]
    svc, front = people
    svc.register(front, first_name="Zack", last_name="Nash", date_of_birth="1999-04-12")
    assert found(svc, front, "4/12/99") == ["Zack Nash", "Zoë Nguyễn"]
    assert found(svc, front, "Zoe Nguyen, 1999-04-12") == ["Zoë Nguyễn"]
    assert found(svc, front, "nguen 4/12/99") == ["Zoë Nguyễn"]
    read = svc.read_query("Zoe Nguyen, 1999-04-12")
    assert (read.kind, read.first_name, read.last_name, read.date_of_birth) == (
        "name_date",
        "Zoe",
        "Nguyen",
        dt.date(1999, 4, 12),
    )
    read = svc.read_query("nguyen, zoe")
    assert (read.kind, read.first_name, read.last_name) == ("name", "Zoe", "Nguyen")
    assert svc.read_query("RPM-0001").kind == "record"


def test_registering_a_likely_duplicate_is_refused_naming_them(people, ctx) -> None:  # type: ignore[no-untyped-def]
    svc, front = people
    first = svc.search(front, "nguyen")[0]
    for _ in range(2):  # staff who checked may register more of them
        svc.register(
            front,
            allow_duplicate=True,
            first_name="Zoë",
            last_name="Nguyễn",
            date_of_birth="1999-04-12",
        )
    before = len(svc.search(front, "1999-04-12"))
    for first_name, last_name in (
        ("Zoe", "Nguyen"),  # accents
        ("zoe", "NGUYEN"),  # case
        ("Zoe", "Nguen"),  # a typo
        ("Nguyen", "Zoe"),  # the wrong way round
        ("Zoe Anh", "Nguyen"),  # a middle name
    ):
        with pytest.raises(PossibleDuplicates) as refused:
            svc.register(front, first_name=first_name, last_name=last_name, date_of_birth="4/12/99")
        assert len(refused.value.patients) == 3
        assert refused.value.patients[0].id == first.id
        assert first.record_number in str(refused.value)
    assert len(svc.search(front, "1999-04-12")) == before  # nothing was saved
    # Another name, or another day, is no duplicate.
    svc.register(front, first_name="Lan", last_name="Nguyen", date_of_birth="1999-04-12")
    svc.register(front, first_name="Zoe", last_name="Nguyen", date_of_birth="1999-04-13")
    assert [p.id for p in svc.likely_duplicates(front, "Zoe", "Nguyen", dt.date(1999, 4, 12))][
        :1
    ] == [first.id]


def test_a_corrected_name_is_found_with_a_typo_too(people, ctx) -> None:  # type: ignore[no-untyped-def]
    svc, front = people
    p = svc.search(front, "okafor")[0]
    svc.correct(front, p.id, p.version, "surname misspelt", last_name="Okonkwo")
    assert found(svc, front, "Okonkow") == ["Omar Okonkwo"]


def test_the_typo_vocabulary_holds_words_not_people(people, ctx) -> None:  # type: ignore[no-untyped-def]
    svc, front = people
    svc.register(front, first_name="Zoë", last_name="Okafor", date_of_birth="2002-01-01")
    with ctx.db.session() as s:
        pairs = set(s.execute(select(NameKey.key, NameKey.word)).all())
        audit_details = [e.detail for e in s.scalars(select(AuditEvent))]
    assert ("nguen", "nguyen") in pairs and ("okafor", "okafor") in pairs
    assert len([1 for k, w in pairs if k == w == "okafor"]) == 1  # kept once for two patients
    assert "nguyen" not in repr(audit_details).lower()


def test_a_typo_search_on_sqlite_uses_the_name_indexes(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    """Never a walk through every patient: the corrected spellings are index searches."""
    svc, front = PatientService(sqlite_ctx), desk(sqlite_ctx)
    svc.register(front, first_name="Zoë", last_name="Nguyễn", date_of_birth="1999-04-12")
    for typed in ("nguen", "nguen zoe", "garcia"):
        with sqlite_ctx.db.session() as s:
            stmt = svc.search_statement(s, typed).limit(50)
            compiled = stmt.compile(dialect=sqlite_ctx.db.engine.dialect)
            params = [compiled.params[name] for name in compiled.positiontup or ()]
            plan = [
                str(r[-1])
                for r in s.connection().exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + str(compiled), tuple(params)
                )
            ]
        assert not any(step.startswith("SCAN patients") for step in plan), (typed, plan)
    assert found(svc, front, "nguen") == ["Zoë Nguyễn"]


def test_the_migration_makes_patients_registered_before_it_findable_with_a_typo(
    db_target,  # type: ignore[no-untyped-def]
) -> None:
    from sqlalchemy import text

    from intake.store.db import Database
    from intake.store.migrate import HEAD, current_revision, upgrade

    url, schema = db_target
    db = Database(url, schema=schema)
    upgrade(db, "0005")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO patients (id, record_number, first_name, last_name, preferred_name,"
                " date_of_birth, sex_at_birth, phone, email, lang, search_name, search_alt,"
                " version, created_at, actor, station) VALUES (1, 'RPM-000001', 'Zoë', 'Nguyễn',"
                " '', '1999-04-12', '', '', '', 'en', 'nguyen zoe', 'zoe nguyen', 1,"
                " CURRENT_TIMESTAMP, 'system', 'old')"
            )
        )
    upgrade(db)
    assert current_revision(db) == HEAD
    with db.session() as s:
        pairs = set(s.execute(select(NameKey.key, NameKey.word)).all())
    db.dispose()
    assert ("nguen", "nguyen") in pairs and ("zoe", "zoe") in pairs
