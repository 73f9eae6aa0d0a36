"""Month and weekday names for dates shown to patients, in each language."""

from __future__ import annotations

import datetime as dt

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
}
WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
}


def month_name(month: int, lang: str) -> str:
    return MONTHS.get(lang, MONTHS["en"])[month - 1]


def weekday_name(value: dt.date, lang: str) -> str:
    return WEEKDAYS.get(lang, WEEKDAYS["en"])[value.weekday()]
