"""No valid JSON or odd request gets a 500 (issue 9, points 4 and 5), against a real server.

Every valid JSON document is accepted as AWS's Java JSON (Jackson) reads it — integers beyond 64
bits kept exactly, lone surrogates kept as characters — or refused with a 4xx naming the limit
(Jackson's nesting depth of 1000). An oversized body is refused from its Content-Length, or
after 1 MiB of a chunked body, without the server reading the rest.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from tests.server.process import ServerProcess
from tests.server.support import (
    ACCOUNT_PREFIX,
    ROLE,
    aws_error,
    create_machine,
    history,
    post,
    unique,
    wait_for,
)

TARGET = "AWSStepFunctions."
BIG = 2**70  # beyond 64 bits: orjson refuses it, Jackson keeps it (BigInteger)
DEPTH_REFUSED = (
    "Document nesting depth (1001) exceeds the maximum allowed "
    "(1000, from `StreamReadConstraints.getMaxNestingDepth()`)"
)
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def call(server: ServerProcess, operation: str, body: bytes | dict[str, Any]) -> tuple[int, dict[str, Any]]:
    status, answer, _ = post(server.endpoint, body, TARGET + operation)
    return status, answer


def still_answers(server: ServerProcess) -> None:
    assert call(server, "ListActivities", {})[0] == 200


def output_of(sfn: Any, machine: str, text: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    started = sfn.start_execution(stateMachineArn=machine, input=text)
    described = wait_for(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED", described
    return described, history(sfn, started["executionArn"])


# ---- big integers ---------------------------------------------------------------------------


def test_integers_beyond_64_bits_round_trip_exactly(server: ServerProcess, sfn: Any) -> None:
    machine = create_machine(
        sfn, {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": "$.a"}, "End": True}}}
    )
    text = json.dumps({"a": [BIG, -BIG, 2**64, -(2**63) - 1, 12345678901234567890123.5]})
    described, events = output_of(sfn, machine, text)
    assert described["input"] == text
    assert json.loads(described["output"]) == {"x": [BIG, -BIG, 2**64, -(2**63) - 1, 1.2345678901234568e22]}
    entered = next(e for e in events if e["type"] == "PassStateExited")
    assert json.loads(entered["stateExitedEventDetails"]["output"])["x"][0] == BIG


def test_a_definition_whose_result_is_a_big_integer_runs(sfn: Any) -> None:
    definition = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": BIG, "End": true}}}'.replace(
        "BIG", str(BIG)
    )
    machine = create_machine(sfn, definition)
    described, _ = output_of(sfn, machine, "{}")
    assert json.loads(described["output"]) == BIG
    assert sfn.describe_state_machine(stateMachineArn=machine)["definition"] == definition


# ---- nesting --------------------------------------------------------------------------------


def test_an_input_nested_1000_deep_is_kept(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    text = "[" * 1000 + "]" * 1000  # Jackson's limit: kept, though orjson writes only 255 levels
    described, events = output_of(sfn, machine, text)
    assert described["output"] == text
    assert events[-1]["executionSucceededEventDetails"]["output"] == text


def test_an_input_nested_deeper_than_1000_is_refused(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    message = f"Invalid State Machine Execution Input: '{DEPTH_REFUSED}'"
    with aws_error("InvalidExecutionInput", message):
        sfn.start_execution(stateMachineArn=machine, input="[" * 1001 + "]" * 1001)


@pytest.mark.parametrize(
    "body", [b"[" * 10_000 + b"]" * 10_000, b'{"a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"]
)
def test_a_request_nested_10000_deep_is_a_serialization_error(server: ServerProcess, body: bytes) -> None:
    status, answer = call(server, "ListActivities", body)
    assert (status, answer) == (400, {"__type": "SerializationException", "Message": DEPTH_REFUSED})
    still_answers(server)


def test_a_number_longer_than_1000_characters_is_refused(server: ServerProcess) -> None:
    status, answer = call(server, "ListActivities", b'{"maxResults": ' + b"1" * 1001 + b"}")
    assert (status, answer["__type"]) == (400, "SerializationException")
    assert answer["Message"].startswith("Number value length (1001) exceeds the maximum allowed (1000")


# ---- lone surrogates ------------------------------------------------------------------------


def test_a_lone_surrogate_in_an_input_is_kept(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    text = '{"s": "\\ud800", "t": "a\\udfffb"}'
    described, events = output_of(sfn, machine, text)
    assert described["input"] == text
    assert json.loads(described["output"]) == {"s": "\ud800", "t": "a\udfffb"}
    assert json.loads(events[0]["executionStartedEventDetails"]["input"]) == {"s": "\ud800", "t": "a\udfffb"}


def test_a_raw_lone_surrogate_in_the_input_text_is_stored_as_its_escape(
    server: ServerProcess, sfn: Any
) -> None:
    machine = create_machine(sfn, PASS)
    # The request's own "\ud800": the input text itself holds the lone surrogate.
    body = b'{"stateMachineArn": "%s", "input": "{\\"s\\": \\"\\ud800\\"}"}' % machine.encode()
    status, answer = call(server, "StartExecution", body)
    assert status == 200, answer
    described = wait_for(sfn, answer["executionArn"])
    assert described["input"] == '{"s": "\\ud800"}'  # the same document
    assert json.loads(described["output"]) == {"s": "\ud800"}


def test_a_lone_surrogate_in_a_definition_string_is_kept(sfn: Any) -> None:
    machine = create_machine(
        sfn, '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "\\ud800", "End": true}}}'
    )
    described, _ = output_of(sfn, machine, "{}")
    assert json.loads(described["output"]) == "\ud800"


@pytest.mark.parametrize(
    ("operation", "body", "code", "message"),
    [
        (
            "SendTaskSuccess",
            b'{"taskToken": "\\ud800", "output": "{}"}',
            "InvalidToken",
            "Invalid Token: 'Invalid token'",
        ),
        ("SendTaskHeartbeat", b'{"taskToken": "\\ud800"}', "InvalidToken", "Invalid Token: 'Invalid token'"),
        ("SendTaskFailure", b'{"taskToken": "x\\udc00"}', "InvalidToken", "Invalid Token: 'Invalid token'"),
        (
            "DescribeExecution",
            b'{"executionArn": "%s:execution:m:\\ud800"}' % ACCOUNT_PREFIX.encode(),
            "ExecutionDoesNotExist",
            f"Execution Does Not Exist: '{ACCOUNT_PREFIX}:execution:m:\\ud800'",
        ),
        (
            "DescribeStateMachine",
            b'{"stateMachineArn": "%s:stateMachine:\\ud800"}' % ACCOUNT_PREFIX.encode(),
            "StateMachineDoesNotExist",
            f"State Machine Does Not Exist: '{ACCOUNT_PREFIX}:stateMachine:\\ud800'",
        ),
        ("CreateActivity", b'{"name": "a\\ud800"}', "InvalidName", "Invalid Name: 'a\\ud800'"),
    ],
)
def test_a_lone_surrogate_in_an_identifier_is_refused_as_aws_refuses_it(
    server: ServerProcess, operation: str, body: bytes, code: str, message: str
) -> None:
    status, answer = call(server, operation, body)
    assert status == 400
    assert answer["__type"].endswith("#" + code)
    assert answer["message"] == message
    still_answers(server)


def test_a_lone_surrogate_in_a_tag_is_kept_as_its_escape(server: ServerProcess, sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    body = b'{"resourceArn": "%s", "tags": [{"key": "k\\ud800", "value": "\\udbff"}]}' % machine.encode()
    assert call(server, "TagResource", body) == (200, {})
    assert sfn.list_tags_for_resource(resourceArn=machine)["tags"] == [
        {"key": "k\\ud800", "value": "\\udbff"}
    ]


def test_a_lone_surrogate_in_a_worker_name_or_a_failure(server: ServerProcess, sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    machine = create_machine(
        sfn, {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": activity, "End": True}}}
    )
    execution = sfn.start_execution(stateMachineArn=machine, input='{"s": 1}')["executionArn"]
    status, task = call(
        server, "GetActivityTask", b'{"activityArn": "%s", "workerName": "w\\ud800"}' % activity.encode()
    )
    assert status == 200 and json.loads(task["input"]) == {"s": 1}
    failure = b'{"taskToken": "%s", "error": "E\\ud800", "cause": "\\udc00"}' % task["taskToken"].encode()
    assert call(server, "SendTaskFailure", failure) == (200, {})
    described = wait_for(sfn, execution)
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "E\\ud800", "\\udc00")
    started = next(e for e in history(sfn, execution) if e["type"] == "ActivityStarted")
    assert started["activityStartedEventDetails"]["workerName"] == "w\\ud800"


def test_a_lone_surrogate_in_a_task_output(server: ServerProcess, sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    machine = create_machine(
        sfn, {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": activity, "End": True}}}
    )
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    task = sfn.get_activity_task(activityArn=activity)
    body = b'{"taskToken": "%s", "output": "{\\"o\\": \\"\\\\ud800\\", \\"n\\": %d}"}' % (
        task["taskToken"].encode(),
        BIG,
    )
    assert call(server, "SendTaskSuccess", body) == (200, {})
    assert json.loads(wait_for(sfn, execution)["output"]) == {"o": "\ud800", "n": BIG}


# ---- tags -----------------------------------------------------------------------------------


@pytest.mark.parametrize("tags", [[{"value": "v"}], [{"key": None}], [None]])
def test_a_tag_without_key(server: ServerProcess, sfn: Any, tags: list[Any]) -> None:
    machine = create_machine(sfn, PASS)
    message = (
        "1 validation error detected: Value null at 'tags.1.member.key' failed to satisfy constraint: "
        "Member must not be null"
    )
    for operation, body in (
        ("TagResource", {"resourceArn": machine, "tags": tags}),
        ("CreateActivity", {"name": unique("act"), "tags": tags}),
        (
            "CreateStateMachine",
            {"name": unique("m"), "definition": json.dumps(PASS), "roleArn": ROLE, "tags": tags},
        ),
    ):
        status, answer = call(server, operation, body)
        assert (status, answer["__type"].split("#")[-1], answer["message"]) == (
            400,
            "ValidationException",
            message,
        )
    still_answers(server)


# ---- oversized bodies -----------------------------------------------------------------------


def _rss_kb(server: ServerProcess) -> int:
    assert server.process is not None
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _answer(sock: socket.socket, data: bytes = b"") -> bytes:
    """The whole answer: the server closes the connection after it."""
    sock.settimeout(10)
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def _head(server: ServerProcess, extra: str) -> bytes:
    return (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: application/x-amz-json-1.0\r\n"
        f"X-Amz-Target: AWSStepFunctions.ListActivities\r\n{extra}\r\n"
    ).encode()


def test_a_400_mb_content_length_is_refused_before_the_body_is_read(server: ServerProcess) -> None:
    before = _rss_kb(server)
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(_head(server, f"Content-Length: {400 * 1024 * 1024}\r\n"))
        answer = _answer(sock)  # no byte of the body sent: the answer comes from the header alone
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"RequestEntityTooLargeException" in answer
    assert b"connection: close" in answer.lower()
    assert _rss_kb(server) - before < 20 * 1024
    still_answers(server)


def test_a_chunked_body_is_refused_after_1_mib(server: ServerProcess) -> None:
    before = _rss_kb(server)
    chunk = b" " * 65536
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(_head(server, "Transfer-Encoding: chunked\r\n") + b"1\r\n{\r\n")
        sock.setblocking(False)
        deadline = time.monotonic() + 20
        while not answer and sent < 400 * 1024 * 1024 and time.monotonic() < deadline:
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            except BlockingIOError:
                time.sleep(0.005)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server closed the connection: its answer is waiting
            with contextlib.suppress(BlockingIOError):
                answer = sock.recv(65536)
        sock.setblocking(True)
        answer = _answer(sock, answer)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert sent < 64 * 1024 * 1024  # refused after about 1 MiB, not after the whole stream
    assert _rss_kb(server) - before < 20 * 1024
    still_answers(server)


def test_an_activity_input_with_a_lone_surrogate_and_a_big_integer(sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    machine = create_machine(
        sfn, {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": activity, "End": True}}}
    )
    text = '{"s": "\\ud800", "n": BIG}'.replace("BIG", str(BIG))
    sfn.start_execution(stateMachineArn=machine, input=text)
    task = sfn.get_activity_task(activityArn=activity)
    assert json.loads(task["input"]) == {"s": "\ud800", "n": BIG}


def test_a_definition_nested_10000_deep_is_invalid(sfn: Any) -> None:
    definition = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": DEEP, "End": true}}}'
    definition = definition.replace("DEEP", "[" * 10_000 + "]" * 10_000)
    message = (
        "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: Document nesting depth (1001) exceeds "
        "the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`) at null'"
    )
    with aws_error("InvalidDefinition", message):
        create_machine(sfn, definition)
    validated = sfn.validate_state_machine_definition(definition=definition)
    assert validated["result"] == "FAIL"
    assert validated["diagnostics"][0]["code"] == "INVALID_JSON_DESCRIPTION"
