"""The guardian page says what the guardian does at this visit: at a plain check-in they
confirm the month's answers and co-sign the monthly attestation; at a first visit or a
re-consent they read and initial every statement too."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QLabel

from intake.domain import reconsent as rc
from intake.domain.wizard import KioskFlow
from intake.ui.kiosk.risks import GuardianPage
from intake.ui.kiosk.text import t


def _texts(page: GuardianPage) -> list[str]:
    return [label.text() for label in page.findChildren(QLabel)]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_guardian_intro_fits_the_visit(qtbot, sqlite_ctx, lang: str) -> None:  # type: ignore[no-untyped-def]
    forms = sqlite_ctx.forms
    today = dt.date(2026, 12, 6)
    checkin = t("guardian_intro_checkin", lang)
    first = t("guardian_intro", lang)
    assert checkin != first and "initial" not in t("guardian_intro_checkin", "en")

    plain = GuardianPage(KioskFlow(forms, today, lang=lang, checkin_month=3), lang)
    qtbot.addWidget(plain)
    assert checkin in _texts(plain) and first not in _texts(plain)

    visit = GuardianPage(KioskFlow(forms, today, lang=lang), lang)
    qtbot.addWidget(visit)
    assert first in _texts(visit) and checkin not in _texts(visit)

    # A check-in carrying a re-consent asks for initials again (only its presence matters).
    flow = KioskFlow(forms, today, lang=lang, checkin_month=3)
    flow.reconsent = object.__new__(rc.SignedConsent)
    renewal = GuardianPage(flow, lang)
    qtbot.addWidget(renewal)
    assert first in _texts(renewal) and checkin not in _texts(renewal)
