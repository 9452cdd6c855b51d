"""The HTTP Task invoker against a real HTTP server on 127.0.0.1 (tests/runtime/invokers/http_server.py)."""

from __future__ import annotations

import base64
import json
import logging
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.connections import Connections, ConnectionsFileError, Secret
from stepwell.runtime.invokers.connections_oauth import TokenCache
from stepwell.runtime.invokers.http import AllowList, HttpInvoker
from tests.runtime.invokers.http_server import CLIENT_ID, CLIENT_SECRET, LocalServer, ServerState

API_KEY = "api-key-value-123"
PASSWORD = "pa55word-secret"
HIDDEN_HEADER = "hidden-header-value-42"
HIDDEN_QUERY = "hidden-query-value-43"
HIDDEN_BODY = "hidden-body-value-44"
ARN = "arn:aws:events:eu-west-1:111122223333:connection/{}/0b5c9a2e-1111-2222-3333-444455556666"
LOCAL = AllowList.parse("127.0.0.1")  # the test server's address: loopback, refused by default


def connections_for(base: str) -> Connections:
    return Connections.from_json(
        {
            ARN.format("key"): {
                "AuthorizationType": "API_KEY",
                "AuthParameters": {
                    "ApiKeyAuthParameters": {"ApiKeyName": "X-Api-Key", "ApiKeyValue": API_KEY},
                    "InvocationHttpParameters": {
                        "HeaderParameters": [
                            {"Key": "X-Hidden", "Value": HIDDEN_HEADER, "IsValueSecret": True},
                            {"Key": "Header-Param", "Value": "connection_header_param"},
                        ],
                        "QueryStringParameters": [
                            {"Key": "QueryParam", "Value": "connection_query_param"},
                            {"Key": "hidden", "Value": HIDDEN_QUERY, "IsValueSecret": True},
                        ],
                        "BodyParameters": [
                            {"Key": "BodyParam", "Value": "connection_body_param"},
                            {"Key": "HiddenBody", "Value": HIDDEN_BODY, "IsValueSecret": True},
                        ],
                    },
                },
            },
            "basic": {
                "AuthorizationType": "BASIC",
                "AuthParameters": {"BasicAuthParameters": {"Username": "alice", "Password": PASSWORD}},
            },
            "oauth": {
                "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
                "AuthParameters": {
                    "OAuthParameters": {
                        "ClientParameters": {
                            "ClientID": CLIENT_ID,
                            "ClientSecret": {"Env": "TEST_CLIENT_SECRET"},
                        },
                        "AuthorizationEndpoint": f"{base}/token",
                        "HttpMethod": "POST",
                        "OAuthHttpParameters": {"BodyParameters": [{"Key": "scope", "Value": "read"}]},
                    }
                },
            },
        },
        environ={"TEST_CLIENT_SECRET": CLIENT_SECRET},
    )


@pytest.fixture
def invoker(server: LocalServer, state: ServerState) -> Iterator[HttpInvoker]:
    made = HttpInvoker(connections_for(server.base), LOCAL)
    yield made
    made.close()


def call(payload: dict[str, Any], resource: str = "arn:aws:states:::http:invoke", **kw: Any) -> TaskCall:
    return TaskCall(parse_task_resource(resource), payload, **kw)


def fail(invoker: HttpInvoker, payload: dict[str, Any]) -> TaskError:
    with pytest.raises(TaskError) as caught:
        invoker.invoke(call(payload))
    return caught.value


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- requests --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
def test_every_method_reaches_the_server(
    invoker: HttpInvoker, server: LocalServer, state: ServerState, method: str
) -> None:
    result = invoker.invoke(call({"ApiEndpoint": f"{server.base}/echo", "Method": method}))
    assert state.seen[-1].method == method
    assert result["StatusCode"] == 200
    assert result["ResponseBody"] == ("" if method == "HEAD" else {"ok": True})


def test_wait_for_task_token_just_makes_the_call(
    invoker: HttpInvoker, server: LocalServer, state: ServerState
) -> None:
    resource = "arn:aws:states:::http:invoke.waitForTaskToken"
    result = invoker.invoke(
        call({"ApiEndpoint": f"{server.base}/echo", "Method": "POST", "RequestBody": {"t": "tok"}}, resource)
    )
    assert result["StatusCode"] == 200
    assert json.loads(state.seen[-1].body) == {"t": "tok"}


