"""The kiosk walked in the pseudo-locale: every label and button a patient sees is marked.

A text the catalogue or the forms did not give (hard-coded English, a sentence built in code)
shows up here as letters outside ⟦ ⟧. Screenshots of a few pages at 1280x800 go to
INTAKE_PSEUDO_SHOTS when it is set, to look for clipping by the 30% longer texts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from kiosk_fit import settled_clipped
from pseudo_text import shown_texts, unmarked
from test_kiosk_driver import KioskDriver, register

from intake import i18n
from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient
from intake.ui.kiosk.base import KioskPage
from intake.ui.kiosk.theme import TEXT_SIZES


@pytest.fixture(autouse=True)
def _pseudo_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    # autouse: set before the kiosk fixture builds its window
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")


def test_unmarked_finds_text_outside_the_brackets() -> None:
    assert unmarked("⟦Pááge 1 óf 6: ⟦Ábóút ýóú⟧⟧", ()) == ""
    assert unmarked("<b>⟦Héllo⟧</b> 12/03/1990", ()) == ""
    assert unmarked("⟦Héllo⟧ Patient", ()) == "Patient"
    assert unmarked("Zoë Nguyễn: ⟦síígn⟧", ("Zoë", "Nguyễn")) == ""


def test_every_kiosk_page_is_marked_in_the_pseudo_locale(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient(lang="en")
    reg = register(sqlite_ctx, patient)
    shots = os.environ.get("INTAKE_PSEUDO_SHOTS", "")
    data = (
        patient.first_name,
        patient.last_name,
        f"{patient.first_name} {patient.last_name}",
        *(str(v) for page in patient.page_answers().values() for v in page.values()),
        sqlite_ctx.forms.clinic.name,  # the clinic's own name, in the bar
        *(lang.name for lang in i18n.languages()),  # each language's own name, on its button
    )
    problems: list[str] = []
    seen: list[str] = []
    original = kiosk.check_page

    def check_page() -> None:
        original()
        window = kiosk.window
        page = kiosk.page
        name = page.objectName()
        if kiosk.window.flow is not None:
            name = kiosk.step()
        if name in seen:
            return
        seen.append(name)
        for where, text in shown_texts(window, [page, window.bar, window.nav]):
            left = unmarked(text, data)
            if left:
                problems.append(f"{name}: {where}: {left!r} in {text!r}")
        if shots and len(seen) <= 40:
            Path(shots).mkdir(parents=True, exist_ok=True)
            file = re.sub(r"[^\w.-]", "_", name)
            window.grab().save(str(Path(shots) / f"{len(seen):02d}-{file}.png"))

    kiosk.check_page = check_page  # type: ignore[method-assign]
    kiosk.wait_ready()
    kiosk.click("welcome_lang_pseudo")
    assert kiosk.window.lang == "pseudo"
    kiosk.check_page()
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.walk_visit(patient)
    assert {"page_welcome", "phq9", "review", "done"} <= set(seen)
    assert any(s.startswith("topic:") for s in seen) and any(s.startswith("quiz:") for s in seen)
    assert not problems, "text that is not in the pseudo-locale:\n" + "\n".join(problems)


def test_the_pseudo_locale_is_offered_only_when_asked(
    kiosk: KioskDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "pseudo" in kiosk.window.bar.languages
    monkeypatch.delenv(i18n.PSEUDO_ENV)
    assert i18n.offered() == i18n.codes() and "pseudo" not in i18n.offered()


def test_every_kiosk_page_shows_its_whole_text_at_1024x768_in_the_largest_text(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    """Texts 30% longer, in the largest text size, on the smallest screen the kiosk runs on: no
    button or label cuts its text, none lies outside the window."""
    patient = ScriptedPatient(lang="en")
    reg = register(sqlite_ctx, patient)
    shots = os.environ.get("INTAKE_PSEUDO_SHOTS", "")
    window = kiosk.window
    window.resize(1024, 768)
    problems: dict[str, list[str]] = {}
    original = kiosk.check_page

    def check_page() -> None:
        original()
        page = kiosk.page
        name = kiosk.step() if window.flow is not None else page.objectName()
        if name in problems:
            return
        roots = [page, window.bar, window.nav]
        problems[name] = settled_clipped(kiosk.qtbot, window, roots)
        if shots:  # the window, and the whole of the page scrolled
            Path(shots).mkdir(parents=True, exist_ok=True)
            file = re.sub(r"[^\w.-]", "_", name)
            window.grab().save(str(Path(shots) / f"fit-{len(problems):02d}-{file}.png"))
            if isinstance(page, KioskPage) and page.scroller.widget() is not None:
                whole = page.scroller.widget().grab()
                whole.save(str(Path(shots) / f"fit-{len(problems):02d}-{file}-whole.png"))

    kiosk.check_page = check_page  # type: ignore[method-assign]
    kiosk.click("welcome_lang_pseudo")
    window.set_text_size(len(TEXT_SIZES) - 1)
    assert window.lang == "pseudo"
    kiosk.check_page()
    kiosk.open_with_code(patient.date_of_birth, reg.started.code)
    kiosk.walk_visit(patient)
    assert {"page_welcome", "phq9", "review", "done"} <= set(problems)
    cut = [f"{name}: {line}" for name, lines in problems.items() for line in lines]
    assert not cut, "text cut off or outside the window:\n" + "\n".join(cut)


@pytest.mark.parametrize("screen", [(1024, 768), (1280, 800)], ids=["1024x768", "1280x800"])
@pytest.mark.parametrize("size", [0, len(TEXT_SIZES) - 1], ids=["normal", "largest"])
@pytest.mark.parametrize("lang", ["en", "es", "pseudo"])
def test_welcome_shows_every_text_whole(
    kiosk: KioskDriver, screen: tuple[int, int], size: int, lang: str
) -> None:
    """The language buttons go on to a further row rather than cut their names."""
    window = kiosk.window
    window.resize(*screen)
    if lang != window.lang:
        kiosk.click(f"welcome_lang_{lang}")
    window.set_text_size(size)
    page = kiosk.page
    assert page.objectName() == "page_welcome" and window.lang == lang
    cut = settled_clipped(kiosk.qtbot, window, [page, window.bar, window.nav])
    assert not cut, "\n".join(cut)
    buttons = [kiosk.find(f"welcome_lang_{code}") for code in i18n.offered()]
    assert all(b.width() >= b.sizeHint().width() for b in buttons)
