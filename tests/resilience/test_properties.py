"""Property-based tests: validators, the CLI's argument handling, and every adapter fed
malformed or surprising vendor answers.

The example-based tests elsewhere prove the happy paths and the documented errors. These
ask hypothesis for the inputs nobody thought to write down — non-ASCII digits, 5,000-digit
numbers, nulls where objects should be, enum values a vendor adds next year, a cursor that is
a number — and check the promises that must hold for *any* input:

- a validator returns issues and never raises, and its enum and UUID checks say exactly what
  the vendor accepts;
- the CLI exits 0, 1 or 2 with one readable line, never a traceback;
- an adapter turns any vendor answer into a `Sync`/`Run`/`ChangePage` it can display or into
  a `SyncTuiError`, never another exception; and it never plans a write from a sync it could
  not read, nor sends one while only reading or planning.

The adapters run for real: only the vendor is replaced, by an `httpx.MockTransport` used as
the adapter's inner transport, serving answers recorded from the simulators and then mutated.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import io
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from synctui.cli import build_parser, main
from synctui.domain import errors
from synctui.domain.cron import CronError, describe_cron, parse_cron
from synctui.domain.merge_patch import apply_merge_patch, json_equal
from synctui.domain.models import ChangePage, Run, Sync
from synctui.domain.validation import ValidationIssue, is_uuid
from synctui.sandbox.core import SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.services.demo import demo_accounts
from synctui.store.accounts import Account
from synctui.store.feedstore import FeedStore
from synctui.vendors.http import RetrySettings
from synctui.vendors.paragon_rules import FREQUENCIES as PARAGON_FREQUENCIES
from synctui.vendors.paragon_rules import validate_patch as validate_paragon_patch
from synctui.vendors.polytomic_rules import FREQUENCIES as POLYTOMIC_FREQUENCIES
from synctui.vendors.polytomic_rules import IDENTITY_FUNCTIONS as POLYTOMIC_IDENTITY_FUNCTIONS
from synctui.vendors.polytomic_rules import MODES as POLYTOMIC_MODES
from synctui.vendors.polytomic_rules import validate_sync as validate_polytomic_sync
from synctui.vendors.registry import adapter_class
from synctui.vendors.signalsmith_rules import STATUSES as SIGNALSMITH_STATUSES
from synctui.vendors.signalsmith_rules import SYNC_MODES as SIGNALSMITH_SYNC_MODES
from synctui.vendors.signalsmith_rules import validate_sync as validate_signalsmith_sync
from synctui.vendors.speckle_rules import REFERENCE_POINTS as SPECKLE_REFERENCE_POINTS
from synctui.vendors.speckle_rules import validate_context as validate_speckle_context

# --- strategies shared by the properties ---------------------------------------------------

# Strings that have broken parsers before: digits that are not ASCII (str.isdigit() says yes,
# int() may say no), numbers longer than int() accepts from text, blanks, NULs, lone
# surrogates (what a shell gives Python for bytes that are not UTF-8), right-to-left marks.
UNICODE_DIGITS = st.sampled_from(["²", "³", "¹", "٣", "۷", "߀", "१", "๓", "①", "𝟘", "９"])
SURPRISING_TEXT = st.one_of(
    st.text(max_size=12),
    st.builds(lambda d, n: d * n, st.sampled_from("019"), st.integers(4290, 4400)),
    st.builds(lambda d, n: d * n, UNICODE_DIGITS, st.integers(1, 3)),
    st.sampled_from(["", " ", "\t", "\x00", "\udcff", "\u200f1", "-1", "+1", "1_0", "0x1f"]),
    st.builds(lambda n: "x" * n, st.integers(10_000, 200_000)),
)
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    SURPRISING_TEXT,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def issues_at(issues: list[ValidationIssue], path: str) -> list[ValidationIssue]:
    return [i for i in issues if i.path == path]


# --- validators ----------------------------------------------------------------------------

CRON_ALPHABET = "0123456789*/-, JANFEBMONSUNmonjan@\t"


@settings(max_examples=100, deadline=None)
@given(
    expr=st.one_of(
        st.text(alphabet=CRON_ALPHABET, max_size=30),
        st.lists(
            st.one_of(SURPRISING_TEXT, st.text(alphabet=CRON_ALPHABET, min_size=1, max_size=8)),
            min_size=5,
            max_size=5,
        ).map(" ".join),
    )
)
def test_cron_either_parses_or_says_why(expr: str) -> None:
    """Any text is a schedule or a CronError with a message: the editor and the validator
    catch CronError only, so anything else would escape as a crash."""
    try:
        schedule = parse_cron(expr)
    except CronError as exc:
        assert exc.message
        return
    assert describe_cron(expr)
    reason = schedule.why_never_fires()
    assert reason is None or isinstance(reason, str)


ENUM_CASES: list[tuple[str, Callable[[Any], list[ValidationIssue]], str, tuple[str, ...]]] = [
    (
        "speckle referencePoint",
        lambda v: validate_speckle_context({"referencePoint": v}),
        "referencePoint",
        SPECKLE_REFERENCE_POINTS,
    ),
    (
        "polytomic mode",
        lambda v: validate_polytomic_sync({**POLYTOMIC_SYNC, "mode": v}),
        "mode",
        POLYTOMIC_MODES,
    ),
    (
        "polytomic frequency",
        lambda v: validate_polytomic_sync({**POLYTOMIC_SYNC, "schedule": {"frequency": v}}),
        "schedule.frequency",
        POLYTOMIC_FREQUENCIES,
    ),
    (
        "polytomic identity function",
        lambda v: validate_polytomic_sync({**POLYTOMIC_SYNC, "identity": {"function": v}}),
        "identity.function",
        POLYTOMIC_IDENTITY_FUNCTIONS,
    ),
    (
        "signalsmith sync_mode",
        lambda v: validate_signalsmith_sync({"sync_mode": v}, creating=False),
        "sync_mode",
        SIGNALSMITH_SYNC_MODES,
    ),
    (
        "signalsmith status",
        lambda v: validate_signalsmith_sync({"status": v}, creating=False),
        "status",
        SIGNALSMITH_STATUSES,
    ),
    (
        "paragon frequency",
        lambda v: validate_paragon_patch({"incrementalAccumulatorFrequency": v}),
        "incrementalAccumulatorFrequency",
        PARAGON_FREQUENCIES,
    ),
]
POLYTOMIC_SYNC: dict[str, Any] = {
    "name": "Users → Salesforce",
    "mode": "updateOrCreate",
    "schedule": {"frequency": "daily", "hour": "9", "minute": "30"},
    "target": {"connection_id": "c-1", "object": "Contact"},
    "fields": [{"target": "Email", "source": {"model_id": str(uuid.UUID(int=7)), "field": "e"}}],
}


@pytest.mark.parametrize(
    ("validate", "path", "allowed"),
    [case[1:] for case in ENUM_CASES],
    ids=[case[0] for case in ENUM_CASES],
)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_enum_checks_accept_exactly_the_documented_values(
    validate: Callable[[Any], list[ValidationIssue]],
    path: str,
    allowed: tuple[str, ...],
    data: st.DataObject,
) -> None:
    value = data.draw(
        st.one_of(
            st.sampled_from(allowed),
            st.sampled_from(allowed).map(str.upper),
            st.sampled_from(allowed).map(lambda v: f" {v}"),
            JSON_VALUES,
        )
    )
    found = issues_at(validate(value), path)
    if isinstance(value, str) and value in allowed:
        assert found == []
    else:
        assert len(found) == 1 and path.split(".")[-1] in found[0].message


def _canonical(text: object) -> bool:
    """The definition is_uuid must agree with: uuid.UUID reads it, and it is already written
    the way uuid prints it (any case)."""
    if not isinstance(text, str):
        return False
    try:
        return str(uuid.UUID(text)) == text.lower()
    except (ValueError, TypeError):
        return False


@st.composite
def uuid_like(draw: st.DrawFn) -> object:
    text = str(draw(st.uuids()))
    how = draw(
        st.sampled_from(["plain", "upper", "braces", "urn", "bare", "drop", "swap", "other"])
    )
    if how == "upper":
        return text.upper()
    if how == "braces":
        return "{" + text + "}"
    if how == "urn":
        return "urn:uuid:" + text
    if how == "bare":
        return text.replace("-", "")
    if how == "drop":
        at = draw(st.integers(0, len(text) - 1))
        return text[:at] + text[at + 1 :]
    if how == "swap":
        at = draw(st.integers(0, len(text) - 1))
        return (
            text[:at] + draw(st.one_of(UNICODE_DIGITS, st.sampled_from("gG_ \n"))) + text[at + 1 :]
        )
    if how == "other":
        return draw(JSON_VALUES)
    return text


@settings(max_examples=100, deadline=None)
@given(value=uuid_like())
def test_is_uuid_means_canonical_uuid(value: object) -> None:
    assert is_uuid(value) == _canonical(value)


TIME_PARTS = ("hour", "minute", "day_of_week", "day_of_month", "month")


@pytest.mark.parametrize("part", TIME_PARTS)
@settings(max_examples=60, deadline=None)
@given(value=st.one_of(st.integers(-3, 70).map(str), SURPRISING_TEXT, JSON_VALUES))
def test_polytomic_time_parts(part: str, value: Any) -> None:
    """Time parts are documented as strings: any text (or nothing) passes, since which strings
    a frequency takes is Polytomic's to judge; anything else is one issue, never a crash."""
    issues = issues_at(
        validate_polytomic_sync(
            {**POLYTOMIC_SYNC, "schedule": {"frequency": "custom", part: value}}
        ),
        f"schedule.{part}",
    )
    assert (issues == []) == (value is None or isinstance(value, str))
    assert len(issues) <= 1