def test_headers_step_functions_sets_and_definition_headers(
    invoker: HttpInvoker, server: LocalServer, state: ServerState
) -> None:
    invoker.invoke(
        call(
            {
                "ApiEndpoint": f"{server.base}/echo",
                "Method": "POST",
                "Headers": {
                    "X-One": "1",
                    "X-Num": 7,
                    "X-Many": ["a", "b"],
                    "User-Agent": "mine",
                    "Range": "bytes=0-1",
                },
                "RequestBody": {"a": 1},
            }
        )
    )
    seen = state.seen[-1]
    assert seen.header("User-Agent") == "Amazon|StepFunctions|HttpInvoke|us-east-1"
    assert seen.header("Range") == "bytes=0-262144"
    assert seen.header("Host") == server.base.removeprefix("http://")
    assert seen.header("Content-Type") == "application/json; charset=UTF-8"
    assert (seen.header("X-One"), seen.header("X-Num")) == ("1", "7")
    assert [v for k, v in seen.headers if k.lower() == "x-many"] == ["a", "b"]
    assert seen.body == b'{"a":1}'


@pytest.mark.parametrize(
    "name", ["Authorization", "host", "Accept-Encoding", "x-amz-date", "X-Amzn-Trace-Id", "X-Forwarded-For"]
)
def test_forbidden_headers_fail_with_states_runtime_before_sending(
    invoker: HttpInvoker, server: LocalServer, state: ServerState, name: str
) -> None:
    error = fail(invoker, {"ApiEndpoint": f"{server.base}/echo", "Method": "GET", "Headers": {name: "x"}})
    assert error.error == "States.Runtime"
    assert error.cause == f"The 'Headers' field contains unsupported values: [{name.lower()}]"
    assert state.seen == []


def test_query_parameters_with_arrays_and_nesting(
    invoker: HttpInvoker, server: LocalServer, state: ServerState
) -> None:
    invoker.invoke(
        call(
            {
                "ApiEndpoint": f"{server.base}/echo?fixed=1",
                "Method": "GET",
                "QueryParameters": {
                    "currency": "usd",
                    "tag": ["a", "b c"],
                    "n": 3,
                    "on": True,
                    "f": {"x": "y"},
                },
            }
        )
    )
    assert state.seen[-1].query == [
        ("fixed", "1"),
        ("currency", "usd"),
        ("tag", "a"),
        ("tag", "b c"),
        ("n", "3"),
        ("on", "true"),
        ("f[x]", "y"),
    ]
    assert "b%20c" in state.seen[-1].raw_query


def test_query_parameters_as_a_string(invoker: HttpInvoker, server: LocalServer, state: ServerState) -> None:
    invoker.invoke(
        call({"ApiEndpoint": f"{server.base}/echo", "Method": "GET", "QueryParameters": "a=1&b=two"})
    )
    assert state.seen[-1].query == [("a", "1"), ("b", "two")]


def test_json_body_and_raw_string_body(invoker: HttpInvoker, server: LocalServer, state: ServerState) -> None:
    body = {"Card": {"Number": "123", "Name": "Jöhn"}, "list": [1, None, True]}
    invoker.invoke(call({"ApiEndpoint": f"{server.base}/echo", "Method": "POST", "RequestBody": body}))
    assert json.loads(state.seen[-1].body) == body
    invoker.invoke(
        call(
            {
                "ApiEndpoint": f"{server.base}/echo",
                "Method": "PUT",
                "Headers": {"Content-Type": "text/xml"},
                "RequestBody": "<a/>",
            }
        )
    )
    assert (state.seen[-1].body, state.seen[-1].header("Content-Type")) == (b"<a/>", "text/xml")


ARRAY = {"array": ["a", "b", "c", "d"]}


