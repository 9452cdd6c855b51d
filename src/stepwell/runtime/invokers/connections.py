"""EventBridge-style connections for the HTTP Task, configured locally, and their OAuth tokens.

On AWS an HTTP Task names an EventBridge connection (``Authentication.ConnectionArn`` or
``InvocationConfig.ConnectionArn``); "A connection defines the authorization method and credentials
to use in connecting to a given API" and may add headers, query parameters and body fields to every
call. stepwell reads the same shape (EventBridge ``CreateConnection``) from a JSON file:

    [                                               a list of connections ...
      {
        "Name": "stripe",
        "ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/stripe/81210c42-...",
        "AuthorizationType": "API_KEY",             API_KEY | BASIC | OAUTH_CLIENT_CREDENTIALS
        "AuthParameters": {
          "ApiKeyAuthParameters": {"ApiKeyName": "Authorization", "ApiKeyValue": {"Env": "STRIPE_KEY"}},
          "BasicAuthParameters": {"Username": "u", "Password": "p"},
          "OAuthParameters": {
            "ClientParameters": {"ClientID": "id", "ClientSecret": "secret"},
            "AuthorizationEndpoint": "https://auth.example.com/oauth/token",
            "HttpMethod": "POST",                   GET | POST | PUT
            "OAuthHttpParameters": {...}            same shape as InvocationHttpParameters
          },
          "InvocationHttpParameters": {
            "HeaderParameters":      [{"Key": "X-Team", "Value": "core", "IsValueSecret": false}],
            "QueryStringParameters": [{"Key": "region", "Value": "eu"}],
            "BodyParameters":        [{"Key": "mode", "Value": "test"}]
          }
        }
      }
    ]

or an object keyed by connection ARN or by name (``{"stripe": {...}}``); the key fills in
``ConnectionArn`` (a key starting with ``arn:``) or ``Name``. Only the parameters block of the
``AuthorizationType`` is read. A missing ``ConnectionArn`` becomes
``arn:aws:events:us-east-1:123456789012:connection/<Name>/<uuid derived from the name>``.

A definition's ConnectionArn finds its connection by the exact ARN, else by the name inside it
(``connection/<name>/<uuid>``), so a definition written for AWS runs unchanged against a local
connection of the same name. Any secret value (ApiKeyValue, Password, ClientSecret, a parameter with
``"IsValueSecret": true``) may be written ``{"Env": "VARIABLE"}`` to keep it out of the file.

Secrets are held in ``Secret``, whose ``str``/``repr`` print ``******``; only the HTTP invoker calls
``reveal()``, to put them on the wire. OAuth tokens are fetched with the client credentials and cached
until they expire; EventBridge "refreshes OAuth tokens when a 401 or 407 response is returned" and
"proactively ... if the token is about to expire" (EventBridge user guide, "Authorization methods for
connections"), which ``TokenCache`` (connections_oauth.py) and the HTTP invoker follow.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepwell.runtime.invokers.base import TaskError
from stepwell.secret import Secret

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
AUTHORIZATION_TYPES = ("API_KEY", "BASIC", "OAUTH_CLIENT_CREDENTIALS")
AUTH_BLOCKS = {
    "API_KEY": "ApiKeyAuthParameters",
    "BASIC": "BasicAuthParameters",
    "OAUTH_CLIENT_CREDENTIALS": "OAuthParameters",
}
# EventBridge's connection failures carry this prefix (Step Functions guide, "Connection errors").
NOT_FOUND = "Events.ConnectionResource.ResourceNotFound"
INVALID_STATE = "Events.ConnectionResource.InvalidConnectionState"


def reveal(value: str | Secret) -> str:
    return value.reveal() if isinstance(value, Secret) else value


@dataclass(frozen=True, slots=True)
class Parameter:
    key: str
    value: str | Secret


@dataclass(frozen=True, slots=True)
class HttpParameters:
    """EventBridge ``ConnectionHttpParameters``: merged into each call, the connection's values winning."""

    headers: tuple[Parameter, ...] = ()
    query: tuple[Parameter, ...] = ()
    body: tuple[Parameter, ...] = ()

    def secrets(self) -> list[str]:
        return [
            p.value.reveal() for p in (*self.headers, *self.query, *self.body) if isinstance(p.value, Secret)
        ]


