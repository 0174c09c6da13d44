"""Triage against the sandbox's seeded trouble: every kind detected with a why taken from the
vendor's own data, every documented remedy sent (and journaled), failures reported, recovery
judged from the next run, and `synctui doctor`'s exit codes."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from synctui.cli import main
from synctui.domain import errors
from synctui.domain.models import Run, RunState, Sync, SyncStatus
from synctui.sandbox.core import FROZEN_EPOCH, SandboxConfig
from synctui.sandbox.server import Sandbox
from synctui.services.demo import demo_accounts
from synctui.services.session import Session, SessionOptions
from synctui.services.triage import (
    Attention,
    Reason,
    Scan,
    Verdict,
    assess,
    describe_remedy,
    recovery_verdict,
    run_remedy,
    scan,
    scan_account,
    typical_duration,
)
from synctui.store.accounts import AccountStore
from synctui.vendors.http import RetrySettings
from tests.conftest import admin_state, advance_clock, set_faults, unlimit
from tests.services.conftest import SessionFactory

NOW = FROZEN_EPOCH


def needs_adapter(vendor: str) -> None:
    """Skip while a vendor's adapter module has not landed yet (and only then)."""
    if importlib.util.find_spec(f"synctui.vendors.{vendor}") is None:
        pytest.skip(f"the {vendor} adapter is not there yet")


def of(result: Scan, vendor: str, reason: Reason) -> list[Attention]:
    return [i for i in result.items if i.sync.vendor == vendor and i.reason is reason]


def account_of(session: Session, vendor: str) -> str:
    return next(a.name for a in session.accounts if a.vendor == vendor)


def journal_actions(session: Session, item: Attention) -> list[tuple[str, str]]:
    entries = session.journal.list(account=item.sync.account, sync_id=item.sync.id)
    return [(e.action, e.outcome) for e in reversed(entries)]


async def scan_vendor(session: Session, vendor: str) -> Scan:
    names = [a.name for a in session.accounts if a.vendor == vendor]
    return await scan(session, names, NOW)


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[Sandbox, Scan]]:
    """One untouched sandbox and one scan of every account, shared by the read-only tests
    (a scan sends no write, so they cannot disturb each other)."""
    with Sandbox(SandboxConfig(port=0, seed=7, frozen=True, changes_per_second=0)) as sb:
        unlimit(sb)
        accounts, tokens = demo_accounts(sb.info())

        async def run() -> Scan:
            session = Session(
                accounts, lambda a: tokens.get(a.name), SessionOptions(journal_enabled=False)
            )
            try:
                return await scan(session, None, NOW)
            finally:
                await session.aclose()

        yield sb, asyncio.run(run())


def vendor_part(result: Scan, vendor: str) -> Scan:
    names = {i.sync.account for i in result.items if i.sync.vendor == vendor}
    return Scan(
        items=[i for i in result.items if i.sync.vendor == vendor],
        failures={k: v for k, v in result.failures.items() if k in names},
        accounts_read=[a for a in result.accounts_read if a in names],
    )


# --- detection --------------------------------------------------------------------------------
def test_speckle_paused_failed_and_legacy(seeded: tuple[Sandbox, Scan]) -> None:
    sandbox, everything = seeded
    result = vendor_part(everything, "speckle")
    assert not everything.failures
    state = admin_state(sandbox, "speckle")

    paused = of(result, "speckle", Reason.PAUSED)
    assert paused
    for item in paused:
        assert state["syncs"][item.sync.id.split("/")[1]]["active"] is False
        assert item.why.startswith("paused (active: false): file changes trigger no ingestion")
        assert item.remedy is not None and item.remedy.steps == ("resume", "trigger")

    failed = of(result, "speckle", Reason.FAILED_RUN)
    assert failed
    for item in failed:
        run = item.sync.latest_run
        assert run is not None and run.state is RunState.FAILED
        # The vendor's own words, from the member of the status union it sent.
        member = run.raw["modelIngestion"]["statusData"]
        said = member.get("errorReason") or member.get("validationMessage")
        assert said and run.error == said
        assert item.why.startswith(f"latest ingestion {run.vendor_status}: {said}")
        assert item.since == run.finished_at
    assert {i.sync.latest_run.vendor_status for i in failed if i.sync.latest_run} >= {
        "failed",
        "invalidInput",
    }

    legacy = of(result, "speckle", Reason.LEGACY)
    assert sorted(i.sync.id.split("/")[1] for i in legacy) == sorted(state["legacy"])
    assert all(i.remedy is not None and i.remedy.steps[0] == "migrate" for i in legacy)
    # A frozen clock 20 s after runs started: nothing is stuck.
    assert not of(result, "speckle", Reason.STUCK)


