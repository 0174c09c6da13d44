"""A vendor that echoes the token back, in any form, gets it printed or stored nowhere.

The redactor once replaced only the exact token. A server echoing the token minus its last
four characters, its base64 form or a JSON-escaped form got it printed and written into
`journal.sqlite3`, and the call log cut bodies *before* redacting, so a token straddling the
cut survived. Here a proxy in front of the sandbox answers the listing, the writes and the
account check with an error that echoes the credential it was sent, in one form per test;
the CLI runs as a user runs it, and everything it printed and every file it wrote is
searched for any telling piece of the token.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from synctui.cli import main
from synctui.sandbox.server import Sandbox
from synctui.vendors.http import CallLog
from tests.conftest import admin_state
from tests.hostile.conftest import proxied_adapter
from tests.hostile.server import Exchange, Reply, Request


def b64(data: str) -> str:
    return base64.b64encode(data.encode()).decode()


# name → (how the server echoes the token, the encoded token to look for, its telling piece)
FORMS: dict[str, tuple[Callable[[str], str], Callable[[str], str], int]] = {
    "exact": (lambda t: f"bad token {t}", lambda t: t, 8),
    "minus-4": (lambda t: f"bad token {t[:-4]}", lambda t: t, 8),
    "tail": (lambda t: f"bad token …{t[6:]}", lambda t: t, 8),
    # The call log cuts `{"error": "` + this at 300 characters: the token's first 10 would
    # survive the cut, unless redaction came first.
    "straddling-the-cut": (lambda t: "x" * 279 + t + " and more", lambda t: t, 8),
    "base64": (lambda t: f"credential {b64(t)}", lambda t: b64(t)[:-4], 12),
    "basic": (
        lambda t: f"Authorization: Basic {b64('user:' + t)}",
        lambda t: b64("user:" + t)[8:-4],
        12,
    ),
    "urlsafe-base64": (
        lambda t: base64.urlsafe_b64encode(("ab" + t).encode()).decode(),
        lambda t: base64.urlsafe_b64encode(("ab" + t).encode()).decode()[4:-4],
        12,
    ),
    # Inside the JSON string, so a JSON reader gets the token itself back...
    "json-escaped": (
        lambda t: "".join(f"\\u{ord(c):04x}" for c in t),
        lambda t: "".join(f"\\u{ord(c):04x}" for c in t),
        48,
    ),
    # ...and escaped twice, so the escapes themselves are what a reader gets.
    "json-escaped-text": (
        lambda t: "".join(f"\\\\u{ord(c):04x}" for c in t),
        lambda t: "".join(f"\\u{ord(c):04x}" for c in t),
        48,
    ),
    "url-encoded": (
        lambda t: "".join(f"%{b:02X}" for b in t.encode()),
        lambda t: "".join(f"%{b:02X}" for b in t.encode()),
        24,
    ),
}


def telling_pieces(encoded: str, size: int) -> set[str]:
    return {encoded[i : i + size] for i in range(len(encoded) - size + 1)}


def echo_error(vendor: str, text: str) -> Reply:
    """The vendor's error shape with `text` written into a JSON string as it is (the echoed
    forms need no escaping, and a `\\u` escape in them stays one)."""
    if vendor == "speckle":
        body = '{"errors": [{"message": "' + text + '", "extensions": {"code": "BAD_USER_INPUT"}}]}'
        return Reply(200, body.encode(), {"content-type": "application/json"})
    body = '{"error": "' + text + '"}'
    return Reply(400, body.encode(), {"content-type": "application/json"})


def echoing(vendor: str, echo: Callable[[str], str]) -> Callable[[Request, Exchange], Any]:
    """Forward to the sandbox, except that the listing and every write are answered with an
    error echoing the credential the request carried."""

    async def handler(request: Request, exchange: Exchange) -> Reply:
        token = request.headers.get("authorization", "").split(" ", 1)[-1]
        _kind, name = request.graphql
        listing = (vendor == "speckle" and name == "ProjectSyncs") or (
            request.method == "GET" and request.path.endswith("/syncs")
        )
        if listing or request.is_write:
            return echo_error(vendor, echo(token))
        return await exchange.forward(request)

    return handler


def written(root: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("vendor", ["signalsmith", "speckle"])
def test_an_echoed_token_is_never_printed_or_stored(
    sandbox: Sandbox,
    proxy: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    vendor: str,
    form: str,
) -> None:
    echo, encoded, size = FORMS[form]
    server = proxy(sandbox, echoing(vendor, echo))
    info = sandbox.info()[vendor]
    token = info["tokens"]["rw"]
    url = info["base_url"].replace(sandbox.base_url, server.url)
    if vendor == "speckle":
        extra = [a for p in info["ids"]["projects"] for a in ("--project", p)]
        syncs = admin_state(sandbox, "speckle")["syncs"]
        sid, sync = next((k, s) for k, s in syncs.items() if s["active"])
        sync_id = f"{sync['projectId']}/{sid}"
        patch = {"context": {"viewName": "Echo"}}
    else:
        workspace = info["ids"]["workspaces"][0]
        extra = ["--workspace", workspace]
        syncs = admin_state(sandbox, "signalsmith")["syncs"]
        sync_id = next(
            k
            for k, s in syncs.items()
            if s["workspace_id"] == workspace and s["status"] == "active"
        )
        patch = {"name": "Echo"}
    assert main(["accounts", "add", "echo", "--vendor", vendor, "--url", url, *extra]) == 0
    monkeypatch.setenv("SYNCTUI_TOKEN_ECHO", token)
    capsys.readouterr()

    codes = [
        main(["syncs", "list", "--account", "echo"]),
        main(["syncs", "update", "echo", sync_id, "--patch", json.dumps(patch)]),
        main(["syncs", "trigger", "echo", sync_id]),
        main(["accounts", "test", "echo"]),
        main(["journal", "--json"]),
    ]
    out = capsys.readouterr()
    # list fails, the update and the trigger are refused (the echo is a 400 / a user-input
    # error), the journal reads.
    assert codes[:3] == [1, 2, 2] and codes[4] == 0, codes
    assert "echo" in out.err  # the failures were reported, in words
    pieces = telling_pieces(encoded(token), size) | telling_pieces(token, 8)
    everything = out.out + out.err + written(tmp_path).decode("latin-1")
    leaked = sorted(p for p in pieces if p in everything)
    assert not leaked, f"{form}: {leaked[:3]} found in the output or a written file"
    assert "Traceback" not in out.err


@pytest.mark.parametrize("form", sorted(FORMS))
async def test_the_call_log_never_holds_an_echoed_token(
    sandbox: Sandbox, proxy: Any, form: str
) -> None:
    echo, encoded, size = FORMS[form]
    server = proxy(sandbox, echoing("signalsmith", echo))
    log = CallLog()
    adapter = proxied_adapter(sandbox, server, "signalsmith-acme", call_log=log)
    token = sandbox.info()["signalsmith"]["tokens"]["rw"]
    try:
        with pytest.raises(Exception):  # noqa: B017 - the error's words are checked below
            await adapter.list_syncs()
    finally:
        await adapter.aclose()
    records = log.records()
    assert records and any(r.error for r in records)
    text = " ".join(f"{r.target} {r.error}" for r in records)  # not repr: it escapes "\\"
    pieces = telling_pieces(encoded(token), size) | telling_pieces(token, 8)
    leaked = sorted(p for p in pieces if p in text)
    assert not leaked, f"{form}: {leaked[:3]} in the call log"
