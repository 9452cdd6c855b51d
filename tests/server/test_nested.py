"""Nested executions over HTTP (reference §7.2, §6.3, §13.4): ``states:startExecution`` as
request-response, ``.sync`` (Input/Output as JSON strings), ``.sync:2`` (parsed JSON) and
``.waitForTaskToken``; a failing child; stopping a ``.sync`` parent stops its child."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.server.support import (
    PARKED,
    PASS,
    SUBMITTED_TASK_EVENTS,
    WAIT,
    create_machine,
    details,
    event_types,
    history,
    task_machine,
    unique,
    wait_for,
    wait_for_event,
)

START = "arn:aws:states:::states:startExecution"
# The child adds a field to its input.
CHILD = {
    "StartAt": "Add",
    "States": {"Add": {"Type": "Pass", "Result": "from the child", "ResultPath": "$.child", "End": True}},
}
FAILING_CHILD = {
    "StartAt": "F",
    "States": {"F": {"Type": "Fail", "Error": "Child.Error", "Cause": "the child gave up"}},
}


def _parent(sfn: Any, suffix: str, child: str, **parameters: Any) -> str:
    return task_machine(
        sfn,
        {
            "Resource": START + suffix,
            "Parameters": {"StateMachineArn": child, "Input": {"value.$": "$.value"}, **parameters},
        },
    )


def _children(sfn: Any, child_machine: str) -> list[dict[str, Any]]:
    return list(sfn.list_executions(stateMachineArn=child_machine)["executions"])


def _one_child(sfn: Any, child_machine: str, status: str | None = None) -> dict[str, Any]:
    """The one execution of ``child_machine``, once it exists (and has ``status``)."""
    deadline = time.monotonic() + WAIT
    while True:
        children = _children(sfn, child_machine)
        if children and (status is None or children[0]["status"] == status):
            assert len(children) == 1, children
            return children[0]
        assert time.monotonic() < deadline, f"no child execution of {child_machine}"
        time.sleep(0.03)


def test_request_response_starts_the_child_and_goes_on(sfn: Any) -> None:
    child = create_machine(sfn, CHILD)
    parent = _parent(sfn, "", child)
    described = wait_for(
        sfn, sfn.start_execution(stateMachineArn=parent, input='{"value": 3}')["executionArn"]
    )

    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert {"ExecutionArn", "StartDate"} <= set(output)
    assert isinstance(output["StartDate"], (int, float))
    started = wait_for(sfn, output["ExecutionArn"])
    assert started["stateMachineArn"] == child
    assert started["status"] == "SUCCEEDED"
    assert json.loads(started["input"]) == {"value": 3}
    assert json.loads(started["output"]) == {"value": 3, "child": "from the child"}


def test_the_start_execution_response_carries_sdk_metadata(sfn: Any) -> None:
    """Recorded against AWS (LocalStack snapshots test_sfn_task_service::test_start_execution and
    test_callback::test_start_execution_sync): {ExecutionArn, SdkHttpMetadata{AllHttpHeaders,
    HttpHeaders, HttpStatusCode: 200}, SdkResponseMetadata{RequestId}, StartDate}."""
    child = create_machine(sfn, CHILD)
    request_response = wait_for(
        sfn,
        sfn.start_execution(stateMachineArn=_parent(sfn, "", child), input='{"value": 1}')["executionArn"],
    )
    sync = sfn.start_execution(stateMachineArn=_parent(sfn, ".sync", child), input='{"value": 1}')
    submitted = json.loads(details(wait_for_event(sfn, sync["executionArn"], "TaskSubmitted"))["output"])
    for response in (json.loads(request_response["output"]), submitted):
        assert response["SdkHttpMetadata"]["HttpStatusCode"] == 200
        assert response["SdkResponseMetadata"]["RequestId"]


def test_a_null_input_starts_the_child_with_an_empty_object(sfn: Any) -> None:
    """Recorded against AWS (LocalStack snapshot test_callback::test_start_execution_sync2): the
    parameters {"Input": null, ...} give the child the input {} ("Input": {} in the output)."""
    child = create_machine(sfn, PASS)
    parent = task_machine(
        sfn, {"Resource": START + ".sync:2", "Parameters": {"StateMachineArn": child, "Input.$": "$.nothing"}}
    )
    described = wait_for(
        sfn, sfn.start_execution(stateMachineArn=parent, input='{"nothing": null}')["executionArn"]
    )
    assert json.loads(described["output"])["Input"] == {}


def test_sync_waits_and_returns_strings(sfn: Any) -> None:
    child = create_machine(sfn, CHILD)
    parent = _parent(sfn, ".sync", child)
    arn = sfn.start_execution(stateMachineArn=parent, input='{"value": 5}')["executionArn"]

    described = wait_for(sfn, arn)

    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    child_execution = _one_child(sfn, child)
    assert output["ExecutionArn"] == child_execution["executionArn"]
    assert output["StateMachineArn"] == child
    assert output["Name"] == child_execution["name"]
    assert output["Status"] == "SUCCEEDED"
    assert isinstance(output["Input"], str)
    assert isinstance(output["Output"], str)
    assert json.loads(output["Input"]) == {"value": 5}
    assert json.loads(output["Output"]) == {"value": 5, "child": "from the child"}
    assert output["InputDetails"] == {"Included": True}
    assert output["OutputDetails"] == {"Included": True}
    assert output["StopDate"] >= output["StartDate"]
    assert event_types(history(sfn, arn)) == SUBMITTED_TASK_EVENTS


def test_sync_2_returns_parsed_json(sfn: Any) -> None:
    child = create_machine(sfn, CHILD)
    parent = _parent(sfn, ".sync:2", child)
    arn = sfn.start_execution(stateMachineArn=parent, input='{"value": [1, 2]}')["executionArn"]

    output = json.loads(wait_for(sfn, arn)["output"])

    assert output["Input"] == {"value": [1, 2]}
    assert output["Output"] == {"value": [1, 2], "child": "from the child"}
    assert output["Status"] == "SUCCEEDED"
    submitted = wait_for_event(sfn, arn, "TaskSubmitted")
    assert details(submitted)["resource"] == "startExecution.sync:2"
    assert json.loads(details(submitted)["output"])["ExecutionArn"] == output["ExecutionArn"]


def test_the_child_gets_the_given_name(sfn: Any) -> None:
    child = create_machine(sfn, CHILD)
    name = unique("child")
    parent = _parent(sfn, ".sync", child, Name=name)
    described = wait_for(
        sfn, sfn.start_execution(stateMachineArn=parent, input='{"value": 0}')["executionArn"]
    )
    assert json.loads(described["output"])["Name"] == name
    assert _one_child(sfn, child)["name"] == name


def test_a_string_input_is_passed_as_is(sfn: Any) -> None:
    child = create_machine(sfn, CHILD)
    parent = task_machine(
        sfn, {"Resource": START + ".sync:2", "Parameters": {"StateMachineArn": child, "Input": '{"s": 1}'}}
    )
    output = json.loads(wait_for(sfn, sfn.start_execution(stateMachineArn=parent)["executionArn"])["output"])
    assert output["Input"] == {"s": 1}


def test_a_failing_child_fails_the_task(sfn: Any) -> None:
    child = create_machine(sfn, FAILING_CHILD)
    parent = _parent(sfn, ".sync", child)
    arn = sfn.start_execution(stateMachineArn=parent, input='{"value": 1}')["executionArn"]

    described = wait_for(sfn, arn)

    assert described["status"] == "FAILED"
    assert described["error"] == "States.TaskFailed"
    cause = json.loads(described["cause"])  # the child's DescribeExecution output
    child_execution = _one_child(sfn, child)
    assert cause["ExecutionArn"] == child_execution["executionArn"]
    assert cause["Status"] == "FAILED"
    assert cause["Error"] == "Child.Error"
    assert cause["Cause"] == "the child gave up"
    assert cause["StateMachineArn"] == child
    assert json.loads(cause["Input"]) == {"value": 1}
    assert "Output" not in cause
    failed = [e for e in history(sfn, arn) if e["type"] == "TaskFailed"]
    assert details(failed[0])["resource"] == "startExecution.sync"


def test_a_failing_child_can_be_caught(sfn: Any) -> None:
    child = create_machine(sfn, FAILING_CHILD)
    definition = {
        "StartAt": "Child",
        "States": {
            "Child": {
                "Type": "Task",
                "Resource": START + ".sync:2",
                "Parameters": {"StateMachineArn": child},
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Pass", "End": True},
        },
    }
    parent = create_machine(sfn, definition)
    described = wait_for(sfn, sfn.start_execution(stateMachineArn=parent)["executionArn"])
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert output["Error"] == "States.TaskFailed"
    assert json.loads(output["Cause"])["Error"] == "Child.Error"


def test_wait_for_task_token(sfn: Any) -> None:
    """The child gets the parent's token in its input; whoever holds it resumes the parent."""
    child = create_machine(sfn, CHILD)
    parent = task_machine(
        sfn,
        {
            "Resource": START + ".waitForTaskToken",
            "Parameters": {"StateMachineArn": child, "Input": {"token.$": "$$.Task.Token"}},
        },
    )
    arn = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    child_execution = wait_for(sfn, _one_child(sfn, child)["executionArn"])
    assert child_execution["status"] == "SUCCEEDED"
    wait_for_event(sfn, arn, "TaskSubmitted")
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"  # the child's end is not enough

    token = json.loads(child_execution["input"])["token"]
    sfn.send_task_success(taskToken=token, output='{"resumed": "by hand"}')

    described = wait_for(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"resumed": "by hand"}


