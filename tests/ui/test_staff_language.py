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


def test_a_refusal_without_staff_words_is_never_english_at_a_spanish_station(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from intake.domain.errors import Coded
    from intake.services.errors import InvalidInput, ServiceError
    from intake.ui.common import MessageLabel, refusal_text

    letters = Coded("Please use letters for the name.", "name_letters")
    worded = InvalidInput({"first_name": letters})
    locked = ServiceError("Locked for 5 minutes.", code="code_locked", minutes=5)
    bare = ServiceError("Some English the catalogue does not know.", code="no_such_code")
    # English: the service's own words, as before
    assert refusal_text(worded) == "Please use letters for the name."
    assert refusal_text(bare) == "Some English the catalogue does not know."
    monkeypatch.setenv(STAFF_LANG_ENV, "es")
    assert refusal_text(worded) == i18n.tr("kiosk.error_name_letters", "es")
    assert refusal_text(locked) == i18n.tr("kiosk.error_code_locked", "es", count=5, minutes=5)
    assert refusal_text(bare) == i18n.tr("kiosk.error_refused", "es")
    label = MessageLabel()
    label.show_error(letters)  # a field's problem shown as the service gave it
    assert label.text() == i18n.tr("kiosk.error_name_letters", "es")
    label.show_error("Un texto ya en español.")  # a text without a code is shown as it is
    assert label.text() == "Un texto ya en español."
