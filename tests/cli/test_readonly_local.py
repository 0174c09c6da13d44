"""`--readonly` refuses every command that changes state, local files included.

The vendor side is covered by tests/resilience/test_readonly.py (the service layer). Here the
commands are found by introspection of the parser: every runnable command that is not a
known read is run with `--readonly`, must refuse with one line naming read-only mode, and
must leave every file in synctui's config and data directories exactly as it was. A command
added later is checked without anyone remembering this test.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from synctui.cli import build_parser
from synctui.sandbox.server import Sandbox
from tests.cli.conftest import Run
from tests.command_kinds import READS, cli_commands


def snapshot(root: Path) -> dict[str, str]:
    """Every file under the isolated XDG dirs, by content."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_every_state_changing_command_refuses_with_readonly(
    sandbox: Sandbox, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = sandbox.info()
    speckle = info["speckle"]
    projects = [arg for pid in speckle["ids"]["projects"] for arg in ("--project", pid)]
    assert run("accounts", "add", "prod", "--vendor", "speckle", "--url", speckle["base_url"],
               *projects).code == 0  # fmt: skip
    assert run("accounts", "add", "site", "--vendor", "letsbuild", "--url",
               info["letsbuild"]["base_url"]).code == 0  # fmt: skip
    monkeypatch.setenv("SYNCTUI_TOKEN_PROD", speckle["tokens"]["rw"])
    monkeypatch.setenv("SYNCTUI_TOKEN_SITE", info["letsbuild"]["tokens"]["rw"])
    listed = json.loads(run("syncs", "list", "--account", "prod", "--json").out)
    sync_id = next(s["id"] for s in listed if s["status"] == "active")
    patch = '{"context": {"viewName": "probe"}}'
    assert run("syncs", "update", "prod", sync_id, "--patch", patch).code == 0
    assert run("feed", "tail", "site", "--feed", "project").code == 0  # a store to reset
    entry = str(json.loads(run("journal", "--json").out)[0]["id"])
    body = tmp_path / "new.json"
    body.write_text('{"name": "probe"}')

    positionals = {"account": "prod", "sync_id": sync_id, "entry_id": entry, "name": "prod"}
    options = {
        "vendor": ["--vendor", "speckle"],
        "url": ["--url", speckle["base_url"]],
        "patch": ["--patch", patch],
        "json_file": ["--json-file", str(body)],
        "yes": ["--yes"],
    }
    changing = {w: n for w, n in cli_commands(build_parser()).items() if w not in READS}
    assert {("accounts", "add"), ("accounts", "remove"), ("feed", "reset")} <= set(changing)

    root = tmp_path
    before = snapshot(root)
    for words, node in changing.items():
        argv: list[str] = ["--readonly", *words]
        for action in node._actions:
            if action.dest == "help":
                continue
            if not action.option_strings:
                if action.dest not in positionals:
                    pytest.fail(f"`synctui {' '.join(words)}` takes {action.dest}: teach it here")
                argv.append(positionals[action.dest])
                if words == ("feed", "reset"):
                    argv[-1] = "site"
            elif action.required or action.dest == "yes":
                if action.dest not in options:
                    pytest.fail(f"`synctui {' '.join(words)}` needs {action.dest}: teach it here")
                argv += options[action.dest]
        for group in node._mutually_exclusive_groups:
            if group.required:  # one of them must be given: the first we know how to fill
                dest = next(a.dest for a in group._group_actions if a.dest in options)
                argv += options[dest]
        if words == ("accounts", "add"):
            argv += [*projects, "--replace"]  # a complete account: only the lock may refuse
        ran = run(*argv)
        assert ran.code != 0, (argv, ran.out)
        assert "Traceback" not in ran.err
        errors = [line for line in ran.err.splitlines() if line.startswith("synctui: error:")]
        assert len(errors) == 1 and ran.err.count("\n") == 1, (argv, ran.err)
        if "read-only" not in errors[0]:
            # Only "this vendor cannot do that at all" may come before the lock.
            assert ran.code == 2 and "cannot" in errors[0], (argv, ran.err)
        assert snapshot(root) == before, f"`synctui {' '.join(argv)}` changed a file"
    assert run("accounts", "list").out.count("prod") == 1  # still there