@settings(max_examples=100, deadline=None)
@given(
    context=st.dictionaries(st.sampled_from(["referencePoint", "viewName", "x", ""]), JSON_VALUES)
)
def test_speckle_context_issues_name_only_the_documented_keys(context: dict[str, Any]) -> None:
    """Every other key of a Speckle context is the integration's own: never an issue."""
    issues = validate_speckle_context(context)
    assert {i.path for i in issues} <= {"referencePoint", "viewName"}
    view = context.get("viewName")
    assert bool(issues_at(issues, "viewName")) == (
        "viewName" in context and not (view is None or isinstance(view, str))
    )


@settings(max_examples=100, deadline=None)
@given(schedule=st.one_of(SURPRISING_TEXT, JSON_VALUES))
def test_signalsmith_schedule_never_raises(schedule: Any) -> None:
    issues = validate_signalsmith_sync({"schedule": schedule}, creating=False)
    assert all(isinstance(i, ValidationIssue) and i.message for i in issues)


# --- merge patch: what the domain tests do not cover yet -----------------------------------


@settings(max_examples=100, deadline=None)
@given(value=JSON_VALUES)
def test_json_equal_agrees_with_a_json_round_trip(value: Any) -> None:
    """What the vendor gets back (a JSON round trip) is equal to what was sent, and equality
    never confuses true with 1."""
    text = json.dumps(value)
    assert json_equal(value, json.loads(text))
    if isinstance(value, bool):
        assert not json_equal(value, int(value))


