"""Task calls of Standard executions: the outbox row, and who carries the call out.

A Task's resource decides its kind:

    function   a Lambda function (plain function ARN, lambda:invoke[.waitForTaskToken])
    service    any other integration (http:invoke, aws-sdk:*, sqs:sendMessage, ...)
               both called through the runtime's invokers, on its thread pool, after the commit
    activity   an activity ARN: the row waits in the activity's queue for GetActivityTask
    child      states:startExecution[.sync|.sync:2|.waitForTaskToken]: a nested execution,
               started by the executor in a later transaction
    mock       any of these, in an execution that runs a mocked test case (``<arn>#<TestCase>``)
               whose file names the state: answered from the file after the commit

A driver without callbacks or nested executions of its own (the in-process runner: Runtime's
``callbacks`` and ``nested_executions``) hands activities and states:startExecution to the
invokers as it does functions (``_called``).

A function or service row is written "started" when its call goes out right after the commit, or
"queued" while it waits for a place (dispatch.py: one per worker process or task thread); a queued
call becomes "started" in the transaction that frees its place. After a crash, recovery fails a
started call as in flight (it may have run: never run twice silently) and simply calls a queued one
(``redispatch_call``).

Callback tokens (``.waitForTaskToken``, activities) are the rows' primary keys: SendTask* find the
task by its token. A row stays (status "closed") after the task ends, so a late SendTask* gets
TaskTimedOut rather than InvalidToken. Rows keep their state's name: a mocked state's invocations
are counted from them.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

from stepwell.asl import jsoncodec
from stepwell.asl.resources import (
    ACTIVITY,
    CHILD,
    FUNCTION,
    SERVICE,
    SYNC,
    SYNC2,
    WAIT_FOR_TASK_TOKEN,
    TaskResource,
    parse_task_resource,
)
from stepwell.engine.commands import Finish, InvokeTask
from stepwell.engine.events import (
    Event,
    StopRequested,
    TaskFailed,
    TaskSubmitted,
    TaskSucceeded,
)
from stepwell.errors import ServiceError
from stepwell.runtime import ids, sync_jobs
from stepwell.runtime.dispatch import THREADS, WORKERS, Call, Dispatcher
from stepwell.runtime.invokers.base import task_call
from stepwell.runtime.mocks import MockThrow, Outcome, UnknownTestCase
from stepwell.runtime.outcomes import call_outcome, mocked_events
from stepwell.runtime.store.records import MachineRecord, Parent, TaskRecord

if TYPE_CHECKING:
    from stepwell.runtime.batch import Batch, Live
    from stepwell.runtime.executor import Executor
    from stepwell.runtime.runtime import Runtime

log = logging.getLogger("stepwell.tasks")

MOCK = "mock"  # a row's kind, besides the resource kinds (asl/resources.py)


def child_mode(resource: TaskResource) -> str | None:
    """How a nested execution's parent waits, as its ``Parent.mode`` says: None (request-response),
    "sync", "sync:2" or "token" (.waitForTaskToken)."""
    return _CHILD_MODES[resource.pattern]


_CHILD_MODES = {"": None, SYNC: "sync", SYNC2: "sync:2", WAIT_FOR_TASK_TOKEN: "token"}


def schedule(batch: Batch, live: Live, command: InvokeTask) -> None:
    """Write the outbox row; act after the commit."""
    kind = command.target.kind
    outcome = _mocked(batch, live, command)
    token = command.task_token or secrets.token_urlsafe(32)
    called = outcome is None and _called(batch.runtime, kind)
    # "scheduled" is what the other kinds say, and what calls written before places existed say.
    status = _dispatcher(batch).call(batch, _call(batch, live.arn, command, token)) if called else "scheduled"
    live.wrote_rows = True
    waits_for_worker = kind == ACTIVITY and not called and outcome is None
    batch.db.insert_task(
        TaskRecord(
            token=token,
            execution_arn=live.arn,
            task_id=command.task_id,
            kind=MOCK if outcome is not None else kind,
            resource=command.resource,
            payload=jsoncodec.dumps_text(command.payload),
            status=status,
            activity_arn=command.target.activity_arn if waits_for_worker else None,
            created=batch.runtime.clock(),
            heartbeat_seconds=command.heartbeat_seconds,
            state_name=command.state_name,
            timeout_seconds=command.timeout_seconds,
            attempt=command.attempt,
        )
    )
    arn = live.arn
    if outcome is not None:
        batch.after.append(lambda executor: answer_from_mock(executor, arn, command, outcome))
    elif called:
        pass  # the dispatcher sends it when it has a place (dispatch.py)
    elif waits_for_worker:
        batch.db.notify(ACTIVITY, command.resource)  # pollers on other nodes
        batch.after.append(lambda executor: batch.runtime.activity_ready(command.resource))
    else:
        batch.after.append(
            lambda executor: executor.submit(
                lambda later: start_child(later, arn, command.task_id, command.payload, command.resource)
            )
        )


def _called(runtime: Runtime, kind: str) -> bool:
    """Whether the invokers carry the task out: functions and services always; an activity when
    the driver has no workers to wait for (outcomes.py refuses it then, unless a callable stands
    in), a nested execution when the driver does not start executions of its own (the in-process
    runner: the invokers refuse states:startExecution, as they did before the drivers were one)."""
    if kind in (FUNCTION, SERVICE):
        return True
    if kind == ACTIVITY:
        return not runtime.callbacks
    return kind == CHILD and not runtime.nested_executions


def _mocked(batch: Batch, live: Live, command: InvokeTask) -> Outcome | None:
    """The mock file's answer when the execution runs a test case that names this state."""
    if live.test_case is None:
        return None
    machine_name = live.machine_arn.rsplit(":", 1)[-1]
    try:
        case = batch.runtime.test_case(machine_name, live.test_case)
    except UnknownTestCase as gone:  # the file changed since the execution started
        return MockThrow("States.Runtime", gone.message)
    if not case.mocks(command.state_name):
        return None
    return case.outcome(command.state_name, batch.db.count_invocations(live.arn, command.state_name))


