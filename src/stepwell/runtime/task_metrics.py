"""CloudWatch's task metrics (Activities*, LambdaFunctions*, ServiceIntegrations*, reference
operations.md §3) from the history events each committed step appends.

A Task's events form one chain of ``previousEventId`` (engine/history.py chains the events of a
frame, and its frame does nothing else while the task is open; engine/tasks.py writes them):

    ActivityScheduled <- ActivityStarted <- ActivitySucceeded | ActivityFailed | ActivityTimedOut
    LambdaFunctionScheduled <- LambdaFunctionStarted <- LambdaFunction{Succeeded,Failed,TimedOut}
    TaskScheduled <- TaskStarted [<- TaskSubmitted] <- Task{Succeeded,Failed,TimedOut}

(an activity no worker took times out straight after its ActivityScheduled). The times need the
timestamps of events an earlier step committed, so ``TaskTimes`` keeps, for each task still open,
its resource and times under its latest event's (execution ARN, event id).

Best effort, as CloudWatch's metrics are: the map is bounded (MOST_OPEN, the oldest dropped
first) and empty after a restart, and an aborted execution's open tasks stay in it until they are
pushed out. A task whose earlier events it does not hold is counted without its times when its
event names its resource (the Task* events do) and not at all when it does not (ActivityStarted,
LambdaFunctionSucceeded, ...).

An activity's heartbeat timeout and its timeout are the same event (``States.Timeout``, as AWS
records both): it is a heartbeat timeout when its ActivityScheduled set HeartbeatSeconds and it
came before TimeoutSeconds had passed since the scheduling (deadlines are never scaled, so the
timeout cannot come earlier).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from stepwell.metrics import ACTIVITY, LAMBDA_FUNCTION, SERVICE_INTEGRATION, Metrics

MOST_OPEN = 100_000  # open tasks remembered; a Map of 10,000 activities fits ten times

Event = dict[str, Any]


@dataclass(slots=True)
class _Open:
    kind: str
    arn: str
    scheduled: float
    started: float | None = None
    timeout: float | None = None
    heartbeat: float | None = None


@dataclass(frozen=True, slots=True)
class TaskEvent:
    """What a history event type is to the task metrics."""

    step: str  # SCHEDULED, STARTED, SUBMITTED or CLOSED
    kind: str  # ACTIVITY, LAMBDA_FUNCTION or SERVICE_INTEGRATION
    details_key: str
    outcome: str = ""  # a close's: succeeded, failed, timed_out


SCHEDULED, STARTED, SUBMITTED, CLOSED = "scheduled", "started", "submitted", "closed"


def _task_events() -> dict[str, TaskEvent]:
    kinds = {"Activity": ACTIVITY, "LambdaFunction": LAMBDA_FUNCTION, "Task": SERVICE_INTEGRATION}
    closes = {"Succeeded": "succeeded", "Failed": "failed", "TimedOut": "timed_out"}
    table = {"TaskSubmitted": TaskEvent(SUBMITTED, SERVICE_INTEGRATION, "taskSubmittedEventDetails")}
    for prefix, kind in kinds.items():
        key = prefix[0].lower() + prefix[1:]  # activity..., lambdaFunction..., task...EventDetails
        table[prefix + "Scheduled"] = TaskEvent(SCHEDULED, kind, f"{key}ScheduledEventDetails")
        table[prefix + "Started"] = TaskEvent(STARTED, kind, f"{key}StartedEventDetails")
        for suffix, outcome in closes.items():
            table[prefix + suffix] = TaskEvent(CLOSED, kind, f"{key}{suffix}EventDetails", outcome)
    return table


# History event type -> its part in a task's life; the other types are no task's.
TASK_EVENTS: dict[str, TaskEvent] = _task_events()


class TaskTimes:
    """The open tasks' resources and times, and the metrics counted from their events. Called from
    the executor's thread and from the threads that run Express executions: one lock."""

    def __init__(self, metrics: Metrics, most_open: int = MOST_OPEN):
        self.metrics = metrics
        self.most_open = most_open
        self._open: dict[tuple[str, int], _Open] = {}
        self._lock = threading.Lock()

    def record(self, what: TaskEvent, execution_arn: str, event: Event) -> None:
        if what.step == SCHEDULED:
            self._scheduled(what, execution_arn, event)
            return
        opened = self._take(execution_arn, event["previousEventId"])
        if opened is None:  # scheduled before a restart, or pushed out: no times
            arn = _named(what, event)
            if arn is not None and what.step == STARTED:
                self.metrics.task_started(what.kind, arn, None)
            elif arn is not None and what.step == CLOSED:
                self.metrics.task_closed(what.kind, arn, what.outcome, None, None)
            return
        now = event["timestamp"]
        if what.step == STARTED:
            opened.started = now
            self.metrics.task_started(what.kind, opened.arn, now - opened.scheduled)
        if what.step != CLOSED:
            self._keep((execution_arn, event["id"]), opened)
            return
        took = now - opened.scheduled
        outcome = what.outcome
        if outcome == "timed_out" and what.kind == ACTIVITY and _missed_heartbeat(opened, took):
            outcome = "heartbeat_timed_out"
        ran = now - opened.started if opened.started is not None else None
        self.metrics.task_closed(what.kind, opened.arn, outcome, ran, took)

    def _scheduled(self, what: TaskEvent, execution_arn: str, event: Event) -> None:
        details = event.get(what.details_key) or {}
        if what.kind == SERVICE_INTEGRATION:
            arn = service_integration_arn(details)
        else:
            arn = str(details.get("resource", ""))
        timeout, heartbeat = details.get("timeoutInSeconds"), details.get("heartbeatInSeconds")
        self._keep(
            (execution_arn, event["id"]), _Open(what.kind, arn, event["timestamp"], None, timeout, heartbeat)
        )
        self.metrics.task_scheduled(what.kind, arn)

    def _keep(self, key: tuple[str, int], opened: _Open) -> None:
        with self._lock:
            self._open[key] = opened
            if len(self._open) > self.most_open:
                del self._open[next(iter(self._open))]  # the oldest: dicts keep insertion order

    def _take(self, execution_arn: str, event_id: int) -> _Open | None:
        with self._lock:
            return self._open.pop((execution_arn, event_id), None)

    def __len__(self) -> int:
        return len(self._open)


def service_integration_arn(details: dict[str, Any]) -> str:
    """The ServiceIntegrationResourceArn of a Task* event: ``arn:aws:states:::sqs:sendMessage``
    (the Resource as written, its pattern kept: ``...:startExecution.sync:2``)."""
    return f"arn:aws:states:::{details.get('resourceType', '')}:{details.get('resource', '')}"


def _named(what: TaskEvent, event: Event) -> str | None:
    """The resource an event names itself (only the Task* events do)."""
    details = event.get(what.details_key)
    if what.kind != SERVICE_INTEGRATION or not details:
        return None
    return service_integration_arn(details)


def _missed_heartbeat(opened: _Open, took: float) -> bool:
    return opened.heartbeat is not None and (opened.timeout is None or took < opened.timeout)
