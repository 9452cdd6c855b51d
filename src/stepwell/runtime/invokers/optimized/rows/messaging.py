"""SQS, SNS, DynamoDB and EventBridge: request-response and callbacks (§2.12, §2.14)."""

from __future__ import annotations

import json

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.optimized import requests
from stepwell.runtime.invokers.optimized.spec import (
    REQUEST_RESPONSE,
    WITH_CALLBACK,
    Integration,
    Json,
)

SQS = JavaV1Names("SQS", "AmazonSQS", "AmazonSQSException")
SNS = JavaV1Names("SNS", "AmazonSNS", "AmazonSNSException")
DYNAMODB = JavaV1Names("DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException")
EVENTBRIDGE = JavaV1Names("EventBridge", "AmazonEventBridge", "AmazonEventBridgeException")


def _failed_entries(answer: Json, pattern: str) -> TaskError | None:
    """PutEvents answered, but an entry failed: ``EventBridge.FailedEntry``, the answer as cause (§2.12)."""
    if not answer.get("FailedEntryCount"):
        return None
    return TaskError("EventBridge.FailedEntry", json.dumps(answer, separators=(",", ":")))


MESSAGING: dict[tuple[str, str], Integration] = {
    ("sqs", "sendMessage"): Integration(
        "sqs", "SendMessage", SQS, WITH_CALLBACK, requests.with_text_field("MessageBody"), shaped=False
    ),
    ("sns", "publish"): Integration(
        "sns", "Publish", SNS, WITH_CALLBACK, requests.with_text_field("Message"), shaped=False
    ),
    **{
        ("dynamodb", action): Integration("dynamodb", operation, DYNAMODB, REQUEST_RESPONSE, shaped=False)
        for action, operation in (
            ("getItem", "GetItem"),
            ("putItem", "PutItem"),
            ("updateItem", "UpdateItem"),
            ("deleteItem", "DeleteItem"),
        )
    },
    ("events", "putEvents"): Integration(
        "events",
        "PutEvents",
        EVENTBRIDGE,
        WITH_CALLBACK,
        requests.event_entries,
        shaped=False,
        with_http_metadata=False,
        refuse=_failed_entries,
    ),
}
