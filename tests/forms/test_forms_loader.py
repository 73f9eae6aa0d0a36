"""The form loader: the real forms load; each kind of broken file is reported precisely."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake.forms import model as m
from intake.forms.loader import (
    FOLDER_FOR_KIND,
    FORM_KINDS,
    MAX_SHORT_TEXT_CHARS,
    MAX_TEXT_CHARS,
    FormProblem,
    FormsInvalid,
    canonical_sha256,
    check_forms,
    load_forms,
    lock_problems,
    read_lock,
    write_lock,
)

REPO = Path(__file__).resolve().parents[2]
FORMS_DIR = REPO / "forms"
LANGS = ("en", "es")
SPANISH_MARKS = set("áéíóúüñÁÉÍÓÚÑ¿¡")


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forms() -> m.FormSet:
    return load_forms(FORMS_DIR)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A private copy of the real forms folder that a test may break."""
    root = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, root)
    return root


def edit(root: Path, folder: str, old: str, new: str) -> None:
    """Replace the first ``old`` in ``folder/form.toml``; fail loudly if the form no longer has it."""
    path = root / folder / "form.toml"
    text = path.read_text("utf-8")
    assert old in text, f"{folder}/form.toml no longer contains {old!r}; update the test"
    path.write_text(text.replace(old, new, 1), "utf-8")


def problems_of(root: Path) -> list[FormProblem]:
    with pytest.raises(FormsInvalid) as info:
        load_forms(root)
    problems = info.value.problems
    assert problems, "FormsInvalid must list at least one problem"
    # The exception text names every problem, so the start-up message is complete.
    for p in problems:
        assert str(p) in str(info.value)
    return problems


def find(problems: list[FormProblem], path: str, location: str, message_part: str) -> FormProblem:
    for p in problems:
        if p.path == path and p.location == location and message_part in p.message:
            return p
    listed = "\n".join(f"  {p.path} | {p.location} | {p.message}" for p in problems)
    raise AssertionError(
        f"no problem at {path} | {location} mentioning {message_part!r}; got:\n{listed}"
    )


def iter_texts(obj: object, where: str = "forms") -> Iterator[tuple[str, m.Text]]:
    """Every Text inside a loaded form, with a readable path to it."""
    if isinstance(obj, m.Text):
        yield where, obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from iter_texts(getattr(obj, f.name), f"{where}.{f.name}")
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            yield from iter_texts(item, f"{where}[{i}]")
    elif isinstance(obj, dict):
        for k, item in obj.items():
            yield from iter_texts(item, f"{where}[{k!r}]")


def question_index(forms: m.FormSet, qid: str) -> tuple[int, int]:
    for pi, page in enumerate(forms.intake.pages):
        for qi, q in enumerate(page.questions):
            if q.id == qid:
                return pi, qi
    raise KeyError(qid)


def statement_index(forms: m.FormSet, sid: str) -> tuple[int, int]:
    for ti, topic in enumerate(forms.risks.topics):
        for si, s in enumerate(topic.statements):
            if s.id == sid:
                return ti, si
    raise KeyError(sid)


def quiz_index(forms: m.FormSet, qid: str) -> int:
    return [q.id for q in forms.quiz.questions].index(qid)


# --- the real forms ---------------------------------------------------------------------------


def test_real_forms_load_with_one_form_of_each_kind(forms: m.FormSet) -> None:
    kinds = {meta.id: meta.kind for meta in forms.metas}
    assert kinds == {FOLDER_FOR_KIND[k]: k for k in FORM_KINDS}
    for meta in forms.metas:
        assert meta.languages == LANGS
        assert meta.version
        assert len(meta.sha256) == 64 and int(meta.sha256, 16) >= 0


def test_every_text_has_both_languages(forms: m.FormSet) -> None:
    texts = list(iter_texts(forms))
    # Sanity: the walk really reached the content (hundreds of patient-facing texts).
    assert len(texts) > 200
    for where, text in texts:
        codes = [code for code, _ in text.values]
        assert sorted(codes) == sorted(LANGS), where
        for lang in LANGS:
            assert text.get(lang).strip(), f"{where} has an empty {lang} text"


