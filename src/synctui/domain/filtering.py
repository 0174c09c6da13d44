"""The one filter language for syncs: the TUI's `/` filter and the CLI's `--where`.

One grammar for both faces means a filter tried in the table can be pasted into a batch
command and select exactly the same syncs — the batch is then no surprise.

Grammar (terms are separated by whitespace; every term must match)::

    term   := ["!"] ( word | "~" word | field op value )
    op     := "=" | "!=" | "~" | "!~"
    field  := a name of letters, digits, "_", "-" and "." (a dotted path into the raw JSON)
    word, value := text without spaces, or "quoted text" / 'quoted text' (\\" escapes a quote)

- ``acme``            a bare word: a case-insensitive substring of the sync's name, id, account,
                      vendor, status, vendor_status or any table column value
- ``!paused``         negation (k9s): syncs that do *not* mention "paused"
- ``~plmsf``          fuzzy: these letters in this order, anything in between (as in the TUI)
- ``status=active``   equality, case-insensitive; ``status!=active`` its negation
- ``name~level``      substring, case-insensitive; ``name!~level`` its negation
- ``context.referencePoint=surveyPoint``, ``integration.slug=acc``, ``schedule.frequency=daily``
                      dotted paths into the vendor's own JSON (``Sync.raw``)

Fields resolve to the normalized fields ``account vendor id name status vendor_status
reason``; any other name reads both the table column of that key (``Sync.columns``) and the
path into ``Sync.raw``, and a term matches when either does. A field
a sync does not have never raises: ``=`` and ``~`` are false, ``!=`` and ``!~`` are true, so a
filter over the All view simply skips vendors that lack the field. ``field=`` (empty value)
matches a missing, null or empty field. Across a list (``fields.target=email``) a term matches
when any element does; a digit segment (``fields.0.target``) indexes the list.

A quote opens only at the start of a word or value, so ``o'brien`` is a plain word; a term
such as ``a$b=1`` (an operator after something that is not a field name) is an error rather
than a guess — quote it to search for it as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from synctui.domain.errors import UsageError
from synctui.domain.models import Sync

__all__ = [
    "BUILTIN_FIELDS",
    "SyncFilter",
    "Term",
    "compile_filter",
    "describe_filter",
    "parse_filter",
    "sync_haystack",
]

Op = Literal["has", "fuzzy", "=", "!=", "~", "!~"]

BUILTIN_FIELDS: dict[str, Callable[[Sync], Any]] = {
    "account": lambda s: s.account,
    "vendor": lambda s: s.vendor,
    "id": lambda s: s.id,
    "name": lambda s: s.name,
    "status": lambda s: s.status.value,
    "vendor_status": lambda s: s.vendor_status,
    "reason": lambda s: s.status_reason,
}

_FIELD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\Z")
_OPERATOR = re.compile(r"!=|!~|=|~")
_QUOTES = "\"'"
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Term:
    """One parsed term. ``field`` is None for a bare word (``has``) or fuzzy word."""

    op: Op
    value: str
    field: str | None = None
    negated: bool = False  # a leading "!"; for field terms it composes with != and !~
    column: int = 1  # 1-based, for messages

    def describe(self) -> str:
        shown = json.dumps(self.value, ensure_ascii=False)
        if self.field is None:
            verb = "fuzzily matches" if self.op == "fuzzy" else "contains"
            return f"{'no' if self.negated else 'some'} field {verb} {shown}"
        op = _FLIPPED[self.op] if self.negated else self.op
        if op in ("=", "!=") and not self.value:
            return f"{self.field} {'is' if op == '=' else 'is not'} empty"
        verb = {"=": "is", "!=": "is not", "~": "contains", "!~": "does not contain"}[op]
        return f"{self.field} {verb} {shown}"


_FLIPPED: dict[str, Op] = {"=": "!=", "!=": "=", "~": "!~", "!~": "~"}


# --- parsing -------------------------------------------------------------------------------


def parse_filter(text: str) -> list[Term]:
    """Split a filter into terms.

    Raises:
        UsageError: the filter is malformed; the message names the column (1-based).
    """
    if not isinstance(text, str):
        raise UsageError(f"a filter must be text, not {type(text).__name__}")
    return [_term(text, start) for start in _term_starts(text)]


def _term_starts(text: str) -> Iterator[int]:
    """Start index of every term, skipping quoted stretches so a quoted space stays inside."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        yield i
        i = _term_end(text, i)


