"""A sync's name where a screen only has its id (journal entries, API calls).

A person recognises "Acme HQ – Level 2.rvt", not `5220b3074a/3d5085bbcc`. The name comes from
the catalog when the sync is loaded (the adapter's own choice of name for its vendor), else
from the document the journal kept (`before`/`after`, the vendor's own JSON), else the id is
shown as it is. Ids stay available in the details.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

# The vendors' own name fields, as the adapters read them: Polytomic and Signalsmith `name`,
# Speckle `fileName` (legacy ACC syncs: `accFileName`), Paragon `configurationName`.
NAME_FIELDS = ("name", "fileName", "accFileName", "configurationName")


def name_in_documents(documents: Iterable[Any]) -> str | None:
    for document in documents:
        if not isinstance(document, dict):
            continue
        for field in NAME_FIELDS:
            value = document.get(field)
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
    return None


def sync_name(catalog: Any, account: str, sync_id: str, *documents: Any) -> str | None:
    """The sync's name, or None when neither the catalog nor `documents` know it."""
    if catalog is not None and sync_id:
        sync = catalog.get((account, sync_id))
        if sync is not None and sync.name:
            return sync.name
    return name_in_documents(documents)


def sync_label(catalog: Any, account: str, sync_id: str, *documents: Any) -> str:
    """The name if known, else the id (never empty: a created sync may have neither yet)."""
    return sync_name(catalog, account, sync_id, *documents) or sync_id or "-"


def name_in_path(catalog: Any, account: str, path: str) -> str | None:
    """The name of a loaded sync whose id is part of a REST path (`/api/syncs/ID/runs`).

    Every segment, and every pair of segments (ids like `PROJECT/SYNC`), is looked up in
    the catalog: a dictionary lookup each, so a long call log stays cheap.
    """
    if catalog is None or "/" not in path:
        return None
    segments = [s for s in path.split("?", 1)[0].split("/") if s]
    candidates = segments + [f"{a}/{b}" for a, b in pairwise(segments)]
    for candidate in reversed(candidates):  # the most specific id is nearest the end
        sync = catalog.get((account, candidate))
        if sync is not None and sync.name:
            return sync.name
    return None