@settings(max_examples=100, deadline=None)
@given(target=JSON_VALUES, patch=st.dictionaries(st.text(max_size=4), JSON_VALUES, max_size=4))
def test_a_patch_never_leaves_a_null_member_it_names(target: Any, patch: dict[str, Any]) -> None:
    """RFC 7386: a null in the patch removes the key, at any depth — never stores a null."""
    result = apply_merge_patch(target, patch)
    assert isinstance(result, dict)

    def check(res: dict[str, Any], pat: dict[str, Any]) -> None:
        for key, value in pat.items():
            if value is None:
                assert key not in res
            elif isinstance(value, dict):
                check(res[key], value)
            else:
                assert json_equal(res[key], value)

    check(result, patch)


# --- the CLI: any argv -----------------------------------------------------------------------


def _commands() -> list[tuple[tuple[str, ...], list[str]]]:
    """(words, option strings) of every CLI command except `sandbox` (it serves forever)."""
    import argparse

    found: list[tuple[tuple[str, ...], list[str]]] = []

    def walk(words: tuple[str, ...], node: argparse.ArgumentParser) -> None:
        if words and node.get_default("handler") is not None and words != ("sandbox",):
            found.append((words, [o for a in node._actions for o in a.option_strings]))
        for action in node._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    walk((*words, name), child)

    walk((), build_parser())
    return found


