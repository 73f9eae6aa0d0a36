"""Load and validate the form definitions in the top-level ``forms/`` folder.

Every problem is reported with the file, the place in it and what is wrong, and all problems
of a run are reported together, so an editor can fix a file in one pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake.forms import model as m

FORM_KINDS = (
    "questionnaire",
    "phq9",
    "risks",
    "quiz",
    "education",
    "clinic",
    "programme",
    "aftercare",
    "checkin",
)
FOLDER_FOR_KIND = {
    "questionnaire": "intake",
    "phq9": "phq9",
    "risks": "risks",
    "quiz": "quiz",
    "education": "education",
    "clinic": "clinic",
    "programme": "programme",
    "aftercare": "aftercare",
    "checkin": "checkin",
}
QUESTION_TYPES = ("name", "text", "longtext", "date", "choice", "multi", "weight", "phone", "email")
DERIVED_FACTS = {"can_become_pregnant": "bool", "is_minor": "bool", "age": "int"}
DEFAULT_FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
LOCK_FILE = "versions.lock"

# Limits that keep a slip of the editor (a pasted document, a runaway paste) from reaching the
# kiosk or a consent: the longest real text is a little over 1,300 characters, the largest
# file under 30 kB.
MAX_FILE_BYTES = 1_000_000
MAX_TEXT_CHARS = 4_000  # a risk statement, a paragraph, an explanation, a summary
MAX_SHORT_TEXT_CHARS = 300  # a title, a label, opening hours
MAX_VALUE_CHARS = 300  # an id, a name, an address, an option value
SHORT_TEXT_KEYS = frozenset({"title", "label", "hours", "department"})


@dataclass(frozen=True)
class FormProblem:
    path: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: {self.location}" if self.location else self.path
        return f"{where}: {self.message}"


class FormsInvalid(Exception):
    """One or more form files are broken; ``problems`` lists each one."""

    def __init__(self, problems: list[FormProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def forms_dir() -> Path:
    override = os.environ.get("INTAKE_FORMS_DIR")
    return Path(override) if override else DEFAULT_FORMS_DIR


def canonical_sha256(data: dict[str, Any]) -> str:
    """SHA-256 over a canonical JSON rendering: key order and layout of the file do not count."""

    def default(value: object) -> str:
        if isinstance(value, dt.date | dt.datetime | dt.time):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    blob = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class _Reader:
    """Walks one file's parsed TOML, collecting problems instead of stopping at the first."""

    def __init__(self, path: str, data: dict[str, Any], languages: tuple[str, ...]):
        self.path = path
        self.data = data
        self.languages = languages
        self.problems: list[FormProblem] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(FormProblem(self.path, where, message))

    def table(
        self, parent: dict[str, Any], key: str, where: str, required: bool = True
    ) -> dict[str, Any]:
        value = parent.get(key)
        if value is None:
            if required:
                self.problem(_join(where, key), "missing table")
            return {}
        if not isinstance(value, dict):
            self.problem(_join(where, key), f"must be a table, not {_kind(value)}")
            return {}
        return value

    def tables(
        self, parent: dict[str, Any], key: str, where: str, required: bool = True
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        value = parent.get(key)
        if value is None:
            if required:
                self.problem(_join(where, key), "missing list (write it as [[" + key + "]])")
            return
        if not isinstance(value, list):
            self.problem(_join(where, key), f"must be a list of tables, not {_kind(value)}")
            return
        if required and not value:
            self.problem(_join(where, key), "is empty")
        for i, item in enumerate(value):
            loc = f"{_join(where, key)}[{i}]"
            if not isinstance(item, dict):
                self.problem(loc, f"must be a table, not {_kind(item)}")
                continue
            yield loc, item

    def string(
        self, parent: dict[str, Any], key: str, where: str, required: bool = True, default: str = ""
    ) -> str:
        value = parent.get(key)
        if value is None:
            if required:
                self.problem(_join(where, key), "missing")
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(_join(where, key), "must be a non-empty string")
            return default
        return value

    def number(self, parent: dict[str, Any], key: str, where: str, default: float = 0) -> float:
        value = parent.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(_join(where, key), "missing or not a number")
            return default
        if not math.isfinite(value):  # TOML allows nan and inf; no range or limit is either
            self.problem(_join(where, key), "must be a finite number (not nan or inf)")
            return default
        return value

    def text(
        self, parent: dict[str, Any], key: str, where: str, required: bool = True
    ) -> m.Text | None:
        value = parent.get(key)
        loc = _join(where, key)
        if value is None:
            if required:
                self.problem(loc, "missing text")
            return None
        if isinstance(value, str):
            self.problem(
                loc,
                f'must give every language ({", ".join(self.languages)}), e.g. {key} = {{ en = "...", es = "..." }}',
            )
            return m.Text(tuple((lang, value) for lang in self.languages))
        if not isinstance(value, dict):
            self.problem(loc, f"must be a table of languages, not {_kind(value)}")
            return None
        for lang in self.languages:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.problem(loc, f"missing language '{lang}'")
        for lang in value:
            if lang not in self.languages:
                self.problem(loc, f"language '{lang}' is not listed in this form's languages")
        return m.Text(tuple((lang, str(value.get(lang, ""))) for lang in self.languages))

    def unique(self, seen: dict[str, str], ident: str, where: str) -> None:
        if ident in seen:
            self.problem(where, f"duplicate id '{ident}' (first used at {seen[ident]})")
        else:
            seen[ident] = where


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: object) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _read_file(path: Path, shown: str) -> tuple[dict[str, Any] | None, list[FormProblem]]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            # Refused before it is read: a huge file would hold up the start-up.
            return None, [
                FormProblem(
                    shown,
                    "",
                    f"is {size / 1_000_000:.1f} MB; a form file may be at most "
                    f"{MAX_FILE_BYTES // 1_000_000} MB",
                )
            ]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [FormProblem(shown, "", f"cannot be read ({exc.strerror})")]
    try:
        return tomllib.loads(raw.decode("utf-8")), []
    except UnicodeDecodeError:
        return None, [FormProblem(shown, "", "is not UTF-8 text")]
    except tomllib.TOMLDecodeError as exc:
        return None, [FormProblem(shown, "", f"is not valid TOML: {exc}")]