def test_spanish_texts_are_real_spanish(forms: m.FormSet) -> None:
    label = forms.intake.question("uterus_and_ovary").label
    assert label("es") != label("en")
    assert "útero" in label("es")
    assert label("es").startswith("¿")
    # Across all forms, Spanish keeps its accents (no ASCII-only transliteration crept in).
    accented = [t for _, t in iter_texts(forms) if SPANISH_MARKS & set(t("es"))]
    assert len(accented) > 100


def test_intake_questions_use_known_types_and_choice_questions_have_options(
    forms: m.FormSet,
) -> None:
    for q in forms.intake.questions:
        assert q.type in {
            "name",
            "text",
            "longtext",
            "date",
            "choice",
            "multi",
            "weight",
            "phone",
            "email",
        }
        if q.type in ("choice", "multi"):
            assert len(q.options) >= 2, q.id
            assert len({o.value for o in q.options}) == len(q.options), q.id
        assert set(q.exclusive) <= {o.value for o in q.options}


def test_quiz_refers_only_to_real_statements_and_choices(forms: m.FormSet) -> None:
    statement_ids = {s.id for s in forms.risks.statements}
    for q in forms.quiz.questions:
        assert q.tests and set(q.tests) <= statement_ids, q.id
        assert q.answer in {c.id for c in q.choices}, q.id


def test_phq9_form_has_nine_items_and_bands_covering_0_to_27(forms: m.FormSet) -> None:
    assert [i for i, _ in forms.phq9.items] == [f"phq9_{n}" for n in range(1, 10)]
    assert [v for v, _ in forms.phq9.options] == [0, 1, 2, 3]
    covered = [t for b in forms.phq9.bands for t in range(b.min, b.max + 1)]
    assert covered == list(range(28))


def test_comments_and_layout_do_not_change_the_content_hash(forms: m.FormSet, copy: Path) -> None:
    path = copy / "risks" / "form.toml"
    path.write_text("# an editor's note\n\n" + path.read_text("utf-8") + "\n# the end\n", "utf-8")
    reloaded = load_forms(copy)
    assert reloaded.risks.meta.sha256 == forms.risks.meta.sha256


# --- broken files -----------------------------------------------------------------------------


def test_missing_language_is_reported(forms: m.FormSet, copy: Path) -> None:
    edit(copy, "intake", 'label.es = "Nombre"\n', "")
    pi, qi = question_index(forms, "first_name")
    find(
        problems_of(copy),
        "intake/form.toml",
        f"pages[{pi}].questions[{qi}].label",
        "missing language 'es'",
    )


def test_text_given_as_a_plain_string_is_reported(forms: m.FormSet, copy: Path) -> None:
    edit(
        copy,
        "risks",
        'title.en = "Dryness"\ntitle.es = "Resequedad"',
        'title = "Dryness"',
    )
    ti, _ = statement_index(forms, "dryness.skin_lips")
    find(problems_of(copy), "risks/form.toml", f"topics[{ti}].title", "must give every language")


def test_unknown_question_type_is_reported(forms: m.FormSet, copy: Path) -> None:
    edit(copy, "intake", 'type = "email"', 'type = "url"')
    pi, qi = question_index(forms, "email")
    problem = find(
        problems_of(copy),
        "intake/form.toml",
        f"pages[{pi}].questions[{qi}].type",
        "unknown question type 'url'",
    )
    # The message tells the editor what would have been accepted.
    assert "email" in problem.message and "choice" in problem.message


def test_duplicate_statement_id_is_reported(forms: m.FormSet, copy: Path) -> None:
    edit(copy, "risks", 'id = "dryness.eyes_nose"', 'id = "dryness.skin_lips"')
    ti, si = statement_index(forms, "dryness.eyes_nose")
    _, first = statement_index(forms, "dryness.skin_lips")
    problem = find(
        problems_of(copy),
        "risks/form.toml",
        f"topics[{ti}].statements[{si}]",
        "duplicate id 'dryness.skin_lips'",
    )
    assert f"topics[{ti}].statements[{first}]" in problem.message


