"""Every message a patient can meet at the kiosk carries a code, and every code has catalogue
wording in each language; a message without one still tells the patient what to do, in their
language, never in the services' English.

The services and the domain give their messages in English with a code and values
(``intake.domain.errors.Coded``, ``ServiceError.code``/``params``); the kiosk words them from
the catalogue (``kiosk.error_<code>``). A new message in those modules without a code, or a code
without wording, fails here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake import i18n
from intake.domain.errors import Coded, ValidationError
from intake.services.errors import CodeLocked, InvalidInput, NotFound, ServiceError
from intake.ui.kiosk.text import GENERIC, Worded, message, t

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "intake"

# Where the kiosk's messages come from: what it validates and the services it calls.
PATIENT_FACING = [
    "intake/domain/validation.py",
    "intake/domain/numbers.py",
    "intake/domain/answers.py",
    "intake/domain/phq9.py",
    "intake/services/base.py",
    "intake/services/errors.py",
    "intake/services/visits.py",
    "intake/services/patients.py",
]
REFUSALS = {
    "InvalidInput",
    "NotAllowed",
    "NotFound",
    "Conflict",
    "Immutable",
    "StorageUnavailable",
    "RecordMismatch",
}
# Messages only a member of staff can meet (the staff screens speak English and show them).
FOR_STAFF = {
    "Only a signed visit can be corrected; an unfinished one can simply be continued.",
    "Only an unfinished visit can be abandoned.",
    "Please say why the visit is abandoned.",
    "Please shorten the reason to 200 characters or fewer.",
}
# Functions whose refusals reach staff screens only (accounts, corrections, abandoning).
STAFF_ONLY_FUNCTIONS = {
    "_role_message",
    "correct",
    "register",
    "abandon",
    "_abandon",
    "_abandon_reason",
    "correct_visit",
    "start_correction",
    "search",
    "hand_over",
    "start_visit",
    "start_checkin",
    "reissue_code",
    "waiting",
    "_claim",
    "require_role",
    "review_queue",
}


def _literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant | ast.JoinedStr) or (
        isinstance(node, ast.BinOp) and (_literal(node.left) or _literal(node.right))
    )


def _is_coded_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Coded"


def _uncoded(path: Path) -> Iterator[str]:
    """Each place in ``path`` that gives a patient a message in words without a code."""

    def calls(node: ast.AST) -> Iterator[ast.Call]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef) and child.name in STAFF_ONLY_FUNCTIONS:
                continue
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Name):
                yield child
            yield from calls(child)

    for node in calls(ast.parse(path.read_text(encoding="utf-8"))):
        name = node.func.id  # type: ignore[attr-defined]
        coded = any(k.arg == "code" for k in node.keywords)
        if name == "ValidationError" and len(node.args) > 1 and _literal(node.args[1]):
            if not coded:
                yield f"{path.name}:{node.lineno}: ValidationError without code="
        elif name == "InvalidInput" and node.args and isinstance(node.args[0], ast.Dict):
            for value in node.args[0].values:
                if value is not None and _literal(value) and _text(value) not in FOR_STAFF:
                    yield f"{path.name}:{node.lineno}: InvalidInput text without Coded()"
        elif (
            name in REFUSALS
            and node.args
            and _literal(node.args[0])
            and not coded
            and _text(node.args[0]) not in FOR_STAFF
        ):
            yield f"{path.name}:{node.lineno}: {name} without code="


def _text(node: ast.expr) -> str:
    return node.value if isinstance(node, ast.Constant) else ""


def _codes(path: Path) -> Iterator[tuple[int, str]]:
    """Every code the module gives a message or a refusal: ``code="..."`` arguments,
    ``Coded(text, "code")``, and ``code = "..."`` in a class or on ``self``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for k in node.keywords:
                if k.arg == "code" and isinstance(k.value, ast.Constant):
                    yield node.lineno, k.value.value
            if _is_coded_call(node) and len(node.args) > 1:
                code = node.args[1]
                if isinstance(code, ast.Constant):
                    yield node.lineno, code.value
        elif isinstance(node, ast.ClassDef):
            # a refusal's own code: ``code = "..."`` in its class
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and _names_code(stmt):
                    yield stmt.lineno, ast.literal_eval(stmt.value)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "code" for t in node.targets
        ):
            # ``self.code = "a" if ... else "b"``: a code chosen when the refusal is made
            for value in ast.walk(node.value):
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield node.lineno, value.value