@pytest.mark.parametrize(
    ("array_format", "expected"),
    [
        ("INDICES", "array%5B0%5D=a&array%5B1%5D=b&array%5B2%5D=c&array%5B3%5D=d"),
        ("REPEAT", "array=a&array=b&array=c&array=d"),
        ("COMMAS", "array=a,b,c,d"),
        ("BRACKETS", "array%5B%5D=a&array%5B%5D=b&array%5B%5D=c&array%5B%5D=d"),
    ],
)
def test_url_encoded_body_for_every_array_format(
    invoker: HttpInvoker, server: LocalServer, state: ServerState, array_format: str, expected: str
) -> None:
    invoker.invoke(
        call(
            {
                "ApiEndpoint": f"{server.base}/echo",
                "Method": "POST",
                "Headers": {"Content-Type": "application/x-www-form-urlencoded"},
                "RequestBody": ARRAY,
                "Transform": {
                    "RequestBodyEncoding": "URL_ENCODED",
                    "RequestEncodingOptions": {"ArrayFormat": array_format},
                },
            }
        )
    )
    assert state.seen[-1].body.decode() == expected
    assert state.seen[-1].header("Content-Type") == "application/x-www-form-urlencoded"


def test_url_encoding_follows_the_guides_stripe_example(
    invoker: HttpInvoker, server: LocalServer, state: ServerState
) -> None:
    invoker.invoke(
        call(
            {
                "ApiEndpoint": f"{server.base}/echo",
                "Method": "POST",
                "RequestBody": {
                    "description": "Monthly subscription",
                    "metadata": {"order_details": "monthly report data"},
                    "customer": "1234567890",
                },
                "Transform": {"RequestBodyEncoding": "URL_ENCODED"},  # INDICES by default
            }
        )
    )
    assert state.seen[-1].body == (
        b"description=Monthly%20subscription&metadata%5Border_details%5D=monthly%20report%20data&customer=1234567890"
    )
    assert state.seen[-1].header("Content-Type") == "application/x-www-form-urlencoded"
    nested = {"items": [{"id": 1}, {"id": 2}], "ok": False, "none": None}
    invoker.invoke(
        call(
            {
                "ApiEndpoint": f"{server.base}/echo",
                "Method": "POST",
                "RequestBody": nested,
                "Transform": {"RequestBodyEncoding": "URL_ENCODED"},
            }
        )
    )
    assert parse_qsl(state.seen[-1].body.decode(), keep_blank_values=True) == [
        ("items[0][id]", "1"),
        ("items[1][id]", "2"),
        ("ok", "false"),
        ("none", ""),
    ]


# --- responses -------------------------------------------------------------------------------------------


def test_output_shape(invoker: HttpInvoker, server: LocalServer) -> None:
    result = invoker.invoke(call({"ApiEndpoint": f"{server.base}/echo", "Method": "GET"}))
    assert list(result) == ["Headers", "ResponseBody", "StatusCode", "StatusText"]
    assert result["StatusCode"] == 200 and result["StatusText"] == "OK"
    assert result["ResponseBody"] == {"ok": True}
    assert result["Headers"]["content-type"] == ["application/json"]
    assert result["Headers"]["set-cookie"] == ["a=1", "b=2"]
    assert all(name == name.lower() and isinstance(v, list) for name, v in result["Headers"].items())


def test_text_and_empty_responses(invoker: HttpInvoker, server: LocalServer) -> None:
    text = invoker.invoke(call({"ApiEndpoint": f"{server.base}/text", "Method": "GET"}))
    assert text["ResponseBody"] == "hello there"
    empty = invoker.invoke(call({"ApiEndpoint": f"{server.base}/empty", "Method": "DELETE"}))
    assert (empty["StatusCode"], empty["StatusText"], empty["ResponseBody"]) == (204, "No Content", "")
    latin = invoker.invoke(call({"ApiEndpoint": f"{server.base}/latin1", "Method": "GET"}))
    assert latin["ResponseBody"] == "café"


