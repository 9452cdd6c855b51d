"""Which invoker carries out a Task (invokers/router.py): by the parsed resource's kind and service.

The invokers behind the router here are recorders (they note the call and answer with their
name); the Lambda worker pool is a real one, for ``on_worker_pool``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.lambda_workers import LambdaWorkers
from stepwell.runtime.invokers.lambdas import Lambdas, function_name
from stepwell.runtime.invokers.router import Invokers

STATES = "arn:aws:states:::"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:double"
ACTIVITY_ARN = "arn:aws:states:us-east-1:123456789012:activity:worker"


class Recorder:
    def __init__(self, name: str):
        self.name = name
        self.calls: list[TaskCall] = []

    def invoke(self, call: TaskCall) -> Any:
        self.calls.append(call)
        return self.name


def call_of(resource: str, payload: Any = None) -> TaskCall:
    return TaskCall(parse_task_resource(resource), {} if payload is None else payload)


def registry() -> FunctionRegistry:
    functions = FunctionRegistry()
    functions.register("double", lambda event, context: event["n"] * 2)
    return functions


def invokers(functions: FunctionRegistry | None = None, **given: Any) -> Invokers:
    return Invokers(functions or registry(), **given)


@pytest.mark.parametrize(
    ("resource", "chosen"),
    [
        (FUNCTION_ARN, "lambdas"),
        (FUNCTION_ARN + ":prod", "lambdas"),
        (STATES + "lambda:invoke", "lambdas"),
        (STATES + "lambda:invoke.waitForTaskToken", "lambdas"),
        (STATES + "http:invoke", "http"),
        (STATES + "http:invoke.waitForTaskToken", "http"),
        (STATES + "sqs:sendMessage", "aws"),
        (STATES + "aws-sdk:s3:getObject", "aws"),
        (STATES + "dynamodb:putItem", "aws"),
        (STATES + "batch:submitJob.sync", "aws"),
    ],
)
def test_functions_http_and_aws_services_go_to_their_invokers(resource: str, chosen: str) -> None:
    recorders = {name: Recorder(name) for name in ("lambdas", "http", "aws")}
    router = Invokers(registry(), **recorders)
    assert router.invoke(call_of(resource)) == chosen
    assert [len(r.calls) for r in recorders.values()].count(1) == 1


@pytest.mark.parametrize(
    "resource",
    [
        ACTIVITY_ARN,
        STATES + "states:startExecution",
        STATES + "states:startExecution.sync:2",
        "arn:aws:sns:us-east-1:123456789012:topic",
    ],
)
def test_activities_nested_executions_and_other_arns_are_no_invokers_work(resource: str) -> None:
    recorders = {name: Recorder(name) for name in ("lambdas", "http", "aws")}
    router = Invokers(registry(), **recorders)
    with pytest.raises(TaskError) as raised:
        router.invoke(call_of(resource))
    assert (raised.value.error, raised.value.cause) == (
        "States.TaskFailed",
        f"stepwell is not configured to call the resource '{resource}'.",
    )
    assert not any(r.calls for r in recorders.values())


def test_a_callable_bound_to_the_exact_resource_stands_in_for_it() -> None:
    functions = registry()
    functions.register(ACTIVITY_ARN, lambda event, context: {"activity": event})
    functions.register(STATES + "sqs:sendMessage", lambda event, context: "sent")  # the base of the pattern
    aws = Recorder("aws")
    router = invokers(functions, aws=aws)
    assert router.invoke(call_of(ACTIVITY_ARN, 1)) == {"activity": 1}
    assert router.invoke(call_of(STATES + "sqs:sendMessage.waitForTaskToken")) == "sent"
    assert router.stands_in(parse_task_resource(ACTIVITY_ARN))
    assert not router.stands_in(parse_task_resource(STATES + "sns:publish"))
    assert aws.calls == []


def test_without_a_lambda_invoker_functions_run_in_the_registry() -> None:
    router = invokers()
    assert router.invoke(call_of(FUNCTION_ARN, {"n": 4})) == 8
    wrapped = router.invoke(
        call_of(STATES + "lambda:invoke", {"FunctionName": "double", "Payload": {"n": 5}})
    )
    assert wrapped["Payload"] == 10


def test_without_the_invoker_a_service_needs_the_task_fails_clearly() -> None:
    with pytest.raises(
        TaskError, match=r"not configured to call the resource 'arn:aws:states:::http:invoke'"
    ):
        invokers().invoke(call_of(STATES + "http:invoke"))


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LambdaWorkers]:
    path: Path = tmp_path_factory.mktemp("router") / "functions.py"
    path.write_text("def double(event, context):\n    return event['n'] * 2\n", encoding="utf-8")
    workers = LambdaWorkers([path], size=1)
    yield workers
    workers.close()


def test_which_calls_the_worker_pool_carries_out(pool: LambdaWorkers) -> None:
    functions = FunctionRegistry()
    functions.register(STATES + "lambda:invoke.waitForTaskToken", lambda event, context: "stand-in")
    router = invokers(functions, lambdas=Lambdas(local=pool))
    assert router.on_worker_pool(call_of(FUNCTION_ARN, {"n": 1}))
    assert router.on_worker_pool(call_of(STATES + "lambda:invoke", {"FunctionName": "double"}))
    # without a Lambda endpoint the pool answers an unknown name too (ResourceNotFoundException)
    assert router.on_worker_pool(call_of(STATES + "lambda:invoke", {"FunctionName": "nope"}))
    assert not router.on_worker_pool(
        call_of(STATES + "lambda:invoke.waitForTaskToken", {"FunctionName": "double"})
    )
    assert not router.on_worker_pool(call_of(STATES + "sqs:sendMessage"))
    assert not router.on_worker_pool(call_of(ACTIVITY_ARN))
    assert router.invoke(call_of(FUNCTION_ARN + ":prod", {"n": 21})) == 42
    assert invokers().on_worker_pool(call_of(FUNCTION_ARN)) is False  # no pool at all


@pytest.mark.parametrize(
    ("resource", "payload", "name"),
    [
        (FUNCTION_ARN, {}, "double"),
        (FUNCTION_ARN + ":7", {}, "double"),
        ("double:prod", {}, "double"),
        (STATES + "lambda:invoke", {"FunctionName": FUNCTION_ARN + ":prod"}, "double"),
        (STATES + "lambda:invoke.waitForTaskToken", {"FunctionName": "triple"}, "triple"),
    ],
)
def test_the_function_a_lambda_call_names(resource: str, payload: Any, name: str) -> None:
    assert function_name(call_of(resource, payload)) == name
