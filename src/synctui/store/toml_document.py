"""Rewriting a TOML file a person also edits by hand, keeping what they wrote.

settings.toml and accounts.toml are written by synctui on a deliberate change (a theme
picked, `accounts add/edit/remove`) and edited by hand in between. A writer that renders the
whole file from data throws away the user's comments, blank lines and key order every time.
Here the file is read as a `tomlkit` document and only what changed is touched: a changed
value is replaced in place (its line's trailing comment kept), a key that must go is removed,
a new key is appended to its table; every other line stays as the user wrote it.

The values written are the flat ones these files hold (text, booleans, numbers, dates,
lists, tables). What TOML cannot represent is refused with a ValueError before anything is
written: a non-finite number, text with a lone surrogate.

tomlkit is imported by the functions that write, not with this module: every command reads
settings.toml (with tomllib), and only a deliberate change pays for tomlkit's import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tomlkit.items import Item
    from tomlkit.toml_document import TOMLDocument

_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")


def load_document(text: str | None, header: Iterable[str]) -> TOMLDocument:
    """The document of `text`, or a new one starting with the `header` comment lines when
    there is no file yet or it cannot be read as TOML (it is then replaced whole, as before
    any comment could be kept)."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    if text is not None:
        try:
            return tomlkit.parse(text)
        except TOMLKitError:
            pass
    doc = tomlkit.document()
    for line in header:
        doc.add(tomlkit.comment(line))
    return doc


def check_value(value: object) -> None:
    """Raise ValueError for what TOML cannot hold (checked before any byte is written)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("only finite numbers can be stored")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                "text contains a lone surrogate, which TOML cannot represent"
            ) from None
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_value(str(key))
            check_value(item)
    elif isinstance(value, list | tuple):
        for item in value:
            check_value(item)


def new_item(value: object, *, super_table: bool = False) -> Item:
    """A tomlkit item for `value`; a mapping becomes a `[table]` (its mappings sub-tables)."""
    import tomlkit

    check_value(value)
    if isinstance(value, Mapping):
        table = tomlkit.table(is_super_table=super_table)
        for key, item in value.items():
            if isinstance(item, Mapping) and not item:
                continue  # an empty table says nothing
            table.add(key, new_item(item))
        return table
    if isinstance(value, tuple):
        value = list(value)
    return tomlkit.item(value)


def sync_table(table: MutableMapping[str, Any], wanted: Mapping[str, Any]) -> None:
    """Make `table` (a document or a table in it) hold exactly `wanted`, in place.

    Keys not wanted are removed; a key whose value is unchanged is not touched (so `30`
    written by hand stays `30`, not `30.0`); a changed value is replaced where it stands;
    a new key is appended. A wanted mapping over an existing table (`[table]` or inline) is
    synced the same way rather than replaced, so the comments inside it survive too.
    """
    from tomlkit.items import InlineTable, Item, Table

    for key in [key for key in table if key not in wanted]:
        del table[key]
    for key, value in wanted.items():
        if key not in table:
            if isinstance(value, Mapping) and not value:
                continue
            all_tables = isinstance(value, Mapping) and all(
                isinstance(v, Mapping) for v in value.values()
            )
            table[key] = new_item(value, super_table=all_tables)
            continue
        current = table[key]
        if isinstance(value, Mapping) and isinstance(current, Table | InlineTable):
            sync_table(current, value)
            continue
        check_value(value)
        unwrapped = current.unwrap() if isinstance(current, Item) else current
        if _same(unwrapped, value):
            continue
        table[key] = new_item(value)


def _same(current: object, wanted: object) -> bool:
    """Equal as TOML values: bool is not a number, a tuple equals the list it is written as."""
    if isinstance(current, bool) or isinstance(wanted, bool):
        return type(current) is type(wanted) and current == wanted
    if isinstance(wanted, tuple):
        wanted = list(wanted)
    if isinstance(current, list) and isinstance(wanted, list):
        return len(current) == len(wanted) and all(
            _same(a, b) for a, b in zip(current, wanted, strict=True)
        )
    return bool(current == wanted)


def dump(doc: TOMLDocument) -> str:
    """The text of `doc`, ending with exactly one newline."""
    import tomlkit

    return tomlkit.dumps(doc).rstrip("\n") + "\n"


# --- single values: a key as a message writes it, and the refusals of what accounts hold ----


_TOML_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(text: str) -> str:
    """`text` as a TOML basic string: quotes, backslashes and control characters escaped."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            raise ValueError("text contains a lone surrogate, which TOML cannot represent")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_key(key: str) -> str:
    """A bare key when TOML allows it, a quoted one otherwise (names may contain dots)."""
    return key if _BARE_KEY_RE.fullmatch(key) else toml_string(key)


def toml_value(value: object) -> str:
    """The flat values accounts use: strings, booleans, numbers and arrays of strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("only finite numbers can be stored")
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} to TOML")
