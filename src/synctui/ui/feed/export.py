"""Writing the filtered changes to JSON Lines or CSV, from a thread worker.

The rows exported are exactly the ids the list holds for the current filter (the same
`ChangeIndex`), so the file matches what the user sees, even while new changes keep arriving
or when the view is paused. The file is written next to its destination and renamed into
place at the end: a failed or abandoned export never leaves half a file under the real name.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from synctui.services.vendor_rules import feed_vendors
from synctui.store.feedstore import FeedStore, StoredChange

FORMATS: tuple[str, ...] = ("jsonl", "csv")
FIELDS: tuple[str, ...] = (
    "id",
    "received_at",
    "feed",
    "operation",
    "entity_type",
    "entity_id",
    "sequence_version",
    "subject",
    "project_id",
    "project",
    "partial",
    "resolved_by",
    "data",
)
CHUNK = 1000


class ExportCancelled(Exception):
    pass


def default_export_path(account: str, fmt: str, directory: Path | None = None) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", account).strip("-") or "account"
    vendor = "-".join(feed_vendors()) or "feed"
    return (directory or Path.cwd()) / f"{vendor}-changes-{safe}.{fmt}"


def with_format(path: str, fmt: str) -> str:
    """Swap a known export extension for the other one (the dialog's format switch)."""
    for known in FORMATS:
        if path.endswith(f".{known}"):
            return path[: -len(known)] + fmt
    return path


def record(change: StoredChange, project_names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": change.id,
        "received_at": change.received_at,
        "feed": change.feed,
        "operation": change.operation,
        "entity_type": change.entity_type,
        "entity_id": change.entity_id,
        "sequence_version": change.sequence_version,
        "subject": change.subject,
        "project_id": change.project_id,
        "project": project_names.get(change.project_id or ""),
        "partial": change.partial,
        "resolved_by": change.resolved_by,
        "data": change.data,
    }


class _Writer:
    def __init__(self, handle: TextIO, fmt: str) -> None:
        self.handle = handle
        self.fmt = fmt
        self.csv = csv.DictWriter(handle, fieldnames=FIELDS) if fmt == "csv" else None
        if self.csv is not None:
            self.csv.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        if self.csv is None:
            self.handle.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            return
        flat = dict(row)
        data = flat["data"]
        flat["data"] = "" if data is None else json.dumps(data, ensure_ascii=False)
        flat["partial"] = "true" if flat["partial"] else "false"
        self.csv.writerow({k: "" if v is None else v for k, v in flat.items()})


def export_changes(
    store: FeedStore,
    ids: Sequence[int],
    path: Path,
    fmt: str,
    project_names: dict[str, str],
    *,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> int:
    """Write the changes with these ids (ascending) to `path`; returns how many were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (formats: {', '.join(FORMATS)})")
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    written = 0
    try:
        with open(partial, "w", encoding="utf-8", newline="") as handle:
            writer = _Writer(handle, fmt)
            for start in range(0, len(ids), CHUNK):
                if cancelled():
                    raise ExportCancelled()
                for change in store.get_many(ids[start : start + CHUNK], with_data=True):
                    writer.write(record(change, project_names))
                    written += 1
                if progress is not None:
                    progress(written)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written
