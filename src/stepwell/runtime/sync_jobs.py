"""``.sync`` jobs of the optimized integrations (Batch, ECS, Glue, SageMaker, ...): the runtime's side.

The engine sees a ``.sync`` Task as it sees ``.waitForTaskToken``: TaskSubmitted (the start call's
answer), then TaskSucceeded or TaskFailed, with its TimeoutSeconds and HeartbeatSeconds deadlines
and its task token. What happens between is here:

1. the start call is made on the thread pool like any service call; its answer comes back as
   TaskSubmitted, and in the same transaction the job's handle (what its Describe call needs) is
   written into the task's row and a *poll timer* is set;
2. a poll timer is a row of the timers table like the engine's, with an id of the runtime's own
   (``poll:<task id>``): it survives kill -9, and a restart re-arms it. When it fires, the Describe
   call goes out on the thread pool; the answer sets the next poll, or ends the task;
3. when the engine gives up on the task (a timeout, a sibling branch's failure, StopExecution, a
   redrive's end), the job is cancelled with the service's stop call (``abandon``), best effort.

Polls come soon after the start and less often as the job runs on: a job is asked after when a
quarter of its age has passed since the last poll, between ``FIRST_POLL`` seconds and the
runtime's ``sync_poll_seconds``. AWS watches most jobs through EventBridge and polls the others
every minute or more (integrations.md §1.3): locally, jobs are short and users wait for them.

While a Describe call is out, the timer's row is kept a ``SAFETY`` interval ahead: if the server
stops before the answer arrives, the poll is made again after the restart.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stepwell.asl.resources import SERVICE, SYNC, TaskResource, parse_task_resource
from stepwell.engine.events import Event, TaskFailed, TaskSubmitted, TaskSucceeded
from stepwell.runtime import ids
from stepwell.runtime.invokers.base import JobEnded, JobRunner, JobRunning, JobState, TaskCall, TaskError
from stepwell.runtime.store.records import TaskRecord

if TYPE_CHECKING:
    from stepwell.runtime.batch import Batch
    from stepwell.runtime.executor import Executor

log = logging.getLogger("stepwell.tasks")

POLL = "poll:"
FIRST_POLL = 0.25  # seconds after the start call's answer
SAFETY = 60.0  # seconds: a poll whose answer never came is made again


def poll_timer(task_id: str) -> str:
    return POLL + task_id


def polled_task(timer_id: str) -> str | None:
    """The task a poll timer belongs to, or None for the engine's timers."""
    return timer_id[len(POLL) :] if timer_id.startswith(POLL) else None


def next_poll(age: float, cap: float) -> float:
    """Seconds until the next poll of a job submitted ``age`` seconds ago."""
    return min(cap, max(FIRST_POLL, age / 4))


# ---- 1. the start call (on the thread pool) -----------------------------------------------------
def start(
    runner: JobRunner, call: TaskCall, task_id: str, clock: Callable[[], float]
) -> tuple[Event, dict[str, Any] | None]:
    """Make the start call: TaskSubmitted and the job's handle, or TaskFailed and None (timed
    when the call has answered, as call_outcome times a task's end)."""
    try:
        started = runner.start_job(call)
    except TaskError as failure:
        return _failed(clock(), task_id, failure.error, failure.cause), None
    except Exception as bug:  # an invoker's bug must not leave the execution waiting forever
        log.exception("the .sync call of task %s of %s failed inside stepwell", task_id, call.execution_arn)
        return _failed(clock(), task_id, "States.TaskFailed", str(bug)), None
    submitted = TaskSubmitted(now=clock(), seed=ids.seed(), task_id=task_id, output=started.output)
    return submitted, started.handle


def _failed(now: float, task_id: str, error: str, cause: str) -> TaskFailed:
    return TaskFailed(now=now, seed=ids.seed(), task_id=task_id, error=error, cause=cause)


