"""The editing commands stay headless, and reading the journal needs no HTTP stack at all."""

from __future__ import annotations

from tests.cli.test_import_hygiene import imported_by


def test_journal_reads_sqlite_only() -> None:
    assert imported_by(["journal"]) == []


def test_update_help_imports_nothing_heavy() -> None:
    assert imported_by(["syncs", "update", "--help"]) == []
    assert imported_by(["journal", "revert", "--help"]) == []
