"""JSON syntax errors in words a person can act on, always with the line and column.

Python's decoder says "Invalid control character at" (the position is in separate fields, so
a message built from `msg` alone ends in "at" and points nowhere), "Expecting value",
"Unterminated string starting at". Both the CLI (`--patch`, `--patch-file`, `--json-file`)
and the TUI's JSON editors word them here.
"""

from __future__ import annotations

import json

_CONTROL_NAMES = {
    "\t": ("tab", "\\t"),
    "\n": ("line break", "\\n"),
    "\r": ("carriage return", "\\r"),
}


def json_problem(exc: json.JSONDecodeError) -> str:
    """What is wrong at (exc.lineno, exc.colno), without the position itself."""
    message = exc.msg.removesuffix(" at").strip()
    if exc.msg.startswith("Invalid control character"):
        char = exc.doc[exc.pos] if 0 <= exc.pos < len(exc.doc) else ""
        name, escape = _CONTROL_NAMES.get(char, ("control character", f"\\u{ord(char or ' '):04x}"))
        code = f"U+{ord(char):04X}" if char else "a control character"
        return f"a {name} ({code}) inside a string; write it as {escape}"
    if exc.msg.startswith("Unterminated string"):
        return 'a string starts here and is never closed (a missing ")'
    return message[:1].lower() + message[1:]


def describe_json_error(exc: json.JSONDecodeError) -> str:
    """`line 3, column 14: a tab (U+0009) inside a string; write it as \\t`."""
    return f"line {exc.lineno}, column {exc.colno}: {json_problem(exc)}"
