"""aws-sdk integrations against a real moto server: names, shapes, results and errors as AWS has them."""

from __future__ import annotations

import datetime
import json
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.aws_clients import AwsClients, endpoints_from_environment
from stepwell.runtime.invokers.aws_sdk import sdk_operation
from stepwell.runtime.invokers.aws_sdk_names import SDK_NAME_ALIASES, java_service_name, sdk_service
from stepwell.runtime.invokers.aws_shapes import instant_text
from stepwell.runtime.invokers.base import TaskCall, TaskError
from tests.runtime.invokers.moto_server import ACCOUNT, FAKE_CREDENTIALS, REGION

SDK = "arn:aws:states:::aws-sdk:"
# Java 2.x wording, as AWS records it: "<message> (Service: S3, Status Code: 404, Request ID: <id>[, ...])"
CAUSE = re.compile(
    r"^(?P<message>.*) \(Service: (?P<service>\w+), Status Code: (?P<status>\d+), "
    r"Request ID: \S+?(, Extended Request ID: \S+)?\)$"
)


def run(invoker: AwsInvoker, resource: str, payload: Any) -> Any:
    return invoker.invoke(TaskCall(parse_task_resource(resource), payload))


def fails(invoker: AwsInvoker, resource: str, payload: Any) -> TaskError:
    with pytest.raises(TaskError) as caught:
        run(invoker, resource, payload)
    return caught.value


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def invoker(aws_clients: AwsClients) -> AwsInvoker:
    return AwsInvoker(aws_clients)


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service_id", "expected"),
    [
        # pairs from the developer guide's table of aws-sdk services and exception prefixes
        ("ACM PCA", "AcmPca"),
        ("CloudWatch Logs", "CloudWatchLogs"),
        ("SFN", "Sfn"),
        ("DynamoDB", "DynamoDb"),
        ("DynamoDB Streams", "DynamoDbStreams"),
        ("Elastic Load Balancing v2", "ElasticLoadBalancingV2"),
        ("EventBridge", "EventBridge"),
        ("Secrets Manager", "SecretsManager"),
        ("SageMaker A2I Runtime", "SageMakerA2IRuntime"),
        ("Lex Model Building Service", "LexModelBuilding"),
        ("IoT Events", "IotEvents"),
        ("IoTAnalytics", "IoTAnalytics"),
        ("WAFV2", "Wafv2"),
        ("SESv2", "SesV2"),
        ("XRay", "XRay"),
        ("FSx", "FSx"),
        ("codestar notifications", "CodestarNotifications"),
        ("Cost and Usage Report Service", "CostAndUsageReport"),
        ("IoT 1Click Projects", "Iot1ClickProjects"),
    ],
)
def test_service_names_follow_the_java_sdk(service_id: str, expected: str) -> None:
    assert java_service_name(service_id) == expected


@pytest.mark.parametrize(
    ("sdk_name", "botocore_name", "prefix"),
    [
        ("s3", "s3", "S3"),
        ("sfn", "stepfunctions", "Sfn"),
        ("dynamodb", "dynamodb", "DynamoDb"),
        ("cloudwatchlogs", "logs", "CloudWatchLogs"),
        ("eventbridge", "events", "EventBridge"),
        ("acmpca", "acm-pca", "AcmPca"),
        ("elasticloadbalancingv2", "elbv2", "ElasticLoadBalancingV2"),
        ("secretsmanager", "secretsmanager", "SecretsManager"),
    ],
)
def test_resource_names_resolve_to_botocore_services(sdk_name: str, botocore_name: str, prefix: str) -> None:
    service = sdk_service(sdk_name)
    assert service is not None
    assert (service.botocore_name, service.prefix) == (botocore_name, prefix)


def test_the_alias_table_agrees_with_the_naming_rule() -> None:
    for sdk_name, botocore_name in SDK_NAME_ALIASES.items():
        service = sdk_service(sdk_name)
        assert service is not None and service.botocore_name == botocore_name, sdk_name


