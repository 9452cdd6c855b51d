"""Routing AWS service Tasks: aws-sdk resources to the aws-sdk invoker, the optimized ones stepwell
carries out to the optimized invoker, and a clear failure naming the aws-sdk alternative otherwise."""

from __future__ import annotations

import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.invokers.aws import SDK_NAMES, AwsInvoker, unsupported_optimized
from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.base import TaskCall, TaskError
from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION

SAME_CALL = "makes the same API call (with the API's own request and response shapes)."


@pytest.mark.parametrize(
    ("arn", "service", "action", "pattern", "cause"),
    [
        (
            "arn:aws:states:::sqs:purgeQueue",
            "sqs",
            "purgeQueue",
            "",
            "stepwell does not support the optimized integration 'arn:aws:states:::sqs:purgeQueue'; "
            f"'arn:aws:states:::aws-sdk:sqs:purgeQueue' {SAME_CALL}",
        ),
        (
            "arn:aws:states:::sqs:sendMessage.sync",
            "sqs",
            "sendMessage",
            "sync",
            "stepwell does not support the optimized integration 'arn:aws:states:::sqs:sendMessage.sync' "
            f"with the '.sync' pattern; 'arn:aws:states:::aws-sdk:sqs:sendMessage' {SAME_CALL}",
        ),
        (
            "arn:aws:states:::sns:publish.waitForTaskToken",
            "sns",
            "publish",
            "waitForTaskToken",
            "stepwell does not support the optimized integration "
            "'arn:aws:states:::sns:publish.waitForTaskToken' "
            "with the '.waitForTaskToken' pattern; 'arn:aws:states:::aws-sdk:sns:publish.waitForTaskToken' "
            f"{SAME_CALL}",
        ),
        (
            "arn:aws:states:::events:listRules",
            "events",
            "listRules",
            "",
            "stepwell does not support the optimized integration 'arn:aws:states:::events:listRules'; "
            f"'arn:aws:states:::aws-sdk:eventbridge:listRules' {SAME_CALL}",
        ),
        # (A service no SDK knows has no alternative; finding that out reads every service model,
        # seconds, so it is not run here.)
    ],
)
def test_an_unsupported_optimized_integration_names_the_aws_sdk_alternative(
    arn: str, service: str, action: str, pattern: str, cause: str
) -> None:
    error = unsupported_optimized(arn, service, action, pattern)
    assert (error.error, error.cause) == ("States.Runtime", cause)


def test_the_aws_sdk_names_of_optimized_services() -> None:
    assert SDK_NAMES == {"events": "eventbridge", "states": "sfn", "elasticmapreduce": "emr"}


@pytest.fixture(scope="module")
def nowhere() -> AwsInvoker:
    """Every service pointed at a closed port: a call fails at once, and tells which invoker made it."""
    return AwsInvoker(AwsClients(REGION, {"*": "http://127.0.0.1:1"}, **FAKE_CREDENTIALS))


def failure(invoker: AwsInvoker, arn: str, payload: object) -> TaskError:
    with pytest.raises(TaskError) as raised:
        invoker.invoke(TaskCall(parse_task_resource(arn), payload))
    return raised.value


def test_aws_sdk_resources_go_to_the_aws_sdk_invoker(nowhere: AwsInvoker) -> None:
    error = failure(nowhere, "arn:aws:states:::aws-sdk:sqs:listQueues", {})
    assert error.error == "Sqs.SdkClientException"  # the Java 2.x name: aws-sdk wording
    assert error.cause.startswith("Unable to execute HTTP request: ")


def test_supported_optimized_resources_go_to_the_optimized_invoker(nowhere: AwsInvoker) -> None:
    error = failure(
        nowhere, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": "http://127.0.0.1:1/q", "MessageBody": "x"}
    )
    assert error.error == "SQS.SdkClientException"  # the Java 1.x name: optimized wording


def test_other_optimized_resources_fail_without_a_call(nowhere: AwsInvoker) -> None:
    error = failure(nowhere, "arn:aws:states:::sqs:purgeQueue", {"QueueUrl": "q"})
    assert error.error == "States.Runtime"
    assert error.cause.startswith("stepwell does not support the optimized integration")


def test_one_set_of_clients_is_shared() -> None:
    clients = AwsClients(REGION, {"*": "http://127.0.0.1:1"}, **FAKE_CREDENTIALS)
    invoker = AwsInvoker(clients)
    assert invoker.sdk.clients is clients and invoker.optimized.clients is clients
