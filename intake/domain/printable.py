"""Which letters the documents can print, so a name the consent could not show is refused.

Plain data and ``bisect``: the domain reads no font. The ranges come from the fonts in
``resources/`` (see ``printable_ranges``).
"""

from __future__ import annotations

import bisect
import unicodedata

from intake.domain.printable_ranges import RANGES

_STARTS = tuple(start for start, _ in RANGES)
# Bidi classes that start or mark right-to-left text: its letters, Arabic-Indic digits, and the
# embedding, override and isolate controls that reorder whatever follows them.
_RIGHT_TO_LEFT = frozenset(
    {"R", "AL", "AN", "RLE", "RLO", "LRE", "LRO", "PDF", "RLI", "LRI", "FSI", "PDI"}
)


def needs_text_layout(char: str) -> bool:
    """Whether a letter can only be printed right with shaping and bidi, or not read back at all.

    The documents draw text left to right, one glyph per character: letters of right-to-left
    scripts (Arabic, Hebrew, Syriac...) would come out unjoined and in the wrong order, and a
    character beyond the Basic Multilingual Plane gets a text layer no reader can map back.
    """
    return ord(char) > 0xFFFF or unicodedata.bidirectional(char) in _RIGHT_TO_LEFT


def can_print(char: str) -> bool:
    """Whether one character prints as written: a glyph in both document fonts, drawn in order."""
    if needs_text_layout(char):
        return False
    point = ord(char)
    i = bisect.bisect_right(_STARTS, point) - 1
    return i >= 0 and RANGES[i][0] <= point <= RANGES[i][1]


def misprinted(text: str) -> str:
    """The characters of ``text`` the documents would print out of order or unreadably, once each.

    Unlike a letter the fonts lack (drawn as a visible box), these would print wrong without any
    sign of it, so free text holding them is refused too.
    """
    seen: dict[str, None] = {}
    for char in text:
        if needs_text_layout(char):
            seen.setdefault(char, None)
    return "".join(seen)


def unprintable(text: str) -> str:
    """The characters of ``text`` the documents could not print, each once, in order."""
    seen: dict[str, None] = {}
    for char in text:
        if not char.isspace() and not can_print(char):
            seen.setdefault(char, None)
    return "".join(seen)
