"""A re-consent's own kiosk pages in the pseudo-locale: every text a patient sees is marked."""

from __future__ import annotations

import pytest
from pseudo_text import shown_texts, unmarked
from PySide6.QtWidgets import QLabel
from reconsent_forms import CHANGED, revised
from test_kiosk_driver import KioskDriver
from test_kiosk_reconsent import open_next_visit, signed_before

from intake import i18n
from intake.services.context import AppContext
from intake.services.scripted import ScriptedPatient


@pytest.fixture(autouse=True)
def _pseudo_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    # autouse: set before the kiosk fixture builds its window
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")


def test_the_re_consent_pages_are_marked_in_the_pseudo_locale(
    kiosk: KioskDriver, sqlite_ctx: AppContext
) -> None:
    patient = ScriptedPatient(sex_at_birth="male", can_become_pregnant=False)
    pid = signed_before(sqlite_ctx, patient)
    sqlite_ctx.forms = revised(sqlite_ctx.forms, "major")
    kiosk.wait_ready()
    kiosk.click("welcome_lang_pseudo")
    open_next_visit(kiosk, sqlite_ctx, patient, pid)
    data = (
        patient.first_name,
        patient.last_name,
        sqlite_ctx.forms.clinic.name,
        *(lang.name for lang in i18n.languages()),
    )
    problems = []
    for step in ("reconsent", "topic:dryness"):
        assert kiosk.step() == step
        window = kiosk.window
        for where, text in shown_texts(window, [kiosk.page, window.bar, window.nav]):
            if left := unmarked(text, data):
                problems.append(f"{step}: {where}: {left!r} in {text!r}")
        if step == "reconsent":
            kiosk.next()
    mark = kiosk.find(f"mark_{CHANGED}", QLabel).text()
    assert mark.startswith("⟦") and mark != "Changed"
    assert not problems, "text that is not in the pseudo-locale:\n" + "\n".join(problems)
