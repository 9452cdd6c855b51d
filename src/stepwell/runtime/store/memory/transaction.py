"""The memory store's writes, each logging how to undo itself."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from stepwell.runtime.store.memory.reads import MemoryReads
from stepwell.runtime.store.one_node import OneNodeTransaction
from stepwell.runtime.store.protocol import Conflict
from stepwell.runtime.store.records import (
    RUNNING,
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

K = TypeVar("K")
V = TypeVar("V")
_MISSING: Any = object()


class MemoryTransaction(MemoryReads, OneNodeTransaction):
    """The writes, each logging its undo. Use only inside ``transaction()``."""

    def __init__(self) -> None:
        super().__init__()
        self._undo: list[Callable[[], None]] | None = None  # None: outside a transaction

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        with self._lock:
            if self._undo is not None:
                raise RuntimeError("transactions do not nest")
            self._undo = []
            try:
                yield self
            except BaseException:
                undo, self._undo = self._undo, None
                for action in reversed(undo):
                    action()
                raise
            self._undo = None

    # ---- the undo log -------------------------------------------------------------------------
    def _log(self, action: Callable[[], None]) -> None:
        if self._undo is None:
            raise RuntimeError("the store is written only inside transaction()")
        self._undo.append(action)

    def _put(self, table: dict[K, V], key: K, value: V) -> None:
        old = table.get(key, _MISSING)
        self._log(lambda: _restore(table, key, old))
        table[key] = value

    def _pop(self, table: dict[K, V], key: K) -> None:
        if key in table:
            old = table[key]
            self._log(lambda: table.__setitem__(key, old))
            del table[key]

    def _append(self, items: list[V], item: V) -> None:
        self._log(lambda: items.__delitem__(-1))
        items.append(item)

    def _child(self, table: dict[K, V], key: K, empty: Callable[[], V]) -> V:
        """The list or dict at ``key``, created (and logged) if absent."""
        found = table.get(key)
        if found is None:
            found = empty()
            self._put(table, key, found)
        return found

    # ---- state machines, activities, tags, settings -----------------------------------------
    def insert_machine(self, machine: MachineRecord) -> None:
        self._put(self._machines, machine.arn, machine)

    def update_machine(
        self, arn: str, *, definition: str, role_arn: str, config: str, revision_id: str, updated: float
    ) -> None:
        machine = self._machines.get(arn)
        if machine is not None:
            self._put(
                self._machines,
                arn,
                dataclasses.replace(
                    machine,
                    definition=definition,
                    role_arn=role_arn,
                    config=config,
                    revision_id=revision_id,
                    updated=updated,
                ),
            )

    def set_machine_status(self, arn: str, status: str) -> None:
        machine = self._machines.get(arn)
        if machine is not None:
            self._put(self._machines, arn, dataclasses.replace(machine, status=status))

    def delete_machine(self, arn: str) -> None:
        self._forget({r.arn for r in self._by_machine.get(arn, [])})
        self._pop(self._by_machine, arn)
        self._pop(self._machines, arn)
        self._pop(self._tags, arn)
        self._pop(self._versions, arn)
        self._pop(self._version_numbers, arn)
        self._pop(self._aliases, arn)

    def next_version_number(self, machine_arn: str) -> int:
        number = self._version_numbers.get(machine_arn, 0) + 1
        self._put(self._version_numbers, machine_arn, number)
        return number

    def insert_version(self, version: VersionRecord) -> None:
        self._put(self._child(self._versions, version.machine_arn, dict), version.number, version)

    def put_alias(self, alias: AliasRecord) -> None:
        self._put(self._child(self._aliases, alias.machine_arn, dict), alias.name, alias)

    def delete_alias(self, machine_arn: str, name: str) -> None:
        kept = self._aliases.get(machine_arn)
        if kept is not None:
            self._pop(kept, name)

    def delete_version(self, machine_arn: str, number: int) -> None:
        kept = self._versions.get(machine_arn)
        if kept is not None:
            self._pop(kept, number)

    def has_running(self, machine_arn: str, other_than: str = "") -> bool:
        return any(
            self._executions[r.arn].status == RUNNING and r.arn != other_than
            for r in self._by_machine.get(machine_arn, [])
        )

    def insert_activity(self, activity: ActivityRecord) -> None:
        self._put(self._activities, activity.arn, activity)

    def delete_activity(self, arn: str) -> None:
        self._pop(self._activities, arn)
        self._pop(self._tags, arn)

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        kept = self._child(self._tags, arn, dict)
        for key, value in tags.items():
            self._put(kept, key, value)

    def delete_tags(self, arn: str, keys: Sequence[str]) -> None:
        kept = self._tags.get(arn)
        if kept is not None:
            for key in keys:
                self._pop(kept, key)

    def add_setting(self, name: str, value: str) -> None:
        if name not in self._settings:
            self._put(self._settings, name, value)

    # ---- executions ---------------------------------------------------------------------------
    def insert_execution(self, execution: ExecutionRecord, snapshot: bytes | None) -> None:
        if execution.arn in self._executions:
            raise KeyError(f"execution {execution.arn} exists")
        seq = self._seq + 1
        self._log(lambda: setattr(self, "_seq", seq - 1))
        self._seq = seq
        record = _numbered(execution, seq, 0, snapshot is not None)
        self._put(self._executions, record.arn, record)
        if snapshot is not None:
            self._put(self._snapshots, record.arn, snapshot)
        self._append(self._child(self._by_machine, record.state_machine_arn, list), record)
        if record.map_run is not None:
            self._append(self._child(self._by_map_run, record.map_run, list), record)

    def running(self, arn: str) -> Running | None:
        record = self._executions.get(arn)
        snapshot = self._snapshots.get(arn)
        if record is None or snapshot is None or record.status != RUNNING:
            return None
        return Running(record, snapshot)

    def redrivable(self, arn: str) -> Running | None:
        record = self._executions.get(arn)
        snapshot = self._snapshots.get(arn)
        if record is None or snapshot is None or record.status not in ("FAILED", "TIMED_OUT", "ABORTED"):
            return None
        return Running(record, snapshot)

    def _advanced(self, arn: str, version: int) -> ExecutionRecord:
        record = self._executions.get(arn)
        if record is None or record.version != version:
            raise Conflict(f"execution {arn} is no longer at version {version}")
        return record

    def save_snapshot(self, arn: str, snapshot: bytes, version: int) -> None:
        record = self._advanced(arn, version)
        self._put(self._executions, arn, _numbered(record, record.seq, version + 1, True))
        self._put(self._snapshots, arn, snapshot)

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
        record = self._advanced(arn, version)
        ended = dataclasses.replace(
            record,
            status=status,
            output=output,
            error=error,
            cause=cause,
            stopped=stopped,
            version=version + 1,
            has_snapshot=snapshot is not None,
        )
        self._put(self._executions, arn, ended)
        if snapshot is None:
            self._pop(self._snapshots, arn)
        else:
            self._put(self._snapshots, arn, snapshot)

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
        record = self._advanced(arn, version)
        running = dataclasses.replace(
            record,
            status=RUNNING,
            output=None,
            error=None,
            cause=None,
            stopped=None,
            version=version + 1,
            redrive_count=redrive_count,
            redrive_date=redrive_date,
            redrive_token=redrive_token,
            has_snapshot=True,
        )
        self._put(self._executions, arn, running)
        self._put(self._snapshots, arn, snapshot)

    def put_map_run(self, map_run: MapRunRecord) -> None:
        kept = self._map_runs.get(map_run.arn)
        if kept is not None:
            map_run = dataclasses.replace(map_run, started=kept.started)
        self._put(self._map_runs, map_run.arn, map_run)

    def append_history(self, arn: str, events: Sequence[dict[str, Any]]) -> None:
        if not events:
            return
        kept = self._child(self._history, arn, list)
        if kept and events[0]["id"] <= kept[-1]["id"]:
            raise Conflict(f"history of {arn} already has event {events[0]['id']}")
        size = len(kept)
        self._log(lambda: kept.__delitem__(slice(size, None)))
        kept.extend(events)

    def purge_executions(self, stopped_before: float, limit: int) -> int:
        gone: set[str] = set()
        for e in self._executions.values():
            if len(gone) >= limit:
                break
            if e.status != RUNNING and e.stopped is not None and e.stopped < stopped_before:
                gone.add(e.arn)
        for machine_arn in {self._executions[arn].state_machine_arn for arn in gone}:
            kept = [r for r in self._by_machine[machine_arn] if r.arn not in gone]
            self._put(self._by_machine, machine_arn, kept)
        self._forget(gone)
        return len(gone)

    def _forget(self, arns: set[str]) -> None:
        """The executions, their histories, timers and tasks (and the tasks' indexes)."""
        tokens = {token for arn in arns for token in self._tasks_of.get(arn, [])}
        for token in tokens:
            task = self._tasks[token]
            self._pop(self._tasks, token)
            self._pop(self._by_task_id, (task.execution_arn, task.task_id))
            if task.state_name is not None:
                self._pop(self._invocations, (task.execution_arn, task.state_name))
            if task.activity_arn is not None and task.activity_arn in self._by_activity:
                kept = [t for t in self._by_activity[task.activity_arn] if t not in tokens]
                self._put(self._by_activity, task.activity_arn, kept)
        tables: tuple[dict[str, Any], ...] = (
            self._executions,
            self._snapshots,
            self._history,
            self._timers,
            self._tasks_of,
        )
        for arn in arns:
            for table in tables:
                self._pop(table, arn)

    # ---- timers -------------------------------------------------------------------------------
    def add_timer(self, arn: str, timer_id: str, due: float) -> None:
        self._put(self._child(self._timers, arn, dict), timer_id, due)

    def take_timer(self, arn: str, timer_id: str, now: float) -> float | None:
        timers = self._timers.get(arn)
        due = timers.get(timer_id) if timers is not None else None
        if timers is None or due is None or due > now:
            return None
        self._pop(timers, timer_id)
        return due

    def delete_timers(self, arn: str) -> None:
        self._pop(self._timers, arn)

    def timers(self) -> list[TimerRecord]:
        return [
            TimerRecord(arn, timer_id, due)
            for arn, timers in self._timers.items()
            for timer_id, due in timers.items()
        ]

    # ---- the task outbox ----------------------------------------------------------------------
    def insert_task(self, task: TaskRecord) -> None:
        if task.token in self._tasks:
            raise KeyError(f"task {task.token} exists")
        self._put(self._tasks, task.token, task)
        self._append(self._child(self._tasks_of, task.execution_arn, list), task.token)
        self._append(self._child(self._by_task_id, (task.execution_arn, task.task_id), list), task.token)
        if task.activity_arn is not None:
            self._append(self._child(self._by_activity, task.activity_arn, list), task.token)
        if task.state_name is not None:
            key = (task.execution_arn, task.state_name)
            self._put(self._invocations, key, self._invocations.get(key, 0) + 1)

    def _set(self, task: TaskRecord, **changes: Any) -> TaskRecord:
        changed = dataclasses.replace(task, **changes)
        self._put(self._tasks, task.token, changed)
        return changed

    def _with_task_id(self, arn: str, task_id: str) -> list[TaskRecord]:
        return [self._tasks[token] for token in self._by_task_id.get((arn, task_id), [])]

    def task_of(self, arn: str, task_id: str) -> TaskRecord | None:
        found = self._with_task_id(arn, task_id)
        return max(reversed(found), key=lambda t: t.created) if found else None

    def set_task_status(self, token: str, status: str, worker_name: str | None = None) -> None:
        task = self._tasks.get(token)
        if task is None:
            return
        if worker_name is None:
            self._set(task, status=status)
        else:
            self._set(task, status=status, worker_name=worker_name)

    def hand_over_task(self, token: str, queued: str, started: str) -> bool:
        task = self._tasks.get(token)
        if task is None or task.status != queued:
            return False
        self._set(task, status=started)
        return True

    def mark_submitted(self, arn: str, task_id: str) -> None:
        for task in self._with_task_id(arn, task_id):
            if task.status != "closed":
                self._set(task, status="submitted")

    def set_child(self, token: str, child_arn: str) -> None:
        task = self._tasks.get(token)
        if task is not None:
            self._set(task, target=child_arn, status="submitted")

    def close_task(self, arn: str, task_id: str) -> None:
        for task in self._with_task_id(arn, task_id):
            if task.status != "closed":
                self._set(task, status="closed")

    def close_tasks(self, arn: str) -> list[TaskRecord]:
        found = [self._tasks[token] for token in self._tasks_of.get(arn, [])]
        closing = [task for task in found if task.status != "closed"]
        for task in closing:
            self._set(task, status="closed")
        return closing

    def open_tasks(self) -> list[TaskRecord]:
        return [task for task in self._tasks.values() if task.status != "closed"]

    def claim_activity_task(self, activity_arn: str, worker_name: str) -> TaskRecord | None:
        found = (self._tasks[token] for token in self._by_activity.get(activity_arn, []))
        waiting = [task for task in found if task.status == "scheduled"]
        if not waiting:
            return None
        oldest = min(waiting, key=lambda t: t.created)
        return self._set(oldest, status="started", worker_name=worker_name)

    def count_invocations(self, arn: str, state_name: str) -> int:
        return self._invocations.get((arn, state_name), 0)

    # ---- the event outbox (one process: every hold is its own, so a claim holds nothing) ------
    def add_event(self, body: bytes, destinations: Sequence[str]) -> None:
        first = self._outbox_seq
        self._log(lambda: setattr(self, "_outbox_seq", first))
        for seq, destination in enumerate(destinations, first + 1):
            self._put(self._outbox, seq, OutboxEvent(seq, destination, body))
            self._outbox_seq = seq

    def claim_events(
        self, destination: str, limit: int, lease_seconds: float, now: float
    ) -> list[OutboxEvent]:
        found = sorted(self._outbox)  # a rolled-back delete puts its row back at the end
        return [self._outbox[seq] for seq in found if self._outbox[seq].destination == destination][:limit]

    def delete_events(self, seqs: Sequence[int]) -> None:
        for seq in seqs:
            self._pop(self._outbox, seq)

    def release_events(self, seqs: Sequence[int]) -> None:
        pass


def _numbered(e: ExecutionRecord, seq: int, version: int, has_snapshot: bool) -> ExecutionRecord:
    """``dataclasses.replace(e, seq=seq, version=version, has_snapshot=...)`` at half its cost: it
    is on the path of every step the in-process runner stores."""
    return ExecutionRecord(
        e.arn,
        e.state_machine_arn,
        e.name,
        e.status,
        e.input,
        e.started,
        e.definition,
        e.role_arn,
        e.revision_id,
        e.output,
        e.error,
        e.cause,
        e.stopped,
        e.parent,
        e.trace_header,
        e.test_case,
        e.machine_version,
        e.machine_alias,
        seq,
        version,
        e.redrive_count,
        e.redrive_date,
        e.redrive_token,
        has_snapshot,
        e.map_run,
    )


def _restore(table: dict[Any, Any], key: Any, old: Any) -> None:
    if old is _MISSING:
        table.pop(key, None)
    else:
        table[key] = old
