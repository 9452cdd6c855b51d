"""Step Functions Local's MockConfigFile: the file's rules, and test cases run in process."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stepwell.asl.parse import parse_definition
from stepwell.runtime.local import LocalRunner
from stepwell.runtime.mocks import MockConfig, MockConfigError, MockReturn, MockThrow, UnknownTestCase

RETRYING = {
    "StateMachines": {
        "Orders": {
            "TestCases": {
                "RetryPath": {"Charge": "ChargeFlaky", "Notify": "Sent"},
                "HybridPath": {"Charge": "ChargeOk"},
            }
        }
    },
    "MockedResponses": {
        "ChargeFlaky": {
            "0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "busy"}},
            "1-2": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
            "3": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}},
        },
        "ChargeOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}}},
        "Sent": {"0": {"Return": {"MessageId": "m-1", "MD5OfMessageBody": "x"}}},
    },
}

MACHINE = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            "ResultSelector": {"charged.$": "$.Payload.charged"},
            "Next": "Notify",
        },
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.approval",
            "End": True,
        },
    },
}


def _run(case_name: str, config: dict[str, Any] = RETRYING, machine: dict[str, Any] = MACHINE) -> Any:
    case = MockConfig.parse(config).test_case("Orders", case_name)
    runner = LocalRunner(wait_time_scale=0, test_case=case)
    return runner.run(parse_definition(json.dumps(machine)), {"order": 1}, machine_name="Orders")


def test_retries_consume_invocation_numbers_and_callbacks_answer_from_the_file() -> None:
    result = _run("RetryPath")
    assert result.status == "SUCCEEDED"
    assert result.output == {"charged": True, "approval": {"MessageId": "m-1", "MD5OfMessageBody": "x"}}
    types = [e["type"] for e in result.events]
    assert types.count("TaskFailed") == 3 and types.count("TaskSucceeded") == 2
    failed = [e["taskFailedEventDetails"] for e in result.events if e["type"] == "TaskFailed"]
    assert [f["error"] for f in failed] == [
        "Lambda.ServiceException",
        "Lambda.TooManyRequestsException",
        "Lambda.TooManyRequestsException",
    ]


def test_states_a_test_case_does_not_name_run_for_real() -> None:
    result = _run("HybridPath")  # Notify is not mocked: the in-process runner cannot wait for a token
    assert result.status == "FAILED"
    assert result.error == "States.TaskFailed"
    assert "mock the state" in (result.cause or "")


def test_a_call_past_the_last_numbered_response_fails_the_execution() -> None:
    config = json.loads(json.dumps(RETRYING))
    config["MockedResponses"]["ChargeFlaky"] = {"0-3": {"Throw": {"Error": "E", "Cause": "c"}}}
    machine = json.loads(json.dumps(MACHINE))
    machine["States"]["Charge"]["Retry"][0]["MaxAttempts"] = 5
    result = _run("RetryPath", config, machine)
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert "no response for invocation 4 of the state 'Charge'" in (result.cause or "")


def test_invocations_are_counted_per_state_across_loop_iterations() -> None:
    config = {
        "StateMachines": {"Poller": {"TestCases": {"Done": {"Status": "Statuses"}}}},
        "MockedResponses": {
            "Statuses": {
                "0-1": {"Return": {"status": "RUNNING"}},
                "2": {"Return": {"status": "SUCCEEDED"}},
            }
        },
    }
    machine = {
        "StartAt": "Status",
        "States": {
            "Status": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:batch:describeJobs",
                "Next": "Done?",
            },
            "Done?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.status", "StringEquals": "SUCCEEDED", "Next": "End"}],
                "Default": "Status",
            },
            "End": {"Type": "Succeed"},
        },
    }
    case = MockConfig.parse(config).test_case("Poller", "Done")
    result = LocalRunner(wait_time_scale=0, test_case=case).run(parse_definition(json.dumps(machine)), {})
    assert result.output == {"status": "SUCCEEDED"}
    assert [e["type"] for e in result.events].count("TaskScheduled") == 3


def test_the_file_is_read_whole_with_its_ranges() -> None:
    config = MockConfig.parse(RETRYING)
    case = config.test_case("Orders", "RetryPath")
    assert case.outcome("Charge", 0) == MockThrow("Lambda.ServiceException", "busy")
    assert case.outcome("Charge", 2) == MockThrow("Lambda.TooManyRequestsException", "slow down")
    assert case.outcome("Charge", 3) == MockReturn({"StatusCode": 200, "Payload": {"charged": True}})
    assert case.mocks("Charge") and not case.mocks("Elsewhere")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.pop("MockedResponses"), "expected exactly the fields StateMachines, MockedResponses"),
        (lambda c: c.update(Extra=1), "unexpected Extra"),
        (
            lambda c: c["StateMachines"]["Orders"]["TestCases"]["RetryPath"].update(Charge="Nope"),
            'names the mocked response "Nope", which MockedResponses does not define',
        ),
        (lambda c: c["MockedResponses"]["Sent"].update({"2": {"Return": 1}}), "invocation 1 has no response"),
        (
            lambda c: c["MockedResponses"]["Sent"].update({"0-1": {"Return": 1}}),
            "invocation 0 has more than one",
        ),
        (
            lambda c: c["MockedResponses"]["Sent"].update({"x": {"Return": 1}}),
            'keys are invocation numbers ("0")',
        ),
        (lambda c: c["MockedResponses"]["Sent"].update({"0": {}}), "exactly one of Return or Throw"),
        (
            lambda c: c["MockedResponses"]["Sent"].update({"0": {"Throw": {"Error": "E"}}}),
            "expected exactly the fields Error, Cause; missing Cause",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_where_the_mistake_is(change: Any, message: str) -> None:
    config = json.loads(json.dumps(RETRYING))
    change(config)
    with pytest.raises(MockConfigError, match=None) as raised:
        MockConfig.parse(config, "mocks.json")
    assert message in str(raised.value)
    assert str(raised.value).startswith("mocks.json")


def test_unknown_test_cases_and_files_are_named_in_the_error(tmp_path: Any) -> None:
    path = tmp_path / "mocks.json"
    path.write_text(json.dumps(RETRYING))
    with pytest.raises(UnknownTestCase, match="'Sad' is not defined for the state machine 'Orders'"):
        MockConfig.load(path).test_case("Orders", "Sad")
    path.write_text("{")
    with pytest.raises(MockConfigError, match="is not valid JSON"):
        MockConfig.load(path)
    with pytest.raises(MockConfigError, match="cannot read"):
        MockConfig.load(tmp_path / "missing.json")
    assert MockConfig.from_environment({}) is None