def answer_from_mock(executor: Executor, arn: str, command: InvokeTask, outcome: Outcome) -> None:
    for event in mocked_events(command.target, command.task_id, outcome, executor.runtime.clock):
        executor.deliver(arn, event)


def _dispatcher(batch: Batch) -> Dispatcher:
    dispatcher = batch.runtime.dispatcher
    assert dispatcher is not None, "the executor sets it"
    return dispatcher


def _call(batch: Batch, arn: str, command: InvokeTask, token: str) -> Call:
    invokers = batch.runtime.invokers
    on_workers = invokers is not None and invokers.on_worker_pool(task_call(command, arn))
    return Call(arn, command, token, WORKERS if on_workers else THREADS)


def call_invoker(executor: Executor, dispatched: Call) -> None:
    """Carry the call out on the runtime's thread pool (its row says "started", committed); its
    outcome comes back as an event, applied where its place passes to the next call."""
    runtime = executor.runtime
    invokers = runtime.invokers
    assert invokers is not None  # the runtime sets it
    call = task_call(dispatched.command, dispatched.arn)

    runner = invokers.job_runner(call.resource)

    def work() -> None:
        task_id = dispatched.command.task_id
        handle = None
        if runner is not None:  # a .sync job: the start call now, polls later (sync_jobs.py)
            event, handle = sync_jobs.start(runner, call, task_id, runtime.clock)
        else:
            event = call_outcome(invokers, call, task_id, runtime.clock, callbacks=runtime.callbacks)
        executor.enqueue(lambda batch: _finished(batch, dispatched, event, handle))

    runtime.pool.submit(work)


def _finished(batch: Batch, dispatched: Call, event: Event, job: dict[str, Any] | None = None) -> None:
    _dispatcher(batch).finished(batch, dispatched)
    batch.step(dispatched.arn, event)
    if job is not None:
        sync_jobs.follow(batch, dispatched.arn, dispatched.command.task_id, job)


def redispatch_call(batch: Batch, live: Live, task: TaskRecord) -> None:
    """After a restart: call again a function or service call that was still queued (never handed
    over, so it never ran), exactly as it was asked for."""
    resource = task.resource
    command = InvokeTask(
        task_id=task.task_id,
        resource=resource,
        payload=jsoncodec.loads(task.payload, limits=False),
        state_name=task.state_name or "",
        attempt=task.attempt or 0,
        timeout_seconds=task.timeout_seconds,
        heartbeat_seconds=task.heartbeat_seconds,
        # the row's key is the engine's token when the engine made one for the call
        task_token=task.token if parse_task_resource(resource).needs_token else None,
    )
    _dispatcher(batch).requeue(batch, _call(batch, live.arn, command, task.token))


def cancel(batch: Batch, live: Live, task_id: str) -> None:
    """The engine gave up on a task (timeout, a sibling's failure, StopExecution)."""
    task = batch.db.task_of(live.arn, task_id)
    if task is None or task.status == "closed":
        return
    batch.db.close_task(live.arn, task_id)
    abandon(batch, live, task)


def abandon(batch: Batch, live: Live, task: TaskRecord) -> None:
    """A task that will not be waited for: a .sync child is stopped with its parent, a .sync job
    cancelled."""
    if sync_jobs.is_job(task):
        sync_jobs.abandon(batch, task)
    elif task.kind == CHILD and task.target and parse_task_resource(task.resource).pattern in (SYNC, SYNC2):
        stop = StopRequested(**batch.event_args(), error=None, cause=None)
        batch.step(task.target, stop)


