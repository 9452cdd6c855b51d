"""Task states: schedule the call, then turn the runtime's reports into history and output.

The history a Task writes depends on its resource's form (reference §6.3, §7.2):
a Lambda function ARN writes LambdaFunction* events, an activity ARN Activity* events, and an
``arn:aws:states:::service:action`` resource Task* events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stepwell.asl import model as m
from stepwell.asl.resources import (
    ACTIVITY_EVENTS,
    LAMBDA_EVENTS,
    TASK_EVENTS,
    TaskResource,
)
from stepwell.engine.commands import DEADLINE, CancelTask, InvokeTask, StartTimer
from stepwell.engine.dataflow import (
    evaluate_assign,
    jsonata_output,
    jsonpath_output,
    resolve,
    select,
    select_result,
)
from stepwell.engine.events import Event, TaskFailed, TaskHeartbeat, TaskStarted, TaskSubmitted, TaskSucceeded
from stepwell.engine.history import NOT_TRUNCATED, exceeds_payload_limit, to_json
from stepwell.engine.injected import with_injections
from stepwell.engine.snapshot import Frame, ReaderWork, TaskWork
from stepwell.errors import (
    DATA_LIMIT_EXCEEDED,
    QUERY_EVALUATION_ERROR,
    RUNTIME,
    TIMEOUT,
    EvaluationError,
    WorkflowError,
)

if TYPE_CHECKING:
    from stepwell.engine.advance import Interpreter


def run_task(it: Interpreter, frame: Frame, state: m.State) -> None:
    assert isinstance(state, m.TaskState)
    target = state.target
    token = _token(it) if target.needs_token else None
    scope = it.scope(frame, frame.input, task_token=token, retry_count=True)
    if state.is_jsonata:
        payload = state.arguments.evaluate(scope) if state.arguments is not None else frame.input
    else:
        effective = select(state.input_path, scope)
        payload = state.parameters.evaluate(scope.with_input(effective)) if state.parameters else effective
    payload = with_injections(target, payload)
    timeout = timeout_seconds_of(state.timeout_seconds, scope)
    heartbeat = timeout_seconds_of(state.heartbeat_seconds, scope)
    text = to_json(payload)
    if exceeds_payload_limit(text):
        raise WorkflowError(
            DATA_LIMIT_EXCEEDED,
            f"The state/task '{state.name}' has an input with a size exceeding "
            "the maximum number of bytes service limit.",
        )
    snap = it.snap
    task_id = snap.next_id("t")
    frame.work = TaskWork(task_id, heartbeat)
    history = it.history
    resource = target.history_resource
    events = target.events
    if events == LAMBDA_EVENTS:
        details: dict[str, Any] = {"resource": resource, "input": text, "inputDetails": NOT_TRUNCATED}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        history.add("LambdaFunctionScheduled", frame, details)
        history.add("LambdaFunctionStarted", frame)
    elif events == ACTIVITY_EVENTS:
        details = {"resource": resource, "input": text, "inputDetails": NOT_TRUNCATED}
        _timeouts(details, timeout, heartbeat)
        history.add("ActivityScheduled", frame, details)
    else:
        details = {
            "resourceType": target.resource_type,
            "resource": resource,
            "region": _region(it),
            "parameters": text,
        }
        _timeouts(details, timeout, heartbeat)
        history.add("TaskScheduled", frame, details)
        history.add("TaskStarted", frame, {"resourceType": target.resource_type, "resource": resource})
    frame.waiting = "task"
    snap.open_tasks[task_id] = frame.id
    it.commands.append(
        InvokeTask(
            task_id=task_id,
            resource=state.resource,
            payload=payload,
            state_name=state.name,
            attempt=frame.retry_total,
            timeout_seconds=timeout,
            heartbeat_seconds=heartbeat,
            task_token=token,
            target=target,
        )
    )
    if timeout is not None:
        _start_timer(it, frame, f"{task_id}/timeout", it.now + timeout)
    if heartbeat is not None:
        _restart_heartbeat(it, frame, heartbeat)


def on_task_event(it: Interpreter, frame: Frame, event: Event) -> None:
    state = it.states[frame.state or ""]
    assert isinstance(state, m.TaskState)
    if isinstance(event, TaskStarted):
        if state.target.events == ACTIVITY_EVENTS:
            it.history.add("ActivityStarted", frame, {"workerName": event.worker_name or ""})
    elif isinstance(event, TaskSubmitted):
        text = to_json(event.output)
        it.history.add("TaskSubmitted", frame, _service_details(state.target, output=text))
    elif isinstance(event, TaskHeartbeat):
        work = frame.work
        assert isinstance(work, TaskWork)
        if work.heartbeat_seconds is not None:
            _restart_heartbeat(it, frame, work.heartbeat_seconds)
    elif isinstance(event, TaskSucceeded):
        _close(it, frame)
        it.guarded(frame, state, lambda: _succeeded(it, frame, state, event.output))
        it.runnable.append(frame)
    elif isinstance(event, TaskFailed):
        _close(it, frame)
        _record_failure(it, frame, state, "Failed", event.error, event.cause)
        it.state_failed(frame, state, event.error or "", event.cause)
        it.runnable.append(frame)


def on_task_timeout(it: Interpreter, frame: Frame, heartbeat: bool) -> None:
    state = it.states[frame.state or ""]
    assert isinstance(state, m.TaskState)
    work = frame.work
    assert isinstance(work, TaskWork)
    _close(it, frame)
    it.commands.append(CancelTask(work.task_id))
    _record_failure(it, frame, state, "TimedOut", TIMEOUT, None)
    it.state_failed(frame, state, TIMEOUT, None, heartbeat=heartbeat)
    it.runnable.append(frame)


def abort_task(it: Interpreter, frame: Frame) -> None:
    """The Task's frame is being aborted: stop the call and forget its timers."""
    work = frame.work
    if isinstance(work, TaskWork) and work.task_id in it.snap.open_tasks:
        _close(it, frame)
        it.commands.append(CancelTask(work.task_id))
    elif isinstance(work, ReaderWork) and it.snap.open_tasks.pop(work.task_id, None) is not None:
        it.commands.append(CancelTask(work.task_id))  # a Distributed Map's ItemReader


