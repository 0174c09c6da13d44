"""The grammar of the filter language: a filter's text as terms (see the package's docs).

``narrows`` says when a new filter can only keep what an old one kept: a table that knows it
reads only the rows still shown on the next keystroke.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from synctui.domain.errors import UsageError
from synctui.domain.filtering.text import in_order

Op = Literal["has", "fuzzy", "=", "!=", "~", "!~"]

_FIELD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\Z")
_OPERATOR = re.compile(r"!=|!~|=|~")
_QUOTES = "\"'"


@dataclass(frozen=True, slots=True)
class Term:
    """One parsed term. ``field`` is None for a bare word (``has``) or fuzzy word."""

    op: Op
    value: str
    field: str | None = None
    negated: bool = False  # a leading "!"; for field terms it composes with != and !~
    column: int = 1  # 1-based, for messages

    @property
    def positive_op(self) -> Op:
        """The operator with a leading ``!`` folded in (``!a=b`` is ``a!=b``)."""
        return _FLIPPED[self.op] if self.negated and self.field is not None else self.op

    def describe(self) -> str:
        shown = json.dumps(self.value, ensure_ascii=False)
        if self.field is None:
            verb = "fuzzily matches" if self.op == "fuzzy" else "contains"
            return f"{'no' if self.negated else 'some'} field {verb} {shown}"
        op = self.positive_op
        if op in ("=", "!=") and not self.value:
            return f"{self.field} {'is' if op == '=' else 'is not'} empty"
        verb = {"=": "is", "!=": "is not", "~": "contains", "!~": "does not contain"}[op]
        return f"{self.field} {verb} {shown}"

    def implies(self, other: Term) -> bool:
        """Whatever this term keeps, ``other`` keeps too (so a table may narrow its rows)."""
        if (self.op, self.value, self.field, self.negated) == (
            other.op,
            other.value,
            other.field,
            other.negated,
        ):
            return True  # the same term, wherever it stands
        if self.negated or other.negated or self.field != other.field or self.op != other.op:
            return False
        if self.op in ("has", "~"):
            return other.value.casefold() in self.value.casefold()
        if self.op == "fuzzy":
            return in_order(other.value.casefold(), self.value.casefold())
        return False


_FLIPPED: dict[str, Op] = {"=": "!=", "!=": "=", "~": "!~", "!~": "~"}


def parse_filter(text: str, *, partial: bool = False) -> list[Term]:
    """Split a filter into terms.

    With ``partial`` (text still being typed) a lone ``!`` or ``~`` is skipped and an
    unclosed quote is closed at the end of the text.

    Raises:
        UsageError: the filter is malformed; the message names the column (1-based).
    """
    if not isinstance(text, str):
        raise UsageError(f"a filter must be text, not {type(text).__name__}")
    terms: list[Term] = []
    for start in _term_starts(text, partial):
        term = _term(text, start, partial)
        if term is not None:
            terms.append(term)
    return terms


def _term_starts(text: str, partial: bool) -> Iterator[int]:
    """Start index of every term, skipping quoted stretches so a quoted space stays inside."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        yield i
        i = _term_end(text, i, partial)


def _term_end(text: str, i: int, partial: bool) -> int:
    """Index just past the term starting at ``i``: whitespace ends it, except inside quotes
    that open at the start of a word or of a value (right after an operator)."""
    n = len(text)
    while i < n and not text[i].isspace():
        if text[i] in _QUOTES and _quote_may_open(text, i):
            i = _closing_quote(text, i, partial) + 1
        else:
            i += 1
    return min(i, n)


def _quote_may_open(text: str, i: int) -> bool:
    """A quote opens only at a word start, after a leading "!" or "~", or after an operator."""
    j = i - 1
    if j < 0 or text[j].isspace():
        return True
    if text[j] in "=~":
        return True
    return text[j] == "!" and (j == 0 or text[j - 1].isspace())


def _closing_quote(text: str, i: int, partial: bool) -> int:
    """Index of the quote closing the one at ``i`` (``len(text)`` if partial and none)."""
    quote = text[i]
    j = i + 1
    while j < len(text):
        if text[j] == "\\" and j + 1 < len(text):
            j += 2
            continue
        if text[j] == quote:
            return j
        j += 1
    if partial:
        return len(text)
    raise UsageError(f"unclosed quote at column {i + 1}", hint=f"add a closing {quote}")


def _unquote(text: str, i: int, end: int, partial: bool) -> str:
    """The text of ``text[i:end]``: a quoted string (escapes resolved) or a plain word."""
    if i < end and text[i] in _QUOTES:
        close = _closing_quote(text, i, partial)
        if close < len(text) and close + 1 != end:
            raise UsageError(
                f"unexpected text after the closing quote at column {close + 2}",
                hint="put a space between terms",
            )
        return re.sub(r"\\(.)", r"\1", text[i + 1 : close], flags=re.DOTALL)
    return text[i:end]


def _term(text: str, start: int, partial: bool) -> Term | None:
    end = _term_end(text, start, partial)
    column = start + 1
    i = start
    negated = text[i] == "!" and not text.startswith("!=", i)
    if negated:
        i += 1
    if i >= end:
        if partial:
            return None
        raise UsageError(f"'!' at column {column} needs a word after it", hint="e.g. !paused")
    if text[i] in _QUOTES:
        return Term("has", _unquote(text, i, end, partial), negated=negated, column=column)
    if text[i] == "~":
        if i + 1 >= end:
            if partial:
                return None
            raise UsageError(f"'~' at column {i + 1} needs a word after it", hint="e.g. ~plmsf")
        value = _unquote(text, i + 1, end, partial)
        if not value and partial:
            return None
        return Term("fuzzy", value, negated=negated, column=column)
    match = _OPERATOR.search(text, i, end)
    if match is None:
        return Term("has", text[i:end], negated=negated, column=column)
    field = text[i : match.start()]
    if not field:
        raise UsageError(
            f"missing field name before {match.group()!r} at column {match.start() + 1}",
            hint="e.g. status=active, or quote the text to search for it",
        )
    if not _FIELD.match(field) or any(q in field for q in _QUOTES):
        raise UsageError(
            f"{field!r} at column {i + 1} is not a field name (letters, digits, _, - and dots)",
            hint=f'quote the term to search for it as text: "{text[i:end]}"',
        )
    value = _unquote(text, match.end(), end, partial)
    return Term(match.group(), value, field=field, negated=negated, column=column)  # type: ignore[arg-type]


def narrows(old: str, new: str) -> bool:
    """Whether filter ``new`` can only keep what ``old`` keeps: every term of ``old`` is
    implied by a term of ``new`` (``acm`` → ``acme``, ``~ht`` → ``~hta``, one more word).
    A table that knows this scans only the rows still shown. Both are read as typed
    (``partial``); a malformed one never narrows."""
    if new == old:
        return True
    try:
        before = parse_filter(old, partial=True)
        after = parse_filter(new, partial=True)
    except UsageError:
        return False
    return all(any(n.implies(o) for n in after) for o in before)
