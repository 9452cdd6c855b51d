"""boto3 clients for the integrations: endpoints by botocore or aws-sdk name, created once, one
attempt per call; nothing here sends a request."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from stepwell.runtime.invokers.aws_clients import (
    DEFAULT_ENDPOINT_KEY,
    STEP_FUNCTIONS_LOCAL_VARIABLES,
    AwsClients,
    endpoints_from_environment,
)
from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION


def test_endpoints_may_be_keyed_by_the_aws_sdk_name() -> None:
    clients = AwsClients(
        REGION, {"sfn": "http://sfn:1", "eventbridge": "http://events:2", "s3": "http://s3:3"}
    )
    assert clients.endpoints == {
        "stepfunctions": "http://sfn:1",
        "events": "http://events:2",
        "s3": "http://s3:3",
    }
    assert clients.endpoint_url("stepfunctions") == "http://sfn:1"
    assert clients.endpoint_url("lambda") is None  # boto3's default


def test_the_star_endpoint_serves_every_other_service() -> None:
    clients = AwsClients(REGION, {DEFAULT_ENDPOINT_KEY: "http://all:9", "s3": "http://s3:3"})
    assert clients.endpoint_url("s3") == "http://s3:3"
    assert clients.endpoint_url("dynamodb") == "http://all:9"


def test_a_client_is_made_once_with_the_endpoint_region_credentials_and_one_attempt() -> None:
    clients = AwsClients(REGION, {"sqs": "http://127.0.0.1:1"}, **FAKE_CREDENTIALS)
    sqs = clients.client("sqs")
    assert clients.client("sqs") is sqs
    assert sqs.meta.endpoint_url == "http://127.0.0.1:1"
    assert sqs.meta.region_name == REGION
    assert sqs.meta.config.retries["mode"] == "standard"
    credentials = sqs._request_signer._credentials
    assert (credentials.access_key, credentials.secret_key) == ("testing", "testing")


def test_a_call_is_sent_once() -> None:
    # "Step Functions makes one attempt per task attempt; retrying is the state's Retry's job."
    clients = AwsClients(REGION, {"*": "http://127.0.0.1:1"}, **FAKE_CREDENTIALS)
    sqs = clients.client("sqs")
    sent: list[str] = []
    sqs.meta.events.register("before-send", lambda request, **_: sent.append(request.url))
    with pytest.raises(EndpointConnectionError):
        sqs.list_queues()
    assert len(sent) == 1


def test_threads_share_one_client() -> None:
    clients = AwsClients(REGION, {"*": "http://127.0.0.1:1"}, **FAKE_CREDENTIALS)
    made: list[Any] = []
    threads = [threading.Thread(target=lambda: made.append(clients.client("sns"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(client) for client in made}) == 1


def test_step_functions_local_variables() -> None:
    assert STEP_FUNCTIONS_LOCAL_VARIABLES["SAGE_MAKER_ENDPOINT"] == "sagemaker"
    assert STEP_FUNCTIONS_LOCAL_VARIABLES["STEP_FUNCTIONS_ENDPOINT"] == "stepfunctions"
    environ = {name: f"http://{service}:1" for name, service in STEP_FUNCTIONS_LOCAL_VARIABLES.items()}
    assert endpoints_from_environment(environ) == {
        service: f"http://{service}:1" for service in STEP_FUNCTIONS_LOCAL_VARIABLES.values()
    }


def test_precedence_of_the_variables() -> None:
    environ = {
        "AWS_ENDPOINT_URL_S3": "http://boto:1",
        "S3_ENDPOINT": "http://service:2",
        "AWS_ENDPOINT_URL_SQS": "http://boto:3",
        "AWS_ENDPOINT_URL_SFN": "http://sfn:4",
        "EMPTY_ENDPOINT": "",
        "S3_ENDPOINT_EXTRA": "http://ignored",
    }
    assert endpoints_from_environment(environ) == {
        "s3": "http://service:2",  # <SERVICE>_ENDPOINT over boto3's own variable
        "sqs": "http://boto:3",
        "stepfunctions": "http://sfn:4",  # an aws-sdk name in boto3's variable too
    }
    assert endpoints_from_environment({}) == {}
