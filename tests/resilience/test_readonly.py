"""Read-only mode is enforced by the service layer, for every write path, on every vendor.

The lock the TUI shows is cosmetic; what protects a production account is that the one write
path (`Session.write`) and everything built on it refuse before a byte is sent. So this test
does not list the write methods it knows about: it finds them by introspection (every
coroutine of `Session` that is not a known read, every CLI command that is not a known read),
calls each against every account of a real sandbox with `readonly=True` / `--readonly`, and
checks three witnesses that nothing happened: the error, the adapter call log (no request at
all), and the simulators' own state. A write method added later without the guard fails here
without anyone having to remember this test.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from synctui.cli import build_parser
from synctui.domain import errors
from synctui.domain.models import Sync, WritePlan, WriteResult
from synctui.sandbox.server import Sandbox
from synctui.services.batch import BatchUpdate
from synctui.services.demo import demo_accounts
from synctui.services.revert import apply_revert, plan_revert, revert
from synctui.services.session import Session, SessionOptions
from synctui.services.triage import apply_remedy, run_remedy, scan
from synctui.store.accounts import token_env_var
from tests.command_kinds import NO_VENDOR_WRITES, cli_commands
from tests.conftest import admin_state
from tests.resilience.conftest import add_account, run_in_process, speckle_project_args

VENDORS = ("speckle", "letsbuild", "polytomic", "signalsmith", "paragon")

# Coroutines of Session that only read (plan_update plans, it never sends). Anything else
# async on Session is treated as a write and must refuse in read-only mode.
SESSION_READS = frozenset(
    {"get_sync", "show_sync", "detail", "list_runs", "plan_update", "guard", "aclose"}
)


# A create body each vendor's validator accepts, so a refusal can only be read-only's.
CREATE_BODIES: dict[str, dict[str, Any]] = {
    "signalsmith": {
        "name": "Read-only probe",
        "model_id": "123e4567-e89b-12d3-a456-426614174000",
        "destination_id": "123e4567-e89b-12d3-a456-426614174001",
        "field_mapping": [{"source_column": "email", "destination_field": "Email"}],
        "sync_mode": "upsert",
        "primary_key": "email",
    },
    "polytomic": {
        "name": "Read-only probe",
        "mode": "updateOrCreate",
        "schedule": {"frequency": "manual"},
        "target": {"connection_id": "c1", "object": "Contact"},
        "fields": [{"target": "Email", "source": None}],
    },
}
PATCHES: dict[str, dict[str, Any]] = {
    "speckle": {"context": {"viewName": "Read-only probe"}},
    "polytomic": {"name": "Read-only probe"},
    "signalsmith": {"name": "Read-only probe"},
    "paragon": {"incrementalAccumulatorFrequency": "24h"},
}


def world(sb: Sandbox) -> dict[str, Any]:
    """Everything the simulators record about writes, for a before/after comparison."""
    return {vendor: admin_state(sb, vendor) for vendor in VENDORS}


def session_for(sb: Sandbox, *, readonly: bool, journal: Path) -> Session:
    accounts, tokens = demo_accounts(sb.info())
    return Session(
        accounts,
        lambda account: tokens.get(account.name),
        SessionOptions(readonly=readonly, journal_path=journal),
    )


def session_writes() -> list[str]:
    """Every public coroutine of Session that is not a known read."""
    return sorted(
        name
        for name, member in inspect.getmembers(Session, inspect.iscoroutinefunction)
        if not name.startswith("_") and name not in SESSION_READS
    )


def test_the_introspection_finds_the_known_write_methods() -> None:
    """A guard against the test going blind: if the listing found nothing, it proves nothing."""
    assert {"update", "apply_plan", "set_active", "trigger", "migrate", "delete", "create"} <= set(
        session_writes()
    ) | {"write"}
    assert "write" in session_writes()


async def test_every_session_write_is_refused_on_every_vendor(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.sqlite3"
    ro = session_for(sandbox, readonly=True, journal=journal)
    try:
        # Reads are allowed in read-only mode: one sync and one real plan per account.
        first: dict[str, Sync | None] = {}
        plans: dict[str, WritePlan | None] = {}
        for account in ro.accounts:
            syncs = (
                [] if account.vendor == "letsbuild" else await ro.adapter(account.name).list_syncs()
            )
            usable = [s for s in syncs if s.status.value not in ("legacy", "unknown")]
            first[account.name] = usable[0] if usable else None
            plans[account.name] = None
            if usable and account.vendor in PATCHES:
                plans[account.name] = await ro.plan_update(
                    account.name, usable[0], PATCHES[account.vendor]
                )
        assert sum(p is not None for p in plans.values()) >= 4, plans  # four editable vendors
        before = world(sandbox)
        calls_before = len(ro.call_log.records())
        sent: list[str] = []

        def argument(method: str, name: str, account: str) -> Any:
            sync = first[account]
            vendor = ro.account(account).vendor
            if name == "account":
                return account
            if name == "sync_id":
                return sync.id if sync is not None else "no-such-sync"
            if name == "patch":
                return PATCHES.get(vendor, {"name": "probe"})
            if name == "plan":
                return plans[account] or WritePlan(
                    account=account,
                    vendor=vendor,
                    sync_id="no-such-sync",
                    patch={"name": "probe"},
                    before={},
                    after={"name": "probe"},
                    summary="probe",
                    requests=[],
                )
            if name == "active":
                return False
            if name == "body":
                return CREATE_BODIES.get(vendor, {"name": "probe"})
            if name == "action":
                return "update"
            if name == "send":

                def send() -> Awaitable[WriteResult]:
                    sent.append(method)

                    async def nothing() -> WriteResult:
                        return WriteResult(message="sent")

                    return nothing()

                return send
            pytest.fail(
                f"Session.{method} takes {name!r}, which this test cannot fill in: teach "
                "`argument` how, so the new write method is checked for read-only mode too"
            )

        refused: list[tuple[str, str]] = []
        for method in session_writes():
            call: Callable[..., Awaitable[Any]] = getattr(ro, method)
            signature = inspect.signature(call)
            for account in ro.accounts:
                args = [
                    argument(method, p.name, account.name)
                    for p in signature.parameters.values()
                    if p.default is inspect.Parameter.empty
                    and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                ]
                with pytest.raises(errors.ReadOnlyError) as info:
                    await call(*args)
                assert "read-only" in str(info.value)
                refused.append((method, account.name))

        assert len(refused) == len(session_writes()) * len(ro.accounts)
        assert sent == [], "a write's send() was called in read-only mode"
        assert len(ro.call_log.records()) == calls_before, "a request went out in read-only mode"
        assert ro.journal.list(limit=10) == [], "a refused write was journaled"
        assert world(sandbox) == before
    finally:
        await ro.aclose()


async def test_batch_revert_and_remedies_are_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    rw = session_for(sandbox, readonly=False, journal=journal)
    ro = session_for(sandbox, readonly=True, journal=journal)
    try:
        # Something real to revert: an edit and a pause, made read-write.
        speckle = [
            s for s in await rw.adapter("speckle-demo").list_syncs() if s.status.value == "active"
        ]
        await rw.update("speckle-demo", speckle[0].id, PATCHES["speckle"])
        await rw.set_active("speckle-demo", speckle[1].id, False)
        entries = rw.journal.list(limit=10)
        assert [e.outcome for e in entries] == ["ok", "ok"]

        # Everything a read-only session may still do first: plans, a scan.
        revert_plans = [await plan_revert(ro, e.id) for e in entries]
        found = await scan(ro)
        remedied = [item for item in found.items if item.remedy is not None]
        vendors = {item.sync.vendor for item in remedied}
        assert {"speckle", "polytomic", "signalsmith", "paragon"} <= vendors, vendors
        targets: dict[str, list[Sync]] = {vendor: [] for vendor in PATCHES}
        for account in ro.accounts:
            if account.vendor in PATCHES:
                syncs = await ro.adapter(account.name).list_syncs()
                targets[account.vendor] += [s for s in syncs if s.status.value == "active"][:5]

        before = world(sandbox)
        calls_before = len(ro.call_log.records())

        for vendor, chosen in targets.items():
            batch = BatchUpdate(ro, chosen, PATCHES[vendor], trigger_now=False)
            with pytest.raises(errors.ReadOnlyError):
                await batch.run()
            assert batch.results == []
        for entry in entries:
            with pytest.raises(errors.ReadOnlyError):
                await revert(ro, entry.id)
        for plan in revert_plans:
            with pytest.raises(errors.ReadOnlyError):
                await apply_revert(ro, plan)
        for item in remedied:
            with pytest.raises(errors.ReadOnlyError):
                await apply_remedy(ro, item)
            with pytest.raises(errors.ReadOnlyError):
                await run_remedy(ro, item, trigger=False)

        assert len(ro.call_log.records()) == calls_before
        assert len(ro.journal.list(limit=100)) == len(entries)
        assert world(sandbox) == before
    finally:
        await rw.aclose()
        await ro.aclose()


def test_every_cli_write_command_is_refused_with_readonly(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    info = sandbox.info()
    accounts = {
        "speckle": ("prod-speckle", info["speckle"]["base_url"], speckle_project_args(sandbox)),
        "polytomic": ("prod-polytomic", info["polytomic"]["base_url"], []),
        "signalsmith": (
            "prod-signalsmith",
            info["signalsmith"]["base_url"],
            ["--workspace", info["signalsmith"]["ids"]["workspaces"][0]],
        ),
        "paragon": ("prod-paragon", info["paragon"]["base_url"], []),
    }
    for vendor, (name, url, extra) in accounts.items():
        add_account(name, vendor, url, *extra)
        monkeypatch.setenv(token_env_var(name), info[vendor]["tokens"]["rw"])

    # One real journal entry per vendor to offer `journal revert`, made without --readonly.
    ids: dict[str, str] = {}
    for vendor, (name, _, _) in accounts.items():
        listed = json.loads(run_in_process(["syncs", "list", "--account", name, "--json"]).out)
        ids[vendor] = next(s["id"] for s in listed if s["status"] == "active")
        made = run_in_process(
            ["syncs", "update", name, ids[vendor], "--patch", json.dumps(PATCHES[vendor])]
        )
        assert made.code == 0, made.err
    entries = json.loads(run_in_process(["journal", "--json"]).out)
    assert len(entries) == len(accounts)

    writes = {
        words: node
        for words, node in cli_commands(build_parser()).items()
        if words not in NO_VENDOR_WRITES
    }
    assert {("syncs", "update"), ("syncs", "delete"), ("journal", "revert")} <= set(writes)
    body_file = tmp_path / "new-sync.json"

    def argv_for(words: tuple[str, ...], vendor: str) -> list[list[str]]:
        """The command with every required argument filled in (several forms for update)."""
        name = accounts[vendor][0]
        positionals = {
            "account": name,
            "sync_id": ids[vendor],
            "entry_id": str(next(e["id"] for e in entries if e["account"] == name)),
        }
        node = writes[words]
        args: list[str] = []
        for action in node._actions:
            if action.option_strings or action.dest in ("help",):
                continue
            if action.dest not in positionals:
                pytest.fail(f"`synctui {' '.join(words)}` takes {action.dest}: teach argv_for it")
            args.append(positionals[action.dest])
        options = {a.dest: a.option_strings[0] for a in node._actions if a.option_strings}
        extra: list[str] = []
        if "yes" in options:
            extra.append("--yes")
        if "json_file" in options:
            body_file.write_text(json.dumps(CREATE_BODIES.get(vendor, {"name": "probe"})))
            extra += ["--json-file", str(body_file)]
        forms = [args + extra]
        if "patch" in options:
            patch = ["--patch", json.dumps(PATCHES[vendor])]
            forms = [
                args + patch,
                args + patch + ["--trigger-now"],
                [name, "--where", "status=active", *patch],
            ]
        return [["--readonly", *words, *form] for form in forms]

    before = world(sandbox)
    checked = 0
    for words in writes:
        for vendor in accounts:
            for argv in argv_for(words, vendor):
                ran = run_in_process(argv)
                assert ran.code != 0, (argv, ran.out)
                assert "Traceback" not in ran.err
                if "read-only" not in ran.err:
                    # Only "this vendor cannot do that at all" may come before the lock.
                    assert ran.code == 2 and "cannot" in ran.err, (argv, ran.err)
                checked += 1
    assert checked >= 20
    assert world(sandbox) == before
    assert len(json.loads(run_in_process(["journal", "--json"]).out)) == len(entries)
