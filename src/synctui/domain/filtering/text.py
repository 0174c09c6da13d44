"""The text a bare word of a filter searches, and the two ways a word is found in it.

A subject's "haystack" is its fields' texts, lower-cased, joined by SEPARATOR: a plain word is
a substring of it, a fuzzy word (``~abc``) a subsequence of ONE of its fields.
"""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = "\x1f"  # between the fields of a haystack; no term can hold it (it is whitespace)


def haystack(texts: Iterable[str]) -> str:
    """What a bare word searches: the fields' texts, lower-cased, joined by SEPARATOR."""
    return SEPARATOR.join(texts).casefold()


def in_order(needle: str, hay: str, start: int = 0, end: int | None = None) -> bool:
    """True when the letters of ``needle`` appear in ``hay[start:end]`` in order.

    Greedy `str.find` is linear; the equivalent regex (``h.*?t.*?a...``) backtracks and was
    about ten times slower over a large table.
    """
    stop = len(hay) if end is None else end
    position = start
    for char in needle:
        position = hay.find(char, position, stop)
        if position < 0:
            return False
        position += 1
    return True


def fuzzy_in_a_field(needle: str, hay: str) -> bool:
    """True when ``needle`` is a subsequence of ONE field of a SEPARATOR-joined haystack.

    Matching across the whole row would let "htarch" pick its letters from the name, the
    account and a column at once; fields are tried in their haystack order (name first).
    The earliest occurrence of the first letter in a field is the best start there, so
    each field is scanned once.
    """
    if not needle:
        return True
    first, rest = needle[0], needle[1:]
    start = hay.find(first)
    while start >= 0:
        end = hay.find(SEPARATOR, start)
        if end < 0:
            end = len(hay)
        if in_order(rest, hay, start + 1, end):
            return True
        start = hay.find(first, end + 1)
    return False
