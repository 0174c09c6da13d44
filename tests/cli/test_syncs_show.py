"""`synctui syncs show` degrades, never fails, when a secondary read fails.

Each vendor's secondary read is broken on its own with a sandbox fault limited to its path
(`only=` a path glob, or a GraphQL operation): Polytomic's `/status`, Signalsmith's runs,
Paragon's status answer, Speckle's history. The sync is still shown, exit code 0, with the
part that could not be read named as unavailable (and why).
"""

from __future__ import annotations

import json

import pytest

from synctui.sandbox.server import Sandbox
from tests.cli.conftest import Run
from tests.conftest import set_faults

# vendor: (the fault's `only=` target, the parts it leaves unavailable)
BROKEN: dict[str, tuple[str, set[str]]] = {
    "polytomic": ("/polytomic/api/syncs/*/status", {"status"}),
    "signalsmith": ("/signalsmith/api/v1/workspaces/*/syncs/*/runs*", {"latest run", "runs"}),
    "paragon": ("/paragon/api/syncs/*", {"status"}),
    "speckle": ("/speckle/graphql#SyncHistory", {"runs"}),
}


@pytest.fixture
def accounts(sandbox: Sandbox, run: Run, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """One saved account per vendor on the sandbox, named after it, token in the environment."""
    info = sandbox.info()
    extra = {
        "speckle": [a for p in info["speckle"]["ids"]["projects"] for a in ("--project", p)],
        "signalsmith": ["--workspace", info["signalsmith"]["ids"]["workspaces"][0]],
    }
    for vendor in BROKEN:
        url = info[vendor]["base_url"]
        added = run(
            "accounts", "add", vendor, "--vendor", vendor, "--url", url, *extra.get(vendor, [])
        )
        assert added.code == 0, added.err
        monkeypatch.setenv(f"SYNCTUI_TOKEN_{vendor.upper()}", info[vendor]["tokens"]["rw"])
    return {vendor: vendor for vendor in BROKEN}


def pick(run: Run, account: str) -> str:
    """A sync of the account that has run history, if the vendor keeps any."""
    listed = run("syncs", "list", "--account", account, "--json")
    assert listed.code == 0, listed.err
    syncs = json.loads(listed.out)
    fit = [
        s
        for s in syncs
        if s["status"] not in ("legacy", "draft")
        and (s["raw"].get("last_run_id") or s["vendor"] != "signalsmith")
    ]
    return fit[0]["id"]


@pytest.mark.parametrize("vendor", sorted(BROKEN))
def test_show_marks_a_failed_secondary_read_unavailable_and_exits_0(
    sandbox: Sandbox, run: Run, accounts: dict[str, str], vendor: str
) -> None:
    account = accounts[vendor]
    sync_id = pick(run, account)
    target, parts = BROKEN[vendor]
    set_faults(sandbox, f"429=1,retry-after=0,only={target}")
    try:
        shown = run("syncs", "show", account, sync_id)
        as_json = run("syncs", "show", account, sync_id, "--json")
    finally:
        set_faults(sandbox, "")
    assert shown.code == 0, shown.err
    assert sync_id in shown.out and "Traceback" not in shown.err
    marked = [line.split(":", 1)[1] for line in shown.out.splitlines() if "unavailable:" in line]
    assert sorted(m.strip().split(" (", 1)[0] for m in marked) == sorted(parts)
    assert as_json.code == 0, as_json.err
    document = json.loads(as_json.out)
    assert document["id"] == sync_id and set(document["unavailable"]) == parts
    assert all("rate limited" in why for why in document["unavailable"].values())


@pytest.mark.parametrize("vendor", sorted(BROKEN))
def test_show_without_faults_marks_nothing_and_lists_recent_runs(
    run: Run, accounts: dict[str, str], vendor: str
) -> None:
    account = accounts[vendor]
    sync_id = pick(run, account)
    shown = run("syncs", "show", account, sync_id, "--json")
    assert shown.code == 0, shown.err
    document = json.loads(shown.out)
    assert document["unavailable"] == {}
    if vendor == "paragon":  # Paragon keeps no run history
        assert document["runs"] is None
    else:
        assert document["runs"] and len(document["runs"]) <= 5
    text = run("syncs", "show", account, sync_id)
    assert "unavailable" not in text.out
    assert ("recent runs" in text.out) is (vendor != "paragon")
