"""`stepwell serve --audit-log FILE`: one CloudTrail-shaped record per API call, read back from the
file a real server wrote, with every secret of the calls hidden."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from tests.server.process import ServerProcess
from tests.server.support import ROLE, post, unique, wait_for

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
FIELDS = {
    "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
    "userAgent", "requestParameters", "responseElements", "requestID", "eventID", "readOnly", "eventType",
    "managementEvent", "recipientAccountId", "eventCategory",
}  # fmt: skip


def request_id(response: dict[str, Any]) -> str:
    return str(response["ResponseMetadata"]["RequestId"])


def _header(headers: dict[str, str], name: str) -> str:
    return next(value for key, value in headers.items() if key.lower() == name.lower())


def test_each_call_is_recorded_once_with_its_secrets_hidden(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    server = ServerProcess(tmp_path / "stepwell.db", extra=["--audit-log", str(audit)]).start()
    secret_input = json.dumps({"card": f"4111-{uuid.uuid4().hex}"})
    secret_state = f"Charge{uuid.uuid4().hex[:8]}"
    secret_output = json.dumps({"approved": uuid.uuid4().hex})
    ids: dict[str, str] = {}
    try:
        sfn = server.client()
        activity = sfn.create_activity(name=unique("audit"))["activityArn"]
        definition = {
            "StartAt": secret_state,
            "States": {secret_state: {"Type": "Task", "Resource": activity, "End": True}},
        }
        created = sfn.create_state_machine(
            name=unique("audit"), definition=json.dumps(definition), roleArn=ROLE
        )
        ids["create"] = request_id(created)
        machine = created["stateMachineArn"]
        started = sfn.start_execution(stateMachineArn=machine, input=secret_input)
        ids["start"] = request_id(started)
        task = sfn.get_activity_task(activityArn=activity, workerName="w")
        ids["get_task"] = request_id(task)
        token = task["taskToken"]
        ids["success"] = request_id(sfn.send_task_success(taskToken=token, output=secret_output))
        assert wait_for(sfn, started["executionArn"])["status"] == "SUCCEEDED"
        ids["list"] = request_id(sfn.list_state_machines())
        missing = f"{machine.replace(':stateMachine:', ':execution:')}:nope"
        try:
            sfn.describe_execution(executionArn=missing)
        except ClientError as refused:
            assert refused.response["Error"]["Code"] == "ExecutionDoesNotExist"
            ids["refused"] = request_id(refused.response)
        status, _, headers = post(server.endpoint, {}, "AWSStepFunctions.NoSuchThing")
        assert status == 400
        ids["bad_target"] = _header(headers, "x-amzn-RequestId")
        status, _, headers = post(server.endpoint, b"{not json", "AWSStepFunctions.ListActivities")
        assert status == 400
        ids["bad_json"] = _header(headers, "x-amzn-RequestId")
    finally:
        assert server.stop() == 0  # the records still queued are written at shutdown

    text = audit.read_text()
    for secret in (secret_input, json.dumps(secret_input)[1:-1], secret_state, token, secret_output):
        assert secret not in text
    records = [json.loads(line) for line in text.splitlines()]
    by_id = {record["requestID"]: record for record in records}
    assert len(by_id) == len(records)  # one record per call
    for record in records:
        assert set(record) >= FIELDS, FIELDS - set(record)
        assert record["eventVersion"] == "1.09" and record["eventSource"] == "states.amazonaws.com"
        assert (record["eventType"], record["managementEvent"], record["eventCategory"]) == (
            "AwsApiCall",
            True,
            "Management",
        )
        assert record["userIdentity"] == {"type": "Unknown"}  # the server checks no identity
        assert record["sourceIPAddress"] == "127.0.0.1" and record["recipientAccountId"] == "123456789012"
        assert len(record["eventTime"]) == 20 and record["eventTime"].endswith("Z")
        uuid.UUID(record["eventID"])

    create = by_id[ids["create"]]
    assert create["eventName"] == "CreateStateMachine" and create["readOnly"] is False
    assert create["requestParameters"]["definition"] == HIDDEN
    assert create["requestParameters"]["roleArn"] == ROLE
    assert create["responseElements"]["stateMachineArn"] == machine
    assert create["userAgent"].startswith("Boto3/")
    start = by_id[ids["start"]]
    assert start["requestParameters"] == {"stateMachineArn": machine, "input": HIDDEN}
    assert start["responseElements"]["executionArn"] == started["executionArn"]
    assert start["responseElements"]["startDate"].endswith((" AM", " PM"))  # "Dec 3, 2026 8:00:00 AM"
    get_task = by_id[ids["get_task"]]
    assert get_task["readOnly"] is False
    assert get_task["responseElements"] == {"taskToken": HIDDEN, "input": HIDDEN}
    assert by_id[ids["success"]]["requestParameters"] == {"taskToken": HIDDEN, "output": HIDDEN}
    listed = by_id[ids["list"]]
    assert (listed["readOnly"], listed["responseElements"]) == (True, None)
    refused_record = by_id[ids["refused"]]
    assert refused_record["errorCode"] == "ExecutionDoesNotExist"
    assert refused_record["errorMessage"] == f"Execution Does Not Exist: '{missing}'"
    assert refused_record["requestParameters"] == {"executionArn": missing}
    assert refused_record["responseElements"] is None
    unknown = by_id[ids["bad_target"]]
    assert (unknown["eventName"], unknown["errorCode"], unknown["requestParameters"]) == (
        "NoSuchThing",
        "UnknownOperationException",
        None,
    )
    malformed = by_id[ids["bad_json"]]
    assert (malformed["eventName"], malformed["errorCode"]) == ("ListActivities", "SerializationException")
    assert "errorCode" not in create


def test_an_audit_log_that_cannot_be_opened_stops_the_start(tmp_path: Path) -> None:
    server = ServerProcess(
        tmp_path / "stepwell.db", extra=["--audit-log", str(tmp_path / "no" / "audit.jsonl")]
    )
    try:
        server.start()
    except RuntimeError as refused:
        assert "cannot open the audit log" in str(refused)
    else:
        server.stop()
        raise AssertionError("the server started without its audit log")
