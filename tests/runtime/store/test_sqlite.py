"""The SQLite backend: migrations (an upgrade of data written before 0008), history chunks, bytes
per waiting execution, and plain errors for unusable files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from stepwell.runtime.store import StoreError
from stepwell.runtime.store.migrations import migrations, statements_of
from stepwell.runtime.store.records import ExecutionRecord, Parent
from stepwell.runtime.store.sqlite import HISTORY_CHUNK, SqliteStore

ARN = "arn:aws:states:us-east-1:123456789012:execution:m:e1"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:m"


def record(arn: str = ARN, **changes: object) -> ExecutionRecord:
    values: dict[str, object] = {
        "arn": arn,
        "state_machine_arn": MACHINE,
        "name": arn.rsplit(":", 1)[1],
        "status": "RUNNING",
        "input": '{"n": 1}',
        "started": 1700000000.25,
        "definition": '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}',
        "role_arn": "arn:aws:iam::123456789012:role/r",
        "revision_id": "r1",
    }
    values.update(changes)
    return ExecutionRecord(**values)  # type: ignore[arg-type]


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
        db.insert_execution(record(), b"{}")
        db.append_history(ARN, events[:10])
        db.append_history(ARN, events[10:])
    with sqlite3.connect(tmp_path / "h.db") as raw:
        rows = raw.execute("SELECT first_id, last_id FROM history ORDER BY first_id").fetchall()
    assert rows == [
        (1, 10),
        (11, 10 + HISTORY_CHUNK),
        (11 + HISTORY_CHUNK, HISTORY_CHUNK + 42),
    ]
    forward = store.reader.history(ARN, 5, 20, reverse=False)
    assert [e["id"] for e in forward] == list(range(6, 26))
    backward = store.reader.history(ARN, 12, 5, reverse=True)
    assert [e["id"] for e in backward] == [11, 10, 9, 8, 7]
    assert store.reader.history(ARN, 0, 10_000, reverse=False) == events


def test_an_execution_is_stored_once_its_history_and_snapshot_packed(tmp_path: Path) -> None:
    """Migration 0008: the definition once per revision, the history keyed by the execution's
    number, the snapshot and chunks deflated against the execution's dictionary (packing.py)."""
    store = SqliteStore(tmp_path / "p.db")
    store.open()
    snapshot = b'{"format":2,"execution":{"execution_arn":"%s"},"input":{"n":1}}' % ARN.encode()
    events = [{"id": 1, "type": "ExecutionStarted", "previousEventId": 0, "input": '{"n": 1}'}]
    with store.writer.transaction() as db:
        db.insert_execution(record(), snapshot)
        db.insert_execution(record(ARN + "2"), snapshot)
        db.append_history(ARN, events)
    with sqlite3.connect(tmp_path / "p.db") as raw:
        assert raw.execute("SELECT COUNT(*) FROM revisions").fetchone()[0] == 1
        (stored,) = raw.execute("SELECT snapshot FROM executions WHERE arn = ?", (ARN,)).fetchone()
        (chunk,) = raw.execute("SELECT events FROM history").fetchone()
    assert stored[0] == chunk[0] == 0x01 and len(stored) < len(snapshot)
    running = store.reader.execution(ARN)
    assert running == record(seq=1, has_snapshot=True)
    with store.writer.transaction() as db:
        loaded = db.running(ARN)
    assert loaded is not None and loaded.snapshot == snapshot
    assert store.reader.history(ARN, 0, 10, False) == events


# The store branch's schema (migrations 0001 to 0007) with one finished and one waiting execution,
# written as that code wrote them: plain JSON snapshot and history.
OLD_ROWS: list[tuple[str, tuple[object, ...]]] = [
    (
        "INSERT INTO state_machines VALUES (?, 'm', 'STANDARD', 'ACTIVE', '{}', 'role', '{}', 'r2', 1, 2)",
        (MACHINE,),
    ),
    (
        "INSERT INTO executions (arn, state_machine_arn, name, status, input, output, started, stopped,"
        " definition, role_arn, revision_id, snapshot, parent, seq, version)"
        " VALUES (?, ?, 'e1', 'SUCCEEDED', ?, '{}', 10.5, 11.5, 'D1', 'role1', 'r1', NULL, ?, 1, 3)",
        (ARN, MACHINE, '{"a": 1}', '{"execution":"p","task_id":"t","mode":"sync"}'),
    ),
    (
        "INSERT INTO executions (arn, state_machine_arn, name, status, input, started, definition,"
        " role_arn, revision_id, snapshot, seq, version)"
        " VALUES (?, ?, 'e12', 'RUNNING', '{}', 12.5, 'D2', 'role2', 'r2', ?, 2, 1)",
        (ARN + "2", MACHINE, b'{"s":1}'),
    ),
    ("INSERT INTO history VALUES (?, 1, 2, ?)", (ARN, b'[{"id":1},{"id":2}]')),
    (
        "INSERT INTO history VALUES (?, 1, 1, ?)",
        (ARN + "2", '[{"id":1,"x":"y"}]'),
    ),  # TEXT, as old rows may be
    ("INSERT INTO timers VALUES (?, 'w1', 99.5, NULL)", (ARN + "2",)),
]


def test_migration_8_moves_a_database_written_before_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path, isolation_level=None) as db:
        db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied REAL)")
        for number, _, text in migrations():
            if number >= 8:
                break
            for statement in statements_of(text):
                db.execute(statement)
            db.execute("INSERT INTO schema_migrations VALUES (?, 0)", (number,))
        for statement, values in OLD_ROWS:
            db.execute(statement, values)
    store = SqliteStore(path)
    assert 8 in store.open()
    reader = store.reader
    assert reader.execution(ARN) == ExecutionRecord(
        arn=ARN,
        state_machine_arn=MACHINE,
        name="e1",
        status="SUCCEEDED",
        input='{"a": 1}',
        output="{}",
        started=10.5,
        stopped=11.5,
        definition="D1",
        role_arn="role1",
        revision_id="r1",
        parent=Parent("p", "t", "sync"),
        seq=1,
        version=3,
    )
    assert reader.history(ARN, 0, 10, False) == [{"id": 1}, {"id": 2}]
    assert reader.history(ARN + "2", 1 << 62, 10, True) == [{"id": 1, "x": "y"}]
    assert [e.arn for e in reader.executions(MACHINE, None, 1 << 62, 10)] == [ARN + "2", ARN]
    assert [e.arn for e in reader.executions(MACHINE, "RUNNING", 1 << 62, 10)] == [ARN + "2"]
    with store.writer.transaction() as db:
        waiting = db.running(ARN + "2")
        assert waiting is not None and waiting.snapshot == b'{"s":1}' and waiting.record.definition == "D2"
        assert [t.timer_id for t in db.timers()] == ["w1"]
        db.save_snapshot(ARN + "2", b'{"s":2}', 1)  # written packed from now on
        db.insert_execution(record(ARN + "3", revision_id="r2", definition="D2", role_arn="role2"), None)
        db.append_history(ARN + "2", [{"id": 2}])
        assert db.running(ARN + "2") is not None
    assert reader.history(ARN + "2", 0, 10, False) == [{"id": 1, "x": "y"}, {"id": 2}]
    assert reader.execution_counts() == {MACHINE: {"SUCCEEDED": 1, "RUNNING": 2}}
    with store.writer.transaction() as db:
        db.delete_machine(MACHINE)
    assert reader.execution(ARN) is None and reader.history(ARN, 0, 10, False) == []
