"""Every filter example the README gives selects the same syncs in the TUI and the CLI.

The examples are read out of README.md itself — the examples column of the "Filter language"
table and every quoted `--where '…'` — so an example the README adds is checked at once. Each
goes through the two faces a person would use: typed into the All view's `/` filter (Pilot,
against the in-process sandbox) and given to `synctui --demo syncs update ACCOUNT --where …
--dry-run --json` for every account with syncs (the CLI's listing of what it would touch).
Both must select the same non-empty set of syncs of the demo sandbox.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from synctui.cli import main
from synctui.domain.filtering import SEPARATOR, in_order, sync_haystack
from synctui.sandbox.server import Sandbox
from synctui.services import demo as demo_module
from synctui.services.demo import Demo, demo_accounts
from synctui.services.session import Session
from synctui.ui.catalog import ALL
from tests.ui.conftest import make_app, settle

README = Path(__file__).resolve().parents[2] / "README.md"
SyncKey = tuple[str, str]


def readme_filter_examples() -> list[str]:
    """The examples column of the Filter language table, then every `--where '…'`."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Filter language", 1)[1].split("\n### ", 1)[0]
    examples: list[str] = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue  # the header, the rule, or prose
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        examples += [span.replace("\\|", "|") for span in re.findall(r"`([^`]+)`", cells[-1])]
    examples += re.findall(r"--where '([^']+)'", text)
    return list(dict.fromkeys(examples))


EXAMPLES = readme_filter_examples()


def test_the_readme_gives_examples_of_every_form() -> None:
    joined = " ".join(EXAMPLES)
    assert len(EXAMPLES) >= 15
    for form in ("!", "~", "=", "!=", "!~", '"', "."):
        assert form in joined, form
    # The ones people asked about, which once matched nothing in the table.
    for example in (
        "status=paused",
        "integration.slug=acc",
        "context.referencePoint=surveyPoint",
        "schedule.frequency=daily",
    ):
        assert example in EXAMPLES


class _SharedDemo(Demo):
    """`--demo` on the test's sandbox: the CLI sees the very syncs the TUI shows."""

    def stop(self) -> None:  # the fixture owns the sandbox
        pass


