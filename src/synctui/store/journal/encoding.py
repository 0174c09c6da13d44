"""How values become journal columns: JSON text, with credentials masked and text SQLite
cannot store escaped.

Text SQLite cannot store (a lone surrogate from a vendor's JSON or a shell argument: UTF-8
has no encoding for it) is written as its escape: in JSON columns as the JSON escape, which
reads back as the very same string; in plain text columns as a backslash escape.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from synctui.store.journal.entry import JournalError

MASK = "****"
_SENSITIVE_KEYS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
_CREDENTIAL_RE = re.compile(r"\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*", re.IGNORECASE)

# UTF-8 cannot encode a surrogate code point, so SQLite refuses a str holding one. In a str
# from Python's JSON reader (or an argv decoded with surrogateescape) each one stands alone.
_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(value: object) -> object:
    """A copy of `value` with credentials masked: header-like keys and Bearer/Basic values."""
    if isinstance(value, dict):
        return {
            key: MASK if str(key).lower() in _SENSITIVE_KEYS else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return _CREDENTIAL_RE.sub(lambda m: f"{m.group(1)} {MASK}", value)
    return value


def _json_default(value: Any) -> Any:
    """Encode the non-JSON values callers naturally have at hand (datetimes, models)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):  # pydantic models (the domain layer's)
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} cannot be written to the journal")


def to_json(value: object) -> str | None:
    if value is None:
        return None
    try:
        text = json.dumps(value, ensure_ascii=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise JournalError(f"Cannot journal this write: {exc}.") from None
    # Only ever inside a JSON string here, where its escape reads back as the same string.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def safe_text(value: str | None) -> str | None:
    """A text column's value SQLite can store: a surrogate becomes its backslash escape."""
    if value is None or not _SURROGATE.search(value):
        return value
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def from_json(text: str | None) -> object:
    return None if text is None else json.loads(text)


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