def _names_code(stmt: ast.Assign) -> bool:
    return any(getattr(t, "id", "") == "code" for t in stmt.targets) and isinstance(
        stmt.value, ast.Constant
    )


def _all_codes() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(
        [*PACKAGE.joinpath("domain").glob("*.py"), *PACKAGE.joinpath("services").glob("*.py")]
    ):
        for line, code in _codes(path):
            found.setdefault(code, f"{path.relative_to(ROOT)}:{line}")
    return found


def test_the_scan_finds_the_codes_it_is_meant_to_check() -> None:
    codes = _all_codes()
    # a keyword, a Coded constant, a class attribute, a choice made in __init__
    for code in ("initials_mismatch", "weight_empty", "not_found", "code_void", "code_locked"):
        assert code in codes
    assert len(codes) > 60


def _patient_codes() -> set[str]:
    """The codes the patient-facing modules give outside the functions only staff reach."""

    def walk(node: ast.AST) -> Iterator[ast.AST]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef) and child.name in STAFF_ONLY_FUNCTIONS:
                continue
            yield child
            yield from walk(child)

    found: set[str] = set()
    for module in PATIENT_FACING:
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        for node in walk(tree):
            if isinstance(node, ast.Call):
                found.update(
                    k.value.value
                    for k in node.keywords
                    if k.arg == "code" and isinstance(k.value, ast.Constant)
                )
                coded = node.args[1] if _is_coded_call(node) and len(node.args) > 1 else None
                if isinstance(coded, ast.Constant):
                    found.add(coded.value)
    return found


def _staff_only(code: str) -> bool:
    """A code only a member of staff meets: worded for staff (``staff.error_<code>``) in every
    language, and given nowhere a patient can reach (tests/ui/test_staff_errors_worded.py)."""
    return code not in _patient_codes() and all(
        i18n.has(f"staff.error_{code}", lang) for lang in i18n.codes()
    )


def test_every_code_a_patient_can_meet_has_wording_in_every_language() -> None:
    missing = [
        f"{where}: kiosk.error_{code} in {lang}"
        for code, where in _all_codes().items()
        for lang in i18n.codes()
        if not i18n.has(f"kiosk.error_{code}", lang) and not _staff_only(code)
    ]
    assert not missing, "add to resources/messages/kiosk.<lang>.toml:\n" + "\n".join(missing)


def test_every_mood_release_refusal_has_wording_in_every_language() -> None:
    """The codes made from the clinic's release role (``release_by_<role>``)."""
    from intake.forms.loader import RELEASE_ROLES

    for role in RELEASE_ROLES:
        for lang in i18n.codes():
            assert i18n.has(f"kiosk.error_release_by_{role}", lang), (role, lang)


@pytest.mark.parametrize("module", PATIENT_FACING)
def test_every_patient_facing_message_carries_a_code(module: str) -> None:
    uncoded = list(_uncoded(ROOT / module))
    assert not uncoded, "\n".join(uncoded)


def test_the_code_scan_notices_a_message_without_a_code(tmp_path: Path) -> None:
    source = tmp_path / "fake.py"
    source.write_text(
        "def check(value):\n"
        "    raise ValidationError('x', 'Please do it.')\n"
        "def save(value):\n"
        "    raise InvalidInput({'x': 'Please do it.'})\n"
        "def find(value):\n"
        "    raise NotFound('No such thing.')\n"
        "def fine(value):\n"
        "    raise NotFound('No such thing.', code='thing')\n"
    )
    assert [line.split(":")[1] for line in _uncoded(source)] == ["2", "4", "6"]