def test_polytomic_inactive_and_always_failing(seeded: tuple[Sandbox, Scan]) -> None:
    sandbox, everything = seeded
    result = vendor_part(everything, "polytomic")
    state = admin_state(sandbox, "polytomic")["syncs"]

    inactive = of(result, "polytomic", Reason.DISABLED)
    assert {i.sync.id for i in inactive} >= {k for k, v in state.items() if not v["active"]} - {
        i.sync.id for i in of(result, "polytomic", Reason.FAILED_RUN)
    }
    assert all(i.why.startswith("inactive (active: false): no executions run") for i in inactive)

    region = [i for i in of(result, "polytomic", Reason.FAILED_RUN) if "Region__c" in i.why]
    assert len(region) == 1
    why = region[0].why
    assert why.startswith("latest execution failed: Salesforce API: INVALID_FIELD")
    assert "(1 record synced, 661 failed)" in why  # the execution's own counts


def test_signalsmith_paused_and_error(seeded: tuple[Sandbox, Scan]) -> None:
    needs_adapter("signalsmith")
    result = vendor_part(seeded[1], "signalsmith")
    in_error = of(result, "signalsmith", Reason.ERROR)
    assert in_error
    for item in in_error:
        assert item.sync.raw["status_error"]
        assert item.why.startswith(f"status error: {item.sync.raw['status_error']}")
        assert item.remedy is not None and item.remedy.steps == ("resume", "trigger")
    paused = of(result, "signalsmith", Reason.PAUSED)
    assert paused and all(i.why.startswith("status paused") for i in paused)
    assert {a for a in result.accounts_read} == {"signalsmith-acme", "signalsmith-northwind"}


def test_paragon_disabled_and_errored(seeded: tuple[Sandbox, Scan]) -> None:
    needs_adapter("paragon")
    sandbox, everything = seeded
    result = vendor_part(everything, "paragon")
    state = admin_state(sandbox, "paragon")["syncs"]
    disabled = of(result, "paragon", Reason.DISABLED)
    errored = of(result, "paragon", Reason.ERROR)
    assert {i.sync.id for i in disabled} == {
        k for k, v in state.items() if v["status"] == "DISABLED"
    }
    assert {i.sync.id for i in errored} == {k for k, v in state.items() if v["status"] == "ERRORED"}
    assert all("DISABLED" in i.why for i in disabled)
    assert all("ERRORED" in i.why for i in errored)