def test_duplicate_question_id_is_reported(forms: m.FormSet, copy: Path) -> None:
    edit(copy, "intake", 'id = "last_name"', 'id = "first_name"')
    pi, qi = question_index(forms, "last_name")
    find(
        problems_of(copy),
        "intake/form.toml",
        f"pages[{pi}].questions[{qi}]",
        "duplicate id 'first_name'",
    )


def test_condition_naming_an_unknown_field_is_reported(forms: m.FormSet, copy: Path) -> None:
    edit(
        copy,
        "risks",
        'applies_if = { field = "can_become_pregnant", equals = true }',
        'applies_if = { field = "can_get_pregnant", equals = true }',
    )
    first_conditional = next(
        s
        for s in forms.risks.statements
        if s.applies_if == {"field": "can_become_pregnant", "equals": True}
    )
    ti, si = statement_index(forms, first_conditional.id)
    problem = find(
        problems_of(copy),
        "risks/form.toml",
        f"topics[{ti}].statements[{si}].applies_if.field",
        "unknown field 'can_get_pregnant'",
    )
    assert "can_become_pregnant" in problem.message  # names the facts that do exist


def test_bad_toml_syntax_is_reported(copy: Path) -> None:
    path = copy / "phq9" / "form.toml"
    path.write_text(path.read_text("utf-8") + "\nthis line is not toml\n", "utf-8")
    find(problems_of(copy), "phq9/form.toml", "", "is not valid TOML")


def test_missing_file_is_reported(copy: Path) -> None:
    (copy / "clinic" / "form.toml").unlink()
    find(problems_of(copy), "clinic/form.toml", "", "is missing")


def test_id_not_matching_folder_is_reported(copy: Path) -> None:
    edit(copy, "quiz", 'id = "quiz"', 'id = "quizzes"')
    find(problems_of(copy), "quiz/form.toml", "id", "'quizzes' does not match its folder 'quiz'")


def test_quiz_testing_an_unknown_statement_is_reported(forms: m.FormSet, copy: Path) -> None:
    edit(copy, "quiz", 'tests = ["avoid.vitamin_a"]', 'tests = ["avoid.vitamin_e"]')
    qi = quiz_index(forms, "q_vitamin_a")
    find(
        problems_of(copy),
        "quiz/form.toml",
        f"questions[{qi}].tests",
        "unknown statement 'avoid.vitamin_e'",
    )


def test_quiz_answer_not_among_choices_is_reported(forms: m.FormSet, copy: Path) -> None:
    edit(
        copy,
        "quiz",
        'tests = ["avoid.vitamin_a"]\nanswer = "a"',
        'tests = ["avoid.vitamin_a"]\nanswer = "d"',
    )
    qi = quiz_index(forms, "q_vitamin_a")
    find(
        problems_of(copy),
        "quiz/form.toml",
        f"questions[{qi}].answer",
        "'d' is not one of the choices",
    )


def test_phq9_bands_with_a_gap_are_reported(copy: Path) -> None:
    edit(copy, "phq9", "min = 10\n", "min = 11\n")
    find(problems_of(copy), "phq9/form.toml", "bands", "without gaps")


def test_phq9_bands_that_overlap_are_reported(copy: Path) -> None:
    edit(copy, "phq9", "min = 10\n", "min = 9\n")
    find(problems_of(copy), "phq9/form.toml", "bands", "overlaps")


def test_effective_that_is_not_a_date_is_reported(copy: Path) -> None:
    edit(copy, "education", "effective = 2026-01-22", 'effective = "2026-01-22"')
    find(problems_of(copy), "education/form.toml", "effective", "must be a date")


