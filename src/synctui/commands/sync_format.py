"""How the syncs commands print syncs, runs, plans and write results, and read a patch.

Shared by `synctui syncs ...` (one sync or a batch) and `synctui journal` (the requests a
revert would send), so every face of a write prints it the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from synctui.commands.common import emit_json, parse_json_arg, read_json_file
from synctui.domain import errors

if TYPE_CHECKING:
    from synctui.domain.models import PlannedRequest, Run, Sync, WritePlan, WriteResult


def answer(args: argparse.Namespace, document: object, line: str) -> int:
    """A command's answer, exit status 0: `document` as JSON with --json, else `line`."""
    if args.json:
        emit_json(document)
    else:
        print(line)
    return 0


def sync_json(sync: Sync) -> dict[str, Any]:
    return {
        "account": sync.account,
        "vendor": sync.vendor,
        "id": sync.id,
        "name": sync.name,
        "status": sync.status.value,
        "vendor_status": sync.vendor_status,
        "status_reason": sync.status_reason,
        "updated_at": sync.updated_at,
        "columns": sync.columns,
        "latest_run": run_json(sync.latest_run) if sync.latest_run else None,
        "unavailable": sync.unavailable,
        "raw": sync.raw,
    }


def run_json(run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "state": run.state.value,
        "vendor_status": run.vendor_status,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "summary": run.summary,
        "error": run.error,
        "raw": run.raw,
    }


def result_json(result: WriteResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "message": result.message,
        "pending": result.pending,
        "sync": sync_json(result.sync) if result.sync else None,
        "run": run_json(result.run) if result.run else None,
    }


def run_line(run: Run) -> str:
    when = run.finished_at or run.started_at or run.created_at or ""
    return " ".join(p for p in (run.state.value, when[:19], run.error or run.summary) if p)


def load_patch(args: argparse.Namespace) -> dict[str, Any]:
    if args.patch is not None:
        patch = parse_json_arg(args.patch, "--patch")
    else:
        patch = read_json_file(args.patch_file, "--patch-file")
    if not isinstance(patch, dict):
        raise errors.UsageError('a merge patch must be a JSON object, e.g. \'{"name": "New"}\'')
    where = _lone_surrogate_at(patch)
    if where is not None:
        raise errors.UsageError(
            f"the patch holds an unpaired surrogate (half of a UTF-16 pair, like \\ud83d) at "
            f"{where}: it is not text any request can carry; write the whole character"
        )
    return patch


def _lone_surrogate_at(value: Any, path: str = "") -> str | None:
    """Where in a JSON value a lone surrogate sits (its dotted path), if anywhere.

    `json.loads` accepts the escape "\\ud83d" alone and gives a str that has no UTF-8 form.
    """
    if isinstance(value, str):
        return (path or "the top level") if any(0xD800 <= ord(c) <= 0xDFFF for c in value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            found = _lone_surrogate_at(key, here) or _lone_surrogate_at(item, here)
            if found is not None:
                return found.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _lone_surrogate_at(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def plan_json(plan: WritePlan) -> dict[str, Any]:
    return {
        "account": plan.account,
        "sync_id": plan.sync_id,
        "summary": plan.summary,
        "before": plan.before,
        "after": plan.after,
        "requests": [r.model_dump() for r in plan.requests],
    }


def print_plan(plan: WritePlan, as_json: bool) -> None:
    if as_json:
        emit_json({"dry_run": True, **plan_json(plan)})
        return
    print(f"Dry run — {plan.summary}; nothing was sent.")
    print_requests(plan)


def print_requests(plan: WritePlan, out: TextIO | None = None, indent: str = "") -> None:
    """Each request as it would go on the wire (headers already masked by the adapter)."""
    stream = out or sys.stdout
    for request in plan.requests:
        stream.write("\n")
        for line in render_request(request):
            stream.write(f"{indent}{line}\n" if line else "\n")


def render_request(request: PlannedRequest) -> list[str]:
    """A request as text; a GraphQL body shows its query as GraphQL, not as one JSON string."""
    lines = [f"{request.method} {request.url}"]
    lines += [f"{key}: {value}" for key, value in request.headers.items()]
    body = request.body
    if isinstance(body, dict) and isinstance(body.get("query"), str):
        lines += ["", *body["query"].rstrip().splitlines()]
        rest = {key: value for key, value in body.items() if key != "query"}
        if rest:
            lines += ["", *json.dumps(rest, indent=2, ensure_ascii=False).splitlines()]
    elif body is not None:
        lines += ["", *json.dumps(body, indent=2, ensure_ascii=False).splitlines()]
    if request.note:
        lines.append(f"# {request.note}")
    return lines
