"""Which letters the documents can print, so a name the consent could not show is refused.

Plain data and ``bisect``: the domain reads no font. The ranges come from the fonts in
``resources/`` (see ``printable_ranges``).
"""

from __future__ import annotations

import bisect

from intake.domain.printable_ranges import RANGES

_STARTS = tuple(start for start, _ in RANGES)


def can_print(char: str) -> bool:
    """Whether one character has a glyph in both the regular and the bold document font."""
    point = ord(char)
    i = bisect.bisect_right(_STARTS, point) - 1
    return i >= 0 and RANGES[i][0] <= point <= RANGES[i][1]


def unprintable(text: str) -> str:
    """The characters of ``text`` the documents could not print, each once, in order."""
    seen: dict[str, None] = {}
    for char in text:
        if not char.isspace() and not can_print(char):
            seen.setdefault(char, None)
    return "".join(seen)