def test_botocore_names_that_aws_does_not_use_are_unknown() -> None:
    assert sdk_service("stepfunctions") is None  # AWS calls it sfn
    assert sdk_operation("s3", "getObject") is not None
    assert sdk_operation("s3", "noSuchAction") is None


# --- calls -------------------------------------------------------------------------------------


def test_s3_put_get_and_list(invoker: AwsInvoker) -> None:
    bucket = unique("bucket")
    assert run(invoker, SDK + "s3:createBucket", {"Bucket": bucket})["Location"]
    put = run(invoker, SDK + "s3:putObject", {"Bucket": bucket, "Key": "greeting.txt", "Body": "hello"})
    assert put["ETag"] == '"5d41402abc4b2a76b9719d911017c592"'
    got = run(invoker, SDK + "s3:getObject", {"Bucket": bucket, "Key": "greeting.txt"})
    # AWS records the body as text, beside the object's headers in PascalCase
    assert got["Body"] == "hello"
    assert got["ContentLength"] == 5
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", got["LastModified"])
    assert "ResponseMetadata" not in got
    listed = run(invoker, SDK + "s3:listBuckets", {})
    assert bucket in [b["Name"] for b in listed["Buckets"]]


def test_s3_errors_have_aws_names_and_causes(invoker: AwsInvoker) -> None:
    bucket = unique("bucket")
    run(invoker, SDK + "s3:createBucket", {"Bucket": bucket})
    no_key = fails(invoker, SDK + "s3:getObject", {"Bucket": bucket, "Key": "missing"})
    assert no_key.error == "S3.NoSuchKeyException"
    match = CAUSE.match(no_key.cause)
    assert match and match["service"] == "S3" and match["status"] == "404"
    assert match["message"] == "The specified key does not exist."

    no_bucket = fails(invoker, SDK + "s3:listObjects", {"Bucket": unique("missing")})
    assert no_bucket.error == "S3.NoSuchBucketException"
    assert no_bucket.cause.startswith("The specified bucket does not exist (Service: S3, Status Code: 404, ")