def _length_problems(shown: str, data: dict[str, Any]) -> list[FormProblem]:
    """Every string of a file against its limit: texts by the key that holds them, other values
    (ids, names, addresses) by one limit."""
    out: list[FormProblem] = []

    def walk(value: object, where: str, key: str, in_text: bool) -> None:
        if isinstance(value, str):
            if in_text:
                limit = MAX_SHORT_TEXT_CHARS if key in SHORT_TEXT_KEYS else MAX_TEXT_CHARS
            else:
                limit = MAX_VALUE_CHARS
            if len(value) > limit:
                out.append(
                    FormProblem(
                        shown,
                        where,
                        f"is {len(value):,} characters long; at most {limit:,} are allowed here",
                    )
                )
        elif isinstance(value, dict):
            languages = bool(value) and all(k in m.LANGUAGES for k in value)
            for k, v in value.items():
                walk(v, _join(where, k), key if languages else k, languages)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{where}[{i}]", key, in_text)

    walk(data, "", "", False)
    return out


def _meta(r: _Reader, folder: str, sha: str) -> m.FormMeta | None:
    d = r.data
    ident = r.string(d, "id", "")
    kind = r.string(d, "kind", "")
    version = r.string(d, "version", "")
    effective = d.get("effective")
    if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
        r.problem("effective", "must be a date such as 2026-01-22 (no quotes)")
        effective = dt.date.min
    if ident and ident != folder:
        r.problem("id", f"'{ident}' does not match its folder '{folder}'")
    if kind and kind not in FORM_KINDS:
        r.problem("kind", f"unknown kind '{kind}'; expected one of {', '.join(FORM_KINDS)}")
    elif kind and FOLDER_FOR_KIND[kind] != folder:
        r.problem("kind", f"a '{kind}' form belongs in folder '{FOLDER_FOR_KIND[kind]}'")
    if not ident or not kind or not version:
        return None
    return m.FormMeta(ident, kind, version, effective, r.languages, sha, r.path)


# --- conditions -------------------------------------------------------------------------------


def _check_condition(
    r: _Reader, cond: Any, where: str, fields: dict[str, m.Question | str]
) -> m.Condition | None:
    if cond is None:
        return None
    if not isinstance(cond, dict):
        r.problem(where, 'a condition must be a table such as { field = "x", equals = "y" }')
        return None
    keys = set(cond)
    if keys & {"all", "any"}:
        key = "all" if "all" in cond else "any"
        parts = cond[key]
        if len(keys) != 1 or not isinstance(parts, list) or not parts:
            r.problem(
                where, f"'{key}' must be the only key and hold a non-empty list of conditions"
            )
            return None
        for i, part in enumerate(parts):
            _check_condition(r, part, f"{where}.{key}[{i}]", fields)
        return cond
    if "not" in cond:
        if len(keys) != 1:
            r.problem(where, "'not' must be the only key")
            return None
        _check_condition(r, cond["not"], f"{where}.not", fields)
        return cond
    name = cond.get("field")
    tests = keys & {"equals", "in", "contains"}
    if not isinstance(name, str):
        r.problem(where, "a condition needs 'field' (or 'all', 'any', 'not')")
        return None
    if len(tests) != 1 or keys - {"field", "equals", "in", "contains"}:
        r.problem(where, "a field condition needs exactly one of 'equals', 'in', 'contains'")
        return None
    if name not in fields:
        r.problem(
            f"{where}.field",
            f"unknown field '{name}': not an intake question or a derived fact ({', '.join(DERIVED_FACTS)})",
        )
        return None
    test = tests.pop()
    target = fields[name]
    values = cond[test] if test == "in" else [cond[test]]
    if test == "in" and not isinstance(cond[test], list):
        r.problem(f"{where}.in", "must be a list")
        return None
    if isinstance(target, m.Question):
        if test in ("equals", "in") and target.type == "multi":
            r.problem(where, f"'{name}' is a multi question whose answer is a list: use 'contains'")
        if test == "contains" and target.type != "multi":
            r.problem(where, f"'contains' only works on multi questions; '{name}' is {target.type}")
        if target.options:
            known = {o.value for o in target.options}
            for v in values:
                if v not in known:
                    r.problem(
                        f"{where}.{test}",
                        f"'{v}' is not an option of '{name}' ({', '.join(sorted(known))})",
                    )
    elif target == "bool":
        if test == "contains" or any(not isinstance(v, bool) for v in values):
            r.problem(f"{where}.{test}", f"'{name}' is true or false")
    elif target == "int" and (
        test == "contains" or any(isinstance(v, bool) or not isinstance(v, int) for v in values)
    ):
        r.problem(f"{where}.{test}", f"'{name}' is a whole number")
    return cond


