"""Connections read from the EventBridge CreateConnection shape: lookups, secrets kept secret, and
the file errors that say where."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.connections import (
    NOT_FOUND,
    ApiKeyAuth,
    BasicAuth,
    Connections,
    ConnectionsFileError,
    OAuthClientCredentials,
    Parameter,
    Secret,
    connection_name,
    reveal,
)

ARN = "arn:aws:events:eu-west-1:111122223333:connection/stripe/81210c42-8af1-456b-9c4a-6ff02fc664ac"
API_KEY: dict[str, Any] = {
    "AuthorizationType": "API_KEY",
    "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "Authorization", "ApiKeyValue": "sk_test"}},
}


def refused(data: Any, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConnectionsFileError) as raised:
        Connections.from_json(data, environ or {})
    return str(raised.value)


def test_connection_name_inside_an_arn() -> None:
    assert connection_name(ARN) == "stripe"
    assert connection_name("arn:aws:events:us-east-1:1:rule/x") == ""
    assert connection_name("not an arn") == ""


def test_a_list_with_arns_and_a_lookup_by_the_name_inside_an_arn() -> None:
    connections = Connections.from_json([{"ConnectionArn": ARN, **API_KEY}], {})
    connection = connections.get(ARN)
    assert (connection.name, connection.region) == ("stripe", "eu-west-1")
    assert isinstance(connection.auth, ApiKeyAuth) and connection.auth.name == "Authorization"
    # A definition written for AWS runs against a local connection of the same name.
    other = "arn:aws:events:us-east-1:999999999999:connection/stripe/00000000-0000-0000-0000-000000000000"
    assert connections.get(other) is connection
    assert len(connections) == 1 and list(connections) == [connection]


def test_an_object_keyed_by_arn_or_by_name() -> None:
    connections = Connections.from_json({ARN: API_KEY, "local": API_KEY}, {})
    assert connections.get(ARN).name == "stripe"
    local = next(c for c in connections if c.name == "local")
    expected_id = uuid.uuid5(uuid.NAMESPACE_URL, "stepwell-connection:local")
    assert local.arn == f"arn:aws:events:us-east-1:123456789012:connection/local/{expected_id}"
    assert local.region == "us-east-1"


def test_an_unknown_connection_is_resource_not_found() -> None:
    with pytest.raises(TaskError) as raised:
        Connections().get(ARN)
    assert raised.value.error == NOT_FOUND == "Events.ConnectionResource.ResourceNotFound"
    assert raised.value.cause == (
        f"Connection '{ARN}' does not exist: stepwell knows no connection with this ARN or the name "
        "'stripe' (configure connections with a connections file)."
    )


def test_secrets_from_the_environment_never_print_themselves() -> None:
    data = {
        "basic": {
            "AuthorizationType": "BASIC",
            "AuthParameters": {
                "BasicAuthParameters": {"Username": "alice", "Password": {"Env": "PASSWORD"}},
                "InvocationHttpParameters": {
                    "HeaderParameters": [
                        {"Key": "X-Team", "Value": "core"},
                        {"Key": "X-Hidden", "Value": "h1dden", "IsValueSecret": True},
                    ],
                    "QueryStringParameters": [{"Key": "q", "Value": {"Env": "QUERY"}, "IsValueSecret": True}],
                    "BodyParameters": [{"Key": "mode", "Value": "test"}],
                },
            },
        }
    }
    [connection] = Connections.from_json(data, {"PASSWORD": "s3cret", "QUERY": "q-secret"})
    assert isinstance(connection.auth, BasicAuth)
    assert connection.auth.password.reveal() == "s3cret"
    assert str(connection.auth.password) == "******" and "s3cret" not in repr(connection)
    assert connection.invocation.headers == (
        Parameter("X-Team", "core"),
        Parameter("X-Hidden", Secret("h1dden")),
    )
    assert sorted(connection.secrets()) == ["h1dden", "q-secret", "s3cret"]
    assert reveal(Secret("x")) == "x" and reveal("plain") == "plain"


def test_oauth_connections() -> None:
    data = {
        "auth": {
            "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
            "AuthParameters": {
                "OAuthParameters": {
                    "ClientParameters": {"ClientID": "id", "ClientSecret": "cs"},
                    "AuthorizationEndpoint": "https://auth.example.com/token",
                    "HttpMethod": "GET",
                    "OAuthHttpParameters": {
                        "BodyParameters": [{"Key": "scope", "Value": "sc0pe", "IsValueSecret": True}]
                    },
                }
            },
        }
    }
    [connection] = Connections.from_json(data, {})
    oauth = connection.auth
    assert isinstance(oauth, OAuthClientCredentials)
    assert (oauth.client_id, oauth.endpoint, oauth.method) == ("id", "https://auth.example.com/token", "GET")
    assert sorted(connection.secrets()) == ["cs", "sc0pe"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("x", "connections: expected a list, or an object keyed by ARN or name"),
        ([1], "connection: expected an object"),
        ([API_KEY], "connection: needs a Name (or a ConnectionArn to take it from)"),
        (
            {"n": {**API_KEY, "Name": "n", "ConnectionArn": ARN}},
            "connection 'n': ConnectionArn must read arn:aws:events:...:connection/n/<id>",
        ),
        (
            {"n": {"AuthorizationType": "DIGEST"}},
            "connection 'n': AuthorizationType must be one of API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS",
        ),
        (
            {"n": {"AuthorizationType": "BASIC", "AuthParameters": {}}},
            "connection 'n': AuthParameters.BasicAuthParameters: expected an object",
        ),
        (
            {
                "n": {
                    "AuthorizationType": "BASIC",
                    "AuthParameters": {"BasicAuthParameters": {"Username": "u"}},
                }
            },
            "connection 'n': BasicAuthParameters.Password: expected a non-empty string or {\"Env\": ...}",
        ),
        (
            {
                "n": {
                    "AuthorizationType": "BASIC",
                    "AuthParameters": {"BasicAuthParameters": {"Username": "u", "Password": {"Env": "NOPE"}}},
                }
            },
            "connection 'n': BasicAuthParameters.Password: the variable NOPE is not set",
        ),
        (
            {
                "n": {
                    **API_KEY,
                    "AuthParameters": {
                        **API_KEY["AuthParameters"],
                        "InvocationHttpParameters": {"HeaderParameters": {}},
                    },
                }
            },
            "connection 'n': InvocationHttpParameters.HeaderParameters: expected a list of "
            "{Key, Value, IsValueSecret}",
        ),
    ],
)
def test_file_errors_say_where(data: Any, message: str) -> None:
    assert refused(data) == message


@pytest.mark.parametrize(
    ("oauth", "message"),
    [
        (
            {
                "ClientParameters": {"ClientID": "i", "ClientSecret": "s"},
                "AuthorizationEndpoint": "https://a",
                "HttpMethod": "DELETE",
            },
            "OAuthParameters.HttpMethod must be GET, POST or PUT",
        ),
        (
            {"ClientParameters": {"ClientID": "i", "ClientSecret": "s"}, "AuthorizationEndpoint": "ftp://a"},
            "OAuthParameters.AuthorizationEndpoint must be an http(s) URL",
        ),
        ({"AuthorizationEndpoint": "https://a"}, "OAuthParameters.ClientParameters: expected an object"),
    ],
)
def test_oauth_file_errors(oauth: dict[str, Any], message: str) -> None:
    data = {
        "n": {"AuthorizationType": "OAUTH_CLIENT_CREDENTIALS", "AuthParameters": {"OAuthParameters": oauth}}
    }
    assert refused(data) == f"connection 'n': {message}"


def test_load_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "connections.json"
    path.write_text(json.dumps({"stripe": API_KEY}), encoding="utf-8")
    assert Connections.load(path, {}).get(ARN).name == "stripe"
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ConnectionsFileError, match=r"bad\.json: cannot read a JSON connections file"):
        Connections.load(bad, {})
    with pytest.raises(ConnectionsFileError, match=r"missing\.json: cannot read a JSON connections file"):
        Connections.load(tmp_path / "missing.json", {})


def test_secrets_compare_by_value() -> None:
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b") and Secret("a") != "a"
    assert hash(Secret("a")) == hash(Secret("a"))
    assert repr(Secret("a")) == "Secret('******')"
