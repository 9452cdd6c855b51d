"""Callbacks over HTTP (reference §7.1): ``lambda:invoke.waitForTaskToken`` calls a registered
function with ``$$.Task.Token`` in its payload, records TaskSubmitted, and waits for
SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat, or TimeoutSeconds / HeartbeatSeconds."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.server.support import (
    SUBMITTED_TASK_EVENTS,
    aws_error,
    details,
    event_types,
    history,
    task_machine,
    wait_for,
    wait_for_event,
)

INVALID_TOKEN = "Invalid Token: 'Invalid token'"
TASK_TIMED_OUT = "Task Timed Out: 'Provided task does not exist anymore'"
CALLBACK = "arn:aws:states:::lambda:invoke.waitForTaskToken"


def _callback_machine(sfn: Any, **task: Any) -> str:
    return task_machine(
        sfn,
        {
            "Resource": CALLBACK,
            "Parameters": {"FunctionName": "echo", "Payload": {"token.$": "$$.Task.Token", "job.$": "$.job"}},
            **task,
        },
    )


def _submitted(sfn: Any, machine: str, job: Any = "j1") -> tuple[str, str, dict[str, Any]]:
    """Start an execution and wait until the function was called: (execution, token, the
    TaskSubmitted event)."""
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"job": job}))["executionArn"]
    submitted = wait_for_event(sfn, arn, "TaskSubmitted")
    payload = json.loads(details(submitted)["output"])["Payload"]
    assert payload["job"] == job  # the function got the payload, token and all
    return arn, str(payload["token"]), submitted


def test_a_callback_that_comes_before_its_call_returns_follows_task_submitted(sfn: Any, server: Any) -> None:
    """AWS records TaskSubmitted (the call's answer) before the callback's TaskSucceeded, even
    when the callback is sent before the call has returned."""
    endpoint = f"http://127.0.0.1:{server.port}"
    payload = {"token.$": "$$.Task.Token", "endpoint": endpoint, "seconds": 0.3}
    machine = task_machine(
        sfn,
        {"Resource": CALLBACK, "Parameters": {"FunctionName": "answer_before_returning", "Payload": payload}},
    )
    arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    described = wait_for(sfn, arn)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"early": True}
    types = event_types(history(sfn, arn))
    assert types.index("TaskSubmitted") < types.index("TaskSucceeded")


def test_send_task_success_resumes(sfn: Any) -> None:
    machine = _callback_machine(sfn)
    arn, token, submitted = _submitted(sfn, machine)
    submitted_details = details(submitted)
    assert submitted_details["resourceType"] == "lambda"
    assert submitted_details["resource"] == "invoke.waitForTaskToken"
    assert json.loads(submitted_details["output"])["StatusCode"] == 200
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"

    sfn.send_task_success(taskToken=token, output='{"approved": true}')

    described = wait_for(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"approved": True}
    events = history(sfn, arn)
    assert event_types(events) == SUBMITTED_TASK_EVENTS
    scheduled = details(events[2])
    assert scheduled["resourceType"] == "lambda"
    assert scheduled["resource"] == "invoke.waitForTaskToken"
    assert scheduled["region"] == "us-east-1"
    assert json.loads(scheduled["parameters"])["Payload"] == {"token": token, "job": "j1"}
    assert json.loads(details(events[5])["output"]) == {"approved": True}


def test_send_task_failure_fails_the_task(sfn: Any) -> None:
    machine = _callback_machine(sfn)
    arn, token, _ = _submitted(sfn, machine)

    sfn.send_task_failure(taskToken=token, error="Approval.Denied", cause="the reviewer said no")

    described = wait_for(sfn, arn)
    assert described["status"] == "FAILED"
    assert described["error"] == "Approval.Denied"
    assert described["cause"] == "the reviewer said no"
    failed = [e for e in history(sfn, arn) if e["type"] == "TaskFailed"]
    assert len(failed) == 1
    assert details(failed[0]) == {
        "resourceType": "lambda",
        "resource": "invoke.waitForTaskToken",
        "error": "Approval.Denied",
        "cause": "the reviewer said no",
    }


def test_a_callback_failure_can_be_retried(sfn: Any) -> None:
    machine = _callback_machine(
        sfn, Retry=[{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 1, "BackoffRate": 1}]
    )
    arn, first, _ = _submitted(sfn, machine)
    sfn.send_task_failure(taskToken=first, error="Flaky")
    deadline = time.monotonic() + 10
    while True:  # the retry calls the function again, with a new token
        submitted = [e for e in history(sfn, arn) if e["type"] == "TaskSubmitted"]
        if len(submitted) == 2:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = json.loads(details(submitted[1])["output"])["Payload"]["token"]
    assert second != first
    with aws_error("TaskTimedOut", TASK_TIMED_OUT):
        sfn.send_task_success(taskToken=first, output="{}")
    sfn.send_task_success(taskToken=second, output='"second time"')
    assert json.loads(wait_for(sfn, arn)["output"]) == "second time"


def test_timeout_seconds(sfn: Any) -> None:
    machine = _callback_machine(sfn, TimeoutSeconds=1)
    arn, token, _ = _submitted(sfn, machine)

    described = wait_for(sfn, arn)

    assert described["status"] == "FAILED"
    assert described["error"] == "States.Timeout"
    assert "cause" not in described
    events = history(sfn, arn)
    assert event_types(events)[-3:] == ["TaskSubmitted", "TaskTimedOut", "ExecutionFailed"]
    timed_out = details(events[-2])
    assert timed_out["error"] == "States.Timeout"
    assert timed_out["resourceType"] == "lambda"
    with aws_error("TaskTimedOut", TASK_TIMED_OUT):
        sfn.send_task_success(taskToken=token, output="{}")


def test_heartbeat_seconds(sfn: Any) -> None:
    machine = _callback_machine(sfn, HeartbeatSeconds=1, TimeoutSeconds=30)
    alive, token, _ = _submitted(sfn, machine)
    silent, _, _ = _submitted(sfn, machine)
    for _ in range(5):  # 1.5 s in all
        time.sleep(0.3)
        sfn.send_task_heartbeat(taskToken=token)
    assert sfn.describe_execution(executionArn=alive)["status"] == "RUNNING"
    assert wait_for(sfn, silent)["error"] == "States.Timeout"
    sfn.send_task_success(taskToken=token, output="{}")
    assert wait_for(sfn, alive)["status"] == "SUCCEEDED"


def test_an_unknown_token(sfn: Any) -> None:
    with aws_error("InvalidToken", INVALID_TOKEN):
        sfn.send_task_success(taskToken="no-such-token", output="{}")
    with aws_error("InvalidToken", INVALID_TOKEN):
        sfn.send_task_failure(taskToken="no-such-token", error="E")
    with aws_error("InvalidToken", INVALID_TOKEN):
        sfn.send_task_heartbeat(taskToken="no-such-token")


def test_a_closed_token(sfn: Any) -> None:
    machine = _callback_machine(sfn)
    arn, token, _ = _submitted(sfn, machine)
    sfn.send_task_success(taskToken=token, output="{}")
    wait_for(sfn, arn)
    with aws_error("TaskTimedOut", TASK_TIMED_OUT):
        sfn.send_task_success(taskToken=token, output="{}")
    with aws_error("TaskTimedOut", TASK_TIMED_OUT):
        sfn.send_task_failure(taskToken=token)
    with aws_error("TaskTimedOut", TASK_TIMED_OUT):
        sfn.send_task_heartbeat(taskToken=token)


def test_stop_closes_the_token(sfn: Any) -> None:
    machine = _callback_machine(sfn)
    arn, token, _ = _submitted(sfn, machine)
    sfn.stop_execution(executionArn=arn, error="Stopped", cause="by the test")
    assert wait_for(sfn, arn)["status"] == "ABORTED"
    with aws_error("TaskTimedOut", TASK_TIMED_OUT):
        sfn.send_task_success(taskToken=token, output="{}")


def test_the_result_goes_through_result_selector_and_result_path(sfn: Any) -> None:
    machine = _callback_machine(sfn, ResultSelector={"ok.$": "$.approved"}, ResultPath="$.review")
    arn, token, _ = _submitted(sfn, machine, job="j9")
    sfn.send_task_success(taskToken=token, output='{"approved": "yes", "extra": 1}')
    assert json.loads(wait_for(sfn, arn)["output"]) == {"job": "j9", "review": {"ok": "yes"}}