def test_stopping_a_sync_parent_stops_its_child(sfn: Any) -> None:
    child = create_machine(sfn, PARKED)
    parent = _parent(sfn, ".sync", child)
    arn = sfn.start_execution(stateMachineArn=parent, input='{"value": 0}')["executionArn"]
    running = _one_child(sfn, child, "RUNNING")
    wait_for_event(sfn, arn, "TaskSubmitted")

    sfn.stop_execution(executionArn=arn, error="Parent.Stopped")

    assert wait_for(sfn, arn)["status"] == "ABORTED"
    assert wait_for(sfn, running["executionArn"])["status"] == "ABORTED"


def test_stopping_a_request_response_parent_leaves_its_child(sfn: Any) -> None:
    child = create_machine(sfn, PARKED)
    parent = create_machine(
        sfn,
        {
            "StartAt": "Start",
            "States": {
                "Start": {
                    "Type": "Task",
                    "Resource": START,
                    "Parameters": {"StateMachineArn": child},
                    "Next": "Park",
                },
                "Park": {"Type": "Wait", "Seconds": 600, "End": True},
            },
        },
    )
    arn = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    wait_for_event(sfn, arn, "WaitStateEntered")
    running = _one_child(sfn, child, "RUNNING")
    sfn.stop_execution(executionArn=arn)
    assert wait_for(sfn, arn)["status"] == "ABORTED"
    time.sleep(0.2)
    assert sfn.describe_execution(executionArn=running["executionArn"])["status"] == "RUNNING"
    sfn.stop_execution(executionArn=running["executionArn"])


def test_a_missing_child_machine(sfn: Any) -> None:
    missing = f"arn:aws:states:us-east-1:123456789012:stateMachine:{unique('missing')}"
    parent = _parent(sfn, ".sync", missing)
    described = wait_for(
        sfn, sfn.start_execution(stateMachineArn=parent, input='{"value": 0}')["executionArn"]
    )
    assert described["status"] == "FAILED"
    assert described["error"] == "StepFunctions.StateMachineDoesNotExistException"
    assert described["cause"].startswith(f"State Machine Does Not Exist: '{missing}'")


def test_a_child_name_already_taken(sfn: Any) -> None:
    child = create_machine(sfn, CHILD)
    name = unique("taken")
    sfn.start_execution(stateMachineArn=child, name=name, input="{}")
    parent = _parent(sfn, ".sync", child, Name=name)
    described = wait_for(
        sfn, sfn.start_execution(stateMachineArn=parent, input='{"value": 0}')["executionArn"]
    )
    assert described["status"] == "FAILED"
    assert described["error"] == "StepFunctions.ExecutionAlreadyExistsException"
