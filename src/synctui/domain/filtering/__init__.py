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

The parts: ``text`` (the haystack and how a word is found in it), ``terms`` (the grammar),
``matching`` (a compiled `Filter` over any `FieldSet`), ``syncs`` (the fields of a sync).
"""

from synctui.domain.filtering.matching import (
    FieldSet,
    Filter,
    compile_for,
    json_texts,
    path_test,
)
from synctui.domain.filtering.syncs import (
    BUILTIN_FIELDS,
    SYNC_FIELDS,
    SyncFields,
    SyncFilter,
    compile_filter,
    describe_filter,
    loose_name,
    sync_haystack,
)
from synctui.domain.filtering.terms import Term, narrows, parse_filter
from synctui.domain.filtering.text import SEPARATOR, fuzzy_in_a_field, haystack, in_order

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
