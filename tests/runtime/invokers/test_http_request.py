"""The HTTP Task's parameters checked, and merged with a connection's as EventBridge merges them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.connections import ApiKeyAuth, Connection, HttpParameters, Parameter, Secret
from stepwell.runtime.invokers.http_request import (
    FORM_TYPE,
    JSON_TYPE,
    HttpRequest,
    form_encode,
    merge_body,
    merge_headers,
    merge_query,
    parse_parameters,
    redact,
)

ENDPOINT = "https://api.example.com/v1/items"
ARN = "arn:aws:events:us-east-1:123456789012:connection/api/0b5c9a2e-1111-2222-3333-444455556666"


def request(**fields: Any) -> HttpRequest:
    return parse_parameters({"ApiEndpoint": ENDPOINT, "Method": "POST", **fields})


def refused(payload: Any) -> str:
    with pytest.raises(TaskError) as raised:
        parse_parameters(payload)
    assert raised.value.error == "States.Runtime"
    return raised.value.cause


@pytest.mark.parametrize(
    ("payload", "cause"),
    [
        ([], "The HTTP Task's parameters must be a JSON object."),
        (
            {"ApiEndpoint": ENDPOINT, "Method": "GET", "Timeout": 3},
            "The field 'Timeout' is not supported by the HTTP Task.",
        ),
        ({"Method": "GET"}, "The field 'ApiEndpoint' is required and must be a URL string."),
        ({"ApiEndpoint": "ftp://x", "Method": "GET"}, "The ApiEndpoint 'ftp://x' is not an http(s) URL."),
        ({"ApiEndpoint": "http://", "Method": "GET"}, "The ApiEndpoint 'http://' is not an http(s) URL."),
        (
            {"ApiEndpoint": ENDPOINT, "Method": "get"},
            "The field 'Method' must be one of GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD; got 'get'.",
        ),
        (
            {"ApiEndpoint": ENDPOINT, "Method": "GET", "Transform": {"RequestBodyEncoding": "GZIP"}},
            "The field 'Transform' must read {RequestBodyEncoding: NONE|URL_ENCODED, "
            "RequestEncodingOptions: {ArrayFormat: INDICES|REPEAT|COMMAS|BRACKETS}}.",
        ),
        (
            {
                "ApiEndpoint": ENDPOINT,
                "Method": "GET",
                "Authentication": {"ConnectionArn": ARN},
                "InvocationConfig": {"ConnectionArn": ARN},
            },
            "Specify the connection in 'Authentication' or in 'InvocationConfig', not both.",
        ),
        (
            {"ApiEndpoint": ENDPOINT, "Method": "GET", "InvocationConfig": {"ConnectionArn": "api"}},
            "The field 'InvocationConfig' must hold a 'ConnectionArn'.",
        ),
        (
            {"ApiEndpoint": ENDPOINT, "Method": "GET", "Headers": []},
            "The field 'Headers' must be a JSON object.",
        ),
        # AWS's text for the headers it refuses:
        (
            {"ApiEndpoint": ENDPOINT, "Method": "GET", "Headers": {"Authorization": "x", "X-Amz-Date": "y"}},
            "The 'Headers' field contains unsupported values: [authorization, x-amz-date]",
        ),
        (
            {"ApiEndpoint": ENDPOINT, "Method": "GET", "Headers": {"Bad Name": "x"}},
            "The header 'Bad Name' is not a valid HTTP header.",
        ),
        (
            {"ApiEndpoint": ENDPOINT, "Method": "GET", "Headers": {"X": "a\r\nInjected: 1"}},
            "The header 'X' is not a valid HTTP header.",
        ),
        (
            {"ApiEndpoint": ENDPOINT, "Method": "GET", "Headers": {"X": {"a": 1}}},
            "The value of the header 'X' must be a string, a number or a boolean.",
        ),
        (
            {"ApiEndpoint": ENDPOINT, "Method": "GET", "QueryParameters": 1},
            "The field 'QueryParameters' must be a JSON object or a query string.",
        ),
    ],
)
def test_parameters_that_fail_with_states_runtime(payload: Any, cause: str) -> None:
    assert refused(payload) == cause


def test_parsed_parameters() -> None:
    parsed = request(
        Headers={"X-Multi": ["a", 1, True, None], "User-Agent": "mine", "Content-Type": "text/csv"},
        QueryParameters={"tag": ["a", "b"], "page": {"size": 10}},
        RequestBody={"a": 1},
        Authentication={"ConnectionArn": ARN},
    )
    assert parsed.url == httpx.URL(ENDPOINT) and parsed.method == "POST"
    assert parsed.connection_arn == ARN
    # Step Functions sets User-Agent itself; the others are sent as given.
    assert parsed.headers == [
        ("X-Multi", "a"),
        ("X-Multi", "1"),
        ("X-Multi", "true"),
        ("X-Multi", ""),
        ("Content-Type", "text/csv"),
    ]
    assert parsed.query == [("tag", "a"), ("tag", "b"), ("page[size]", "10")]
    assert (parsed.body, parsed.has_body, parsed.url_encoded, parsed.array_format) == (
        {"a": 1},
        True,
        False,
        "INDICES",
    )


def test_a_query_string_as_written() -> None:
    assert request(QueryParameters="?a=1&b=&a=2").query == [("a", "1"), ("b", ""), ("a", "2")]


BODY = {"a": [1, 2], "b": {"c": "x y"}, "d": "é"}


@pytest.mark.parametrize(
    ("array_format", "text"),
    [
        ("INDICES", "a%5B0%5D=1&a%5B1%5D=2&b%5Bc%5D=x%20y&d=%C3%A9"),
        ("REPEAT", "a=1&a=2&b%5Bc%5D=x%20y&d=%C3%A9"),
        ("COMMAS", "a=1,2&b%5Bc%5D=x%20y&d=%C3%A9"),
        ("BRACKETS", "a%5B%5D=1&a%5B%5D=2&b%5Bc%5D=x%20y&d=%C3%A9"),
    ],
)
def test_form_encoding_of_arrays(array_format: str, text: str) -> None:
    assert form_encode(BODY, array_format) == text


def test_commas_fall_back_to_indices_for_arrays_of_objects() -> None:
    assert form_encode({"a": [{"b": 1}, {"b": 2}]}, "COMMAS") == "a%5B0%5D%5Bb%5D=1&a%5B1%5D%5Bb%5D=2"


def connection(
    headers: tuple[Parameter, ...] = (), query: tuple[Parameter, ...] = (), body: tuple[Parameter, ...] = ()
) -> Connection:
    return Connection(ARN, "api", ApiKeyAuth("X-Api-Key", Secret("k")), HttpParameters(headers, query, body))


def test_bodies_and_their_content_types() -> None:
    assert merge_body(request(), None) == (None, None)
    assert merge_body(request(RequestBody={"a": "é"}), None) == ('{"a":"é"}'.encode(), JSON_TYPE)
    assert merge_body(request(RequestBody="raw=1"), None) == (b"raw=1", JSON_TYPE)
    encoded = request(RequestBody={"a": 1}, Transform={"RequestBodyEncoding": "URL_ENCODED"})
    assert merge_body(encoded, None) == (b"a=1", FORM_TYPE)
    with pytest.raises(
        TaskError, match=r"^States\.Runtime: Only a JSON object RequestBody can be URL-encoded\.$"
    ):
        merge_body(request(RequestBody=[1], Transform={"RequestBodyEncoding": "URL_ENCODED"}), None)


def test_the_connections_body_parameters_join_an_object_body() -> None:
    extra = connection(body=(Parameter("mode", "test"), Parameter("hidden", Secret("s3cret"))))
    assert merge_body(request(RequestBody={"a": 1, "mode": "live"}), extra) == (
        b'{"a":1,"mode":"test","hidden":"s3cret"}',
        JSON_TYPE,
    )
    assert merge_body(request(), extra) == (b'{"mode":"test","hidden":"s3cret"}', JSON_TYPE)
    # "... except if your request body is a string and the connection body parameters is non-empty"
    with pytest.raises(TaskError) as raised:
        merge_body(request(RequestBody="text"), extra)
    assert (
        raised.value.cause
        == "The RequestBody is not a JSON object, so it cannot take the connection's body parameters."
    )


def test_the_connections_headers_win_on_the_same_name() -> None:
    extra = connection(headers=(Parameter("x-team", "core"), Parameter("X-Secret", Secret("h"))))
    merged = merge_headers(request(Headers={"X-Team": "mine", "X-Other": "1"}), extra)
    assert merged == [("X-Other", "1"), ("x-team", "core"), ("X-Secret", "h")]
    assert merge_headers(request(Headers={"A": "1"}), None) == [("A", "1")]


def test_the_query_keeps_the_endpoints_own_string_first() -> None:
    extra = connection(query=(Parameter("region", "eu"), Parameter("tag", "x y")))
    parsed = parse_parameters(
        {
            "ApiEndpoint": ENDPOINT + "?v=2",
            "Method": "GET",
            "QueryParameters": {"tag": "mine", "list": ["a", "b"]},
        }
    )
    assert str(merge_query(parsed, extra)) == ENDPOINT + "?v=2&list=a&list=b&region=eu&tag=x%20y"
    assert merge_query(request(), None) == httpx.URL(ENDPOINT)


def test_redact_masks_every_secret_keys_included() -> None:
    value = {"k secret-1": ["secret-1 and secret-2", 5, None], "n": 1}
    assert redact(value, ["secret-1", "secret-2"]) == {"k ******": ["****** and ******", 5, None], "n": 1}
    assert redact(value, []) is value