def _term_end(text: str, i: int) -> int:
    """Index just past the term starting at ``i``: whitespace ends it, except inside quotes
    that open at the start of a word or of a value (right after an operator)."""
    n = len(text)
    while i < n and not text[i].isspace():
        if text[i] in _QUOTES and _quote_may_open(text, i):
            i = _closing_quote(text, i) + 1
        else:
            i += 1
    return i


def _quote_may_open(text: str, i: int) -> bool:
    """A quote opens only at a word start, after a leading "!" or "~", or after an operator."""
    j = i - 1
    if j < 0 or text[j].isspace():
        return True
    if text[j] in "=~":
        return True
    return text[j] == "!" and (j == 0 or text[j - 1].isspace())


def _closing_quote(text: str, i: int) -> int:
    quote = text[i]
    j = i + 1
    while j < len(text):
        if text[j] == "\\" and j + 1 < len(text):
            j += 2
            continue
        if text[j] == quote:
            return j
        j += 1
    raise UsageError(f"unclosed quote at column {i + 1}", hint=f"add a closing {quote}")


def _unquote(text: str, i: int, end: int) -> str:
    """The text of ``text[i:end]``: a quoted string (escapes resolved) or a plain word."""
    if i < end and text[i] in _QUOTES:
        close = _closing_quote(text, i)
        if close + 1 != end:
            raise UsageError(
                f"unexpected text after the closing quote at column {close + 2}",
                hint="put a space between terms",
            )
        return re.sub(r"\\(.)", r"\1", text[i + 1 : close], flags=re.DOTALL)
    return text[i:end]


def _term(text: str, start: int) -> Term:
    end = _term_end(text, start)
    column = start + 1
    i = start
    negated = text[i] == "!" and not text.startswith("!=", i)
    if negated:
        i += 1
    if i >= end:
        raise UsageError(f"'!' at column {column} needs a word after it", hint="e.g. !paused")
    if text[i] in _QUOTES:
        return Term("has", _unquote(text, i, end), negated=negated, column=column)
    if text[i] == "~":
        if i + 1 >= end:
            raise UsageError(f"'~' at column {i + 1} needs a word after it", hint="e.g. ~plmsf")
        return Term("fuzzy", _unquote(text, i + 1, end), negated=negated, column=column)
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
    value = _unquote(text, match.end(), end)
    return Term(match.group(), value, field=field, negated=negated, column=column)  # type: ignore[arg-type]


# --- matching ------------------------------------------------------------------------------


def sync_haystack(sync: Sync) -> str:
    """What a bare word searches, lower-cased and joined by a separator no word contains.

    Exposed so a table holding many rows can compute it once per row and call
    :meth:`SyncFilter.matches` with it, instead of rebuilding it on every keystroke.
    """
    parts = [sync.name, sync.id, sync.account, sync.vendor, sync.status.value, sync.vendor_status]
    parts.extend(str(v) for v in sync.columns.values())
    return "\x1f".join(parts).casefold()


def _reader(field: str) -> Callable[[Sync], list[Any]]:
    """A function giving every value ``field`` names on a sync (several across a list, none
    when missing); resolved once per filter, not once per sync."""
    getter = BUILTIN_FIELDS.get(field.lower())
    if getter is not None:

        def builtin(sync: Sync) -> list[Any]:
            value = getter(sync)
            return [] if value is None else [value]

        return builtin
    path = field.split(".")

    def other(sync: Sync) -> list[Any]:
        # A column and a raw key may share a name and differ in spelling (Speckle's "active"
        # column says "yes", its JSON says true): either one matching is a match.
        found: list[Any] = [sync.columns[field]] if field in sync.columns else []
        _walk(sync.raw, path, found)
        return found

    return other


