"""The filter language over stored LetsBuild changes, as SQL: the feed viewer's `/` search.

The terms are the sync table's and `--where`'s (``domain/filtering/`` parses them and
holds the matcher); only the subject differs. A change's fields are its stored columns —
``feed``, ``operation`` (``op``), ``type`` (``entity_type``), ``entity`` (``entity_id``),
``project`` (``project_id``), ``subject`` — and any other name is a dotted path into the
change's JSON (``status=open``, ``assignee.name~ann``). A bare word is a substring of the
subject or of the JSON text; ``~abc`` finds the letters in order within the subject or
within ONE value of the JSON.

Why SQL rather than the matcher in a Python loop: the store holds up to millions of changes
and the viewer scans them in batches of ids (``ui/feed/change_index.py``). Words and stored
columns become ``LIKE`` / ``=`` inside SQLite; a JSON path or a fuzzy term needs the domain's
matcher, registered as an SQLite function (:func:`register`), and sits behind a ``LIKE`` that
drops most rows first wherever the term allows one. SQLite's ``LIKE`` and ``lower()`` fold
only ASCII letters, so ``é`` and ``É`` differ here (the sync filter folds every letter).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from synctui.domain.filtering import (
    SEPARATOR,
    Term,
    fuzzy_in_a_field,
    in_order,
    json_texts,
    parse_filter,
    path_test,
)

COLUMNS: dict[str, str] = {
    "feed": "feed",
    "operation": "operation",
    "op": "operation",
    "type": "entity_type",
    "entity_type": "entity_type",
    "entity": "entity_id",
    "entity_id": "entity_id",
    "project": "project_id",
    "project_id": "project_id",
    "subject": "subject",
}
FUZZY_FUNCTION = "synctui_fuzzy"
PATH_FUNCTION = "synctui_path"


def _like(text: str, *, fuzzy: bool = False) -> str:
    """A LIKE pattern (ESCAPE '\\') for a substring, or for letters in order."""
    escaped = [c.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for c in text]
    return "%" + ("%".join(escaped) if fuzzy else "".join(escaped)) + "%"


def _json_safe(text: str) -> bool:
    """Whether ``text`` appears verbatim in the stored JSON wherever a value holds it (no
    character JSON escapes), so a LIKE on the JSON text may prefilter for it."""
    return json.dumps(text, ensure_ascii=False)[1:-1] == text


def search_sql(text: str) -> tuple[str, list[Any]]:
    """The WHERE clause (without WHERE; "" for no term) and its parameters for a search.

    Read as typed (``partial``), as the viewer searches while keys arrive.

    Raises:
        UsageError: a malformed filter, with the column.
    """
    clauses: list[str] = []
    params: list[Any] = []
    for term in parse_filter(text, partial=True):
        clause, values = _term_sql(term)
        clauses.append(f"NOT ({clause})" if term.negated else f"({clause})")
        params.extend(values)
    return " AND ".join(clauses), params


def _term_sql(term: Term) -> tuple[str, list[Any]]:
    """One term, before a leading ``!``, as an SQL expression that is never NULL."""
    if term.field is None:
        if term.op == "fuzzy":
            pattern = _like(term.value, fuzzy=True)
            return (
                "IFNULL(subject, '') LIKE ? ESCAPE '\\' OR (IFNULL(data, '') LIKE ? ESCAPE '\\'"
                f" AND {FUZZY_FUNCTION}(?, data))",
                [pattern, pattern, term.value],
            )
        pattern = _like(term.value)
        return (
            "IFNULL(subject, '') LIKE ? ESCAPE '\\' OR IFNULL(data, '') LIKE ? ESCAPE '\\'",
            [pattern, pattern],
        )
    column = COLUMNS.get(term.field.lower())
    if column is not None:
        return _column_sql(column, term)
    call = f"{PATH_FUNCTION}(data, ?, ?, ?)"
    values = [term.field, term.op, term.value]
    if term.op in ("=", "~") and term.value and _json_safe(term.value):
        return f"IFNULL(data, '') LIKE ? ESCAPE '\\' AND {call}", [_like(term.value), *values]
    return call, values


def _column_sql(column: str, term: Term) -> tuple[str, list[Any]]:
    value = f"IFNULL({column}, '')"
    if term.op in ("=", "!="):
        if term.value:
            clause, params = f"lower({value}) = lower(?)", [term.value]
        else:
            clause, params = f"{value} = ''", []
    else:
        clause, params = f"{value} LIKE ? ESCAPE '\\'", [_like(term.value)]
    return (f"NOT ({clause})", params) if term.op in ("!=", "!~") else (clause, params)


# --- the matcher inside SQLite ------------------------------------------------------------------


_KEY = re.compile(r'"[^"]*"\s*:')


def _maybe_fuzzy(needle: str, data: str) -> bool:
    """A quick test on the JSON text that every real match passes: the letters in order
    between two quotes, keys removed. Parsing the JSON (to look at its values alone) is
    left to the rows that pass — at a million changes the parse is what costs."""
    if '"' in needle or "\\" in needle:
        return True  # escapes in the text would hide these: let the exact test decide
    text = data.casefold().replace("\\\\", "").replace('\\"', "")
    return fuzzy_in_a_field(needle, _KEY.sub(SEPARATOR, text).replace('"', SEPARATOR))


@lru_cache(maxsize=64)
def _path_test(field: str, op: str, value: str) -> Callable[[Any], bool]:
    return path_test(Term(op, value, field))  # type: ignore[arg-type]


def register(db: sqlite3.Connection) -> None:
    """Give a connection the functions the search SQL calls. Both are deterministic, and
    remember the last JSON text parsed: the terms of one search ask about the same row."""
    last: list[Any] = [None, None]

    def document(data: str | None) -> Any:
        if data is None:
            return None
        if last[0] != data:
            try:
                last[1] = json.loads(data)
            except ValueError:
                last[1] = None
            last[0] = data
        return last[1]

    def fuzzy(needle: str, data: str | None) -> int:
        if data is None:
            return 0
        wanted = needle.casefold()
        if not _maybe_fuzzy(wanted, data):
            return 0
        return int(any(in_order(wanted, t.casefold()) for t in json_texts(document(data))))

    def on_path(data: str | None, field: str, op: str, value: str) -> int:
        return int(_path_test(field, op, value)(document(data)))

    db.create_function(FUZZY_FUNCTION, 2, fuzzy, deterministic=True)
    db.create_function(PATH_FUNCTION, 4, on_path, deterministic=True)
