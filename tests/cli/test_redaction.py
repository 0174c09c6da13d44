"""A token given to synctui appears nowhere it writes: not on stdout or stderr, not in any
file under the config, data, state or cache dirs (journal database and its WAL included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synctui.sandbox.server import Sandbox
from tests.cli.conftest import Ran, Run
from tests.conftest import admin_state

BAD_TOKEN = "bad-token-7f3a9c2e51d84b06a1"


def test_the_token_is_never_written_or_printed(
    sandbox: Sandbox,
    speckle_account: str,
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = sandbox.info()["speckle"]["tokens"]["rw"]
    syncs = admin_state(sandbox, "speckle")["syncs"]
    sid, sync = next((k, s) for k, s in syncs.items() if s["active"])
    full_id = f"{sync['projectId']}/{sid}"
    patch = '{"context": {"viewName": "Redaction check"}}'
    where = "integration.slug=projectwise context.referencePoint=internalOrigin"
    outputs: list[Ran] = [
        run("syncs", "list"),
        run("syncs", "list", "--json"),
        run("syncs", "show", speckle_account, full_id),
        run("syncs", "show", speckle_account, full_id, "--json"),
        run("syncs", "update", speckle_account, full_id, "--patch", patch, "--dry-run"),
        run("syncs", "update", speckle_account, full_id, "--patch", patch, "--dry-run", "--json"),
        run("syncs", "update", speckle_account, full_id, "--patch", patch, "--json"),
        run("syncs", "update", speckle_account, "--where", where, "--patch", patch, "--dry-run"),
        run("syncs", "update", speckle_account, "--where", where, "--patch", patch, "--json"),
        run("syncs", "runs", speckle_account, full_id),
    ]
    assert [r.code for r in outputs] == [0] * len(outputs), [r.err for r in outputs]
    outputs += [run("journal"), run("journal", "--json")]
    entry = json.loads(outputs[-1].out)[0]["id"]
    outputs += [run("journal", "show", str(entry)), run("journal", "show", str(entry), "--json")]

    # The same commands with a token the vendor rejects: they fail, and say so cleanly.
    monkeypatch.setenv("SYNCTUI_TOKEN_PROD", BAD_TOKEN)
    failing = [
        run("syncs", "show", speckle_account, full_id),
        run("syncs", "update", speckle_account, full_id, "--patch", patch),
        run("syncs", "update", speckle_account, "--where", where, "--patch", patch),
        run("accounts", "test", speckle_account),
    ]
    assert all(r.code == 1 and "token was rejected" in r.err for r in failing), failing
    outputs += failing
    outputs.append(run("syncs", "update", speckle_account, full_id, "--patch", patch, "--dry-run"))

    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.startswith("journal.sqlite3") for p in written)  # it did write files
    for secret in (token, BAD_TOKEN):
        for ran in outputs:
            assert secret not in ran.out and secret not in ran.err
        for path in written:
            assert secret.encode() not in path.read_bytes(), path
