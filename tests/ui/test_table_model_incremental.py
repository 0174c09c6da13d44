"""The filter's shortcuts (narrowing the current rows, reusing a recent result, one sort per
change of rows or sort, a pass stopped once the screen is full and resumed later, rows made
only when read) always give the view a full rebuild from every row would give."""

from __future__ import annotations

import random

from synctui.ui.table_model import Column, LazyRow, Row, TableModel, narrows

COLUMNS = [Column("status", "Status", kind="status"), Column("name", "Name"), Column("a", "A")]
WORDS = ["alpha", "beta", "gamma", "orders", "contacts", "zeta"]


def make_row(rng: random.Random, i: int) -> Row:
    tone = rng.choice(["active", "error", "paused"])
    row = Row(
        ("acct", i),
        (tone, f"{rng.choice(WORDS)} {i}", rng.choice(["acme", "north"])),
        tone=tone,
        rank=rng.randint(0, 3),
        order=(0, i),
    )
    if rng.random() < 0.5:  # the same row, made only when something reads it
        return LazyRow(row.key, row.order, row, lambda made: made)
    return row


def rebuilt_from_scratch(model: TableModel) -> list[object]:
    fresh = TableModel(model.columns)
    fresh.upsert(Row(r.key, r.cells, r.tone, r.rank, r.order) for r in model.rows.values())
    fresh.set_filter(model.filter_text)
    fresh.set_tones(model.tones)
    fresh.sort_by(model.sort_column, model.sort_reverse)
    fresh.rebuild()
    return fresh.view


def test_narrows() -> None:
    assert narrows("", "ab") and narrows("ab", "abc") and narrows("ab", "ab cd")
    assert narrows("~a", "~ab")
    assert not narrows("abc", "ab")  # erased: more rows
    assert not narrows("!a", "!ab")  # a longer negation keeps more rows
    assert not narrows("ab", "xb")
    assert narrows("ab", "xab")  # "xab" anywhere is "ab" there too
    assert narrows("b a", "a bc")  # every old term is implied by a new one, in any order
    assert narrows("name~lev", "name~leve") and narrows('"ab', '"ab c')
    assert not narrows("status=pause", "status=paused")  # equality is not a prefix match
    assert not narrows("name", "name=")  # a word became a field term
    assert not narrows("a", "a=")
    assert not narrows("=", "=x")  # malformed: nothing to narrow from
    assert narrows("!a status=paused", "x !a status=paused")  # same terms, one more


def test_typing_erasing_and_changes_between_keys_match_a_full_rebuild() -> None:
    rng = random.Random(5)
    for _ in range(150):
        model = TableModel(COLUMNS)
        model.upsert(make_row(rng, i) for i in range(150))
        model.rebuild()
        text = ""
        for _ in range(40):
            op = rng.random()
            if op < 0.5:
                text += rng.choice(["a", "b", "c", "o", " ", "z", "!", "~", "=", '"', "name", "a~"])
            elif op < 0.75:
                text = text[:-1]
            elif op < 0.8:
                model.upsert([make_row(rng, rng.randint(0, 200))])
            elif op < 0.85:
                model.remove([("acct", rng.randint(0, 150))])
            elif op < 0.9:
                model.cycle_sort()
            elif op < 0.93:
                model.set_tones(rng.choice([None, frozenset({"error"}), frozenset({"paused"})]))
            model.set_filter(text)
            if rng.random() < 0.3:  # a screenful first, the rest later (or never)
                model.rebuild(enough=rng.choice([1, 5, 40]))
                expected = rebuilt_from_scratch(model)
                assert model.view == expected[: len(model.view)], repr(text)
                assert model.complete or len(model.view) >= 1
                model.rebuild(reads=rng.choice([0, 7, 60]))
                assert model.view == expected[: len(model.view)], repr(text)
            elif rng.random() < 0.7:  # sometimes two keys arrive before a repaint
                model.rebuild()
                assert model.complete
                assert model.view == rebuilt_from_scratch(model), repr(text)
        model.rebuild()
        assert model.view == rebuilt_from_scratch(model)


def test_a_pass_stopped_once_the_screen_is_full_reads_only_that_far() -> None:
    made: list[int] = []

    def make(i: int) -> Row:
        made.append(i)
        return Row(("a", i), (f"row {i}",), order=(i,))

    model = TableModel([Column("name", "Name")])
    model.upsert(LazyRow(("a", i), (i,), i, make) for i in range(10_000))
    assert made == [] and model.unmeasured == 10_000  # nothing made before it is read
    model.rebuild(enough=40)
    assert len(model.view) == 10_000 and model.complete and made == []  # no filter: all
    model.set_filter("row")
    model.rebuild(enough=40)
    assert 40 <= len(model.view) < 10_000 and not model.complete
    assert len(made) < 1_000  # only the rows read so far were made
    model.measure_keys(model.view[:40])
    assert model.widths == [len("row 39")]
    model.rebuild()
    assert model.complete and len(model.view) == 10_000
    model.measure()
    assert model.unmeasured == 0 and model.widths == [len("row 9999")]
