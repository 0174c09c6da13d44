"""The one filter language: the TUI's `/` (sync table, attention, call log, feed search) and
the CLI's `--where`. README.md "Filter language" is its full reference.

One grammar and one matcher for every face means a filter tried in the table can be pasted
into a batch command and select exactly the same syncs — the batch is then no surprise.

Grammar (terms are separated by whitespace; every term must match)::

    term   := ["!"] ( word | "~" word | field op value )
    op     := "=" | "!=" | "~" | "!~"
    field  := a name of letters, digits, "_", "-" and "." (a dotted path into the raw JSON)
    word, value := text without spaces, or "quoted text" / 'quoted text' (\\" escapes a quote)

A bare word is a case-insensitive substring of one field of the subject (its "haystack":
fields joined by SEPARATOR); ``~abc`` finds the letters in order within ONE field, fields
tried name first — across the whole row "htarch" would pick letters from several columns.
``=`` is case-insensitive equality, ``~`` a substring, ``!=`` / ``!~`` their negations, and
a leading ``!`` negates any term. A field a subject does not have never raises: ``=`` and
``~`` are false, ``!=`` and ``!~`` true, so a filter over the All view simply skips vendors
that lack the field; ``field=`` matches a missing, null or empty field; across a list a term
matches when any element does, and a digit segment (``fields.0.target``) indexes it.

A quote opens only at the start of a word or value, so ``o'brien`` is a plain word; a term
such as ``a$b=1`` (an operator after something that is not a field name) is an error rather
than a guess — quote it to search for it as text.

What a field means is the subject's (a :class:`FieldSet`): :class:`SyncFields` (normalized
fields, table columns, paths into ``Sync.raw``), a table of plain text (its columns:
``ui/table_model.py``), or the LetsBuild change store, which turns the terms into SQL
(``store/change_search.py``). While a person is still typing, the TUI parses with
``partial=True``: a lone ``!`` or ``~`` is ignored and an unclosed quote is read as closed
at the end, so the table never flickers to an error mid-word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from synctui.domain.errors import UsageError
from synctui.domain.models import Sync

__all__ = [
    "BUILTIN_FIELDS",
    "SEPARATOR",
    "SYNC_FIELDS",
    "FieldSet",
    "Filter",
    "SyncFields",
    "SyncFilter",
    "Term",
    "compile_filter",
    "compile_for",
    "describe_filter",
    "fuzzy_in_a_field",
    "haystack",
    "in_order",
    "json_texts",
    "loose_name",
    "narrows",
    "parse_filter",
    "path_test",
    "sync_haystack",
]

Op = Literal["has", "fuzzy", "=", "!=", "~", "!~"]
S = TypeVar("S")

SEPARATOR = "\x1f"  # between the fields of a haystack; no term can hold it (it is whitespace)

BUILTIN_FIELDS: dict[str, Callable[[Sync], Any]] = {
    "account": lambda s: s.account,
    "vendor": lambda s: s.vendor,
    "id": lambda s: s.id,
    "name": lambda s: s.name,
    "status": lambda s: s.status.value,
    "vendor_status": lambda s: s.vendor_status,
    "reason": lambda s: s.status_reason,
    "latest_run": lambda s: s.latest_run.state.value if s.latest_run else None,
    "updated_at": lambda s: s.updated_at,
    "updated": lambda s: s.updated_at,
}

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


# --- parsing -------------------------------------------------------------------------------


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


# --- the matching core -----------------------------------------------------------------------


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


class FieldSet(Generic[S]):
    """What the terms of a filter read on one kind of subject (a sync, a row of cells).

    ``haystack`` is the text bare words search (fields joined by SEPARATOR, lower-cased);
    ``reader`` resolves a field name once per filter to a function giving every value of
    that field on a subject (none when it is missing).
    """

    singular = "row"
    plural = "rows"

    def haystack(self, subject: S) -> str:
        raise NotImplementedError

    def reader(self, field: str) -> Callable[[S], list[Any]]:
        raise NotImplementedError


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


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _values_test(term: Term) -> Callable[[list[Any]], bool]:
    """The field term's test over the values its reader found (before a leading ``!``)."""
    op = term.op
    wanted = term.value.casefold()
    if op in ("=", "!=") and not wanted:

        def empty(values: list[Any]) -> bool:
            return not values or all(_is_empty(v) for v in values)

        return empty if op == "=" else (lambda values: not empty(values))
    if op in ("=", "!="):

        def one(value: Any) -> bool:
            return _as_text(value).casefold() == wanted

    else:

        def one(value: Any) -> bool:
            return wanted in _as_text(value).casefold()

    def positive(values: list[Any]) -> bool:
        return any(one(v) for v in _leaves(values))

    if op in ("!=", "!~"):
        return lambda values: not positive(values)
    return positive


def path_test(term: Term) -> Callable[[Any], bool]:
    """A field term (before any leading ``!``) as a test of a JSON document: the values at
    the term's dotted path, compared as for a sync's raw JSON (a change's data, say)."""
    assert term.field is not None
    path = term.field.split(".")
    test = _values_test(term)

    def on(document: Any) -> bool:
        found: list[Any] = []
        _walk(document, path, found)
        return test(found)

    return on


def json_texts(document: object) -> Iterator[str]:
    """Every scalar value of a JSON document as a filter reads it (keys left out)."""
    if isinstance(document, dict):
        for value in document.values():
            yield from json_texts(value)
    elif isinstance(document, list):
        for value in document:
            yield from json_texts(value)
    elif document is not None:
        yield _as_text(document)


