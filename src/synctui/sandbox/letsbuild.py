"""LetsBuild simulator: the read-only Sync API, four GraphQL change feeds behind one endpoint.

`POST /graphql` runs queries with graphql-core against the sandbox's own SDL
(`schemas/letsbuild.graphql`), so a client's documents are validated the way a real GraphQL
server would validate them. Each feed reads an append-only log (see `letsbuild_seed`) ordered
by one global `sequenceVersion`; a cursor is that feed plus the last sequence handed out,
signed so that a made-up cursor is refused instead of silently resyncing from somewhere else.
Because the log only grows and a cursor names a sequence rather than an offset, a cursor
stays valid forever and resuming from it never skips or repeats a change.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import struct
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLObjectType,
    build_schema,
    execute_sync,
    parse,
    validate,
)
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from synctui.sandbox.core import SimContext, VendorSim, retry_after_header
from synctui.sandbox.letsbuild_seed import (
    DELETED,
    FEEDS,
    OPERATION_NAMES,
    POINT,
    PROJECT,
    Change,
    Feed,
    LetsBuildWorld,
    iso_ms,
    to_ms,
    working_timestamps,
)
from synctui.sandbox.responses import JSONResponse

PAGE_SIZE = 200
SEED_CHANGES = 21_000  # --scale multiplies sync counts; a change feed has no syncs to scale
MAX_GENERATE = 100_000
SDL_PATH = Path(__file__).with_name("schemas") / "letsbuild.graphql"
SCHEMA = build_schema(SDL_PATH.read_text(encoding="utf-8"))

_ERROR_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
}
_CURSOR_VERSION = 1
_CURSOR_MAC_BYTES = 6


def _feed_resolver(feed: Feed) -> Any:
    def resolve(_root: Any, info: Any, cursor: str | None = None) -> dict[str, Any]:
        sim: LetsBuildSim = info.context
        return sim.sync_page(feed, cursor)

    return resolve


_query_type = SCHEMA.query_type
assert isinstance(_query_type, GraphQLObjectType)
for _feed in FEEDS:
    _query_type.fields[_feed.query].resolve = _feed_resolver(_feed)


@lru_cache(maxsize=256)
def _prepare(query: str) -> tuple[DocumentNode | None, tuple[dict[str, Any], ...]]:
    """Parse and validate once per distinct document: clients send the same four queries."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, (_with_code(exc, "GRAPHQL_PARSE_FAILED"),)
    errors = validate(SCHEMA, document)
    if errors:
        return None, tuple(_with_code(e, "GRAPHQL_VALIDATION_FAILED") for e in errors)
    return document, ()


def _with_code(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted = dict(error.formatted)
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted


def _errors(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


class InvalidCursor(GraphQLError):
    """A cursor this server did not hand out (or for another feed): refused, never guessed at,
    so a client bug cannot quietly turn into a resync from the wrong place."""

    def __init__(self, detail: str = "") -> None:
        message = f"Invalid cursor: {detail}" if detail else "Invalid cursor"
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})


