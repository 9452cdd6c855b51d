"""The Store: every durable fact of a stepwell service, behind named operations.

The runtime (runtime/batch.py, runtime/tasks.py), the service and the console speak only these
operations and the records of ``records.py``; each backend implements them once, with its SQL in
one file of named queries (``sqlite.sql``, ``postgres.sql``) and its migrations in the one
numbered sequence of ``migrations/``.

Concurrency invariant, for every backend: all writes happen inside ``Writer.transaction()``, opened
by the executor once per batch of engine steps (group commit); a transaction's writes are seen by
readers all at once, after its commit, or never. An execution's snapshot and end are written with
the version they were read at (``save_snapshot``/``finish_execution``): when another writer has
advanced the execution since, the write raises ``Conflict`` and the whole transaction is rolled
back, so two writers can never both advance one execution from the same step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

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


class StoreError(Exception):
    """The database cannot be opened or used (a start-up error the server reports plainly)."""


class Conflict(Exception):
    """Another writer changed the execution since this transaction read it: roll back, retry."""


class Reads(Protocol):
    """What any thread may read, at the last committed state."""

    # ---- state machines and activities ----
    def state_machine(self, arn: str) -> MachineRecord | None: ...
    def state_machines(self, after: str, limit: int) -> list[MachineRecord]:
        """ACTIVE machines with an ARN after ``after``, in ARN order."""

    def version(self, machine_arn: str, number: int) -> VersionRecord | None: ...
    def versions(self, machine_arn: str, below: int, limit: int) -> list[VersionRecord]:
        """The machine's versions numbered below ``below``, newest first."""

    def alias(self, machine_arn: str, name: str) -> AliasRecord | None: ...
    def aliases(self, machine_arn: str, after: str, limit: int) -> list[AliasRecord]:
        """The machine's aliases named after ``after``, in name order."""

    def activity(self, arn: str) -> ActivityRecord | None: ...
    def activities(self, after: str, limit: int) -> list[ActivityRecord]: ...
    def tags(self, arn: str) -> dict[str, str]:
        """The resource's tags, in key order."""

    def setting(self, name: str) -> str | None: ...

    # ---- executions ----
    def execution(self, arn: str) -> ExecutionRecord | None: ...
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
        """The machine's executions started before ``before_seq`` (of that version of it, or
        started on that alias, redriven at least once or never, if given), newest first."""

    def history(self, arn: str, after_id: int, limit: int, reverse: bool) -> list[dict[str, Any]]:
        """Up to ``limit`` events after ``after_id`` (before it when ``reverse``), in order."""

    def map_run(self, arn: str) -> MapRunRecord | None: ...
    def map_runs(self, execution_arn: str) -> list[MapRunRecord]:
        """The execution's Map Runs, in the order they started."""

    def executions_of_map_run(
        self, map_run_arn: str, status: str | None, before_seq: int, limit: int
    ) -> list[ExecutionSummary]:
        """The Map Run's child executions started before ``before_seq``, newest first."""

    def execution_counts(self) -> dict[str, dict[str, int]]:
        """State machine ARN -> status -> number of executions."""

    def children(self, arn: str) -> list[str]:
        """The executions this one started (states:startExecution), in order."""

    # ---- tasks ----
    def task(self, token: str) -> TaskRecord | None: ...
    def activity_backlog(self, activity_arn: str) -> list[TaskRecord]:
        """The activity's tasks waiting for a worker or held by one, oldest first."""

    def activity_tasks_waiting(self) -> dict[str, int]:
        """Activity ARN -> its tasks waiting for a worker (none: not listed)."""

    # ---- the event outbox ----
    def events_waiting(self) -> dict[str, int]:
        """Destination -> how many events it has not accepted yet."""


