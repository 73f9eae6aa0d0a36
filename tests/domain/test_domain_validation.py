"""Validation of what a person types: examples, properties, and whole intake pages."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.domain import validation as v
from intake.domain.answers import validate_answer, validate_page
from intake.domain.errors import ValidationError
from intake.forms import model as m
from intake.forms.loader import load_forms

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
TODAY = dt.date(2026, 3, 2)

ANY = st.one_of(
    st.text(),
    st.integers(),
    st.floats(),
    st.none(),
    st.lists(st.text()),
    st.booleans(),
    st.dates(),
)


@pytest.fixture(scope="module")
def intake_form() -> m.Questionnaire:
    return load_forms(FORMS_DIR).intake


def page(form: m.Questionnaire, pid: str) -> m.Page:
    return next(p for p in form.pages if p.id == pid)


def rejects(fn: Callable[..., Any], *args: Any, field: str | None = None) -> str:
    """Call a validator expecting a ValidationError; check the message is for a person."""
    with pytest.raises(ValidationError) as info:
        fn(*args)
    err = info.value
    if field is not None:
        assert err.field == field
    assert_actionable(err.message)
    return err.message


def assert_actionable(message: str) -> None:
    assert message and message[0].isupper() and message.rstrip().endswith((".", "?")), message
    # Tells the person what to do or what is wrong, in plain words, without programmer talk.
    assert re.search(r"\b(please|check|cannot|must)\b", message, re.IGNORECASE), message
    for jargon in ("None", "Error", "Traceback", "invalid literal", "NoneType", "<", "{", "}"):
        assert jargon not in message, message


# --- name -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Zoë", "Zoë"),
        ("  Anne   Marie  ", "Anne Marie"),
        ("O'Brien", "O'Brien"),
        ("D’Angelo", "D’Angelo"),
        ("Jean-Luc", "Jean-Luc"),
        ("St. John", "St. John"),
        ("María José", "María José"),
        ("Nguyễn", "Nguyễn"),
        ("Zoe\u0308", "Zo\u00eb"),  # decomposed accent is stored composed (NFC)
    ],
)
def test_name_accepts_and_normalises(raw: str, clean: str) -> None:
    assert v.name(raw) == clean


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("", "enter a name"),
        ("   ", "enter a name"),
        (None, "enter a name"),
        ("R2D2", "letters only"),
        ("Anne_Marie", "letters only"),
        ("-Anne", "letters only"),
        ("Robert'); DROP TABLE", "letters only"),
        ("A" * 61, "at most 60"),
        (42, "type this in"),
    ],
)
def test_name_rejects(raw: Any, needle: str) -> None:
    assert needle in rejects(v.name, raw, "first_name", field="first_name")


def test_name_at_the_length_limit_is_accepted() -> None:
    assert v.name("A" * 60) == "A" * 60


# --- free text --------------------------------------------------------------------------------


def test_free_text_strips_and_removes_control_characters_but_keeps_lines() -> None:
    raw = "  penicillin:\trash\x00\x07\nsulfa: hives\r\n  "
    assert v.free_text(raw) == "penicillin:\trash\nsulfa: hives"


def test_free_text_optional_and_required() -> None:
    assert v.free_text("") == ""
    assert v.free_text(None) == ""
    assert "fill this in" in rejects(v.free_text, "  \x00 ", "allergies_detail", True)


def test_free_text_limit() -> None:
    assert len(v.free_text("x" * 2000)) == 2000
    assert "2000" in rejects(v.free_text, "x" * 2001)


def test_free_text_result_is_nfc_and_stable() -> None:
    once = v.free_text("cafe\x01\u0301")
    assert unicodedata.is_normalized("NFC", once)
    assert v.free_text(once) == once


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "date"),
    [
        ("2004-03-17", dt.date(2004, 3, 17)),
        (" 2004-03-17 ", dt.date(2004, 3, 17)),
        ("03/17/2004", dt.date(2004, 3, 17)),  # US order
        ("17.03.2004", dt.date(2004, 3, 17)),  # European order with dots
        ("2008-02-29", dt.date(2008, 2, 29)),
        (dt.date(2004, 3, 17), dt.date(2004, 3, 17)),
        (dt.datetime(2004, 3, 17, 23, 59), dt.date(2004, 3, 17)),
    ],
)
def test_parse_date_accepts(raw: Any, date: dt.date) -> None:
    result = v.parse_date(raw)
    assert result == date
    assert type(result) is dt.date


@pytest.mark.parametrize(
    "raw",
    ["17/03/2004", "2004-02-30", "2007-02-29", "yesterday", "2004/03/17", "March 17", 20040317],
)
def test_parse_date_rejects(raw: Any) -> None:
    message = rejects(v.parse_date, raw, "visit_date", field="visit_date")
    if isinstance(raw, str):
        assert "2004-03-17" in message  # shows an example of the expected form


def test_parse_date_empty() -> None:
    assert "enter a date" in rejects(v.parse_date, "  ")


def test_date_of_birth_limits() -> None:
    assert v.date_of_birth("2000-01-01", TODAY) == dt.date(2000, 1, 1)
    assert "future" in rejects(v.date_of_birth, "2026-03-03", TODAY)
    # 121 years old: surely a typo in the year
    assert "year" in rejects(v.date_of_birth, "1905-03-01", TODAY)
    assert v.date_of_birth("1906-03-02", TODAY) == dt.date(1906, 3, 2)  # exactly 120
    # too young for this medicine's intake; the message says who to ask
    message = rejects(v.date_of_birth, "2016-03-03", TODAY)
    assert "10" in message and "staff" in message
    assert v.date_of_birth("2016-03-02", TODAY) == dt.date(2016, 3, 2)  # exactly 10
    assert "10" in rejects(v.date_of_birth, TODAY, TODAY)  # born today: not future, too young


# --- weight -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "unit", "kg"),
    [
        ("62.5", "kg", 62.5),
        ("62,5", "kg", 62.5),  # decimal comma, as many Spanish speakers write it
        (" 70 ", "kg", 70.0),
        (70, "kg", 70.0),
        (62.54, "kg", 62.5),
        ("150", "lb", 68.0),
        (220.46226218, "lb", 100.0),
        ("25", "kg", 25.0),
        ("300", "kg", 300.0),
    ],
)
def test_weight_accepts(raw: Any, unit: str, kg: float) -> None:
    assert v.weight_kg(raw, unit) == kg


def test_weight_in_lb_converts_with_the_real_factor() -> None:
    assert v.weight_kg("154.3", "lb") == pytest.approx(154.3 * 0.45359237, abs=0.05)


@pytest.mark.parametrize(
    ("raw", "unit", "needle"),
    [
        ("abc", "kg", "in digits"),
        ("", "kg", "enter your weight"),
        (None, "kg", "enter your weight"),
        (True, "kg", "in digits"),
        ("nan", "kg", "in digits"),
        ("inf", "kg", "in digits"),
        (float("nan"), "kg", "in digits"),
        ("24", "kg", "between 25 and 300 kg"),
        ("301", "kg", "between 25 and 300 kg"),
        ("-70", "kg", "without a + or - sign"),
        (-70, "kg", "sign"),
        # The range is given in the unit the person used, as whole numbers that are all
        # accepted: 55 lb is 24.9 kg.
        ("50", "lb", "between 56 and 661 lb"),
        ("62", "st", "kg or lb"),
    ],
)
def test_weight_rejects(raw: Any, unit: str, needle: str) -> None:
    assert needle in rejects(v.weight_kg, raw, unit)


def test_weight_of_a_huge_integer_is_a_validation_error() -> None:
    rejects(v.weight_kg, 10**400, "kg")


# --- phone and e-mail -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("+1 (555) 123-4567", "+15551234567"),
        ("555.123.4567", "5551234567"),
        ("  020 7946  0958 ", "02079460958"),
        ("+34 612 34 56 78", "+34612345678"),
        ("1234567", "1234567"),
        ("123456789012345", "123456789012345"),
    ],
)
def test_phone_normalises(raw: str, clean: str) -> None:
    assert v.phone(raw) == clean


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("", "enter a phone number"),
        ("call me", "digits only"),
        ("555-CALL-NOW", "digits only"),
        ("1+5551234567", "digits only"),
        ("123456", "7 to 15 digits"),
        ("1234567890123456", "7 to 15 digits"),
        (5551234567, "type this in"),
    ],
)
def test_phone_rejects(raw: Any, needle: str) -> None:
    assert needle in rejects(v.phone, raw)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("zoe@example.com", "zoe@example.com"),
        ("  Zoe.Nguyen+derm@Example.COM ", "Zoe.Nguyen+derm@example.com"),  # domain lower-cased
        ("a@b.co", "a@b.co"),
        ("ana@mail.clinic-rpm.org", "ana@mail.clinic-rpm.org"),
    ],
)
def test_email_normalises(raw: str, clean: str) -> None:
    assert v.email(raw) == clean


@pytest.mark.parametrize(
    "raw", ["nope", "a@b", "a@@b.com", "a b@c.com", "a@-b.com", "a@b.c_m", "@b.com", "a@b..com"]
)
def test_email_rejects(raw: str) -> None:
    assert "name@example.com" in rejects(v.email, raw)


def test_email_empty() -> None:
    assert "enter an e-mail" in rejects(v.email, " ")


# --- initials ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "first", "last", "clean"),
    [
        ("zn", "Zoë", "Nguyễn", "ZN"),
        ("ZN", "Zoë", "Nguyễn", "ZN"),
        ("Z.N.", "Zoë", "Nguyễn", "ZN"),
        ("z n", "Zoë", "Nguyễn", "ZN"),
        ("ÑÚ", "Ñico", "Úbeda", "NU"),  # accented initials typed with accents
        ("nu", "Ñico", "Úbeda", "NU"),  # ...or without
        ("úñ", "Úrsula", "Ñúñez", "UN"),
        ("EN", "Élodie", "Ñúñez", "EN"),
        ("JMG", "José", "García", "JMG"),  # a middle initial is fine
    ],
)
def test_initials_match_ignoring_case_and_accents(
    typed: str, first: str, last: str, clean: str
) -> None:
    assert v.initials(typed, first, last) == clean


def test_expected_initials() -> None:
    assert v.expected_initials("Zoë", "Nguyễn") == "ZN"
    assert v.expected_initials(" Ñico ", " Úbeda") == "NU"


@pytest.mark.parametrize(
    ("typed", "needle"),
    [
        ("AB", "please type ZN"),
        ("NZ", "please type ZN"),
        ("Z", "please type ZN"),
        ("", "type your initials"),
        ("Z1", "only the letters"),
        ("ZXYWN", "only the letters"),
    ],
)
def test_initials_rejected(typed: str, needle: str) -> None:
    message = rejects(v.initials, typed, "Zoë", "Nguyễn", field="initials")
    assert needle in message


def test_initials_with_a_missing_name_part_is_a_validation_error() -> None:
    rejects(v.initials, "CC", "Cher", "")


# --- choice and multi -------------------------------------------------------------------------


def test_choice() -> None:
    assert v.choice("yes", ["yes", "no"]) == "yes"
    for bad in ("maybe", "", None, ["yes"], 1, True):
        assert "choose one" in rejects(v.choice, bad, ["yes", "no"])


def test_multi() -> None:
    allowed = ["a", "b", "c", "none"]
    assert v.multi(["c", "a"], allowed, ("none",)) == ["a", "c"]  # form order
    assert v.multi(["b", "b"], allowed, ("none",)) == ["b"]
    assert v.multi(["none"], allowed, ("none",)) == ["none"]
    assert v.multi(None, allowed, required=False) == []
    assert "combined" in rejects(v.multi, ["none", "a"], allowed, ("none",))
    assert "choose from the list" in rejects(v.multi, ["a", "z"], allowed)
    assert "choose from the list" in rejects(v.multi, "a", allowed)
    assert "choose from the list" in rejects(v.multi, [1], allowed)
    assert "at least one" in rejects(v.multi, [], allowed)


# --- properties: only ValidationError, whatever the input -------------------------------------


def only_validation_errors(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ValidationError as exc:
        assert exc.message.strip()
        return None


@given(ANY)
def test_name_only_raises_validation_error(raw: Any) -> None:
    out = only_validation_errors(lambda: v.name(raw, "f"))
    assert out is None or isinstance(out, str)


@given(ANY, st.booleans())
def test_free_text_only_raises_validation_error(raw: Any, required: bool) -> None:
    out = only_validation_errors(lambda: v.free_text(raw, "f", required))
    assert out is None or (isinstance(out, str) and out == out.strip())


@given(ANY)
def test_parse_date_only_raises_validation_error(raw: Any) -> None:
    out = only_validation_errors(lambda: v.parse_date(raw, "f"))
    assert out is None or type(out) is dt.date


@given(ANY)
def test_date_of_birth_only_raises_validation_error(raw: Any) -> None:
    out = only_validation_errors(lambda: v.date_of_birth(raw, TODAY, "f"))
    assert out is None or dt.date(1905, 1, 1) < out <= TODAY


@given(ANY, st.one_of(st.sampled_from(["kg", "lb"]), ANY))
def test_weight_only_raises_validation_error(raw: Any, unit: Any) -> None:
    out = only_validation_errors(lambda: v.weight_kg(raw, unit, "f"))
    assert out is None or 25.0 <= out <= 300.0


@given(ANY)
def test_phone_only_raises_validation_error(raw: Any) -> None:
    out = only_validation_errors(lambda: v.phone(raw, "f"))
    assert out is None or re.fullmatch(r"\+?[0-9]{7,15}", out)


@given(ANY)
def test_email_only_raises_validation_error(raw: Any) -> None:
    out = only_validation_errors(lambda: v.email(raw, "f"))
    assert out is None or out.count("@") >= 1


@given(ANY)
def test_initials_only_raises_validation_error(raw: Any) -> None:
    out = only_validation_errors(lambda: v.initials(raw, "Zoë", "Nguyễn", "f"))
    assert out is None or (out[0] == "Z" and out[-1] == "N")


@given(ANY)
def test_choice_only_raises_validation_error(raw: Any) -> None:
    out = only_validation_errors(lambda: v.choice(raw, ["yes", "no"], "f"))
    assert out is None or out in ("yes", "no")


@given(st.one_of(ANY, st.lists(ANY), st.frozensets(st.text())), st.booleans())
def test_multi_only_raises_validation_error(raw: Any, required: bool) -> None:
    allowed = ["a", "b", "none"]
    out = only_validation_errors(lambda: v.multi(raw, allowed, ("none",), "f", required))
    assert out is None or set(out) <= set(allowed)


# --- properties: accepted values are stable ---------------------------------------------------

# Letters people in this clinic's languages write, upper and lower case, with accents.
LETTERS = "abcdefghijklmnopqrstuvwxyzáéíóúüñçàèìòùâêîôûäëïöãõåæøœ"
LETTERS += LETTERS.upper()
name_text = st.text(
    alphabet=st.sampled_from(LETTERS + " '-.’\t") | st.sampled_from(["\u0301", "\u0308"]),
    min_size=1,
    max_size=70,
)


@given(name_text)
def test_name_is_idempotent(raw: str) -> None:
    out = only_validation_errors(lambda: v.name(raw))
    if out is not None:
        assert v.name(out) == out


phones = st.one_of(
    st.text(alphabet="0123456789 ()-.+\t", max_size=25),
    st.builds(
        lambda pre, groups, sep: pre + sep.join(groups),
        st.sampled_from(["", "+", " +", "("]),
        st.lists(st.text(alphabet="0123456789", min_size=1, max_size=4), min_size=2, max_size=5),
        st.sampled_from([" ", "-", ".", "", ") "]),
    ),
)


@given(phones)
def test_phone_is_idempotent(raw: str) -> None:
    out = only_validation_errors(lambda: v.phone(raw))
    if out is not None:
        assert v.phone(out) == out


emails = st.builds(
    lambda local, labels, tld, pad: f"{pad}{local}@{'.'.join(labels)}.{tld}{pad}",
    st.text(alphabet="abcXYZ019._+-", min_size=1, max_size=20),
    st.lists(st.text(alphabet="abcDEF0-", min_size=1, max_size=10), min_size=1, max_size=3),
    st.text(alphabet="comORG", min_size=2, max_size=4),
    st.sampled_from(["", " ", "\t"]),
)


@given(st.one_of(emails, st.text(max_size=40)))
def test_email_is_idempotent(raw: str) -> None:
    out = only_validation_errors(lambda: v.email(raw))
    if out is not None:
        assert v.email(out) == out
        local, _, domain = out.rpartition("@")
        assert domain == domain.lower()


weights = st.one_of(
    st.floats(min_value=0, max_value=1000, allow_nan=False),
    st.integers(min_value=0, max_value=1000),
    st.floats(min_value=0, max_value=1000, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.floats(min_value=0, max_value=1000, allow_nan=False).map(
        lambda x: f"{x:.1f}".replace(".", ",")
    ),
)


@given(weights, st.sampled_from(["kg", "lb"]))
def test_weight_revalidated_in_kg_is_unchanged(raw: Any, unit: str) -> None:
    out = only_validation_errors(lambda: v.weight_kg(raw, unit))
    if out is not None:
        assert v.weight_kg(out, "kg") == out
        assert out == round(out, 1)


@given(
    st.one_of(
        st.dates(),
        st.datetimes(),
        st.builds(
            lambda d, fmt: d.strftime(fmt),
            st.dates(min_value=dt.date(1000, 1, 1)),
            st.sampled_from(["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"]),
        ),
        st.text(alphabet="0123456789-/.", max_size=12),
    )
)
def test_parse_date_round_trips_through_iso(raw: Any) -> None:
    out = only_validation_errors(lambda: v.parse_date(raw))
    if out is not None:
        assert v.parse_date(out.isoformat()) == out
        assert v.parse_date(out) == out


@given(
    st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"])
)
def test_parse_date_reads_each_format_correctly(date: dt.date, fmt: str) -> None:
    assert v.parse_date(date.strftime(fmt)) == date


person = st.text(alphabet=st.sampled_from(LETTERS), min_size=1, max_size=12)


@given(person, person, st.data())
def test_initials_are_idempotent_and_accept_the_real_initials(
    first: str, last: str, data: st.DataObject
) -> None:
    typed = first[0] + last[0]
    typed = data.draw(st.sampled_from([typed, typed.lower(), typed.upper(), " . ".join(typed)]))
    out = v.initials(typed, first, last)
    assert out == v.expected_initials(first, last)
    assert v.initials(out, first, last) == out


@given(person, person, st.text(max_size=6))
def test_initials_accepted_value_is_stable(first: str, last: str, typed: str) -> None:
    out = only_validation_errors(lambda: v.initials(typed, first, last))
    if out is not None:
        assert v.initials(out, first, last) == out


# --- answers against the real intake form -----------------------------------------------------


def any_raw_answer() -> st.SearchStrategy[Any]:
    return st.one_of(ANY, st.fixed_dictionaries({"value": ANY, "unit": ANY}))


@given(st.data())
def test_validate_answer_only_raises_validation_error(
    intake_form: m.Questionnaire, data: st.DataObject
) -> None:
    q = data.draw(st.sampled_from(intake_form.questions))
    raw = data.draw(any_raw_answer())
    try:
        validate_answer(q, raw, TODAY)
    except ValidationError as exc:
        assert exc.field == q.id
        assert_actionable(exc.message)


def test_validate_answer_by_type(intake_form: m.Questionnaire) -> None:
    q = intake_form.question
    assert validate_answer(q("weight_kg"), {"value": "150", "unit": "lb"}, TODAY) == 68.0
    assert validate_answer(q("weight_kg"), "62,5", TODAY) == 62.5
    assert validate_answer(q("date_of_birth"), "03/17/2004", TODAY) == dt.date(2004, 3, 17)
    assert validate_answer(q("email"), "", TODAY) is None  # optional, left empty
    assert validate_answer(q("address"), "   ", TODAY) is None
    with pytest.raises(ValidationError) as info:
        validate_answer(q("sex_at_birth"), None, TODAY)
    assert info.value.message == "Please answer this question."
    with pytest.raises(ValidationError) as info:
        validate_answer(q("first_name"), "  ", TODAY)
    assert info.value.field == "first_name"
    with pytest.raises(ValidationError) as info:
        validate_answer(q("date_of_birth"), "2030-01-01", TODAY)  # dob rules, not just a date
    assert "future" in info.value.message


GOOD_IDENTITY = {
    "first_name": " Zoë ",
    "last_name": "Nguyễn",
    "preferred_name": "",
    "date_of_birth": "2001-04-05",
    "sex_at_birth": "female",
    "phone": "+1 (555) 123-4567",
    "email": "Zoe@Example.com",
    "address": "  12 Main St\nSpringfield  ",
}


def test_a_complete_identity_page_validates(intake_form: m.Questionnaire) -> None:
    identity = page(intake_form, "identity")
    values, errors = validate_page(identity, GOOD_IDENTITY, {}, TODAY)
    assert errors == {}
    assert set(values) == {q.id for q in identity.questions}
    assert values["first_name"] == "Zoë"
    assert values["preferred_name"] is None
    assert values["date_of_birth"] == dt.date(2001, 4, 5)
    assert values["phone"] == "+15551234567"
    assert values["email"] == "Zoe@example.com"
    assert values["address"] == "12 Main St\nSpringfield"


def test_optional_identity_questions_may_be_left_out(intake_form: m.Questionnaire) -> None:
    required_only = {
        k: v for k, v in GOOD_IDENTITY.items() if k not in ("preferred_name", "email", "address")
    }
    values, errors = validate_page(page(intake_form, "identity"), required_only, {}, TODAY)
    assert errors == {}
    assert values["email"] is None and values["address"] is None


def test_errors_are_given_per_question(intake_form: m.Questionnaire) -> None:
    raw = {
        **GOOD_IDENTITY,
        "last_name": "",
        "phone": "call me",
        "email": "zoe at example",
        "date_of_birth": "2030-01-01",
    }
    values, errors = validate_page(page(intake_form, "identity"), raw, {}, TODAY)
    assert set(errors) == {"last_name", "phone", "email", "date_of_birth"}
    for message in errors.values():
        assert_actionable(message)
    assert "future" in errors["date_of_birth"]
    # The good answers are still returned, so the page keeps them.
    assert values["first_name"] == "Zoë"
    assert not set(errors) & set(values)


def test_hidden_questions_are_dropped(intake_form: m.Questionnaire) -> None:
    pregnancy = page(intake_form, "pregnancy")
    hidden = {
        "pregnant_now": "maybe",  # not even a valid answer: hidden, so never looked at
        "breastfeeding": "no",
        "contraception_methods": ["none_yet", "copper_iud"],
    }
    values, errors = validate_page(pregnancy, hidden, {"sex_at_birth": "male"}, TODAY)
    assert values == {} and errors == {}
    # For a female patient without a uterus only the first question applies.
    values, errors = validate_page(
        pregnancy, {"uterus_and_ovary": "no", **hidden}, {"sex_at_birth": "female"}, TODAY
    )
    assert values == {"uterus_and_ovary": "no"} and errors == {}


def test_answer_of_a_hidden_question_does_not_reveal_its_followers(
    intake_form: m.Questionnaire,
) -> None:
    # The patient first chose female and answered "yes", then went back and chose male.
    stale = {"uterus_and_ovary": "yes", "pregnancy_ruled_out": "menopause"}
    values, errors = validate_page(
        page(intake_form, "pregnancy"), stale, {"sex_at_birth": "male"}, TODAY
    )
    assert values == {} and errors == {}


def test_pregnancy_page_for_someone_who_can_become_pregnant(intake_form: m.Questionnaire) -> None:
    pregnancy = page(intake_form, "pregnancy")
    raw = {
        "uterus_and_ovary": "yes",
        "pregnancy_ruled_out": "none",
        "pregnant_now": "no",
        "breastfeeding": "no",
        "contraception_methods": ["male_condom", "copper_iud"],
    }
    values, errors = validate_page(pregnancy, raw, {"sex_at_birth": "female"}, TODAY)
    assert errors == {}
    assert set(values) == {q.id for q in pregnancy.questions}
    assert values["contraception_methods"] == ["copper_iud", "male_condom"]


def test_pregnancy_page_after_menopause_asks_no_more(intake_form: m.Questionnaire) -> None:
    raw = {"uterus_and_ovary": "yes", "pregnancy_ruled_out": "menopause"}
    values, errors = validate_page(
        page(intake_form, "pregnancy"), raw, {"sex_at_birth": "female"}, TODAY
    )
    assert errors == {}
    assert values == {"uterus_and_ovary": "yes", "pregnancy_ruled_out": "menopause"}


def test_unanswered_visible_questions_are_errors(intake_form: m.Questionnaire) -> None:
    pregnancy = page(intake_form, "pregnancy")
    values, errors = validate_page(
        pregnancy, {"uterus_and_ovary": "unsure"}, {"sex_at_birth": "intersex"}, TODAY
    )
    # unsure counts as "can become pregnant": the pregnancy questions must be answered
    assert set(errors) == {"pregnant_now", "breastfeeding", "contraception_methods"}
    assert values == {"uterus_and_ovary": "unsure"}


def test_question_shown_to_minors_depends_on_a_date_typed_on_the_same_page() -> None:
    label = m.Text.of(en="x", es="x")
    dob = m.Question("date_of_birth", "date", label)
    guardian = m.Question(
        "guardian_name", "name", label, show_if={"field": "is_minor", "equals": True}
    )
    p = m.Page("identity", label, (dob, guardian))
    _, errors = validate_page(p, {"date_of_birth": "2012-06-01"}, {}, TODAY)
    assert "guardian_name" in errors  # a 13-year-old must name a guardian


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("5550102233", "(555) 010-2233"),
        ("15550102233", "(555) 010-2233"),
        ("+447700900123", "+447700900123"),  # not a North American number: as stored
        ("5550102", "5550102"),
        ("", ""),
    ],
)
def test_phone_numbers_are_shown_as_people_read_them(stored: str, shown: str) -> None:
    assert v.format_phone(stored) == shown
    if stored:
        assert v.format_phone(v.phone(shown)) == shown  # what is stored reads back the same


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("王小明", "王小明"),
        ("Ana 王", "王"),
        ("Ꙁемля", "Ꙁ"),
        # Right-to-left letters the fonts have, but the documents would draw unjoined and
        # reversed (found by the documents' property test as 'Aءـ').
        ("Aءـ", "ءـ"),
        ("سارة", "سارة"),
        ("Dana דנה", "דנה"),
        # Beyond the Basic Multilingual Plane: a glyph, but a text layer no reader maps back.
        ("A\U00010300b", "\U00010300"),
    ],
)
def test_a_name_the_consent_could_not_print_is_refused_with_the_letters_named(
    raw: str, named: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        v.name(raw, "first_name")
    assert caught.value.field == "first_name"
    assert f"cannot print {named};" in caught.value.message
    assert "ID card" in caught.value.message


@pytest.mark.parametrize(
    "raw", ["Zoë", "Nguyễn", "Ñúñez", "Łukasz", "Ἀλέξανδρος", "Юлия", "O’Brien"]
)
def test_names_in_the_scripts_the_documents_print_are_accepted(raw: str) -> None:
    assert v.name(raw) == raw


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("ـف", "ـف"),
        ("aspirin أسبرين", "أسبرين"),
        ("dose ٣", "٣"),
        ("a\u202eb", "\u202e"),
        ("🙂", "🙂"),
    ],
)
def test_free_text_the_documents_would_print_out_of_order_is_refused(raw: str, named: str) -> None:
    # Found by the documents' property test: an Arabic word in "other medicines" came out of the
    # summary reversed and unjoined. A letter the fonts lack prints as a visible box; these would
    # not show that anything is wrong.
    with pytest.raises(ValidationError) as caught:
        v.free_text(raw, "other_medicines")
    assert caught.value.field == "other_medicines"
    assert f"cannot print {named};" in caught.value.message


@pytest.mark.parametrize(
    "raw", ["ibuprofeno 400 mg", "Zoë’s crème", "王 (a box on paper)", "x² ±5 °C"]
)
def test_free_text_in_left_to_right_scripts_is_kept_as_typed(raw: str) -> None:
    assert v.free_text(raw) == raw