# --- per kind ----------------------------------------------------------------------------------


def _questionnaire(r: _Reader, meta: m.FormMeta) -> m.Questionnaire:
    pages: list[m.Page] = []
    seen: dict[str, str] = {}
    pending_conditions: list[tuple[str, Any]] = []
    for ploc, page in r.tables(r.data, "pages", ""):
        questions: list[m.Question] = []
        pid = r.string(page, "id", ploc)
        r.unique(seen, "page:" + pid, ploc)
        for qloc, q in r.tables(page, "questions", ploc):
            qid = r.string(q, "id", qloc)
            r.unique(seen, qid, qloc)
            qtype = r.string(q, "type", qloc)
            if qtype and qtype not in QUESTION_TYPES:
                r.problem(
                    f"{qloc}.type",
                    f"unknown question type '{qtype}'; expected one of {', '.join(QUESTION_TYPES)}",
                )
            options: list[m.Option] = []
            if qtype in ("choice", "multi"):
                values: dict[str, str] = {}
                for oloc, opt in r.tables(q, "options", qloc):
                    value = r.string(opt, "value", oloc)
                    r.unique(values, value, oloc)
                    label = r.text(opt, "label", oloc)
                    if label:
                        options.append(m.Option(value, label))
            elif "options" in q:
                r.problem(
                    f"{qloc}.options", f"only choice and multi questions have options, not {qtype}"
                )
            exclusive = q.get("exclusive", [])
            if exclusive and (
                qtype != "multi" or not all(e in {o.value for o in options} for e in exclusive)
            ):
                r.problem(f"{qloc}.exclusive", "must list options of this multi question")
            required = q.get("required", True)
            if not isinstance(required, bool):
                r.problem(f"{qloc}.required", "must be true or false")
                required = True
            if "show_if" in q:
                pending_conditions.append((f"{qloc}.show_if", q["show_if"]))
            label = r.text(q, "label", qloc)
            questions.append(
                m.Question(
                    id=qid,
                    type=qtype,
                    label=label or m.Text.of(en=qid),
                    help=r.text(q, "help", qloc, required=False),
                    required=required,
                    show_if=q.get("show_if"),
                    options=tuple(options),
                    exclusive=tuple(exclusive),
                )
            )
        title = r.text(page, "title", ploc)
        pages.append(
            m.Page(
                pid,
                title or m.Text.of(en=pid),
                tuple(questions),
                r.text(page, "intro", ploc, required=False),
            )
        )
    form = m.Questionnaire(meta, tuple(pages))
    fields = _fields(form)
    for where, cond in pending_conditions:
        _check_condition(r, cond, where, fields)
    return form


def _fields(intake: m.Questionnaire | None) -> dict[str, m.Question | str]:
    fields: dict[str, m.Question | str] = dict(DERIVED_FACTS)
    if intake is not None:
        fields.update({q.id: q for q in intake.questions})
    return fields


