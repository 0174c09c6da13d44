"""GraphQL plumbing shared by the two GraphQL vendors (Speckle, LetsBuild).

gql validates every document against our local copy of the vendor's SDL before sending, so a
typo in a query fails in tests rather than at a customer. A document is validated and printed
once, on its first use, not on every send: a feed catch-up sends the same query hundreds of
times, and re-walking it each time cost more than reading the answer. The answer's JSON is
parsed once too: the HTTP policy parses it to see that it is readable, and gql takes that
parse instead of reading the bytes again. The session is non-reconnecting:
gql's permanent session retries executes by default, and a mutation must never be resent by
anything but our own policy (which refuses to resend one whose answer was lost).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import (
    TransportError,
    TransportProtocolError,
    TransportQueryError,
    TransportServerError,
)
from gql.transport.httpx import HTTPXAsyncTransport
from graphql import DocumentNode, print_ast

from synctui.domain import errors
from synctui.vendors.base import USER_AGENT, Adapter
from synctui.vendors.http import DEFAULT_TIMEOUT, parsed_json


@cache
def load_sdl(name: str) -> str:
    return resources.files("synctui.vendors").joinpath("schemas", f"{name}.graphql").read_text()


@cache
def document(source: str) -> GraphQLRequest:
    return gql(source)


@cache
def _printed(source: str) -> str:
    """The query text gql would send for `source` (its printed AST), computed once."""
    return print_ast(document(source).document)


class _PrintedRequest(GraphQLRequest):
    """A request whose query text is printed once per document, not on every send."""

    def __init__(self, source: str, variables: dict[str, Any]) -> None:
        super().__init__(document(source), variable_values=variables)
        self._query_text = _printed(source)

    @property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"query": self._query_text}
        if self.operation_name:
            payload["operationName"] = self.operation_name
        if self.variable_values:
            payload["variables"] = self.variable_values
        if self.extensions:
            payload["extensions"] = self.extensions
        return payload


def request_body(source: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The JSON body `execute` POSTs for this document and these variables."""
    return _PrintedRequest(source, variables).payload


class _ValidatingOnceClient(Client):
    """gql's client, validating each document against the schema on its first use only (the
    schema is fixed for the client's life, so a second validation cannot answer differently)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._validated: dict[int, DocumentNode] = {}  # id → the document, kept alive

    def validate(self, request: GraphQLRequest) -> None:
        doc = request.document
        if self._validated.get(id(doc)) is doc:
            return
        super().validate(request)
        self._validated[id(doc)] = doc


class _ParsedOnceTransport(HTTPXAsyncTransport):
    """gql's httpx transport, taking the JSON the HTTP policy already parsed."""

    def _get_json_result(self, response: Any) -> Any:
        found = parsed_json(response)
        if found is None:
            return super()._get_json_result(response)
        self.response_headers = response.headers
        return found[0]


