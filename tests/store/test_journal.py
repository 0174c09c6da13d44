"""The write journal: pending→finished lifecycle, filters, redaction, schema, threads."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from synctui.store import paths
from synctui.store.journal import SCHEMA_VERSION, Journal, JournalEntry, JournalError

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


class FakeClock:
    """Advances one second per reading, so entry times are distinct and predictable."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def journal() -> Journal:
    return Journal(clock=FakeClock())


def begin(journal: Journal, **kw) -> int:
    args = {
        "account": "prod",
        "vendor": "speckle",
        "sync_id": "s1",
        "action": "update",
        "before": {"enabled": True},
        "after": {"enabled": False},
        "request": {"method": "PATCH", "path": "/syncs/s1", "body": {"enabled": False}},
    }
    args.update(kw)
    return journal.begin(**args)


# --- lifecycle ----------------------------------------------------------------------------


def test_begin_writes_a_pending_entry_before_anything_is_sent(journal: Journal) -> None:
    entry_id = begin(journal, batch_id="b-1")
    # A fresh reader — as after a crash — already sees it.
    entry = Journal().get(entry_id)
    assert entry == JournalEntry(
        id=entry_id,
        time="2026-11-20T09:30:01.000000+00:00",
        account="prod",
        vendor="speckle",
        sync_id="s1",
        action="update",
        before={"enabled": True},
        after={"enabled": False},
        request={"method": "PATCH", "path": "/syncs/s1", "body": {"enabled": False}},
        outcome="pending",
        error=None,
        result=None,
        batch_id="b-1",
        reverts=None,
        finished_at=None,
    )
    assert entry.pending


@pytest.mark.parametrize("outcome", ["ok", "failed", "unknown", "skipped"])
def test_finish_records_the_outcome(journal: Journal, outcome: str) -> None:
    entry_id = begin(journal)
    journal.finish(entry_id, outcome, error="boom" if outcome != "ok" else None, result={"n": 1})
    entry = journal.get(entry_id)
    assert entry.outcome == outcome
    assert entry.result == {"n": 1}
    assert entry.error == (None if outcome == "ok" else "boom")
    assert entry.finished_at == "2026-11-20T09:30:02.000000+00:00"
    assert not entry.pending


def test_an_entry_is_finished_only_once(journal: Journal) -> None:
    entry_id = begin(journal)
    journal.finish(entry_id, "ok")
    with pytest.raises(JournalError, match=r"already finished \(ok\)"):
        journal.finish(entry_id, "failed", error="late")
    assert journal.get(entry_id).outcome == "ok"


def test_finishing_an_unknown_entry_fails(journal: Journal) -> None:
    with pytest.raises(JournalError, match="no journal entry 42"):
        journal.finish(42, "ok")


@pytest.mark.parametrize("outcome", ["pending", "success", ""])
def test_finish_needs_a_final_outcome(journal: Journal, outcome: str) -> None:
    entry_id = begin(journal)
    with pytest.raises(JournalError, match="not a final outcome"):
        journal.finish(entry_id, outcome)  # type: ignore[arg-type]


def test_get_unknown_entry(journal: Journal) -> None:
    with pytest.raises(JournalError, match="no journal entry 7"):
        journal.get(7)


def test_create_may_start_without_a_sync_id_and_learn_it_on_finish(journal: Journal) -> None:
    entry_id = begin(journal, action="create", sync_id="", before=None)
    journal.finish(entry_id, "ok", result={"id": "new-1"}, sync_id="new-1")
    entry = journal.get(entry_id)
    assert entry.sync_id == "new-1"
    assert entry.before is None


def test_finish_does_not_rewrite_an_existing_sync_id(journal: Journal) -> None:
    entry_id = begin(journal)
    journal.finish(entry_id, "ok", sync_id="other")
    assert journal.get(entry_id).sync_id == "s1"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("account", ""),
        ("vendor", ""),
        ("sync_id", ""),
        ("action", "Update"),
        ("action", "drop table"),
        ("action", ""),
        ("batch_id", ""),
        ("reverts", "3"),
    ],
)
def test_begin_refuses_malformed_entries(journal: Journal, field: str, value: object) -> None:
    with pytest.raises(JournalError):
        begin(journal, **{field: value})
    assert journal.count() == 0