def _phq9(r: _Reader, meta: m.FormMeta) -> m.Phq9Form:
    d = r.data
    options = []
    for oloc, opt in r.tables(d, "options", ""):
        value = opt.get("value")
        if value not in (0, 1, 2, 3) or isinstance(value, bool):
            r.problem(f"{oloc}.value", "must be 0, 1, 2 or 3")
        options.append(
            (
                int(value) if isinstance(value, int) else 0,
                r.text(opt, "label", oloc) or m.Text.of(en="?"),
            )
        )
    if sorted(v for v, _ in options) != [0, 1, 2, 3]:
        r.problem("options", "must have the four answers valued 0, 1, 2 and 3")
    items = []
    seen: dict[str, str] = {}
    for iloc, item in r.tables(d, "items", ""):
        iid = r.string(item, "id", iloc)
        r.unique(seen, iid, iloc)
        items.append((iid, r.text(item, "text", iloc) or m.Text.of(en="?")))
    if [i for i, _ in items] != [f"phq9_{n}" for n in range(1, 10)]:
        r.problem("items", "must be the nine items phq9_1 .. phq9_9 in order")
    bands = []
    for bloc, band in r.tables(d, "bands", ""):
        bands.append(
            m.Band(
                int(r.number(band, "min", bloc)),
                int(r.number(band, "max", bloc)),
                r.string(band, "id", bloc),
                r.text(band, "label", bloc) or m.Text.of(en="?"),
            )
        )
    covered = sorted((b.min, b.max) for b in bands)
    expected_next = 0
    for lo, hi in covered:
        if lo != expected_next or hi < lo:
            r.problem(
                "bands", f"bands must cover 0..27 without gaps or overlaps (problem at {lo}-{hi})"
            )
            break
        expected_next = hi + 1
    else:
        if expected_next != 28:
            r.problem("bands", "bands must end at 27")
    diff = r.table(d, "difficulty", "")
    help_now = r.table(d, "help_now", "")
    diff_options = []
    for oloc, opt in r.tables(diff, "options", "difficulty"):
        diff_options.append(
            m.Option(r.string(opt, "value", oloc), r.text(opt, "label", oloc) or m.Text.of(en="?"))
        )
    return m.Phq9Form(
        meta=meta,
        loinc=r.string(d, "loinc", ""),
        stem=r.text(d, "stem", "") or m.Text.of(en="?"),
        options=tuple(sorted(options, key=lambda o: o[0])),
        items=tuple(items),
        bands=tuple(sorted(bands, key=lambda b: b.min)),
        difficulty_text=r.text(diff, "text", "difficulty") or m.Text.of(en="?"),
        difficulty_options=tuple(diff_options),
        help_now_title=r.text(help_now, "title", "help_now") or m.Text.of(en="?"),
        help_now_body=r.text(help_now, "body", "help_now") or m.Text.of(en="?"),
    )


def _risks(r: _Reader, meta: m.FormMeta, fields: dict[str, m.Question | str]) -> m.RisksForm:
    topics = []
    seen: dict[str, str] = {}
    for tloc, topic in r.tables(r.data, "topics", ""):
        tid = r.string(topic, "id", tloc)
        r.unique(seen, "topic:" + tid, tloc)
        statements = []
        for sloc, st in r.tables(topic, "statements", tloc):
            sid = r.string(st, "id", sloc)
            r.unique(seen, sid, sloc)
            if sid and not sid.startswith(tid + "."):
                r.problem(f"{sloc}.id", f"statement ids start with their topic: '{tid}.…'")
            audience = st.get("audience", "all")
            if audience not in ("all", "guardian"):
                r.problem(f"{sloc}.audience", f"must be 'all' or 'guardian', not '{audience}'")
            cond = _check_condition(r, st.get("applies_if"), f"{sloc}.applies_if", fields)
            statements.append(
                m.Statement(sid, tid, r.text(st, "text", sloc) or m.Text.of(en="?"), cond, audience)
            )
        topics.append(
            m.Topic(
                tid,
                r.text(topic, "title", tloc) or m.Text.of(en="?"),
                tuple(statements),
                r.text(topic, "intro", tloc, required=False),
            )
        )
    return m.RisksForm(meta, tuple(topics))


def _quiz(
    r: _Reader,
    meta: m.FormMeta,
    fields: dict[str, m.Question | str],
    statement_ids: set[str] | None,
) -> m.QuizForm:
    questions = []
    seen: dict[str, str] = {}
    for qloc, q in r.tables(r.data, "questions", ""):
        qid = r.string(q, "id", qloc)
        r.unique(seen, qid, qloc)
        choices = []
        cseen: dict[str, str] = {}
        for cloc, c in r.tables(q, "choices", qloc):
            cid = r.string(c, "id", cloc)
            r.unique(cseen, cid, cloc)
            choices.append(m.Choice(cid, r.text(c, "text", cloc) or m.Text.of(en="?")))
        if len(choices) < 2:
            r.problem(f"{qloc}.choices", "needs at least two choices")
        answer = r.string(q, "answer", qloc)
        if answer and answer not in cseen:
            r.problem(f"{qloc}.answer", f"'{answer}' is not one of the choices")
        tests = q.get("tests", [])
        if not isinstance(tests, list) or not tests or not all(isinstance(t, str) for t in tests):
            r.problem(f"{qloc}.tests", "must list the statement ids this question checks")
            tests = []
        elif statement_ids is not None:
            for t in tests:
                if t not in statement_ids:
                    r.problem(f"{qloc}.tests", f"unknown statement '{t}'")
        cond = _check_condition(r, q.get("applies_if"), f"{qloc}.applies_if", fields)
        questions.append(
            m.QuizQuestion(
                qid,
                r.text(q, "prompt", qloc) or m.Text.of(en="?"),
                tuple(choices),
                answer,
                r.text(q, "explanation", qloc) or m.Text.of(en="?"),
                tuple(tests),
                cond,
            )
        )
    return m.QuizForm(meta, tuple(questions))