async def test_an_account_that_fails_is_reported_and_the_rest_still_scanned(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    set_faults(sandbox, "500=1,only=polytomic")
    session = make_session(sandbox, retry=RetrySettings(attempts=1))
    result = await scan(session, ["speckle-demo", "polytomic-demo"], NOW)
    assert list(result.failures) == ["polytomic-demo"]
    assert "500" in result.failures["polytomic-demo"] or result.failures["polytomic-demo"]
    assert result.accounts_read == ["speckle-demo"]
    assert result.counts_by_account() == {"speckle-demo": len(result.items)}


# --- stuck: compared with the sync's own history ----------------------------------------------
def _run(rid: str, state: RunState, start: datetime, minutes: float | None) -> Run:
    end = (start + timedelta(minutes=minutes)).isoformat() if minutes is not None else None
    return Run(
        id=rid, state=state, vendor_status=state.value, started_at=start.isoformat(),
        finished_at=end,
    )  # fmt: skip


def _running_sync(started: datetime) -> Sync:
    run = _run("live", RunState.RUNNING, started, None)
    return Sync(
        account="a", vendor="polytomic", id="s1", name="n", status=SyncStatus.ACTIVE,
        vendor_status="active, last execution running", latest_run=run,
    )  # fmt: skip


def test_stuck_is_measured_against_the_usual_run_time() -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    history = [_run(f"r{i}", RunState.SUCCESS, now - timedelta(days=i), m) for i, m in
               enumerate((4, 5, 6, 90), start=1)]  # fmt: skip
    history.append(_run("f", RunState.FAILED, now - timedelta(days=9), 500))  # ignored
    typical = typical_duration(history)
    assert typical == timedelta(minutes=5.5)
    # 3 × 5.5 min is less than 5.5 min + 30 min margin: the limit is 35.5 min.
    assert assess(_running_sync(now - timedelta(minutes=30)), now, typical=typical) is None
    stuck = assess(_running_sync(now - timedelta(minutes=40)), now, typical=typical)
    assert stuck is not None and stuck.reason is Reason.STUCK
    assert stuck.why == "run live running for 40 min, usually 6 min"
    assert stuck.remedy is None
    # No history: two hours.
    assert assess(_running_sync(now - timedelta(minutes=100)), now) is None
    assert assess(_running_sync(now - timedelta(minutes=130)), now) is not None


# --- remedies ---------------------------------------------------------------------------------
async def test_speckle_paused_remedy_resumes_then_triggers(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    item = of(await scan_vendor(session, "speckle"), "speckle", Reason.PAUSED)[0]
    text = describe_remedy(item)
    assert "syncMutations.setActive(" in text and "triggerNow: true" in text
    outcome = await run_remedy(session, item)
    sid = item.sync.id.split("/")[1]
    server = admin_state(sandbox, "speckle")["syncs"][sid]
    assert server["active"] is True and server["triggers"] == 1
    assert journal_actions(session, item) == [("resume", "ok"), ("trigger", "ok")]
    assert outcome.recovery.expects_run and outcome.recovery.run_id


async def test_speckle_resume_without_trigger(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    item = of(await scan_vendor(session, "speckle"), "speckle", Reason.PAUSED)[1]
    assert "triggerNow" not in describe_remedy(item, trigger=False)
    outcome = await run_remedy(session, item, trigger=False)
    server = admin_state(sandbox, "speckle")["syncs"][item.sync.id.split("/")[1]]
    assert server["active"] is True and server["triggers"] == 0
    assert journal_actions(session, item) == [("resume", "ok")]
    # Nothing to wait for: the next look at the sync decides at once.
    fresh = await session.get_sync(item.sync.account, item.sync.id)
    assert recovery_verdict(outcome.recovery, fresh, NOW) == (Verdict.RECOVERED, None)


async def test_speckle_legacy_remedy_migrates(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    legacy = of(await scan_vendor(session, "speckle"), "speckle", Reason.LEGACY)
    item = next(i for i in legacy if i.sync.vendor_status == "succeeded")
    outcome = await run_remedy(session, item)
    state = admin_state(sandbox, "speckle")
    sid = item.sync.id.split("/")[1]
    assert sid in state["migrated"] and sid not in state["legacy"]
    actions = journal_actions(session, item)
    assert actions[0] == ("migrate", "ok")
    fresh = await session.get_sync(item.sync.account, item.sync.id)
    assert fresh.status is not SyncStatus.LEGACY
    if fresh.status is SyncStatus.PAUSED:  # came back paused: no trigger was sent
        assert outcome.skipped and actions == [("migrate", "ok")]
    else:
        assert actions == [("migrate", "ok"), ("trigger", "ok")]


async def test_speckle_legacy_that_comes_back_paused_goes_back_to_paused(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    legacy = of(await scan_vendor(session, "speckle"), "speckle", Reason.LEGACY)
    item = next(i for i in legacy if i.sync.vendor_status == "paused")
    outcome = await run_remedy(session, item)
    assert outcome.skipped == ["no run triggered: the sync is paused after the migration"]
    fresh = await session.get_sync(item.sync.account, item.sync.id)
    verdict, again = recovery_verdict(outcome.recovery, fresh, NOW)
    assert verdict is Verdict.FAILED and again is not None and again.reason is Reason.PAUSED


def has_problems(sandbox: Sandbox, sync_id: str) -> bool:
    """Polytomic reports configuration problems on the full sync only (not in list rows)."""
    info = sandbox.info()["polytomic"]
    headers = {
        "Authorization": f"Bearer {info['tokens']['rw']}",
        "X-Polytomic-Version": "2025-09-18",
    }
    answer = httpx.get(f"{info['base_url']}/api/syncs/{sync_id}", headers=headers)
    return bool(answer.json()["data"]["problems"])


async def test_a_polytomic_sync_with_problems_gets_no_automatic_remedy(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    """Polytomic: "Every problem reported today is an error, which stops the sync from
    running" (`types/model_sync_problem.py`): resuming it would not make it run."""
    session = make_session(sandbox)
    disabled = of(await scan_vendor(session, "polytomic"), "polytomic", Reason.DISABLED)
    (item,) = [i for i in disabled if has_problems(sandbox, i.sync.id)]
    full = await session.get_sync(item.sync.account, item.sync.id)
    again = assess(full, NOW)
    assert again is not None and again.remedy is None
    assert "legacy_plan_code" in again.why and again.why.startswith("inactive (active: false)")


async def test_polytomic_inactive_remedy_activates_and_starts_an_execution(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    disabled = of(await scan_vendor(session, "polytomic"), "polytomic", Reason.DISABLED)
    item = next(i for i in disabled if not has_problems(sandbox, i.sync.id))
    assert f"POST /api/syncs/{item.sync.id}/activate" in describe_remedy(item)
    outcome = await run_remedy(session, item)
    server = admin_state(sandbox, "polytomic")["syncs"][item.sync.id]
    assert server["active"] is True
    assert (server["activations"], server["executions_started"]) == (1, 1)
    assert journal_actions(session, item) == [("resume", "ok"), ("trigger", "ok")]

    fresh = await session.get_sync(item.sync.account, item.sync.id)
    assert recovery_verdict(outcome.recovery, fresh, NOW)[0] is Verdict.WAITING
    advance_clock(sandbox, 3600)
    fresh = await session.get_sync(item.sync.account, item.sync.id)
    assert recovery_verdict(outcome.recovery, fresh, NOW)[0] is Verdict.RECOVERED


async def test_polytomic_failing_sync_recovers_not_and_shows_the_new_error(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox)
    failed = of(await scan_vendor(session, "polytomic"), "polytomic", Reason.FAILED_RUN)
    item = next(i for i in failed if "Region__c" in i.why)
    outcome = await run_remedy(session, item)
    assert admin_state(sandbox, "polytomic")["syncs"][item.sync.id]["executions_started"] == 1
    advance_clock(sandbox, 3600)
    fresh = await session.get_sync(item.sync.account, item.sync.id)
    verdict, again = recovery_verdict(outcome.recovery, fresh, NOW)
    assert verdict is Verdict.FAILED and again is not None
    assert again.reason is Reason.FAILED_RUN and "Region__c" in again.why
    assert again.why != item.why  # the new execution's own counts
    assert again.sync.latest_run is not None
    assert again.sync.latest_run.id == outcome.recovery.run_id


async def test_signalsmith_remedy_sets_active_and_triggers(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    needs_adapter("signalsmith")
    session = make_session(sandbox)
    result = await scan_vendor(session, "signalsmith")
    for item in (
        of(result, "signalsmith", Reason.ERROR)[0],
        of(result, "signalsmith", Reason.PAUSED)[0],
    ):
        assert '{"status": "active"}' in describe_remedy(item)
        outcome = await run_remedy(session, item)
        server = admin_state(sandbox, "signalsmith")["syncs"][item.sync.id]
        assert (server["status"], server["triggers"]) == ("active", 1)
        assert journal_actions(session, item) == [("resume", "ok"), ("trigger", "ok")]
        # Its list carries no run: a watched sync is read in full, so the run decides.
        advance_clock(sandbox, 3600)
        done = await scan_account(session, item.sync.account, NOW, watch={item.key})
        fresh = next(s for s in done.syncs if s.key == item.key)
        assert recovery_verdict(outcome.recovery, fresh, NOW)[0] is Verdict.RECOVERED


async def test_paragon_remedy_reenables(sandbox: Sandbox, make_session: SessionFactory) -> None:
    needs_adapter("paragon")
    session = make_session(sandbox)
    result = await scan_vendor(session, "paragon")
    for item in (of(result, "paragon", Reason.DISABLED)[0], of(result, "paragon", Reason.ERROR)[0]):
        assert "/reenable" in describe_remedy(item)
        await run_remedy(session, item)
        advance_clock(sandbox, 5)
        status = admin_state(sandbox, "paragon")["syncs"][item.sync.id]["status"]
        assert status in ("ACTIVE", "INITIALIZING", "IDLE")
        assert journal_actions(session, item)[-1] == ("resume", "ok")


async def test_a_failing_remedy_is_reported_journaled_and_the_item_stays(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox, retry=RetrySettings(attempts=1))
    item = of(await scan_vendor(session, "speckle"), "speckle", Reason.PAUSED)[0]
    set_faults(sandbox, "500=1,only=speckle")
    with pytest.raises(errors.SyncTuiError):
        await run_remedy(session, item)
    set_faults(sandbox, "none")
    assert admin_state(sandbox, "speckle")["syncs"][item.sync.id.split("/")[1]]["active"] is False
    actions = journal_actions(session, item)
    assert actions and actions[0][0] == "resume" and actions[0][1] in ("failed", "unknown")
    again = of(await scan_vendor(session, "speckle"), "speckle", Reason.PAUSED)
    assert item.key in {i.key for i in again}


async def test_read_only_refuses_the_remedy_and_sends_nothing(
    sandbox: Sandbox, make_session: SessionFactory
) -> None:
    session = make_session(sandbox, readonly=True)
    disabled = of(await scan_vendor(session, "polytomic"), "polytomic", Reason.DISABLED)
    item = next(i for i in disabled if not has_problems(sandbox, i.sync.id))
    with pytest.raises(errors.ReadOnlyError):
        await run_remedy(session, item)
    assert admin_state(sandbox, "polytomic")["syncs"][item.sync.id]["activations"] == 0
    assert journal_actions(session, item) == []


# --- doctor -----------------------------------------------------------------------------------
def _configure(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, *extra) -> None:  # type: ignore[no-untyped-def]
    """accounts.toml and SYNCTUI_TOKEN_* pointed at the test's sandbox."""
    accounts, tokens = demo_accounts(sandbox.info())
    AccountStore().save([*accounts, *extra])
    for account in accounts:
        monkeypatch.setenv(account.token_env_var, tokens[account.name])
    for account in extra:
        monkeypatch.setenv(account.token_env_var, "t")


async def _fix_everything(sandbox: Sandbox, session: Session, account: str) -> None:
    for _ in range(3):
        result = await scan(session, [account], NOW)
        for item in result.items:
            await run_remedy(session, item)
        advance_clock(sandbox, 3600)


def test_doctor_exit_codes(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from synctui.store.accounts import Account

    dead = Account(name="gone", vendor="polytomic", base_url="http://127.0.0.1:9")
    _configure(sandbox, monkeypatch, dead)
    assert main(["doctor"]) == 4
    out = capsys.readouterr()
    assert "LATEST RUN FAILED" in out.out and "gone:" in out.err
    assert main(["doctor", "--account", "gone"]) == 1

    needs_adapter("signalsmith")
    accounts, tokens = demo_accounts(sandbox.info())
    target = "signalsmith-acme"  # every one of its troubles can be fixed by its remedy
    assert main(["doctor", "--account", target]) == 4

    async def fix() -> None:
        session = Session(accounts, lambda a: tokens.get(a.name), SessionOptions())
        try:
            await _fix_everything(sandbox, session, target)
        finally:
            await session.aclose()

    asyncio.run(fix())
    capsys.readouterr()
    assert main(["doctor", "--account", target]) == 0
    assert "All clear" in capsys.readouterr().out


def test_doctor_demo_json(capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    assert main(["--demo", "doctor", "--json"]) == 4
    report = json.loads(capsys.readouterr().out)
    assert report["needs_attention"] == len(report["items"]) > 0
    assert sum(report["by_reason"].values()) == report["needs_attention"]
    assert {"in error", "latest run failed", "paused", "legacy, needs migration"} <= set(
        report["by_reason"]
    )


def test_doctor_does_not_import_textual() -> None:
    """The service and the command sit below the UI: cron must not pay for Textual."""
    import subprocess
    import sys

    code = (
        "import sys, synctui.commands.doctor, synctui.services.triage;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
