"""How an aws-sdk resource names a botocore service, its operations and its errors."""

from __future__ import annotations

import pytest

from stepwell.runtime.invokers.aws_sdk_names import (
    available_services,
    error_name,
    java_service_name,
    operation_name,
    sdk_service,
)


@pytest.mark.parametrize(
    ("service_id", "name"),
    [
        ("S3", "S3"),
        ("Lambda", "Lambda"),
        ("SQS", "Sqs"),
        ("AmazonMQ", "Mq"),  # the "Amazon" / "Aws" prefix goes
        ("Amazon", "Amazon"),  # ... unless it is the whole name
        ("Service Catalog", "ServiceCatalog"),  # "Service" goes only at the end
        ("Lex Runtime Service", "LexRuntime"),
        ("CloudWatch Events", "CloudWatchEvents"),
        ("Route 53", "Route53"),
        ("EC2 Instance Connect", "Ec2InstanceConnect"),
    ],
)
def test_java_service_names(service_id: str, name: str) -> None:
    assert java_service_name(service_id) == name


def test_a_service_carries_its_names_and_model() -> None:
    service = sdk_service("sqs")
    assert service is not None
    assert (service.sdk_name, service.botocore_name, service.prefix) == ("sqs", "sqs", "Sqs")
    assert service.model.metadata["serviceId"] == "SQS"
    assert sdk_service("sqs") is service  # resolved once


def test_operations_are_the_camel_case_action_in_pascal_case() -> None:
    # "The API action will always be camel case" (developer guide).
    service = sdk_service("sfn")
    assert service is not None
    assert operation_name(service, "startExecution") == "StartExecution"
    assert operation_name(service, "StartExecution") == "StartExecution"
    assert operation_name(service, "startexecution") is None
    assert operation_name(service, "") is None


@pytest.mark.parametrize(
    ("prefix", "shape", "name"),
    [
        (
            "S3",
            "NoSuchKey",
            "S3.NoSuchKeyException",
        ),  # the developer guide's S3.BucketAlreadyExistsException rule
        ("S3", "BucketAlreadyExists", "S3.BucketAlreadyExistsException"),
        ("DynamoDb", "ResourceNotFoundException", "DynamoDb.ResourceNotFoundException"),
        ("Sfn", "ExecutionDoesNotExist", "Sfn.ExecutionDoesNotExistException"),
    ],
)
def test_error_names(prefix: str, shape: str, name: str) -> None:
    assert error_name(prefix, shape) == name


def test_available_services_are_botocores() -> None:
    services = available_services()
    assert {"s3", "stepfunctions", "dynamodb", "logs", "events"} <= services
    assert available_services() is services