def _word_test(term: Term) -> Callable[[str], bool]:
    needle = term.value.casefold()
    if term.op == "fuzzy":
        return lambda hay: fuzzy_in_a_field(needle, hay)
    return lambda hay: needle in hay


class Filter(Generic[S]):
    """A compiled filter over one kind of subject. Call it with a subject; the empty filter
    keeps everything."""

    def __init__(self, text: str, terms: Sequence[Term], fields: FieldSet[S]) -> None:
        self.text = text
        self.terms = tuple(terms)
        self.fields = fields
        # Bare words share one haystack per subject; field terms each read their own field.
        self._word_tests = tuple(
            (_word_test(term), term.negated) for term in self.terms if term.field is None
        )
        self._field_tests = tuple(
            (self._field_test(term), term.negated) for term in self.terms if term.field
        )

    def _field_test(self, term: Term) -> Callable[[S], bool]:
        assert term.field is not None
        values_of = self.fields.reader(term.field)
        test = _values_test(term)
        return lambda subject: test(values_of(subject))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r})"

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def words_only(self) -> bool:
        """Every term reads the haystack alone: a table can test its cached text."""
        return not self._field_tests

    def __call__(self, subject: S) -> bool:
        return self.matches(subject)

    def matches(self, subject: S, haystack: str | None = None) -> bool:
        """True when every term matches; ``haystack`` is the fields' haystack if cached."""
        if self._word_tests:
            hay = self.fields.haystack(subject) if haystack is None else haystack
            for test, negated in self._word_tests:
                if test(hay) == negated:
                    return False
        return all(test(subject) != negated for test, negated in self._field_tests)

    @property
    def needle(self) -> str | None:
        """The text to look for when the filter is one plain word (the commonest, while a
        person types): a table can then test ``needle in hay`` inline, with no call per row."""
        if len(self.terms) == 1 and self.terms[0].op == "has" and not self.terms[0].negated:
            return self.terms[0].value.casefold()
        return None

    def haystack_test(self) -> Callable[[str], bool]:
        """The word terms as one test over a haystack (the fast path of a large table)."""
        tests = self._word_tests
        if len(tests) == 1:
            test, negated = tests[0]
            return (lambda hay: not test(hay)) if negated else test
        return lambda hay: all(test(hay) != negated for test, negated in tests)

    def describe(self) -> str:
        if not self.terms:
            return f"every {self.fields.singular}"
        words = ", and ".join(term.describe() for term in self.terms)
        return f"{self.fields.plural} where {words}"


def compile_for(fields: FieldSet[S], text: str, *, partial: bool = False) -> Filter[S]:
    """Compile ``text`` over ``fields``' subjects.

    Raises:
        UsageError: malformed input (with the column), or a field ``fields`` refuses.
    """
    return Filter(text, parse_filter(text, partial=partial), fields)


# --- syncs -------------------------------------------------------------------------------------


def sync_haystack(sync: Sync) -> str:
    """What a bare word searches on a sync, name first, lower-cased, joined by SEPARATOR.

    Exposed so a table holding many rows can compute it once per row and call
    :meth:`Filter.matches` with it, instead of rebuilding it on every keystroke. A column
    often repeats the name or the status: once is enough to find it, and a shorter text is
    a faster keystroke over 100,000 rows.
    """
    parts: list[str] = [sync.name, sync.id, sync.account, sync.vendor, sync.status]
    if sync.vendor_status != sync.status:
        parts.append(sync.vendor_status)
    run = sync.latest_run
    if run is not None:
        parts.append(run.state)  # StrEnum: joins as its value
    if sync.updated_at:
        parts.append(sync.updated_at)
    for value in sync.columns.values():
        if value not in parts:
            parts.append(value)
    return SEPARATOR.join(parts).casefold()


def loose_name(key: str) -> str:
    """'latestIngestion', 'Latest ingestion' and 'latest_ingestion' name the same column."""
    return re.sub(r"[^0-9a-z]+", "", key.casefold())


class SyncFields(FieldSet[Sync]):
    """Fields of a sync: the normalized ones, its table columns, and paths into its JSON."""

    singular = "sync"
    plural = "syncs"

    def haystack(self, subject: Sync) -> str:
        return sync_haystack(subject)

    def reader(self, field: str) -> Callable[[Sync], list[Any]]:
        getter = BUILTIN_FIELDS.get(field.lower())
        if getter is not None:

            def builtin(sync: Sync) -> list[Any]:
                value = getter(sync)
                return [] if value is None else [value]

            return builtin
        path = field.split(".")
        loose = loose_name(field)

        def other(sync: Sync) -> list[Any]:
            # A column and a raw key may share a name and differ in spelling (Speckle's
            # "active" column says "yes", its JSON says true): either one matching is a match.
            columns = sync.columns
            if field in columns:
                found: list[Any] = [columns[field]]
            else:
                found = [v for k, v in columns.items() if loose_name(k) == loose]
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


SYNC_FIELDS = SyncFields()


class SyncFilter(Filter[Sync]):
    """A compiled filter over syncs (what ``--where`` and the sync table use)."""

    def __init__(self, text: str, terms: Sequence[Term], fields: FieldSet[Sync] = SYNC_FIELDS):
        super().__init__(text, terms, fields)


def compile_filter(text: str, *, partial: bool = False) -> SyncFilter:
    """Compile ``text`` into a predicate over syncs.

    Raises:
        UsageError: malformed input, with the column, e.g. "unclosed quote at column 12".
    """
    return SyncFilter(text, parse_filter(text, partial=partial))


def describe_filter(text: str) -> str:
    """The filter in words, for a status bar or a "3 syncs match ..." line.

    Raises:
        UsageError: as :func:`compile_filter`.
    """
    return compile_filter(text).describe()
