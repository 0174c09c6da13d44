"""Answers of the wrong shape end as a clear error, never as Python's own complaint.

GraphQL `extensions: "str"` crashed with AttributeError; a `null` body printed "argument of
type 'NoneType' is not iterable". Every adapter call here gets a well-formed HTTP answer
whose JSON is not what the vendor documents, and must come out as a `SyncTuiError` whose
words a user can read.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from synctui.domain import errors
from tests.hostile.conftest import Serve, account_for, make_adapter
from tests.hostile.server import Reply

PYTHON_WORDS = ("NoneType", "AttributeError", "TypeError", "has no attribute", "argument of type")

GRAPHQL_BODIES: list[Any] = [
    None,
    [],
    "text",
    42,
    True,
    {},
    {"data": None},
    {"data": "text"},
    {"data": []},
    {"errors": "something broke"},
    {"errors": {"message": "one error, not a list"}},
    {"errors": [1, 2]},
    {"errors": [None]},
    {"errors": [{"message": None}]},
    {"errors": [{"message": "boom", "extensions": "str"}]},
    {"errors": [{"message": "boom", "extensions": ["a"]}]},
    {"errors": [{"message": "boom", "extensions": {"code": None, "statusCode": "500"}}]},
    {"errors": [{"message": "boom", "extensions": {"code": ["x"], "statusCode": 10**30}}]},
    {"errors": [{"message": {"nested": True}, "path": "p"}]},
    {"errors": [], "data": None},
]

REST_BODIES: list[Any] = [None, [], "text", 42, True, {}, {"data": None}, {"data": "x"}, [None]]


def readable(failure: BaseException, where: str) -> None:
    assert isinstance(failure, errors.SyncTuiError), f"{where}: {failure!r}"
    text = str(failure)
    assert text and not any(word in text for word in PYTHON_WORDS), f"{where}: {text}"


async def check_calls(calls: dict[str, Any], where: str) -> None:
    """Await each call; whatever fails must fail readably (`where` names the case)."""
    for name, call in calls.items():
        try:
            await call()
        except Exception as exc:
            readable(exc, f"{where}, {name}")


def switchable() -> tuple[list[Any], Any]:
    """A handler answering whatever `answer[0]` (a body) and `answer[1]` (a status) say."""
    answer: list[Any] = [None, 200]
    return answer, lambda request, exchange: Reply.json(answer[0], answer[1])


async def test_graphql_answers_of_any_shape(hostile: Serve) -> None:
    answer, handler = switchable()
    server = hostile(handler)
    letsbuild = make_adapter(account_for("letsbuild", server.url))
    speckle = make_adapter(account_for("speckle", server.url))
    calls = {
        "fetch_changes": lambda: letsbuild.fetch_changes("point", None),
        "list_syncs": speckle.list_syncs,
        "get_sync": lambda: speckle.get_sync("p1/s1"),
        "list_runs": lambda: speckle.list_runs("p1/s1"),
        "check": speckle.check,
    }
    try:
        for answer[0] in GRAPHQL_BODIES:
            for answer[1] in (200, 500):
                await check_calls(calls, f"{json.dumps(answer[0])} with {answer[1]}")
    finally:
        await letsbuild.aclose()
        await speckle.aclose()


@pytest.mark.parametrize("vendor", ["polytomic", "signalsmith", "paragon"])
async def test_rest_answers_of_any_shape(hostile: Serve, vendor: str) -> None:
    answer, handler = switchable()
    server = hostile(handler)
    adapter = make_adapter(account_for(vendor, server.url))
    calls = {
        "list_syncs": adapter.list_syncs,
        "get_sync": lambda: adapter.get_sync("s1"),
        "set_active": lambda: adapter.set_active("s1", False),
        "check": adapter.check,
    }
    if vendor != "paragon":
        calls["list_runs"] = lambda: adapter.list_runs("s1")
        calls["trigger"] = lambda: adapter.trigger("s1")
    try:
        for answer[0] in REST_BODIES:
            for answer[1] in (200, 422, 503):
                await check_calls(calls, f"{json.dumps(answer[0])} with {answer[1]}")
    finally:
        await adapter.aclose()