class LetsBuildSim(VendorSim):
    """Read-only: both demo tokens read everything, and nothing but the history changes."""

    name = "letsbuild"
    title = "LetsBuild"

    def __init__(self, ctx: SimContext) -> None:
        super().__init__(ctx)
        token_rng = ctx.rng("letsbuild:tokens")
        self.tokens = {
            "rw": f"lb_pat_{token_rng.getrandbits(128):032x}",
            "ro": f"lb_pat_{token_rng.getrandbits(128):032x}",
        }
        self._cursor_key = hashlib.sha256(f"letsbuild:cursor:{ctx.seed}".encode()).digest()
        rng = ctx.rng("letsbuild:world")
        self.world = LetsBuildWorld(rng)
        count = SEED_CHANGES
        self.world.generate(count, working_timestamps(rng, self.now(), count))
        self._live: asyncio.Task[None] | None = None

    # --- VendorSim ----------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/graphql", self._graphql, methods=["POST"]),
            Route("/_sim/generate", self._generate, methods=["POST"]),
        ]

    def info(self, base_url: str) -> dict[str, Any]:
        return {
            "base_url": base_url,
            "tokens": dict(self.tokens),
            "ids": {"endpoint": f"{base_url}/graphql", "feeds": [f.query for f in FEEDS]},
        }

    def error_response(self, status: int, message: str, retry_after: float | None) -> Response:
        headers = {"Retry-After": retry_after_header(retry_after)} if status == 429 else None
        return _errors(status, message, _ERROR_CODES.get(status, "INTERNAL_SERVER_ERROR"), headers)

    def admin_state(self) -> dict[str, Any]:
        """Ground truth for tests: every change of every feed, in order, plus open partials.

        Deletions carry no snapshot, so their sequenceVersion is never shown to a client;
        it is listed here anyway so the order of every change is known.
        """
        with self.lock:
            world = self.world
            feeds = {
                feed.query: {
                    "entity_type": feed.entity_type,
                    "count": len(world.logs[feed.index]),
                    "alive": len(world.alive[feed.index]),
                    "changes": [
                        [seq, eid, OPERATION_NAMES[op]]
                        for seq, eid, op, _, _ in world.logs[feed.index]
                    ],
                }
                for feed in FEEDS
            }
            partials = [
                [FEEDS[feed].query, world.ids[feed][idx], FEEDS[feed].fields[pos]]
                for (feed, idx), (pos, _) in world.partials.items()
            ]
            return {
                "feeds": feeds,
                "total": world.total(),
                "max_sequence": world.sequence,
                "partials_outstanding": len(partials),
                "partials": partials,
                "page_size": PAGE_SIZE,
            }

    async def startup(self) -> None:
        if self.ctx.changes_per_second > 0:
            self._live = asyncio.create_task(self._live_feed(self.ctx.changes_per_second))

    async def shutdown(self) -> None:
        if self._live is not None:
            self._live.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._live
            self._live = None

    # --- change generation --------------------------------------------------------------
    def append_changes(self, count: int) -> int:
        """Add `count` live changes stamped with the sandbox clock; returns the max sequence."""
        with self.lock:
            self.world.generate(count, now_ms=to_ms(self.now()))
            return self.world.sequence

    async def _live_feed(self, per_second: float) -> None:
        """Paced by the event loop's clock, so a frozen sandbox clock still gets live changes."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        owed = 0.0
        while True:
            await asyncio.sleep(0.1)
            now = loop.time()
            owed += (now - last) * per_second
            last = now
            due = int(owed)
            if due:
                owed -= due
                self.append_changes(due)

    # --- feeds --------------------------------------------------------------------------
    def sync_page(self, feed: Feed, cursor: str | None) -> dict[str, Any]:
        """One page of a feed after `cursor`; an empty page hands back the same position."""
        after = self._decode_cursor(feed, cursor) if cursor else 0
        with self.lock:
            chunk, more = self.world.page(feed.index, after, PAGE_SIZE)
        last = chunk[-1][0] if chunk else after
        return {
            "changes": [_change_dict(feed, change) for change in chunk],
            "cursor": self._encode_cursor(feed, last),
            "hasMore": more,
            "maxSequence": last,
        }

    def _encode_cursor(self, feed: Feed, sequence: int) -> str:
        payload = struct.pack(">BBQ", _CURSOR_VERSION, feed.index, sequence)
        mac = hmac.new(self._cursor_key, payload, hashlib.sha256).digest()[:_CURSOR_MAC_BYTES]
        return base64.urlsafe_b64encode(payload + mac).rstrip(b"=").decode()

    def _decode_cursor(self, feed: Feed, cursor: str) -> int:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursor() from None
        if len(raw) != 10 + _CURSOR_MAC_BYTES:
            raise InvalidCursor()
        payload, mac = raw[:10], raw[10:]
        expected = hmac.new(self._cursor_key, payload, hashlib.sha256).digest()
        if not hmac.compare_digest(mac, expected[:_CURSOR_MAC_BYTES]):
            raise InvalidCursor()
        version, feed_index, sequence = struct.unpack(">BBQ", payload)
        if version != _CURSOR_VERSION or feed_index >= len(FEEDS):
            raise InvalidCursor()
        if feed_index != feed.index:
            raise InvalidCursor(f"it was issued by {FEEDS[feed_index].query}, not {feed.query}")
        if self._encode_cursor(feed, sequence) != cursor:  # same bytes, different spelling
            raise InvalidCursor()
        return sequence

    # --- HTTP ---------------------------------------------------------------------------
    def _authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token.strip() in self.tokens.values()

    async def _graphql(self, request: Request) -> Response:
        if not self._authorized(request):
            return _errors(401, "Unauthorized", "UNAUTHENTICATED", {"WWW-Authenticate": "Bearer"})
        try:
            payload = await request.json()
        except ValueError:
            return _errors(400, "The request body must be JSON", "BAD_REQUEST")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return _errors(400, "The request must have a 'query' string", "BAD_REQUEST")
        variables = payload.get("variables") or {}
        operation = payload.get("operationName")
        if not isinstance(variables, dict) or not isinstance(operation, str | None):
            return _errors(400, "'variables' must be an object", "BAD_REQUEST")
        document, errors = _prepare(payload["query"])
        if document is None:
            return JSONResponse({"errors": list(errors)}, status_code=400)
        result = await run_in_threadpool(
            execute_sync,
            SCHEMA,
            document,
            context_value=self,
            variable_values=variables,
            operation_name=operation,
        )
        body = result.formatted
        # Errors before any field ran (bad variables, unknown operation) are the request's fault.
        request_error = result.data is None and any(e.path is None for e in result.errors or ())
        if request_error:
            body["errors"] = [_with_code(e, "BAD_USER_INPUT") for e in result.errors or ()]
        return JSONResponse(body, status_code=400 if request_error else 200)

    async def _generate(self, request: Request) -> Response:
        """Sandbox-only helper, no auth: `{"count": n}` appends n live changes right away.

        It is not part of the LetsBuild API; tests and benchmarks use it to grow the feeds
        over HTTP without waiting for the live generator.
        """
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        count = payload.get("count") if isinstance(payload, dict) else None
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_GENERATE:
            return JSONResponse(
                {"error": f"'count' must be an integer from 0 to {MAX_GENERATE}"}, status_code=400
            )
        max_sequence = await run_in_threadpool(self.append_changes, count)
        with self.lock:
            total = self.world.total()
        return JSONResponse({"added": count, "total": total, "maxSequence": max_sequence})


# Calendar days kept as YYYY-MM-DD in the seed, served as the Entities guide's DateTime.
_DAY_FIELDS = {PROJECT: ("startDate", "endDate"), POINT: ("dueDate",)}
COUNTRIES = {"BE": "Belgium", "NL": "Netherlands", "FR": "France", "GB": "United Kingdom"}


def _change_dict(feed: Feed, change: Change) -> dict[str, Any]:
    """The GraphQL shape of one stored change; the snapshot becomes a dict only here."""
    sequence, entity_id, op, snapshot, ts = change
    data: dict[str, Any] | None = None
    if op != DELETED and snapshot is not None:
        data = dict(zip(feed.fields, snapshot, strict=True))
        data["__typename"] = feed.entity_type
        data["sequenceVersion"] = sequence
        data["updatedAt"] = iso_ms(ts)
        for name in _DAY_FIELDS.get(feed.index, ()):
            if data[name]:
                data[name] = f"{data[name]}T00:00:00.000Z"
        if feed.index == POINT:
            name, color = data["status"]
            data["status"] = {"name": name, "color": color}
        elif feed.index == PROJECT and data["country"]:
            iso = data["country"]
            data["country"] = {"name": COUNTRIES.get(iso, iso), "iso": iso}
    return {
        "entityId": entity_id,
        "entityType": feed.entity_type,
        "operationType": OPERATION_NAMES[op],
        "data": data,
    }