def _aftercare(
    r: _Reader, meta: m.FormMeta, fields: dict[str, m.Question | str]
) -> m.AftercareForm:
    """Sections as in the education packet (no 'call us now' page), with known placeholders."""
    sections = _education(r, meta, fields, summary_page=False).sections
    known = set(m.AFTERCARE_PLACEHOLDERS)
    for section in sections:
        texts = [("title", section.title), ("body", section.body), ("closing", section.closing)]
        texts += [(f"{b.id}.text", b.text) for b in section.bullets]
        for where, text in texts:
            for lang, value in text.values if text is not None else ():
                for name in re.findall(r"\{([^{}]*)\}", value):
                    if name not in known:
                        r.problem(
                            f"sections.{section.id}.{where}",
                            f"'{lang}' has an unknown placeholder {{{name}}}; known:"
                            f" {', '.join(m.AFTERCARE_PLACEHOLDERS)}",
                        )
    return m.AftercareForm(meta, sections)


def _education(
    r: _Reader,
    meta: m.FormMeta,
    fields: dict[str, m.Question | str],
    summary_page: bool = True,
) -> m.EducationForm:
    sections = []
    seen: dict[str, str] = {}
    for sloc, s in r.tables(r.data, "sections", ""):
        sid = r.string(s, "id", sloc)
        r.unique(seen, sid, sloc)
        cond = _check_condition(r, s.get("applies_if"), f"{sloc}.applies_if", fields)
        body = r.text(s, "body", sloc) or m.Text.of(en="?")
        closing = r.text(s, "closing", sloc, required=False)
        for key, text in (("body", body), ("closing", closing)):
            _no_inline_bullets(r, text, f"{sloc}.{key}")
        bullets = []
        for bloc, b in r.tables(s, "bullets", sloc, required=False):
            bid = r.string(b, "id", bloc)
            r.unique(seen, bid, bloc)
            if bid and not bid.startswith(sid + "."):
                r.problem(f"{bloc}.id", f"bullet ids start with their section: '{sid}.…'")
            text = r.text(b, "text", bloc) or m.Text.of(en="?")
            if any(not ln.strip() for _, value in text.values for ln in value.strip().splitlines()):
                r.problem(f"{bloc}.text", "a bullet is one paragraph: no blank lines")
            bcond = _check_condition(r, b.get("applies_if"), f"{bloc}.applies_if", fields)
            bullets.append(m.Bullet(bid, text, bcond))
        sections.append(
            m.Section(
                sid,
                r.text(s, "title", sloc) or m.Text.of(en="?"),
                body,
                cond,
                bool(s.get("summary", False)),
                tuple(bullets),
                closing,
            )
        )
    if summary_page and sum(s.summary for s in sections) != 1:
        r.problem(
            "sections",
            "exactly one section must have summary = true (the 'when to call us now' page)",
        )
    return m.EducationForm(meta, tuple(sections))


def _no_inline_bullets(r: _Reader, text: m.Text | None, where: str) -> None:
    """Packet bullets are [[sections.bullets]] with an id and a rule, never "- " lines."""
    for lang, value in text.values if text is not None else ():
        if any(line.strip() == "-" or line.strip().startswith("- ") for line in value.splitlines()):
            r.problem(
                where,
                f"'{lang}' has a \"- \" bullet line: write each bullet as a [[sections.bullets]]"
                " table with an id (and applies_if when it is not for every patient)",
            )
            return


def _clinic(r: _Reader, meta: m.FormMeta) -> m.ClinicProfile:
    d = r.data
    c = r.table(d, "clinic", "")
    labs_t = r.table(d, "labs", "")
    course = r.table(d, "course", "")
    kiosk = r.table(d, "kiosk", "", required=False)
    alerts = r.table(d, "alerts", "", required=False)
    labs = []
    for lab_id, lab in labs_t.items():
        loc = f"labs.{lab_id}"
        if not isinstance(lab, dict):
            r.problem(loc, "must be a table")
            continue
        low, high = r.number(lab, "low", loc), r.number(lab, "high", loc)
        if high <= low:
            r.problem(loc, "high must be above low")
        critical: float | None = None
        if "critical_high" in lab:
            critical = float(r.number(lab, "critical_high", loc))
            if critical <= high:
                r.problem(loc, "critical_high must be above high")
        labs.append(
            m.LabRange(
                lab_id,
                r.text(lab, "label", loc) or m.Text.of(en=lab_id),
                r.string(lab, "unit", loc),
                float(low),
                float(high),
                critical,
            )
        )
    tz = r.string(c, "timezone", "clinic")
    if tz:
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(tz)
        except Exception:
            r.problem(
                "clinic.timezone", f"unknown time zone '{tz}' (use a name such as America/New_York)"
            )
    lo, hi = (
        r.number(course, "target_cumulative_mg_per_kg_low", "course"),
        r.number(course, "target_cumulative_mg_per_kg_high", "course"),
    )
    if hi < lo:
        r.problem("course", "the target range's high is below its low")
    return m.ClinicProfile(
        meta=meta,
        name=r.string(c, "name", "clinic"),
        department=str(_department(c).get("en", ""))
        if isinstance(c.get("department"), dict)
        else r.string(c, "department", "clinic", required=False),
        department_text=r.text(c, "department", "clinic", required=False)
        if isinstance(c.get("department"), dict)
        else None,
        address=r.string(c, "address", "clinic"),
        phone=r.string(c, "phone", "clinic"),
        email=r.string(c, "email", "clinic", required=False),
        hours=r.text(c, "hours", "clinic") or m.Text.of(en=""),
        timezone=tz or "UTC",
        logo=c.get("logo") if isinstance(c.get("logo"), str) else None,
        record_prefix=r.string(c, "record_prefix", "clinic", required=False, default="MRN"),
        paper=_paper(r, c),
        allow_stones=_allow_stones(r, c),
        mood_release_role=_release_role(r, alerts),
        labs=tuple(labs),
        target_mg_per_kg=(float(lo), float(hi)),
        course_months=(
            int(r.number(course, "months_low", "course", 4)),
            int(r.number(course, "months_high", "course", 6)),
        ),
        visit_interval_days=int(r.number(course, "visit_interval_days", "course", 30)),
        idle_timeout_seconds=int(kiosk.get("idle_timeout_seconds", 90)),
        idle_warning_seconds=_idle_warning(r, kiosk),
        open_weekdays=_open_days(r, c),
        closures=_closures(r, c),
        form_changes=_form_changes(r, d),
    )


