"""AWS service failures as Step Functions records them, from botocore's own exception objects (the
classes a client builds from the service model; no request is sent)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError

from stepwell.runtime.invokers.aws_errors import JavaV1Names, modelled_shape, optimized_error, sdk_error
from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION

DYNAMODB_V1 = JavaV1Names("DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException")


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION, **FAKE_CREDENTIALS)


def response(code: str, message: str | None, status: int, **meta: Any) -> dict[str, Any]:
    error = {"Code": code} if message is None else {"Code": code, "Message": message}
    return {"Error": error, "ResponseMetadata": {"HTTPStatusCode": status, **meta}}


NO_SUCH_BUCKET = client("s3").exceptions.NoSuchBucket(
    response("NoSuchBucket", "The specified bucket does not exist", 404, RequestId="R1", HostId="H2"),
    "ListObjects",
)
DYNAMODB_NOT_FOUND = client("dynamodb").exceptions.ResourceNotFoundException(
    response("ResourceNotFoundException", "Requested resource not found", 400, RequestId="R3"), "GetItem"
)
UNMODELLED = ClientError(
    response("AccessDenied", "nope", 403, HTTPHeaders={"x-amzn-requestid": "R4"}), "GetSecretValue"
)
BAD_PARAMETERS = ParamValidationError(
    report='Missing required parameter in input: "Bucket"\nUnknown parameter in input: "X"'
)
UNREACHABLE = EndpointConnectionError(endpoint_url="http://127.0.0.1:1/")


def test_the_modelled_shape_is_the_exception_class() -> None:
    assert modelled_shape(NO_SUCH_BUCKET) == "NoSuchBucket"
    assert modelled_shape(UNMODELLED) is None


def test_aws_sdk_errors_in_java_2_words() -> None:
    # Recorded against AWS: S3.NoSuchBucketException, "... (Service: S3, Status Code: 404,
    # Request ID: <id>, Extended Request ID: <id2>)".
    error = sdk_error("S3", NO_SUCH_BUCKET)
    assert (error.error, error.cause) == (
        "S3.NoSuchBucketException",
        "The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: R1, Extended "
        "Request ID: H2)",
    )
    error = sdk_error("DynamoDb", DYNAMODB_NOT_FOUND)
    assert (error.error, error.cause) == (
        "DynamoDb.ResourceNotFoundException",
        "Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: R3)",
    )


def test_an_error_the_model_does_not_declare_is_the_service_exception() -> None:
    # Recorded: SecretsManager.SecretsManagerException.
    error = sdk_error("SecretsManager", UNMODELLED)
    assert (error.error, error.cause) == (
        "SecretsManager.SecretsManagerException",
        "nope (Service: SecretsManager, Status Code: 403, Request ID: R4)",
    )


def test_missing_message_and_request_id() -> None:
    error = sdk_error("S3", ClientError({"Error": {"Code": "Throttling"}, "ResponseMetadata": {}}, "X"))
    assert (error.error, error.cause) == (
        "S3.S3Exception",
        "Throttling (Service: S3, Status Code: 0, Request ID: null)",
    )


def test_botocores_parameter_check_stands_in_for_the_services_400() -> None:
    error = sdk_error("S3", BAD_PARAMETERS)
    assert (error.error, error.cause) == (
        "S3.S3Exception",
        'Missing required parameter in input: "Bucket" Unknown parameter in input: "X" '
        "(Service: S3, Status Code: 400, Request ID: null)",
    )


def test_a_connection_failure_is_an_sdk_client_exception() -> None:
    error = sdk_error("S3", UNREACHABLE)
    assert (error.error, error.cause) == (
        "S3.SdkClientException",
        'Unable to execute HTTP request: Could not connect to the endpoint URL: "http://127.0.0.1:1/"',
    )


def test_optimized_errors_in_java_1_words() -> None:
    # Recorded: "Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400;
    # Error Code: ResourceNotFoundException; Request ID: <id>; Proxy: null)".
    error = optimized_error(DYNAMODB_V1, DYNAMODB_NOT_FOUND)
    assert (error.error, error.cause) == (
        "DynamoDB.ResourceNotFoundException",
        "Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; "
        "Error Code: ResourceNotFoundException; Request ID: R3; Proxy: null)",
    )
    error = optimized_error(DYNAMODB_V1, UNMODELLED)
    assert (error.error, error.cause) == (
        "DynamoDB.AmazonDynamoDBException",
        "nope (Service: AmazonDynamoDBv2; Status Code: 403; Error Code: AccessDenied; Request ID: R4; "
        "Proxy: null)",
    )


def test_optimized_parameter_and_connection_failures() -> None:
    error = optimized_error(DYNAMODB_V1, BAD_PARAMETERS)
    assert error.error == "DynamoDB.AmazonDynamoDBException"
    assert error.cause.endswith(
        "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: null; "
        "Proxy: null)"
    )
    error = optimized_error(JavaV1Names("SQS", "AmazonSQS", "AmazonSQSException"), UNREACHABLE)
    assert error.error == "SQS.SdkClientException"
    assert error.cause.startswith("Unable to execute HTTP request: ")


def test_anything_else_is_not_a_service_failure() -> None:
    with pytest.raises(ValueError, match=r"^a bug$"):
        sdk_error("S3", ValueError("a bug"))
    with pytest.raises(KeyError):
        optimized_error(DYNAMODB_V1, KeyError("a bug"))
