"""Staff accounts: actors are re-checked against the database; PIN policy; lock-out cap; admin changes."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher

from intake.domain import pins
from intake.services import staff as staff_module
from intake.services.alerts import AlertService
from intake.services.clinician import ClinicianService
from intake.services.context import SYSTEM, Actor
from intake.services.documents import DocumentService
from intake.services.errors import InvalidInput, Locked, LoginFailed, NotAllowed, NotFound
from intake.services.scripted import (
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import MAX_LOCK_SECONDS, StaffService, lock_seconds, staff_actor
from intake.services.visits import VisitService
from intake.store.models import AlertRelease, AuditEvent, LabResult, Visit

ITEM9 = (1, 1, 1, 1, 0, 0, 0, 0, 2)
NOTE = "Seen in the quiet room; safety plan agreed, no immediate risk."


def _admin(ctx):  # type: ignore[no-untyped-def]
    ensure_staff(ctx, "front_desk", "desk", "Front Desk")  # makes the first admin too
    return staff_actor(next(i for i in StaffService(ctx).list() if i.role == "admin"))


def _doctor(ctx):  # type: ignore[no-untyped-def]
    return staff_actor(ensure_staff(ctx, "clinician", "drruiz", "Dr Ana Ruiz"))


def _paused_visit(ctx) -> str:  # type: ignore[no-untyped-def]
    """A draft visit of another patient, waiting for staff after a positive item 9."""
    from intake.services.patients import PatientService

    patient = ScriptedPatient(
        first_name="Mara", last_name="Olsen", date_of_birth=dt.date(1994, 6, 1), phq9=ITEM9
    )
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    row = PatientService(ctx).register(
        desk,
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        sex_at_birth=patient.sex_at_birth,
    )
    visits = VisitService(ctx)
    started = visits.start_visit(desk, row.id, "en")
    kiosk = visits.open_by_code(patient.date_of_birth, started.code)
    for page in ctx.forms.intake.pages:
        visits.save_page(kiosk, started.visit_id, page.id, patient.page_answers().get(page.id, {}))
    assert visits.save_phq9(kiosk, started.visit_id, list(patient.phq9), "somewhat") is True
    return started.visit_id


def _count(ctx, model) -> int:  # type: ignore[no-untyped-def]
    with ctx.db.session() as s:
        return s.query(model).count()


# --- 2. services re-check the actor they are given --------------------------------------------


def test_a_made_up_clinician_actor_is_refused_everywhere(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _, _ = walk_visit(ctx, ScriptedPatient())
    doctor = _doctor(ctx)
    patient_id = VisitService(ctx).board(doctor)[0].patient_id
    paused = _paused_visit(ctx)
    # Claims a role it never had: no such account, and an existing desk account's id.
    desk_id = next(i.id for i in StaffService(ctx).list() if i.username == "desk")
    for forged in (
        Actor("staff:999", "clinician", "Dr Ana Ruiz"),
        Actor(f"staff:{desk_id}", "clinician", "Dr Ana Ruiz"),
        Actor("clinician", "clinician", "Dr Ana Ruiz"),
    ):
        with pytest.raises(NotAllowed):
            DocumentService(ctx).countersign(
                forged, vid, "Dr Ana Ruiz", signature_strokes(), 600, 200, secret=STAFF_PIN
            )
        with pytest.raises(NotAllowed):
            ClinicianService(ctx).record_lab(forged, patient_id, "alt", "40", ctx.today())
        with pytest.raises(NotAllowed):
            AlertService(ctx).release(forged, paused, NOTE)
    assert _count(ctx, LabResult) == 0 and _count(ctx, AlertRelease) == 0
    with ctx.db.session() as s:
        assert s.get(Visit, vid).status == "submitted"
        assert s.get(Visit, paused).needs_staff != ""
    # The real clinician can do all three.
    ClinicianService(ctx).record_lab(doctor, patient_id, "alt", "40", ctx.today())
    AlertService(ctx).release(doctor, paused, NOTE)
    DocumentService(ctx).countersign(
        doctor,
        vid,
        "Dr Ana Ruiz",
        signature_strokes(),
        600,
        200,
        secret=STAFF_PIN,
        reviewed=review_everything(ctx, doctor, vid),
    )


def test_a_disabled_clinicians_live_actor_is_refused(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, _, _ = walk_visit(ctx, ScriptedPatient())
    doctor = _doctor(ctx)  # signed in before the account is disabled
    patient_id = VisitService(ctx).board(doctor)[0].patient_id
    paused = _paused_visit(ctx)
    StaffService(ctx).set_active(_admin(ctx), "drruiz", False)
    with pytest.raises(NotAllowed, match="disabled"):
        DocumentService(ctx).countersign(
            doctor, vid, "Dr Ana Ruiz", signature_strokes(), 600, 200, secret=STAFF_PIN
        )
    with pytest.raises(NotAllowed, match="disabled"):
        ClinicianService(ctx).record_lab(doctor, patient_id, "alt", "40", ctx.today())
    with pytest.raises(NotAllowed, match="disabled"):
        AlertService(ctx).release(doctor, paused, NOTE)
    with pytest.raises(NotAllowed, match="disabled"):
        VisitService(ctx).board(doctor)  # reading too
    with pytest.raises(LoginFailed):
        StaffService(ctx).login("drruiz", STAFF_PIN)
    assert _count(ctx, LabResult) == 0 and _count(ctx, AlertRelease) == 0
    # Enabled again, the same actor works.
    StaffService(ctx).set_active(_admin(ctx), "drruiz", True)
    ClinicianService(ctx).record_lab(doctor, patient_id, "alt", "40", ctx.today())


def test_a_made_up_kiosk_actor_is_refused(ctx) -> None:  # type: ignore[no-untyped-def]
    vid, kiosk, _ = walk_visit(ctx, ScriptedPatient(), sign=False)
    visits = VisitService(ctx)
    assert visits.draft(kiosk, vid).visit_id == vid  # the one its code opened
    # A second visit never opened at a kiosk: an actor made up for it is refused.
    other = ScriptedPatient(first_name="Ana", last_name="Bell", date_of_birth=dt.date(1990, 1, 2))
    desk = staff_actor(ensure_staff(ctx, "front_desk", "desk", "Front Desk"))
    from intake.services.patients import PatientService

    p = PatientService(ctx).register(
        desk,
        first_name=other.first_name,
        last_name=other.last_name,
        date_of_birth=other.date_of_birth,
        sex_at_birth="male",
    )
    started = visits.start_visit(desk, p.id, "en")
    forged = Actor(f"kiosk:{started.visit_id}", "kiosk", "patient", started.visit_id)
    with pytest.raises(NotAllowed):
        visits.draft(forged, started.visit_id)
    with pytest.raises(NotAllowed):
        visits.set_language(forged, started.visit_id, "es")
    # The visit opened at another station is not this station's kiosk session's.
    ctx.station = "another-station"
    try:
        with pytest.raises(NotAllowed):
            visits.save_page(kiosk, vid, "allergies", {"has_allergies": "no"})
    finally:
        ctx.station = "test-station"
    # Its id and its visit must agree.
    with pytest.raises(NotAllowed):
        visits.draft(Actor(f"kiosk:{vid}", "kiosk", "patient", started.visit_id), started.visit_id)


# --- 1. administrators change accounts -------------------------------------------------------


def test_only_an_admin_changes_accounts_and_every_change_is_audited(ctx) -> None:  # type: ignore[no-untyped-def]
    service = StaffService(ctx)
    with pytest.raises(InvalidInput) as err:
        service.add(SYSTEM, "ruiz", "Dr Ana Ruiz", "clinician", STAFF_PIN)
    assert "first staff account must be an administrator" in err.value.errors["role"]
    admin = staff_actor(service.add(SYSTEM, "boss", "Clinic Admin", "admin", STAFF_PIN))
    with pytest.raises(NotAllowed, match="--by"):
        service.add(SYSTEM, "other", "Other Admin", "admin", STAFF_PIN)
    desk = staff_actor(
        service.add(admin, "desk", "Front Desk", "front_desk", "739146", admin_secret=STAFF_PIN)
    )
    for attempt in (
        lambda: service.add(desk, "x", "X Y", "front_desk", STAFF_PIN),
        lambda: service.set_active(desk, "boss", False),
        lambda: service.reset_secret(desk, "boss", "550931"),
    ):
        with pytest.raises(NotAllowed) as refused:
            attempt()
        assert "only an administrator can" in str(refused.value)
    with pytest.raises(NotAllowed, match="own account"):
        service.set_active(admin, "boss", False)
    with pytest.raises(NotFound):
        service.set_active(admin, "nobody", False)
    with pytest.raises(InvalidInput):
        service.reset_secret(admin, "desk", "123456")
    service.set_active(admin, "desk", False)
    with pytest.raises(LoginFailed):
        service.login("desk", "739146")
    service.set_active(admin, "desk", True)
    service.reset_secret(admin, "desk", "550931")
    with pytest.raises(LoginFailed):
        service.login("desk", "739146")
    assert service.login("desk", "550931").username == "desk"
    with ctx.db.session() as s:
        events = s.query(AuditEvent).filter_by(entity="staff").order_by(AuditEvent.seq).all()
        actions = [e.action for e in events]
        trail = " ".join(f"{e.entity_id} {e.detail}" for e in events)
    assert {"create", "disable", "enable", "reset_secret"} <= set(actions)
    for secret in (STAFF_PIN, "739146", "550931"):
        assert secret not in trail


def test_adding_an_account_needs_the_admins_own_pin_in_the_service(ctx) -> None:  # type: ignore[no-untyped-def]
    service = StaffService(ctx)
    admin = staff_actor(service.add(SYSTEM, "boss", "Clinic Admin", "admin", STAFF_PIN))
    before = service.list()
    # Without the administrator's PIN, or with a wrong one, nothing is added.
    with pytest.raises(InvalidInput) as missing:
        service.add(admin, "desk", "Front Desk", "front_desk", "739146")
    assert "PIN is needed" in missing.value.errors["admin_secret"]
    with pytest.raises(InvalidInput) as wrong:
        service.add(admin, "desk", "Front Desk", "front_desk", "739146", admin_secret="550931")
    assert wrong.value.errors["admin_secret"] == "That PIN is not right."
    assert service.list() == before
    with ctx.db.session() as s:
        failed = s.query(AuditEvent).filter_by(action="reauth_failed").count()
        created = s.query(AuditEvent).filter_by(action="create", entity="staff").count()
    assert failed == 1 and created == 1  # the wrong PIN is audited and counts towards lock-out
    info = service.add(admin, "desk", "Front Desk", "front_desk", "739146", admin_secret=STAFF_PIN)
    assert info.username == "desk" and len(service.list()) == 2


# --- 3. PINs, timing, lock-out ---------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    ["1357", "12345", "000000", "123456", "654321", "987654", "890123", "121212", "112233",
     "password", "Password1", "short", "abcabcabc", "        "],
)  # fmt: skip
def test_weak_secrets_are_refused_with_a_reason(secret: str) -> None:
    problem = pins.secret_problem(secret)
    assert problem is not None and ("at least" in problem or "first anyone" in problem)


@pytest.mark.parametrize("secret", ["482915", "739146", "5509318", "correct horse", "Zoë-2026!"])
def test_good_secrets_pass(secret: str) -> None:
    assert pins.secret_problem(secret) is None


def test_a_weak_pin_changes_nothing(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    service = StaffService(sqlite_ctx)
    with pytest.raises(InvalidInput) as err:
        service.add(SYSTEM, "boss", "Clinic Admin", "admin", "1357")
    assert "6 digits" in err.value.errors["secret"]
    assert service.list() == []


def test_an_unknown_username_costs_one_argon2_verify_like_a_wrong_pin(
    sqlite_ctx, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    service = StaffService(sqlite_ctx)
    admin = staff_actor(service.add(SYSTEM, "boss", "Clinic Admin", "admin", STAFF_PIN))
    service.add(admin, "gone", "Gone Away", "front_desk", STAFF_PIN, admin_secret=STAFF_PIN)
    service.set_active(admin, "gone", False)
    calls: list[str] = []
    real = PasswordHasher.verify

    def counting(self, hash_: str, secret: str) -> bool:  # type: ignore[no-untyped-def]
        calls.append(hash_)
        return real(self, hash_, secret)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    for username in ("boss", "nobody", "gone"):
        with pytest.raises(LoginFailed) as err:
            service.login(username, "739146")
        assert str(err.value) == "That name or PIN is not right."
    # Each refusal ran one full argon2id verification, with the same parameters.
    assert len(calls) == 3
    params = {h.rsplit("$", 2)[0] for h in calls}
    assert len(params) == 1


def test_the_lock_out_doubles_but_is_capped_at_15_minutes_an_hour(sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    service = StaffService(sqlite_ctx)
    service.add(SYSTEM, "boss", "Clinic Admin", "admin", STAFF_PIN)
    start = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
    now = [start]
    sqlite_ctx.clock = lambda: now[0]
    locks: list[tuple[dt.datetime, int]] = []
    # A colleague types a wrong PIN for two hours: as soon as the account lets them, and at
    # least every three minutes.
    while now[0] < start + dt.timedelta(hours=2):
        try:
            service.login("boss", "000001")
        except Locked as exc:
            now[0] += dt.timedelta(seconds=exc.seconds)
            continue
        except LoginFailed:
            pass
        with sqlite_ctx.db.session() as s:
            from intake.store.models import StaffUser

            user = s.query(StaffUser).filter_by(username="boss").one()
            if user.locked_until and user.locked_until > now[0]:
                locks.append((now[0], int((user.locked_until - now[0]).total_seconds())))
                continue
        now[0] += dt.timedelta(seconds=180)
    waits = [w for _, w in locks]
    assert waits[:4] == [30, 60, 120, 240]  # doubling
    for i, (at, _) in enumerate(locks):
        in_hour = sum(w for t, w in locks[i:] if t < at + dt.timedelta(hours=1))
        assert in_hour <= 2 * MAX_LOCK_SECONDS  # any hour overlaps at most two lock windows
    first_hour = sum(w for t, w in locks if t < start + dt.timedelta(hours=1))
    assert first_hour <= MAX_LOCK_SECONDS
    # The right PIN works once the lock is over.
    with sqlite_ctx.db.session() as s:
        from intake.store.models import StaffUser

        until = s.query(StaffUser).filter_by(username="boss").one().locked_until
    now[0] = max(now[0], until or now[0]) + dt.timedelta(seconds=1)
    assert service.login("boss", STAFF_PIN).username == "boss"


def test_lock_seconds_is_pure_and_capped() -> None:
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert lock_seconds(2, None, 0, t0) == (0, None, 0)
    assert lock_seconds(3, None, 0, t0) == (30, t0, 30)
    wait, start, used = lock_seconds(40, t0, 880, t0 + dt.timedelta(minutes=30))
    assert (wait, start, used) == (20, t0, 900)
    assert lock_seconds(41, t0, 900, t0 + dt.timedelta(minutes=59))[0] == 0
    later = t0 + dt.timedelta(hours=1)
    assert lock_seconds(42, t0, 900, later) == (MAX_LOCK_SECONDS, later, MAX_LOCK_SECONDS)


def test_the_staff_module_has_no_four_digit_minimum_left() -> None:
    assert not hasattr(staff_module, "MIN_SECRET")
    assert pins.MIN_PIN_DIGITS == 6 and pins.MIN_PASSPHRASE == 8
