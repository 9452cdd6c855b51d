"""Python functions bound to Task resources, behaving as AWS Lambda behaves."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.functions import FunctionRegistry, TaskError, function_name
from stepwell.runtime.invokers.base import TaskCall


@pytest.mark.parametrize(
    "target",
    [
        "double",
        "double:prod",
        "arn:aws:lambda:eu-west-1:999999999999:function:double",
        "arn:aws:lambda:us-east-1:123456789012:function:double:$LATEST",
        "arn:aws:lambda:us-east-1:123456789012:function:double:7",
    ],
)
def test_a_function_answers_to_its_name_and_every_arn_form(target: str) -> None:
    assert function_name(target) == "double"


def registry() -> FunctionRegistry:
    functions = FunctionRegistry()
    functions.register("double", lambda event, context: event["n"] * 2)
    functions.register("echo", lambda event, context: event)
    return functions


def test_plain_function_arn_returns_the_raw_result() -> None:
    assert registry().invoke("arn:aws:lambda:us-east-1:123456789012:function:double", {"n": 4}) == 8


def test_lambda_invoke_wraps_the_result_as_aws_does() -> None:
    out = registry().invoke("arn:aws:states:::lambda:invoke", {"FunctionName": "double", "Payload": {"n": 4}})
    assert out["Payload"] == 8
    assert out["StatusCode"] == 200
    assert out["ExecutedVersion"] == "$LATEST"
    assert out["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert out["SdkResponseMetadata"]["RequestId"]


def test_lambda_invoke_sends_a_string_payload_as_raw_json() -> None:
    out = registry().invoke("arn:aws:states:::lambda:invoke", {"FunctionName": "echo", "Payload": "0.5"})
    assert out["Payload"] == 0.5
    out = registry().invoke("arn:aws:states:::lambda:invoke", {"FunctionName": "echo"})
    assert out["Payload"] == {}


def test_an_exception_becomes_the_error_aws_lambda_reports() -> None:
    def boom(event: object, context: object) -> None:
        raise KeyError("missing")

    functions = FunctionRegistry()
    functions.register("boom", boom)
    with pytest.raises(TaskError) as raised:
        functions.invoke("arn:aws:lambda:us-east-1:123456789012:function:boom", {})
    assert raised.value.error == "KeyError"
    cause = json.loads(raised.value.cause)
    assert cause["errorType"] == "KeyError"
    assert cause["errorMessage"] == "'missing'"
    assert cause["requestId"]
    assert any("boom" in line for line in cause["stackTrace"])
    assert raised.value.cause.startswith('{"errorMessage": ')  # the runtime's own spacing


def test_an_unbound_function_fails_as_lambda_does() -> None:
    with pytest.raises(TaskError) as raised:
        FunctionRegistry().invoke("arn:aws:states:::lambda:invoke", {"FunctionName": "nope"})
    assert raised.value.error == "Lambda.ResourceNotFoundException"
    assert raised.value.cause.startswith(
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"
    )


def test_load_module_registers_top_level_two_argument_functions(tmp_path: Path) -> None:
    module = tmp_path / "fns.py"
    module.write_text(
        "import json\n"
        "def greet(event, context):\n    return 'hi ' + event['name']\n"
        "def helper(x):\n    return x\n"
        "def _private(event, context):\n    return None\n",
        encoding="utf-8",
    )
    functions = FunctionRegistry()
    assert functions.load_module(module) == ["greet"]
    assert functions.invoke("greet", {"name": "ada"}) == "hi ada"


def test_the_context_object_looks_like_lambdas() -> None:
    seen = {}

    def look(event: object, context: object) -> int:
        seen["name"] = context.function_name  # type: ignore[attr-defined]
        seen["remaining"] = context.get_remaining_time_in_millis()  # type: ignore[attr-defined]
        seen["request"] = context.aws_request_id  # type: ignore[attr-defined]
        return 1

    functions = FunctionRegistry()
    functions.register("look", look)
    functions.invoke("look", {}, timeout=3)
    assert seen["name"] == "look"
    assert 0 < seen["remaining"] <= 3000
    assert len(seen["request"]) == 36


def test_a_callable_can_be_bound_to_any_exact_resource() -> None:
    functions = FunctionRegistry()
    functions.register("arn:aws:states:::sqs:sendMessage", lambda event, context: {"MessageId": "m-1"})
    assert functions.invoke("arn:aws:states:::sqs:sendMessage", {"QueueUrl": "q"}) == {"MessageId": "m-1"}


def test_an_unbound_service_resource_fails_clearly() -> None:
    with pytest.raises(TaskError) as raised:
        FunctionRegistry().invoke("arn:aws:states:::sqs:sendMessage", {})
    assert raised.value.error == "States.TaskFailed"
    assert "No handler is bound to the resource 'arn:aws:states:::sqs:sendMessage'" in raised.value.cause


def test_a_callback_resource_fails_clearly_in_process() -> None:
    functions = registry()
    with pytest.raises(TaskError) as raised:
        functions.invoke("arn:aws:states:::lambda:invoke.waitForTaskToken", {"FunctionName": "echo"})
    assert raised.value.error == "States.TaskFailed"
    assert "waits for a task token callback" in raised.value.cause


def test_a_result_that_is_not_json_is_the_runtimes_marshal_error() -> None:
    functions = FunctionRegistry()
    functions.register("sets", lambda event, context: {1, 2})
    with pytest.raises(TaskError) as raised:
        functions.invoke("sets", {})
    assert raised.value.error == "Runtime.MarshalError"
    assert json.loads(raised.value.cause)["errorMessage"].startswith("Unable to marshal response: ")


def test_the_registry_behind_the_invoker_seam() -> None:
    invoker = registry().as_invoker()
    resource = parse_task_resource("arn:aws:states:::lambda:invoke.waitForTaskToken")
    # the function is called; waiting for the token is the runtime's business
    assert invoker.invoke(TaskCall(resource, {"FunctionName": "echo", "Payload": 1}))["Payload"] == 1
    call = TaskCall(parse_task_resource("arn:aws:lambda:us-east-1:123456789012:function:double"), {"n": 2})
    assert invoker.invoke(call) == 4


def test_log_type_tail_gives_a_log_result() -> None:
    out = registry().invoke("arn:aws:states:::lambda:invoke", {"FunctionName": "echo", "LogType": "Tail"})
    log = base64.b64decode(out["LogResult"]).decode()
    assert log == f"START RequestId: {out['SdkResponseMetadata']['RequestId']} Version: $LATEST\n"
    assert list(out)[:2] == ["ExecutedVersion", "LogResult"]