class Transaction(Reads, Protocol):
    """The writes of one batch; reads inside it see its own writes."""

    # ---- state machines, activities, tags, settings ----
    def insert_machine(self, machine: MachineRecord) -> None: ...
    def update_machine(
        self, arn: str, *, definition: str, role_arn: str, config: str, revision_id: str, updated: float
    ) -> None: ...
    def set_machine_status(self, arn: str, status: str) -> None: ...
    def delete_machine(self, arn: str) -> None:
        """The machine, its tags, its versions and aliases, and its executions with their histories, tasks
        and timers (a new machine of the same name starts with none)."""

    def next_version_number(self, machine_arn: str) -> int:
        """The number the machine's next version takes: one more than any it ever had."""

    def insert_version(self, version: VersionRecord) -> None: ...
    def delete_version(self, machine_arn: str, number: int) -> None: ...
    def put_alias(self, alias: AliasRecord) -> None:
        """Create the alias, or replace the one of that machine and name."""

    def delete_alias(self, machine_arn: str, name: str) -> None: ...

    def has_running(self, machine_arn: str, other_than: str = "") -> bool:
        """Whether an execution of the machine (other than ``other_than``) is RUNNING."""

    def insert_activity(self, activity: ActivityRecord) -> None: ...
    def delete_activity(self, arn: str) -> None:
        """The activity and its tags."""

    def set_tags(self, arn: str, tags: dict[str, str]) -> None: ...
    def delete_tags(self, arn: str, keys: Sequence[str]) -> None: ...
    def add_setting(self, name: str, value: str) -> None:
        """Store the setting unless it is set already (the first writer wins)."""

    # ---- executions ----
    def insert_execution(self, execution: ExecutionRecord, snapshot: bytes | None) -> None:
        """A new execution (its ``seq`` is assigned here), as far as its first step took it."""

    def running(self, arn: str) -> Running | None:
        """The execution with its snapshot, when it is RUNNING."""

    def redrivable(self, arn: str) -> Running | None:
        """The execution with its snapshot, when it ended FAILED, TIMED_OUT or ABORTED with one."""

    def save_snapshot(self, arn: str, snapshot: bytes, version: int) -> None:
        """Raises Conflict unless the execution is still at ``version``."""

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
        """The execution's end, keeping ``snapshot`` (for a redrive) or none. Raises Conflict as
        save_snapshot does."""

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
        """The ended execution runs again (RUNNING, no end, the snapshot its redrive step left).
        Raises Conflict as save_snapshot does."""

    def put_map_run(self, map_run: MapRunRecord) -> None:
        """Create the Map Run, or change its status, stop date and summary (its start stays)."""

    def append_history(self, arn: str, events: Sequence[dict[str, Any]]) -> None:
        """The events, after the execution's row (``insert_execution``, before or earlier in this
        transaction): a store may key history by the row's number."""

    def purge_executions(self, stopped_before: float, limit: int) -> int:
        """Delete up to ``limit`` closed executions that stopped before the time, with their
        histories and tasks; returns how many went (AWS keeps closed executions 90 days)."""

    # ---- timers ----
    def add_timer(self, arn: str, timer_id: str, due: float) -> None:
        """Set the timer (a timer of the same id is replaced) of an execution written before
        (``insert_execution``, before or earlier in this transaction): a store may key timers by the
        row's number."""

    def take_timer(self, arn: str, timer_id: str, now: float) -> float | None:
        """Delete the timer if it is due at ``now``; its due time, or None (gone, or re-set later)."""

    def delete_timers(self, arn: str) -> None: ...
    def timers(self) -> list[TimerRecord]:
        """Every timer (an exclusive store's restart) — see ``adopt`` for many nodes."""

    # ---- the task outbox ----
    def insert_task(self, task: TaskRecord) -> None: ...
    def task_of(self, arn: str, task_id: str) -> TaskRecord | None: ...
    def set_task_status(self, token: str, status: str, worker_name: str | None = None) -> None: ...
    def hand_over_task(self, token: str, queued: str, started: str) -> bool:
        """Mark a queued call handed over; False when it is no longer queued (cancelled)."""

    def mark_submitted(self, arn: str, task_id: str) -> None:
        """The task's call went out and it now waits for its callback (unless closed)."""

    def set_child(self, token: str, child_arn: str) -> None:
        """The child execution a states:startExecution task started (the task is submitted)."""

    def close_task(self, arn: str, task_id: str) -> None: ...
    def close_tasks(self, arn: str) -> list[TaskRecord]:
        """Close every open task of the execution; returns them as they were."""

    def open_tasks(self) -> list[TaskRecord]: ...
    def claim_activity_task(self, activity_arn: str, worker_name: str) -> TaskRecord | None:
        """The activity's oldest scheduled task, now started by the worker."""

    def count_invocations(self, arn: str, state_name: str) -> int:
        """How many tasks the execution's state has asked for so far (mocked test cases)."""

    # ---- the event outbox (stepwell/events: written only when the server delivers events) ----
    def add_event(self, body: bytes, destinations: Sequence[str]) -> None:
        """A status-change event, written with the change it tells: one row per destination, each
        deleted once that destination accepted the event."""

    def claim_events(
        self, destination: str, limit: int, lease_seconds: float, now: float
    ) -> list[OutboxEvent]:
        """Up to ``limit`` of the destination's oldest events, held by this node for ``lease_seconds``
        (SKIP LOCKED on a shared store: two nodes never hold one row at once). An event another node
        holds is passed over until its hold runs out or that node's lease expires; one this node
        held (before a restart, on an exclusive store) is taken at once."""

    def delete_events(self, seqs: Sequence[int]) -> None:
        """The events' destinations accepted them."""

    def release_events(self, seqs: Sequence[int]) -> None:
        """Not accepted: any node may claim them again at once."""

    # ---- many nodes (a store that is not ``exclusive``) ----
    def adopt(self, dead_node: str) -> tuple[list[TimerRecord], list[TaskRecord]] | None:
        """Take over a dead node: its timers and its open tasks become this node's; None when the
        node is not dead (its lease has not expired) or another node took it over first."""

    def notify(self, topic: str, subject: str) -> None:
        """Tell every node, once this transaction commits (``Store.listen``): e.g. ("activity", ARN)
        when an activity has a task for its pollers."""


