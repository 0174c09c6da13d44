"""How parsed terms test a subject: one compiled `Filter` over any kind of subject, given
the `FieldSet` that says what its fields are (a sync, a row of cells, a JSON document).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from synctui.domain.filtering.terms import Term, parse_filter
from synctui.domain.filtering.text import fuzzy_in_a_field

S = TypeVar("S")


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
        source, names = self.words_source("h")
        test: Callable[[str], bool] = eval(f"lambda h: {source}", names)  # see words_source
        return test

    def words_source(self, hay: str) -> tuple[str, dict[str, Any]]:
        """The word terms as ONE Python expression over the haystack expression `hay`, and
        the names it uses: ``n0 in hay and not (n1 in hay)``. A table compiles it into its
        row loop, so 100,000 rows cost no call per row and per term. Only names made here
        and `hay` (the caller's own code, never text typed in a filter) enter the source;
        the words themselves are values bound to those names."""
        names: dict[str, Any] = {"fuzzy": fuzzy_in_a_field}
        parts: list[str] = []
        for i, term in enumerate(t for t in self.terms if t.field is None):
            name = f"n{i}"
            names[name] = term.value.casefold()
            test = f"fuzzy({name}, {hay})" if term.op == "fuzzy" else f"{name} in {hay}"
            parts.append(f"not ({test})" if term.negated else test)
        return " and ".join(parts) or "True", names

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
