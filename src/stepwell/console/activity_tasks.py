"""The activity tasks still open in one execution, as the Activities page lists them: which state (and
which Map iteration or Parallel branch) scheduled each, when, with what input, and the worker that
took it — what a user knows, never the runtime's task ids or the task tokens (a token is the
credential SendTaskSuccess takes: the page must not hand it out).

All of it is read from the execution's history: ``ActivityScheduled{resource, input}`` opens a task in
its state's visit, ``ActivityStarted{workerName}`` says a worker took it, and ``ActivitySucceeded`` /
``ActivityFailed`` / ``ActivityTimedOut``, the state's exit or abort, or the end of its iteration, branch
or execution close it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stepwell.console.history_events import details_of, timestamp_of
from stepwell.console.history_index import HistoryIndex, Visit
from stepwell.console.state_status import Iteration, index_history

_CLOSED = frozenset({"ActivitySucceeded", "ActivityFailed", "ActivityTimedOut", "TaskStateAborted"})


@dataclass(frozen=True, slots=True)
class OpenTask:
    execution_arn: str
    state_name: str
    state_id: str  # the console's id of the state (links to its step details)
    iteration: tuple[Iteration, ...]  # the Map iterations / Parallel branches it runs in, outermost first
    scheduled_event_id: int
    scheduled_at: float | None
    input: str | None  # the JSON text the worker receives
    worker: str | None  # the workerName of the GetActivityTask that took it
    started_at: float | None


def open_tasks(
    activity_arn: str,
    execution_arn: str,
    events: Sequence[Mapping[str, Any]] | HistoryIndex,
    definition: str | Mapping[str, Any] | None = None,
) -> list[OpenTask]:
    """The tasks of ``activity_arn`` this execution scheduled and nobody has finished, in schedule order."""
    index = index_history(events, definition)
    found = (_open_task(index, visit, activity_arn, execution_arn) for visit in index.visits)
    return sorted((task for task in found if task is not None), key=lambda task: task.scheduled_event_id)


def _open_task(index: HistoryIndex, visit: Visit, activity_arn: str, execution_arn: str) -> OpenTask | None:
    if visit.kind != "Task" or visit.exited or visit.aborted or index.ended(visit.frame):
        return None
    scheduled: Mapping[str, Any] | None = None
    started: Mapping[str, Any] | None = None
    for event_id in visit.events:  # the latest attempt decides: a retry schedules a new task
        event = index.event(event_id)
        if event is None:
            continue
        kind = event["type"]
        if kind == "ActivityScheduled":
            is_ours = details_of(event).get("resource") == activity_arn
            scheduled, started = (event if is_ours else None), None
        elif kind == "ActivityStarted" and scheduled is not None:
            started = event
        elif kind in _CLOSED:
            scheduled, started = None, None
    if scheduled is None:
        return None
    details = details_of(scheduled)
    worker = details_of(started).get("workerName") if started is not None else None
    return OpenTask(
        execution_arn=execution_arn,
        state_name=visit.name,
        state_id=index.state_id(visit),
        iteration=index.instance(visit.frame),
        scheduled_event_id=int(scheduled["id"]),
        scheduled_at=timestamp_of(scheduled),
        input=details.get("input"),
        worker=str(worker) if worker is not None else None,
        started_at=timestamp_of(started) if started is not None else None,
    )
