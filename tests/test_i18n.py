"""The message catalogue and the language registry (intake/i18n.py, resources/messages/)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from intake import i18n

REPO = Path(__file__).resolve().parents[1]


def test_every_language_has_every_message_with_the_same_placeholders_and_plurals() -> None:
    assert i18n.catalogue_problems() == []


def test_the_completeness_check_names_what_a_translation_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in i18n.MESSAGES_DIR.glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    es = tmp_path / "kiosk.es.toml"
    text = es.read_text("utf-8")
    text = text.replace('back = "Atrás"\n', "")  # a missing id
    text = text.replace('"Parte {n} de {total}: {section}"', '"Parte {n}: {section}"')
    text = text.replace('place_topic_ahead.many = "{count} temas para leer"\n', "")
    es.write_text(text + 'extra = "sobra"\n', "utf-8")
    monkeypatch.setattr(i18n, "MESSAGES_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        problems = "\n".join(i18n.catalogue_problems())
    finally:
        i18n.catalogue.cache_clear()
    assert "es: missing kiosk.back" in problems
    assert "es: kiosk.extra is not in en" in problems
    assert "kiosk.es.toml: progress: {total} missing" in problems
    assert "place_topic_ahead: plural forms ['one', 'other'], es needs" in problems


def test_a_missing_id_is_an_error_not_a_fallback() -> None:
    with pytest.raises(i18n.MissingMessage):
        i18n.tr("kiosk.no_such_message", "es")
    with pytest.raises(i18n.UnknownLanguage):
        i18n.tr("kiosk.back", "xx")


def test_the_registry_lists_the_languages_everything_else_reads() -> None:
    assert i18n.codes() == ("en", "es")
    assert i18n.codes(pseudo=True) == ("en", "es", "pseudo")
    assert i18n.source_language() == "en"
    assert i18n.language("es").name == "Español"
    assert i18n.language("es").date_order == "dmy"
    pseudo = i18n.language("pseudo")
    assert pseudo.is_pseudo and pseudo.pseudo_of == "en" and i18n.is_pseudo(pseudo.name)


def test_the_kiosk_offers_the_pseudo_locale_only_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(i18n.PSEUDO_ENV, raising=False)
    assert i18n.offered() == ("en", "es")
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    assert i18n.offered() == ("en", "es", "pseudo")


# --- Babel: numbers, plurals, dates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "value", "text"),
    [
        ("es", 55.5, "55,5"),
        ("en", 55.5, "55.5"),
        ("es", 1234.5, "1.234,5"),
        ("en", 1234.5, "1,234.5"),
        ("es", 12345.25, "12.345,25"),
    ],
)
def test_numbers_are_written_the_languages_way(lang: str, value: float, text: str) -> None:
    assert i18n.number(value, lang) == text


def test_a_weight_in_spanish_has_a_decimal_comma() -> None:
    assert i18n.tr("kiosk.weight_in_kg", "es", kg=55.5) == "Son 55,5 kg."
    assert i18n.tr("kiosk.weight_in_kg", "en", kg=55.5) == "That is 55.5 kg."
    assert i18n.number(62.456, "es", places=1) == "62,5"


@pytest.mark.parametrize(
    ("count", "category"), [(0, "other"), (1, "one"), (2, "other"), (1_000_000, "many")]
)
def test_spanish_plural_categories_come_from_cldr(count: int, category: str) -> None:
    assert i18n.plural_category(count, "es") == category
    assert i18n.plural_categories("es") == {"one", "many", "other"}
    assert i18n.plural_categories("en") == {"one", "other"}


@pytest.mark.parametrize(
    ("lang", "count", "text"),
    [
        ("es", 0, "0 temas para leer"),
        ("es", 1, "1 tema para leer"),
        ("es", 3, "3 temas para leer"),
        ("es", 1_000_000, "1000000 temas para leer"),
        ("en", 1, "1 topic to read"),
        ("en", 2, "2 topics to read"),
    ],
)
def test_plural_messages_pick_their_form_by_count(lang: str, count: int, text: str) -> None:
    assert i18n.tr("kiosk.place_topic_ahead", lang, count=count) == text


def test_a_plural_message_needs_a_count() -> None:
    with pytest.raises(TypeError):
        i18n.tr("kiosk.place_topic_ahead", "en")


def test_month_and_weekday_names_come_from_the_locale() -> None:
    day = dt.date(2026, 9, 16)
    assert i18n.month_name(9, "es") == "septiembre"
    assert i18n.weekday_name(day, "es") == "miércoles"
    assert i18n.month_name(9, "en") == "September"
    assert i18n.weekday_name(day, "en") == "Wednesday"


def test_a_localized_argument_is_given_in_each_language() -> None:
    label = i18n.Localized.of(en="Triglycerides", es="Triglicéridos")
    assert (
        i18n.tr("flags.lab_high", "es", label=label, value="3 mmol/L", day="d", low="0", high="2")[
            :13
        ]
        == "Triglicéridos"
    )
    assert i18n.is_pseudo(
        i18n.tr("flags.lab_high", "pseudo", label=label, value="3", day="d", low="0", high="2")
    )


# --- the pseudo-locale ----------------------------------------------------------------------------


def test_pseudo_text_brackets_accents_and_lengthens() -> None:
    source = "Please enter the month, the day and the 4-digit year."
    pseudo = i18n.pseudo_text(source)
    assert pseudo.startswith("⟦") and pseudo.endswith("⟧")
    assert "a" not in pseudo and "e" not in pseudo and "á" in pseudo and "é" in pseudo
    assert 1.25 * len(source) <= len(pseudo) <= 1.45 * len(source)


def test_pseudo_text_keeps_placeholders_markup_and_bullets() -> None:
    pseudo = i18n.pseudo_text("Call {clinic_phone} on <b>{date}</b> &amp; later\n\n- a bullet")
    assert "{clinic_phone}" in pseudo and "<b>{date}</b>" in pseudo and "&amp;" in pseudo
    first, blank, bullet = pseudo.split("\n")
    assert i18n.is_pseudo(first) and blank == "" and bullet.startswith("- ⟦")
    assert i18n.pseudo_text(pseudo) == pseudo  # already pseudo: left as it is
    assert i18n.pseudo_text("kg") == "⟦kg⟧"


def test_every_catalogue_message_is_pseudo_in_the_pseudo_locale() -> None:
    for msg_id, msg in i18n.catalogue("pseudo").items():
        source = i18n.catalogue("en")[msg_id]
        for category, text in msg.forms.items():
            assert i18n.is_pseudo(text), msg_id
            assert i18n.placeholders(text) == i18n.placeholders(source.forms[category]), msg_id


def test_the_brackets_and_accented_vowels_print_in_the_document_fonts() -> None:
    from intake.domain.printable import unprintable

    every = "".join(
        text for msg in i18n.catalogue("pseudo").values() for text in msg.forms.values()
    )
    assert unprintable(every + "áéíóúýÁÉÍÓÚÝ⟦⟧·") == ""


def test_forms_give_the_pseudo_locale_from_english() -> None:
    from intake.forms import default_forms

    forms = default_forms()
    title = forms.intake.pages[0].title
    assert title("pseudo") == i18n.pseudo_text(title("en"))
    statement = forms.risks.topics[0].statements[0].text
    assert i18n.is_pseudo(statement("pseudo"))


def test_the_i18n_module_imports_no_qt_sql_or_pdf_code() -> None:
    code = (
        "import intake.i18n, sys; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6','sqlalchemy','reportlab','pyhanko'} or m.startswith('intake.') "
        "and m != 'intake.i18n'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