def _raised(check: object) -> str:
    try:
        check()  # type: ignore[operator]
    except ValidationError as exc:
        return exc.message
    raise AssertionError("no problem raised")


def test_a_validation_problem_keeps_its_english_text_and_carries_its_code() -> None:
    from intake.domain import validation as v

    said = _raised(lambda: v.initials("ZX", "Zoë", "Nguyễn"))
    assert said == "These initials do not match the name Zoë Nguyễn; please type ZN."
    assert isinstance(said, Coded) and said.code == "initials_mismatch"
    assert dict(said.params) == {"name": "Zoë Nguyễn", "initials": "ZN"}


@pytest.mark.parametrize(
    ("check", "spanish"),
    [
        (lambda v: v.name("x" * 70), "Use como máximo 60 caracteres."),
        (
            lambda v: v.initials("ZX", "Zoë", "Nguyễn"),
            "Estas iniciales no coinciden con el nombre Zoë Nguyễn; escriba ZN.",
        ),
        (lambda v: v.phone("12"), "Un número de teléfono tiene de 7 a 15 dígitos; revíselo."),
        (lambda v: v.weight_kg("900"), "Revise su peso: debe estar entre 25 y 300 kg."),
        (
            lambda v: v.name("王 Li"),
            "Los formularios de la clínica no pueden imprimir 王; escriba el nombre como en un"
            " documento de identidad o pregunte al personal.",
        ),
    ],
)
def test_validation_problems_are_worded_in_spanish_with_their_values(
    check: object, spanish: str
) -> None:
    from intake.domain import validation as v

    said = _raised(lambda: check(v))  # type: ignore[operator]
    assert message(said, "es") == spanish
    assert message(said, "en") == said  # the English wording is the domain's own


@pytest.mark.parametrize(
    ("refusal", "spanish"),
    [
        (
            NotFound("No such visit.", code="visit_not_found"),
            "No encontramos esta visita. Por favor, pida ayuda al personal.",
        ),
        (NotFound("No such thing."), i18n.tr("kiosk.error_not_found", "es")),
        (CodeLocked(61), i18n.tr("kiosk.error_code_locked", "es", count=2)),
    ],
)
def test_a_refusal_is_worded_by_its_code(refusal: ServiceError, spanish: str) -> None:
    assert message(refusal.said, "es") == spanish


def test_a_message_without_a_code_asks_for_help_in_the_patients_language() -> None:
    for lang in i18n.codes(pseudo=True):
        shown = message("Something nobody has worded yet.", lang)
        assert shown == i18n.tr(f"kiosk.error_{GENERIC}", lang)
        assert "Something nobody" not in shown
    # a code the catalogue has no words for is treated the same way
    assert message(Coded("Odd.", "no_such_code"), "es") == i18n.tr("kiosk.error_refused", "es")


def test_a_worded_text_is_kept_and_an_empty_one_stays_empty() -> None:
    said = t("date_incomplete", "es")
    assert isinstance(said, Worded)
    assert message(said, "es") is said
    assert message("", "es") == ""


def test_an_invalid_input_keeps_each_fields_code() -> None:
    exc = InvalidInput({"guardian": Coded("Please enter the parent's name.", "guardian_first")})
    assert message(exc.errors["guardian"], "es") == i18n.tr("kiosk.error_guardian_first", "es")


def test_every_refusal_is_pseudo_in_the_pseudo_locale() -> None:
    for code in _all_codes():
        key = f"kiosk.error_{code}" if i18n.has(f"kiosk.error_{code}") else f"staff.error_{code}"
        if i18n.catalogue("pseudo")[key].plural:
            continue
        assert i18n.is_pseudo(i18n.template(key, "pseudo")), key


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
        counted = [
            m for k, m in i18n.catalogue(lang).items() if k.startswith("kiosk.") and m.plural
        ]
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
