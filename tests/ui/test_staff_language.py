"""The staff screens' language: one setting (INTAKE_STAFF_LANG), every text from the catalogue."""

from __future__ import annotations

import pytest
from pseudo_text import unmarked_staff_texts

from intake import i18n
from intake.services.scripted import ensure_staff
from intake.services.staff import StaffService, staff_actor
from intake.ui.common import STAFF_LANG_ENV, staff_lang, staff_number, words
from intake.ui.staff.staff_title import StaffTitleBox


@pytest.mark.parametrize(
    ("setting", "pseudo", "expected"),
    [
        ("", "", "en"),
        ("es", "", "es"),
        ("pseudo", "", "en"),  # the pseudo-locale only where developers turned it on
        ("pseudo", "1", "pseudo"),
        ("klingon", "1", "en"),  # not a language of the catalogue: the source language
    ],
)
def test_the_staff_language_comes_from_one_setting(
    monkeypatch: pytest.MonkeyPatch, setting: str, pseudo: str, expected: str
) -> None:
    monkeypatch.setenv(STAFF_LANG_ENV, setting)
    monkeypatch.setenv(i18n.PSEUDO_ENV, pseudo)
    assert staff_lang() == expected
    assert words("staff.title_field") == i18n.tr("staff.title_field", expected)


def test_staff_numbers_follow_the_staff_language(monkeypatch: pytest.MonkeyPatch) -> None:
    assert staff_number(55.5, places=1) == "55.5"
    monkeypatch.setenv(STAFF_LANG_ENV, "es")
    assert staff_number(55.5, places=1) == "55,5"


def test_the_title_box_speaks_only_the_catalogue(qtbot, sqlite_ctx, staff_in_pseudo) -> None:  # type: ignore[no-untyped-def]
    ensure_staff(sqlite_ctx, "front_desk", "desk", "Front Desk")
    ensure_staff(sqlite_ctx, "clinician", "ana.ruiz", "Ana Ruiz")
    admin = next(i for i in StaffService(sqlite_ctx).list() if i.role == "admin")
    box = StaffTitleBox(sqlite_ctx, staff_actor(admin))
    qtbot.addWidget(box)
    box.show()
    qtbot.waitUntil(lambda: box.account.findData("ana.ruiz") >= 0)
    names = tuple(i.display_name for i in StaffService(sqlite_ctx).list())
    names += tuple(i.username for i in StaffService(sqlite_ctx).list())
    assert not unmarked_staff_texts(box, names)