def test_dynamodb_items_and_missing_table(invoker: AwsInvoker) -> None:
    table = unique("table")
    run(
        invoker,
        SDK + "dynamodb:createTable",
        {
            "TableName": table,
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    item = {"id": {"S": "id1"}, "data": {"S": "HelloWorld"}}
    assert run(invoker, SDK + "dynamodb:putItem", {"TableName": table, "Item": item}) == {}
    got = run(invoker, SDK + "dynamodb:getItem", {"TableName": table, "Key": {"id": {"S": "id1"}}})
    assert got == {"Item": item}  # attribute names are data: their case is kept

    missing = fails(invoker, SDK + "dynamodb:putItem", {"TableName": unique("nope"), "Item": item})
    assert missing.error == "DynamoDb.ResourceNotFoundException"
    assert missing.cause.startswith(
        "Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: "
    )


def test_sqs_send_and_receive(invoker: AwsInvoker) -> None:
    queue = run(invoker, SDK + "sqs:createQueue", {"QueueName": unique("queue")})["QueueUrl"]
    sent = run(invoker, SDK + "sqs:sendMessage", {"QueueUrl": queue, "MessageBody": "hi"})
    assert set(sent) >= {"MessageId", "MD5OfMessageBody"} and "SdkHttpMetadata" not in sent
    received = run(invoker, SDK + "sqs:receiveMessage", {"QueueUrl": queue, "MaxNumberOfMessages": 1})
    assert received["Messages"][0]["Body"] == "hi"
    handle = received["Messages"][0]["ReceiptHandle"]
    # an action without a response shape answers {}
    assert run(invoker, SDK + "sqs:deleteMessage", {"QueueUrl": queue, "ReceiptHandle": handle}) == {}
    missing = fails(invoker, SDK + "sqs:getQueueUrl", {"QueueName": unique("nope")})
    assert missing.error == "Sqs.QueueDoesNotExistException"


def test_secretsmanager(invoker: AwsInvoker) -> None:
    name = unique("secret")
    created = run(invoker, SDK + "secretsmanager:createSecret", {"Name": name, "SecretString": "s3cr3t"})
    assert created["Name"] == name and created["ARN"].startswith("arn:aws:secretsmanager:")
    value = run(invoker, SDK + "secretsmanager:getSecretValue", {"SecretId": name})
    assert value["SecretString"] == "s3cr3t"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", value["CreatedDate"])
    missing = fails(invoker, SDK + "secretsmanager:getSecretValue", {"SecretId": unique("nope")})
    assert missing.error == "SecretsManager.ResourceNotFoundException"
    assert CAUSE.match(missing.cause)["service"] == "SecretsManager"  # type: ignore[index]


def test_sfn_members_are_pascal_case_both_ways(invoker: AwsInvoker) -> None:
    # Step Functions' own API is camelCase (stateMachineArn); aws-sdk tasks write it PascalCase.
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    created = run(
        invoker,
        SDK + "sfn:createStateMachine",
        {
            "Name": unique("machine"),
            "Definition": definition,  # an object where the API wants text is sent as JSON text
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/sfn",
        },
    )
    assert set(created) == {"StateMachineArn", "CreationDate"}
    described = run(
        invoker, SDK + "sfn:describeStateMachine", {"StateMachineArn": created["StateMachineArn"]}
    )
    assert json.loads(described["Definition"]) == definition
    missing = fails(
        invoker,
        SDK + "sfn:describeExecution",
        {"ExecutionArn": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:nope:nope"},
    )
    assert missing.error == "Sfn.ExecutionDoesNotExistException"
    assert CAUSE.match(missing.cause)["service"] == "Sfn"  # type: ignore[index]


# --- parameter and resource errors --------------------------------------------------------------


def test_unknown_parameter_is_a_service_validation_error(invoker: AwsInvoker) -> None:
    error = fails(invoker, SDK + "dynamodb:putItem", {"TableName": "t", "Itemz": {}})
    assert error.error == "DynamoDb.DynamoDbException"
    assert (
        '"Itemz"' in error.cause and "(Service: DynamoDb, Status Code: 400, Request ID: null)" in error.cause
    )


def test_wrong_json_type_is_a_service_validation_error(invoker: AwsInvoker) -> None:
    error = fails(invoker, SDK + "dynamodb:getItem", {"TableName": 5, "Key": {}})
    assert error.error == "DynamoDb.DynamoDbException"
    assert "Expected a string at 'TableName', got a number." in error.cause


def test_missing_required_parameter(invoker: AwsInvoker) -> None:
    error = fails(invoker, SDK + "secretsmanager:getSecretValue", {})
    assert error.error == "SecretsManager.SecretsManagerException"
    assert "SecretId" in error.cause


@pytest.mark.parametrize(
    ("resource", "detail"),
    [
        (SDK + "nosuchservice:doIt", "no AWS SDK service is named 'nosuchservice'"),
        (SDK + "s3:noSuchAction", "'s3' has no API action 'noSuchAction'"),
    ],
)
def test_unknown_service_or_action(invoker: AwsInvoker, resource: str, detail: str) -> None:
    error = fails(invoker, resource, {})
    assert error.error == "States.Runtime"
    assert error.cause.startswith(f"The resource provided {resource} is not recognized.")
    assert detail in error.cause


def test_instant_text_prints_like_java() -> None:
    utc = datetime.UTC
    assert instant_text(datetime.datetime(2024, 5, 23, 19, 11, 31, tzinfo=utc)) == "2024-05-23T19:11:31Z"
    assert (
        instant_text(datetime.datetime(2024, 5, 23, 19, 11, 31, 120000, tzinfo=utc))
        == "2024-05-23T19:11:31.120Z"
    )
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    assert (
        instant_text(datetime.datetime(2024, 5, 23, 21, 0, 0, 5, tzinfo=plus_two))
        == "2024-05-23T19:00:00.000005Z"
    )


# --- endpoints ----------------------------------------------------------------------------------


def test_endpoint_variables() -> None:
    environ = {
        "SQS_ENDPOINT": "http://sqs.local:1",
        "STEP_FUNCTIONS_ENDPOINT": "http://sfn.local:2",
        "SAGE_MAKER_ENDPOINT": "http://sagemaker.local:3",
        "S3_ENDPOINT": "http://s3.local:4",
        "EVENTBRIDGE_ENDPOINT": "http://events.local:5",
        "ACM_PCA_ENDPOINT": "http://acmpca.local:6",
        "AWS_ENDPOINT_URL_DYNAMODB": "http://dynamodb.local:7",
        "AWS_ENDPOINT_URL": "http://everything.local:8",
        "NOT_A_SERVICE_ENDPOINT": "http://ignored",
    }
    assert endpoints_from_environment(environ) == {
        "sqs": "http://sqs.local:1",
        "stepfunctions": "http://sfn.local:2",
        "sagemaker": "http://sagemaker.local:3",
        "s3": "http://s3.local:4",
        "events": "http://events.local:5",
        "acm-pca": "http://acmpca.local:6",
        "dynamodb": "http://dynamodb.local:7",
        "*": "http://everything.local:8",
    }
    clients = AwsClients.from_environment(REGION, environ, **FAKE_CREDENTIALS)
    assert clients.endpoint_url("sqs") == "http://sqs.local:1"
    assert clients.endpoint_url("lambda") == "http://everything.local:8"
    assert clients.client("stepfunctions").meta.endpoint_url == "http://sfn.local:2"


def test_step_functions_local_variables_win() -> None:
    environ = {"DYNAMODB_ENDPOINT": "http://a:1", "AWS_ENDPOINT_URL_DYNAMODB": "http://b:2"}
    assert endpoints_from_environment(environ) == {"dynamodb": "http://a:1"}


def test_calls_go_through_endpoints_from_the_environment(moto_url: str) -> None:
    clients = AwsClients.from_environment(
        REGION, {"SQS_ENDPOINT": moto_url, "SECRETSMANAGER_ENDPOINT": moto_url}, **FAKE_CREDENTIALS
    )
    invoker = AwsInvoker(clients)
    queue = run(invoker, SDK + "sqs:createQueue", {"QueueName": unique("env")})["QueueUrl"]
    assert run(invoker, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": queue, "MessageBody": "x"})[
        "MessageId"
    ]
    assert run(invoker, SDK + "secretsmanager:listSecrets", {})["SecretList"] is not None


def test_clients_are_created_once_and_shared(aws_clients: AwsClients) -> None:
    assert aws_clients.client("s3") is aws_clients.client("s3")


def test_no_real_aws_endpoint_is_contacted(moto_url: str) -> None:
    clients = AwsClients(REGION, {"*": moto_url}, **FAKE_CREDENTIALS)
    hosts: list[str] = []
    services = ["s3", "dynamodb", "sqs", "sns", "events", "secretsmanager", "stepfunctions"]
    for service in services:
        client = clients.client(service)
        assert client.meta.endpoint_url == moto_url
        client.meta.events.register(
            "before-send", lambda request, **_: hosts.append(urlsplit(request.url).netloc)
        )
    invoker = AwsInvoker(clients)
    bucket = unique("bucket")
    run(invoker, SDK + "s3:createBucket", {"Bucket": bucket})
    run(invoker, SDK + "s3:listBuckets", {})
    run(invoker, SDK + "sqs:listQueues", {})
    run(invoker, SDK + "sns:listTopics", {})
    run(invoker, SDK + "eventbridge:listEventBuses", {})
    run(invoker, SDK + "secretsmanager:listSecrets", {})
    run(invoker, SDK + "sfn:listStateMachines", {})
    run(invoker, SDK + "dynamodb:listTables", {})
    assert len(hosts) == 8
    assert set(hosts) == {urlsplit(moto_url).netloc}
