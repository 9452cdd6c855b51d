"""What the console reads besides the API's answers: counts, whole histories, links, queues.

Reads only; every change the console makes goes through the same use cases as the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

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
        counts: dict[str, dict[str, int]] = {}
        query = "SELECT state_machine_arn, status, COUNT(*) AS n FROM executions GROUP BY 1, 2"
        for row in self.core.db.all(query):
            counts.setdefault(row["state_machine_arn"], {})[row["status"]] = int(row["n"])
        return counts

    def events(self, execution_arn: str, after_id: int = 0) -> list[dict[str, Any]]:
        """Every event of the execution after ``after_id``, in order."""
        events: list[dict[str, Any]] = self.core.db.history(execution_arn, after_id, ALL_EVENTS, False)
        return events

    def parent(self, execution_arn: str) -> str | None:
        """The execution that started this one (states:startExecution), if any."""
        row = self.core.db.one("SELECT parent FROM executions WHERE arn = ?", (execution_arn,))
        if row is None or not row["parent"]:
            return None
        return str(json.loads(row["parent"])["execution"])

    def children(self, execution_arn: str) -> list[str]:
        """The executions this one started, in order."""
        rows = self.core.db.all(
            "SELECT target FROM tasks WHERE execution_arn = ? AND kind = 'child' AND target IS NOT NULL "
            "ORDER BY created",
            (execution_arn,),
        )
        return [str(row["target"]) for row in rows]

    def pending_tasks(self, activity_arn: str) -> list[PendingTask]:
        rows = self.core.db.all(
            "SELECT execution_arn, task_id, status, worker_name, created FROM tasks "
            "WHERE activity_arn = ? AND status IN ('scheduled', 'started') ORDER BY created",
            (activity_arn,),
        )
        return [
            PendingTask(r["execution_arn"], r["task_id"], r["status"], r["worker_name"], float(r["created"]))
            for r in rows
        ]