def _walk(node: Any, path: list[str], out: list[Any]) -> None:
    if not path:
        out.append(node)
        return
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        if head in node:
            _walk(node[head], rest, out)
            return
        folded = head.casefold()
        for key, value in node.items():
            if isinstance(key, str) and key.casefold() == folded:
                _walk(value, rest, out)
                return
    elif isinstance(node, list):
        if head.isdigit():
            index = int(head)
            if index < len(node):
                _walk(node[index], rest, out)
            return
        for item in node:
            _walk(item, path, out)


def _as_text(value: Any) -> str:
    """How a JSON value reads in a filter: strings as they are, the rest as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return str(value)


def _leaves(values: list[Any]) -> Iterator[Any]:
    """A list value matches when any element does (``fileFolderPath=Models``)."""
    for value in values:
        if isinstance(value, list):
            yield from _leaves(value)
        yield value


def _field_test(term: Term) -> Callable[[Sync], bool]:
    assert term.field is not None
    values_of = _reader(term.field)
    wanted = term.value.casefold()
    if term.op in ("=", "!="):
        if wanted:

            def test(value: Any) -> bool:
                return _as_text(value).casefold() == wanted

        else:

            def test(value: Any) -> bool:
                return value is None or value == "" or value == [] or value == {}

            def empty(sync: Sync) -> bool:
                values = values_of(sync)
                return not values or all(test(v) for v in values)

            return empty if term.op == "=" else (lambda sync: not empty(sync))
    else:

        def test(value: Any) -> bool:
            return wanted in _as_text(value).casefold()

    def positive(sync: Sync) -> bool:
        return any(test(v) for v in _leaves(values_of(sync)))

    if term.op in ("!=", "!~"):
        return lambda sync: not positive(sync)
    return positive


def _word_test(term: Term) -> Callable[[str], bool]:
    needle = term.value.casefold()
    if term.op == "fuzzy":
        return lambda hay: _in_order(needle, hay)
    return lambda hay: needle in hay


def _in_order(needle: str, hay: str) -> bool:
    """True when the letters of ``needle`` appear in ``hay`` in order (a subsequence).

    Greedy `str.find` is linear; the equivalent regex (``h.*?t.*?a...``) backtracks and was
    about ten times slower over a large table.
    """
    position = 0
    for char in needle:
        position = hay.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


class SyncFilter:
    """A compiled filter. Call it with a sync; the empty filter keeps everything."""

    def __init__(self, text: str, terms: tuple[Term, ...]) -> None:
        self.text = text
        self.terms = terms
        # Bare words share one haystack per sync; field terms each read their own field.
        self._word_tests = tuple(
            (_word_test(term), term.negated) for term in terms if term.field is None
        )
        self._field_tests = tuple(
            (_field_test(term), term.negated) for term in terms if term.field is not None
        )

    def __repr__(self) -> str:
        return f"SyncFilter({self.text!r})"

    @property
    def empty(self) -> bool:
        return not self.terms

    def __call__(self, sync: Sync) -> bool:
        return self.matches(sync)

    def matches(self, sync: Sync, haystack: str | None = None) -> bool:
        """True when every term matches; ``haystack`` is :func:`sync_haystack` if cached."""
        if self._word_tests:
            hay = sync_haystack(sync) if haystack is None else haystack
            for test, negated in self._word_tests:
                if test(hay) == negated:
                    return False
        return all(test(sync) != negated for test, negated in self._field_tests)

    def describe(self) -> str:
        if not self.terms:
            return "every sync"
        return "syncs where " + ", and ".join(term.describe() for term in self.terms)


def compile_filter(text: str) -> SyncFilter:
    """Compile ``text`` into a predicate over syncs.

    Raises:
        UsageError: malformed input, with the column, e.g. "unclosed quote at column 12".
    """
    return SyncFilter(text, tuple(parse_filter(text)))


def describe_filter(text: str) -> str:
    """The filter in words, for a status bar or a "3 syncs match ..." line.

    Raises:
        UsageError: as :func:`compile_filter`.
    """
    return compile_filter(text).describe()