class Writer(Protocol):
    def transaction(self) -> AbstractContextManager[Transaction]: ...


class Store(Protocol):
    """A backend: opened once, read from any thread, written by one executor per process.

    An ``exclusive`` store is used by one process at a time (SQLite, memory): after a restart,
    every timer and open task is that process's to recover. A shared one (PostgreSQL) is used by
    many nodes at once: each node holds a lease it renews; the timers it sets and the calls it
    hands over carry its id (``node``), and when its lease expires another node ``adopt``s them.
    """

    name: str  # "memory" | "sqlite" | "postgresql"
    exclusive: bool
    node: str  # this process's id, written on the timers and calls it owns

    def open(self) -> list[int]:
        """Create or upgrade the schema; the numbers of the migrations it applied (raises
        StoreError when the database is unusable)."""

    @property
    def reader(self) -> Reads: ...
    @property
    def writer(self) -> Writer: ...
    def close(self) -> None: ...

    def join(self, lease_seconds: float) -> None:
        """Register this node with a lease of ``lease_seconds`` (nothing for an exclusive store)."""

    def renew(self, lease_seconds: float) -> bool:
        """Extend this node's lease; False when it had expired (another node may have adopted its
        work: this node must stop)."""

    def dead_nodes(self) -> list[str]:
        """Nodes whose lease has expired, to adopt."""

    def listen(self, on_notice: Callable[[str, str], None]) -> None:
        """Call ``on_notice(topic, subject)`` (from a thread of the store) for every ``notify`` any
        node commits, until ``close``."""


def chunks(events: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    """History is stored in chunks of up to ``size`` events (one engine step is usually one)."""
    for start in range(0, len(events), size):
        yield events[start : start + size]
