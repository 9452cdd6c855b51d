"""What a task call, a mocked answer or a timer comes to: one rule for every driver of ``advance``
(the server's batches, the in-process runner behind ``stepwell run`` and Express executions).

Each rule was written twice before and the two had drifted: an invoker's bug was
``States.Runtime`` in process and ``States.TaskFailed`` in the server; a mocked activity had no
TaskStarted in process. These functions are the one place each rule lives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from stepwell.asl.resources import ACTIVITY, SYNC, SYNC2, WAIT_FOR_TASK_TOKEN, TaskResource
from stepwell.engine.commands import DEADLINE, StartTimer
from stepwell.engine.events import Event, TaskFailed, TaskStarted, TaskSubmitted, TaskSucceeded
from stepwell.runtime import ids
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.router import Invokers
from stepwell.runtime.mocks import MockReturn, Outcome

log = logging.getLogger("stepwell.tasks")

MOCK_WORKER = "stepwell-mock"  # the worker name a mocked activity's TaskStarted shows


def call_outcome(
    invokers: Invokers, call: TaskCall, task_id: str, clock: Callable[[], float], *, callbacks: bool
) -> Event:
    """Carry out the call (blocking) and say what came of it, as the event for the execution.

    ``callbacks``: whether the driver can receive SendTask* (a server can; the in-process runner
    cannot, so a ``.waitForTaskToken`` task fails there unless a callable stands in for it)."""
    resource = call.resource
    stand_in = invokers.stands_in(resource)
    try:
        refusal = None if stand_in else _refusal(resource, callbacks)
        if refusal is not None:
            raise TaskError("States.TaskFailed", refusal)
        output = invokers.invoke(call)
        if resource.pattern == WAIT_FOR_TASK_TOKEN and not stand_in:  # now it waits for SendTask*
            return TaskSubmitted(now=clock(), seed=ids.seed(), task_id=task_id, output=output)
        return TaskSucceeded(now=clock(), seed=ids.seed(), task_id=task_id, output=output)
    except TaskError as failure:
        return TaskFailed(
            now=clock(), seed=ids.seed(), task_id=task_id, error=failure.error, cause=failure.cause
        )
    except Exception as bug:  # an invoker's bug must not leave the execution waiting forever
        log.exception("task %s of %s failed inside stepwell", task_id, call.execution_arn)
        return TaskFailed(
            now=clock(), seed=ids.seed(), task_id=task_id, error="States.TaskFailed", cause=str(bug)
        )


def _refusal(resource: TaskResource, callbacks: bool) -> str | None:
    if resource.pattern in (SYNC, SYNC2):
        return (
            f"stepwell does not run the '.{resource.pattern}' pattern for '{resource.base}': "
            "it runs '.sync' for nested executions (states:startExecution) and the jobs of the "
            "optimized integrations it knows (Batch, ECS, Glue, SageMaker, Athena, CodeBuild, EMR, "
            "EMR on EKS, EMR Serverless, EKS (clusters, nodegroups, Fargate profiles, runJob), DataBrew, "
            "MediaConvert, Bedrock model customization)."
        )
    if not callbacks and resource.pattern == WAIT_FOR_TASK_TOKEN:
        return (
            f"The resource '{resource.arn}' waits for a task token callback, which the in-process runner "
            "cannot receive: mock the state (--mock-config), bind a callable to this exact resource to "
            "stand in for it, or run it with stepwell serve."
        )
    if not callbacks and resource.kind == ACTIVITY:
        return (
            f"The in-process runner has no activity workers for '{resource.arn}': mock the state "
            "(--mock-config), or run it with stepwell serve."
        )
    return None


def mocked_events(
    resource: TaskResource, task_id: str, outcome: Outcome, clock: Callable[[], float]
) -> list[Event]:
    """The events a mocked task answers with: a mocked activity is "taken" by a worker first, so
    its history reads as an activity's does."""
    events: list[Event] = []
    if resource.kind == ACTIVITY:
        events.append(TaskStarted(now=clock(), seed=ids.seed(), task_id=task_id, worker_name=MOCK_WORKER))
    if isinstance(outcome, MockReturn):
        events.append(TaskSucceeded(now=clock(), seed=ids.seed(), task_id=task_id, output=outcome.value))
    else:
        events.append(
            TaskFailed(
                now=clock(), seed=ids.seed(), task_id=task_id, error=outcome.error, cause=outcome.cause
            )
        )
    return events


def timer_delay(command: StartTimer, now: float, wait_time_scale: float) -> float:
    """Seconds until the timer fires: waits and retry back-offs are scaled (Step Functions Local's
    WAIT_TIME_SCALE), deadlines (TimeoutSeconds, HeartbeatSeconds) never are."""
    delay = max(0.0, command.due - now)
    return delay if command.purpose == DEADLINE else delay * wait_time_scale
