"""The simulators' JSON answers: what any vendor can store, they can also send back.

A write may carry a lone surrogate (`"\\ud83d"`: half an emoji, cut by a client). Python's
JSON reader accepts the escape and keeps the half character in a str, which a strict UTF-8
encoder refuses: Starlette's own JSONResponse then failed on every later answer holding
that value, and a simulator answered 500 to every read from then on. JavaScript backends
(ES2019 `JSON.stringify`) answer such a value as the escape it arrived as; so does this.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import JSONResponse as _StarletteJSON

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def dumps(content: Any) -> bytes:
    """`content` as compact UTF-8 JSON; lone surrogates (only ever inside strings) as escapes."""
    text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return _LONE_SURROGATE.sub(_escape, text).encode("utf-8")


class JSONResponse(_StarletteJSON):
    def render(self, content: Any) -> bytes:
        return dumps(content)
