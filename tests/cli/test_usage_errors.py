"""Every usage error is one line on stderr, naming the command's --help; and `syncs list
--where` filters with the same language as the TUI's `/`."""

from __future__ import annotations

import json

import pytest

from synctui.sandbox.server import Sandbox
from tests.cli.conftest import Run


@pytest.mark.parametrize(
    ("argv", "command", "says"),
    [
        (["syncs", "list", "--where"], "synctui syncs list", "expected one argument"),
        (["syncs", "list", "--bogus"], "synctui syncs list", "unrecognized arguments: --bogus"),
        (["syncs", "list", "--status", "sleepy"], "synctui syncs list", "invalid choice"),
        (["syncs", "show", "acct"], "synctui syncs show", "required: sync_id"),
        (["syncs"], "synctui syncs", "required: ACTION"),
        (["syncs", "frobnicate"], "synctui syncs", "invalid choice: 'frobnicate'"),
        (["nosuch"], "synctui", "invalid choice: 'nosuch'"),
        (["--refresh", "soon"], "synctui", "invalid float value"),
        (["accounts", "add", "x"], "synctui accounts add", "required: --vendor, --url"),
        (["journal", "--limit", "many"], "synctui journal", "invalid int value"),
        (["doctor", "extra"], "synctui doctor", "unrecognized arguments: extra"),
        (["feed", "tail"], "synctui feed tail", "required"),
    ],
)
def test_usage_errors_are_one_line(run: Run, argv: list[str], command: str, says: str) -> None:
    ran = run(*argv)
    assert ran.code == 2
    assert ran.out == ""
    assert ran.err.count("\n") == 1, ran.err
    assert ran.err.startswith("synctui: error: ")
    assert says in ran.err
    assert ran.err.rstrip().endswith(f"(try '{command} --help')")
    assert "usage:" not in ran.err


def test_a_malformed_where_is_one_line_before_any_request(run: Run, offline_account: str) -> None:
    ran = run("syncs", "list", "--where", 'name="unclosed')
    assert ran.code == 2
    assert ran.err.count("\n") == 1 and "quote" in ran.err


def test_syncs_list_where_uses_the_filter_language(
    run: Run, sandbox: Sandbox, speckle_account: str
) -> None:
    everything = json.loads(run("syncs", "list", "--json").out)
    paused = [s for s in everything if s["status"] == "paused"]
    assert paused and len(paused) < len(everything)

    ran = run("syncs", "list", "--where", "status=paused", "--json")
    assert ran.code == 0, ran.err
    assert sorted(s["id"] for s in json.loads(ran.out)) == sorted(s["id"] for s in paused)

    legacy_acc = run("syncs", "list", "--where", "integration.slug=acc !paused", "--json")
    chosen = json.loads(legacy_acc.out)
    assert chosen
    assert all(s["raw"]["integration"]["slug"] == "acc" for s in chosen)
    assert all(s["status"] != "paused" for s in chosen)

    word = run("syncs", "list", "--where", "x")  # a bare word: text search, never an error
    assert word.code == 0, word.err


def test_a_control_character_in_a_patch_names_line_and_column(
    run: Run, offline_account: str
) -> None:
    ran = run("syncs", "update", offline_account, "p1/s1", "--patch", '{"a": "x\ty"}')
    assert ran.code == 2
    assert ran.err.count("\n") == 1
    assert "line 1, column 9: a tab (U+0009) inside a string; write it as \\t" in ran.err
    assert " at at " not in ran.err


def test_an_undocumented_signalsmith_field_is_noted_not_refused(run: Run, sandbox: Sandbox) -> None:
    info = sandbox.info()["signalsmith"]
    workspace = info["ids"]["workspaces"][0]
    added = run(
        "accounts", "add", "ss", "--vendor", "signalsmith", "--url", info["base_url"],
        "--workspace", workspace,
    )  # fmt: skip
    assert added.code == 0, added.err
    import os

    os.environ["SYNCTUI_TOKEN_SS"] = info["tokens"]["rw"]
    try:
        listed = json.loads(run("syncs", "list", "--account", "ss", "--json").out)
        ran = run(
            "syncs", "update", "ss", listed[0]["id"], "--patch", '{"nonsense": 1}', "--dry-run"
        )
    finally:
        del os.environ["SYNCTUI_TOKEN_SS"]
    assert ran.code == 0, ran.err
    assert "note: 'nonsense' is not a field of Signalsmith's documented sync model" in ran.err
    assert '"nonsense": 1' in ran.out