COMMANDS = _commands()
GLOBAL_FLAGS = ["--readonly", "--account", "--theme", "--refresh", "--version", "-h"]
VALUES = st.one_of(
    st.sampled_from(
        ["prod", "nope", "p1/s1", "1", "-1", "0", "1e309", "nan", "{}", "[]", "null", '{"a":1}']
    ),
    st.sampled_from(['{"context": ' * 50 + "1" + "}" * 50, "[" * 100_000, '{"a": "\\ud800"}']),
    st.text(max_size=10).filter(lambda t: "\x00" not in t),
    st.sampled_from(["\udcff\udcfe", "caf\udce9", "\u202e", "--", "-", "--=", "-x"]),
)


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    """Mostly well-formed commands with surprising values; sometimes shuffled or junk-led."""
    words, options = draw(st.sampled_from(COMMANDS))
    tail: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        if options and draw(st.booleans()):
            tail.append(draw(st.sampled_from(options)))
        tail.append(draw(VALUES))
    head: list[str] = []
    for flag in draw(st.lists(st.sampled_from(GLOBAL_FLAGS), max_size=2, unique=True)):
        head.append(flag)
        if flag in ("--account", "--theme", "--refresh"):
            head.append(draw(VALUES))
    argv = [*head, *words, *tail]
    if draw(st.integers(0, 9)) == 0:
        argv = draw(st.permutations(argv))
    return argv


class _NoUI(Exception):
    pass


