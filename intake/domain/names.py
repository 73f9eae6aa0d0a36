"""Names as the front desk types them: folded for search, one typo forgiven, likely duplicates.

One typo is one edit of a name word: a letter missing, added, changed, or two letters swapped
("Nguen", "Nguyyen", "Nunes" for "Nunez", "Ngyuen"). Words are found through their *deletion
neighbourhood* (the word and each form with one letter left out): two words within one edit
always share a form, so an exact lookup of a few short keys finds every candidate, on any
database, and rapidfuzz then keeps the ones really within one edit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz.distance import OSA

# Shorter words are not forgiven a typo: "Ana" one edit away is "Ava", "Anna", "Dana"...
MIN_TYPO_WORD = 4
MAX_WORD = 40  # longer runs of letters are not names worth indexing
_WORD_SPLIT = re.compile(r"[\s\-'’ʼ´.,]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: the form names are searched in."""
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def words(text: str) -> list[str]:
    """The folded words of a name: "García-López" -> ["garcia", "lopez"]."""
    return [w for w in _WORD_SPLIT.split(fold(text)) if w]


def typo_keys(word: str) -> set[str]:
    """The word and every form of it with one letter left out (its deletion neighbourhood)."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def index_entries(*names: str) -> set[tuple[str, str]]:
    """(key, word) pairs that make the words of these names findable with one typo."""
    out: set[tuple[str, str]] = set()
    for name in names:
        for word in words(name):
            if MIN_TYPO_WORD - 1 <= len(word) <= MAX_WORD:
                out.update((key, word) for key in typo_keys(word))
    return out


def one_typo(typed: str, word: str) -> bool:
    """True when ``word`` is exactly one edit (insert, delete, change, swap) from ``typed``."""
    return typed != word and OSA.distance(typed, word, score_cutoff=1) == 1


def _word_close(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < MIN_TYPO_WORD:
        return False
    return OSA.distance(a, b, score_cutoff=1) <= 1


def _covers(given: list[str], stored: list[str]) -> bool:
    """Every word given is, in order, a word stored (or one typo away); stored may have more."""
    i = 0
    for word in given:
        while i < len(stored) and not _word_close(word, stored[i]):
            i += 1
        if i == len(stored):
            return False
        i += 1
    return True


def likely_same_person_name(first_a: str, last_a: str, first_b: str, last_b: str) -> bool:
    """Whether two registered names are probably one person's (with the same date of birth).

    Accents, case and spacing never count ("Zoe Nguyen" is "Zoë Nguyễn"); neither does one typo
    in a word, a second family name or middle name left out ("Ana García" and "Ana García
    López"), or the first and last names given the wrong way round.
    """
    fa, la, fb, lb = words(first_a), words(last_a), words(first_b), words(last_b)
    if not (fa and la and fb and lb):
        return False

    def same(f1: list[str], l1: list[str], f2: list[str], l2: list[str]) -> bool:
        first = _covers(f1, f2) or _covers(f2, f1)
        last = _covers(l1, l2) or _covers(l2, l1)
        return first and last

    return same(fa, la, fb, lb) or same(fa, la, lb, fb)


def corrections(typed: str, known: Iterable[str]) -> list[str]:
    """The known words one typo away from ``typed``, closest spelling first (stable)."""
    return sorted({w for w in known if one_typo(typed, w)})


# Titles a name may already start with ("Dr Ana Ruiz"), with or without their full stop: a title
# is not printed before one of them ("Dra. Dr Ana Ruiz").
TITLES = frozenset(
    {"dr", "dra", "doctor", "doctora", "prof", "profa", "professor", "profesor", "profesora"}
)


def titled(title: str, name: str) -> str:
    """The name as documents print it, after the person's title ("Dra. Ana Ruiz"); a name that
    already starts with that title, or with another one (``TITLES``), is left as it is."""
    title = (title or "").strip()
    if not title:
        return name
    first = fold(name.split(" ", 1)[0].rstrip("."))
    if first == fold(title.rstrip(".")) or first in TITLES:
        return name
    return f"{title} {name}"
