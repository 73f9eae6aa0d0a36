"""Month and weekday names for dates shown to patients, in each language (from Babel, by the
language registry's locale: intake/i18n.py)."""

from __future__ import annotations

import datetime as dt

from intake import i18n


def month_name(month: int, lang: str) -> str:
    return i18n.month_name(month, lang)


def weekday_name(value: dt.date, lang: str) -> str:
    return i18n.weekday_name(value, lang)
