"""What the server tests share: unique names, small definitions, waiting for an execution to
end, reading its whole history, expecting an AWS error, and raw HTTP for the protocol tests."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/stepwell-tests"
ACCOUNT_PREFIX = "arn:aws:states:us-east-1:123456789012"
TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
WAIT = 15.0  # seconds a test waits for something that should take well under a second

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
# A Distributed Map of Pass iterations, labelled "Each": each item is a child execution.
DISTRIBUTED_PASS = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "Label": "Each",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P",
                "States": {"P": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}
# A Wait that is never waited out: the tests that use it stop the execution themselves.
PARKED = {"StartAt": "Park", "States": {"Park": {"Type": "Wait", "Seconds": 600, "End": True}}}


def unique(prefix: str) -> str:
    """A name no other test (nor an earlier run on the same database) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def dumps(definition: dict[str, Any] | str) -> str:
    return definition if isinstance(definition, str) else json.dumps(definition)


def create_machine(
    sfn: Any, definition: dict[str, Any] | str, *, name: str | None = None, machine_type: str = "STANDARD"
) -> str:
    response = sfn.create_state_machine(
        name=name or unique("machine"), definition=dumps(definition), roleArn=ROLE, type=machine_type
    )
    return str(response["stateMachineArn"])


def task_machine(sfn: Any, task: dict[str, Any]) -> str:
    """A machine of one Task state (``task`` without Type and End)."""
    return create_machine(sfn, {"StartAt": "T", "States": {"T": {"Type": "Task", **task, "End": True}}})


def wait_for(sfn: Any, execution_arn: str, statuses: tuple[str, ...] = TERMINAL) -> dict[str, Any]:
    """DescribeExecution once the execution's status is one of ``statuses``."""
    deadline = time.monotonic() + WAIT
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] in statuses:
            return described
        if time.monotonic() > deadline:
            raise AssertionError(f"{execution_arn} is still {described['status']} after {WAIT}s")
        time.sleep(0.03)


def wait_for_event(sfn: Any, execution_arn: str, event_type: str) -> dict[str, Any]:
    """The first history event of ``event_type``, once it is there."""
    deadline = time.monotonic() + WAIT
    while True:
        found = [e for e in history(sfn, execution_arn) if e["type"] == event_type]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no {event_type} in the history of {execution_arn} after {WAIT}s")
        time.sleep(0.03)


def run(sfn: Any, machine_arn: str, execution_input: Any = None, **kwargs: Any) -> dict[str, Any]:
    """Start an execution and return its DescribeExecution once it has ended."""
    text = json.dumps({} if execution_input is None else execution_input)
    started = sfn.start_execution(stateMachineArn=machine_arn, input=text, **kwargs)
    return wait_for(sfn, started["executionArn"])


def history(sfn: Any, execution_arn: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every event, through GetExecutionHistory's paginator."""
    paginator = sfn.get_paginator("get_execution_history")
    return [e for page in paginator.paginate(executionArn=execution_arn, **kwargs) for e in page["events"]]


def event_types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def details(event: dict[str, Any]) -> dict[str, Any]:
    """The one ``...EventDetails`` member of a history event ({} when it has none)."""
    found = [v for k, v in event.items() if k.endswith("EventDetails")]
    return dict(found[0]) if found else {}


@contextmanager
def aws_error(code: str, message: str | None = None) -> Iterator[pytest.ExceptionInfo[ClientError]]:
    """Expect a call to fail with AWS's error ``code`` (and exactly ``message`` when given)."""
    with pytest.raises(ClientError) as raised:
        yield raised
    error = raised.value.response["Error"]
    assert error["Code"] == code, error
    if message is not None:
        assert error["Message"] == message


def error_message(raised: pytest.ExceptionInfo[ClientError]) -> str:
    return str(raised.value.response["Error"]["Message"])


def post(
    endpoint: str,
    body: bytes | dict[str, Any],
    target: str | None,
    content_type: str = "application/x-amz-json-1.0",
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """A raw AWS JSON 1.0 call: (HTTP status, JSON body, headers)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    request = urllib.request.Request(endpoint + "/", data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}"), dict(response.headers)
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}"), dict(refused.headers)


# A .sync or .waitForTaskToken Task's history (reference integrations §0: "TaskSubmitted").
SUBMITTED_TASK_EVENTS = [
    "ExecutionStarted",
    "TaskStateEntered",
    "TaskScheduled",
    "TaskStarted",
    "TaskSubmitted",
    "TaskSucceeded",
    "TaskStateExited",
    "ExecutionSucceeded",
]