def test_a_revert_points_at_the_entry_it_reverts(journal: Journal) -> None:
    original = begin(journal)
    journal.finish(original, "ok")
    revert = begin(journal, action="revert", before={"enabled": False}, reverts=original)
    assert journal.get(revert).reverts == original
    with pytest.raises(JournalError, match="does not exist"):
        begin(journal, action="revert", reverts=999)


# --- listing and filtering ----------------------------------------------------------------


@pytest.fixture
def filled(journal: Journal) -> dict[str, int]:
    ids = {
        "a": begin(journal, account="prod", sync_id="s1", action="pause"),
        "b": begin(journal, account="prod", sync_id="s2", action="update", batch_id="batch-7"),
        "c": begin(journal, account="test", sync_id="s1", vendor="paragon", action="trigger"),
        "d": begin(journal, account="test", sync_id="s3", action="update", batch_id="batch-7"),
        "e": begin(journal, account="prod", sync_id="s4", after={"name": "100%_done"}),
    }
    journal.finish(ids["a"], "ok")
    journal.finish(ids["b"], "failed", error="HTTP 422: schedule is invalid")
    journal.finish(ids["c"], "unknown", error="answer lost")
    return ids


def test_list_is_newest_first(journal: Journal, filled: dict[str, int]) -> None:
    assert [e.id for e in journal.list()] == [
        filled["e"],
        filled["d"],
        filled["c"],
        filled["b"],
        filled["a"],
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"account": "prod"}, ["e", "b", "a"]),
        ({"sync_id": "s1"}, ["c", "a"]),
        ({"outcome": "pending"}, ["e", "d"]),
        ({"outcome": "failed"}, ["b"]),
        ({"account": "test", "outcome": "unknown"}, ["c"]),
        ({"batch_id": "batch-7"}, ["d", "b"]),
        ({"text": "SCHEDULE"}, ["b"]),  # error text, case-insensitive
        ({"text": "paragon"}, ["c"]),  # vendor
        ({"text": "100%_"}, ["e"]),  # JSON, with LIKE wildcards taken literally
        ({"text": "%"}, ["e"]),
        ({"text": "_"}, ["e"]),
        ({"text": "s_"}, []),  # unescaped, "_" would match any character after "s"
        ({"account": "nobody"}, []),
    ],
)
def test_filters(
    journal: Journal, filled: dict[str, int], filters: dict, expected: list[str]
) -> None:
    assert [e.id for e in journal.list(**filters)] == [filled[k] for k in expected]
    assert journal.count(**filters) == len(expected)


def test_limit_and_offset_page_through(journal: Journal, filled: dict[str, int]) -> None:
    everything = [e.id for e in journal.list()]
    assert [e.id for e in journal.list(limit=2)] == everything[:2]
    assert [e.id for e in journal.list(limit=2, offset=2)] == everything[2:4]
    assert [e.id for e in journal.list(limit=2, offset=4)] == everything[4:]
    assert journal.list(limit=0) == []
    with pytest.raises(JournalError):
        journal.list(limit=-1)
    with pytest.raises(JournalError):
        journal.list(offset=-1)


def test_unknown_outcome_filter_is_an_error(journal: Journal) -> None:
    with pytest.raises(JournalError, match="not an outcome"):
        journal.list(outcome="done")  # type: ignore[arg-type]


def test_count_of_empty_journal(journal: Journal) -> None:
    assert journal.count() == 0
    assert journal.list() == []


def test_same_second_entries_are_ordered_by_id() -> None:
    journal = Journal(clock=lambda: T0)
    first, second = begin(journal), begin(journal)
    assert [e.id for e in journal.list()] == [second, first]


# --- tokens never stored ------------------------------------------------------------------