@pytest.fixture
def no_side_doors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing here may start the TUI, a sandbox, the browser server or the demo: those paths are not argument
    handling, and they would wait forever or open a terminal UI inside the test."""

    def refuse(*_: Any, **__: Any) -> Any:
        raise _NoUI

    monkeypatch.setattr("synctui.ui.launch.launch", refuse)
    monkeypatch.setattr("synctui.services.demo.start_demo", refuse)
    monkeypatch.setattr("synctui.sandbox.server.Sandbox.serve_forever", refuse)
    monkeypatch.setattr("synctui.web.server.serve", refuse)  # `serve` runs until stopped


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=argvs())
@example(argv=["syncs", "update", "prod", "p1/s1", "--patch", "[" * 100_000])
@example(argv=["syncs", "create", "prod", "--json-file", "-", "--dry-run"])
def test_any_argv_exits_0_1_or_2_without_a_traceback(no_side_doors: None, argv: list[str]) -> None:
    """With no accounts configured, any command line ends in 0, 1 or 2 and readable text.

    Real streams, not StringIO: stdout is strict UTF-8 and stderr backslash-escapes, as
    Python sets them up, so an argument that cannot be encoded is caught here too.
    """
    assume("add" not in argv)  # `accounts add` would configure an account for later examples
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace")
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        _stdin(""),
    ):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
        except _NoUI:
            return  # a bare global flag: the TUI would have opened
        finally:
            out.flush()
            err.flush()
    text = err_bytes.getvalue().decode("utf-8", "replace")
    assert code in (0, 1, 2), (argv, code, text)
    assert "Traceback" not in text, text
    if code != 0:
        assert text.strip(), f"{argv} failed silently"


@contextlib.contextmanager
def _stdin(text: str) -> Iterator[None]:
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


# --- adapters fed surprising answers ---------------------------------------------------------

VENDORS = ("speckle", "letsbuild", "polytomic", "signalsmith", "paragon")
TOKEN = "tok-9f2c41d7e0b84a6f-secret"
PATCHES: dict[str, dict[str, Any]] = {
    "speckle": {"context": {"viewName": "Level 1"}},
    "polytomic": {"name": "Renamed"},
    "signalsmith": {"name": "Renamed"},
    "paragon": {"incrementalAccumulatorFrequency": "24h"},
}
_GRAPHQL_OP = re.compile(r"^\s*(query|mutation)\s+(\w+)")
SPECKLE_ROUTES = {
    "ProjectSyncs": "list",
    "ProjectLegacySyncs": "legacy",
    "ProjectSync": "get",
    "SyncHistory": "runs",
}


def route_of(vendor: str, request: httpx.Request) -> tuple[str, bool]:
    """(route name, is it a write) for a request an adapter sends."""
    if vendor in ("speckle", "letsbuild"):
        payload = json.loads(request.content or b"{}")
        match = _GRAPHQL_OP.match(payload.get("query", ""))
        kind, name = match.groups() if match else ("?", "?")
        if kind != "query":
            return "write", True
        return (SPECKLE_ROUTES.get(name, name) if vendor == "speckle" else "feed"), False
    if request.method != "GET":
        return "write", True
    path = request.url.path
    if vendor == "polytomic":
        if path.endswith("/status"):
            return "status", False
        if path.endswith("/executions"):
            return "runs", False
        return ("list" if path.rstrip("/").endswith("/api/syncs") else "get"), False
    if vendor == "signalsmith":
        if "/runs/" in path:
            return "run", False
        if path.endswith("/runs"):
            return "runs", False
        return ("list" if path.endswith("/syncs") else "get"), False
    return ("list" if path.rstrip("/").endswith("/api/syncs") else "get"), False


def continues(vendor: str, request: httpx.Request) -> bool:
    """Does the request ask for a page after the first?"""
    if vendor in ("speckle", "letsbuild"):
        variables = json.loads(request.content or b"{}").get("variables") or {}
        return variables.get("cursor") is not None
    params = request.url.params
    return "page_token" in params or params.get("page", "1") not in ("1", "")


def _trimmed(value: Any) -> Any:
    """A recorded answer cut to a few items, with no further page announced."""
    if isinstance(value, list):
        return [_trimmed(v) for v in value[:3]]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("cursor", "next_page_token"):
            out[key] = None if key == "next_page_token" else item
        elif key == "hasMore":
            out[key] = False
        else:
            out[key] = _trimmed(item)
    if isinstance(out.get("pagination"), dict) and isinstance(out.get("data"), list):
        out["pagination"]["total"] = len(out["data"])
    for key in ("syncs", "accSyncItems", "history"):
        if isinstance(out.get(key), dict):
            out[key]["cursor"] = None
    return out


def _emptied(value: Any) -> Any:
    """The same answer with every list empty: what a vendor sends past the last page."""
    if isinstance(value, list):
        return []
    if isinstance(value, dict):
        return {k: _emptied(v) for k, v in value.items()}
    return value


@dataclass
class Recorded:
    account: Account
    sync_id: str  # a sync the recorded answers describe
    payloads: dict[str, Any] = field(default_factory=dict)


class Recordings(dict[str, Recorded]):
    """Recorded answers by vendor; shown by name only when hypothesis prints a failing case."""

    def __repr__(self) -> str:
        return f"Recordings({', '.join(self)})"


class _Recorder(httpx.AsyncBaseTransport):
    def __init__(self, vendor: str, into: dict[str, Any]) -> None:
        self.vendor = vendor
        self.into = into
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        route, write = route_of(self.vendor, request)
        if not write and response.status_code == 200 and not continues(self.vendor, request):
            self.into.setdefault(route, _trimmed(response.json()))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture(scope="module")
def recorded() -> Recordings:
    """One realistic answer per route and vendor, recorded from the simulators once."""

    async def record(sb: Sandbox) -> Recordings:
        accounts, tokens = demo_accounts(sb.info())
        out = Recordings()
        for account in accounts:
            if account.vendor in out:
                continue
            payloads: dict[str, Any] = {}
            adapter = adapter_class(account.vendor)(
                account, tokens[account.name], inner_transport=_Recorder(account.vendor, payloads)
            )
            sync_id = ""
            try:
                if account.vendor == "letsbuild":
                    await adapter.fetch_changes("point", None)
                else:
                    syncs = await adapter.list_syncs()
                    sync_id = next(s.id for s in syncs if s.status.value != "legacy")
                    await adapter.get_sync(sync_id)
                    if account.vendor != "paragon":
                        await adapter.list_runs(sync_id, 5)
            finally:
                await adapter.aclose()
            out[account.vendor] = Recorded(account, sync_id, payloads)
        return out

    with Sandbox(SandboxConfig(port=0, frozen=True, changes_per_second=0)) as sb:
        sb.sim("signalsmith").requests_per_minute = None  # type: ignore[attr-defined]
        return asyncio.run(record(sb))


# A number of 5,000 digits is valid JSON, but Python's json refuses to read it (and to write
# it): the mock vendor writes this marker, then swaps it for the digits on the wire.
HUGE_NUMBER = "@@huge-number@@"


def to_wire(body: Any) -> bytes:
    return json.dumps(body).replace(f'"{HUGE_NUMBER}"', "9" * 5000).encode()


# What can go wrong with one answer: its body (mutated JSON, or not JSON at all) and status.
ODD_VALUES = st.one_of(
    JSON_VALUES,
    st.sampled_from([float("nan"), float("inf"), -(10**30), 2**64, HUGE_NUMBER, -0.0, 1e308]),
    st.sampled_from(
        ["SOMETHING_NEW", "Active", "ＡＣＴＩＶＥ", "paused ", "null", "2026-13-45T99:99"]
    ),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replace(value: Any, path: tuple[Any, ...], new: Any, *, delete: bool = False) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if rest:
        value[head] = _replace(value[head], rest, new, delete=delete)
    elif delete:
        del value[head]
    else:
        value[head] = new
    return value


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _lookalike(text: str) -> st.SearchStrategy[Any]:
    """Values a vendor might send instead of this text: same meaning, other spelling, or a
    spelling that only looks like it (superscript digits pass str.isdigit(), not int())."""
    if text.isascii() and text.isdigit() and len(text) < 20:
        return st.sampled_from(
            [
                text.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")),
                text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
                "9" * 5000,
                f"-{text}",
                f" {text} ",
                int(text),
            ]
        )
    return st.sampled_from(
        [text.upper(), text.lower(), text.title(), f"{text} ", "", text * 5000, "SOMETHING_NEW"]
    )


@st.composite
def mutated(draw: st.DrawFn, payload: Any) -> Any:
    """The payload with one to four things wrong in it, anywhere (text leaves favoured: that
    is where enums, timestamps and numbers-as-text live)."""
    value = copy.deepcopy(payload)
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(value))
        texts = [p for p in paths if isinstance(_at(value, p), str)]
        path = draw(st.sampled_from(texts if texts and draw(st.booleans()) else paths))
        current = _at(value, path)
        action = draw(
            st.sampled_from(["delete", "null", "odd", "odd", "text", "like", "extra", "wrap"])
        )
        if action == "delete" and path:
            value = _replace(value, path, None, delete=True)
        elif action == "null":
            value = _replace(value, path, None)
        elif action == "text":
            value = _replace(value, path, draw(SURPRISING_TEXT))
        elif action == "like" and isinstance(current, str):
            value = _replace(value, path, draw(_lookalike(current)))
        elif action == "extra" and path:
            parent = _at(value, path[:-1])
            if isinstance(parent, dict):
                parent[draw(st.text(max_size=8))] = draw(ODD_VALUES)
        elif action == "wrap":
            value = _replace(value, path, draw(st.sampled_from([[current], {"value": current}])))
        else:
            value = _replace(value, path, draw(ODD_VALUES))
    return value


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # JSON-able, or bytes sent as they are
    content_type: str = "application/json"


@st.composite
def answers(draw: st.DrawFn, payload: Any) -> Answer:
    kind = draw(st.sampled_from(["mutated"] * 6 + ["status", "raw"]))
    if kind == "mutated":
        return Answer(200, draw(mutated(payload)))
    if kind == "status":
        status = draw(st.sampled_from([400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504]))
        body = draw(st.one_of(mutated(payload), JSON_VALUES, st.just({"message": TOKEN})))
        return Answer(status, body)
    raw = draw(
        st.sampled_from(
            [
                b"",
                b"<html>Bad gateway</html>",
                b'{"data": {"id": "\x00trunc',
                b"\xff\xfe\x00",
                b"null",
                json.dumps(payload).encode()[:40],
            ]
        )
    )
    content_type = draw(st.sampled_from(["application/json", "text/html", ""]))
    return Answer(200, raw, content_type)


@dataclass(repr=False)
class Vendor:
    """The mock vendor: recorded answers everywhere, one route answering `answer` instead."""

    name: str
    recorded: Recorded
    route: str
    answer: Answer
    seen: list[tuple[str, str, bool]] = field(default_factory=list, repr=False)

    def served(self, route: str) -> Any:
        """The JSON body a route answers with (None when it is not JSON)."""
        if route != self.route:
            return self.recorded.payloads.get(route)
        return None if isinstance(self.answer.body, bytes) else self.answer.body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        route, write = route_of(self.name, request)
        self.seen.append((request.method, route, write))
        if write:
            return httpx.Response(500, json={"error": "this mock vendor accepts no writes"})
        base = self.recorded.payloads.get(route)
        if base is None:
            return httpx.Response(404, json={"message": "no such route in the recording"})
        if continues(self.name, request):
            return httpx.Response(200, json=_emptied(base))
        if route != self.route:
            return httpx.Response(200, json=base)
        answer = self.answer
        headers = {"content-type": answer.content_type} if answer.content_type else {}
        if isinstance(answer.body, bytes):
            return httpx.Response(answer.status, content=answer.body, headers=headers)
        return httpx.Response(answer.status, content=to_wire(answer.body), headers=headers)


def readable_source(vendor: Vendor, sync: Sync) -> bool:
    """Could the adapter's own model read the data a plan for `sync` is built from?

    Speckle and Signalsmith plan from the sync as loaded; Polytomic from a fresh GET;
    Paragon from the loaded sync (list row and status answer), or a fresh read of both when
    its status was not loaded.
    """
    name = vendor.name
    if name == "polytomic":
        from synctui.vendors.polytomic_models import PolytomicSync

        body = vendor.served("get")
        data = body.get("data") if isinstance(body, dict) else None
        return _validates(PolytomicSync, data)
    if name == "paragon" and not sync.complete:
        from synctui.vendors.paragon import ParagonSync

        listed = vendor.served("list")
        rows = listed.get("data") if isinstance(listed, dict) else None
        row = next((r for r in rows or () if isinstance(r, dict) and r.get("id") == sync.id), None)
        status = vendor.served("get")
        return isinstance(status, dict) and _validates(ParagonSync, {**(row or {}), **status})
    return sync.vendor_status != "unreadable"


def _validates(model: Any, data: Any) -> bool:
    from pydantic import ValidationError

    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True


def terminal() -> io.TextIOWrapper:
    """A stdout as the CLI has it: UTF-8 bytes underneath, set up by the CLI's own code."""
    from synctui.cli import tolerant_output

    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    tolerant_output(stream)
    return stream


