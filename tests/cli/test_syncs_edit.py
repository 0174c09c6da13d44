"""`synctui syncs update --where`, `create` and `delete`, end to end against the sandbox."""

from __future__ import annotations

import json

import pytest

from synctui.sandbox.server import Sandbox
from tests.cli.conftest import Run
from tests.conftest import admin_state

WHERE = "integration.slug=acc context.referencePoint=internalOrigin"
TO_SURVEY = '{"context": {"referencePoint": "surveyPoint"}}'


def speckle(sandbox: Sandbox) -> dict:
    return admin_state(sandbox, "speckle")


def total_updates(sandbox: Sandbox) -> int:
    return sum(s["updates"] for s in speckle(sandbox)["syncs"].values())


def test_update_where_updates_every_match_once_with_a_record_per_sync(
    sandbox: Sandbox, speckle_account: str, run: Run
) -> None:
    done = run("syncs", "update", speckle_account, "--where", WHERE, "--patch", TO_SURVEY, "--json")
    assert done.code == 0, done.err
    records = [json.loads(line) for line in done.out.splitlines()]
    assert records and {r["outcome"] for r in records} == {"ok"}
    assert set(records[0]) == {
        *("sync", "name", "account", "outcome", "message", "triggered", "pending")
    }
    assert not any(r["triggered"] for r in records)

    syncs = speckle(sandbox)["syncs"]
    updated = {r["sync"].split("/")[1] for r in records}
    assert {sid for sid, s in syncs.items() if s["updates"]} == updated
    assert all(syncs[sid]["updates"] == 1 for sid in updated)
    assert all(syncs[sid]["context"]["referencePoint"] == "surveyPoint" for sid in updated)
    # Only ACC syncs were selected.
    assert len(updated) < len([s for s in syncs.values()])

    # stderr: what matched, progress, and the batch summary with the journal hint.
    assert f"{len(records)} of " in done.err and 'integration.slug is "acc"' in done.err
    assert f"updating {len(records)}/{len(records)}" in done.err
    assert " at a time (adaptive)" in done.err  # the live concurrency, on the progress line
    batch_id = done.err.split("Batch ", 1)[1].split(":", 1)[0]
    journal = run("journal", "--batch", batch_id, "--limit", "1000", "--json")
    entries = json.loads(journal.out)
    assert sorted(e["sync_id"] for e in entries) == sorted(r["sync"] for r in records)
    assert {e["outcome"] for e in entries} == {"ok"}

    # Running it again changes nothing: those syncs no longer match the filter.
    again = run("syncs", "update", speckle_account, "--where", WHERE, "--patch", TO_SURVEY)
    assert again.code == 0 and again.out == "" and "0 of " in again.err


def test_text_output_and_trigger_now_and_skips(
    sandbox: Sandbox, speckle_account: str, run: Run
) -> None:
    where = "context.referencePoint=projectBasePoint"
    done = run(
        "syncs",
        "update",
        speckle_account,
        "--where",
        where,
        "--patch",
        TO_SURVEY,
        "--trigger-now",
        "--concurrency",
        "2",
    )
    assert done.code == 0, done.err
    assert " 2 at a time\n" in done.err  # pinned: no "(adaptive)"
    lines = [line.split(None, 2) for line in done.out.splitlines()]
    assert {outcome for outcome, _, _ in lines} == {"ok", "skipped"}
    syncs = speckle(sandbox)["syncs"]
    for outcome, sync_id, message in lines:
        server = syncs[sync_id.split("/")[1]]
        if outcome == "ok":
            assert message == "updated and triggered"
            assert (server["updates"], server["triggers"]) == (1, 1)
        else:
            assert message == "paused: cannot trigger" and not server["active"]
            assert (server["updates"], server["triggers"]) == (0, 0)


def test_dry_run_prints_masked_requests_and_sends_nothing(
    sandbox: Sandbox, speckle_account: str, run: Run
) -> None:
    done = run(
        "syncs", "update", speckle_account, "--where", WHERE, "--patch", TO_SURVEY, "--dry-run"
    )
    assert done.code == 0, done.err
    assert "mutation UpdateSync" in done.out and "Authorization: Bearer ****" in done.out
    assert done.out.count("== ") >= 2
    assert "Dry run:" in done.err and "nothing was sent" in done.err
    assert total_updates(sandbox) == 0
    assert json.loads(run("journal", "--json").out) == []

    as_json = run(
        "syncs",
        "update",
        speckle_account,
        "--where",
        WHERE,
        "--patch",
        TO_SURVEY,
        "--dry-run",
        "--json",
    )
    records = [json.loads(line) for line in as_json.out.splitlines()]
    assert {r["outcome"] for r in records} == {"planned"}
    assert all(r["plan"]["requests"][0]["method"] == "POST" for r in records)
    assert total_updates(sandbox) == 0