CONSENT_FORMS = ("risks",)  # as intake.domain.reconsent.CONSENT_FORMS
CHANGE_CLASSES = ("major", "minor")
VERSION_PATTERN = re.compile(r"\d+\.\d+\.\d+")


def _form_changes(r: _Reader, d: dict[str, Any]) -> tuple[tuple[str, str, str], ...]:
    out: list[tuple[str, str, str]] = []
    seen: dict[str, str] = {}
    for loc, item in r.tables(d, "form_changes", "", required=False):
        form = item.get("form")
        version = item.get("version")
        change = item.get("change")
        ok = True
        if form not in CONSENT_FORMS:
            r.problem(
                f"{loc}.form",
                f'must be "risks" (the form whose statements a patient consents to), not {form!r}',
            )
            ok = False
        if not isinstance(version, str) or not VERSION_PATTERN.fullmatch(version):
            r.problem(
                f"{loc}.version",
                f'must be a version written in quotes, such as "1.2.0", not {version!r}',
            )
            ok = False
        if change not in CHANGE_CLASSES:
            r.problem(
                f"{loc}.change",
                f'must be "major" (patients who signed an earlier version consent again) or'
                f' "minor" (they are only told), not {change!r}',
            )
            ok = False
        if ok:
            r.unique(seen, f"{form} {version}", loc)
            out.append((str(form), str(version), str(change)))
    return tuple(out)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order


def _open_days(r: _Reader, clinic: dict[str, Any]) -> tuple[int, ...]:
    value = clinic.get("open_days", list(WEEKDAYS))
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v in WEEKDAYS for v in value)
    ):
        r.problem(
            "clinic.open_days",
            'must be a list of at least one weekday, each one of "mon", "tue", "wed", "thu",'
            f' "fri", "sat", "sun" (for example ["mon", "tue", "wed", "thu", "fri"]), not {value!r}',
        )
        return tuple(range(7))
    if len(set(value)) != len(value):
        r.problem("clinic.open_days", "names a weekday twice")
    return tuple(sorted({WEEKDAYS.index(v) for v in value}))


def _closures(r: _Reader, clinic: dict[str, Any]) -> tuple[dt.date, ...]:
    value = clinic.get("closures", [])
    if not isinstance(value, list):
        r.problem(
            "clinic.closures", f"must be a list of dates such as 2026-04-05, not {_kind(value)}"
        )
        return ()
    days: list[dt.date] = []
    for i, day in enumerate(value):
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            r.problem(
                f"clinic.closures[{i}]",
                f"must be a date such as 2026-04-05 (no quotes), not {day!r}",
            )
            continue
        if day in days:
            r.problem(f"clinic.closures[{i}]", f"{day.isoformat()} is listed twice")
            continue
        days.append(day)
    return tuple(sorted(days))


# WCAG 2.2 success criterion 2.2.1 (timing adjustable): the "Are you still there?" warning
# gives at least 20 seconds to answer it.
MIN_IDLE_WARNING_SECONDS = 20


def _idle_warning(r: Any, kiosk: dict[str, Any]) -> int:
    value = kiosk.get("idle_warning_seconds", MIN_IDLE_WARNING_SECONDS)
    if isinstance(value, bool) or not isinstance(value, int):
        r.problem("kiosk.idle_warning_seconds", "must be a whole number of seconds")
        return MIN_IDLE_WARNING_SECONDS
    if value < MIN_IDLE_WARNING_SECONDS:
        r.problem(
            "kiosk.idle_warning_seconds",
            f"is {value}: the warning must give at least {MIN_IDLE_WARNING_SECONDS} seconds to"
            " answer it (WCAG 2.2, 2.2.1)",
        )
        return MIN_IDLE_WARNING_SECONDS
    return value


def _department(clinic: dict[str, Any]) -> dict[str, str]:
    value = clinic.get("department")
    return value if isinstance(value, dict) else {}


def _paper(r: _Reader, clinic: dict[str, Any]) -> str:
    paper = clinic.get("paper", "letter")
    if paper not in ("letter", "a4"):
        r.problem("clinic.paper", f'must be "letter" or "a4", not {paper!r}')
        return "letter"
    return str(paper)