def displayable(item: Sync | Run | ChangePage) -> None:
    """What the faces do with a result: the CLI's JSON and table rows (printed to a real
    UTF-8 stream, where a lone surrogate from a vendor's JSON cannot be encoded), the TUI's
    cells, and for changes the feed store the viewer reads from."""
    from synctui.commands.common import _cell, emit_json, emit_jsonl, table
    from synctui.commands.feed import change_json, change_line
    from synctui.commands.sync_format import run_json, sync_json

    out = terminal()
    if isinstance(item, Sync):
        record: Any = sync_json(item)
        emit_json(record, out=out)
        row = (item.account, item.vendor, item.id, item.name, item.status.value, item.vendor_status)
        table(["account", "vendor", "id", "name", "status", "vendor status"], [row], out=out)
        for value in (item.name, item.vendor_status, item.status_reason, *item.columns.values()):
            _cell(value)
    elif isinstance(item, Run):
        record = run_json(item)
        emit_json(record, out=out)
    else:
        record = [change_json(0, "lb", c) for c in item.changes]
        for change, line in zip(item.changes, record, strict=True):
            emit_jsonl(line, out=out)
            out.write(change_line("lb", change) + "\n")
        store = FeedStore(":memory:")
        try:
            store.store_page("lb", "point", item.changes, item.cursor, item.has_more)
            assert len(list(store.iter_all("lb"))) == len(item.changes)
        finally:
            store.close()
    out.flush()
    assert TOKEN not in json.dumps(record, default=str)