def _succeeded(it: Interpreter, frame: Frame, state: m.TaskState, result: Any) -> None:
    target = state.target
    text = to_json(result)
    events = target.events
    if exceeds_payload_limit(text):
        # AWS records an oversized result as the task's failure, which a catcher may handle.
        who = target.history_resource if events == LAMBDA_EVENTS else target.resource_type
        cause = (
            f"The state/task '{who}' returned a result with a size exceeding "
            "the maximum number of bytes service limit."
        )
        _record_failure(it, frame, state, "Failed", DATA_LIMIT_EXCEEDED, cause)
        it.state_failed(frame, state, DATA_LIMIT_EXCEEDED, cause, terminal=False)
        return
    if events == TASK_EVENTS:
        it.history.add("TaskSucceeded", frame, _service_details(target, output=text))
    else:
        it.history.add(events + "Succeeded", frame, {"output": text, "outputDetails": NOT_TRUNCATED})
    finish_with_result(it, frame, state, result)


def finish_with_result(
    it: Interpreter, frame: Frame, state: m.State, result: Any, exit_previous: int | None = None
) -> None:
    """Result -> output and Assign, for Task, Parallel and Map states (``exit_previous``: the
    …StateExited event's previousEventId, when it is not the frame's latest event)."""
    scope = it.scope(frame, frame.input, retry_count=True)
    if state.is_jsonata:
        extra = {"result": result}
        output = jsonata_output(state.output, scope, result, extra)
        assigned = evaluate_assign(state.assign, scope, extra)
    else:
        result = select_result(state, scope, result)
        assigned = evaluate_assign(state.assign, scope.with_input(result))
        output = jsonpath_output(state, scope, frame.input, result)
    it.exit(frame, state, output, assigned, previous=exit_previous)


def _record_failure(
    it: Interpreter, frame: Frame, state: m.TaskState, what: str, error: str | None, cause: str | None
) -> None:
    target = state.target
    details: dict[str, Any] = {}
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    if target.events == TASK_EVENTS:
        details = _service_details(target, **details)
    it.history.add(target.events + what, frame, details)


def _service_details(target: TaskResource, **fields: Any) -> dict[str, Any]:
    details: dict[str, Any] = {"resourceType": target.resource_type, "resource": target.history_resource}
    if "output" in fields:
        details["output"] = fields.pop("output")
        details["outputDetails"] = NOT_TRUNCATED
    details.update(fields)
    return details


def _close(it: Interpreter, frame: Frame) -> None:
    work = frame.work
    assert isinstance(work, TaskWork)
    task_id = work.task_id
    it.snap.open_tasks.pop(task_id, None)
    # A task owns at most its timeout and its current heartbeat timer: drop them by name (a scan
    # of every open timer would make a Map of many timed tasks quadratic).
    it.snap.open_timers.pop(f"{task_id}/timeout", None)
    it.snap.open_timers.pop(f"{task_id}/hb{work.hb}/heartbeat", None)
    frame.waiting = None


def _start_timer(it: Interpreter, frame: Frame, timer_id: str, due: float) -> None:
    it.snap.open_timers[timer_id] = frame.id
    it.commands.append(StartTimer(timer_id, due, DEADLINE))


def _restart_heartbeat(it: Interpreter, frame: Frame, seconds: float) -> None:
    work = frame.work
    assert isinstance(work, TaskWork)
    task_id = work.task_id
    it.snap.open_timers.pop(f"{task_id}/hb{work.hb}/heartbeat", None)
    work.hb += 1
    _start_timer(it, frame, f"{task_id}/hb{work.hb}/heartbeat", it.now + seconds)


def _timeouts(details: dict[str, Any], timeout: float | None, heartbeat: float | None) -> None:
    if timeout is not None:
        details["timeoutInSeconds"] = timeout
    if heartbeat is not None:
        details["heartbeatInSeconds"] = heartbeat


def timeout_seconds_of(field: m.Dynamic | None, scope: Any) -> int | None:
    """TimeoutSeconds / HeartbeatSeconds: a positive whole number of seconds."""
    if field is None:
        return None
    value = resolve(field, scope)
    whole = isinstance(value, int) and not isinstance(value, bool)
    if whole and value > 0:
        return int(value)
    if field.path is not None:
        problem = "cannot be parsed as a long value" if not whole else "references a non-positive value"
        raise EvaluationError(
            RUNTIME, f"The {field.field} parameter {problem}: {field.path_text} == {_quoted(value)}"
        )
    raise EvaluationError(
        QUERY_EVALUATION_ERROR,
        f"The {field.field} field must be a positive integer, but was {to_json(value)}",
        location=field.field,
    )


def _quoted(value: Any) -> str:
    return value if isinstance(value, str) else to_json(value)


def _token(it: Interpreter) -> str:
    return it.entropy.uuid4().replace("-", "") + it.entropy.uuid4().replace("-", "")


def _region(it: Interpreter) -> str:
    parts = it.snap.execution.execution_arn.split(":")
    return parts[3] if len(parts) > 3 else "us-east-1"