def test_a_failed_sync_exits_1(sandbox: Sandbox, speckle_account: str, run: Run) -> None:
    done = run(
        "syncs",
        "update",
        speckle_account,
        "--where",
        WHERE,
        "--patch",
        '{"context": {"referencePoint": "moon"}}',
        "--json",
    )
    assert done.code == 1
    records = [json.loads(line) for line in done.out.splitlines()]
    assert {r["outcome"] for r in records} == {"failed"}
    assert "referencePoint must be one of" in records[0]["message"]
    assert total_updates(sandbox) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["SYNC", "--where", "x"], "either a SYNC_ID or --where"),
        ([], "name the sync to update, or select several with --where"),
        (["--where", 'name="x'], "unclosed quote at column 6"),
        (["--where", "x", "--concurrency", "0"], "--concurrency must be between 1 and 32"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    offline_account: str, run: Run, argv: list[str], message: str
) -> None:
    done = run("syncs", "update", offline_account, *argv, "--patch", TO_SURVEY)
    assert done.code == 2
    assert done.err.startswith("synctui: error: ") and message in done.err
    assert done.err.count("\n") == 1  # one line, no traceback


@pytest.mark.parametrize(
    ("patch", "message"),
    [("{nope", "--patch is not valid JSON"), ("[1]", "a merge patch must be a JSON object")],
)
def test_bad_patches_are_usage_errors(
    offline_account: str, run: Run, patch: str, message: str
) -> None:
    done = run("syncs", "update", offline_account, "--where", WHERE, "--patch", patch)
    assert done.code == 2 and message in done.err and done.err.count("\n") == 1


def test_read_only_refuses_the_batch(sandbox: Sandbox, speckle_account: str, run: Run) -> None:
    done = run(
        "--readonly", "syncs", "update", speckle_account, "--where", WHERE, "--patch", TO_SURVEY
    )
    assert done.code == 1 and "read-only mode" in done.err
    assert total_updates(sandbox) == 0
    dry = run(
        "--readonly",
        "syncs",
        "update",
        speckle_account,
        "--where",
        WHERE,
        "--patch",
        TO_SURVEY,
        "--dry-run",
    )
    assert dry.code == 0


def test_create_says_when_a_vendor_cannot(
    sandbox: Sandbox, speckle_account: str, run: Run, tmp_path
) -> None:
    body = tmp_path / "new.json"
    body.write_text('{"name": "x"}')
    done = run("syncs", "create", speckle_account, "--json-file", str(body))
    assert done.code == 2
    assert "prod is a speckle account, and synctui cannot create speckle syncs" in done.err
    missing = run("syncs", "create", speckle_account, "--json-file", str(tmp_path / "nope.json"))
    assert missing.code == 2 and "cannot read" in missing.err
    assert speckle(sandbox)["created"] == []


def test_delete_asks_or_needs_yes(sandbox: Sandbox, speckle_account: str, run: Run) -> None:
    victim = next(iter(speckle(sandbox)["syncs"]))
    project = speckle(sandbox)["syncs"][victim]["projectId"]
    refused = run("syncs", "delete", speckle_account, f"{project}/{victim}")
    assert refused.code == 2 and "add --yes" in refused.err
    assert speckle(sandbox)["deleted"] == []

    done = run("syncs", "delete", speckle_account, f"{project}/{victim}", "--yes")
    assert done.code == 0, done.err
    assert done.out == f"prod {project}/{victim}: deleted\n"
    assert speckle(sandbox)["deleted"] == [victim]
    entries = json.loads(run("journal", "--json").out)
    assert [(e["action"], e["sync_id"], e["outcome"]) for e in entries] == [
        ("delete", f"{project}/{victim}", "ok")
    ]
    gone = run("syncs", "delete", speckle_account, f"{project}/{victim}", "--yes")
    assert gone.code == 1 and "no sync" in gone.err


def test_create_on_signalsmith(
    sandbox: Sandbox, run: Run, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("synctui.vendors.signalsmith")
    info = sandbox.info()["signalsmith"]
    workspace = info["ids"]["workspaces"][0]
    added = run(
        "accounts", "add", "ss", "--vendor", "signalsmith", "--url", info["base_url"],
        "--workspace", workspace,
    )  # fmt: skip
    assert added.code == 0, added.err
    monkeypatch.setenv("SYNCTUI_TOKEN_SS", info["tokens"]["rw"])
    body = tmp_path / "new.json"
    body.write_text(
        json.dumps(
            {
                "name": "Customers to Salesforce",
                "model_id": "770e8400-e29b-41d4-a716-446655440000",
                "destination_id": "880e8400-e29b-41d4-a716-446655440000",
                "field_mapping": [{"source_column": "email", "destination_field": "Email"}],
                "sync_mode": "upsert",
                "primary_key": "customer_id",
            }
        )
    )
    before = set(admin_state(sandbox, "signalsmith")["syncs"])

    dry = run("syncs", "create", "ss", "--json-file", str(body), "--dry-run")
    assert dry.code == 0 and "Nothing was sent." in dry.out
    assert set(admin_state(sandbox, "signalsmith")["syncs"]) == before

    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x"}')
    invalid = run("syncs", "create", "ss", "--json-file", str(bad))
    assert invalid.code == 2 and "model_id is required" in invalid.err

    done = run("syncs", "create", "ss", "--json-file", str(body), "--json")
    assert done.code == 0, done.err
    created = json.loads(done.out)
    assert set(admin_state(sandbox, "signalsmith")["syncs"]) - before == {created["id"]}
    assert created["name"] == "Customers to Salesforce"
    entry = json.loads(run("journal", "--json").out)[0]
    assert (entry["action"], entry["outcome"]) == ("create", "ok")