@dataclass(frozen=True, slots=True)
class ApiKeyAuth:
    name: str
    value: Secret


@dataclass(frozen=True, slots=True)
class BasicAuth:
    username: str
    password: Secret


@dataclass(frozen=True, slots=True)
class OAuthClientCredentials:
    client_id: str
    client_secret: Secret
    endpoint: str
    method: str = "POST"
    parameters: HttpParameters = field(default_factory=HttpParameters)


Auth = ApiKeyAuth | BasicAuth | OAuthClientCredentials


@dataclass(frozen=True, slots=True)
class Connection:
    arn: str
    name: str
    auth: Auth
    invocation: HttpParameters = field(default_factory=HttpParameters)

    @property
    def region(self) -> str:
        parts = self.arn.split(":")
        return parts[3] if len(parts) > 3 and parts[3] else DEFAULT_REGION

    def secrets(self) -> list[str]:
        """Every secret value of this connection, for the invoker to keep out of results and causes."""
        found = self.invocation.secrets()
        if isinstance(self.auth, ApiKeyAuth):
            found.append(self.auth.value.reveal())
        elif isinstance(self.auth, BasicAuth):
            found.append(self.auth.password.reveal())
        else:
            found += [self.auth.client_secret.reveal(), *self.auth.parameters.secrets()]
        return found


class ConnectionsFileError(ValueError):
    """The connections file is not of the documented shape; the message says where."""


def connection_name(arn: str) -> str:
    """``arn:aws:events:<region>:<account>:connection/<name>/<uuid>`` -> ``<name>``."""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    parts = resource.split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "connection" else ""


class Connections:
    """The configured connections, looked up by ARN (or by the name inside the ARN)."""

    def __init__(self, connections: Iterable[Connection] = ()):
        self._by_arn: dict[str, Connection] = {}
        self._by_name: dict[str, Connection] = {}
        for connection in connections:
            self._by_arn[connection.arn] = connection
            self._by_name[connection.name] = connection

    @classmethod
    def load(cls, path: str | Path, environ: Mapping[str, str] | None = None) -> Connections:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConnectionsFileError(f"{path}: cannot read a JSON connections file ({exc})") from None
        return cls.from_json(data, environ)

    @classmethod
    def from_json(cls, data: Any, environ: Mapping[str, str] | None = None) -> Connections:
        env = os.environ if environ is None else environ
        if isinstance(data, list):
            entries = [(None, entry) for entry in data]
        elif isinstance(data, dict):
            entries = list(data.items())
        else:
            raise ConnectionsFileError("connections: expected a list, or an object keyed by ARN or name")
        return cls(_parse_connection(key, entry, env) for key, entry in entries)

    def get(self, arn: str) -> Connection:
        """The connection for ``arn``; TaskError ``Events.ConnectionResource.ResourceNotFound`` if none."""
        found = self._by_arn.get(arn) or self._by_name.get(connection_name(arn))
        if found is None:
            raise TaskError(
                NOT_FOUND,
                f"Connection '{arn}' does not exist: stepwell knows no connection with this ARN or "
                f"the name '{connection_name(arn)}' (configure connections with a connections file).",
            )
        return found

    def __iter__(self) -> Iterator[Connection]:
        return iter(self._by_arn.values())

    def __len__(self) -> int:
        return len(self._by_arn)


