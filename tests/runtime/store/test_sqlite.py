"""The SQLite backend: migrations, history chunks, and plain errors for unusable files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from stepwell.runtime.store import StoreError
from stepwell.runtime.store.migrations import migrations
from stepwell.runtime.store.sqlite import HISTORY_CHUNK, SqliteStore

TABLES = {"state_machines", "executions", "history", "timers", "tasks", "activities", "tags", "settings"}


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_migrations_create_the_schema_once(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SqliteStore(path).open()
    assert tables(path) >= TABLES
    SqliteStore(path).open()  # a second open applies nothing again
    with sqlite3.connect(path) as db:
        applied = [row[0] for row in db.execute("SELECT version FROM schema_migrations ORDER BY 1")]
        assert applied == [number for number, _, _ in migrations()]
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_that_is_not_a_database_is_a_plain_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"junk\.db.*file is not a database"):
        SqliteStore(path).open()


def test_history_is_written_in_chunks_and_read_in_pages(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "h.db")
    store.open()
    events = [
        {"id": i, "type": "PassStateEntered", "previousEventId": i - 1} for i in range(1, HISTORY_CHUNK + 43)
    ]
    with store.writer.transaction() as db:
        db.append_history("arn:x", events[:10])
        db.append_history("arn:x", events[10:])
    with sqlite3.connect(tmp_path / "h.db") as raw:
        rows = raw.execute("SELECT first_id, last_id FROM history ORDER BY first_id").fetchall()
    assert rows == [
        (1, 10),
        (11, 10 + HISTORY_CHUNK),
        (11 + HISTORY_CHUNK, HISTORY_CHUNK + 42),
    ]
    forward = store.reader.history("arn:x", 5, 20, reverse=False)
    assert [e["id"] for e in forward] == list(range(6, 26))
    backward = store.reader.history("arn:x", 12, 5, reverse=True)
    assert [e["id"] for e in backward] == [11, 10, 9, 8, 7]
    assert store.reader.history("arn:x", 0, 10_000, reverse=False) == events
