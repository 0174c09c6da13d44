"""The `/` filter language, shared by every table: plain words, `!` negation, `~` fuzzy.

It works on one pre-lowered "haystack" string per row (all cells joined), so that filtering
100,000 rows is a tight loop of `in` tests rather than a walk over cells.

- ``acme error``   rows containing both "acme" and "error" (case-insensitive substrings)
- ``!paused``      rows NOT containing "paused" (k9s's inverse filter)
- ``~plmsf``       fuzzy: the letters in this order, anything in between ("polymsft")
- terms combine with AND; ``!~x`` negates a fuzzy term.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

Predicate = Callable[[str], bool]


@dataclass(frozen=True)
class Term:
    text: str
    negated: bool = False
    fuzzy: bool = False

    def predicate(self) -> Predicate:
        if self.fuzzy:
            pattern = re.compile(".*?".join(re.escape(ch) for ch in self.text))
            match: Predicate = lambda hay: pattern.search(hay) is not None  # noqa: E731
        else:
            needle = self.text
            match = lambda hay: needle in hay  # noqa: E731
        if self.negated:
            return lambda hay: not match(hay)
        return match


def parse_filter(text: str) -> list[Term]:
    """Split a filter into terms; a bare `!` or `~` (still being typed) is ignored."""
    terms: list[Term] = []
    for word in text.casefold().split():
        negated = word.startswith("!")
        if negated:
            word = word[1:]
        fuzzy = word.startswith("~")
        if fuzzy:
            word = word[1:]
        if word:
            terms.append(Term(word, negated=negated, fuzzy=fuzzy))
    return terms


def compile_filter(text: str) -> Predicate | None:
    """A predicate over a lower-cased haystack, or None when the filter keeps every row."""
    predicates = [term.predicate() for term in parse_filter(text)]
    if not predicates:
        return None
    if len(predicates) == 1:
        return predicates[0]
    return lambda hay: all(p(hay) for p in predicates)


def haystack(cells: tuple[str, ...] | list[str]) -> str:
    """What a filter searches: every cell, lower-cased, joined by a separator no term holds."""
    return "\x1f".join(cells).casefold()