def test_condition_value_that_is_not_an_option_is_reported(forms: m.FormSet, copy: Path) -> None:
    edit(copy, "intake", 'in = ["female", "intersex"]', 'in = ["female", "intersexual"]')
    pi, qi = question_index(forms, "uterus_and_ovary")
    problem = find(
        problems_of(copy),
        "intake/form.toml",
        f"pages[{pi}].questions[{qi}].show_if.in",
        "'intersexual' is not an option of 'sex_at_birth'",
    )
    assert "intersex" in problem.message.split("(")[-1]  # lists the real options


def test_derived_fact_compared_with_the_wrong_type_is_reported(copy: Path) -> None:
    edit(
        copy,
        "education",
        'applies_if = { field = "can_become_pregnant", equals = true }',
        'applies_if = { field = "can_become_pregnant", equals = "yes" }',
    )
    problems = problems_of(copy)
    assert any(
        p.path == "education/form.toml"
        and p.location.endswith(".applies_if.equals")
        and "true or false" in p.message
        for p in problems
    ), problems


def test_equals_on_a_multi_question_is_reported(copy: Path) -> None:
    edit(
        copy,
        "education",
        'applies_if = { field = "can_become_pregnant", equals = true }',
        'applies_if = { field = "conditions", equals = "depression" }',
    )
    try:
        load_forms(copy)
        problems: list[FormProblem] = []
    except FormsInvalid as exc:
        problems = exc.problems
    assert any(p.path == "education/form.toml" and "contains" in p.message for p in problems)


def bullet_index(forms: m.FormSet, bid: str) -> tuple[int, int]:
    for si, section in enumerate(forms.education.sections):
        for bi, b in enumerate(section.bullets):
            if b.id == bid:
                return si, bi
    raise KeyError(bid)


def test_packet_bullets_load_with_their_own_rules(forms: m.FormSet) -> None:
    summary = next(s for s in forms.education.sections if s.summary)
    pregnancy = next(b for b in summary.bullets if b.id == "when_to_call.pregnancy")
    assert pregnancy.applies_if == {"field": "can_become_pregnant", "equals": True}
    assert summary.closing is not None and "fridge" in summary.closing.get("en")
    assert all(b.id.startswith(s.id + ".") for s in forms.education.sections for b in s.bullets)


def test_a_bullet_line_inside_a_packet_body_is_reported(copy: Path) -> None:
    edit(
        copy,
        "education",
        'body.en = "Some things do not mix well with isotretinoin:"',
        'body.en = """Some things do not mix well with isotretinoin:\n- Vitamin A."""',
    )
    forms = load_forms(FORMS_DIR)
    si = [s.id for s in forms.education.sections].index("avoid")
    find(problems_of(copy), "education/form.toml", f"sections[{si}].body", "[[sections.bullets]]")


def test_a_packet_bullet_rule_naming_an_unknown_field_is_reported(
    forms: m.FormSet, copy: Path
) -> None:
    edit(
        copy,
        "education",
        'id = "when_to_call.pregnancy"\napplies_if = { field = "can_become_pregnant"',
        'id = "when_to_call.pregnancy"\napplies_if = { field = "can_get_pregnant"',
    )
    si, bi = bullet_index(forms, "when_to_call.pregnancy")
    find(
        problems_of(copy),
        "education/form.toml",
        f"sections[{si}].bullets[{bi}].applies_if.field",
        "can_get_pregnant",
    )


def test_a_packet_bullet_id_outside_its_section_is_reported(forms: m.FormSet, copy: Path) -> None:
    edit(copy, "education", 'id = "when_to_call.stomach"', 'id = "stomach"')
    si, bi = bullet_index(forms, "when_to_call.stomach")
    find(
        problems_of(copy),
        "education/form.toml",
        f"sections[{si}].bullets[{bi}].id",
        "start with their section",
    )


