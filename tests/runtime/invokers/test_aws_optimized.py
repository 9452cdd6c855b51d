"""Optimized SQS, SNS, DynamoDB and EventBridge integrations against a real moto server."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.optimized.requests import event_entries, execution_resources
from tests.runtime.invokers.moto_server import ACCOUNT, REGION

STATES = "arn:aws:states:::"
SDK = STATES + "aws-sdk:"
EXECUTION = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:orders:run-1"
# Java 1.x wording, as AWS records it for optimized integrations
V1_CAUSE = re.compile(
    r"^(?P<message>.*) \(Service: (?P<service>\w+); Status Code: (?P<status>\d+); "
    r"Error Code: (?P<code>[\w.]+); Request ID: \S+; Proxy: null\)$"
)


def run(invoker: AwsInvoker, resource: str, payload: Any) -> Any:
    return invoker.invoke(TaskCall(parse_task_resource(resource), payload, execution_arn=EXECUTION))


def fails(invoker: AwsInvoker, resource: str, payload: Any) -> TaskError:
    with pytest.raises(TaskError) as caught:
        run(invoker, resource, payload)
    return caught.value


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def assert_http_metadata(output: dict[str, Any]) -> None:
    metadata = output["SdkHttpMetadata"]
    assert metadata["HttpStatusCode"] == 200
    assert set(metadata) == {"AllHttpHeaders", "HttpHeaders", "HttpStatusCode"}
    assert all(isinstance(values, list) for values in metadata["AllHttpHeaders"].values())
    assert metadata["HttpHeaders"]["Content-Type"]  # header names keep the service's case
    assert output["SdkResponseMetadata"]["RequestId"]


@pytest.fixture(scope="module")
def invoker(aws_clients: AwsClients) -> AwsInvoker:
    return AwsInvoker(aws_clients)


@pytest.fixture
def queue(invoker: AwsInvoker) -> str:
    return str(run(invoker, SDK + "sqs:createQueue", {"QueueName": unique("queue")})["QueueUrl"])


def receive(invoker: AwsInvoker, queue: str) -> list[str]:
    messages = run(invoker, SDK + "sqs:receiveMessage", {"QueueUrl": queue, "MaxNumberOfMessages": 10})
    return [message["Body"] for message in messages.get("Messages", [])]


# --- SQS ---------------------------------------------------------------------------------------


def test_sqs_send_message_with_a_string_body(invoker: AwsInvoker, queue: str) -> None:
    output = run(invoker, STATES + "sqs:sendMessage", {"QueueUrl": queue, "MessageBody": "test_message_body"})
    assert {"MD5OfMessageBody", "MessageId", "SdkHttpMetadata", "SdkResponseMetadata"} <= set(output)
    assert output["MD5OfMessageBody"] == hashlib.md5(b"test_message_body").hexdigest()
    assert_http_metadata(output)
    assert receive(invoker, queue) == ["test_message_body"]


def test_sqs_send_message_stringifies_an_object_body(invoker: AwsInvoker, queue: str) -> None:
    body = {"Message": "hello", "TaskToken": "token-1", "n": [1, 2]}
    run(invoker, STATES + "sqs:sendMessage.waitForTaskToken", {"QueueUrl": queue, "MessageBody": body})
    (received,) = receive(invoker, queue)
    assert received == '{"Message":"hello","TaskToken":"token-1","n":[1,2]}'


def test_sqs_errors(invoker: AwsInvoker, queue: str) -> None:
    missing = fails(invoker, STATES + "sqs:sendMessage", {"QueueUrl": queue + "-nope", "MessageBody": "x"})
    assert missing.error == "SQS.QueueDoesNotExistException"
    match = V1_CAUSE.match(missing.cause)
    assert match and match["service"] == "AmazonSQS" and match["status"] == "400"

    no_body = fails(invoker, STATES + "sqs:sendMessage", {"QueueUrl": queue, "MessageBody": None})
    assert no_body.error == "SQS.AmazonSQSException"
    assert "MessageBody" in no_body.cause and "(Service: AmazonSQS; Status Code: 400;" in no_body.cause


def test_unreachable_endpoint_is_an_sdk_client_exception() -> None:
    clients = AwsClients(
        REGION, {"sqs": "http://127.0.0.1:9"}, aws_access_key_id="x", aws_secret_access_key="x"
    )
    error = fails(
        AwsInvoker(clients),
        STATES + "sqs:sendMessage",
        {"QueueUrl": "http://127.0.0.1:9/q", "MessageBody": "x"},
    )
    assert error.error == "SQS.SdkClientException"
    assert error.cause.startswith("Unable to execute HTTP request: ")


# --- SNS ---------------------------------------------------------------------------------------


def test_sns_publish_stringifies_the_message(invoker: AwsInvoker, queue: str) -> None:
    topic = run(invoker, SDK + "sns:createTopic", {"Name": unique("topic")})["TopicArn"]
    queue_arn = run(
        invoker, SDK + "sqs:getQueueAttributes", {"QueueUrl": queue, "AttributeNames": ["QueueArn"]}
    )
    run(
        invoker,
        SDK + "sns:subscribe",
        {
            "TopicArn": topic,
            "Protocol": "sqs",
            "Endpoint": queue_arn["Attributes"]["QueueArn"],
            "Attributes": {"RawMessageDelivery": "true"},
        },
    )
    output = run(invoker, STATES + "sns:publish", {"TopicArn": topic, "Message": {"Message": "HelloWorld!"}})
    assert {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"} <= set(output)
    assert_http_metadata(output)
    run(invoker, STATES + "sns:publish", {"TopicArn": topic, "Message": 1})
    assert receive(invoker, queue) == ['{"Message":"HelloWorld!"}', "1"]


def test_sns_publish_to_a_missing_topic(invoker: AwsInvoker) -> None:
    arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{unique('nope')}"
    error = fails(invoker, STATES + "sns:publish", {"TopicArn": arn, "Message": "x"})
    assert error.error == "SNS.NotFoundException"
    match = V1_CAUSE.match(error.cause)
    assert match and match["service"] == "AmazonSNS" and match["code"] == "NotFound"


# --- DynamoDB ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(invoker: AwsInvoker) -> str:
    name = unique("table")
    run(
        invoker,
        SDK + "dynamodb:createTable",
        {
            "TableName": name,
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    return name


def test_dynamodb_put_get_update_delete(invoker: AwsInvoker, table: str) -> None:
    key = {"id": {"S": "id1"}}
    put = run(
        invoker,
        STATES + "dynamodb:putItem",
        {"TableName": table, "Item": {**key, "data": {"S": "HelloWorld"}}},
    )
    assert set(put) == {"SdkHttpMetadata", "SdkResponseMetadata"}  # AWS records no other member
    assert_http_metadata(put)

    got = run(invoker, STATES + "dynamodb:getItem", {"TableName": table, "Key": key})
    assert got["Item"] == {"id": {"S": "id1"}, "data": {"S": "HelloWorld"}}
    assert_http_metadata(got)

    updated = run(
        invoker,
        STATES + "dynamodb:updateItem",
        {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "set #d = :r",
            "ExpressionAttributeNames": {"#d": "data"},
            "ExpressionAttributeValues": {":r": {"S": "HelloWorldUpdated"}},
            "ReturnValues": "UPDATED_NEW",
        },
    )
    assert updated["Attributes"] == {"data": {"S": "HelloWorldUpdated"}}

    deleted = run(
        invoker, STATES + "dynamodb:deleteItem", {"TableName": table, "Key": key, "ReturnValues": "ALL_OLD"}
    )
    assert deleted["Attributes"]["data"] == {"S": "HelloWorldUpdated"}
    assert "Item" not in run(invoker, STATES + "dynamodb:getItem", {"TableName": table, "Key": key})


def test_dynamodb_conditional_check_failed(invoker: AwsInvoker, table: str) -> None:
    item = {"id": {"S": "once"}}
    run(invoker, STATES + "dynamodb:putItem", {"TableName": table, "Item": item})
    error = fails(
        invoker,
        STATES + "dynamodb:putItem",
        {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(id)"},
    )
    assert error.error == "DynamoDB.ConditionalCheckFailedException"
    match = V1_CAUSE.match(error.cause)
    assert (
        match
        and match["service"] == "AmazonDynamoDBv2"
        and match["code"] == "ConditionalCheckFailedException"
    )


def test_dynamodb_missing_table(invoker: AwsInvoker) -> None:
    error = fails(
        invoker, STATES + "dynamodb:getItem", {"TableName": unique("nope"), "Key": {"id": {"S": "1"}}}
    )
    assert error.error == "DynamoDB.ResourceNotFoundException"
    assert error.cause.startswith(
        "Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; "
        "Error Code: ResourceNotFoundException; Request ID: "
    )


# --- EventBridge -------------------------------------------------------------------------------


def test_events_put_events(invoker: AwsInvoker) -> None:
    entries = [
        {"Detail": '{"Message": "HelloWorld0"}', "DetailType": "greeting", "Source": "some.source"},
        {"Detail": {"Message": "HelloWorld1"}, "DetailType": "greeting", "Source": "some.source"},
    ]
    output = run(invoker, STATES + "events:putEvents", {"Entries": entries})
    assert output["FailedEntryCount"] == 0
    assert [set(entry) for entry in output["Entries"]] == [{"EventId"}, {"EventId"}]
    assert "SdkHttpMetadata" not in output  # AWS records only Entries and FailedEntryCount


def test_events_put_events_with_a_failed_entry(invoker: AwsInvoker) -> None:
    entries = [{"Detail": {"Message": "HelloWorld"}, "DetailType": "greeting"}]  # no Source
    error = fails(invoker, STATES + "events:putEvents", {"Entries": entries})
    assert error.error == "EventBridge.FailedEntry"
    cause = json.loads(error.cause)
    assert cause["FailedEntryCount"] == 1
    assert cause["Entries"][0]["ErrorCode"] == "InvalidArgument"


def test_events_entries_get_json_details_and_the_execution_resources() -> None:
    prepared = event_entries({"Entries": [{"Detail": {"a": 1}, "Resources": ["arn:x"]}]}, EXECUTION, "")
    state_machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:orders"
    assert prepared["Entries"] == [{"Detail": '{"a":1}', "Resources": ["arn:x", state_machine, EXECUTION]}]
    assert execution_resources("") == []


# --- unsupported -------------------------------------------------------------------------------


def test_s3_is_not_an_optimized_task_resource(invoker: AwsInvoker) -> None:
    """(``s3:getObject`` is answered, for the ItemReader's compressed objects: s3_objects.py; a
    Task that names it is refused when its state machine is created.)"""
    error = fails(invoker, STATES + "s3:putObject", {"Bucket": "b", "Key": "k"})
    assert error.error == "States.Runtime"
    assert "arn:aws:states:::s3:putObject" in error.cause
    assert "'arn:aws:states:::aws-sdk:s3:putObject'" in error.cause


def test_unsupported_pattern_and_action(invoker: AwsInvoker) -> None:
    error = fails(invoker, STATES + "dynamodb:putItem.waitForTaskToken", {})
    assert "with the '.waitForTaskToken' pattern" in error.cause
    query = fails(invoker, STATES + "dynamodb:query", {})
    assert "'arn:aws:states:::aws-sdk:dynamodb:query'" in query.cause
    unknown = fails(invoker, STATES + "nosuch:thing", {})
    assert (
        unknown.cause
        == "stepwell does not support the optimized integration 'arn:aws:states:::nosuch:thing'."
    )