def follow(batch: Batch, arn: str, task_id: str, handle: dict[str, Any]) -> None:
    """After TaskSubmitted was applied: keep the handle with the task and set the first poll; a
    task given up meanwhile (the execution was stopped while the call was out) is cancelled."""
    task = batch.db.task_of(arn, task_id)
    if task is None:
        return
    if task.status == "closed":
        _cancel_after_commit(batch, task, handle)
        return
    batch.db.set_child(task.token, json.dumps(handle, separators=(",", ":")))
    _set_poll(batch, arn, task_id, FIRST_POLL)


# ---- 2. polls -----------------------------------------------------------------------------------
def poll_due(batch: Batch, arn: str, task_id: str) -> None:
    """A poll timer fired (its row taken): ask after the job, unless the task has ended."""
    task = batch.db.task_of(arn, task_id)
    if task is None or task.status == "closed" or not task.target:
        return
    runner = _runner(batch, task)
    if runner is None:
        return
    _set_poll(batch, arn, task_id, SAFETY)
    resource = parse_task_resource(task.resource)
    handle = json.loads(task.target)

    def ask(executor: Executor) -> None:
        def work() -> None:
            state = _poll(runner, task, resource, handle)
            executor.enqueue(lambda later: polled(later, arn, task_id, state))

        executor.runtime.pool.submit(work)

    batch.after.append(ask)


def _poll(runner: JobRunner, task: TaskRecord, resource: TaskResource, handle: dict[str, Any]) -> JobState:
    try:
        return runner.poll_job(resource, handle)
    except TaskError as failure:
        if failure.error.endswith(".SdkClientException"):  # the service is away: ask again later
            log.warning("could not ask after the job of %s: %s", task.execution_arn, failure.cause)
            return JobRunning()
        return JobEnded(error=failure.error, cause=failure.cause)
    except Exception as bug:
        log.exception(
            "polling the job of task %s of %s failed inside stepwell", task.task_id, task.execution_arn
        )
        return JobEnded(error="States.TaskFailed", cause=str(bug))


def polled(batch: Batch, arn: str, task_id: str, state: JobState) -> None:
    """The Describe call's answer: poll again later, or end the task."""
    task = batch.db.task_of(arn, task_id)
    if task is None or task.status == "closed":
        return  # it timed out, was stopped, or a SendTask* call ended it meanwhile
    if isinstance(state, JobRunning):
        age = batch.runtime.clock() - task.created
        _set_poll(batch, arn, task_id, next_poll(age, batch.runtime.sync_poll_seconds))
        return
    event: Event
    if state.error is None:
        event = TaskSucceeded(**batch.event_args(), task_id=task_id, output=state.output)
    else:
        event = TaskFailed(**batch.event_args(), task_id=task_id, error=state.error, cause=state.cause)
    batch.step(arn, event)


def _set_poll(batch: Batch, arn: str, task_id: str, delay: float) -> None:
    due = batch.runtime.clock() + delay
    timer_id = poll_timer(task_id)
    batch.db.add_timer(arn, timer_id, due)
    batch.after.append(lambda executor: executor.add_timer(due, arn, timer_id))


# ---- 3. cancelling ------------------------------------------------------------------------------
def is_job(task: TaskRecord) -> bool:
    """Whether the row is a ``.sync`` job of an optimized integration whose start was answered."""
    return bool(task.target) and task.kind == SERVICE and parse_task_resource(task.resource).pattern == SYNC


def abandon(batch: Batch, task: TaskRecord) -> None:
    """The engine will not wait for the job any more: stop it (best effort, after the commit)."""
    if task.target:
        _cancel_after_commit(batch, task, json.loads(task.target))


def _cancel_after_commit(batch: Batch, task: TaskRecord, handle: dict[str, Any]) -> None:
    runner = _runner(batch, task)
    if runner is None:
        return
    resource = parse_task_resource(task.resource)

    def cancel() -> None:
        try:
            runner.cancel_job(resource, handle)
        except Exception:
            log.exception("could not cancel the job of %s", task.execution_arn)

    batch.after.append(lambda executor: executor.runtime.pool.submit(cancel))


def _runner(batch: Batch, task: TaskRecord) -> JobRunner | None:
    invokers = batch.runtime.invokers
    return invokers.job_runner(parse_task_resource(task.resource)) if invokers is not None else None
