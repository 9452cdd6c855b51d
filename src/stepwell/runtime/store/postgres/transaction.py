"""The writer's transaction: writes held and pipelined with the next read or the COMMIT."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.rows import DictRow

from stepwell.runtime.store import rows
from stepwell.runtime.store.postgres.common import (
    HELD,
    HISTORY_CHUNK,
    NOTICE_SEPARATOR,
    SEND_RANK,
    Q,
    as_bytes,
    execution_of,
    in_runs,
    mapped_errors,
    record_of,
)
from stepwell.runtime.store.postgres.reads import Queries
from stepwell.runtime.store.protocol import Conflict, chunks
from stepwell.runtime.store.records import (
    ActivityRecord,
    AliasRecord,
    ExecutionRecord,
    MachineRecord,
    MapRunRecord,
    OutboxEvent,
    Running,
    TaskRecord,
    TimerRecord,
    VersionRecord,
)

if TYPE_CHECKING:
    from stepwell.runtime.store.postgres.store import PostgresStore


class PostgresTransaction(Queries):
    """The one writing connection. Use only inside ``transaction()``, from one thread."""

    def __init__(self, store: PostgresStore):
        self.store = store
        self.db: psycopg.Connection[DictRow] | None = None
        self._begun = False  # BEGIN was sent
        self._active = False  # inside transaction()
        self._pending: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # table -> writes to send
        self._new_keys: set[tuple[str, str]] = set()  # written in this transaction (_keys)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def _connection(self) -> psycopg.Connection[DictRow]:
        if self.db is None or self.db.closed or self.db.broken:
            self.db = self.store.connect()  # a lost connection is replaced at the next transaction
        return self.db

    @contextmanager
    def transaction(self) -> Iterator[PostgresTransaction]:
        if self._active:
            raise RuntimeError("transactions do not nest")
        self._connection()
        self._active, self._begun = True, False
        self._new_keys.clear()
        try:
            yield self
            self._send(commit=True)
            self.store.written_keys |= self._new_keys
        except BaseException as failure:
            self._rollback()
            if isinstance(failure, (psycopg.Error, Conflict)):
                # The database refused a statement, and a pipeline may have gone down with it:
                # psycopg can then hold a prepared statement whose PREPARE never ran ("prepared
                # statement _pg3_5 does not exist" at every later use, seen after a failed
                # batch). A new connection starts clean, at the next transaction.
                self.close()
            raise
        finally:
            self._active = False

    def _rollback(self) -> None:
        self._pending.clear()
        if self._begun and self.db is not None and not self.db.broken:
            with suppress(psycopg.Error):  # the failure being raised is the one to report
                self.db.execute("ROLLBACK")
        self._begun = False

    # ---- sending ------------------------------------------------------------------------------
    def _write(self, query: str, args: dict[str, Any]) -> None:
        """Hold a write until something needs an answer (or the commit)."""
        if not self._active:
            raise RuntimeError("the store is written only inside transaction()")
        self._pending.setdefault(HELD[query], []).append((query, args))

    def _send(self, read: str | None = None, args: dict[str, Any] | None = None, commit: bool = False) -> Any:
        """Send the held writes, then the read (its cursor is returned) or the COMMIT, in one round
        trip."""
        db = self.db  # never replaced inside a transaction: a new connection would not be in it
        if not self._active or db is None:
            raise RuntimeError("the store is written only inside transaction()")
        with mapped_errors():
            if self._begun and not self._pending:  # nothing ahead: no pipeline needed
                if read is not None:
                    return db.execute(Q[read], args)
                if commit:
                    db.execute("COMMIT")
                    self._begun = False
                return None
            if not self._begun and not self._pending and read is None:
                return None  # an empty transaction: nothing was sent, nothing to commit
            cursor = db.cursor()
            with db.pipeline():
                if not self._begun:
                    cursor.execute("BEGIN")
                    self._begun = True
                for table in sorted(self._pending, key=SEND_RANK.__getitem__):
                    writes = self._pending[table]
                    for query, run in groupby(in_runs(table, writes), key=itemgetter(0)):
                        batch = [args for _, args in run]
                        if len(batch) == 1:
                            cursor.execute(Q[query], batch[0])
                        else:
                            cursor.executemany(Q[query], batch)
                self._pending.clear()
                answer = db.cursor()
                if read is not None:
                    answer.execute(Q[read], args)
                if commit:
                    cursor.execute("COMMIT")
            if commit:
                self._begun = False
            return answer

    def _all(self, query: str, args: dict[str, Any]) -> list[DictRow]:
        rows_: list[DictRow] = self._send(query, args).fetchall()
        return rows_

    def _count(self, query: str, args: dict[str, Any]) -> int:
        """The rows a write changed (sent now: the caller needs the answer)."""
        changed: int = self._send(query, args).rowcount
        return changed

    # ---- state machines, activities, tags, settings -----------------------------------------
    def insert_machine(self, machine: MachineRecord) -> None:
        self._keys(machine.arn, machine.revision_id, machine.definition, machine.role_arn)
        self._write("insert_machine", rows.fields(machine))

    def update_machine(
        self, arn: str, *, definition: str, role_arn: str, config: str, revision_id: str, updated: float
    ) -> None:
        self._keys(arn, revision_id, definition, role_arn)
        self._write(
            "update_machine",
            {
                "arn": arn,
                "definition": definition,
                "role_arn": role_arn,
                "config": config,
                "revision_id": revision_id,
                "updated": updated,
            },
        )

    def _keys(self, machine_arn: str, revision_id: str, definition: str, role_arn: str) -> None:
        """The machine's number and the revision's row (migration 0009), written with the machine,
        so that the executions started later only read them."""
        key = (machine_arn, revision_id)
        if key in self.store.written_keys or key in self._new_keys:
            return
        self._new_keys.add(key)
        self._write("add_machine_key", {"machine_arn": machine_arn})
        revision = {"revision_id": revision_id, "definition": definition, "role_arn": role_arn}
        self._write("add_revision", revision)

    def set_machine_status(self, arn: str, status: str) -> None:
        self._write("set_machine_status", {"arn": arn, "status": status})

    def delete_machine(self, arn: str) -> None:
        self._send("delete_machine", {"arn": arn})

    def next_version_number(self, machine_arn: str) -> int:
        row = self._one("next_version_number", {"machine_arn": machine_arn})
        if row is None:
            raise RuntimeError("an upsert's RETURNING gave no row")
        return int(row["last"])

    def insert_version(self, version: VersionRecord) -> None:
        self._write("insert_version", rows.fields(version))

    def delete_version(self, machine_arn: str, number: int) -> None:
        self._write("delete_version", {"machine_arn": machine_arn, "number": number})

    def put_alias(self, alias: AliasRecord) -> None:
        self._write("put_alias", rows.fields(alias))

    def delete_alias(self, machine_arn: str, name: str) -> None:
        self._write("delete_alias", {"machine_arn": machine_arn, "name": name})

    def has_running(self, machine_arn: str, other_than: str = "") -> bool:
        return self._one("has_running", {"machine_arn": machine_arn, "other_than": other_than}) is not None

    def insert_activity(self, activity: ActivityRecord) -> None:
        self._write("insert_activity", rows.fields(activity))

    def delete_activity(self, arn: str) -> None:
        self._write("delete_activity", {"arn": arn})
        self._write("delete_all_tags", {"arn": arn})

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        for key, value in tags.items():
            self._write("set_tag", {"arn": arn, "key": key, "value": value})

    def delete_tags(self, arn: str, keys: Sequence[str]) -> None:
        for key in keys:
            self._write("delete_tag", {"arn": arn, "key": key})

    def add_setting(self, name: str, value: str) -> None:
        self._write("add_setting", {"name": name, "value": value})

    # ---- executions ---------------------------------------------------------------------------
    def insert_execution(self, execution: ExecutionRecord, snapshot: bytes | None) -> None:
        values = rows.execution_fields(execution)
        del values["seq"]  # drawn from the sequence
        values["snapshot"] = rows.pack_snapshot(execution.arn, snapshot)
        values["error"], values["cause"] = as_bytes(execution.error), as_bytes(execution.cause)
        # Written with the machine already, in the service; a store's own callers (tests, tools)
        # may start an execution of a machine they never wrote.
        self._keys(
            execution.state_machine_arn, execution.revision_id, execution.definition, execution.role_arn
        )
        self._write("insert_execution", values)

    def running(self, arn: str) -> Running | None:
        return self._with_snapshot("running", arn)

    def redrivable(self, arn: str) -> Running | None:
        return self._with_snapshot("redrivable", arn)

    def _with_snapshot(self, query: str, arn: str) -> Running | None:
        row = self._one(query, {"arn": arn})
        if row is None:
            return None
        return Running(execution_of(row), rows.unpack_snapshot(arn, row["snapshot"]))

    def save_snapshot(self, arn: str, snapshot: bytes, version: int) -> None:
        self._write(
            "save_snapshot", {"arn": arn, "snapshot": rows.pack_snapshot(arn, snapshot), "version": version}
        )

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
        self._write(
            "finish_execution",
            {
                "arn": arn,
                "version": version,
                "status": status,
                "output": output,
                "error": as_bytes(error),
                "cause": as_bytes(cause),
                "stopped": stopped,
                "snapshot": rows.pack_snapshot(arn, snapshot),
            },
        )

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
        self._write(
            "redrive_execution",
            {
                "arn": arn,
                "version": version,
                "snapshot": rows.pack_snapshot(arn, snapshot),
                "redrive_count": redrive_count,
                "redrive_date": redrive_date,
                "redrive_token": redrive_token,
            },
        )

    def put_map_run(self, map_run: MapRunRecord) -> None:
        self._write("put_map_run", rows.fields(map_run))

    def append_history(self, arn: str, events: Sequence[dict[str, Any]]) -> None:
        for chunk in chunks(events, HISTORY_CHUNK):
            self._write(
                "append_history",
                {
                    "arn": arn,
                    "first_id": chunk[0]["id"],
                    "last_id": chunk[-1]["id"],
                    "events": rows.dump_events(arn, chunk),
                },
            )

    def purge_executions(self, stopped_before: float, limit: int) -> int:
        row = self._one("purge_executions", {"before": stopped_before, "limit": limit})
        return int(row["n"]) if row is not None else 0

    # ---- timers -------------------------------------------------------------------------------
    def add_timer(self, arn: str, timer_id: str, due: float) -> None:
        self._write("add_timer", {"arn": arn, "timer_id": timer_id, "due": due, "owner": self.store.node})

    def take_timer(self, arn: str, timer_id: str, now: float) -> float | None:
        row = self._one("take_timer", {"arn": arn, "timer_id": timer_id, "now": now})
        return float(row["due"]) if row is not None else None

    def delete_timers(self, arn: str) -> None:
        self._write("delete_timers", {"arn": arn})

    def timers(self) -> list[TimerRecord]:
        return self._records(TimerRecord, "timers", {})

    # ---- the task outbox ----------------------------------------------------------------------
    def insert_task(self, task: TaskRecord) -> None:
        values = rows.fields(task)
        if task.node is None:  # the node that asks for a task owns it until another hands it over
            values["node"] = self.store.node
        self._write("insert_task", values)

    def task_of(self, arn: str, task_id: str) -> TaskRecord | None:
        row = self._one("task_of", {"arn": arn, "task_id": task_id})
        return record_of(TaskRecord, row) if row is not None else None

    def set_task_status(self, token: str, status: str, worker_name: str | None = None) -> None:
        if worker_name is None:
            self._write("set_task_status", {"token": token, "status": status})
        else:
            self._write("set_task_worker", {"token": token, "status": status, "worker_name": worker_name})

    def hand_over_task(self, token: str, queued: str, started: str) -> bool:
        args = {"token": token, "queued": queued, "started": started, "node": self.store.node}
        return self._count("hand_over_task", args) == 1

    def mark_submitted(self, arn: str, task_id: str) -> None:
        self._write("mark_submitted", {"arn": arn, "task_id": task_id})

    def set_child(self, token: str, child_arn: str) -> None:
        self._write("set_child", {"token": token, "target": child_arn})

    def close_task(self, arn: str, task_id: str) -> None:
        self._write("close_task", {"arn": arn, "task_id": task_id})

    def close_tasks(self, arn: str) -> list[TaskRecord]:
        return self._records(TaskRecord, "close_tasks", {"arn": arn})

    def open_tasks(self) -> list[TaskRecord]:
        return self._records(TaskRecord, "open_tasks", {})

    def claim_activity_task(self, activity_arn: str, worker_name: str) -> TaskRecord | None:
        row = self._one("claim_activity_task", {"activity_arn": activity_arn, "worker_name": worker_name})
        return record_of(TaskRecord, row) if row is not None else None

    def count_invocations(self, arn: str, state_name: str) -> int:
        row = self._one("count_invocations", {"arn": arn, "state_name": state_name})
        return int(row["n"]) if row is not None else 0

    # ---- the event outbox ---------------------------------------------------------------------
    def add_event(self, body: bytes, destinations: Sequence[str]) -> None:
        for destination in destinations:
            self._write("add_event", {"destination": destination, "body": body})

    def claim_events(
        self, destination: str, limit: int, lease_seconds: float, now: float
    ) -> list[OutboxEvent]:
        args = {"destination": destination, "limit": limit, "lease": lease_seconds, "node": self.store.node}
        found = [
            OutboxEvent(int(row["seq"]), row["destination"], bytes(row["body"]))
            for row in self._all("claim_events", args)
        ]
        return sorted(found, key=lambda event: event.seq)

    def delete_events(self, seqs: Sequence[int]) -> None:
        for seq in seqs:
            self._write("delete_event", {"seq": seq})

    def release_events(self, seqs: Sequence[int]) -> None:
        for seq in seqs:
            self._write("release_event", {"seq": seq})

    # ---- many nodes ---------------------------------------------------------------------------
    def adopt(self, dead_node: str) -> tuple[list[TimerRecord], list[TaskRecord]] | None:
        if self._one("adopt_node", {"dead": dead_node}) is None:
            return None  # alive, or adopted by another node first
        args = {"dead": dead_node, "node": self.store.node}
        return self._records(TimerRecord, "adopt_timers", args), self._records(
            TaskRecord, "adopt_tasks", args
        )

    def notify(self, topic: str, subject: str) -> None:
        payload = f"{topic}{NOTICE_SEPARATOR}{subject}"
        self._write("notify", {"channel": self.store.channel, "payload": payload})