def _allowed(exc: BaseException) -> None:
    """A failure must be typed, and say something without the token."""
    if not isinstance(exc, errors.SyncTuiError):
        raise exc
    assert str(exc).strip()
    assert TOKEN not in str(exc)


async def exercise(vendor: Vendor) -> None:
    recorded = vendor.recorded
    adapter = adapter_class(vendor.name)(
        recorded.account,
        TOKEN,
        inner_transport=httpx.MockTransport(vendor),
        retry=RetrySettings(attempts=2, base_delay=0, max_delay=0, max_retry_after=0),
    )
    try:
        if vendor.name == "letsbuild":
            try:
                displayable(await adapter.fetch_changes("point", None))
            except Exception as exc:
                _allowed(exc)
            return
        loaded: list[Sync] = []
        try:
            loaded += await adapter.list_syncs()
        except Exception as exc:
            _allowed(exc)
        try:
            loaded.append(await adapter.get_sync(recorded.sync_id))
        except Exception as exc:
            _allowed(exc)
        if vendor.name != "paragon":
            try:
                for run in await adapter.list_runs(recorded.sync_id, 5):
                    displayable(run)
            except Exception as exc:
                _allowed(exc)
        for sync in loaded:
            displayable(sync)
            try:
                plan = await adapter.plan_update(sync, PATCHES[vendor.name])
            except Exception as exc:
                _allowed(exc)
                continue
            assert readable_source(vendor, sync), (
                f"{vendor.name} planned a write from a sync it could not read: {sync.raw!r:.300}"
            )
            json.dumps([r.model_dump() for r in plan.requests])
        writes = [(method, route) for method, route, write in vendor.seen if write]
        assert writes == [], f"{vendor.name} sent a write while reading or planning: {writes}"
    finally:
        await adapter.aclose()