RELEASE_ROLES = ("clinician", "front_desk", "admin")


def _release_role(r: _Reader, alerts: dict[str, Any]) -> str:
    value = alerts.get("mood_release_role", "clinician")
    if value not in RELEASE_ROLES:
        shown = f"{value!r}" if isinstance(value, str) else _kind(value)
        r.problem(
            "alerts.mood_release_role",
            f'must be "clinician", "front_desk" or "admin", not {shown}',
        )
        return "clinician"
    return str(value)


def _allow_stones(r: _Reader, clinic: dict[str, Any]) -> bool:
    value = clinic.get("allow_stones", False)
    if not isinstance(value, bool):
        r.problem("clinic.allow_stones", f"must be true or false, not {_kind(value)}")
        return False
    return value


def _with_weight_units(form: m.Questionnaire, units: tuple[str, ...]) -> m.Questionnaire:
    """The questionnaire with every weight question taking the clinic's units."""

    def question(q: m.Question) -> m.Question:
        return dataclasses.replace(q, units=units) if q.type == "weight" else q

    pages = tuple(
        dataclasses.replace(p, questions=tuple(question(q) for q in p.questions))
        for p in form.pages
    )
    return dataclasses.replace(form, pages=pages)


RULESET_KEYS = (
    "id",
    "effective",
    "jurisdiction",
    "summary",
    "acknowledgements",
    "prescriber_attestations",
)


def _programme(
    r: _Reader, meta: m.FormMeta, statement_ids: set[str] | None = None
) -> m.ProgrammeForm:
    rulesets = []
    seen: dict[str, str] = {}
    for loc, rs in r.tables(r.data, "rulesets", ""):
        rid = r.string(rs, "id", loc)
        r.unique(seen, rid, loc)
        eff = rs.get("effective")
        if not isinstance(eff, dt.date) or isinstance(eff, dt.datetime):
            r.problem(f"{loc}.effective", "must be a date such as 2026-01-22")
            eff = dt.date.min
        numbers = {k: v for k, v in rs.items() if k not in RULESET_KEYS}
        acknowledgements = rs.get("acknowledgements", [])
        if not isinstance(acknowledgements, list) or not all(
            isinstance(a, str) for a in acknowledgements
        ):
            r.problem(f"{loc}.acknowledgements", "must be a list of risk statement ids")
            acknowledgements = []
        elif statement_ids is not None:
            for a in acknowledgements:
                if a not in statement_ids:
                    r.problem(f"{loc}.acknowledgements", f"no risk statement '{a}'")
        attestations = []
        seen_attestations: dict[str, str] = {}
        for aloc, a in r.tables(rs, "prescriber_attestations", loc, required=False):
            aid = r.string(a, "id", aloc)
            r.unique(seen_attestations, aid, aloc)
            attestations.append(m.Attestation(aid, r.text(a, "text", aloc) or m.Text.of(en="")))
        rulesets.append(
            m.RuleSet(
                rid,
                eff,
                r.string(rs, "jurisdiction", loc),
                r.text(rs, "summary", loc) or m.Text.of(en=""),
                numbers,
                tuple(acknowledgements),
                tuple(attestations),
            )
        )
    default = r.string(r.data, "default_jurisdiction", "")
    if default and not any(rs.jurisdiction == default for rs in rulesets):
        r.problem("default_jurisdiction", f"no ruleset for '{default}'")
    return m.ProgrammeForm(meta, default, tuple(rulesets))


# --- entry points ------------------------------------------------------------------------------


def load_forms(root: Path | str | None = None) -> m.FormSet:
    """Load every form under ``root``; raise FormsInvalid listing every problem found."""
    base = Path(root) if root is not None else forms_dir()
    problems: list[FormProblem] = []
    readers: dict[str, tuple[_Reader, m.FormMeta]] = {}
    for kind in FORM_KINDS:
        folder = FOLDER_FOR_KIND[kind]
        path = base / folder / "form.toml"
        shown = f"{folder}/form.toml"
        if not path.exists():
            problems.append(FormProblem(shown, "", "is missing"))
            continue
        data, errs = _read_file(path, shown)
        problems += errs
        if data is None:
            continue
        problems += _length_problems(shown, data)
        langs = data.get("languages")
        if (
            not isinstance(langs, list)
            or not langs
            or not all(lang in m.LANGUAGES for lang in langs)
        ):
            problems.append(
                FormProblem(
                    shown, "languages", f"must list the languages, from {', '.join(m.LANGUAGES)}"
                )
            )
            langs = list(m.LANGUAGES)
        elif set(langs) != set(m.LANGUAGES):
            missing = [lang for lang in m.LANGUAGES if lang not in langs]
            problems.append(
                FormProblem(
                    shown,
                    "languages",
                    f"missing language {', '.join(missing)}: every form is given in {', '.join(m.LANGUAGES)}",
                )
            )
        reader = _Reader(shown, data, tuple(langs))
        meta = _meta(reader, folder, canonical_sha256(data))
        if meta is not None and meta.kind != kind:
            meta = None  # already reported by _meta
        problems += reader.problems
        reader.problems = []
        if meta is not None:
            readers[kind] = (reader, meta)

    def build(kind: str, fn: Any, *args: Any) -> Any:
        if kind not in readers:
            return None
        reader, meta = readers[kind]
        result = fn(reader, meta, *args)
        problems.extend(reader.problems)
        return result

    intake = build("questionnaire", _questionnaire)
    fields = _fields(intake)
    phq9 = build("phq9", _phq9)
    risks = build("risks", _risks, fields)
    quiz = build("quiz", _quiz, fields, {s.id for s in risks.statements} if risks else None)
    education = build("education", _education, fields)
    clinic = build("clinic", _clinic)
    programme = build("programme", _programme, {s.id for s in risks.statements} if risks else None)
    aftercare = build("aftercare", _aftercare, fields)
    # The monthly check-in is a questionnaire of its own (same question types and conditions).
    checkin = build("checkin", _questionnaire)
    if problems:
        raise FormsInvalid(problems)
    if clinic.allow_stones:
        intake = _with_weight_units(intake, ("kg", "lb", "st"))
        checkin = _with_weight_units(checkin, ("kg", "lb", "st"))
    return m.FormSet(intake, phq9, risks, quiz, education, clinic, programme, aftercare, checkin)


