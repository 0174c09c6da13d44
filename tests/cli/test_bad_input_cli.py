"""Bad input to the store-backed commands: one clear line on stderr, never a traceback.

Numbers too large for SQLite, a feed store that is not a database, a vendor field holding
half an emoji (a lone surrogate) in the middle of a batch.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest

from synctui.sandbox.server import Sandbox
from synctui.store.paths import feed_db
from tests.cli.conftest import Run
from tests.conftest import admin_state

HUGE = str(10**20)  # beyond SQLite's 64-bit integers


def one_line(text: str) -> bool:
    return text.count("\n") == 1 and "Traceback" not in text


@pytest.mark.parametrize(
    "argv",
    [
        ("journal", "--limit", HUGE),
        ("journal", "show", HUGE),
        ("journal", "revert", HUGE, "--yes"),
        ("journal", "revert", HUGE, "--dry-run"),
        ("journal", "--limit", "-3"),
        ("journal", "show", "0"),
    ],
)
def test_journal_numbers_out_of_range(run: Run, argv: tuple[str, ...]) -> None:
    ran = run(*argv)
    assert ran.code == 2, ran
    assert "Traceback" not in ran.err
    errors = [line for line in ran.err.splitlines() if line.startswith("synctui: error:")]
    assert len(errors) == 1, ran.err
    assert "ENTRY_ID" in errors[0] or "--limit" in errors[0]


@pytest.fixture
def letsbuild_account(sandbox: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch) -> str:
    info = sandbox.info()["letsbuild"]
    added = run("accounts", "add", "site", "--vendor", "letsbuild", "--url", info["base_url"])
    assert added.code == 0, added.err
    monkeypatch.setenv("SYNCTUI_TOKEN_SITE", info["tokens"]["rw"])
    return "site"


def test_a_corrupt_feed_store_is_one_line_and_feed_reset_moves_it_aside(
    letsbuild_account: str, run: Run
) -> None:
    path = feed_db()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database, " * 200)

    tail = run("feed", "tail", letsbuild_account)
    assert tail.code == 1
    assert one_line(tail.err), tail.err
    assert str(path) in tail.err and "feed reset" in tail.err

    reset = run("feed", "reset", letsbuild_account, "--yes")
    assert reset.code == 0, reset.err
    aside = [p for p in path.parent.iterdir() if p.name.startswith("feeds.sqlite3.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert str(aside[0]) in reset.out
    assert stat.S_IMODE(aside[0].stat().st_mode) == 0o600

    again = run("feed", "tail", letsbuild_account, "--feed", "project", "--json")
    assert again.code == 0, again.err
    assert again.out.strip()


def test_a_lone_surrogate_in_a_vendor_field_does_not_stop_a_batch(
    sandbox: Sandbox, speckle_account: str, run: Run
) -> None:
    """The vendor hands back half an emoji in one sync's context (the sandbox echoes it as
    the JSON escape it was written as). The batch journals that sync like any other: every
    sync gets its line, no entry stays pending, nothing is shown as a traceback."""
    info = sandbox.info()["speckle"]
    syncs = admin_state(sandbox, "speckle")["syncs"]
    sid, sync = next(
        (k, s)
        for k, s in syncs.items()
        if s["active"] and s["context"].get("referencePoint") == "internalOrigin"
    )
    mutation = (
        "mutation($input: UpdateSyncInput!) { syncMutations { update(input: $input) { id } } }"
    )
    context = {**sync["context"], "viewName": "Level \ud83d"}
    body = json.dumps(
        {
            "query": mutation,
            "variables": {"input": {"id": sid, "projectId": sync["projectId"], "context": context}},
        }
    )
    done = httpx.post(
        f"{info['base_url']}/graphql",
        content=body.encode(),
        headers={
            "Authorization": f"Bearer {info['tokens']['rw']}",
            "Content-Type": "application/json",
        },
    )
    assert done.status_code == 200 and "errors" not in done.json(), done.text

    where = "status=active context.referencePoint=internalOrigin"
    ran = run(
        "syncs", "update", speckle_account, "--where", where,
        "--patch", '{"context": {"referencePoint": "surveyPoint"}}', "--json",
    )  # fmt: skip
    assert "Traceback" not in ran.err
    lines = [json.loads(line) for line in ran.out.splitlines()]
    outcomes = {line["sync"]: line["outcome"] for line in lines}
    assert f"{sync['projectId']}/{sid}" in outcomes
    assert len(outcomes) == len(lines) >= 2
    assert set(outcomes.values()) <= {"ok", "failed"}
    entries = json.loads(run("journal", "--json", "--limit", "1000").out)
    assert entries and not [e for e in entries if e["outcome"] == "pending"]
    odd = next(e for e in entries if e["sync_id"] == f"{sync['projectId']}/{sid}")
    assert odd["before"]["context"]["viewName"] == "Level \ud83d"


def test_feed_store_files_are_private(letsbuild_account: str, run: Run) -> None:
    ran = run("feed", "tail", letsbuild_account, "--feed", "project", "--json")
    assert ran.code == 0, ran.err
    path = feed_db()
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    present = [p for p in files if p.exists()]
    assert path in present
    for p in present:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


@pytest.mark.parametrize("where", [False, True])
def test_a_patch_with_a_lone_surrogate_is_refused_before_anything_is_sent(
    sandbox: Sandbox, speckle_account: str, run: Run, where: bool
) -> None:
    """Half an emoji has no UTF-8 form, so no request could carry it: said up front, where
    it is, instead of failing in the HTTP client per sync."""
    syncs = admin_state(sandbox, "speckle")["syncs"]
    sid, sync = next((k, s) for k, s in syncs.items() if s["active"])
    target = ["--where", "status=active"] if where else [f"{sync['projectId']}/{sid}"]
    ran = run(
        "syncs", "update", speckle_account, *target,
        "--patch", '{"context": {"viewName": "Level \\ud83d"}}',
    )  # fmt: skip
    assert ran.code == 2, ran
    assert one_line(ran.err) and "context.viewName" in ran.err and "surrogate" in ran.err
    assert sum(s["updates"] for s in admin_state(sandbox, "speckle")["syncs"].values()) == 0
    assert run("journal").out == "Nothing written yet.\n"