ROUTES = {
    "speckle": ["list", "legacy", "get", "runs"],
    "letsbuild": ["feed"],
    "polytomic": ["list", "get", "status", "runs"],
    "signalsmith": ["list", "get", "run", "runs"],
    "paragon": ["list", "get"],
}


@pytest.mark.parametrize("vendor", VENDORS)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_adapters_survive_surprising_answers(
    recorded: Recordings, vendor: str, data: st.DataObject
) -> None:
    record = recorded[vendor]
    assert set(ROUTES[vendor]) <= set(record.payloads), sorted(record.payloads)
    route = data.draw(st.sampled_from(ROUTES[vendor]), label="route")
    answer = data.draw(answers(record.payloads[route]), label="answer")
    asyncio.run(exercise(Vendor(vendor, record, route, answer)))


def test_the_mock_vendor_serves_a_working_account(recorded: Recordings) -> None:
    """Unmutated, the recorded answers make a sync that lists, reads and plans: so a refusal
    in the property above comes from the mutation, not from a broken harness."""

    async def plan_all() -> None:
        for vendor in VENDORS:
            record = recorded[vendor]
            mock = Vendor(vendor, record, "none", Answer(200, None))
            adapter = adapter_class(vendor)(
                record.account, TOKEN, inner_transport=httpx.MockTransport(mock)
            )
            try:
                if vendor == "letsbuild":
                    page = await adapter.fetch_changes("point", None)
                    assert page.changes and not page.has_more
                    continue
                syncs = await adapter.list_syncs()
                assert syncs and all(s.vendor_status != "unreadable" for s in syncs)
                sync = await adapter.get_sync(record.sync_id)
                plan = await adapter.plan_update(sync, PATCHES[vendor])
                assert plan.requests, vendor
            finally:
                await adapter.aclose()

    asyncio.run(plan_all())


SYNC_IDS = st.one_of(
    st.sampled_from([".", "..", " .. ", "%2e%2e", "../..", "a/../..", "./x", "?a=1", "#x"]),
    st.sampled_from(["\udcff", "\ud83d", "x" * 70_000, "é", "x\x00y", "a b"]),
    st.text(max_size=12),
)


@pytest.mark.parametrize("vendor", ["polytomic", "signalsmith", "paragon"])
@settings(max_examples=100, deadline=None)
@given(sync_id=SYNC_IDS)
def test_a_sync_id_is_one_segment_of_its_path(
    recorded: Recordings, vendor: str, sync_id: str
) -> None:
    """Whatever a sync id holds (it comes from the vendor's JSON or from the command line),
    a request about that sync goes to that sync's URL: httpx resolves `..`, so an id `..`
    would turn `DELETE /api/syncs/..` into `DELETE /api`. An id that cannot be one segment
    is refused with a UsageError instead."""
    record = recorded[vendor]
    offline = httpx.MockTransport(lambda request: httpx.Response(500))  # nothing is sent
    adapter = adapter_class(vendor)(record.account, TOKEN, inner_transport=offline)
    try:
        collection = adapter.sync_path(record.sync_id).rsplit("/", 1)[0]
        try:
            path = adapter.sync_path(sync_id, "/disable")
        except errors.UsageError:
            return
        with httpx.Client(base_url=adapter.base_url, transport=offline) as client:
            url = client.build_request("DELETE", path).url
        base = httpx.URL(adapter.base_url).raw_path.decode()
        assert url.raw_path.decode() == base + path  # nothing resolved away
        segments = path.removeprefix(collection + "/").split("/")
        assert segments[1:] == ["disable"] and segments[0] not in ("", ".", "..")
    finally:
        asyncio.run(adapter.aclose())
