"""The filter's shortcuts (narrowing the current rows, reusing a recent result, one sort per
change of rows or sort) always give the view a full rebuild from every row would give."""

from __future__ import annotations

import random

from synctui.ui.table_model import Column, Row, TableModel, narrows

COLUMNS = [Column("status", "Status", kind="status"), Column("name", "Name"), Column("a", "A")]
WORDS = ["alpha", "beta", "gamma", "orders", "contacts", "zeta"]


def make_row(rng: random.Random, i: int) -> Row:
    tone = rng.choice(["active", "error", "paused"])
    return Row(
        ("acct", i),
        (tone, f"{rng.choice(WORDS)} {i}", rng.choice(["acme", "north"])),
        tone=tone,
        rank=rng.randint(0, 3),
        order=(0, i),
    )


def rebuilt_from_scratch(model: TableModel) -> list[object]:
    fresh = TableModel(model.columns)
    fresh.upsert(model.rows.values())
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
            if rng.random() < 0.7:  # sometimes two keys arrive before a repaint
                model.rebuild()
                assert model.view == rebuilt_from_scratch(model), repr(text)
        model.rebuild()
        assert model.view == rebuilt_from_scratch(model)
