"""Every message a service or the domain gives a member of staff carries a code, and every code
has catalogue wording (``staff.error_<code>``, or the kiosk's ``kiosk.error_<code>``) in each
language: a Spanish station never shows a service's English, nor a vague "ask for help" where
the service knew what was wrong.

The scan reads every module of ``intake/services`` and ``intake/domain`` and fails on a refusal
(a ``ServiceError`` subclass) given in words without ``code=``, on a field's problem given to
``InvalidInput`` (in its dict or as ``errors[field] = ...``) as plain words rather than a
``Coded`` text, and on a ``ValidationError`` in words without ``code=``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from test_kiosk_text import _codes  # the same scan of codes the kiosk's wording is held to

from intake import i18n
from intake.services import errors as service_errors

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "intake"
MODULES = sorted(
    [*PACKAGE.joinpath("domain").glob("*.py"), *PACKAGE.joinpath("services").glob("*.py")]
)

# Every refusal a service raises (the subclasses of ServiceError).
REFUSALS = {
    name
    for name, value in vars(service_errors).items()
    if isinstance(value, type) and issubclass(value, service_errors.ServiceError)
}


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    """The module's ``NAME = <text>`` assignments, to see through a message kept in a constant."""
    found: dict[str, ast.expr] = {}
    for stmt in tree.body:
        targets = (
            stmt.targets
            if isinstance(stmt, ast.Assign)
            else [stmt.target]
            if isinstance(stmt, ast.AnnAssign) and stmt.value is not None
            else []
        )
        for target in targets:
            if isinstance(target, ast.Name):
                found[target.id] = stmt.value  # type: ignore[assignment]
    return found


def _words(node: ast.expr, constants: dict[str, ast.expr]) -> bool:
    """Whether ``node`` is a message in words without a code (a text, an f-string, a sum of
    texts, a choice between texts, or a module constant holding one)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _words(node.left, constants) or _words(node.right, constants)
    if isinstance(node, ast.IfExp):
        return _words(node.body, constants) or _words(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return _words(constants[node.id], constants)
    return False


# Functions that say what is wrong with a field, for a screen to show before asking more.
FIELD_PROBLEMS = {"secret_problem", "title_problem", "signature_problem"}


def _uncoded(path: Path) -> Iterator[str]:
    """Each place in ``path`` that gives staff (or anyone) a message in words without a code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _constants(tree)
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in FIELD_PROBLEMS:
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Return)
                    and inner.value is not None
                    and _words(inner.value, constants)
                ):
                    yield f"{where}:{inner.lineno}: {node.name} returns text without Coded()"
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and getattr(target.value, "id", "") == "errors"
                    and _words(node.value, constants)
                ):
                    yield f"{where}:{node.lineno}: errors[...] text without Coded()"
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        name = node.func.id
        coded = any(k.arg == "code" for k in node.keywords)
        if name == "ValidationError":
            if len(node.args) > 1 and _words(node.args[1], constants) and not coded:
                yield f"{where}:{node.lineno}: ValidationError without code="
        elif name == "InvalidInput":
            if node.args and isinstance(node.args[0], ast.Dict):
                for value in node.args[0].values:
                    if value is not None and _words(value, constants):
                        yield f"{where}:{node.lineno}: InvalidInput text without Coded()"
        elif name in REFUSALS and node.args and _words(node.args[0], constants) and not coded:
            yield f"{where}:{node.lineno}: {name} without code="


def test_no_service_or_domain_message_reaches_staff_without_a_code() -> None:
    uncoded = [line for path in MODULES for line in _uncoded(path)]
    assert not uncoded, "give each a code= (or Coded(text, code)):\n" + "\n".join(uncoded)


def test_every_code_has_staff_or_kiosk_wording_in_every_language() -> None:
    found: dict[str, str] = {}
    for path in MODULES:
        for line, code in _codes(path):
            found.setdefault(code, f"{path.relative_to(ROOT)}:{line}")
    assert len(found) > 60
    missing = [
        f"{where}: {code} in {lang}"
        for code, where in found.items()
        for lang in i18n.codes()
        if not i18n.has(f"staff.error_{code}", lang) and not i18n.has(f"kiosk.error_{code}", lang)
    ]
    assert not missing, "add staff.error_<code> to resources/messages/staff.<lang>.toml:\n" + (
        "\n".join(missing)
    )