@pytest.mark.parametrize("path", ["/image", "/binary-text"])
def test_binary_responses_fail_with_states_runtime(
    invoker: HttpInvoker, server: LocalServer, path: str
) -> None:
    assert fail(invoker, {"ApiEndpoint": server.base + path, "Method": "GET"}).error == "States.Runtime"


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (400, "Bad Request"),
        (404, "Not Found"),
        (429, "Too Many Requests"),
        (500, "Internal Server Error"),
        (503, "Service Unavailable"),
    ],
)
def test_non_2xx_fails_with_the_status_code_error(
    invoker: HttpInvoker, server: LocalServer, code: int, text: str
) -> None:
    error = fail(invoker, {"ApiEndpoint": f"{server.base}/status/{code}", "Method": "GET"})
    assert error.error == f"States.Http.StatusCode.{code}"
    cause = json.loads(error.cause)
    assert (cause["StatusCode"], cause["StatusText"]) == (code, text)
    assert cause["ResponseBody"] == {"error": f"status {code}"}


def test_redirects_are_not_followed(invoker: HttpInvoker, server: LocalServer, state: ServerState) -> None:
    assert (
        fail(invoker, {"ApiEndpoint": f"{server.base}/redirect", "Method": "GET"}).error
        == "States.Http.StatusCode.302"
    )
    assert state.paths() == ["/redirect"]


def test_connection_refused_is_a_socket_error(invoker: HttpInvoker) -> None:
    error = fail(invoker, {"ApiEndpoint": f"http://127.0.0.1:{closed_port()}/x", "Method": "GET"})
    assert error.error == "States.Http.Socket"
    assert "ConnectError" in error.cause


def test_a_dropped_connection_is_a_socket_error(invoker: HttpInvoker, server: LocalServer) -> None:
    error = fail(invoker, {"ApiEndpoint": f"{server.base}/drop", "Method": "GET"})
    assert error.error == "States.Http.Socket"
    assert error.cause.startswith(f"The request to {server.base}/drop failed: RemoteProtocolError")


def test_a_timeout_is_a_socket_error(server: LocalServer, state: ServerState) -> None:
    quick = HttpInvoker(Connections(), LOCAL, timeout=0.3)
    try:
        error = fail(quick, {"ApiEndpoint": f"{server.base}/slow", "Method": "GET"})
    finally:
        quick.close()
    assert error.error == "States.Http.Socket"
    assert error.cause == f"The request to {server.base}/slow timed out after 0.3 seconds."


def test_the_states_timeout_seconds_caps_the_wait(invoker: HttpInvoker, server: LocalServer) -> None:
    with pytest.raises(TaskError) as caught:
        invoker.invoke(call({"ApiEndpoint": f"{server.base}/slow", "Method": "GET"}, timeout_seconds=0.2))
    assert caught.value.error == "States.Http.Socket"


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"Method": "GET"}, "ApiEndpoint"),
        ({"ApiEndpoint": "ftp://x/y", "Method": "GET"}, "not an http(s) URL"),
        ({"ApiEndpoint": "http://127.0.0.1/", "Method": "get"}, "Method"),
        ({"ApiEndpoint": "http://127.0.0.1/", "Method": "TRACE"}, "Method"),
        ({"ApiEndpoint": "http://127.0.0.1/", "Method": "GET", "Body": 1}, "'Body' is not supported"),
        (
            {
                "ApiEndpoint": "http://127.0.0.1/",
                "Method": "GET",
                "Transform": {"RequestBodyEncoding": "XML"},
            },
            "Transform",
        ),
        (
            {
                "ApiEndpoint": "http://127.0.0.1/",
                "Method": "GET",
                "Transform": {"RequestEncodingOptions": {"ArrayFormat": "X"}},
            },
            "Transform",
        ),
        ({"ApiEndpoint": "http://127.0.0.1/", "Method": "GET", "Headers": ["a"]}, "Headers"),
        ({"ApiEndpoint": "http://127.0.0.1/", "Method": "GET", "Headers": {"X": {"a": 1}}}, "header 'X'"),
        (
            {"ApiEndpoint": "http://127.0.0.1/", "Method": "GET", "Headers": {"Bad Name": "a"}},
            "not a valid HTTP header",
        ),
        ({"ApiEndpoint": "http://127.0.0.1/", "Method": "GET", "Authentication": {}}, "ConnectionArn"),
        (
            {
                "ApiEndpoint": "http://127.0.0.1/",
                "Method": "POST",
                "RequestBody": [1],
                "Transform": {"RequestBodyEncoding": "URL_ENCODED"},
            },
            "URL-encoded",
        ),
    ],
)
def test_invalid_parameters_fail_with_states_runtime(
    invoker: HttpInvoker, payload: dict[str, Any], words: str
) -> None:
    error = fail(invoker, payload)
    assert error.error == "States.Runtime"
    assert words in error.cause


