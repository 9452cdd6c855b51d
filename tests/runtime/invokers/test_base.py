"""The invoker seam (invokers/base.py): the call an InvokeTask asks for carries the Task's parsed
Resource, the one value every invoker reads."""

from __future__ import annotations

from stepwell.asl.resources import FUNCTION, SERVICE, parse_task_resource
from stepwell.engine.commands import InvokeTask
from stepwell.runtime.invokers.base import TaskCall, TaskError, task_call

SQS_TOKEN = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:double:prod"


def test_a_call_carries_the_commands_parsed_resource_and_its_fields() -> None:
    target = parse_task_resource(SQS_TOKEN)
    command = InvokeTask(
        task_id="t7",
        resource=SQS_TOKEN,
        payload={"QueueUrl": "q"},
        state_name="Send",
        attempt=2,
        timeout_seconds=30,
        heartbeat_seconds=5,
        task_token="tok",
        target=target,
    )
    call = task_call(command, "arn:aws:states:us-east-1:123456789012:execution:M:e")
    assert call == TaskCall(
        resource=target,
        payload={"QueueUrl": "q"},
        state_name="Send",
        attempt=2,
        timeout_seconds=30,
        task_token="tok",
        execution_arn="arn:aws:states:us-east-1:123456789012:execution:M:e",
    )
    assert call.resource is target
    assert (call.resource.kind, call.resource.service, call.resource.action) == (
        SERVICE,
        "sqs",
        "sendMessage",
    )
    assert (call.resource.pattern, call.resource.base) == (
        "waitForTaskToken",
        "arn:aws:states:::sqs:sendMessage",
    )


def test_a_command_rebuilt_from_a_stored_row_gives_the_same_call() -> None:
    stored = InvokeTask(task_id="t1", resource=FUNCTION_ARN, payload={"n": 1}, state_name="T", attempt=0)
    call = task_call(stored)
    assert call.resource is parse_task_resource(FUNCTION_ARN)
    assert (call.resource.kind, call.resource.function_name, call.resource.qualifier) == (
        FUNCTION,
        "double",
        "prod",
    )


def test_a_resource_s_base_drops_its_pattern() -> None:
    assert parse_task_resource(SQS_TOKEN).base == "arn:aws:states:::sqs:sendMessage"


def test_a_task_error_is_an_error_name_and_a_cause() -> None:
    error = TaskError("States.TaskFailed", "it broke")
    assert (error.error, error.cause, str(error)) == (
        "States.TaskFailed",
        "it broke",
        "States.TaskFailed: it broke",
    )
