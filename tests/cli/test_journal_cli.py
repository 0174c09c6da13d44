"""`synctui journal`, `journal show` and `journal revert` end to end against the sandbox."""

from __future__ import annotations

import json

from synctui.sandbox.server import Sandbox
from tests.cli.conftest import Run
from tests.conftest import admin_state


def a_sync(sandbox: Sandbox) -> tuple[str, dict]:
    """An active sync whose reference point is internalOrigin, as PROJECT/SYNC."""
    syncs = admin_state(sandbox, "speckle")["syncs"]
    sid, sync = next(
        (k, s)
        for k, s in syncs.items()
        if s["active"] and s["context"].get("referencePoint") == "internalOrigin"
    )
    return f"{sync['projectId']}/{sid}", sync


def server_sync(sandbox: Sandbox, full_id: str) -> dict:
    return admin_state(sandbox, "speckle")["syncs"][full_id.split("/")[1]]


def test_list_show_and_revert(sandbox: Sandbox, speckle_account: str, run: Run) -> None:
    assert run("journal").out == "Nothing written yet.\n"
    full_id, before = a_sync(sandbox)
    patch = '{"context": {"referencePoint": "surveyPoint"}}'
    assert run("syncs", "update", speckle_account, full_id, "--patch", patch).code == 0
    assert run("syncs", "pause", speckle_account, full_id).code == 0

    listed = run("journal")
    lines = listed.out.splitlines()
    assert lines[0].split() == [
        "ID", "TIME", "(UTC)", "ACCOUNT", "SYNC", "ACTION", "OUTCOME", "BATCH", "CHANGE",
    ]  # fmt: skip
    assert "pause" in lines[1] and "update" in lines[2]  # newest first
    assert "1 field changed: context.referencePoint" in lines[2]
    entries = json.loads(run("journal", "--json").out)
    pause_id, edit_id = entries[0]["id"], entries[1]["id"]
    assert json.loads(run("journal", "--outcome", "failed", "--json").out) == []
    assert len(json.loads(run("journal", "--sync", full_id, "--limit", "1", "--json").out)) == 1
    assert run("journal", "--account", "nobody").out == "No journal entries match.\n"

    shown = run("journal", "show", str(edit_id))
    assert shown.code == 0
    assert f"Entry {edit_id}: update · ok" in shown.out
    assert '-    "referencePoint": "internalOrigin",' in shown.out
    assert '+    "referencePoint": "surveyPoint",' in shown.out
    assert "mutation UpdateSync" in shown.out and "Authorization: ****" in shown.out
    assert json.loads(run("journal", "show", str(edit_id), "--json").out)["action"] == "update"
    missing = run("journal", "show", "999")
    assert missing.code == 1 and "There is no journal entry 999" in missing.err

    # Reverting the pause: a dry run first, then confirmation is required off a terminal.
    dry = run("journal", "revert", str(pause_id), "--dry-run")
    assert dry.code == 0 and "resume" in dry.out and "nothing was sent" in dry.out
    assert server_sync(sandbox, full_id)["active"] is False
    refused = run("journal", "revert", str(pause_id))
    assert refused.code == 2 and "add --yes" in refused.err
    done = run("journal", "revert", str(pause_id), "--yes")
    assert done.code == 0, done.err
    assert server_sync(sandbox, full_id)["active"] is True

    # The edit: the dry run shows the exact mutation, the revert restores the old value.
    dry = run("journal", "revert", str(edit_id), "--dry-run")
    assert 'context.referencePoint back to "internalOrigin"' in dry.out
    assert '"referencePoint": "internalOrigin"' in dry.out
    assert server_sync(sandbox, full_id)["updates"] == 1
    done = run("journal", "revert", str(edit_id), "--yes")
    assert done.code == 0, done.err
    assert server_sync(sandbox, full_id)["context"] == before["context"]
    newest = json.loads(run("journal", "--limit", "1", "--json").out)[0]
    assert (newest["action"], newest["reverts"]) == ("revert", edit_id)
    assert f"reverted: by entry {newest['id']}" in run("journal", "show", str(edit_id)).out


def test_revert_conflict_exits_3_and_force_overrides(
    sandbox: Sandbox, speckle_account: str, run: Run
) -> None:
    full_id, before = a_sync(sandbox)
    run(
        "syncs",
        "update",
        speckle_account,
        full_id,
        "--patch",
        '{"context": {"referencePoint": "surveyPoint"}}',
    )
    edit_id = json.loads(run("journal", "--json").out)[0]["id"]
    run(
        "syncs", "update", speckle_account, full_id, "--patch", '{"context": {"viewName": "Later"}}'
    )

    conflict = run("journal", "revert", str(edit_id), "--yes")
    assert conflict.code == 3
    assert 'changed since that edit: context.viewName is now "Later"' in conflict.err
    assert conflict.err.count("\n") == 1
    assert server_sync(sandbox, full_id)["updates"] == 2  # nothing sent

    forced = run("journal", "revert", str(edit_id), "--yes", "--force")
    assert forced.code == 0, forced.err
    context = server_sync(sandbox, full_id)["context"]
    assert context["referencePoint"] == before["context"]["referencePoint"]
    assert context["viewName"] == "Later"


def test_what_cannot_be_reverted(sandbox: Sandbox, speckle_account: str, run: Run) -> None:
    full_id, _ = a_sync(sandbox)
    assert run("syncs", "trigger", speckle_account, full_id).code == 0
    trigger_id = json.loads(run("journal", "--json").out)[0]["id"]
    refused = run("journal", "revert", str(trigger_id), "--yes")
    assert refused.code == 2
    assert "is a trigger, which cannot be reverted" in refused.err
    usage = run("journal", "revert", "abc")
    assert usage.code == 2 and "invalid int value" in usage.err