def test_several_problems_are_reported_together(forms: m.FormSet, copy: Path) -> None:
    edit(copy, "intake", 'type = "email"', 'type = "url"')
    edit(copy, "quiz", 'id = "quiz"', 'id = "quizzes"')
    edit(copy, "phq9", "min = 10\n", "min = 11\n")
    (copy / "clinic" / "form.toml").unlink()
    problems = problems_of(copy)
    pi, qi = question_index(forms, "email")
    find(problems, "intake/form.toml", f"pages[{pi}].questions[{qi}].type", "unknown question type")
    find(problems, "quiz/form.toml", "id", "does not match its folder")
    find(problems, "phq9/form.toml", "bands", "without gaps")
    find(problems, "clinic/form.toml", "", "is missing")
    assert {p.path for p in problems} >= {
        "intake/form.toml",
        "quiz/form.toml",
        "phq9/form.toml",
        "clinic/form.toml",
    }


# --- canonical hash ---------------------------------------------------------------------------


def test_canonical_sha256_ignores_key_order_and_layout() -> None:
    a = tomllib.loads(
        'id = "x"\nversion = "1.0.0"\neffective = 2026-01-22\n'
        'title = { en = "Dryness", es = "Resequedad" }\n'
    )
    b = tomllib.loads(
        "# reordered, dotted keys, comments\n\neffective   = 2026-01-22\n"
        'title.es = "Resequedad"\ntitle.en = "Dryness"\n\nversion="1.0.0"\nid = "x"   # id\n'
    )
    assert a == b  # same content...
    assert list(a) != list(b)  # ...written in a different order
    assert canonical_sha256(a) == canonical_sha256(b)


def test_canonical_sha256_changes_with_a_text_change() -> None:
    a = {"id": "x", "title": {"en": "Dryness", "es": "Resequedad"}}
    b = {"id": "x", "title": {"en": "Dryness", "es": "Sequedad"}}
    assert canonical_sha256(a) != canonical_sha256(b)
    # Accents count: NFC 'é' and a plain 'e' are different content.
    assert canonical_sha256({"t": "café"}) != canonical_sha256({"t": "cafe"})


# --- versions.lock ----------------------------------------------------------------------------


def test_written_lock_matches_the_forms(forms: m.FormSet, tmp_path: Path) -> None:
    path = write_lock(forms, tmp_path)
    assert path == tmp_path / "versions.lock"
    assert read_lock(tmp_path) == forms.versions()
    assert lock_problems(forms, tmp_path) == []


def test_no_lock_reports_every_form_as_not_locked(forms: m.FormSet, tmp_path: Path) -> None:
    problems = lock_problems(forms, tmp_path)
    assert len(problems) == len(forms.metas)
    assert all("versions.lock" in p.message for p in problems)
    assert {p.path for p in problems} == {meta.path for meta in forms.metas}


def test_text_change_without_version_bump_is_caught(copy: Path) -> None:
    write_lock(load_forms(copy), copy)
    edit(copy, "risks", "Resequedad", "Sequedad")
    problems = lock_problems(load_forms(copy), copy)
    assert len(problems) == 1
    assert problems[0].path == "risks/form.toml" and problems[0].location == "version"
    assert "content changed" in problems[0].message
    assert "bump the version" in problems[0].message


def test_version_bump_without_relocking_is_reported(copy: Path) -> None:
    write_lock(load_forms(copy), copy)
    edit(copy, "risks", "Resequedad", "Sequedad")
    # Whatever version the copied form has, one more (the mechanism, not today's content).
    old = load_forms(copy).versions()["risks"][0]
    major, minor, patch = (int(part) for part in old.split("."))
    bumped = f"{major}.{minor}.{patch + 1}"
    edit(copy, "risks", f'version = "{old}"', f'version = "{bumped}"')
    forms = load_forms(copy)
    problems = lock_problems(forms, copy)
    assert len(problems) == 1
    assert problems[0].path == "risks/form.toml"
    assert bumped in problems[0].message and "not recorded" in problems[0].message
    # After `forms lock` the new version is recorded and all is well again.
    write_lock(forms, copy)
    assert lock_problems(forms, copy) == []


