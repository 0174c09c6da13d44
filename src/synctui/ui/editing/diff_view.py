"""The coloured before/after diff and the list of requests a plan will send.

Shared by the save preview, the batch preview and the journal, so "what changed" and "what
was sent" read the same wherever they appear.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from textual.content import Content

from synctui.domain.diff import unified_json_diff
from synctui.domain.models import PlannedRequest

MAX_BODY_LINES = 40


def diff_content(before: Any, after: Any, *, context: int = 2) -> Content:
    """`unified_json_diff` with + lines green, - lines red and hunk headers dimmed."""
    lines = unified_json_diff(before, after, context=context)
    if not lines:
        return Content.styled("no difference", "dim")
    styled = []
    for line in lines:
        if line.startswith("+"):
            styled.append(Content.styled(line, "$text-success"))
        elif line.startswith("-"):
            styled.append(Content.styled(line, "$text-error"))
        elif line.startswith("@@"):
            styled.append(Content.styled(line, "dim"))
        else:
            styled.append(Content(line))
    return Content("\n").join(styled)


def requests_content(
    requests: Iterable[PlannedRequest | dict[str, Any]], base: str | None = None
) -> Content:
    """Each request as `METHOD url`, its (already masked) headers, body and note.

    With `base` (the account's URL) the URL is shown from there on: shorter, and the same
    wherever the account happens to live.
    """
    parts: list[Content] = []
    for number, request in enumerate(requests, 1):
        data = request.model_dump() if isinstance(request, PlannedRequest) else dict(request)
        url = str(data.get("url", ""))
        if base and url.startswith(base.rstrip("/")):
            url = "…" + url[len(base.rstrip("/")) :]
        parts.append(Content.assemble((f"{number}. {data.get('method', '?')} ", "bold"), url))
        for name, value in (data.get("headers") or {}).items():
            parts.append(Content.styled(f"   {name}: {value}", "dim"))
        body = data.get("body")
        if body not in (None, {}, ""):
            text = json.dumps(body, indent=2, ensure_ascii=False).splitlines()
            if len(text) > MAX_BODY_LINES:
                hidden = len(text) - MAX_BODY_LINES
                text = [*text[:MAX_BODY_LINES], f"… {hidden} more lines"]
            parts.extend(Content("   " + line) for line in text)
        if data.get("note"):
            parts.append(Content.styled(f"   ({data['note']})", "italic $text-muted"))
    if not parts:
        return Content.styled("nothing is sent", "dim")
    return Content("\n").join(parts)
