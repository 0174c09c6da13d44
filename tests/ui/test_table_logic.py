"""The UI-agnostic pieces: filter language, table model, column layouts, catalog, commands."""

from __future__ import annotations

import argparse

import pytest

from synctui.domain import errors
from synctui.domain.filtering import compile_for, parse_filter
from synctui.domain.models import Sync, SyncStatus
from synctui.store.accounts import Account
from synctui.ui.catalog import ALL, Catalog, LoadState, View
from synctui.ui.columns import merged_layout, vendor_layout
from synctui.ui.command_line import Command, CommandError, parse_command
from synctui.ui.launch import refresh_seconds, tune_for_ssh
from synctui.ui.table_model import CellFields, Column, Row, TableModel


def _sync(
    account: str, sid: str, name: str, status: SyncStatus = SyncStatus.ACTIVE, **cols: str
) -> Sync:
    return Sync(
        account=account,
        vendor="polytomic",
        id=sid,
        name=name,
        status=status,
        vendor_status=status.value,
        columns=cols,
    )


def _keep(text: str, *cells: str) -> bool:
    """A row of plain cells, as the call log's `/` reads it (columns c0, c1, ...)."""
    fields = CellFields([(f"c{i}",) for i in range(len(cells))])
    return compile_for(fields, text, partial=True)(cells)


def test_filter_words_are_anded_and_case_insensitive() -> None:
    assert _keep("Orders acme", "acme-prod", "orders to hubspot")
    assert not _keep("orders acme", "acme-prod", "contacts")


def test_negated_and_fuzzy_terms() -> None:
    assert not _keep("!paused", "x", "paused")
    assert _keep("!paused", "x", "active")
    assert _keep("~plmc", "polymetric")
    assert not _keep("~zzz", "polymetric")
    assert _keep("!~zq", "polymetric")


def test_unfinished_prefixes_keep_everything() -> None:
    assert parse_filter("! ~ !~", partial=True) == []
    assert _keep("!", "anything")


def test_a_table_of_cells_filters_by_its_columns() -> None:
    assert _keep("c1=paused", "x", "paused")
    assert not _keep("c0=paused", "x", "paused")
    assert _keep("c1!~act", "x", "paused")
    with pytest.raises(errors.UsageError, match="no column 'nosuch' here"):
        _keep("nosuch=1", "x")


def _model() -> TableModel:
    model = TableModel([Column("name", "Name"), Column("status", "Status", kind="status")])
    model.upsert(
        [
            Row("b", ("beta", "active"), tone="active", rank=7, order=(0,)),
            Row("a", ("alpha", "error"), tone="error", rank=0, order=(1,)),
            Row("c", ("Charlie", "paused"), tone="paused", rank=3, order=(2,)),
        ]
    )
    return model


def test_sort_cycles_through_columns_and_reverses() -> None:
    model = _model()
    model.rebuild()
    assert model.view == ["b", "a", "c"]  # as listed
    model.cycle_sort()
    model.rebuild()
    assert model.view == ["a", "b", "c"]  # by name, case-insensitive
    model.reverse_sort()
    model.rebuild()
    assert model.view == ["c", "b", "a"]
    model.cycle_sort()
    model.sort_reverse = False
    model.rebuild()
    assert model.view == ["a", "c", "b"]  # status: most urgent first
    model.cycle_sort()
    assert model.sort_column is None


def test_replace_is_a_diff_and_filters_apply_to_it() -> None:
    model = _model()
    changed, removed = model.replace(
        [
            Row("b", ("beta", "active"), tone="active", order=(0,)),
            Row("d", ("delta", "idle"), order=(3,)),
        ]
    )
    assert (changed, removed) == (1, 2)  # "b" unchanged, "d" new; "a" and "c" gone
    model.set_filter("!beta")
    model.rebuild()
    assert model.view == ["d"]


def test_fitted_widths_shrink_long_columns_in_proportion_and_keep_short_values_whole() -> None:
    model = TableModel(
        [
            Column("a", "A", max_width=40),
            Column("b", "B", max_width=40),
            Column("c", "C", max_width=40),
        ]
    )
    model.upsert([Row(1, ("x" * 40, "y" * 30, "z" * 10))])
    widths = model.fitted_widths(available=60, gap=2)
    assert sum(widths) + 4 == 60
    assert widths[2] == 10  # short values are never cut
    assert 40 - widths[0] > 30 - widths[1] > 0  # the wider gives more, both stay legible


def test_fitted_widths_keep_the_name_longest() -> None:
    columns = [
        Column("name", "Name", max_width=40, min_width=16, give=0.5, flex=True),
        Column("target", "Target", max_width=40, min_width=10),
    ]
    model = TableModel(columns)
    model.upsert([Row(1, ("n" * 40, "u" * 40))])
    name, target = model.fitted_widths(available=60, gap=2)
    assert name + target + 2 == 60
    assert name > target


def test_fitted_widths_never_cut_status_or_times_and_overflow_instead() -> None:
    columns = [
        Column("status", "Status", kind="status", fixed=True),
        Column("name", "Name", max_width=40, min_width=16, flex=True),
        Column("latest_run", "Latest run", max_width=10, fixed=True),
    ]
    model = TableModel(columns)
    model.upsert([Row(1, ("… initializing", "n" * 60, "cancelled 11-14 21:23"))])
    status, name, run = model.fitted_widths(available=50, gap=2)
    assert (status, run) == (14, 21)  # whole, whatever the room (and beyond max_width)
    assert name == 16  # the name gives way down to its minimum…
    assert status + name + run + 4 > 50  # …and the table scrolls sideways for the rest