def test_the_scan_notices_each_kind_of_uncoded_message(tmp_path: Path) -> None:
    source = tmp_path / "fake.py"
    source.write_text(
        "GONE = 'Gone.'\n"
        "def a(v):\n"
        "    raise NotFound('No such thing.')\n"
        "def b(v):\n"
        "    raise Immutable('x' if v else GONE)\n"
        "def c(v):\n"
        "    raise InvalidInput({'x': f'Bad {v}.'})\n"
        "def d(v):\n"
        "    errors['x'] = 'Please type your name.'\n"
        "def e(v):\n"
        "    raise LoginFailed(GONE)\n"
        "def fine(v):\n"
        "    raise NotFound('No such thing.', code='thing')\n"
        "    raise InvalidInput({'x': Coded('Bad.', 'bad')})\n"
        "    errors['x'] = Coded('Bad.', 'bad')\n"
        "    raise Locked(seconds)\n"
        "def title_problem(v):\n"
        "    return 'A title is short.'\n"
    )
    assert sorted(int(line.split(":")[1]) for line in _uncoded(source)) == [3, 5, 7, 9, 11, 18]


def _text_of(node: ast.expr, constants: dict[str, ast.expr]) -> str | None:
    """The message's text when it is fixed (a text, a sum of texts, a constant holding one)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text_of(node.left, constants), _text_of(node.right, constants)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Name) and node.id in constants:
        return _text_of(constants[node.id], constants)
    return None


# Codes whose service text speaks to the patient; staff are told it in their own words.
WORDED_FOR_STAFF = {"identity_changed", "visit_submitted"}


def test_the_staff_wording_in_english_is_the_services_own_text() -> None:
    """English staff screens show the catalogue's words now: they must be the service's."""
    differ = []
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            code = next((k.value for k in node.keywords if k.arg == "code"), None)
            if getattr(node.func, "id", "") == "Coded" and len(node.args) > 1:
                code = node.args[1]
            if not isinstance(code, ast.Constant) or not i18n.has(f"staff.error_{code.value}"):
                continue
            if code.value in WORDED_FOR_STAFF:
                continue
            key = f"staff.error_{code.value}"
            # ValidationError(field, message, code=...): the message is the second argument
            is_validation = getattr(node.func, "id", "") == "ValidationError"
            if is_validation and len(node.args) < 2:
                continue
            text = _text_of(node.args[1 if is_validation else 0], constants)
            said = i18n.tr(key, "en")
            if text is not None and "{" not in i18n.template(key, "en") and said != text:
                differ.append(f"{path.name}:{node.lineno}: {code.value}: {said!r} != {text!r}")
    assert not differ, "\n".join(differ)


def _refused(call: object) -> BaseException:
    try:
        call()  # type: ignore[operator]
    except Exception as exc:  # noqa: BLE001 - the refusal under test
        return exc
    raise AssertionError("not refused")


def test_staff_refusals_reach_a_spanish_station_in_spanish(sqlite_ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Real refusals of the services, worded for a Spanish station by their codes."""
    from test_staff_support import clinician

    from intake.domain.pins import secret_problem
    from intake.services.alerts import AlertService
    from intake.services.staff import StaffService
    from intake.ui.common import STAFF_LANG_ENV, describe_error, problem_text

    monkeypatch.setenv(STAFF_LANG_ENV, "es")
    doctor = clinician(sqlite_ctx)
    wrong_pin = _refused(lambda: StaffService(sqlite_ctx).confirm_secret(doctor, "000000"))
    assert str(wrong_pin) == "That PIN is not right."  # the service's English is kept
    assert describe_error(wrong_pin) == "Ese PIN no es correcto."
    no_visit = _refused(lambda: AlertService(sqlite_ctx).release(doctor, "nope", "x" * 20))
    assert describe_error(no_visit) == "No existe esa visita."
    short_note = _refused(lambda: AlertService(sqlite_ctx).release(doctor, "nope", "ok"))
    assert describe_error(short_note) == (
        "Escriba una nota breve: cómo se atendió al paciente y qué se acordó."
    )
    assert problem_text(secret_problem("123")) == (
        "Un PIN necesita al menos 6 dígitos (o use una frase de contraseña de al menos 8"
        " caracteres)."
    )
    for shown in (describe_error(wrong_pin), describe_error(short_note)):
        assert "⟦" not in shown and "PIN is" not in shown and "note" not in shown


def test_staff_refusals_are_pseudo_in_the_pseudo_locale(sqlite_ctx, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    from test_staff_support import clinician

    from intake.services.staff import StaffService
    from intake.ui.common import describe_error

    doctor = clinician(sqlite_ctx)
    wrong_pin = _refused(
        lambda: StaffService(sqlite_ctx).confirm_secret(doctor, "000000", username="someone")
    )
    shown = describe_error(wrong_pin)
    assert i18n.is_pseudo(shown), shown
