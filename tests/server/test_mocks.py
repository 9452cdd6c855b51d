"""Mocked test cases through the server: StartExecution on ``<stateMachineArn>#<TestCase>``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.process import ServerProcess
from tests.server.support import ACCOUNT_PREFIX, ROLE, aws_error, details, event_types, history, wait_for

ACTIVITY = f"{ACCOUNT_PREFIX}:activity:never-polled"
MOCKS = {
    "StateMachines": {
        "Shop": {
            "TestCases": {
                "Happy": {
                    "Reserve": "Reserved",
                    "Approve": "Approved",
                    "Ship": "Shipped",
                    "Audit": "Audited",
                },
                "Flaky": {
                    "Reserve": "ReserveFlaky",
                    "Approve": "Approved",
                    "Ship": "Shipped",
                    "Audit": "Audited",
                },
            }
        }
    },
    "MockedResponses": {
        "Reserved": {"0": {"Return": {"StatusCode": 200, "Payload": {"reserved": 2}}}},
        "ReserveFlaky": {
            "0-1": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "busy"}},
            "2": {"Return": {"StatusCode": 200, "Payload": {"reserved": 1}}},
        },
        "Approved": {"0": {"Return": {"approved": True}}},
        "Shipped": {"0": {"Return": {"carrier": "post"}}},
        "Audited": {"0": {"Return": {"ExecutionArn": "arn:child", "Output": "{}"}}},
    },
}
SHOP = {
    "StartAt": "Reserve",
    "States": {
        "Reserve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "reserve", "Payload.$": "$"},
            "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            "ResultSelector": {"reserved.$": "$.Payload.reserved"},
            "ResultPath": "$.stock",
            "Next": "Approve",
        },
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "https://sqs/approvals", "MessageBody": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.approval",
            "Next": "Ship",
        },
        "Ship": {"Type": "Task", "Resource": ACTIVITY, "ResultPath": "$.shipping", "Next": "Audit"},
        "Audit": {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": f"{ACCOUNT_PREFIX}:stateMachine:missing"},
            "End": True,
        },
    },
}


@pytest.fixture(scope="module")
def mocked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("mocks")
    config = Path(folder) / "MockConfigFile.json"
    config.write_text(json.dumps(MOCKS))
    process = ServerProcess(
        folder / "stepwell.db", extra=["--mock-config", str(config), "--wait-time-scale", "0"]
    )
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def client(mocked: ServerProcess) -> Any:
    sfn = mocked.client()
    sfn.create_activity(name="never-polled")
    sfn.create_state_machine(name="Shop", definition=json.dumps(SHOP), roleArn=ROLE)
    return sfn


SHOP_ARN = f"{ACCOUNT_PREFIX}:stateMachine:Shop"


def test_a_test_case_answers_every_task_form_from_the_file(client: Any) -> None:
    started = client.start_execution(stateMachineArn=f"{SHOP_ARN}#Happy", input='{"sku": "a"}')
    assert started["executionArn"].startswith(f"{ACCOUNT_PREFIX}:execution:Shop:")
    described = wait_for(client, started["executionArn"])
    assert described["status"] == "SUCCEEDED", described
    assert described["stateMachineArn"] == SHOP_ARN
    assert json.loads(described["output"]) == {"ExecutionArn": "arn:child", "Output": "{}"}
    events = history(client, started["executionArn"])
    types = event_types(events)
    # The activity reads as an activity's history does; its "worker" is the mock.
    assert types[types.index("ActivityScheduled") : types.index("ActivitySucceeded") + 1] == [
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
    ]
    started_event = next(e for e in events if e["type"] == "ActivityStarted")
    assert details(started_event)["workerName"] == "stepwell-mock"
    approve = [details(e) for e in events if e["type"] == "TaskSucceeded"]
    assert json.loads(approve[1]["output"]) == {"approved": True}


def test_retries_consume_the_numbered_responses(client: Any) -> None:
    started = client.start_execution(stateMachineArn=f"{SHOP_ARN}#Flaky", input="{}")
    described = wait_for(client, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    failures = [
        details(e)["error"] for e in history(client, started["executionArn"]) if e["type"] == "TaskFailed"
    ]
    assert failures == ["Lambda.ServiceException", "Lambda.ServiceException"]


def test_an_unknown_test_case_is_refused_before_anything_starts(client: Any) -> None:
    with aws_error("InvalidArn") as raised:
        client.start_execution(stateMachineArn=f"{SHOP_ARN}#Sad")
    assert "The test case 'Sad' is not defined for the state machine 'Shop'" in str(raised.value)
    assert client.list_executions(stateMachineArn=SHOP_ARN, statusFilter="FAILED")["executions"] == []


def test_without_a_mock_configuration_a_test_case_is_refused(sfn: Any) -> None:
    machine = sfn.create_state_machine(
        name="plain-" + json.dumps(1), definition=json.dumps(SHOP), roleArn=ROLE
    )["stateMachineArn"]
    with aws_error("InvalidArn") as raised:
        sfn.start_execution(stateMachineArn=f"{machine}#Happy")
    assert "runs without a mock configuration" in str(raised.value)
    sfn.delete_state_machine(stateMachineArn=machine)


def test_a_malformed_mock_file_stops_the_server_at_start_up(tmp_path: Path) -> None:
    config = tmp_path / "mocks.json"
    config.write_text('{"StateMachines": {}}')
    process = ServerProcess(tmp_path / "s.db", extra=["--mock-config", str(config)])
    with pytest.raises(RuntimeError, match="expected exactly the fields StateMachines, MockedResponses"):
        process.start()