def test_credentials_are_scrubbed_from_request_result_and_error(journal: Journal) -> None:
    secret = "tok-live-0123456789abcdef"
    entry_id = begin(
        journal,
        request={
            "headers": {
                "Authorization": f"Bearer {secret}",
                "proxy-authorization": f"Basic {secret}",
                "X-Api-Key": secret,
                "Accept": "application/json",
            },
            "raw_headers": [["authorization", f"bearer {secret}"]],
            "note": f"sent with Bearer {secret}",
        },
    )
    journal.finish(
        entry_id,
        "failed",
        error=f"401: token Bearer {secret} rejected",
        result={"echo": {"AUTHORIZATION": secret}},
    )
    with sqlite3.connect(journal.path) as conn:
        dump = "\n".join(conn.iterdump())
    assert secret not in dump
    entry = journal.get(entry_id)
    assert entry.request["headers"] == {
        "Authorization": "****",
        "proxy-authorization": "****",
        "X-Api-Key": "****",
        "Accept": "application/json",
    }
    assert entry.request["raw_headers"] == [["authorization", "bearer ****"]]
    assert entry.request["note"] == "sent with Bearer ****"
    assert entry.error == "401: token Bearer **** rejected"
    assert entry.result == {"echo": {"AUTHORIZATION": "****"}}


def test_before_and_after_are_kept_verbatim_for_reverts(journal: Journal) -> None:
    config = {"destination": {"headers": {"Authorization": "Bearer their-webhook-key"}}}
    entry_id = begin(journal, before=config, after=config)
    entry = journal.get(entry_id)
    assert entry.before == config
    assert entry.after == config


# --- values -------------------------------------------------------------------------------


def test_common_python_values_are_encoded(journal: Journal) -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    entry_id = begin(journal, after={"at": when, "tags": {"b", "a"}, "path": Path("/x")})
    assert journal.get(entry_id).after == {
        "at": "2026-01-02T03:04:05+00:00",
        "tags": ["a", "b"],
        "path": "/x",
    }


def test_unencodable_values_are_refused_before_writing(journal: Journal) -> None:
    with pytest.raises(JournalError, match="cannot be written to the journal"):
        begin(journal, after={"x": object()})
    assert journal.count() == 0


def test_unicode_round_trips_and_is_searchable(journal: Journal) -> None:
    entry_id = begin(journal, after={"name": "Équipe «nord» ✓"})
    assert journal.get(entry_id).after == {"name": "Équipe «nord» ✓"}
    assert journal.count(text="«nord»") == 1


def test_a_naive_clock_is_refused() -> None:
    journal = Journal(clock=lambda: datetime(2026, 1, 1))
    with pytest.raises(JournalError, match="timezone-aware"):
        begin(journal)


# --- storage ------------------------------------------------------------------------------


def test_database_lives_in_the_data_dir_privately(journal: Journal) -> None:
    begin(journal)
    assert journal.path == paths.journal_db()
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(journal.path.parent.stat().st_mode) == 0o700


def test_schema_wal_version_and_indexes(journal: Journal) -> None:
    begin(journal)
    with sqlite3.connect(journal.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        indexes = {
            row[0]: row[1]
            for row in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
        }
    assert "(account, time)" in indexes["ix_entries_account_time"]
    assert "(sync_id)" in indexes["ix_entries_sync_id"]


def test_reopening_keeps_entries_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    entry_id = begin(Journal(path))
    reopened = Journal(path)
    assert reopened.get(entry_id).sync_id == "s1"
    assert begin(reopened) == entry_id + 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 1


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    begin(Journal(path))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(JournalError, match="newer synctui"):
        Journal(path).list()


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(JournalError, match=str(path)):
        Journal(path).list()


def test_concurrent_writers_from_many_threads(journal: Journal) -> None:
    errors: list[BaseException] = []
    ids: list[int] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            for i in range(20):
                entry_id = begin(journal, sync_id=f"s{n}-{i}")
                journal.finish(entry_id, "ok")
                with lock:
                    ids.append(entry_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 160
    assert journal.count(outcome="ok") == 160
    assert journal.count(outcome="pending") == 0


def test_the_write_ahead_log_stays_open_between_writes(journal: Journal) -> None:
    """Each call's connection closes, but the journal keeps one open that holds the WAL:
    otherwise every close would checkpoint the log into the database and delete it (two
    more syncs to disk per call, which a batch of a thousand writes pays for)."""
    wal = journal.path.with_name(journal.path.name + "-wal")
    for _ in range(3):
        journal.finish(begin(journal), "ok")
        assert wal.exists()
    assert [e.outcome for e in journal.list()] == ["ok"] * 3
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600