# --- connections ---------------------------------------------------------------------------------------


def test_api_key_and_the_guides_merge_example(
    invoker: HttpInvoker, server: LocalServer, state: ServerState
) -> None:
    invoker.invoke(
        call(
            {
                "Authentication": {"ConnectionArn": ARN.format("key")},
                "ApiEndpoint": f"{server.base}/echo",
                "Method": "POST",
                "Headers": {
                    "Request-Id": "my_request_id",
                    "header-param": "state_machine_header_param",
                    "x-api-key": "from-the-definition",
                },
                "RequestBody": {"Job": "Software Engineer", "BodyParam": "state_machine_body_param"},
                "QueryParameters": {"QueryParam": "state_machine_query_param", "own": "x"},
            }
        )
    )
    seen = state.seen[-1]
    assert [v for k, v in seen.headers if k.lower() == "x-api-key"] == [API_KEY]
    assert seen.header("Header-Param") == "connection_header_param"  # the connection's value wins
    assert [k for k, _ in seen.headers].count("Header-Param") + [k for k, _ in seen.headers].count(
        "header-param"
    ) == 1
    assert (seen.header("Request-Id"), seen.header("X-Hidden")) == ("my_request_id", HIDDEN_HEADER)
    assert seen.query == [("own", "x"), ("QueryParam", "connection_query_param"), ("hidden", HIDDEN_QUERY)]
    assert json.loads(seen.body) == {
        "Job": "Software Engineer",
        "BodyParam": "connection_body_param",
        "HiddenBody": HIDDEN_BODY,
    }
    assert seen.header("User-Agent") == "Amazon|StepFunctions|HttpInvoke|eu-west-1"  # the connection's region


def test_a_connection_is_found_by_the_name_inside_the_arn(
    invoker: HttpInvoker, server: LocalServer, state: ServerState
) -> None:
    other_arn = "arn:aws:events:us-east-2:123456789012:connection/basic/81210c42-8af1-456b-9c4a-6ff02fc664ac"
    invoker.invoke(
        call(
            {
                "InvocationConfig": {"ConnectionArn": other_arn},
                "ApiEndpoint": f"{server.base}/echo",
                "Method": "GET",
            }
        )
    )
    expected = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert state.seen[-1].header("Authorization") == f"Basic {expected}"


def test_a_string_body_cannot_take_connection_body_parameters(
    invoker: HttpInvoker, server: LocalServer, state: ServerState
) -> None:
    error = fail(
        invoker,
        {
            "Authentication": {"ConnectionArn": ARN.format("key")},
            "ApiEndpoint": f"{server.base}/echo",
            "Method": "POST",
            "RequestBody": "raw",
        },
    )
    assert error.error == "States.Runtime"
    assert state.seen == []


def test_an_unknown_connection(invoker: HttpInvoker, server: LocalServer, state: ServerState) -> None:
    arn = ARN.format("nope")
    error = fail(
        invoker,
        {"Authentication": {"ConnectionArn": arn}, "ApiEndpoint": f"{server.base}/echo", "Method": "GET"},
    )
    assert error.error == "Events.ConnectionResource.ResourceNotFound"
    assert arn in error.cause
    assert state.seen == []


def test_a_connection_can_be_required(server: LocalServer) -> None:
    strict = HttpInvoker(Connections(), LOCAL, require_connection=True)
    error = fail(strict, {"ApiEndpoint": f"{server.base}/echo", "Method": "GET"})
    strict.close()
    assert error.error == "States.Runtime"