class GraphQLAdapter(Adapter):
    """An adapter whose vendor speaks GraphQL at `{base_url}/graphql`."""

    sdl_name = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client: Client | None = None
        self._session: Any = None

    def graphql_headers(self) -> dict[str, str]:
        return {"User-Agent": USER_AGENT, **self.auth_headers()}

    async def _connect(self) -> Any:
        if self._session is None:
            transport = _ParsedOnceTransport(
                url=f"{self.base_url}/graphql",
                headers=self.graphql_headers(),
                timeout=DEFAULT_TIMEOUT,
                transport=self.transport,
            )
            self._client = _ValidatingOnceClient(
                schema=load_sdl(self.sdl_name),
                transport=transport,
                fetch_schema_from_transport=False,
                execute_timeout=None,
            )
            self._session = await self._client.connect_async(reconnecting=False)
        return self._session

    async def aclose(self) -> None:
        if self._client is not None:
            try:
                await self._client.close_async()
            finally:
                self._client = None
                self._session = None
        await super().aclose()

    async def execute(self, source: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run one operation; every failure comes out as a typed SyncTuiError."""
        session = await self._connect()
        try:
            result = await session.execute(_PrintedRequest(source, variables or {}))
        except TransportQueryError as exc:
            found = exc.errors
            items = found if isinstance(found, list) and found else [{"message": str(exc)}]
            raise self.map_graphql_errors(items) from None
        except TransportServerError as exc:
            raise self.map_status(exc.code, str(exc)) from None
        except TransportProtocolError:
            raise self.unreadable("not a GraphQL result") from None
        except TransportError as exc:
            raise self.network_error(exc) from None
        except errors.SyncTuiError:
            raise
        except (TypeError, AttributeError, KeyError, IndexError):
            # gql reading a JSON answer that is not an object (`null`, a list, a number)
            raise self.unreadable("not a GraphQL result") from None
        except Exception as exc:  # validation against the local SDL, or an odd answer
            if exc.__class__.__name__ == "GraphQLError":
                raise errors.VendorError(f"query rejected by the local schema: {exc}") from None
            raise self.network_error(exc) from None
        if not isinstance(result, dict):
            raise self.unreadable("no data")
        return result

    def unreadable(self, what: str) -> errors.VendorError:
        """`status=None` on purpose: after a mutation it means "outcome open" (verify)."""
        return errors.VendorError(
            f"{self.account.name}: unreadable answer from {self.rules.title or self.vendor}"
            f" ({what})",
            status=None,
        )

    def map_status(self, status: int | None, text: str) -> errors.SyncTuiError:
        name = self.account.name
        if status == 401:
            return errors.AuthError(f"{name}: the token was rejected (401)")
        if status == 403:
            return errors.PermissionDenied(f"{name}: the token is not allowed to do this (403)")
        if status == 429:
            return errors.RateLimited(f"{name}: rate limited by {self.vendor}; try again shortly")
        if status is not None and status >= 500:
            return errors.VendorError(f"{name}: {self.vendor} failed ({status}); try again", status)
        return errors.VendorError(
            f"{name}: {self.vendor} answered {status}: {self.redact(text)}", status
        )

    def map_graphql_errors(self, items: list[Any]) -> errors.SyncTuiError:
        """Vendor-specific subclasses refine this; the default reads extensions.code.

        Any shape is read without failing: errors that are not objects, a message that is
        not text, `extensions` that is not an object, a status code that is not a number.
        """
        first = items[0] if items and isinstance(items[0], dict) else {"message": str(items)}
        message = self.redact(str(first.get("message") or "unknown error"))
        ext = first.get("extensions")
        ext = ext if isinstance(ext, dict) else {}
        code = str(ext.get("code") or "").upper()
        status = ext.get("statusCode")
        status = status if isinstance(status, int) and 100 <= status <= 599 else None
        name = self.account.name
        if code in ("UNAUTHORIZED", "UNAUTHENTICATED") or status == 401:
            return errors.AuthError(f"{name}: the token was rejected: {message}")
        if code == "FORBIDDEN" or status == 403:
            return errors.PermissionDenied(f"{name}: {message}")
        if code.endswith("NOT_FOUND") or code == "NOT_FOUND_ERROR" or status == 404:
            return errors.NotFound(f"{name}: {message}")
        if code in ("TOO_MANY_REQUESTS", "RATE_LIMITED") or status == 429:
            return errors.RateLimited(f"{name}: rate limited by {self.vendor}; try again shortly")
        server_codes = {
            "INTERNAL_SERVER_ERROR": 500,
            "BAD_GATEWAY": 502,
            "SERVICE_UNAVAILABLE": 503,
            "GATEWAY_TIMEOUT": 504,
        }
        if code in server_codes or (isinstance(status, int) and status >= 500):
            http = status if isinstance(status, int) else server_codes[code]
            return errors.VendorError(f"{name}: {self.vendor} failed ({http}); try again", http)
        if code in ("BAD_REQUEST_ERROR", "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"):
            return errors.ValidationFailed(f"{name}: {message}")
        return errors.VendorError(f"{name}: {message}", status if isinstance(status, int) else None)
