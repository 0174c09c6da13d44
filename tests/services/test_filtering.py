"""The shared filter language: table tests over realistic syncs, and fuzzing for robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synctui.domain.errors import UsageError
from synctui.domain.filtering import (
    Term,
    compile_filter,
    describe_filter,
    fuzzy_in_a_field,
    narrows,
    parse_filter,
    sync_haystack,
)
from synctui.domain.models import Sync, SyncStatus

SPECKLE = Sync(
    account="speckle-prod",
    vendor="speckle",
    id="p1/abc123",
    name="Level 2 Coordination.rvt",
    status=SyncStatus.ACTIVE,
    vendor_status="active=true, ingestion=success",
    columns={"file": "Level 2 Coordination.rvt", "integration": "ACC", "active": "yes"},
    raw={
        "id": "abc123",
        "active": True,
        "integration": {"slug": "acc", "name": "ACC"},
        "context": {"referencePoint": "surveyPoint", "viewName": None},
        "fileFolderPath": ["Project Files", "Models"],
    },
)
POLYTOMIC = Sync(
    account="poly",
    vendor="polytomic",
    id="7f0c",
    name="Salesforce → HubSpot contacts",
    status=SyncStatus.PAUSED,
    vendor_status="inactive",
    status_reason="paused by Ann",
    columns={"mode": "updateOrCreate", "schedule": "daily at 02:00"},
    raw={
        "schedule": {"frequency": "daily", "hour": "2"},
        "fields": [{"target": "email"}, {"target": "phone"}],
        "active": False,
    },
)
SYNCS = [SPECKLE, POLYTOMIC]


def matching(text: str) -> list[str]:
    predicate = compile_filter(text)
    return [s.id for s in SYNCS if predicate(s)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["p1/abc123", "7f0c"]),
        ("   ", ["p1/abc123", "7f0c"]),
        ("level", ["p1/abc123"]),  # substring of the name, any case
        ("LEVEL coordination", ["p1/abc123"]),  # every term must match
        ("level hubspot", []),
        ("!level", ["7f0c"]),  # k9s negation
        ("ACC", ["p1/abc123"]),  # a column value
        ("speckle-prod", ["p1/abc123"]),  # the account
        ("abc1", ["p1/abc123"]),  # the id
        ("paused", ["7f0c"]),  # the normalized status
        ("inactive", ["7f0c"]),  # the vendor's status
        ("~slfhb", ["7f0c"]),  # fuzzy: letters in order
        ("!~slfhb", ["p1/abc123"]),
        ('"level 2"', ["p1/abc123"]),  # a quoted word keeps its space
        ("status=active", ["p1/abc123"]),
        ("status=ACTIVE", ["p1/abc123"]),  # case-insensitive equality
        ("status!=active", ["7f0c"]),
        ("!status=active", ["7f0c"]),  # ! composes with field terms
        ("vendor=polytomic", ["7f0c"]),
        ("account~prod", ["p1/abc123"]),
        ("name!~level", ["7f0c"]),
        ("reason~ann", ["7f0c"]),
        ("reason=", ["p1/abc123"]),  # empty value: missing or empty
        ("reason!=", ["7f0c"]),
        ("name~'level 2'", ["p1/abc123"]),
        ('name="Level 2 Coordination.rvt"', ["p1/abc123"]),
        ("integration=ACC", ["p1/abc123"]),  # a column key
        ("mode=updateorcreate", ["7f0c"]),
        ("context.referencePoint=surveyPoint", ["p1/abc123"]),  # raw JSON path
        ("context.referencepoint=surveypoint", ["p1/abc123"]),  # keys match any case
        ("context.referencePoint!=surveyPoint", ["7f0c"]),  # missing field: != holds
        ("context.viewName=", ["p1/abc123", "7f0c"]),  # null, or absent
        ("context.viewName=null", ["p1/abc123"]),
        ("integration.slug=acc", ["p1/abc123"]),
        ("schedule.frequency=daily", ["7f0c"]),
        ("schedule.frequency~dai", ["7f0c"]),
        ("active=false", ["7f0c"]),  # JSON booleans read as true/false
        ("active=true", ["p1/abc123"]),
        ("active=yes", ["p1/abc123"]),  # the column spelling works too
        ("fields.target=phone", ["7f0c"]),  # any element of a list
        ("fields.1.target=phone", ["7f0c"]),  # or an index into it
        ("fields.0.target=phone", []),
        ("fields.5.target=phone", []),
        ("fileFolderPath=models", ["p1/abc123"]),  # a list of strings
        ("nosuch.field=x", []),
        ("nosuch.field!~x", ["p1/abc123", "7f0c"]),
        ("o'brien", []),  # a quote inside a word is a plain character
        ("vendor=speckle status=active level", ["p1/abc123"]),
    ],
)
def test_filter_selects(text: str, expected: list[str]) -> None:
    assert matching(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name="level 2', "unclosed quote at column 6"),
        ("status=active 'abc", "unclosed quote at column 15"),
        ('"abc"def', "unexpected text after the closing quote at column 6"),
        ("=active", "missing field name before '=' at column 1"),
        ("!=active", "missing field name before '!=' at column 1"),
        ("a$b=1", "'a$b' at column 1 is not a field name"),
        ("!", "'!' at column 1 needs a word after it"),
        ("ok ~", "'~' at column 4 needs a word after it"),
    ],
)
def test_malformed_filters_say_where(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        compile_filter(text)
    assert message in str(caught.value)


def test_fuzzy_picks_its_letters_from_one_field() -> None:
    """`~levelacc` spelled across the name ("level"), the id ("abc") and the account
    ("speckle") matched every such sync; each field is now tried on its own."""
    assert matching("~lvl2crd") == ["p1/abc123"]  # all in the name
    assert matching("~levelacc") == []  # "level" + "a" + "c" + "c" from other fields
    assert matching("~spckprd") == ["p1/abc123"]  # all in the account
    assert fuzzy_in_a_field("ac", "xa\x1fbc") is False
    assert fuzzy_in_a_field("ac", "xa\x1fbc\x1fzazc") is True  # a later field has it all
    assert fuzzy_in_a_field("", "x") is True


def test_the_tables_other_columns_are_fields_too() -> None:
    assert matching("latest_run=") == ["p1/abc123", "7f0c"]  # neither has a run
    assert matching("updated=") == ["p1/abc123", "7f0c"]
    assert matching("latestIngestion=") == ["p1/abc123", "7f0c"]
    loose = SPECKLE.model_copy(update={"columns": {"latestIngestion": "failed 05-12"}})
    assert compile_filter("latest_ingestion~failed")(loose)  # a column key, spelled loosely
    assert compile_filter("failed")(loose)  # and a word finds its value


def test_while_typing_an_unfinished_term_is_read_as_finished() -> None:
    assert parse_filter("! ~ !~", partial=True) == []
    assert parse_filter('name="lev', partial=True) == [Term("=", "lev", "name")]
    assert parse_filter('"level 2', partial=True) == [Term("has", "level 2")]
    with pytest.raises(UsageError):
        parse_filter('"level 2')  # but --where still wants it finished
    with pytest.raises(UsageError):
        parse_filter("=x", partial=True)  # and what is wrong stays wrong


def test_quoted_text_can_hold_operators_and_escaped_quotes() -> None:
    odd = SPECKLE.model_copy(update={"name": 'say "a=b" now'})
    assert compile_filter('"a=b"')(odd)
    assert compile_filter(r'name~"say \"a"')(odd)
    assert not compile_filter('"a=c"')(odd)


def test_describe_reads_as_a_sentence() -> None:
    assert describe_filter("") == "every sync"
    assert describe_filter('status=active !paused name~"level 2" reason=') == (
        'syncs where status is "active", and no field contains "paused", '
        'and name contains "level 2", and reason is empty'
    )
    assert describe_filter("!status=active") == 'syncs where status is not "active"'


def test_one_plain_word_is_offered_as_a_needle() -> None:
    assert compile_filter("LeVel").needle == "level"
    for text in ("!level", "~lvl", "level 2", "name=level", ""):
        assert compile_filter(text).needle is None


def test_a_cached_haystack_gives_the_same_answer() -> None:
    predicate = compile_filter("level !paused")
    for sync in SYNCS:
        assert predicate.matches(sync, sync_haystack(sync)) == predicate(sync)


FILTER_ALPHABET = st.sampled_from(list("ab =!~\"'\\.-_$ \t\n0é")) | st.characters()


@settings(max_examples=400, deadline=None)
@given(st.text(FILTER_ALPHABET, max_size=30))
def test_arbitrary_text_raises_only_usage_errors(text: str) -> None:
    try:
        predicate = compile_filter(text)
    except UsageError as exc:
        assert str(exc)  # a message a person can read
        return
    for sync in SYNCS:
        assert predicate(sync) in (True, False)
    assert describe_filter(text)


@settings(max_examples=400, deadline=None)
@given(st.text(FILTER_ALPHABET, max_size=30), st.text(FILTER_ALPHABET, max_size=5))
def test_text_being_typed_raises_only_usage_errors_and_narrows_honestly(
    text: str, more: str
) -> None:
    """Read as typed (the TUI), any text compiles or names its problem; and when `narrows`
    says a longer text keeps only what the shorter kept, it does."""
    try:
        before = compile_filter(text, partial=True)
        after = compile_filter(text + more, partial=True)
    except UsageError as exc:
        assert str(exc)
        return
    if narrows(text, text + more):
        for sync in SYNCS:
            assert not after(sync) or before(sync)