def _parse_connection(key: str | None, entry: Any, env: Mapping[str, str]) -> Connection:
    where = f"connection {key!r}" if key else "connection"
    if not isinstance(entry, dict):
        raise ConnectionsFileError(f"{where}: expected an object")
    arn = entry.get("ConnectionArn") or (key if key and key.startswith("arn:") else None)
    name = entry.get("Name") or (connection_name(arn) if arn else key)
    if not isinstance(name, str) or not name:
        raise ConnectionsFileError(f"{where}: needs a Name (or a ConnectionArn to take it from)")
    where = f"connection {name!r}"
    if arn is None:
        arn = (
            f"arn:aws:events:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:connection/{name}/"
            f"{uuid.uuid5(uuid.NAMESPACE_URL, 'stepwell-connection:' + name)}"
        )
    if not isinstance(arn, str) or connection_name(arn) != name:
        raise ConnectionsFileError(
            f"{where}: ConnectionArn must read arn:aws:events:...:connection/{name}/<id>"
        )
    kind = entry.get("AuthorizationType")
    if kind not in AUTHORIZATION_TYPES:
        raise ConnectionsFileError(
            f"{where}: AuthorizationType must be one of {', '.join(AUTHORIZATION_TYPES)}"
        )
    params = _object(entry.get("AuthParameters", {}), f"{where}: AuthParameters")
    block = _object(params.get(AUTH_BLOCKS[kind]), f"{where}: AuthParameters.{AUTH_BLOCKS[kind]}")
    value = _Reader(f"{where}: {AUTH_BLOCKS[kind]}", env)
    auth: Auth
    if kind == "API_KEY":
        auth = ApiKeyAuth(value.text(block, "ApiKeyName"), Secret(value.text(block, "ApiKeyValue")))
    elif kind == "BASIC":
        auth = BasicAuth(value.text(block, "Username"), Secret(value.text(block, "Password")))
    else:
        client = _object(block.get("ClientParameters"), f"{where}: OAuthParameters.ClientParameters")
        method = block.get("HttpMethod", "POST")
        if method not in ("GET", "POST", "PUT"):
            raise ConnectionsFileError(f"{where}: OAuthParameters.HttpMethod must be GET, POST or PUT")
        endpoint = value.text(block, "AuthorizationEndpoint")
        if not endpoint.startswith(("https://", "http://")):
            raise ConnectionsFileError(
                f"{where}: OAuthParameters.AuthorizationEndpoint must be an http(s) URL"
            )
        auth = OAuthClientCredentials(
            client_id=value.text(client, "ClientID"),
            client_secret=Secret(value.text(client, "ClientSecret")),
            endpoint=endpoint,
            method=method,
            parameters=_http_parameters(
                block.get("OAuthHttpParameters"), f"{where}: OAuthHttpParameters", env
            ),
        )
    invocation = _http_parameters(
        params.get("InvocationHttpParameters"), f"{where}: InvocationHttpParameters", env
    )
    return Connection(arn=arn, name=name, auth=auth, invocation=invocation)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConnectionsFileError(f"{where}: expected an object")
    return value


@dataclass(frozen=True, slots=True)
class _Reader:
    where: str
    env: Mapping[str, str]

    def text(self, block: dict[str, Any], name: str) -> str:
        """A string field, or ``{"Env": "VARIABLE"}`` read from the environment."""
        raw = block.get(name)
        if isinstance(raw, dict) and set(raw) == {"Env"} and isinstance(raw["Env"], str):
            if raw["Env"] not in self.env:
                raise ConnectionsFileError(f"{self.where}.{name}: the variable {raw['Env']} is not set")
            return self.env[raw["Env"]]
        if not isinstance(raw, str) or not raw:
            raise ConnectionsFileError(f'{self.where}.{name}: expected a non-empty string or {{"Env": ...}}')
        return raw


def _http_parameters(raw: Any, where: str, env: Mapping[str, str]) -> HttpParameters:
    if raw is None:
        return HttpParameters()
    block = _object(raw, where)
    lists: list[tuple[Parameter, ...]] = []
    for name in ("HeaderParameters", "QueryStringParameters", "BodyParameters"):
        items = block.get(name, [])
        if not isinstance(items, list):
            raise ConnectionsFileError(f"{where}.{name}: expected a list of {{Key, Value, IsValueSecret}}")
        reader = _Reader(f"{where}.{name}[]", env)
        parsed = []
        for item in items:
            item = _object(item, f"{where}.{name}[]")
            key, text = reader.text(item, "Key"), reader.text(item, "Value")
            parsed.append(Parameter(key, Secret(text) if item.get("IsValueSecret") else text))
        lists.append(tuple(parsed))
    return HttpParameters(*lists)
