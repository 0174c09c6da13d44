"""The viewer's pure parts: filter toggles, rate, layout, index, export helpers, colours."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color as RichColor
from textual.app import App

from synctui.services.feed import FEEDS
from synctui.ui.feed.change_index import ChangeIndex
from synctui.ui.feed.clock import FixedClock, format_ago
from synctui.ui.feed.export import default_export_path, with_format
from synctui.ui.feed.filters import OPERATIONS, FeedFilter
from synctui.ui.feed.header import FeedStatus, compact, feeds_text
from synctui.ui.feed.palette import palette_for
from synctui.ui.feed.rate_meter import RateMeter
from synctui.ui.feed.rows import columns_for, fit


def test_feed_keys_select_then_toggle_and_all_means_no_filter() -> None:
    flt = FeedFilter().toggle_feed("point")
    assert flt.to_change_filter().feeds == ("point",)
    flt = flt.toggle_feed("project")
    assert flt.to_change_filter().feeds == ("project", "point")  # fixed order
    assert flt.toggle_feed("point").toggle_feed("project") == FeedFilter()
    every = FeedFilter()
    for feed in FEEDS:
        every = every.toggle_feed(feed)
    assert every == FeedFilter(), "choosing every feed is the same as no feed filter"
    assert flt.all_feeds().feeds == frozenset()
    ops = FeedFilter()
    for op in OPERATIONS:
        ops = ops.toggle_operation(op)
    assert ops == FeedFilter()
    assert FeedFilter().with_text("  glass ").to_change_filter().text == "glass"
    assert FeedFilter().with_text("").to_change_filter().text is None


def test_rate_meter_buckets_and_forgets() -> None:
    meter = RateMeter(window=60)
    meter.add(30, at=100.2)
    meter.add(10, at=100.9)
    meter.add(20, at=105.0)
    series = meter.series(105.5)
    assert len(series) == 60 and series[-1] == 20 and series[-6] == 40
    assert meter.per_second(105.5, span=10) == pytest.approx(60 / 5.3)  # young: its age
    assert meter.per_second(114.5, span=10) == 2.0  # 20 in the last 10 s
    assert meter.series(200.0) == [0.0] * 60  # older than the window: gone


def test_columns_fit_the_width_and_narrow_terminals_drop_the_type() -> None:
    for width in (60, 80, 99, 100, 118, 160):
        columns = columns_for(width)
        used = 1 + sum(w + 1 for w in vars(columns).values() if isinstance(w, int) and w)
        assert used <= width + 1, width
    assert columns_for(80).entity_type == 0 and not columns_for(80).state_words
    assert columns_for(118).entity_type and columns_for(118).state_words
    assert fit("Balustrade glass chipped", 10) == "Balustrad…"
    assert fit("façade", 8) == "façade  "


def test_index_extends_only_with_newer_ids_and_finds_positions() -> None:
    index = ChangeIndex([3, 7, 9])
    assert index.extend([5, 9, 12, 15]) == 2  # 5 and 9 are not newer: never repeated
    assert list(index.ids) == [3, 7, 9, 12, 15]
    assert index.position_of(9) == 2 and index.position_of(10) == 3
    assert index.window(3, 10) == [12, 15] and index.id_at(5) is None


def test_clock_and_ago() -> None:
    clock = FixedClock(now=10.0)
    assert clock.time_label("2025-03-14T08:00:05.000+00:00") == "08:00:05"
    assert clock.time_label("garbage") == "--:--:--"
    assert format_ago(None) == "never" and format_ago(0.4) == "just now"
    assert format_ago(2.7) == "2 s ago" and format_ago(190) == "3 min ago"
    assert compact(12_345) == "12,345" and compact(1_234_567) == "1.2M"


def test_export_paths() -> None:
    path = default_export_path("letsbuild demo/1", "jsonl", Path("/tmp"))
    assert path == Path("/tmp/letsbuild-changes-letsbuild-demo-1.jsonl")
    assert with_format("out/letsbuild-changes-x.jsonl", "csv") == "out/letsbuild-changes-x.csv"
    assert with_format("mine.txt", "csv") == "mine.txt"


def test_backing_off_is_shown_first_so_it_is_never_cut() -> None:
    class Plain(App[None]):
        pass

    palette = palette_for(Plain())
    statuses = [FeedStatus(f, 1000, False, "2 s ago") for f in FEEDS]
    statuses[3] = FeedStatus("contact", 5, False, "1 min ago", error="HTTP 503 from LetsBuild")
    for width in (80, 120):
        line = feeds_text(statuses, palette, width).plain
        assert line.startswith(" ▲ 1 feed backing off: HTTP 503"), line
        assert len(line) <= width


def test_operation_colours_come_from_theme_variables_with_fallbacks() -> None:
    class Plain(App[None]):
        pass

    class Themed(App[None]):
        def get_theme_variable_defaults(self) -> dict[str, str]:
            return {"op-created": "#123456", "op-updated": "#654321", "op-deleted": "#abcdef"}

    themed = palette_for(Themed())
    assert themed.created.color == RichColor.parse("#123456")
    assert themed.deleted.color == RichColor.parse("#abcdef")
    plain = Plain()
    fallback = palette_for(plain)
    success = plain.get_css_variables()["text-success"]
    assert fallback.created.color == RichColor.parse(success)