def _main(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as exc:  # argparse
        return int(exc.code or 0)


def _cli_rows(sandbox: Sandbox, capsys: pytest.CaptureFixture[str], where: str) -> set[SyncKey]:
    """What the CLI selects: `syncs list --where` where the CLI has it, else what
    `syncs update --where … --dry-run` would touch, account by account."""
    code = _main("--demo", "syncs", "list", "--where", where, "--json")
    out, err = capsys.readouterr()
    if "unrecognized arguments: --where" not in err:
        assert code == 0, f"{where!r}: {err}"
        return {(s["account"], s["id"]) for s in json.loads(out)}
    accounts, _ = demo_accounts(sandbox.info())
    found: set[SyncKey] = set()
    for account in accounts:
        if account.vendor == "letsbuild":
            continue  # a change feed, no syncs
        argv = ["--demo", "syncs", "update", account.name, "--where", where]
        argv += ["--patch", "{}", "--dry-run", "--json", "--concurrency", "16"]
        code = _main(*argv)
        out, err = capsys.readouterr()
        assert code == 0, f"{where!r} on {account.name}: {err}"
        for line in out.splitlines():
            record = json.loads(line)
            found.add((record["account"], record["sync"]))
        counted = re.search(r"^(\d+) of \d+ syncs of ", err, re.MULTILINE)
        assert counted, err
        assert int(counted.group(1)) == sum(1 for key in found if key[0] == account.name)
    return found


async def _tui_rows(session: Session) -> dict[str, set[SyncKey]]:
    """Each example typed into the All view's `/` filter: the syncs the table then shows."""
    app = make_app(session)
    rows: dict[str, set[SyncKey]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main_screen = app.main
        assert main_screen.view == ALL
        table = main_screen.table
        total = table.total_count
        await pilot.press("slash")
        bar = main_screen.query_one("#filter")
        for example in EXAMPLES:
            bar.value = example  # as if typed: the same Input.Changed
            await pilot.pause()
            assert table.model.filter_error is None, (example, table.model.filter_error)
            rows[example] = set(table.visible_keys)  # type: ignore[arg-type]
            header = f"{len(rows[example]):,} of {total:,} syncs"
            for _ in range(50):  # the header follows the table's ViewUpdated message
                if header in main_screen.status.text or len(rows[example]) == total:
                    break
                await pilot.pause()
            assert header in main_screen.status.text or len(rows[example]) == total, example
    return rows


def test_every_readme_example_selects_the_same_syncs_in_the_tui_and_the_cli(
    sandbox: Sandbox,
    session: Session,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accounts, tokens = demo_accounts(sandbox.info())
    shared = _SharedDemo(sandbox=sandbox, accounts=accounts, tokens=tokens)
    monkeypatch.setattr(demo_module, "start_demo", lambda **_: shared)

    tui = asyncio.run(_tui_rows(session))
    for example in EXAMPLES:
        cli = _cli_rows(sandbox, capsys, example)
        assert tui[example], f"README example {example!r} matches no sync of the demo"
        assert cli == tui[example], f"{example!r}: CLI and TUI differ"


def _painted(table: object, y: int) -> str:
    return table.render_line(y).text  # type: ignore[attr-defined]


async def test_field_terms_fuzzy_and_an_empty_result_in_the_sync_table(session: Session) -> None:
    """`status=paused` once showed "0 of N syncs" and "No syncs (yet)"; a filter hiding
    every row now says so; `~` keeps only syncs with one field holding the letters."""
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.table
        total = table.total_count
        syncs = {key: app.catalog.get(key) for key in table.visible_keys}
        await pilot.press("slash", *"status=paused")
        await settle(pilot)
        paused = {k for k, s in syncs.items() if s is not None and s.status.value == "paused"}
        assert paused and set(table.visible_keys) == paused
        assert f"{len(paused):,} of {total:,} syncs" in app.main.status.text

        bar = app.main.query_one("#filter")
        bar.value = "~htarch"
        await settle(pilot)
        shown = [syncs[k] for k in table.visible_keys]
        assert shown
        for sync in shown:
            fields = sync_haystack(sync).split(SEPARATOR)  # type: ignore[arg-type]
            assert any(in_order("htarch", field) for field in fields), sync

        bar.value = "nothing-is-called-this"
        await settle(pilot)
        assert table.row_count == 0
        assert f"0 of {total:,} syncs" in app.main.status.text
        message = "No syncs match the filter 'nothing-is-called-this' — Esc clears it"
        assert message in _painted(table, 2)

        bar.value = "a$b=1"
        await settle(pilot)
        assert "Filter error: 'a$b' at column 1 is not a field name" in _painted(table, 2)

        await pilot.press("escape")  # in the filter bar: clears it
        await settle(pilot)
        assert table.row_count == total and table.filter_text == ""


async def test_the_call_log_filters_by_its_columns(session: Session) -> None:
    app = make_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("at")
        await settle(pilot)
        table = app.screen.query_one("#calls")
        rows = [table.row_for(k) for k in table.visible_keys]
        assert rows
        at = [c.key for c in table.model.columns].index("method")
        method = rows[0].cells[at]
        await pilot.press("slash", *f"method={method}")
        await settle(pilot)
        assert table.visible_keys == [r.key for r in rows if r.cells[at] == method]
        bar = app.screen.query_one("#filter")
        bar.value = "nosuch=1"
        await settle(pilot)
        assert "Filter error: no column 'nosuch' here" in _painted(table, 2)
        bar.value = "method!~zzz nothing-here"
        await settle(pilot)
        assert "No calls match the filter 'method!~zzz nothing-here'" in _painted(table, 2)
