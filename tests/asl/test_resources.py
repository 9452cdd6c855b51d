"""A Task's Resource parsed once (asl/resources.py): every form a Task may name, and what each
layer reads from it — the runtime's kind, the invokers' service/action/pattern, history's
resourceType/resource and event family, and whether the engine makes a task token."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.model import TaskState
from stepwell.asl.parse import parse_definition
from stepwell.asl.resources import (
    ACTIVITY,
    ACTIVITY_EVENTS,
    CHILD,
    FUNCTION,
    LAMBDA_EVENTS,
    SERVICE,
    TASK_EVENTS,
    TaskResource,
    parse_task_resource,
)
from stepwell.asl.validate import validate_definition

REGION, ACCOUNT = "eu-west-3", "111122223333"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:work"
ACTIVITY_ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:activity:worker"
STATES = "arn:aws:states:::"

# (resource, kind, service, action, pattern, base, resourceType, history resource, events, token)
FORMS: list[tuple[str, str, str, str, str, str, str, str, str, bool]] = [
    (
        FUNCTION_ARN,
        FUNCTION,
        "function",
        FUNCTION_ARN,
        "",
        FUNCTION_ARN,
        "lambda",
        FUNCTION_ARN,
        LAMBDA_EVENTS,
        False,
    ),
    (
        FUNCTION_ARN + ":prod",
        FUNCTION,
        "function",
        FUNCTION_ARN + ":prod",
        "",
        FUNCTION_ARN + ":prod",
        "lambda",
        FUNCTION_ARN + ":prod",
        LAMBDA_EVENTS,
        False,
    ),
    (
        STATES + "lambda:invoke",
        FUNCTION,
        "lambda",
        "invoke",
        "",
        STATES + "lambda:invoke",
        "lambda",
        "invoke",
        TASK_EVENTS,
        False,
    ),
    (
        STATES + "lambda:invoke.waitForTaskToken",
        FUNCTION,
        "lambda",
        "invoke",
        "waitForTaskToken",
        STATES + "lambda:invoke",
        "lambda",
        "invoke.waitForTaskToken",
        TASK_EVENTS,
        True,
    ),
    (
        ACTIVITY_ARN,
        ACTIVITY,
        "activity",
        ACTIVITY_ARN,
        "",
        ACTIVITY_ARN,
        "activity",
        ACTIVITY_ARN,
        ACTIVITY_EVENTS,
        True,
    ),
    (
        STATES + "states:startExecution",
        CHILD,
        "states",
        "startExecution",
        "",
        STATES + "states:startExecution",
        "states",
        "startExecution",
        TASK_EVENTS,
        False,
    ),
    (
        STATES + "states:startExecution.sync",
        CHILD,
        "states",
        "startExecution",
        "sync",
        STATES + "states:startExecution",
        "states",
        "startExecution.sync",
        TASK_EVENTS,
        True,
    ),
    (
        STATES + "states:startExecution.sync:2",
        CHILD,
        "states",
        "startExecution",
        "sync:2",
        STATES + "states:startExecution",
        "states",
        "startExecution.sync:2",
        TASK_EVENTS,
        True,
    ),
    (
        STATES + "states:startExecution.waitForTaskToken",
        CHILD,
        "states",
        "startExecution",
        "waitForTaskToken",
        STATES + "states:startExecution",
        "states",
        "startExecution.waitForTaskToken",
        TASK_EVENTS,
        True,
    ),
    (
        STATES + "http:invoke",
        SERVICE,
        "http",
        "invoke",
        "",
        STATES + "http:invoke",
        "http",
        "invoke",
        TASK_EVENTS,
        False,
    ),
    (
        STATES + "http:invoke.waitForTaskToken",
        SERVICE,
        "http",
        "invoke",
        "waitForTaskToken",
        STATES + "http:invoke",
        "http",
        "invoke.waitForTaskToken",
        TASK_EVENTS,
        True,
    ),
    (
        STATES + "aws-sdk:s3:getObject",
        SERVICE,
        "aws-sdk",
        "s3:getObject",
        "",
        STATES + "aws-sdk:s3:getObject",
        "aws-sdk:s3",
        "getObject",
        TASK_EVENTS,
        False,
    ),
    (
        STATES + "aws-sdk:dynamodb:putItem.waitForTaskToken",
        SERVICE,
        "aws-sdk",
        "dynamodb:putItem",
        "waitForTaskToken",
        STATES + "aws-sdk:dynamodb:putItem",
        "aws-sdk:dynamodb",
        "putItem.waitForTaskToken",
        TASK_EVENTS,
        True,
    ),
    (
        STATES + "sqs:sendMessage",
        SERVICE,
        "sqs",
        "sendMessage",
        "",
        STATES + "sqs:sendMessage",
        "sqs",
        "sendMessage",
        TASK_EVENTS,
        False,
    ),
    (
        STATES + "sqs:sendMessage.waitForTaskToken",
        SERVICE,
        "sqs",
        "sendMessage",
        "waitForTaskToken",
        STATES + "sqs:sendMessage",
        "sqs",
        "sendMessage.waitForTaskToken",
        TASK_EVENTS,
        True,
    ),
    (
        STATES + "sns:publish",
        SERVICE,
        "sns",
        "publish",
        "",
        STATES + "sns:publish",
        "sns",
        "publish",
        TASK_EVENTS,
        False,
    ),
    (
        STATES + "dynamodb:putItem",
        SERVICE,
        "dynamodb",
        "putItem",
        "",
        STATES + "dynamodb:putItem",
        "dynamodb",
        "putItem",
        TASK_EVENTS,
        False,
    ),
    (
        STATES + "events:putEvents",
        SERVICE,
        "events",
        "putEvents",
        "",
        STATES + "events:putEvents",
        "events",
        "putEvents",
        TASK_EVENTS,
        False,
    ),
    (
        STATES + "batch:submitJob.sync",
        SERVICE,
        "batch",
        "submitJob",
        "sync",
        STATES + "batch:submitJob",
        "batch",
        "submitJob.sync",
        TASK_EVENTS,
        True,
    ),
    (
        STATES + "ecs:runTask.waitForTaskToken",
        SERVICE,
        "ecs",
        "runTask",
        "waitForTaskToken",
        STATES + "ecs:runTask",
        "ecs",
        "runTask.waitForTaskToken",
        TASK_EVENTS,
        True,
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=[f[0].removeprefix(STATES) for f in FORMS])
def test_every_form_a_task_may_name(form: tuple[Any, ...]) -> None:
    arn, kind, service, action, pattern, base, resource_type, history_resource, events, token = form
    parsed = parse_task_resource(arn)
    assert parsed.arn == arn
    assert (parsed.kind, parsed.service, parsed.action, parsed.pattern, parsed.base) == (
        kind,
        service,
        action,
        pattern,
        base,
    )
    assert (parsed.resource_type, parsed.history_resource, parsed.events) == (
        resource_type,
        history_resource,
        events,
    )
    assert parsed.needs_token is token


def test_a_function_arn_names_its_function_and_qualifier() -> None:
    plain, qualified = parse_task_resource(FUNCTION_ARN), parse_task_resource(FUNCTION_ARN + ":7")
    assert (plain.function_name, plain.qualifier) == ("work", None)
    assert (qualified.function_name, qualified.qualifier) == ("work", "7")
    # lambda:invoke names its function in the payload (FunctionName), not in the resource
    assert parse_task_resource(STATES + "lambda:invoke").function_name is None


@pytest.mark.parametrize(
    ("text", "name", "qualifier"),
    [
        ("work", "work", None),
        ("work:prod", "work", "prod"),
        (f"{ACCOUNT}:function:work", "work", None),
        (f"{ACCOUNT}:function:work:3", "work", "3"),
    ],
)
def test_the_short_function_names_lambda_accepts_are_functions(
    text: str, name: str, qualifier: str | None
) -> None:
    """The invokers take them (a definition may not: the validator wants an ARN)."""
    parsed = parse_task_resource(text)
    assert (parsed.kind, parsed.service, parsed.function_name, parsed.qualifier) == (
        FUNCTION,
        "function",
        name,
        qualifier,
    )
    assert parsed.base == text and not parsed.needs_token


def test_an_activity_names_its_arn() -> None:
    parsed = parse_task_resource(ACTIVITY_ARN)
    assert parsed.activity_arn == ACTIVITY_ARN
    assert parse_task_resource(FUNCTION_ARN).activity_arn is None


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_every_partition_parses_alike(partition: str) -> None:
    sqs = parse_task_resource(f"arn:{partition}:states:::sqs:sendMessage.waitForTaskToken")
    assert (sqs.kind, sqs.service, sqs.action, sqs.pattern) == (
        SERVICE,
        "sqs",
        "sendMessage",
        "waitForTaskToken",
    )
    child = parse_task_resource(f"arn:{partition}:states:::states:startExecution.sync:2")
    assert (child.kind, child.pattern) == (CHILD, "sync:2")
    activity = parse_task_resource(f"arn:{partition}:states:cn-north-1:{ACCOUNT}:activity:a")
    assert activity.kind == ACTIVITY
    function = parse_task_resource(f"arn:{partition}:lambda:cn-north-1:{ACCOUNT}:function:f")
    assert (function.kind, function.function_name) == (FUNCTION, "f")


def test_lambda_invoke_with_another_pattern_is_no_function_call() -> None:
    # lambda:invoke offers .waitForTaskToken only (the validator refuses .sync): not a FUNCTION row
    assert parse_task_resource(STATES + "lambda:invoke.sync").kind == SERVICE


def test_another_services_arn_is_a_service_without_an_integration() -> None:
    parsed = parse_task_resource(f"arn:aws:sns:{REGION}:{ACCOUNT}:topic")
    assert (parsed.kind, parsed.service, parsed.action, parsed.pattern) == (SERVICE, "", "", "")
    # history splits it after the account, as for any resource
    assert (parsed.resource_type, parsed.history_resource) == ("topic", "")
    machine = parse_task_resource(f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Other")
    assert (machine.kind, machine.service) == (SERVICE, "")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "arn",
        "arn:",
        ":::",
        "arn:aws:states:::",
        "arn:aws:states:::sqs",
        "a" * 300,
        "arn:aws:lambda:r:a:function",
    ],
)
def test_any_text_parses_without_raising(text: str) -> None:
    parsed = parse_task_resource(text)
    assert isinstance(parsed, TaskResource) and parsed.arn == text


def test_parsing_is_cached() -> None:
    assert parse_task_resource(STATES + "sqs:sendMessage") is parse_task_resource(STATES + "sqs:sendMessage")


@pytest.mark.parametrize("arn", [f[0] for f in FORMS], ids=[f[0].removeprefix(STATES) for f in FORMS])
def test_the_task_state_holds_its_parsed_resource(arn: str) -> None:
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": arn, "End": True}}}
    state = parse_definition(definition).states["T"]
    assert isinstance(state, TaskState)
    assert state.resource == arn
    assert state.target is parse_task_resource(arn)


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (ACTIVITY_ARN, "Express state machine does not support Activity ARN"),
        (
            STATES + "sqs:sendMessage.waitForTaskToken",
            "Express state machine does not support '.waitForTaskToken' service integration ",
        ),
        (
            STATES + "states:startExecution.sync",
            "Express state machine does not support '.sync' service integration",
        ),
        (
            STATES + "states:startExecution.sync:2",
            "Express state machine does not support '.sync' service integration",
        ),
    ],
)
def test_express_machines_refuse_what_the_parsed_resource_says_they_cannot_run(
    resource: str, message: str
) -> None:
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True}}}
    assert [(d.message, d.location) for d in validate_definition(definition, "EXPRESS")] == [
        (message, "/States/T/Resource")
    ]
    assert validate_definition(definition, "STANDARD") == []
