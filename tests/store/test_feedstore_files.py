"""The feed store's files: private like the journal, and a damaged one reported, not raised.

It holds contact names, phones and addresses, so the database and the -wal/-shm files
SQLite keeps beside it while it is open are 0600 whatever the umask — and a file an older
synctui left 0644 is tightened when opened.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from synctui.store.feedstore import FeedStore, FeedStoreDamaged, companions, move_aside
from synctui.store.paths import feed_db


@dataclass
class Change:
    entity_id: str
    entity_type: str = "Point"
    operation: str = "created"
    sequence_version: int | None = 1
    data: dict | None = None
    partial: bool = False


def modes(path: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in companions(path) if p.exists()}


@pytest.fixture
def open_umask():  # type: ignore[no-untyped-def]
    old = os.umask(0o022)  # a common default: files 0644 unless asked otherwise
    yield
    os.umask(old)


def test_the_store_and_its_wal_files_are_private(open_umask: None) -> None:
    store = FeedStore()  # the user's store, in the data dir
    try:
        store.store_page("site", "point", [Change("e1", data={"name": "Ann"})], "c1", False)
        found = modes(feed_db())
        assert set(found) == {"feeds.sqlite3", "feeds.sqlite3-wal", "feeds.sqlite3-shm"}
        assert set(found.values()) == {0o600}, found
    finally:
        store.close()


def test_a_store_left_readable_by_others_is_tightened(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "feeds.sqlite3"
    FeedStore(path).close()
    os.chmod(path, 0o644)
    store = FeedStore(path)
    try:
        assert set(modes(path).values()) == {0o600}
    finally:
        store.close()


def test_a_damaged_store_names_the_file_and_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "feeds.sqlite3"
    path.write_bytes(b"\x00garbage, not SQLite" * 300)
    with pytest.raises(FeedStoreDamaged) as info:
        FeedStore(path)
    message = str(info.value)
    assert str(path) in message and "feed reset" in message and "\n" not in message

    aside = move_aside(path)
    assert not path.exists() and aside.read_bytes().startswith(b"\x00garbage")
    FeedStore(path).close()  # a fresh store where the damaged one was