def test_committed_lock_matches_the_current_forms(forms: m.FormSet) -> None:
    """Fails when a form's content changed and `main.py forms lock` (with a new version) was not run."""
    assert lock_problems(forms, FORMS_DIR) == []


# --- limits and the one check ----------------------------------------------------------------
# These test the mechanism on a private copy whose own content is locked first, then changed by
# appending a topic of our own: nothing depends on the wording of the clinic's forms.


@pytest.fixture
def locked_copy(copy: Path) -> Path:
    write_lock(load_forms(copy), copy)
    return copy


def add_topic(root: Path, text_en: str = "Extra statement.", title_en: str = "Extra") -> None:
    """Append one topic with one statement to ``risks/form.toml``."""
    with (root / "risks" / "form.toml").open("a", encoding="utf-8") as f:
        f.write(
            "\n[[topics]]\n"
            'id = "zz_extra"\n'
            f'title = {{ en = "{title_en}", es = "Extra" }}\n'
            "[[topics.statements]]\n"
            'id = "zz_extra.one"\n'
            f'text = {{ en = "{text_en}", es = "Declaración extra." }}\n'
        )


def test_the_appended_topic_loads_when_within_the_limits(locked_copy: Path) -> None:
    add_topic(locked_copy, "x" * MAX_TEXT_CHARS, "t" * MAX_SHORT_TEXT_CHARS)
    topic = next(t for t in load_forms(locked_copy).risks.topics if t.id == "zz_extra")
    assert len(topic.statements[0].text("en")) == MAX_TEXT_CHARS


def test_a_statement_longer_than_the_limit_is_reported(locked_copy: Path) -> None:
    add_topic(locked_copy, "x" * (MAX_TEXT_CHARS + 1))
    problems = problems_of(locked_copy)
    p = next(p for p in problems if p.location.endswith("statements[0].text.en"))
    assert p.path == "risks/form.toml"
    assert p.location.startswith("topics[") and "4,001 characters" in p.message
    assert "at most 4,000" in p.message


def test_a_title_longer_than_the_short_limit_is_reported(locked_copy: Path) -> None:
    add_topic(locked_copy, title_en="t" * (MAX_SHORT_TEXT_CHARS + 1))
    problems = problems_of(locked_copy)
    assert any(
        p.path == "risks/form.toml"
        and p.location.endswith("].title.en")
        and "at most 300" in p.message
        for p in problems
    ), problems


def test_a_long_plain_value_is_reported(locked_copy: Path) -> None:
    path = locked_copy / "clinic" / "form.toml"
    path.write_text(path.read_text("utf-8") + f'\n[extra]\nnote = "{"n" * 301}"\n', "utf-8")
    problems = problems_of(locked_copy)
    find(problems, "clinic/form.toml", "extra.note", "at most 300")


def test_a_ten_megabyte_statement_is_refused_fast(locked_copy: Path) -> None:
    import time

    add_topic(locked_copy, "x" * 10_000_000)
    started = time.perf_counter()
    problems = problems_of(locked_copy)
    elapsed = time.perf_counter() - started
    find(problems, "risks/form.toml", "", "may be at most 1 MB")
    # Refused from its size, before it is read or parsed (parsing alone takes ~1 s).
    assert elapsed < 0.5, f"took {elapsed:.2f} s"


def test_check_forms_passes_a_locked_copy(locked_copy: Path) -> None:
    check = check_forms(locked_copy)
    assert check.ok and check.forms is not None and check.problems == ()


def test_check_forms_names_the_file_of_a_change_without_a_version_bump(locked_copy: Path) -> None:
    add_topic(locked_copy)
    check = check_forms(locked_copy)
    assert check.forms is not None  # the forms load: staff can still read with them
    assert not check.ok
    (p,) = check.problems
    assert str(p).startswith("risks/form.toml: version: content changed")


def test_check_forms_names_the_file_of_a_version_missing_from_the_lock(locked_copy: Path) -> None:
    path = locked_copy / "quiz" / "form.toml"
    text, n = re.subn(
        r'(?m)^version = ".*"$', 'version = "9.9.9"', path.read_text("utf-8"), count=1
    )
    assert n == 1
    path.write_text(text, "utf-8")
    (p,) = check_forms(locked_copy).problems
    assert p.path == "quiz/form.toml" and "9.9.9 is not recorded in versions.lock" in p.message


