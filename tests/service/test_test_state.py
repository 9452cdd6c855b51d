"""TestState's behaviour, run in process: statuses, data-flow stages, Retry/Catch, Map and Parallel
mocks, the context object and variables (expected values recorded against AWS, see
../shared/conformance/api/cases/testState__*.json)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stepwell.errors import ServiceError
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.service.test_state import run_test_state

ROLE = "arn:aws:iam::123456789012:role/tester"
LAMBDA = "arn:aws:states:::lambda:invoke"
MAP_JSONATA: dict[str, Any] = {
    "Type": "Map",
    "QueryLanguage": "JSONata",
    "Items": "{% $states.input.Values %}",
    "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "TestState",
        "States": {"TestState": {"Type": "Task", "Resource": LAMBDA, "End": True}},
    },
    "ToleratedFailureCount": 1,
    "End": True,
}
PARALLEL = {
    "Type": "Parallel",
    "Branches": [
        {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
        {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "End": True}}},
    ],
    "End": True,
}


def no_call(call: TaskCall) -> Any:
    raise AssertionError(f"no call was expected, got one to {call.resource.arn}")


def run(definition: dict[str, Any], *, call_task: Any = no_call, **request: Any) -> dict[str, Any]:
    """TestState with the JSON members given as values (sent as text, as the API carries them)."""
    body: dict[str, Any] = {"definition": json.dumps(definition)}
    for key, value in request.items():
        body[key] = json.dumps(value) if key in ("input", "variables", "context") else value
    if isinstance(body.get("mock"), dict) and "result" in body["mock"]:
        body["mock"] = {**body["mock"], "result": json.dumps(body["mock"]["result"])}
    return run_test_state(
        body, account="123456789012", region="us-east-1", now=1_700_000_000.0, seed="s", call_task=call_task
    )


def refused(definition: dict[str, Any], **request: Any) -> tuple[str, str]:
    with pytest.raises(ServiceError) as refusal:
        run(definition, **request)
    return refusal.value.code, refusal.value.message


def parsed(response: dict[str, Any]) -> dict[str, Any]:
    """inspectionData with its JSON text members read."""
    data = response["inspectionData"]
    return {k: json.loads(v) if isinstance(v, str) else v for k, v in data.items()}


# ---- inspection levels and data-flow stages -----------------------------------------------
def test_info_shows_output_status_and_next_state_only() -> None:
    response = run({"Type": "Pass", "Next": "Later"}, input={"Value": "HelloWorld"})
    assert response == {"status": "SUCCEEDED", "output": '{"Value":"HelloWorld"}', "nextState": "Later"}


def test_debug_shows_every_jsonpath_stage_of_a_pass_state() -> None:
    definition = {
        "Type": "Pass",
        "InputPath": "$.initialData",
        "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
        "ResultPath": "$.modifiedData",
        "End": True,
    }
    given = {"initialData": {"fieldFromInput": "value from input"}, "unrelatedData": 1}
    response = run(definition, input=given, inspectionLevel="DEBUG")
    after_parameters = {"staticValue": "some value", "inputValue": "value from input"}
    assert parsed(response) == {
        "input": given,
        "afterInputPath": {"fieldFromInput": "value from input"},
        "afterParameters": after_parameters,
        "afterResultSelector": after_parameters,
        "afterResultPath": {**given, "modifiedData": after_parameters},
    }


def test_a_pass_result_replaces_input_path_and_parameters_in_the_stages() -> None:
    definition = {"Type": "Pass", "InputPath": "$.a", "Parameters": {"p": 1}, "Result": {"r": 2}, "End": True}
    data = parsed(run(definition, input={"a": {}}, inspectionLevel="TRACE"))
    assert set(data) == {"input", "result", "afterResultSelector", "afterResultPath"}
    assert data["result"] == {"r": 2}


def test_choice_reports_the_chosen_next_state() -> None:
    definition = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.value", "NumericGreaterThanEquals": 20, "Next": "Big"}],
        "Default": "Small",
    }
    response = run(definition, input={"value": 22}, inspectionLevel="DEBUG")
    assert response["nextState"] == "Big"
    assert parsed(response) == {"input": {"value": 22}, "afterInputPath": {"value": 22}}
    assert run(definition, input={"value": 1})["nextState"] == "Small"


def test_fail_state_fails_with_its_error_and_cause() -> None:
    definition = {
        "Type": "Fail",
        "Error": "SomeFailure",
        "Cause": "This state machines raises a 'SomeFailure' failure.",
    }
    response = run(definition, input={"v": 1}, inspectionLevel="TRACE")
    assert response["status"] == "FAILED"
    assert (response["error"], response["cause"]) == ("SomeFailure", definition["Cause"])
    assert parsed(response) == {"input": {"v": 1}, "afterInputPath": {"v": 1}}


def test_state_name_tests_one_state_of_a_whole_machine() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "State0",
        "States": {"State0": {"Type": "Pass", "Next": "State1"}, "State1": {"Type": "Succeed"}},
    }
    response = run(machine, stateName="State0", input={"Value": "HelloWorld"}, inspectionLevel="TRACE")
    assert response["nextState"] == "State1"
    assert parsed(response) == {"input": {"Value": "HelloWorld"}}
    assert refused(machine, stateName="dne") == ("ValidationException", "State not found in definition")


def test_variables_are_read_and_shown_after_the_state() -> None:
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {
                "QueryLanguage": "JSONata",
                "Type": "Pass",
                "Output": {
                    "sum": "{% $sum($states.input.values) + $constant %}",
                    "name": "{% $states.context.State.Name %}",
                },
                "Assign": {"assigned": "{% $constant + 1 %}"},
                "End": True,
            }
        },
    }
    response = run(
        machine,
        stateName="State0",
        input={"values": [1, 2, 3]},
        variables={"constant": 10},
        inspectionLevel="DEBUG",
    )
    assert json.loads(response["output"]) == {"sum": 16, "name": "StateName"}
    assert parsed(response)["variables"] == {"constant": 10, "assigned": 11}


# ---- Task: mocks, real calls, Retry and Catch ------------------------------------------------
def test_a_mocked_task_result_goes_through_result_selector_and_result_path() -> None:
    definition = {
        "Type": "Task",
        "Resource": LAMBDA,
        "Parameters": {"FunctionName.$": "$.f"},
        "ResultSelector": {"out.$": "$.Payload"},
        "ResultPath": "$.r",
        "End": True,
    }
    response = run(definition, input={"f": "x"}, mock={"result": {"Payload": 7}}, inspectionLevel="DEBUG")
    assert json.loads(response["output"]) == {"f": "x", "r": {"out": 7}}
    data = parsed(response)
    assert data["afterParameters"] == {"FunctionName": "x"}
    assert data["result"] == {"Payload": 7}
    assert data["afterResultSelector"] == {"out": 7}


def test_without_a_mock_the_task_is_called_with_its_parameters() -> None:
    calls: list[TaskCall] = []

    def call(task: TaskCall) -> Any:
        calls.append(task)
        return {"doubled": task.payload["n"] * 2}

    definition = {"Type": "Task", "Resource": LAMBDA, "Parameters": {"n.$": "$.n"}, "End": True}
    response = run(definition, input={"n": 21}, roleArn=ROLE, call_task=call)
    assert response == {"status": "SUCCEEDED", "output": '{"doubled":42}'}
    assert calls[0].payload == {"n": 21} and calls[0].resource.arn == LAMBDA


def test_a_called_task_that_fails_is_the_states_failure() -> None:
    def call(task: TaskCall) -> Any:
        raise TaskError("Lambda.Unknown", "it broke")

    definition = {"Type": "Task", "Resource": LAMBDA, "End": True}
    response = run(definition, roleArn=ROLE, call_task=call)
    assert response == {"status": "FAILED", "error": "Lambda.Unknown", "cause": "it broke"}


RETRYING = {
    "QueryLanguage": "JSONata",
    "Type": "Task",
    "Resource": LAMBDA,
    "Arguments": {"FunctionName": "foo", "Payload": "bar"},
    "Retry": [{"ErrorEquals": ["MockException"], "IntervalSeconds": 1, "MaxAttempts": 5, "BackoffRate": 2.0}],
    "End": True,
}
MOCK_ERROR = {"errorOutput": {"error": "MockException", "cause": "Mock the cause of the error."}}


def test_a_retrier_with_attempts_left_makes_the_state_retriable() -> None:
    response = run(
        RETRYING, mock=MOCK_ERROR, stateConfiguration={"retrierRetryCount": 4}, inspectionLevel="DEBUG"
    )
    assert response["status"] == "RETRIABLE"
    assert (response["error"], response["cause"]) == ("MockException", "Mock the cause of the error.")
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 16}
    assert parsed(response)["afterArguments"] == {"FunctionName": "foo", "Payload": "bar"}


def test_an_exhausted_retrier_fails_the_state() -> None:
    response = run(
        RETRYING, mock=MOCK_ERROR, stateConfiguration={"retrierRetryCount": 5}, inspectionLevel="TRACE"
    )
    assert response["status"] == "FAILED"
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 0}


def test_a_catcher_catches_with_its_output_and_next_state() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "Type": "Task",
        "Resource": LAMBDA,
        "Arguments": {"FunctionName": "foo"},
        "Catch": [
            {"ErrorEquals": ["Other"], "Next": "Nope"},
            {"ErrorEquals": ["States.TaskFailed"], "Output": "{% $states.errorOutput %}", "Next": "Handle"},
        ],
        "End": True,
    }
    mock = {"errorOutput": {"error": "States.TaskFailed", "cause": "The task failed."}}
    response = run(definition, mock=mock, inspectionLevel="DEBUG")
    assert response["status"] == "CAUGHT_ERROR"
    assert response["nextState"] == "Handle"
    assert json.loads(response["output"]) == {"Error": "States.TaskFailed", "Cause": "The task failed."}
    assert response["inspectionData"]["errorDetails"] == {"catchIndex": 1}


def test_the_default_context_object_is_an_express_executions() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "Type": "Task",
        "Resource": LAMBDA,
        "Arguments": {"FunctionName": "foo"},
        "Output": "{% $states.context %}",
        "End": True,
    }
    context = json.loads(run(definition, input={"v": 1}, roleArn=ROLE, mock={"result": {}})["output"])
    execution, machine = context["Execution"], context["StateMachine"]
    assert execution["Id"] == (
        f"arn:aws:states:us-east-1:123456789012:express:{machine['Name']}:{execution['Name']}"
    )
    assert machine["Id"] == f"arn:aws:states:us-east-1:123456789012:stateMachine:{machine['Name']}"
    assert (execution["Input"], execution["RoleArn"]) == ({"v": 1}, ROLE)
    assert context["State"] == {
        "Name": "StateName",
        "EnteredTime": "2023-11-14T22:13:20.000Z",
        "RetryCount": 0,
    }


def test_a_given_context_object_is_the_one_read() -> None:
    definition = {"Type": "Task", "Resource": LAMBDA, "ResultSelector": {"c.$": "$$"}, "End": True}
    given = {"Execution": {"Name": "mine"}}
    response = run(definition, context=given, mock={"result": {}})
    assert json.loads(response["output"]) == {"c": given}


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"Pokedex": {}}, "Invalid Context object provided: Field 'Pokedex' is not allowed"),
        ({"Execution": {"Id": 1}}, "Invalid Context object provided: Execution.Id must be a string"),
        (
            {"Task": {"Token": "abcd123"}},
            "Invalid Context object provided: Context object contains 'Task' when state is not a Task state "
            "with a '.sync' or '.waitForTaskToken' service integration pattern",
        ),
    ],
)
def test_a_wrong_context_object_is_refused(context: dict[str, Any], message: str) -> None:
    definition = {"Type": "Task", "Resource": LAMBDA, "End": True}
    assert refused(definition, context=context, mock={"result": {}}) == ("ValidationException", message)


# ---- Map and Parallel -------------------------------------------------------------------------
def test_a_mocked_map_reports_its_concurrency_and_tolerance() -> None:
    response = run(
        MAP_JSONATA, input={"Values": [1, 2, 3]}, mock={"result": [1, 1, 1]}, inspectionLevel="DEBUG"
    )
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == [1, 1, 1]
    assert parsed(response) == {
        "input": {"Values": [1, 2, 3]},
        "maxConcurrency": 0,
        "toleratedFailureCount": 1,
    }


def test_map_iteration_failures_beyond_the_threshold_fail_the_map() -> None:
    response = run(
        MAP_JSONATA,
        input={"Values": [1, 2, 3]},
        mock={"result": [0, 0, 1]},
        stateConfiguration={"mapIterationFailureCount": 2},
    )
    assert response == {
        "status": "FAILED",
        "error": "States.ExceedToleratedFailureThreshold",
        "cause": "The specified tolerated failure threshold was exceeded",
    }
    within = run(
        MAP_JSONATA,
        input={"Values": [1, 2, 3]},
        mock={"result": [0, 1, 1]},
        stateConfiguration={"mapIterationFailureCount": 1},
    )
    assert within["status"] == "SUCCEEDED"


def test_map_items_path_must_point_to_an_array() -> None:
    definition = {
        "Type": "Map",
        "ItemsPath": "$$.Execution.Input",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    response = run(definition, input=[1], context={"Execution": {"Input": {"a": 1}}}, mock={"result": []})
    assert response == {
        "status": "FAILED",
        "error": "States.Runtime",
        "cause": 'Reference path "$.Execution.Input" must point to array.',
    }


def test_a_mocked_parallel_result_goes_through_result_path() -> None:
    definition = {**PARALLEL, "ResultPath": "$.results"}
    response = run(definition, input={"k": 1}, mock={"result": [{"b": 1}, {"b": 2}]}, inspectionLevel="DEBUG")
    assert json.loads(response["output"]) == {"k": 1, "results": [{"b": 1}, {"b": 2}]}
    assert set(parsed(response)) == {"input", "afterResultSelector", "afterResultPath"}


# ---- refusals, in AWS's words -------------------------------------------------------------------
TASK = {"Type": "Task", "Resource": LAMBDA, "End": True}


@pytest.mark.parametrize(
    ("definition", "request_fields", "expected"),
    [
        (TASK, {}, ("ValidationException", "RoleArn must be specified when testing a Task state")),
        (
            TASK,
            {"mock": {"result": {}, "errorOutput": {"error": "E"}}},
            (
                "ValidationException",
                "A test mock should have only one of the following fields: [result, errorOutput].",
            ),
        ),
        (
            TASK,
            {"mock": {"result": {}}, "revealSecrets": True},
            ("ValidationException", "TestState does not support RevealSecrets when a mock is specified."),
        ),
        (
            {"Type": "Succeed"},
            {"mock": {"errorOutput": {"error": "E"}}},
            ("ValidationException", "State type 'Succeed' is not supported when a mock is specified"),
        ),
        (
            MAP_JSONATA,
            {"roleArn": ROLE},
            (
                "InvalidDefinition",
                "TestState API does not support Map or Parallel states. Supported state types include: "
                "[Task, Wait, Pass, Succeed, Fail, Choice]",
            ),
        ),
        (
            MAP_JSONATA,
            {"stateConfiguration": {"mapIterationFailureCount": 0}},
            (
                "ValidationException",
                "TestState does not support MapIterationFailureCount when a mock is not specified.",
            ),
        ),
        (
            MAP_JSONATA,
            {
                "input": {"Values": [1]},
                "mock": {"result": [1]},
                "stateConfiguration": {"mapIterationFailureCount": 2},
            },
            (
                "ValidationException",
                "Map iteration failure count must be less than or equal to the number of Map iterations",
            ),
        ),
        (
            PARALLEL,
            {"mock": {"result": {"a": 1}}},
            ("ValidationException", "Mocked result must be an array."),
        ),
        (
            PARALLEL,
            {"mock": {"result": [1]}},
            (
                "ValidationException",
                "Mocked result must contain the same number of items as number of Parallel branches.",
            ),
        ),
        (
            {"Type": "Parallel", "Branches": [], "End": True},
            {"mock": {"result": []}},
            (
                "InvalidDefinition",
                "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Value cannot be empty at "
                "/States/StateName/Branches'",
            ),
        ),
    ],
)
def test_requests_refused(
    definition: dict[str, Any], request_fields: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert refused(definition, **request_fields) == expected


# ---- HTTP Task at TRACE ---------------------------------------------------------------------
def test_trace_shows_an_http_tasks_request_and_response() -> None:
    def call(task: TaskCall) -> Any:
        headers = {"content-type": ["application/json"]}
        return {"Headers": headers, "ResponseBody": {"ok": True}, "StatusCode": 200, "StatusText": "OK"}

    definition = {
        "Type": "Task",
        "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {
            "ApiEndpoint": "https://example.com/orders",
            "Method": "POST",
            "QueryParameters": {"page": "2"},
            "RequestBody": {"id": 7},
        },
        "End": True,
    }
    response = run(definition, roleArn=ROLE, inspectionLevel="TRACE", call_task=call)
    data = response["inspectionData"]
    request = data["request"]
    assert (request["protocol"], request["method"], request["url"]) == (
        "https",
        "POST",
        "https://example.com/orders?page=2",
    )
    assert json.loads(request["body"]) == {"id": 7}
    assert request["headers"] == "Content-Type: application/json; charset=UTF-8"
    assert data["response"] == {
        "protocol": "https",
        "statusCode": "200",
        "statusMessage": "OK",
        "headers": "content-type: application/json",
        "body": '{"ok":true}',
    }
    assert (
        "request"
        not in run(definition, roleArn=ROLE, inspectionLevel="DEBUG", call_task=call)["inspectionData"]
    )
