"""The audit log's records: redaction by botocore's model, CloudTrail's dates and identities,
read-only calls, and the writing thread (batched, whole at close)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from stepwell.api.shapes import OPERATION_SHAPES, SHAPES
from stepwell.audit import HIDDEN, AuditLog, Call, Redaction, cloudtrail_date, is_read_only, user_identity

REDACTION = Redaction(SHAPES, OPERATION_SHAPES)
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:m"


def call(**fields: object) -> Call:
    values: dict[str, object] = {
        "completed": 1764748800.9,
        "operation": "StartExecution",
        "target": "AWSStepFunctions.StartExecution",
        "parameters": {"stateMachineArn": MACHINE, "input": '{"card": "4111"}'},
        "output": {"executionArn": MACHINE + ":e", "startDate": 1764748800.123},
        "error_code": None,
        "error_message": None,
        "principal": None,
        "request_id": "r-1",
        "source_ip": "127.0.0.1",
        "user_agent": "Boto3/1.43",
    }
    values.update(fields)
    return Call(**values)  # type: ignore[arg-type]


def test_every_sensitive_member_is_hidden_however_deep() -> None:
    tested = REDACTION.request(
        "TestState",
        {
            "definition": "{}",
            "roleArn": "arn:aws:iam::1:role/r",
            "input": "{}",
            "variables": "{}",
            "stateName": "S",
        },
    )
    assert tested == {
        "definition": HIDDEN,
        "roleArn": "arn:aws:iam::1:role/r",
        "input": HIDDEN,
        "variables": HIDDEN,
        "stateName": HIDDEN,
    }
    assert REDACTION.request("SendTaskSuccess", {"taskToken": "t0k3n", "output": "{}"}) == {
        "taskToken": HIDDEN,
        "output": HIDDEN,
    }
    history = REDACTION.response(
        "GetExecutionHistory",
        {
            "events": [
                {
                    "timestamp": 1764748800.0,
                    "type": "ExecutionStarted",
                    "id": 1,
                    "previousEventId": 0,
                    "executionStartedEventDetails": {
                        "input": "{}",
                        "roleArn": "r",
                        "inputDetails": {"truncated": False},
                    },
                }
            ]
        },
    )
    assert history["events"][0]["executionStartedEventDetails"] == {
        "input": HIDDEN,
        "roleArn": "r",
        "inputDetails": {"truncated": False},
    }
    assert history["events"][0]["timestamp"] == "Dec 3, 2025 8:00:00 AM"


def test_members_the_model_does_not_declare_are_left_out() -> None:
    described = REDACTION.response(
        "DescribeStateMachine",
        {"stateMachineArn": MACHINE, "definition": "{}", "variableReferences": {"S": ["x"]}, "internal": 1},
    )
    assert described == {"stateMachineArn": MACHINE, "definition": HIDDEN, "variableReferences": HIDDEN}


def test_dates_read_as_cloudtrail_writes_them() -> None:
    assert cloudtrail_date(datetime(2026, 12, 3, 8, 0, 0, tzinfo=UTC)) == "Dec 3, 2026 8:00:00 AM"
    assert cloudtrail_date(datetime(2026, 5, 1, 13, 5, 9, tzinfo=UTC)) == "May 1, 2026 1:05:09 PM"
    assert cloudtrail_date(datetime(2026, 5, 1, 0, 0, 1, tzinfo=UTC).timestamp()) == "May 1, 2026 12:00:01 AM"


def test_read_only_calls_are_the_read_and_list_access_levels() -> None:
    assert [op for op in ("DescribeExecution", "ListExecutions", "GetExecutionHistory") if is_read_only(op)]
    assert is_read_only("ValidateStateMachineDefinition")
    assert not is_read_only("GetActivityTask")  # it hands a task out: Write
    assert not is_read_only("TestState") and not is_read_only("StartExecution")


def test_a_verified_principal_is_named_and_none_is_unknown() -> None:
    alice = SimpleNamespace(
        name="alice", arn="arn:aws:iam::111122223333:user/alice", access_key_id="AKIAALICE"
    )
    assert user_identity(alice, "123456789012") == {
        "type": "IAMUser",
        "principalId": "alice",
        "arn": "arn:aws:iam::111122223333:user/alice",
        "accountId": "111122223333",
        "accessKeyId": "AKIAALICE",
        "userName": "alice",
    }
    assert user_identity(None, "123456789012") == {"type": "Unknown"}


def test_records_are_appended_in_batches_and_whole_at_close(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b'{"earlier": true}\n')
    audit = AuditLog.open(str(path), REDACTION, account="123456789012", region="us-east-1")
    for n in range(50):
        audit.record(call(request_id=f"r-{n}"))
    missing = "Execution Does Not Exist: 'x'"
    audit.record(call(operation="DescribeExecution", parameters={"executionArn": "x"}, output=None,
                      error_code="ExecutionDoesNotExist", error_message=missing))  # fmt: skip
    audit.record(call(operation=None, target="AWSStepFunctions.Nope", parameters=None, output=None,
                      error_code="UnknownOperationException", error_message=""))  # fmt: skip
    audit.close()
    lines = path.read_text().splitlines()
    assert lines[0] == '{"earlier": true}'
    records = [json.loads(line) for line in lines[1:]]
    assert [r["requestID"] for r in records[:50]] == [f"r-{n}" for n in range(50)]
    started = records[0]
    assert started["requestParameters"] == {"stateMachineArn": MACHINE, "input": HIDDEN}
    assert started["responseElements"] == {
        "executionArn": MACHINE + ":e",
        "startDate": "Dec 3, 2025 8:00:00 AM",
    }
    assert started["eventTime"] == "2025-12-03T08:00:00Z"
    assert "errorCode" not in started
    refused, unknown = records[50], records[51]
    assert (refused["errorCode"], refused["responseElements"], refused["readOnly"]) == (
        "ExecutionDoesNotExist",
        None,
        True,
    )
    assert refused["requestParameters"] == {"executionArn": "x"}
    assert (unknown["eventName"], unknown["errorCode"], unknown["requestParameters"]) == (
        "Nope",
        "UnknownOperationException",
        None,
    )