# ---- nested executions ------------------------------------------------------------------------
def start_child(batch: Batch, parent_arn: str, task_id: str, payload: Any, resource: str) -> None:
    """Start the child execution a states:startExecution task asked for (idempotent by name)."""
    mode = child_mode(parse_task_resource(resource))
    task = batch.db.task_of(parent_arn, task_id)
    if task is None or task.status != "scheduled":
        return  # cancelled meanwhile, or already started
    request = payload if isinstance(payload, dict) else {}
    try:
        machine, name, text, value = _child_request(batch, request, task_id)
        child_arn, started = batch.start_execution(
            machine, name, text, value, parent=Parent(parent_arn, task_id, mode)
        )
    except ServiceError as refused:
        event: Event = TaskFailed(
            **batch.event_args(),
            task_id=task_id,
            error=f"StepFunctions.{refused.code}Exception",
            cause=_sdk_cause(refused),
        )
        batch.step(parent_arn, event)
        return
    batch.db.set_child(task.token, child_arn)
    response = {"ExecutionArn": child_arn, **sdk_metadata(), "StartDate": _millis(started)}
    if mode is None:
        batch.step(parent_arn, TaskSucceeded(**batch.event_args(), task_id=task_id, output=response))
    else:
        batch.step(parent_arn, TaskSubmitted(**batch.event_args(), task_id=task_id, output=response))
    for held in batch.held.pop(child_arn, []):  # the child ended before its parent heard it started
        held()


def _child_request(
    batch: Batch, request: dict[str, Any], task_id: str
) -> tuple[MachineRecord, str, str, Any]:
    machine_arn = request.get("StateMachineArn")
    machine = batch.db.state_machine(machine_arn) if isinstance(machine_arn, str) else None
    if machine is None or machine.status != "ACTIVE":
        raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{machine_arn}'")
    if machine.type != "STANDARD":
        raise ServiceError(
            "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine"
        )
    given = request.get("Input")
    if given is None:  # recorded: "Input": null starts the child with {}
        given = {}
    if isinstance(given, str):
        try:
            value = jsoncodec.loads(given)
        except ValueError as bad:
            raise ServiceError(
                "InvalidExecutionInput", f"Invalid State Machine Execution Input: '{bad}'"
            ) from None
        text = given
    else:
        value, text = given, jsoncodec.dumps_text(given)
    name = request.get("Name") or ids.uuid4()
    return machine, str(name), text, value


def _sdk_cause(refused: ServiceError) -> str:
    return (
        f"{refused.message} (Service: AWSStepFunctions; Status Code: 400; Error Code: {refused.code}; "
        f"Request ID: {ids.uuid4()}; Proxy: null)"
    )


def child_finished(batch: Batch, live: Live, finish: Finish) -> None:
    """A .sync child ended: its parent's task succeeds with the DescribeExecution-like output, or
    fails with States.TaskFailed whose cause is that output (reference §13.4)."""
    parent = live.parent
    child = batch.record(live.arn)
    assert child is not None and parent is not None
    parsed = parent.mode == "sync:2"
    output_text = jsoncodec.dumps_text(finish.output) if finish.status == "SUCCEEDED" else None
    described: dict[str, Any] = {
        "ExecutionArn": live.arn,
        "Input": jsoncodec.loads(child.input, limits=False) if parsed else child.input,
        "InputDetails": {"Included": True},
        "Name": child.name,
    }
    if output_text is not None:
        described["Output"] = finish.output if parsed else output_text
        described["OutputDetails"] = {"Included": True}
    described |= {
        "StartDate": _millis(child.started),
        "StateMachineArn": child.state_machine_arn,
        "Status": finish.status,
        "StopDate": _millis(batch.runtime.clock()),
    }
    if finish.error is not None:
        described["Error"] = finish.error
    if finish.cause is not None:
        described["Cause"] = finish.cause
    task_id = parent.task_id
    event: Event
    if finish.status == "SUCCEEDED":
        event = TaskSucceeded(**batch.event_args(), task_id=task_id, output=described)
    else:
        event = TaskFailed(
            **batch.event_args(),
            task_id=task_id,
            error="States.TaskFailed",
            cause=jsoncodec.dumps_text(described),
        )
    parent_arn = parent.execution
    submitted = batch.db.task_of(parent_arn, task_id)
    if submitted is not None and submitted.status == "scheduled":
        batch.held.setdefault(live.arn, []).append(lambda: batch.step(parent_arn, event))
    else:
        batch.step(parent_arn, event)


def redispatch_child(batch: Batch, live: Live, task: TaskRecord) -> None:
    payload = jsoncodec.loads(task.payload, limits=False)
    batch.after.append(
        lambda executor: executor.submit(
            lambda later: start_child(later, live.arn, task.task_id, payload, task.resource)
        )
    )


def sdk_metadata() -> dict[str, Any]:
    """What the AWS Java SDK adds to every response an integration task records."""
    request_id = ids.uuid4()
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "x-amzn-RequestId": [request_id],
                "Content-Length": ["0"],
                "Content-Type": ["application/x-amz-json-1.0"],
            },
            "HttpHeaders": {
                "x-amzn-RequestId": request_id,
                "Content-Length": "0",
                "Content-Type": "application/x-amz-json-1.0",
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def _millis(epoch_seconds: float) -> int:
    return int(epoch_seconds * 1000)
