"""Every message a patient can meet at the kiosk has Spanish wording, and one that has none yet
still tells a Spanish speaker what to do.

The services and the domain word their messages in English; the kiosk translates them by
pattern. A new or reworded message in those modules without a Spanish pattern fails here, so
the kiosk never switches language on a patient unnoticed.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake.ui.kiosk.text import UNTRANSLATED, message

ROOT = Path(__file__).resolve().parents[2]

# Where the kiosk's messages come from: what it validates and the services it calls.
PATIENT_FACING = [
    "intake/domain/validation.py",
    "intake/domain/numbers.py",
    "intake/domain/answers.py",
    "intake/domain/phq9.py",
    "intake/services/base.py",
    "intake/services/errors.py",
    "intake/services/visits.py",
]
REFUSALS = {
    "ValidationError",
    "InvalidInput",
    "NotAllowed",
    "NotFound",
    "Conflict",
    "Immutable",
    "StorageUnavailable",
    "LoginFailed",
    "Locked",
}
# Messages that only a programming error or a member of staff can cause, never a patient.
NOT_FOR_PATIENTS = {
    "Unknown question.",
    "Unknown statement.",
    "Unknown way of signing.",
    "Unknown signer.",
    "Only a signed visit can be corrected; an unfinished one can simply be continued.",
    "Only an unfinished visit can be abandoned.",
    "Please say why the visit is abandoned.",
    "Please shorten the reason to 200 characters or fewer.",
}
NOT_FOR_PATIENTS_PREFIXES = ("No intake page ",)
# Stand-ins for the values an f-string message carries (a number, a unit, initials, a name).
STAND_INS = ("12", "kg", "AB", "Ana Li")


def _texts(node: ast.expr) -> list[str] | None:
    """The message a node spells out, with each formatted value tried as every stand-in."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts = [[v.value] if isinstance(v, ast.Constant) else list(STAND_INS) for v in node.values]
        return ["".join(p) for p in itertools.product(*parts)]
    return None


