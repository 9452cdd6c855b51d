"""The protocol over raw HTTP (reference §0; src/stepwell/api/protocol.py): what a client that
is not botocore may send, and the error bodies AWS answers with."""

from __future__ import annotations

import contextlib
import http.client
import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.server.process import ServerProcess
from tests.server.support import ACCOUNT_PREFIX, aws_error, post, unique

TARGET = "AWSStepFunctions."
JSON_1_0 = "application/x-amz-json-1.0"


def test_a_call_by_hand(server: ServerProcess) -> None:
    status, body, headers = post(server.endpoint, {"maxResults": 1}, TARGET + "ListStateMachines")
    assert status == 200
    assert isinstance(body["stateMachines"], list)
    assert headers["content-type"] == JSON_1_0


def test_plain_json_content_type_is_accepted(server: ServerProcess) -> None:
    status, body, _ = post(server.endpoint, {}, TARGET + "ListActivities", content_type="application/json")
    assert status == 200
    assert "activities" in body


def test_malformed_json(server: ServerProcess) -> None:
    status, body, headers = post(server.endpoint, b'{"maxResults": ', TARGET + "ListStateMachines")
    assert status == 400
    assert body == {"__type": "SerializationException"}
    assert headers["content-type"] == JSON_1_0


def test_a_json_array_body(server: ServerProcess) -> None:
    status, body, _ = post(server.endpoint, b"[]", TARGET + "ListStateMachines")
    assert (status, body["__type"]) == (400, "SerializationException")
    assert body["Message"] == "Start of list found where not expected"


@pytest.mark.parametrize(
    "target",
    [TARGET + "NoSuchOperation", "AWSSomethingElse.ListStateMachines", TARGET.rstrip("."), None],
)
def test_unknown_operation(server: ServerProcess, target: str | None) -> None:
    status, body, _ = post(server.endpoint, {}, target)
    assert status == 400
    assert body == {"__type": "UnknownOperationException"}


def test_a_member_of_the_wrong_type(server: ServerProcess) -> None:
    status, body, _ = post(server.endpoint, {"maxResults": "ten"}, TARGET + "ListStateMachines")
    assert (status, body["__type"]) == (400, "SerializationException")
    status, body, _ = post(
        server.endpoint,
        {"name": ["a", "list"], "definition": "{}", "roleArn": "r"},
        TARGET + "CreateStateMachine",
    )
    assert (status, body["__type"]) == (400, "SerializationException")


def test_a_constraint_violation(server: ServerProcess) -> None:
    """Recorded against AWS (reference §0): the Coral validation message."""
    status, body, _ = post(server.endpoint, {"maxResults": 1001}, TARGET + "ListStateMachines")
    assert status == 400
    assert body == {
        "__type": "com.amazon.coral.validate#ValidationException",
        "message": "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000",
    }


def test_a_constraint_violation_through_boto3(sfn: Any) -> None:
    """botocore checks types and minimums, not maximums: the server's answer reaches the caller."""
    message = (
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000"
    )
    with aws_error("ValidationException", message):
        sfn.list_state_machines(maxResults=1001)


def test_an_enum_violation(sfn: Any) -> None:
    """Recorded against AWS (reference §1.4), AWS's order of the enum included."""
    machine = f"{ACCOUNT_PREFIX}:stateMachine:{unique('m')}"
    message = (
        "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: "
        "Member must satisfy enum value set: "
        "[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
    )
    with aws_error("ValidationException", message):
        sfn.list_executions(stateMachineArn=machine, statusFilter="succeeded")


def test_a_missing_required_member(server: ServerProcess) -> None:
    status, body, _ = post(server.endpoint, {}, TARGET + "DescribeStateMachine")
    assert status == 400
    assert body["message"] == (
        "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_a_service_error_body(server: ServerProcess) -> None:
    """The service's own errors carry AWS's namespace and a lower-case ``message``."""
    arn = f"{ACCOUNT_PREFIX}:stateMachine:{unique('missing')}"
    status, body, _ = post(server.endpoint, {"stateMachineArn": arn}, TARGET + "DescribeStateMachine")
    assert status == 400
    assert body == {
        "__type": "com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist",
        "message": f"State Machine Does Not Exist: '{arn}'",
    }


def test_the_api_answers_post_only_and_get_is_the_console(server: ServerProcess) -> None:
    request = urllib.request.Request(server.endpoint + "/", method="PUT", data=b"{}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 405
    with urllib.request.urlopen(server.endpoint + "/", timeout=10) as console:
        assert console.headers["Content-Type"].startswith("text/html")
        assert b"State machines" in console.read()


def test_every_reply_has_a_request_id(sfn: Any, server: ServerProcess) -> None:
    assert sfn.list_activities()["ResponseMetadata"].get("RequestId")
    _, _, headers = post(server.endpoint, b"{", TARGET + "ListActivities")
    assert {k.lower() for k in headers} >= {"x-amzn-requestid"}


def test_a_large_body_is_refused(server: ServerProcess) -> None:
    """Step Functions quotas: "Maximum request size: 1 MB per request"."""
    body = json.dumps({"name": "big", "definition": "x" * (1024 * 1024 + 10), "roleArn": "r"}).encode()
    # The server answers from the Content-Length, before the body is read, and closes: the client
    # may still be sending (a broken pipe), and then reads the answer already in its socket.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": TARGET + "CreateStateMachine"}
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        connection.request("POST", "/", body=body, headers=headers)
    response = connection.getresponse()
    assert response.status == 413
    assert "__type" in json.loads(response.read())
    connection.close()
