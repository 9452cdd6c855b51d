"""SQLite, the embedded store: every durable fact of a stepwell server in one file.

Concurrency invariant: exactly one connection writes, the executor's (``Store.writer``); every
write happens inside ``Writer.transaction()``, which the executor opens once per batch of engine
steps (group commit). Readers use their own connections (one per thread) and, in WAL mode, see the
last committed batch without ever blocking the writer or being blocked by it.

Durability: WAL with ``synchronous=NORMAL`` keeps every committed transaction across a crash of
the process (``kill -9``); ``durability="full"`` also survives the loss of the machine's power.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from stepwell.asl import jsoncodec

MIGRATIONS = "stepwell.runtime.migrations"
HISTORY_CHUNK = 500  # events per history row


class StoreError(Exception):
    """The database cannot be opened or used (a start-up error the server reports plainly)."""


def _connect(path: str, durability: str) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={'FULL' if durability == 'full' else 'NORMAL'}")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA busy_timeout=30000")
    except sqlite3.Error as failure:
        raise StoreError(f"cannot open the database {path!r}: {failure}") from None
    return connection


class Store:
    """The database file, its migrations, and its connections."""

    def __init__(self, path: str | Path, durability: str = "normal"):
        self.path = str(path)
        self.durability = durability
        self._local = threading.local()
        self._writer: Writer | None = None

    def open(self) -> None:
        """Create or upgrade the schema (raises StoreError when the file is unusable)."""
        connection = _connect(self.path, self.durability)
        try:
            migrate(connection)
        except sqlite3.DatabaseError as failure:
            raise StoreError(f"cannot use the database {self.path!r}: {failure}") from None
        finally:
            connection.close()

    @property
    def writer(self) -> Writer:
        if self._writer is None:
            self._writer = Writer(_connect(self.path, self.durability))
        return self._writer

    @property
    def reader(self) -> Reader:
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._local.reader = Reader(_connect(self.path, self.durability))
        return reader


def migrate(connection: sqlite3.Connection) -> list[int]:
    """Apply the numbered ``migrations/NNNN_*.sql`` files not applied yet; returns their numbers."""
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied REAL)"
    )
    done = {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}
    applied = []
    for entry in sorted(resources.files(MIGRATIONS).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql"):
            continue
        version = int(entry.name.split("_", 1)[0])
        if version in done:
            continue
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(entry.read_text(encoding="utf-8")):
                connection.execute(statement)
            connection.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, time.time()))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def _statements(script: str) -> Iterator[str]:
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    for statement in "\n".join(lines).split(";"):
        if statement.strip():
            yield statement


class Reader:
    """Queries (one connection per thread)."""

    def __init__(self, connection: sqlite3.Connection):
        self.db = connection

    def one(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(sql, args).fetchone()
        return row

    def all(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self.db.execute(sql, args).fetchall()

    def state_machine(self, arn: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM state_machines WHERE arn = ?", (arn,))

    def state_machines(self, after: str, limit: int) -> list[sqlite3.Row]:
        return self.all(
            "SELECT * FROM state_machines WHERE status = 'ACTIVE' AND arn > ? ORDER BY arn LIMIT ?",
            (after, limit),
        )

    def execution(self, arn: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM executions WHERE arn = ?", (arn,))

    def executions(
        self, machine_arn: str, status: str | None, before_seq: int, limit: int
    ) -> list[sqlite3.Row]:
        if status is None:
            return self.all(
                "SELECT arn, state_machine_arn, name, status, started, stopped, seq FROM executions "
                "WHERE state_machine_arn = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                (machine_arn, before_seq, limit),
            )
        return self.all(
            "SELECT arn, state_machine_arn, name, status, started, stopped, seq FROM executions "
            "WHERE state_machine_arn = ? AND status = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
            (machine_arn, status, before_seq, limit),
        )

    def history(self, arn: str, after_id: int, limit: int, reverse: bool) -> list[dict[str, Any]]:
        """Up to ``limit`` events after ``after_id`` (before it when ``reverse``), in order."""
        if reverse:
            rows = self.db.execute(
                "SELECT events FROM history WHERE execution_arn = ? AND first_id < ? ORDER BY first_id DESC",
                (arn, after_id),
            )
        else:
            rows = self.db.execute(
                "SELECT events FROM history WHERE execution_arn = ? AND last_id > ? ORDER BY first_id",
                (arn, after_id),
            )
        out: list[dict[str, Any]] = []
        for (chunk,) in rows:
            events = jsoncodec.loads(chunk, limits=False)
            if reverse:
                out.extend(e for e in reversed(events) if e["id"] < after_id)
            else:
                out.extend(e for e in events if e["id"] > after_id)
            if len(out) >= limit:
                break
        return out[:limit]

    def activity(self, arn: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM activities WHERE arn = ?", (arn,))

    def activities(self, after: str, limit: int) -> list[sqlite3.Row]:
        return self.all("SELECT * FROM activities WHERE arn > ? ORDER BY arn LIMIT ?", (after, limit))

    def tags(self, arn: str) -> list[sqlite3.Row]:
        return self.all("SELECT key, value FROM tags WHERE resource_arn = ? ORDER BY key", (arn,))

    def task(self, token: str) -> sqlite3.Row | None:
        return self.one("SELECT * FROM tasks WHERE token = ?", (token,))


class Writer(Reader):
    """The one writing connection. Use only inside ``transaction()``, from one thread."""

    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def run(self, sql: str, args: Sequence[Any] = ()) -> int:
        return self.db.execute(sql, args).rowcount

    _seq: int | None = None

    def next_seq(self) -> int:
        """The next execution's start order. The writer is the only one to insert executions,
        so the counter lives in memory, seeded from the table (gaps after a rollback are fine)."""
        if self._seq is None:
            row = self.one("SELECT COALESCE(MAX(seq), 0) FROM executions")
            self._seq = int(row[0]) if row is not None else 0
        self._seq += 1
        return self._seq

    # ---- executions -------------------------------------------------------------------------
    def insert_execution(self, values: dict[str, Any]) -> None:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self.run(f"INSERT INTO executions ({columns}) VALUES ({marks})", tuple(values.values()))

    def update_execution(self, arn: str, values: dict[str, Any]) -> None:
        sets = ", ".join(f"{column} = ?" for column in values)
        self.run(f"UPDATE executions SET {sets} WHERE arn = ?", (*values.values(), arn))

    def append_history(self, arn: str, events: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(events), HISTORY_CHUNK):
            chunk = events[start : start + HISTORY_CHUNK]
            self.run(
                "INSERT INTO history (execution_arn, first_id, last_id, events) VALUES (?, ?, ?, ?)",
                (arn, chunk[0]["id"], chunk[-1]["id"], jsoncodec.dumps(chunk)),
            )

    # ---- tags ---------------------------------------------------------------------------------
    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        for key, value in tags.items():
            self.run(
                "INSERT OR REPLACE INTO tags (resource_arn, key, value) VALUES (?, ?, ?)", (arn, key, value)
            )

    def delete_tags(self, arn: str, keys: list[str] | None = None) -> None:
        if keys is None:
            self.run("DELETE FROM tags WHERE resource_arn = ?", (arn,))
        else:
            for key in keys:
                self.run("DELETE FROM tags WHERE resource_arn = ? AND key = ?", (arn, key))

    # ---- timers and tasks -------------------------------------------------------------------
    def add_timer(self, arn: str, timer_id: str, due: float) -> None:
        self.run(
            "INSERT OR REPLACE INTO timers (execution_arn, timer_id, due) VALUES (?, ?, ?)",
            (arn, timer_id, due),
        )

    def delete_timer(self, arn: str, timer_id: str) -> None:
        self.run("DELETE FROM timers WHERE execution_arn = ? AND timer_id = ?", (arn, timer_id))

    def delete_timers(self, arn: str) -> None:
        self.run("DELETE FROM timers WHERE execution_arn = ?", (arn,))

    def timers(self) -> list[sqlite3.Row]:
        return self.all("SELECT execution_arn, timer_id, due FROM timers")

    def insert_task(self, values: dict[str, Any]) -> None:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self.run(f"INSERT INTO tasks ({columns}) VALUES ({marks})", tuple(values.values()))

    def set_task_status(self, token: str, status: str, worker_name: str | None = None) -> None:
        if worker_name is None:
            self.run("UPDATE tasks SET status = ? WHERE token = ?", (status, token))
        else:
            self.run(
                "UPDATE tasks SET status = ?, worker_name = ? WHERE token = ?", (status, worker_name, token)
            )

    def hand_over_task(self, token: str, queued: str, started: str) -> bool:
        """Mark a queued call handed over; False when it is no longer queued (cancelled)."""
        changed = self.run(
            "UPDATE tasks SET status = ? WHERE token = ? AND status = ?", (started, token, queued)
        )
        return changed == 1

    def close_task(self, arn: str, task_id: str) -> None:
        self.run("UPDATE tasks SET status = 'closed' WHERE execution_arn = ? AND task_id = ?", (arn, task_id))

    def close_tasks(self, arn: str) -> list[sqlite3.Row]:
        """Close every open task of an execution; returns them (to cancel children, wake pollers)."""
        rows = self.all("SELECT * FROM tasks WHERE execution_arn = ? AND status != 'closed'", (arn,))
        self.run("UPDATE tasks SET status = 'closed' WHERE execution_arn = ? AND status != 'closed'", (arn,))
        return rows

    def open_tasks(self) -> list[sqlite3.Row]:
        return self.all("SELECT * FROM tasks WHERE status != 'closed'")

    def claim_activity_task(self, activity_arn: str, worker_name: str) -> sqlite3.Row | None:
        row = self.one(
            "SELECT * FROM tasks WHERE activity_arn = ? AND status = 'scheduled' ORDER BY created LIMIT 1",
            (activity_arn,),
        )
        if row is not None:
            self.set_task_status(row["token"], "started", worker_name)
        return row
