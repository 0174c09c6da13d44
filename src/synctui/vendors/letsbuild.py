"""LetsBuild: read-only GraphQL change feeds (project, form, point, contact details).

Cursors are opaque: stored and sent back exactly as received, never built or parsed.
Queries are the ones from the vendor's Sync guide plus `sequenceVersion`, validated against
`schemas/letsbuild.graphql` (written from the Entities guide and the reference types).
Entity snapshots are kept exactly as sent: a field's JSON type is never coerced, so
`codeNum` (a `String!` in the Entities guide, a number in older examples) is stored as it
came, and a field LetsBuild adds later is kept too.
"""

from __future__ import annotations

from typing import Any

from synctui.domain import errors
from synctui.domain.models import Change, ChangePage
from synctui.domain.null_guid import has_null_guid
from synctui.vendors.graphql import GraphQLAdapter
from synctui.vendors.letsbuild_rules import RULES

_FIELDS = {
    "project": (
        "projectSync",
        "Project",
        "id sequenceVersion name code address city zipCode startDate endDate isArchived",
    ),
    "form": (
        "formSync",
        "Form",
        "id sequenceVersion subject code codeNum date type status isConform isArchived "
        "isUrgent projectId listId",
    ),
    "point": (
        "pointSync",
        "Point",
        "id sequenceVersion subject code codeNum date isArchived isUrgent dueDate projectId "
        "listId status { name color }",
    ),
    "contact": (
        "contactDetailsSync",
        "ContactDetails",
        "id sequenceVersion displayName company role phone street city zip projectId userId "
        "isDisabled accessRightLevel invitationStatus",
    ),
}


def _query(feed: str) -> str:
    field, type_name, selection = _FIELDS[feed]
    op = field[0].upper() + field[1:]
    return (
        f"query {op}($cursor: String) {{ {field}(cursor: $cursor) {{ "
        f"changes {{ entityId entityType operationType data {{ ... on {type_name} {{ {selection} }} }} }} "
        "cursor hasMore } }"
    )


QUERIES = {feed: _query(feed) for feed in _FIELDS}
# Every document this adapter sends (all reads: the Sync API has no writes).
DOCUMENTS = QUERIES


_OPERATIONS = {"create": "created", "update": "updated", "delete": "deleted"}


def normalize_operation(value: Any) -> str:
    """CREATED / Created / created → created; anything unknown is kept, lower-cased."""
    text = str(value or "").strip().lower()
    return _OPERATIONS.get(text, text)


def _storable(cursor: Any) -> bool:
    """A cursor is kept exactly as sent, so it must be text that UTF-8 can hold (a JSON
    string may carry a lone surrogate, which cannot be stored, and must not be altered)."""
    if not isinstance(cursor, str):
        return False
    try:
        cursor.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_change(feed: str, item: Any) -> Change:
    if not isinstance(item, dict) or not item.get("entityId"):
        raise errors.VendorError(f"LetsBuild sent a change without an entityId in the {feed} feed")
    data = item.get("data")
    if data is not None and not isinstance(data, dict):
        data = {"value": data}
    sequence = data.get("sequenceVersion") if data else None
    try:
        sequence = int(sequence) if sequence is not None else None
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(float("inf"))
        sequence = None
    if sequence is not None and not -(2**63) <= sequence < 2**63:
        sequence = None  # not a sequence any store can keep (SQLite integers are 64-bit)
    return Change(
        feed=feed,
        entity_id=str(item["entityId"]),
        entity_type=str(item.get("entityType") or feed),
        operation=normalize_operation(item.get("operationType")),
        data=data,
        sequence_version=sequence,
        partial=has_null_guid(data),
    )


class LetsBuildAdapter(GraphQLAdapter):
    vendor = "letsbuild"
    sdl_name = "letsbuild"
    rules = RULES
    capabilities = RULES.capabilities
    feeds = RULES.feeds

    async def check(self) -> str:
        page = await self.fetch_changes("project", None)
        more = " (more waiting)" if page.has_more else ""
        return f"change feeds readable; {len(page.changes)} project changes in the first page{more}"

    async def fetch_changes(self, feed: str, cursor: str | None) -> ChangePage:
        if feed not in QUERIES:
            raise errors.UsageError(f"unknown LetsBuild feed {feed!r}")
        result = await self.execute(QUERIES[feed], {"cursor": cursor})
        body = result.get(_FIELDS[feed][0])
        items = body.get("changes") if isinstance(body, dict) else None
        if (
            not isinstance(body, dict)
            or not _storable(body.get("cursor"))
            or not isinstance(items, list | None)
        ):
            raise errors.VendorError(
                f"{self.account.name}: LetsBuild sent an unreadable {feed} page"
            )
        changes = [parse_change(feed, item) for item in items or []]
        return ChangePage(
            changes=changes, cursor=body["cursor"], has_more=bool(body.get("hasMore"))
        )
