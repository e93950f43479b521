"""Sorting by the Finnish and Swedish alphabet (SFS 4600): å, ä, ö come after z.

Written by hand because the embedded PostgreSQL is built without ICU and the machine may lack the
fi_FI locale, so neither the database nor Python's `locale` can be relied on; PyICU would bring a
native library for one small rule.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")

# Letters after z in this order; æ and ø sort as ä and ö, ü as y (the Finnish practice).
_AFTER_Z = {"å": 1, "ä": 2, "æ": 2, "ö": 3, "ø": 3}
_AS = {"ü": "y", "ß": "ss", "w": "w"}


def _letter_keys(char: str) -> list[tuple[int, int]]:
    if char in _AFTER_Z:
        return [(ord("z"), _AFTER_Z[char])]
    char = _AS.get(char, char)
    if len(char) > 1:
        return [key for c in char for key in _letter_keys(c)]
    base = unicodedata.normalize("NFKD", char)[0]
    return [(ord(base), 0)]


def finnish_key(text: str) -> tuple[tuple[tuple[int, int], ...], str]:
    """Sort key: primary by letters in the Finnish alphabet, ties broken by the exact text."""
    letters = tuple(key for char in text.casefold() for key in _letter_keys(char))
    return (letters, text)


# Names (of indicators, organisations) recur on every page that lists them: their keys are kept per process.
# A key depends only on the text, so nothing needs invalidating.
cached_finnish_key = lru_cache(maxsize=4096)(finnish_key)


def sorted_finnish[T](items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """Return items sorted by the Finnish/Swedish alphabet of key(item)."""
    return sorted(items, key=lambda item: finnish_key(key(item)))