def test_check_forms_of_broken_files_gives_the_loader_problems(locked_copy: Path) -> None:
    add_topic(locked_copy, "x" * (MAX_TEXT_CHARS + 1))
    check = check_forms(locked_copy)
    assert check.forms is None and not check.ok
    assert [str(p) for p in check.problems] == [str(p) for p in problems_of(locked_copy)]


def test_an_unreadable_lock_file_is_a_problem_not_a_crash(locked_copy: Path) -> None:
    (locked_copy / "versions.lock").write_text("[forms.risks\nversion = ", "utf-8")
    problems = check_forms(locked_copy).problems
    assert len(problems) == 1 and problems[0].path == "versions.lock"
    assert "forms lock" in problems[0].message
    (locked_copy / "versions.lock").write_text('[forms.risks]\nversion = "1"\n', "utf-8")
    (p,) = check_forms(locked_copy).problems
    assert p.path == "versions.lock" and "sha256" in p.message


def test_lock_refuses_to_record_changed_content_under_the_same_version(copy: Path) -> None:
    # Found in review: `forms lock` wrote the new hash for an unchanged version, so two texts
    # both claimed to be, say, risks 1.1.0, and `forms check` then passed.
    write_lock(load_forms(copy), copy)
    before = (copy / "versions.lock").read_text("utf-8")
    edit(copy, "risks", "Resequedad", "Sequedad")
    with pytest.raises(FormsInvalid) as caught:
        write_lock(load_forms(copy), copy)
    (problem,) = caught.value.problems
    assert problem.path == "risks/form.toml" and "bump the version" in problem.message
    assert (copy / "versions.lock").read_text("utf-8") == before  # nothing written
    assert lock_problems(load_forms(copy), copy)  # and the check still says so


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_lab_limits_must_be_finite_numbers(copy: Path, bad: str) -> None:
    # A nan limit made every comparison false: no result was ever flagged.
    edit(copy, "clinic", "critical_high = 168", f"critical_high = {bad}")
    with pytest.raises(FormsInvalid) as caught:
        load_forms(copy)
    assert any(
        "labs.alt.critical_high" in p.location and "finite" in p.message
        for p in caught.value.problems
    )


def test_the_clinic_names_who_may_release_a_mood_screen_alert(locked_copy: Path) -> None:
    assert load_forms(locked_copy).clinic.mood_release_role == "clinician"
    path = locked_copy / "clinic" / "form.toml"
    text = path.read_text("utf-8")
    path.write_text(text.replace('mood_release_role = "clinician"', 'mood_release_role = "nurse"'))
    find(problems_of(locked_copy), "clinic/form.toml", "alerts.mood_release_role", '"clinician"')
    path.write_text(text.replace('mood_release_role = "clinician"', "mood_release_role = 3"))
    find(problems_of(locked_copy), "clinic/form.toml", "alerts.mood_release_role", "not int")


@pytest.mark.parametrize(("value", "said"), [("15", "is 15"), ('"soon"', "whole number")])
def test_an_idle_warning_shorter_than_20_seconds_is_refused(
    copy: Path, value: str, said: str
) -> None:
    """WCAG 2.2, 2.2.1: the "Are you still there?" warning leaves at least 20 s to answer."""
    text = (copy / "clinic" / "form.toml").read_text("utf-8")
    current = next(line for line in text.splitlines() if line.startswith("idle_warning_seconds"))
    edit(copy, "clinic", current, f"idle_warning_seconds = {value}")
    problems = problems_of(copy)
    assert [p.location for p in problems] == ["kiosk.idle_warning_seconds"]
    assert said in problems[0].message


def test_the_clinic_profile_gives_at_least_20_seconds(forms: m.FormSet) -> None:
    assert forms.clinic.idle_warning_seconds >= 20


