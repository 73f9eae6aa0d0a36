"""Bad input on every kiosk page: a clear message beside the field, nothing saved, Next held."""

from __future__ import annotations

import pytest
from test_kiosk_driver import (
    KioskDriver,
    desk_actor,
    draw,
    pdf_checks,
    register,
    stored_checks,
)

from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.services.visits import VisitService
from intake.ui.widgets.signature_pad import SignaturePadWidget


def error_of(kiosk: KioskDriver, qid: str) -> str:
    field = kiosk.page.fields[qid]  # type: ignore[attr-defined]
    return field.error.text() if field.error.isVisible() else ""


def stored(kiosk: KioskDriver, vid: str) -> dict:  # type: ignore[type-arg]
    return VisitService(kiosk.ctx).draft(desk_actor(kiosk.ctx), vid).answers


@pytest.mark.parametrize(
    ("dob", "code", "message"),
    [
        ("04/12/1999", "000000", "We could not find a visit"),
        ("02/30/1999", None, "That date does not exist"),
        ("04/12/99", None, "4-digit year"),
        ("04/11/1999", None, "We could not find a visit"),
    ],
)
def test_welcome_refuses_a_wrong_date_or_code(
    kiosk: KioskDriver, sqlite_ctx: AppContext, dob: str, code: str | None, message: str
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.enter_date(kiosk.find("welcome_dob"), dob)
    kiosk.type_into("welcome_code", code or reg.started.code)
    kiosk.click("welcome_start")
    error = kiosk.find("welcome_error")
    assert error.isVisible() and message in error.text()
    assert kiosk.window.flow is None


def test_welcome_locks_after_repeated_wrong_codes(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    start = kiosk.find("welcome_start")
    assert not start.isEnabled()  # nothing typed yet
    kiosk.enter_date(kiosk.find("welcome_dob"), patient.date_of_birth)
    for _ in range(5):
        kiosk.type_into("welcome_code", "123456")
        kiosk.click("welcome_start")
    assert "ask at the front desk" in kiosk.find("welcome_error").text()
    kiosk.type_into("welcome_code", reg.started.code)
    kiosk.click("welcome_start")  # even the right code waits (the service refuses it)
    assert kiosk.window.flow is None
    assert "ask at the front desk" in kiosk.find("welcome_error").text()


def test_identity_page_messages_and_nothing_saved(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    before = stored(kiosk, reg.started.visit_id)
    kiosk.answer("phone", "")
    assert not kiosk.window.nav.next.isEnabled()  # incomplete: Next is held
    kiosk.answer("phone", "12")
    kiosk.answer("first_name", "J0hn")
    kiosk.answer("email", "not-an-address")
    kiosk.next()
    assert kiosk.step() == "intake:identity"
    assert "letters only" in error_of(kiosk, "first_name")
    assert "7 to 15 digits" in error_of(kiosk, "phone")
    assert "e-mail address" in error_of(kiosk, "email")
    assert stored(kiosk, reg.started.visit_id) == before
    # A message shows as soon as the field is left, and goes when it is corrected.
    field = kiosk.page.fields["phone"]  # type: ignore[attr-defined]
    kiosk.type_into(field.input, "55")
    field.input.editingFinished.emit()
    assert "7 to 15 digits" in error_of(kiosk, "phone")
    kiosk.type_into(field.input, "(555) 010-2233")
    assert error_of(kiosk, "phone") == ""
    kiosk.fill_intake_page(patient.page_answers()["identity"])
    kiosk.next()
    assert kiosk.step() == "intake:pregnancy"
    assert stored(kiosk, reg.started.visit_id)["phone"] == "5550102233"


def test_messages_in_spanish(kiosk: KioskDriver, sqlite_ctx: AppContext) -> None:
    patient = ScriptedPatient(lang="es")
    reg = register(sqlite_ctx, patient)
    kiosk.click("welcome_lang_es")
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.answer("phone", "12")
    kiosk.next()
    assert error_of(kiosk, "phone") == "Un número de teléfono tiene de 7 a 15 dígitos; revíselo."


def test_a_spanish_kiosk_words_problems_and_refusals_from_the_catalogue(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    """Validation problems (with their values) and a service's refusal at signing reach a
    Spanish patient in the catalogue's Spanish, by their codes."""
    from intake import i18n

    patient = ScriptedPatient(lang="es")
    reg = register(sqlite_ctx, patient)
    kiosk.click("welcome_lang_es")
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.answer("phone", "55 abc 0102")
    kiosk.answer("email", "nadie")
    kiosk.next()
    assert error_of(kiosk, "phone") == i18n.tr("kiosk.error_phone_characters", "es")
    assert error_of(kiosk, "email") == (
        "Revise el correo electrónico, por ejemplo nombre@ejemplo.com."
    )
    kiosk.fill_intake_page(patient.page_answers()[kiosk.step().split(":", 1)[1]])
    kiosk.next()
    kiosk.walk_visit_to_signing(patient)

    # The name under the signature must be the one on the record: the service refuses another,
    # and says so in Spanish with the record's name in it.
    kiosk.type_into("printed_name", "Nadie Otro")
    kiosk.sign()
    assert kiosk.step() == "sign:patient"
    name_error = kiosk.page.name_error  # type: ignore[attr-defined]
    kiosk.qtbot.waitUntil(name_error.isVisible)
    assert name_error.text() == i18n.tr(
        "kiosk.error_printed_name_patient",
        "es",
        name=f"{patient.first_name} {patient.last_name}",
    )
    assert name_error.text().startswith("Escriba su nombre como figura en su expediente")


def test_pregnancy_page_follows_answers_and_exclusive_choices(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake_page(patient.page_answers()["identity"])
    kiosk.next()
    assert kiosk.step() == "intake:pregnancy"
    page = kiosk.page
    visible = page.visible_ids()  # type: ignore[attr-defined]
    assert "uterus_and_ovary" in visible and "pregnancy_ruled_out" not in visible
    assert not kiosk.window.nav.next.isEnabled()
    kiosk.answer("uterus_and_ovary", "yes")
    assert "pregnancy_ruled_out" in page.visible_ids()  # type: ignore[attr-defined]
    kiosk.answer("pregnancy_ruled_out", "none")
    kiosk.answer("pregnant_now", "no")
    kiosk.answer("breastfeeding", "no")
    methods = page.fields["contraception_methods"].input  # type: ignore[attr-defined]
    kiosk.click(methods.button("implant"))
    kiosk.click(methods.button("male_condom"))
    kiosk.click(methods.button("none_yet"))
    assert methods.value() == ["none_yet"]
    kiosk.click(methods.button("implant"))
    assert methods.value() == ["implant"]
    kiosk.next()
    assert kiosk.step() == "intake:body"
    # Changing the answer hides the questions that depended on it; their answers go.
    kiosk.back()
    kiosk.answer("uterus_and_ovary", "no")
    assert page is not kiosk.page
    assert kiosk.page.visible_ids() == ["uterus_and_ovary"]  # type: ignore[attr-defined]
    kiosk.next()
    answers = stored(kiosk, reg.started.visit_id)
    assert answers["uterus_and_ovary"] == "no" and "contraception_methods" not in answers


def test_weight_allergies_and_back_keeps_what_was_typed(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake_page(patient.page_answers()["identity"])
    kiosk.next()
    assert kiosk.step() == "intake:body"
    kiosk.answer("weight_kg", {"value": "999", "unit": "kg"})
    kiosk.next()
    assert "between 25 and 300 kg" in error_of(kiosk, "weight_kg")
    kiosk.answer("weight_kg", {"value": "135", "unit": "lb"})
    kiosk.next()
    assert stored(kiosk, reg.started.visit_id)["weight_kg"] == pytest.approx(61.2)
    assert kiosk.step() == "intake:allergies"
    kiosk.answer("has_allergies", "yes")
    assert "allergies_detail" in kiosk.page.visible_ids()  # type: ignore[attr-defined]
    assert not kiosk.window.nav.next.isEnabled()
    kiosk.answer("allergies_detail", "Penicillin, a rash")
    # Back before saving keeps what was typed; Next brings it back.
    kiosk.back()
    assert kiosk.step() == "intake:body"
    assert kiosk.page.fields["weight_kg"].raw() == {"value": "61.2", "unit": "kg"}  # type: ignore[attr-defined]
    kiosk.next()
    assert kiosk.page.fields["allergies_detail"].raw() == "Penicillin, a rash"  # type: ignore[attr-defined]
    assert "allergies_detail" not in stored(kiosk, reg.started.visit_id)
    kiosk.next()
    assert stored(kiosk, reg.started.visit_id)["allergies_detail"] == "Penicillin, a rash"


def test_phq9_initials_quiz_and_signature_refusals(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient()
    reg = register(sqlite_ctx, patient)
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.fill_intake(patient)
    # PHQ-9: Next only once all nine are answered (and the difficulty, as problems were ticked).
    page = kiosk.page
    for buttons, value in list(zip(page.items, patient.phq9, strict=True))[:8]:  # type: ignore[attr-defined]
        kiosk.click(buttons.button(str(value)))
    assert not kiosk.window.nav.next.isEnabled()
    kiosk.click(page.items[8].button("0"))  # type: ignore[attr-defined]
    assert not kiosk.window.nav.next.isEnabled()
    kiosk.click(page.difficulty.button("somewhat"))  # type: ignore[attr-defined]
    kiosk.next()
    # Initials that do not match the name.
    topic = kiosk.page
    field = next(iter(topic.fields.values()))  # type: ignore[attr-defined]
    for wrong, message in (("XY", "please type ZN"), ("Z1", "only the letters")):
        kiosk.type_into(field.edit, wrong)
        field.edit.editingFinished.emit()
        assert message in field.error.text() and not field.done
    assert not kiosk.window.nav.next.isEnabled()
    kiosk.type_into(field.edit, "z.n.")  # dots and lower case are fine
    assert field.done and field.edit.text() == "ZN"
    kiosk.walk_topics(patient)
    # A wrong quiz answer: the explanation, then the statements again, then the question.
    first_question = kiosk.step().split(":")[1]
    kiosk.answer_quiz(wrong={first_question}, patient=patient)
    assert kiosk.step() == "review"
    kiosk.next()
    # Signature: an empty pad holds Next; a tiny scribble and a bad printed name are refused.
    assert not kiosk.window.nav.next.isEnabled()
    pad = kiosk.find("signature_pad", SignaturePadWidget)
    draw(pad, [(100 + i, 100 + (i % 3)) for i in range(14)])
    kiosk.type_into("printed_name", "Zoë 9")
    kiosk.next()
    sign_page = kiosk.page
    assert kiosk.step() == "sign:patient"
    assert "too small" in sign_page.pad_error.text()  # type: ignore[attr-defined]
    assert "letters only" in sign_page.name_error.text()  # type: ignore[attr-defined]
    assert not pad.has_ink()  # the refused scribble is cleared for another try
    assert (
        VisitService(sqlite_ctx).draft(desk_actor(sqlite_ctx), reg.started.visit_id).signed_roles
        == ()
    )
    kiosk.type_into("printed_name", "Zoë Nguyễn")
    kiosk.click("type_signature")  # signing from the keyboard is accepted too
    assert pad.has_ink()
    kiosk.click("clear_signature")
    assert not pad.has_ink() and not kiosk.window.nav.next.isEnabled()
    kiosk.sign(expect_next="done")
    documents = kiosk.wait_documents()
    stored_checks(sqlite_ctx, reg, lang="en", signers=("patient",))
    pdf_checks(sqlite_ctx, reg, documents, lang="en", words=("Nguy",))
    draft = VisitService(sqlite_ctx).draft(desk_actor(sqlite_ctx), reg.started.visit_id)
    assert draft.answers["phq9_difficulty"] == "somewhat"


def test_a_database_that_refuses_a_save_is_said_in_spanish_and_keeps_the_page(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    """SQLite itself refuses the write (query_only): the patient reads what happened in Spanish,
    stays on the page with their answers, and nothing of the page is stored."""
    from sqlalchemy import event

    patient = ScriptedPatient(lang="es")
    reg = register(sqlite_ctx, patient)
    kiosk.click("welcome_lang_es")
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    step = kiosk.step()
    answers = patient.page_answers()["identity"]
    kiosk.fill_intake_page(answers)

    engine = sqlite_ctx.db.engine
    engine.dispose()

    def read_only(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA query_only=ON")

    event.listen(engine, "connect", read_only)
    before = kiosk.page.snapshot()  # type: ignore[attr-defined]
    try:
        kiosk.next()
        assert kiosk.step() == step
        shown = kiosk.page.page_error.text()  # type: ignore[attr-defined]
        assert shown.startswith("El sistema no responde o rechazó el cambio. No se guardó nada")
        assert "database" not in shown
        assert kiosk.page.snapshot() == before  # type: ignore[attr-defined]
    finally:
        event.remove(engine, "connect", read_only)
        engine.dispose()
    assert "phone" not in stored(kiosk, reg.started.visit_id)
    kiosk.next()  # the database is back: the same answers save and the visit moves on
    assert kiosk.step() != step
    digits = "".join(ch for ch in answers["phone"] if ch.isdigit())
    assert stored(kiosk, reg.started.visit_id)["phone"] == digits


def test_a_name_the_consent_cannot_print_is_refused_at_the_kiosk(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient(lang="es")
    reg = register(sqlite_ctx, patient)
    kiosk.click("welcome_lang_es")
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    step = kiosk.step()
    kiosk.fill_intake_page(patient.page_answers()["identity"])
    kiosk.answer("first_name", "王")
    kiosk.next()
    assert kiosk.step() == step
    assert error_of(kiosk, "first_name").startswith(
        "Los formularios de la clínica no pueden imprimir 王;"
    )
    assert stored(kiosk, reg.started.visit_id).get("first_name") != "王"
