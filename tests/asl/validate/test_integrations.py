"""Task resources in the ``arn:<p>:states:::`` namespace: which optimized integrations exist, and what
an EXPRESS machine refuses (issue 9).

The support matrix is AWS's (../shared/reference/integrations.md §1.2, reference §7.3). The EXPRESS
messages are recorded against AWS (../shared/conformance/validation: ILLEGAL_WFTT, SYNC); the
"not recognized" words for an unknown integration are AWS's for an unrecognized resource, reused
here as a guess.
"""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.validate import validate_definition

Triple = tuple[str, str, str | None]


def found(definition: Any, machine_type: str = "STANDARD") -> list[Triple]:
    return [(d.code, d.message, d.location) for d in validate_definition(definition, machine_type)]


def task(resource: str) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True}}}


def not_recognized(resource: str) -> Triple:
    message = (
        f"The resource provided {resource} is not recognized. The value is not a valid resource ARN, "
        "or the resource is not available in this region."
    )
    return ("SCHEMA_VALIDATION_FAILED", message, "/States/T/Resource")


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::nosuch:doIt",
        "arn:aws:states:::sqs:notAnAction",
        "arn:aws:states:::lambda:invoke.sync",  # Lambda offers no .sync
        "arn:aws:states:::dynamodb:putItem.waitForTaskToken",  # DynamoDB: request-response only
        "arn:aws:states:::dynamodb:query",  # only through aws-sdk:dynamodb:query
        "arn:aws:states:::s3:getObject",  # an ItemReader resource, not a Task integration
        "arn:aws:states:::ecs:runTask.sync:2",  # .sync:2 is Step Functions' only
        "arn:aws:states:::aws-sdk:s3:getObject.sync",  # aws-sdk: request-response or callback
        "arn:aws:states:::aws-sdk:s3",  # no API named
        "arn:aws-cn:states:::sns:publishh",
    ],
)
def test_an_unknown_integration_is_refused(resource: str) -> None:
    assert found(task(resource)) == [not_recognized(resource)]


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::lambda:invoke",
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::dynamodb:updateItem",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::ecs:runTask.sync",
        "arn:aws:states:::http:invoke",
        "arn:aws:states:::events:putEvents.waitForTaskToken",
        "arn:aws:states:::athena:getQueryResults",
        "arn:aws:states:::sagemaker:createTrainingJob.sync",  # actions not checked for SageMaker
        "arn:aws:states:::aws-sdk:dynamodb:query",
        "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue.waitForTaskToken",
        "arn:aws-us-gov:states:::glue:startJobRun.sync",
        "arn:aws:lambda:eu-west-3:111122223333:function:f",
        "arn:aws:states:eu-west-3:111122223333:activity:worker",
    ],
)
def test_known_integrations_and_other_arns_are_accepted(resource: str) -> None:
    assert found(task(resource)) == []


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (
            "arn:aws:states:::states:startExecution.sync",
            "Express state machine does not support '.sync' service integration",
        ),
        (
            "arn:aws:states:::states:startExecution.sync:2",
            "Express state machine does not support '.sync' service integration",
        ),
        (
            "arn:aws:states:::ecs:runTask.sync",
            "Express state machine does not support '.sync' service integration",
        ),
        (
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Express state machine does not support '.waitForTaskToken' service integration ",
        ),
        (
            "arn:aws:states:::aws-sdk:s3:listBuckets.waitForTaskToken",
            "Express state machine does not support '.waitForTaskToken' service integration ",
        ),
    ],
)
def test_express_refuses_sync_and_callback_integrations(resource: str, message: str) -> None:
    assert found(task(resource), "EXPRESS") == [("SCHEMA_VALIDATION_FAILED", message, "/States/T/Resource")]
    assert found(task(resource), "STANDARD") == []