def test_oauth_fetches_caches_and_refreshes_on_401(
    invoker: HttpInvoker, server: LocalServer, state: ServerState
) -> None:
    payload = {
        "Authentication": {"ConnectionArn": ARN.format("oauth")},
        "ApiEndpoint": f"{server.base}/protected",
        "Method": "GET",
    }
    for _ in range(3):
        assert invoker.invoke(call(payload))["ResponseBody"] == {"authorized": True}
    assert state.tokens_issued == 1  # cached
    token_request = state.seen[0]
    assert token_request.path == "/token" and token_request.method == "POST"
    assert parse_qsl(token_request.body.decode()) == [("grant_type", "client_credentials"), ("scope", "read")]
    state.valid_tokens.clear()  # the provider revokes the token: 401, a new token, one retry
    assert invoker.invoke(call(payload))["ResponseBody"] == {"authorized": True}
    assert state.tokens_issued == 2
    assert state.paths()[-3:] == ["/protected", "/token", "/protected"]


def test_oauth_refreshes_a_token_about_to_expire(server: LocalServer, state: ServerState) -> None:
    now = [1000.0]
    invoker = HttpInvoker(connections_for(server.base), LOCAL, tokens=TokenCache(clock=lambda: now[0]))
    payload = {
        "Authentication": {"ConnectionArn": ARN.format("oauth")},
        "ApiEndpoint": f"{server.base}/protected",
        "Method": "GET",
    }
    state.token_lifetime = 300
    invoker.invoke(call(payload))
    now[0] += 200  # 100 s left: still good
    invoker.invoke(call(payload))
    assert state.tokens_issued == 1
    now[0] += 50  # 50 s left: within EventBridge's 60 s margin
    invoker.invoke(call(payload))
    assert state.tokens_issued == 2
    invoker.close()


def test_oauth_gives_up_after_one_refresh(
    invoker: HttpInvoker, server: LocalServer, state: ServerState
) -> None:
    payload = {
        "Authentication": {"ConnectionArn": ARN.format("oauth")},
        "ApiEndpoint": f"{server.base}/status/401",
        "Method": "GET",
    }
    assert fail(invoker, payload).error == "States.Http.StatusCode.401"
    assert state.paths() == ["/token", "/status/401", "/token", "/status/401"]


def test_oauth_with_wrong_client_credentials(server: LocalServer, state: ServerState) -> None:
    broken = Connections.from_json(
        {
            "oauth": {
                "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
                "AuthParameters": {
                    "OAuthParameters": {
                        "ClientParameters": {"ClientID": CLIENT_ID, "ClientSecret": "wrong-secret-value"},
                        "AuthorizationEndpoint": f"{server.base}/token",
                    }
                },
            }
        }
    )
    invoker = HttpInvoker(broken, LOCAL)
    error = fail(
        invoker,
        {
            "Authentication": {"ConnectionArn": ARN.format("oauth")},
            "ApiEndpoint": f"{server.base}/protected",
            "Method": "GET",
        },
    )
    invoker.close()
    assert error.error == "Events.ConnectionResource.InvalidConnectionState"
    assert "401" in error.cause and "wrong-secret-value" not in error.cause
    assert state.paths() == ["/token"]


# --- secrets --------------------------------------------------------------------------------------------

SECRETS = (API_KEY, PASSWORD, HIDDEN_HEADER, HIDDEN_QUERY, HIDDEN_BODY, CLIENT_SECRET, "token-1-abcdef")


BASIC = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()


def assert_no_secret(text: str) -> None:
    for secret in (*SECRETS, BASIC):
        assert secret not in text


@pytest.mark.parametrize("name", ["key", "basic", "oauth"])
def test_an_echoing_api_shows_no_secret_in_the_result_or_the_cause(
    invoker: HttpInvoker, server: LocalServer, state: ServerState, name: str
) -> None:
    auth = {"Authentication": {"ConnectionArn": ARN.format(name)}}
    result = invoker.invoke(call({**auth, "ApiEndpoint": f"{server.base}/mirror", "Method": "GET"}))
    assert "******" in json.dumps(result)
    assert_no_secret(json.dumps(result))
    error = fail(invoker, {**auth, "ApiEndpoint": f"http://127.0.0.1:{closed_port()}/x", "Method": "GET"})
    assert_no_secret(error.cause + repr(error) + str(error.__cause__) + str(error.__context__))
    sent = json.dumps([[s.headers, s.raw_query] for s in state.seen])
    assert any(secret in sent for secret in (*SECRETS, BASIC))  # they were on the wire


