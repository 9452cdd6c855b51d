"""What Step Functions sends to a Lambda function and records of its answer: names, payloads, the
lambda:invoke wrapper, and failures in the runtime's and Lambda's own words."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.invokers import lambda_shapes as ls
from stepwell.runtime.invokers.base import TaskError

ARN = "arn:aws:lambda:us-east-1:123456789012:function:work"


@pytest.mark.parametrize(
    ("target", "name"),
    [
        ("work", "work"),
        ("work:prod", "work"),
        (ARN, "work"),
        (ARN + ":7", "work"),
        ("arn:aws:lambda:r:a:function", "arn:aws:lambda:r:a:function"),
    ],
)
def test_function_names(target: str, name: str) -> None:
    assert ls.function_name(target) == name


def test_a_plain_function_arn_passes_the_payload_and_its_result_as_is() -> None:
    target = ls.lambda_target(ARN, {"a": 1})
    assert target == ls.LambdaTarget(ARN, "work", {"a": 1}, False, {})


def test_lambda_invoke_takes_function_name_and_payload() -> None:
    parameters = {"FunctionName": "work:prod", "Payload": {"a": 1}, "LogType": "Tail"}
    target = ls.lambda_target(ls.LAMBDA_INVOKE, parameters)
    assert (target.target, target.name, target.event, target.wrap) == ("work:prod", "work", {"a": 1}, True)
    assert target.parameters is parameters
    assert ls.lambda_target(ls.LAMBDA_INVOKE, None).event == {}


@pytest.mark.parametrize(
    ("payload", "event"),
    [(None, {}), ("0.0", 0.0), ('{"a":1}', {"a": 1}), ("not json", "not json"), ([1], [1])],
)
def test_invoke_payload_sends_a_string_as_raw_bytes(payload: Any, event: Any) -> None:
    assert ls.invoke_payload(payload) == event


def test_function_arns() -> None:
    assert (
        ls.function_arn("work", "eu-west-1", "111122223333")
        == "arn:aws:lambda:eu-west-1:111122223333:function:work"
    )
    assert ls.function_arn(ARN, "eu-west-1", "111122223333") == ARN


def test_which_resources_are_lambda() -> None:
    assert (
        ls.is_lambda_resource(ls.LAMBDA_INVOKE)
        and ls.is_lambda_resource(ARN)
        and ls.is_lambda_resource("work")
    )
    assert not ls.is_lambda_resource("arn:aws:states:::sqs:sendMessage")
    ls.require_lambda(parse_task_resource(ARN), "the pool")
    ls.require_lambda(parse_task_resource(ls.LAMBDA_INVOKE), "the pool")
    with pytest.raises(TaskError) as raised:
        ls.require_lambda(parse_task_resource("arn:aws:states:::sqs:sendMessage"), "the pool")
    assert (raised.value.error, raised.value.cause) == (
        "States.TaskFailed",
        "the pool cannot call the resource 'arn:aws:states:::sqs:sendMessage'.",
    )


def test_response_payloads_cross_as_json() -> None:
    assert ls.response_payload(b'{"a": 1}') == {"a": 1}
    assert ls.response_payload(b"plain text") == "plain text"
    assert ls.response_payload((1, 2)) == [1, 2]  # what crosses the boundary is JSON
    original = {"a": [1]}
    copied = ls.response_payload(original)
    assert copied == original and copied is not original


def test_the_lambda_invoke_wrapper() -> None:
    wrapped = ls.invoke_response({"ok": "é"}, "req-1")
    headers = dict(wrapped["SdkHttpMetadata"]["HttpHeaders"])
    # the headers AWS Lambda sends (recorded through TestState: test_base_lambda_service_task_state)
    assert headers.pop("Date").endswith(" GMT") and headers.pop("X-Amzn-Trace-Id").startswith("Root=1-")
    assert headers == {
        "Connection": "keep-alive",
        "Content-Length": "11",  # {"ok":"é"}: the payload's UTF-8 bytes
        "Content-Type": "application/json",
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": "req-1",
    }
    every = wrapped["SdkHttpMetadata"]["AllHttpHeaders"]
    assert every == {name: [value] for name, value in wrapped["SdkHttpMetadata"]["HttpHeaders"].items()}
    assert wrapped["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert {k: v for k, v in wrapped.items() if k != "SdkHttpMetadata"} == {
        "ExecutedVersion": "$LATEST",
        "Payload": {"ok": "é"},
        "SdkResponseMetadata": {"RequestId": "req-1"},
        "StatusCode": 200,
    }
    wrapped = ls.invoke_response(
        1, "r", executed_version=None, log_result="TG9n", headers={"H": "v"}, status_code=202
    )
    assert list(wrapped) == ["LogResult", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"]
    assert wrapped["SdkHttpMetadata"]["AllHttpHeaders"] == {"H": ["v"]}


def test_log_tail_is_the_base64_of_the_invocation_log() -> None:
    text = base64.b64decode(ls.log_tail("req", "hello\n", duration_ms=1.234, memory_mb=128)).decode()
    assert text == (
        "START RequestId: req Version: $LATEST\nhello\nEND RequestId: req\n"
        "REPORT RequestId: req\tDuration: 1.23 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\t\n"
    )
    assert base64.b64decode(ls.log_tail("req")).decode() == "START RequestId: req Version: $LATEST\n"
    long = base64.b64decode(ls.log_tail("req", "x" * 10_000))
    assert len(long) == 4096 and long.endswith(b"x")


def raise_custom() -> BaseException:
    class CustomException(Exception):
        pass

    try:
        raise CustomException("")
    except CustomException as caught:
        return caught


def test_an_unhandled_exception_as_the_python_runtime_writes_it() -> None:
    payload = ls.runtime_error_payload(raise_custom(), "req-9")
    body = json.loads(payload)
    assert list(body) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert (body["errorMessage"], body["errorType"], body["requestId"]) == ("", "CustomException", "req-9")
    # The runtime's own spacing, as recorded against AWS: {"errorMessage": "", "errorType": ...
    assert payload.startswith(
        '{"errorMessage": "", "errorType": "CustomException", "requestId": "req-9", "stackTrace": ['
    )


def test_function_errors_as_step_functions_records_them() -> None:
    payload = '{"errorMessage": "boom", "errorType": "ValueError"}'
    assert vars_of(ls.function_error(payload, compact=False)) == ("ValueError", payload)
    assert vars_of(ls.function_error(payload, compact=True)) == (
        "ValueError",
        '{"errorMessage":"boom","errorType":"ValueError"}',
    )
    assert vars_of(ls.function_error('{"errorMessage": "x"}', compact=False)) == (
        "Lambda.Unknown",
        '{"errorMessage": "x"}',
    )
    assert vars_of(ls.function_error("not json", compact=True)) == ("Lambda.Unknown", "not json")
    assert vars_of(ls.function_error("[1]", compact=False)) == ("Lambda.Unknown", "[1]")
    cause = ls.lambda_error_cause(raise_custom(), "r", compact=True)
    assert cause.startswith('{"errorMessage":"","errorType":"CustomException","requestId":"r","stackTrace":[')


def vars_of(error: TaskError) -> tuple[str, str]:
    return error.error, error.cause


def test_lambdas_own_failures() -> None:
    assert json.loads(ls.timeout_payload("r1", 3)) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": "RequestId: r1 Error: Task timed out after 3.00 seconds",
    }
    assert (
        json.loads(ls.exit_payload("r2", 1, None))["errorMessage"]
        == "RequestId: r2 Error: Runtime exited with error: exit status 1"
    )
    assert (
        json.loads(ls.exit_payload("r3", None, "killed"))["errorMessage"]
        == "RequestId: r3 Error: Runtime exited with error: signal: killed"
    )
    assert (
        json.loads(ls.exit_payload("r4", 0, None))["errorMessage"]
        == "RequestId: r4 Error: Runtime exited without providing a reason"
    )
    assert json.loads(ls.out_of_memory_payload("r5"))["errorType"] == "Runtime.OutOfMemory"
    assert (
        ls.platform_error_payload("E", "r", "m") == '{"errorType":"E","errorMessage":"RequestId: r Error: m"}'
    )
    marshal = json.loads(
        ls.marshal_error_payload(TypeError("Object of type set is not JSON serializable"), "r6")
    )
    assert marshal == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError",
        "requestId": "r6",
        "stackTrace": [],
    }


def test_a_missing_function_in_the_java_sdks_words() -> None:
    # Recorded against AWS (cases_lambda error_handling test_no_such_function).
    error = ls.not_found_error("no_such_fn", "us-east-1", "111111111111", "req")
    assert (error.error, error.cause) == (
        "Lambda.ResourceNotFoundException",
        "Function not found: arn:aws:lambda:us-east-1:111111111111:function:no_such_fn:$LATEST "
        "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: req; "
        "Proxy: null)",
    )


def test_the_context_object() -> None:
    context = ls.LambdaContext("work", "req", deadline=time.time() + 2)
    assert 0 < context.get_remaining_time_in_millis() <= 2000
    assert ls.LambdaContext("work", "req").get_remaining_time_in_millis() == ls.NO_DEADLINE_MS == 900_000
    assert ls.LambdaContext("work", "req", deadline=time.time() - 5).get_remaining_time_in_millis() == 0
    assert ls.LambdaContext("work", "req").function_version == "$LATEST"


def test_loading_handlers(tmp_path: Path) -> None:
    module = tmp_path / "functions.py"
    module.write_text(
        "from json import dumps\n"
        "def handler(event, context):\n    return event\n"
        "def _private(event, context):\n    return 1\n"
        "def one_argument(event):\n    return 2\n"
        "VALUE = 3\n",
        encoding="utf-8",
    )
    handlers = ls.load_handlers(module)
    assert list(handlers) == ["handler"]  # imported and private functions, other arities, are not handlers
    assert handlers["handler"]({"a": 1}, None) == {"a": 1}


def test_python_files_of_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "b.py").write_text("", encoding="utf-8")
    (tmp_path / "a.py").write_text("", encoding="utf-8")
    (tmp_path / "_skip.py").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    single = tmp_path / "elsewhere" / "single.py"  # a file given is taken as given
    assert ls.python_files([tmp_path, single]) == [tmp_path / "a.py", tmp_path / "b.py", single]
    assert ls.python_files(()) == []
