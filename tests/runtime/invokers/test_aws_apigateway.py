"""``apigateway:invoke`` (integrations.md §2.10) against a local HTTP server (http_server.py),
which the ``apigateway`` endpoint override (``APIGATEWAY_ENDPOINT``) points every ApiEndpoint at."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from stepwell.runtime.invokers.aws import AwsInvoker
from stepwell.runtime.invokers.aws_clients import AwsClients
from stepwell.runtime.invokers.base import TaskError
from tests.runtime.invokers.http_server import LocalServer, ServerState
from tests.runtime.invokers.job_calls import call
from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION

API = "abc123.execute-api.us-east-1.amazonaws.com"


@pytest.fixture(scope="module")
def api_invoker(server: LocalServer) -> Iterator[AwsInvoker]:
    invoker = AwsInvoker(AwsClients(REGION, {"apigateway": server.base}, **FAKE_CREDENTIALS))
    yield invoker
    invoker.close()


def test_a_post_goes_to_stage_and_path_with_query_headers_and_body(
    api_invoker: AwsInvoker, state: ServerState
) -> None:
    output = call(
        api_invoker,
        "apigateway:invoke",
        {
            "ApiEndpoint": API,
            "Method": "POST",
            "Path": "mirror",
            "QueryParameters": {"tag": ["a", "b"]},
            "Headers": {"X-Trace": ["t-1"], "Accept": ["application/json", "text/plain"]},
            "RequestBody": {"pet": "cat", "owner": None},
        },
    )
    assert output["StatusCode"] == 200 and output["StatusText"] == "OK"
    assert output["ResponseBody"]["query"] == "tag=a&tag=b"
    assert output["ResponseBody"]["headers"]["X-Trace"] == "t-1"
    assert output["ResponseBody"]["headers"]["Accept"] == "application/json,text/plain"
    assert output["Headers"]["Content-Type"] == ["application/json"]
    assert "SdkHttpMetadata" not in output  # "Not present in ... apigateway:invoke" (§0)
    seen = state.seen[-1]
    assert (seen.method, seen.path) == ("POST", "/mirror")
    assert json.loads(seen.body) == {"pet": "cat"}  # AllowNullValues false: nulls left out
    assert seen.header("Content-Type") == "application/json"


def test_nulls_are_kept_when_allowed_and_no_body_goes_with_a_get(
    api_invoker: AwsInvoker, state: ServerState
) -> None:
    body = {"owner": None}
    call(
        api_invoker,
        "apigateway:invoke",
        {"ApiEndpoint": API, "Method": "PUT", "Path": "/echo", "RequestBody": body, "AllowNullValues": True},
    )
    assert json.loads(state.seen[-1].body) == body
    call(
        api_invoker,
        "apigateway:invoke",
        {"ApiEndpoint": API, "Method": "GET", "Stage": "status", "Path": "200", "RequestBody": body},
    )
    assert state.seen[-1].path == "/status/200" and state.seen[-1].body == b""


def test_a_status_outside_2xx_fails_with_api_gateway_and_the_status(
    api_invoker: AwsInvoker, state: ServerState
) -> None:
    with pytest.raises(TaskError) as failed:
        call(
            api_invoker,
            "apigateway:invoke",
            {"ApiEndpoint": API, "Method": "GET", "Stage": "status", "Path": "403"},
        )
    assert failed.value.error == "ApiGateway.403"
    assert json.loads(failed.value.cause) == {"error": "status 403"}


@pytest.mark.parametrize("header", ["Authorization", "X-Amz-Date", "X-Forwarded-For", "Host"])
def test_a_forbidden_header_is_refused_before_anything_is_sent(
    api_invoker: AwsInvoker, state: ServerState, header: str
) -> None:
    with pytest.raises(TaskError) as refused:
        call(
            api_invoker,
            "apigateway:invoke",
            {"ApiEndpoint": API, "Method": "GET", "Headers": {header: ["x"]}},
        )
    assert refused.value.error == "States.Runtime" and header in refused.value.cause
    assert state.seen == []


def test_iam_role_signs_the_request_for_execute_api(api_invoker: AwsInvoker, state: ServerState) -> None:
    call(
        api_invoker,
        "apigateway:invoke",
        {"ApiEndpoint": API, "Method": "GET", "Path": "echo", "AuthType": "IAM_ROLE"},
    )
    signature = state.seen[-1].header("Authorization") or ""
    assert signature.startswith("AWS4-HMAC-SHA256 Credential=") and "/us-east-1/execute-api/" in signature


def test_without_the_override_a_loopback_endpoint_is_refused_by_the_allow_list(server: LocalServer) -> None:
    invoker = AwsInvoker(AwsClients(REGION, {"*": server.base}, **FAKE_CREDENTIALS))  # "*" is not enough
    with pytest.raises(TaskError) as refused:
        call(invoker, "apigateway:invoke", {"ApiEndpoint": f"127.0.0.1:{server.port}", "Method": "GET"})
    invoker.close()
    assert refused.value.error == "States.Permissions"