def read_lock(root: Path | str | None = None) -> dict[str, tuple[str, str]]:
    """The committed (version, sha256) of each form, from ``forms/versions.lock``.

    Raises FormsInvalid when the file is there but unreadable.
    """
    base = Path(root) if root is not None else forms_dir()
    path = base / LOCK_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text("utf-8"))
        return {k: (v["version"], v["sha256"]) for k, v in data.get("forms", {}).items()}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise FormsInvalid(
            [
                FormProblem(
                    LOCK_FILE,
                    "",
                    f"cannot be read ({reason}); write it again with `main.py forms lock`",
                )
            ]
        ) from None


def write_lock(forms: m.FormSet, root: Path | str | None = None) -> Path:
    """Record each form's version and content hash.

    Refused (FormsInvalid) for a form whose content changed under the version already locked:
    two different texts would then both claim to be that version.
    """
    base = Path(root) if root is not None else forms_dir()
    locked = read_lock(root)
    unbumped = [
        FormProblem(
            meta.path,
            "version",
            f"content changed but version is still {meta.version} (as in {LOCK_FILE});"
            " bump the version first: the lock was not written",
        )
        for meta in forms.metas
        if meta.id in locked
        and locked[meta.id] != (meta.version, meta.sha256)
        and locked[meta.id][0] == meta.version
    ]
    if unbumped:
        raise FormsInvalid(unbumped)
    lines = [
        "# Written by `main.py forms lock`: the content hash of each form version.",
        "# A form whose content changes needs a new version before the lock is written again.",
        "",
    ]
    for form_id, (version, sha) in sorted(forms.versions().items()):
        lines += [f"[forms.{form_id}]", f'version = "{version}"', f'sha256 = "{sha}"', ""]
    path = base / LOCK_FILE
    path.write_text("\n".join(lines), "utf-8")
    return path


def lock_problems(forms: m.FormSet, root: Path | str | None = None) -> list[FormProblem]:
    """Forms whose content or version is not the one recorded in ``versions.lock``.

    A consent names its form's version and content hash: a text changed under an old version
    number, or a version nobody locked, would make that record say something untrue.
    """
    try:
        locked = read_lock(root)
    except FormsInvalid as exc:
        return exc.problems
    out = []
    for meta in forms.metas:
        if meta.id not in locked:
            out.append(
                FormProblem(
                    meta.path, "", f"is not recorded in {LOCK_FILE}; run `main.py forms lock`"
                )
            )
            continue
        old_version, old_sha = locked[meta.id]
        if old_version == meta.version and old_sha != meta.sha256:
            out.append(
                FormProblem(
                    meta.path,
                    "version",
                    f"content changed but version is still {meta.version} (as in {LOCK_FILE});"
                    " bump the version, then run `main.py forms lock`",
                )
            )
        elif old_version != meta.version:
            out.append(
                FormProblem(
                    meta.path,
                    "version",
                    f"{meta.version} is not recorded in {LOCK_FILE} (it has {old_version});"
                    " run `main.py forms lock`",
                )
            )
    return out


@dataclass(frozen=True)
class FormsCheck:
    """The outcome of checking a forms folder: the forms when they load, and every problem."""

    forms: m.FormSet | None
    problems: tuple[FormProblem, ...]

    @property
    def ok(self) -> bool:
        return self.forms is not None and not self.problems


def check_forms(root: Path | str | None = None) -> FormsCheck:
    """What `main.py forms check`, `main.py demo` and the app at start-up all check: every file
    valid, and every form's version and content recorded in ``versions.lock``."""
    try:
        forms = load_forms(root)
    except FormsInvalid as exc:
        return FormsCheck(None, tuple(exc.problems))
    return FormsCheck(forms, tuple(lock_problems(forms, root)))