@pytest.mark.parametrize(
    ("replacement", "location", "said"),
    [
        ('open_days = ["mon", 3]', "clinic.open_days", "at least one weekday"),
        ("open_days = []", "clinic.open_days", "at least one weekday"),
        ('open_days = ["monday"]', "clinic.open_days", '"mon"'),
        ('open_days = ["mon", "mon"]', "clinic.open_days", "twice"),
        ('closures = ["2026-04-05"]', "clinic.closures[0]", "no quotes"),
        ("closures = [2026-04-05, 2026-04-05]", "clinic.closures[1]", "listed twice"),
        ("closures = 2026-04-05", "clinic.closures", "must be a list of dates"),
    ],
)
def test_open_days_and_closures_are_checked_with_a_clear_message(
    copy: Path, replacement: str, location: str, said: str
) -> None:
    text = (copy / "clinic" / "form.toml").read_text("utf-8")
    start = text.index("open_days = ")
    end = text.index("]\n", text.index("closures = [")) + 2
    edit(copy, "clinic", text[start:end], replacement + "\n")
    problems = [p for p in problems_of(copy) if p.path == "clinic/form.toml"]
    assert [p.location for p in problems] == [location]
    assert said in problems[0].message


def test_the_clinic_profile_names_its_open_days_and_closures(forms: m.FormSet) -> None:
    assert forms.clinic.open_weekdays == (0, 1, 2, 3, 4)
    assert dt.date(2026, 4, 5) in forms.clinic.closures
    assert list(forms.clinic.closures) == sorted(forms.clinic.closures)


def test_a_rule_set_acknowledgement_must_name_a_risk_statement(copy: Path) -> None:
    edit(copy, "programme", '"purpose.second_opinion"]', '"purpose.third_opinion"]')
    find(problems_of(copy), "programme/form.toml", "rulesets[3].acknowledgements", "third_opinion")


def test_a_prescriber_attestation_needs_an_id_and_every_language(copy: Path) -> None:
    edit(copy, "programme", 'id = "no_other_treatment"', 'id = "clinically_indicated"')
    problems = problems_of(copy)
    find(problems, "programme/form.toml", "rulesets[3].prescriber_attestations[1]", "duplicate")


@pytest.mark.parametrize(
    ("replacement", "location", "said"),
    [
        ('form = "intake"\nversion = "1.1.0"\nchange = "major"', "form_changes[0].form", '"risks"'),
        ('form = "risks"\nversion = 1.1\nchange = "major"', "form_changes[0].version", "quotes"),
        ('form = "risks"\nversion = "1.1"\nchange = "major"', "form_changes[0].version", '"1.2.0"'),
        ('form = "risks"\nversion = "1.1.0"\nchange = "big"', "form_changes[0].change", '"major"'),
    ],
)
def test_form_change_classes_are_checked_with_a_clear_message(
    copy: Path, replacement: str, location: str, said: str
) -> None:
    text = (copy / "clinic" / "form.toml").read_text("utf-8")
    block = text[text.index("[[form_changes]]") :]
    edit(copy, "clinic", block, "[[form_changes]]\n" + replacement + "\n")
    problems = [p for p in problems_of(copy) if p.path == "clinic/form.toml"]
    assert [p.location for p in problems] == [location]
    assert said in problems[0].message


def test_a_form_version_is_classed_once(copy: Path) -> None:
    text = (copy / "clinic" / "form.toml").read_text("utf-8")
    block = text[text.index("[[form_changes]]") :]
    edit(copy, "clinic", block, block + "\n" + block.replace('"major"', '"minor"'))
    problems = [p for p in problems_of(copy) if p.path == "clinic/form.toml"]
    assert [p.location for p in problems] == ["form_changes[1]"]
    assert "duplicate" in problems[0].message


def test_the_clinic_profile_classes_risk_form_versions(forms: m.FormSet) -> None:
    assert ("risks", "1.1.0", "major") in forms.clinic.form_changes