def test_logs_show_no_secret(
    invoker: HttpInvoker, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("key", "basic", "oauth"):
        auth = {"Authentication": {"ConnectionArn": ARN.format(name)}}
        invoker.invoke(call({**auth, "ApiEndpoint": f"{server.base}/echo", "Method": "GET"}))
    assert "HTTP Request: GET" in caplog.text  # httpx logged the calls, without their query strings
    assert_no_secret(caplog.text)


def test_connections_never_print_their_secrets(server: LocalServer) -> None:
    connections = connections_for(server.base)
    text = repr(list(connections)) + str(list(connections))
    assert_no_secret(text)
    assert repr(Secret("s3cret")) == "Secret('******')" and str(Secret("s3cret")) == "******"


def test_a_socket_error_does_not_chain_httpx_exceptions(invoker: HttpInvoker) -> None:
    error = fail(invoker, {"ApiEndpoint": f"http://127.0.0.1:{closed_port()}/x?token=abc", "Method": "GET"})
    assert error.__cause__ is None and error.__suppress_context__
    assert "token=abc" not in error.cause


# --- allow-list -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allow", "allowed"),
    [
        (None, False),  # loopback: refused by default (test_http_transport.py has the rest of that rule)
        ("*", True),
        ("127.0.0.1", True),
        ("127.0.0.2", False),
        ("127.0.0.0/8", True),
        ("::1", False),
        ("10.0.0.0/8", False),
        ("example.com, 127.0.0.1", True),
        ("localhost", False),  # names localhost, not 127.0.0.1
        ("{base}/echo", True),
        ("{base}/other", False),
        ("http://127.0.0.1:1/", False),
    ],
)
def test_the_allow_list(server: LocalServer, state: ServerState, allow: str | None, allowed: bool) -> None:
    rules = AllowList.parse(None if allow is None else allow.format(base=server.base))
    invoker = HttpInvoker(Connections(), allow=rules)
    try:
        if allowed:
            assert (
                invoker.invoke(call({"ApiEndpoint": f"{server.base}/echo", "Method": "GET"}))["StatusCode"]
                == 200
            )
        else:
            error = fail(invoker, {"ApiEndpoint": f"{server.base}/echo?secret=1", "Method": "GET"})
            assert error.error == "States.Permissions"
            assert f"{server.base}/echo" in error.cause and "secret=1" not in error.cause
            assert state.seen == []
    finally:
        invoker.close()


# --- the connections file --------------------------------------------------------------------------------


def test_the_connections_file_forms(tmp_path: Any) -> None:
    entry = {
        "AuthorizationType": "BASIC",
        "AuthParameters": {"BasicAuthParameters": {"Username": "u", "Password": "p"}},
    }
    as_list = tmp_path / "list.json"
    as_list.write_text(json.dumps([{"Name": "one", **entry}]))
    loaded = list(Connections.load(as_list))
    assert loaded[0].name == "one" and loaded[0].arn.startswith(
        "arn:aws:events:us-east-1:123456789012:connection/one/"
    )
    assert Connections.load(as_list).get(loaded[0].arn) is not None
    by_arn = Connections.from_json({ARN.format("two"): entry})
    assert next(iter(by_arn)).name == "two"
    for bad in (
        [{"Name": "x"}],
        [{"Name": "x", "AuthorizationType": "BASIC"}],
        "nope",
        [{"AuthorizationType": "BASIC"}],
    ):
        with pytest.raises(ConnectionsFileError):
            Connections.from_json(bad)
    with pytest.raises(ConnectionsFileError, match="MISSING_VAR"):
        Connections.from_json(
            {
                "k": {
                    "AuthorizationType": "API_KEY",
                    "AuthParameters": {
                        "ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": {"Env": "MISSING_VAR"}}
                    },
                }
            },
            environ={},
        )
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ConnectionsFileError):
        Connections.load(tmp_path / "broken.json")