def _messages(path: Path) -> Iterator[tuple[int, list[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        found: list[ast.expr] = []
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in REFUSALS and node.args:
                arg = node.args[-1]
                found = list(arg.values) if isinstance(arg, ast.Dict) else [arg]  # type: ignore[arg-type]
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id.endswith("_MESSAGE") for t in node.targets
        ):
            found = [node.value]
        for expr in found:
            texts = _texts(expr)
            if texts:
                yield node.lineno, texts


def _translated(text: str) -> bool:
    return not message(text, "es").startswith(UNTRANSLATED)


def test_the_scan_finds_the_messages_it_is_meant_to_check() -> None:
    found = [t for f in PATIENT_FACING for _, texts in _messages(ROOT / f) for t in texts]
    assert "Please type your initials." in found
    assert any(t.startswith("The database cannot be reached") for t in found)
    assert "This visit is already submitted." in found
    assert len(found) > 40


@pytest.mark.parametrize("module", PATIENT_FACING)
def test_every_patient_facing_message_has_spanish_wording(module: str) -> None:
    missing = []
    for line, texts in _messages(ROOT / module):
        if texts[0] in NOT_FOR_PATIENTS or texts[0].startswith(NOT_FOR_PATIENTS_PREFIXES):
            continue
        if not any(_translated(t) for t in texts):
            missing.append(f"{module}:{line}: {texts[0]}")
    assert not missing, "add Spanish to intake/ui/kiosk/text.py:\n" + "\n".join(missing)


def test_values_are_carried_into_the_spanish() -> None:
    assert message("Please use at most 40 characters.", "es") == "Use como máximo 40 caracteres."
    assert (
        message("These initials do not match the name Zoë Nguyễn; please type ZN.", "es")
        == "Estas iniciales no coinciden con el nombre Zoë Nguyễn; escriba ZN."
    )


def test_a_message_without_spanish_says_what_to_do_and_keeps_the_detail_for_staff() -> None:
    shown = message("Something nobody has translated yet.", "es")
    assert shown.startswith(UNTRANSLATED)
    assert "Something nobody has translated yet." in shown


def test_english_and_empty_messages_pass_through() -> None:
    assert message("Please type your initials.", "en") == "Please type your initials."
    assert message("", "es") == ""


def test_an_unprintable_name_is_explained_in_spanish_with_the_letters_kept() -> None:
    from intake.domain import validation as v
    from intake.domain.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        v.name("王 Li")
    shown = message(caught.value.message, "es")
    assert shown.startswith("Los formularios de la clínica no pueden imprimir 王;")


def _all_patient_messages() -> list[str]:
    return [t for f in PATIENT_FACING for _, texts in _messages(ROOT / f) for t in texts]


def test_a_message_already_in_spanish_is_not_translated_again() -> None:
    for text in [*_all_patient_messages(), "Something nobody has translated yet."]:
        once = message(text, "es")
        assert message(once, "es") == once, f"translated twice: {text!r} -> {once!r}"


def test_no_english_message_is_taken_for_spanish() -> None:
    from intake.ui.kiosk.text import is_spanish

    taken = [t for t in _all_patient_messages() if is_spanish(t)]
    assert not taken


# --- numbers in texts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "count", "text"),
    [
        ("en", 1, "There is 1 question. It helps make sure the most important points are clear."),
        (
            "en",
            15,
            "There are 15 questions. They help make sure the most important points are clear.",
        ),
        (
            "es",
            1,
            "Es 1 pregunta. Nos ayuda a comprobar que los puntos más importantes están claros.",
        ),
        (
            "es",
            10,
            "Son 10 preguntas. Nos ayudan a comprobar que los puntos más importantes están claros.",
        ),
    ],
)
def test_the_quiz_intro_says_how_many_questions_in_the_right_plural(
    lang: str, count: int, text: str
) -> None:
    from intake.ui.kiosk.text import tn

    assert tn("quiz_intro", lang, count) == text


def test_every_counted_text_has_both_plural_forms() -> None:
    from intake import i18n

    for lang in i18n.codes():
        counted = [m for k, m in i18n.catalogue(lang).items() if k.startswith("kiosk.") and m.plural]
        assert counted and all({"one", "other"} <= set(m.forms) for m in counted)


@pytest.mark.parametrize(
    ("place", "lang", "line"),
    [
        (("about_you", 1, 6), "en", "Part 1 of 6: About you"),
        (
            ("risks", 4, 6, "topic", 3, 10),
            "en",
            "Part 4 of 6: About your treatment · Topic 3 of 10",
        ),
        (
            ("risks", 4, 6, "topic", 3, 10),
            "es",
            "Parte 4 de 6: Sobre su tratamiento · Tema 3 de 10",
        ),
        (
            ("risks", 4, 6, "topic", 0, 11),
            "en",
            "Part 4 of 6: About your treatment · 11 topics to read",
        ),
        (
            ("risks", 4, 6, "topic", 0, 1),
            "es",
            "Parte 4 de 6: Sobre su tratamiento · 1 tema para leer",
        ),
        (
            ("check", 5, 6, "question", 2, 15),
            "es",
            "Parte 5 de 6: Compruebe lo que entendió · Pregunta 2 de 15",
        ),
        (("health", 2, 6, "page", 1, 6), "en", "Part 2 of 6: Your health · Page 1 of 6"),
    ],
)
def test_the_progress_line_says_where_inside_the_part(
    place: tuple[object, ...], lang: str, line: str
) -> None:
    from intake.domain.wizard import Place
    from intake.ui.kiosk.text import progress_text

    assert progress_text(Place(*place), lang) == line  # type: ignore[arg-type]


def test_every_kind_of_missing_step_has_words_in_both_languages() -> None:
    """What a visit lacks reaches a Spanish patient in Spanish, not as the services' English."""
    from intake.services.completeness import Missing, MissingKind
    from intake.ui.kiosk.text import missing_text

    for kind in MissingKind:
        for role in ("patient", "guardian"):
            item = Missing(kind, "s_pregnancy_harm", role)
            english, spanish = missing_text(item, "en"), missing_text(item, "es")
            assert english and spanish and english != spanish, item
            assert spanish != str(item) and not spanish.startswith(kind.value), item
    question = Missing(MissingKind.QUESTION, "weight_kg")
    assert missing_text(question, "es", "¿Cuánto pesa?") == "la pregunta «¿Cuánto pesa?»"


def test_the_review_notice_names_what_is_missing_in_the_patients_language() -> None:
    from intake.forms import default_forms
    from intake.services.completeness import Missing, MissingKind
    from intake.services.kiosk_payloads import Notice
    from intake.ui.kiosk.pages import notice_text

    forms = default_forms()
    question = forms.intake.pages[0].questions[0]
    notice = Notice(
        "review_missing",
        missing=(
            Missing(MissingKind.QUESTION, question.id),
            Missing(MissingKind.ACKNOWLEDGEMENT, "s1", "guardian"),
            Missing(MissingKind.QUIZ),
        ),
    )
    text = notice_text(notice, "es", forms)
    assert text.startswith("Faltan algunos pasos.")
    assert question.label("es") in text and "tutor" in text and "comprensión" in text
    for english in ("question", "acknowledgement", "understanding check", question.id):
        assert english not in text
