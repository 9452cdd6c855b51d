"""What the console reads besides the API's answers: counts, whole histories, links, queues.

Reads only; every change the console makes goes through the same use cases as the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stepwell.runtime.store.records import MapRunRecord
from stepwell.service.core import Core

ALL_EVENTS = 1 << 62


@dataclass(frozen=True)
class PendingTask:
    execution_arn: str
    task_id: str
    status: str  # scheduled (waiting for a worker) | started (a worker has it)
    worker_name: str | None
    created: float


class Views:
    def __init__(self, core: Core):
        self.core = core

    def execution_counts(self) -> dict[str, dict[str, int]]:
        """State machine ARN -> status -> number of executions (Standard ones: Express keep none)."""
        return self.core.db.execution_counts()

    def events(self, execution_arn: str, after_id: int = 0) -> list[dict[str, Any]]:
        """Every event of the execution after ``after_id``, in order."""
        events: list[dict[str, Any]] = self.core.db.history(execution_arn, after_id, ALL_EVENTS, False)
        return events

    def parent(self, execution_arn: str) -> str | None:
        """The execution that started this one (states:startExecution), if any."""
        execution = self.core.db.execution(execution_arn)
        if execution is None or execution.parent is None:
            return None
        return execution.parent.execution

    def children(self, execution_arn: str) -> list[str]:
        """The executions this one started, in order."""
        return self.core.db.children(execution_arn)

    def map_runs(self, execution_arn: str) -> list[MapRunRecord]:
        """The execution's Map Runs, in the order they started."""
        return self.core.db.map_runs(execution_arn)

    def pending_tasks(self, activity_arn: str) -> list[PendingTask]:
        return [
            PendingTask(t.execution_arn, t.task_id, t.status, t.worker_name, t.created)
            for t in self.core.db.activity_backlog(activity_arn)
        ]