def test_fitted_widths_give_spare_room_to_the_name_then_to_capped_columns() -> None:
    columns = [
        Column("name", "Name", max_width=20, min_width=16, flex=True),
        Column("config", "Configuration", max_width=15),
    ]
    model = TableModel(columns)
    model.upsert([Row(1, ("n" * 30, "c" * 25))])
    assert model.fitted_widths(available=100, gap=2) == [30, 25]  # all of it, beyond the caps
    assert model.fitted_widths(available=50, gap=2) == [30, 18]
    name, config = model.fitted_widths(available=40, gap=2)
    assert config >= len("Configuration")  # a title is never cut
    assert name + config + 2 == 40


def test_declared_columns_win_and_missing_keys_show_a_dash() -> None:
    layout = vendor_layout(
        "polytomic", [], declared=(("name", "Name"), ("schedule", "Schedule"), ("nope", "Nope"))
    )
    assert [c.title for c in layout.columns] == ["Status", "Name", "Schedule", "Nope"]
    row = layout.row(_sync("acc", "1", "Orders", schedule="hourly"))
    assert row.cells == ("● active", "Orders", "hourly", "-")


def test_a_row_carries_the_status_reason_as_its_tip() -> None:
    sync = _sync("acc", "1", "Orders", status=SyncStatus.ERROR).model_copy(
        update={"status_reason": "View '3D Coordination' not found in model"}
    )
    for layout in (vendor_layout("polytomic", [sync]), merged_layout()):
        assert layout.row(sync).tip == "View '3D Coordination' not found in model"
    assert vendor_layout("polytomic", []).row(_sync("acc", "2", "Fine")).tip == ""


def test_without_declared_columns_extra_keys_are_appended() -> None:
    syncs = [_sync("acc", "1", "Orders", lastExecution="ok", brandNew="x")]
    layout = vendor_layout("polytomic", syncs)
    titles = [c.title for c in layout.columns]
    assert "Last execution" in titles and "Brand new" in titles
    cells = layout.row(syncs[0]).cells
    assert "ok" in cells and "x" in cells


def test_merged_layout_has_account_and_vendor() -> None:
    row = merged_layout().row(_sync("acc", "1", "Orders", status=SyncStatus.ERROR))
    assert row.cells[:4] == ("✗ error", "acc", "polytomic", "Orders")
    assert row.tone == "error"


def _catalog() -> Catalog:
    return Catalog(
        [
            Account(name="a", vendor="polytomic", base_url="https://x.example"),
            Account(name="b", vendor="paragon", base_url="https://y.example"),
        ]
    )


def test_catalog_drops_stale_pages_and_prunes_unseen_syncs() -> None:
    catalog = _catalog()
    first = catalog.begin("a")
    catalog.apply_page("a", first, [_sync("a", "1", "one"), _sync("a", "2", "two")])
    assert catalog.finish("a", first) == []
    second = catalog.begin("a")
    assert catalog.apply_page("a", first, [_sync("a", "9", "stale")]) is None
    catalog.apply_page("a", second, [_sync("a", "2", "two")])
    assert catalog.finish("a", second) == [("a", "1")]
    assert catalog.entry("a").state == LoadState.READY
    assert [s.id for s in catalog.syncs_in(ALL)] == ["2"]
    assert catalog.position(("a", "2")) == (0, 1)


def test_catalog_failure_keeps_what_was_loaded() -> None:
    catalog = _catalog()
    gen = catalog.begin("b")
    catalog.apply_page("b", gen, [_sync("b", "1", "one")])
    catalog.finish("b", gen)
    gen = catalog.begin("b")
    entry = catalog.fail("b", gen, errors.VendorError("paragon: 500"))
    assert entry is not None and entry.state == LoadState.FAILED
    assert catalog.count_in(View("vendor", "paragon")) == 1
    gen = catalog.begin("a")
    entry = catalog.fail("a", gen, ModuleNotFoundError("No module named 'x'"))
    assert entry is not None and entry.state == LoadState.UNAVAILABLE


def test_commands() -> None:
    names = ["speckle-demo", "polytomic-demo"]
    assert parse_command(":ctx polytomic-demo", names) == Command("view-account", "polytomic-demo")
    assert parse_command("speckle", names) == Command("view-vendor", "speckle")
    assert parse_command("speckle-d", names) == Command("view-account", "speckle-demo")
    assert parse_command("all", names) == Command("view-all")
    assert parse_command("log", names) == Command("log")
    assert parse_command("every 5", names) == Command("every", "5.0")
    with pytest.raises(CommandError):
        parse_command("ctx nope", names)
    with pytest.raises(CommandError):
        parse_command("every soon", names)


def test_ssh_lowers_the_frame_rate_unless_chosen() -> None:
    env = {"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}
    assert tune_for_ssh(env) and env["TEXTUAL_FPS"] == "15"
    chosen = {"SSH_CONNECTION": "x", "TEXTUAL_FPS": "60"}
    assert not tune_for_ssh(chosen) and chosen["TEXTUAL_FPS"] == "60"
    assert not tune_for_ssh({})


def test_refresh_interval_sources() -> None:
    assert refresh_seconds(argparse.Namespace(refresh="5"), {}) == 5.0
    assert refresh_seconds(argparse.Namespace(), {"SYNCTUI_REFRESH": "0"}) == 0.0
    assert refresh_seconds(argparse.Namespace(), {}) == 30.0
