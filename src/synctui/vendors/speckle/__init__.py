"""Speckle: cloud integration syncs (ACC, ProjectWise) over GraphQL.

`queries` holds every document sent, `models` and `parsers` read the vendor's JSON, `adapter`
speaks to the server. The names other modules use are re-exported here.
"""

from synctui.vendors.speckle.adapter import (
    LEGACY_LIST_FAILED,
    PAUSED_MESSAGE,
    ProjectNotFound,
    SpeckleAdapter,
)
from synctui.vendors.speckle.parsers import (
    LEGACY_REASON,
    PAUSED_REASON,
    parse_legacy,
    parse_run,
    parse_sync,
    run_state,
    same_context,
)
from synctui.vendors.speckle.queries import DOCUMENTS, M_UPDATE

__all__ = [
    "DOCUMENTS",
    "LEGACY_LIST_FAILED",
    "LEGACY_REASON",
    "M_UPDATE",
    "PAUSED_MESSAGE",
    "PAUSED_REASON",
    "ProjectNotFound",
    "SpeckleAdapter",
    "parse_legacy",
    "parse_run",
    "parse_sync",
    "run_state",
    "same_context",
]
