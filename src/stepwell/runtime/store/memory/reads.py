"""The memory store's tables, and every read (under the lock)."""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from typing import Any

from stepwell.runtime.store.records import (
    ActivityRecord,
    AliasRecord,
    ExecutionRecord,
    ExecutionSummary,
    MachineRecord,
    MapRunRecord,
    OutboxEvent,
    TaskRecord,
    VersionRecord,
)

_BACKLOG = ("scheduled", "started")


def _event_id(event: dict[str, Any]) -> int:
    event_id: int = event["id"]
    return event_id


class MemoryReads:
    """The tables, and every read (under the lock)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._machines: dict[str, MachineRecord] = {}
        self._activities: dict[str, ActivityRecord] = {}
        self._tags: dict[str, dict[str, str]] = {}
        self._settings: dict[str, str] = {}
        self._executions: dict[str, ExecutionRecord] = {}
        self._snapshots: dict[str, bytes] = {}
        self._by_machine: dict[str, list[ExecutionRecord]] = {}  # as inserted: in seq order
        self._seq = 0
        self._history: dict[str, list[dict[str, Any]]] = {}  # events in id order
        self._timers: dict[str, dict[str, float]] = {}
        self._tasks: dict[str, TaskRecord] = {}
        self._tasks_of: dict[str, list[str]] = {}  # execution ARN -> tokens, as inserted
        self._by_task_id: dict[tuple[str, str], list[str]] = {}
        self._by_activity: dict[str, list[str]] = {}
        self._invocations: dict[tuple[str, str], int] = {}
        self._versions: dict[str, dict[int, VersionRecord]] = {}  # machine ARN -> number -> version
        self._version_numbers: dict[str, int] = {}  # machine ARN -> the last number given
        self._aliases: dict[str, dict[str, AliasRecord]] = {}  # machine ARN -> name -> alias
        self._map_runs: dict[str, MapRunRecord] = {}
        self._by_map_run: dict[str, list[ExecutionRecord]] = {}  # Map Run ARN -> children, as inserted
        self._outbox: dict[int, OutboxEvent] = {}  # seq -> event, in seq order
        self._outbox_seq = 0

    # ---- state machines and activities -------------------------------------------------------
    def state_machine(self, arn: str) -> MachineRecord | None:
        with self._lock:
            return self._machines.get(arn)

    def state_machines(self, after: str, limit: int) -> list[MachineRecord]:
        with self._lock:
            arns = sorted(a for a, m in self._machines.items() if a > after and m.status == "ACTIVE")
            return [self._machines[a] for a in arns[:limit]]

    def version(self, machine_arn: str, number: int) -> VersionRecord | None:
        with self._lock:
            return self._versions.get(machine_arn, {}).get(number)

    def versions(self, machine_arn: str, below: int, limit: int) -> list[VersionRecord]:
        with self._lock:
            kept = self._versions.get(machine_arn, {})
            return [kept[n] for n in sorted(kept, reverse=True) if n < below][:limit]

    def alias(self, machine_arn: str, name: str) -> AliasRecord | None:
        with self._lock:
            return self._aliases.get(machine_arn, {}).get(name)

    def aliases(self, machine_arn: str, after: str, limit: int) -> list[AliasRecord]:
        with self._lock:
            kept = self._aliases.get(machine_arn, {})
            return [kept[n] for n in sorted(kept) if n > after][:limit]

    def activity(self, arn: str) -> ActivityRecord | None:
        with self._lock:
            return self._activities.get(arn)

    def activities(self, after: str, limit: int) -> list[ActivityRecord]:
        with self._lock:
            return [self._activities[a] for a in sorted(a for a in self._activities if a > after)[:limit]]

    def tags(self, arn: str) -> dict[str, str]:
        with self._lock:
            tags = self._tags.get(arn, {})
            return {key: tags[key] for key in sorted(tags)}

    def setting(self, name: str) -> str | None:
        with self._lock:
            return self._settings.get(name)

    # ---- executions ---------------------------------------------------------------------------
    def execution(self, arn: str) -> ExecutionRecord | None:
        with self._lock:
            return self._executions.get(arn)

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
        with self._lock:
            started = self._by_machine.get(machine_arn, [])
            found: list[ExecutionSummary] = []
            for index in range(bisect_left(started, before_seq, key=lambda r: r.seq) - 1, -1, -1):
                if len(found) >= limit:
                    break
                e = self._executions[started[index].arn]
                if (
                    (status is None or e.status == status)
                    and (machine_version is None or e.machine_version == machine_version)
                    and (machine_alias is None or e.machine_alias == machine_alias)
                    and (redriven is None or (e.redrive_count > 0) == redriven)
                ):
                    found.append(_summary(e))
            return found

    def map_run(self, arn: str) -> MapRunRecord | None:
        with self._lock:
            return self._map_runs.get(arn)

    def map_runs(self, execution_arn: str) -> list[MapRunRecord]:
        with self._lock:
            found = [r for r in self._map_runs.values() if r.execution_arn == execution_arn]
            return sorted(found, key=lambda r: (r.started, r.arn))

    def executions_of_map_run(
        self, map_run_arn: str, status: str | None, before_seq: int, limit: int
    ) -> list[ExecutionSummary]:
        with self._lock:
            found: list[ExecutionSummary] = []
            for inserted in reversed(self._by_map_run.get(map_run_arn, [])):
                e = self._executions.get(inserted.arn)
                if e is None or e.seq >= before_seq or (status is not None and e.status != status):
                    continue
                found.append(_summary(e))
                if len(found) >= limit:
                    break
            return found

    def history(self, arn: str, after_id: int, limit: int, reverse: bool) -> list[dict[str, Any]]:
        with self._lock:
            events = self._history.get(arn, [])
            if reverse:
                end = bisect_left(events, after_id, key=_event_id)
                return events[max(0, end - limit) : end][::-1]
            start = bisect_right(events, after_id, key=_event_id)
            return events[start : start + limit]

    def execution_counts(self) -> dict[str, dict[str, int]]:
        with self._lock:
            counts: dict[str, dict[str, int]] = {}
            for e in self._executions.values():
                of_machine = counts.setdefault(e.state_machine_arn, {})
                of_machine[e.status] = of_machine.get(e.status, 0) + 1
            return counts

    def children(self, arn: str) -> list[str]:
        with self._lock:
            found = [self._tasks[token] for token in self._tasks_of.get(arn, [])]
            return [
                t.target for t in sorted(found, key=lambda t: t.created) if t.kind == "child" and t.target
            ]

    # ---- tasks --------------------------------------------------------------------------------
    def task(self, token: str) -> TaskRecord | None:
        with self._lock:
            return self._tasks.get(token)

    # ---- the event outbox ---------------------------------------------------------------------
    def events_waiting(self) -> dict[str, int]:
        with self._lock:
            counts: dict[str, int] = {}
            for event in self._outbox.values():
                counts[event.destination] = counts.get(event.destination, 0) + 1
            return counts

    def activity_backlog(self, activity_arn: str) -> list[TaskRecord]:
        with self._lock:
            found = (self._tasks[token] for token in self._by_activity.get(activity_arn, []))
            return sorted((t for t in found if t.status in _BACKLOG), key=lambda t: t.created)

    def activity_tasks_waiting(self) -> dict[str, int]:
        with self._lock:
            counts = {
                arn: sum(1 for token in tokens if self._tasks[token].status == "scheduled")
                for arn, tokens in self._by_activity.items()
            }
            return {arn: n for arn, n in counts.items() if n}


def _summary(e: ExecutionRecord) -> ExecutionSummary:
    """The ListExecutions line of an execution."""
    return ExecutionSummary(
        e.arn,
        e.state_machine_arn,
        e.name,
        e.status,
        e.started,
        e.stopped,
        e.seq,
        e.machine_version,
        e.machine_alias,
        e.redrive_count,
        e.redrive_date,
        e.map_run,
    )
