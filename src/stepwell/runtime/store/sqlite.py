"""SQLite, the embedded store: every durable fact of a stepwell server in one file.

Concurrency invariant: exactly one connection writes, the executor's (``SqliteStore.writer``);
every write happens inside ``transaction()``, which the executor opens once per batch of engine
steps (group commit). Readers use their own connections (one per thread) and, in WAL mode, see the
last committed batch without ever blocking the writer or being blocked by it. One process writes
the file: a second ``stepwell serve`` on it would be refused by nothing but SQLite's locks, so the
start-order counter (``seq``) lives in the writer's memory.

Durability: WAL with ``synchronous=NORMAL`` keeps every committed transaction across a crash of
the process (``kill -9``); ``durability="full"`` also survives the loss of the machine's power.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stepwell.runtime.store import packing, rows
from stepwell.runtime.store.migrations import apply_migrations
from stepwell.runtime.store.one_node import OneNode, OneNodeTransaction
from stepwell.runtime.store.protocol import Conflict, StoreError, chunks
from stepwell.runtime.store.queries import load_queries
from stepwell.runtime.store.records import (
    ActivityRecord,
    AliasRecord,
    ExecutionRecord,
    ExecutionSummary,
    MachineRecord,
    MapRunRecord,
    OutboxEvent,
    Running,
    TaskRecord,
    TimerRecord,
    VersionRecord,
)

HISTORY_CHUNK = 500  # events per history row
Q = load_queries("sqlite.sql")


def _connect(path: str, durability: str) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={'FULL' if durability == 'full' else 'NORMAL'}")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA busy_timeout=30000")
    except sqlite3.Error as failure:
        raise StoreError(f"cannot open the database {path!r}: {failure}") from None
    connection.row_factory = sqlite3.Row
    return connection


class SqliteStore(OneNode):  # one process writes the file
    """The database file, its migrations, and its connections."""

    name = "sqlite"

    def __init__(self, path: str | Path, durability: str = "normal"):
        self.path = str(path)
        self.durability = durability
        self._local = threading.local()
        self._writer: SqliteTransaction | None = None

    def open(self) -> list[int]:
        connection = _connect(self.path, self.durability)
        try:
            return apply_migrations(_SqliteMigrations(connection))
        except sqlite3.DatabaseError as failure:
            raise StoreError(f"cannot use the database {self.path!r}: {failure}") from None
        finally:
            connection.close()

    @property
    def writer(self) -> SqliteTransaction:
        if self._writer is None:
            self._writer = SqliteTransaction(_connect(self.path, self.durability))
        return self._writer

    @property
    def reader(self) -> SqliteReads:
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._local.reader = SqliteReads(_connect(self.path, self.durability))
        return reader

    def close(self) -> None:
        if self._writer is not None:
            self._writer.db.close()
            self._writer = None


class _SqliteMigrations:
    """What ``apply_migrations`` needs of a connection."""

    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection):
        self.db = connection

    def applied(self) -> set[int]:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied REAL)"
        )
        return {row[0] for row in self.db.execute("SELECT version FROM schema_migrations")}

    def apply(self, version: int, statements: list[str], now: float) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                self.db.execute(statement)
            self.db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, now))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise


class SqliteReads:
    """Queries (one connection per thread)."""

    def __init__(self, connection: sqlite3.Connection):
        self.db = connection

    def _one(self, query: str, **args: Any) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(Q[query], args).fetchone()
        return row

    def _all(self, query: str, **args: Any) -> list[sqlite3.Row]:
        return self.db.execute(Q[query], args).fetchall()

    def _run(self, query: str, **args: Any) -> int:
        return self.db.execute(Q[query], args).rowcount

    # ---- state machines and activities -------------------------------------------------------
    def state_machine(self, arn: str) -> MachineRecord | None:
        row = self._one("state_machine", arn=arn)
        return MachineRecord(**row) if row is not None else None

    def state_machines(self, after: str, limit: int) -> list[MachineRecord]:
        return [MachineRecord(**row) for row in self._all("state_machines", after=after, limit=limit)]

    def version(self, machine_arn: str, number: int) -> VersionRecord | None:
        row = self._one("version", machine_arn=machine_arn, number=number)
        return VersionRecord(**row) if row is not None else None

    def versions(self, machine_arn: str, below: int, limit: int) -> list[VersionRecord]:
        found = self._all("versions", machine_arn=machine_arn, below=below, limit=limit)
        return [VersionRecord(**row) for row in found]

    def alias(self, machine_arn: str, name: str) -> AliasRecord | None:
        row = self._one("alias", machine_arn=machine_arn, name=name)
        return AliasRecord(**row) if row is not None else None

    def aliases(self, machine_arn: str, after: str, limit: int) -> list[AliasRecord]:
        found = self._all("aliases", machine_arn=machine_arn, after=after, limit=limit)
        return [AliasRecord(**row) for row in found]

    def activity(self, arn: str) -> ActivityRecord | None:
        row = self._one("activity", arn=arn)
        return ActivityRecord(**row) if row is not None else None

    def activities(self, after: str, limit: int) -> list[ActivityRecord]:
        return [ActivityRecord(**row) for row in self._all("activities", after=after, limit=limit)]

    def tags(self, arn: str) -> dict[str, str]:
        return {row[0]: row[1] for row in self._all("tags", arn=arn)}

    def setting(self, name: str) -> str | None:
        row = self._one("setting", name=name)
        return str(row[0]) if row is not None else None

    # ---- executions ---------------------------------------------------------------------------
    def execution(self, arn: str) -> ExecutionRecord | None:
        row = self._one("execution", arn=arn)
        return rows.execution(row) if row is not None else None

    def executions(
        self,
        machine_arn: str,
        status: str | None,
        before_seq: int,
        limit: int,
        machine_version: int | None = None,
        machine_alias: str | None = None,
        redriven: bool | None = None,
    ) -> list[ExecutionSummary]:
        args = {"machine_arn": machine_arn, "before": before_seq, "limit": limit, "redriven": redriven}
        args["machine_version"], args["machine_alias"] = machine_version, machine_alias
        if status is None:
            found = self._all("executions", **args)
        else:
            found = self._all("executions_by_status", status=status, **args)
        return [rows.summary(row) for row in found]

    def map_run(self, arn: str) -> MapRunRecord | None:
        row = self._one("map_run", arn=arn)
        return MapRunRecord(**dict(row)) if row is not None else None

    def map_runs(self, execution_arn: str) -> list[MapRunRecord]:
        return [MapRunRecord(**dict(row)) for row in self._all("map_runs", execution_arn=execution_arn)]

    def executions_of_map_run(
        self, map_run_arn: str, status: str | None, before_seq: int, limit: int
    ) -> list[ExecutionSummary]:
        found = self._all(
            "executions_of_map_run", map_run=map_run_arn, status=status, before=before_seq, limit=limit
        )
        return [rows.summary(row) for row in found]

    def history(self, arn: str, after_id: int, limit: int, reverse: bool) -> list[dict[str, Any]]:
        query = "history_reverse" if reverse else "history_forward"
        cursor = self.db.execute(Q[query], {"arn": arn, "after": after_id})
        return rows.history_page(arn, (chunk for (chunk,) in cursor), after_id, limit, reverse)

    def execution_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for machine_arn, status, n in self._all("execution_counts"):
            counts.setdefault(machine_arn, {})[status] = int(n)
        return counts

    def children(self, arn: str) -> list[str]:
        return [str(row[0]) for row in self._all("children", arn=arn)]

    # ---- tasks --------------------------------------------------------------------------------
    def task(self, token: str) -> TaskRecord | None:
        row = self._one("task", token=token)
        return TaskRecord(**row) if row is not None else None

    def activity_backlog(self, activity_arn: str) -> list[TaskRecord]:
        return [TaskRecord(**row) for row in self._all("activity_backlog", activity_arn=activity_arn)]

    def activity_tasks_waiting(self) -> dict[str, int]:
        return {str(arn): int(n) for arn, n in self._all("activity_tasks_waiting")}

    # ---- the event outbox ---------------------------------------------------------------------
    def events_waiting(self) -> dict[str, int]:
        return {row["destination"]: int(row["n"]) for row in self._all("events_waiting")}


class SqliteTransaction(SqliteReads, OneNodeTransaction):
    """The one writing connection. Use only inside ``transaction()``, from one thread."""

    _seq: int | None = None

    @contextmanager
    def transaction(self) -> Iterator[SqliteTransaction]:
        self.db.execute("BEGIN IMMEDIATE")
        seq = self._seq
        try:
            yield self
        except BaseException:
            self.db.execute("ROLLBACK")
            self._seq = seq
            raise
        self.db.execute("COMMIT")

    # ---- state machines, activities, tags, settings -----------------------------------------
    def insert_machine(self, machine: MachineRecord) -> None:
        self._run("insert_machine", **rows.fields(machine))

    def update_machine(
        self, arn: str, *, definition: str, role_arn: str, config: str, revision_id: str, updated: float
    ) -> None:
        self._run(
            "update_machine",
            arn=arn,
            definition=definition,
            role_arn=role_arn,
            config=config,
            revision_id=revision_id,
            updated=updated,
        )

    def set_machine_status(self, arn: str, status: str) -> None:
        self._run("set_machine_status", arn=arn, status=status)

    def delete_machine(self, arn: str) -> None:
        for query in (
            "delete_machine_history",
            "delete_machine_tasks",
            "delete_machine_timers",
            "delete_machine_executions",
            "delete_machine",
            "delete_all_tags",
            "delete_machine_versions",
            "delete_machine_version_numbers",
            "delete_machine_aliases",
        ):
            self._run(query, arn=arn)

    def next_version_number(self, machine_arn: str) -> int:
        (row,) = self._all("next_version_number", machine_arn=machine_arn)  # read to its end
        return int(row["last"])

    def insert_version(self, version: VersionRecord) -> None:
        self._run("insert_version", **rows.fields(version))

    def delete_version(self, machine_arn: str, number: int) -> None:
        self._run("delete_version", machine_arn=machine_arn, number=number)

    def put_alias(self, alias: AliasRecord) -> None:
        self._run("put_alias", **rows.fields(alias))

    def delete_alias(self, machine_arn: str, name: str) -> None:
        self._run("delete_alias", machine_arn=machine_arn, name=name)

    def has_running(self, machine_arn: str, other_than: str = "") -> bool:
        return self._one("has_running", machine_arn=machine_arn, other_than=other_than) is not None

    def insert_activity(self, activity: ActivityRecord) -> None:
        self._run("insert_activity", **rows.fields(activity))

    def delete_activity(self, arn: str) -> None:
        self._run("delete_activity", arn=arn)
        self._run("delete_all_tags", arn=arn)

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        for key, value in tags.items():
            self._run("set_tag", arn=arn, key=key, value=value)

    def delete_tags(self, arn: str, keys: Sequence[str]) -> None:
        for key in keys:
            self._run("delete_tag", arn=arn, key=key)

    def add_setting(self, name: str, value: str) -> None:
        self._run("add_setting", name=name, value=value)

    # ---- executions ---------------------------------------------------------------------------
    def _next_seq(self) -> int:
        """The writer is the only one to insert executions, so the counter lives in memory, seeded
        from the table (a rolled-back transaction gives its numbers back)."""
        if self._seq is None:
            row = self._one("max_seq")
            self._seq = int(row[0]) if row is not None else 0
        self._seq += 1
        return self._seq

    def insert_execution(self, execution: ExecutionRecord, snapshot: bytes | None) -> None:
        values = rows.execution_fields(execution)
        values["seq"] = self._next_seq()
        self._run("add_machine_key", state_machine_arn=execution.state_machine_arn)
        self._run("add_revision", **{k: values[k] for k in ("revision_id", "definition", "role_arn")})
        self._run("insert_execution", snapshot=rows.pack_snapshot(execution.arn, snapshot), **values)

    def running(self, arn: str) -> Running | None:
        return self._with_snapshot("running", arn)

    def redrivable(self, arn: str) -> Running | None:
        return self._with_snapshot("redrivable", arn)

    def _with_snapshot(self, query: str, arn: str) -> Running | None:
        row = self._one(query, arn=arn)
        if row is None:
            return None
        return Running(rows.execution(row), rows.unpack_snapshot(arn, row["snapshot"]))

    def save_snapshot(self, arn: str, snapshot: bytes, version: int) -> None:
        if self._run("save_snapshot", arn=arn, snapshot=packing.pack(arn, snapshot), version=version) != 1:
            raise Conflict(arn)

    def finish_execution(
        self,
        arn: str,
        version: int,
        *,
        status: str,
        output: str | None,
        error: str | None,
        cause: str | None,
        stopped: float,
        snapshot: bytes | None = None,
    ) -> None:
        changed = self._run(
            "finish_execution",
            arn=arn,
            version=version,
            status=status,
            output=output,
            error=error,
            cause=cause,
            stopped=stopped,
            snapshot=rows.pack_snapshot(arn, snapshot),
        )
        if changed != 1:
            raise Conflict(arn)

    def redrive_execution(
        self,
        arn: str,
        version: int,
        *,
        snapshot: bytes,
        redrive_count: int,
        redrive_date: float,
        redrive_token: str | None,
    ) -> None:
        changed = self._run(
            "redrive_execution",
            arn=arn,
            version=version,
            snapshot=packing.pack(arn, snapshot),
            redrive_count=redrive_count,
            redrive_date=redrive_date,
            redrive_token=redrive_token,
        )
        if changed != 1:
            raise Conflict(arn)

    def put_map_run(self, map_run: MapRunRecord) -> None:
        self._run("put_map_run", **rows.fields(map_run))

    def append_history(self, arn: str, events: Sequence[dict[str, Any]]) -> None:
        for chunk in chunks(events, HISTORY_CHUNK):
            self._run(
                "append_history",
                arn=arn,
                first_id=chunk[0]["id"],
                last_id=chunk[-1]["id"],
                events=rows.dump_events(arn, chunk),
            )

    def purge_executions(self, stopped_before: float, limit: int) -> int:
        closed = [row[0] for row in self._all("closed_before", before=stopped_before, limit=limit)]
        for arn in closed:
            for query in ("delete_execution_history", "delete_execution_tasks", "delete_execution"):
                self._run(query, arn=arn)
        return len(closed)

    # ---- timers -------------------------------------------------------------------------------
    def add_timer(self, arn: str, timer_id: str, due: float) -> None:
        self._run("add_timer", arn=arn, timer_id=timer_id, due=due)

    def take_timer(self, arn: str, timer_id: str, now: float) -> float | None:
        row = self._one("take_timer", arn=arn, timer_id=timer_id, now=now)
        return float(row[0]) if row is not None else None

    def delete_timers(self, arn: str) -> None:
        self._run("delete_timers", arn=arn)

    def timers(self) -> list[TimerRecord]:
        return [TimerRecord(*row) for row in self._all("timers")]

    # ---- the task outbox ----------------------------------------------------------------------
    def insert_task(self, task: TaskRecord) -> None:
        self._run("insert_task", **rows.fields(task))

    def task_of(self, arn: str, task_id: str) -> TaskRecord | None:
        row = self._one("task_of", arn=arn, task_id=task_id)
        return TaskRecord(**row) if row is not None else None

    def set_task_status(self, token: str, status: str, worker_name: str | None = None) -> None:
        if worker_name is None:
            self._run("set_task_status", token=token, status=status)
        else:
            self._run("set_task_worker", token=token, status=status, worker_name=worker_name)

    def hand_over_task(self, token: str, queued: str, started: str) -> bool:
        return self._run("hand_over_task", token=token, queued=queued, started=started) == 1

    def mark_submitted(self, arn: str, task_id: str) -> None:
        self._run("mark_submitted", arn=arn, task_id=task_id)

    def set_child(self, token: str, child_arn: str) -> None:
        self._run("set_child", token=token, target=child_arn)

    def close_task(self, arn: str, task_id: str) -> None:
        self._run("close_task", arn=arn, task_id=task_id)

    def close_tasks(self, arn: str) -> list[TaskRecord]:
        found = [TaskRecord(**row) for row in self._all("open_tasks_of", arn=arn)]
        if found:
            self._run("close_tasks", arn=arn)
        return found

    def open_tasks(self) -> list[TaskRecord]:
        return [TaskRecord(**row) for row in self._all("open_tasks")]

    def claim_activity_task(self, activity_arn: str, worker_name: str) -> TaskRecord | None:
        row = self._one("next_activity_task", activity_arn=activity_arn)
        if row is None:
            return None
        self.set_task_status(row["token"], "started", worker_name)
        return dataclasses.replace(TaskRecord(**row), status="started", worker_name=worker_name)

    def count_invocations(self, arn: str, state_name: str) -> int:
        row = self._one("count_invocations", arn=arn, state_name=state_name)
        return int(row[0]) if row is not None else 0

    # ---- the event outbox ---------------------------------------------------------------------
    def add_event(self, body: bytes, destinations: Sequence[str]) -> None:
        self.db.executemany(Q["add_event"], [{"destination": d, "body": body} for d in destinations])

    def claim_events(
        self, destination: str, limit: int, lease_seconds: float, now: float
    ) -> list[OutboxEvent]:
        args = {"destination": destination, "limit": limit, "node": OneNode.node, "now": now}
        found = self._all("claim_events", until=now + lease_seconds, **args)
        return sorted((OutboxEvent(**row) for row in found), key=lambda event: event.seq)

    def delete_events(self, seqs: Sequence[int]) -> None:
        self.db.executemany(Q["delete_event"], [{"seq": seq} for seq in seqs])

    def release_events(self, seqs: Sequence[int]) -> None:
        self.db.executemany(Q["release_event"], [{"seq": seq} for seq in seqs])
