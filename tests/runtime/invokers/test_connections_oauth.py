"""OAuth client-credentials tokens against the real local HTTP server: fetched once, shared, fetched
again when about to expire or dropped, and failures that never show a secret or a query string."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.connections import (
    INVALID_STATE,
    Connection,
    HttpParameters,
    OAuthClientCredentials,
    Parameter,
    Secret,
)
from stepwell.runtime.invokers.connections_oauth import REFRESH_MARGIN, TokenCache
from tests.runtime.invokers.http_server import CLIENT_ID, CLIENT_SECRET, LocalServer, ServerState

ARN = "arn:aws:events:us-east-1:123456789012:connection/auth/0b5c9a2e-1111-2222-3333-444455556666"


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as made:
        yield made


def connection(
    endpoint: str, method: str = "POST", secret: str = CLIENT_SECRET, **params: tuple[Parameter, ...]
) -> Connection:
    oauth = OAuthClientCredentials(CLIENT_ID, Secret(secret), endpoint, method, HttpParameters(**params))
    return Connection(ARN, "auth", oauth)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_is_fetched_once_with_basic_credentials_and_a_form(
    server: LocalServer, state: ServerState, client: httpx.Client
) -> None:
    cache = TokenCache()
    scope = (Parameter("scope", "read"),)
    auth = connection(f"{server.base}/token", body=scope)
    first = cache.token(auth, client)
    assert first.reveal() == "token-1-abcdef"
    assert cache.token(auth, client) is first
    [seen] = state.seen
    assert (seen.method, seen.path) == ("POST", "/token")
    expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert seen.header("Authorization") == f"Basic {expected}"
    assert sorted(seen.body.decode().split("&")) == ["grant_type=client_credentials", "scope=read"]


def test_a_get_endpoint_takes_the_form_in_its_query(
    server: LocalServer, state: ServerState, client: httpx.Client
) -> None:
    TokenCache().token(
        connection(f"{server.base}/token", "GET", query=(Parameter("audience", "api"),)), client
    )
    [seen] = state.seen
    assert seen.method == "GET" and seen.body == b""
    assert seen.query == [("audience", "api"), ("grant_type", "client_credentials")]


def test_a_token_about_to_expire_is_fetched_again(
    server: LocalServer, state: ServerState, client: httpx.Client
) -> None:
    clock = Clock()
    cache = TokenCache(clock)
    auth = connection(f"{server.base}/token")
    state.token_lifetime = 3600
    assert cache.token(auth, client).reveal() == "token-1-abcdef"
    clock.now += 3600 - REFRESH_MARGIN - 1
    assert cache.token(auth, client).reveal() == "token-1-abcdef"
    clock.now += 1  # within the 60 s margin EventBridge keeps
    assert cache.token(auth, client).reveal() == "token-2-abcdef"


def test_a_token_without_a_lifetime_is_kept_until_dropped(
    server: LocalServer, state: ServerState, client: httpx.Client
) -> None:
    clock = Clock()
    cache = TokenCache(clock)
    auth = connection(f"{server.base}/token")
    state.token_lifetime = None
    assert cache.token(auth, client).reveal() == "token-1-abcdef"
    clock.now += 10**9
    assert cache.token(auth, client).reveal() == "token-1-abcdef"
    cache.invalidate(auth)  # the invoker's answer to a 401 or 407
    assert cache.token(auth, client).reveal() == "token-2-abcdef"
    cache.invalidate(connection("http://unused"))  # dropping what is not held is fine


def failure(auth: Connection, client: httpx.Client) -> TaskError:
    with pytest.raises(TaskError) as raised:
        TokenCache().token(auth, client)
    assert raised.value.error == INVALID_STATE == "Events.ConnectionResource.InvalidConnectionState"
    return raised.value


PREFIX = "stepwell could not obtain an OAuth token for the connection 'auth' from "


def test_refused_client_credentials(server: LocalServer, state: ServerState, client: httpx.Client) -> None:
    error = failure(connection(f"{server.base}/token?key=query-secret", secret="wrong-secret"), client)
    assert error.cause == f"{PREFIX}{server.base}/token: HTTP 401 Unauthorized"
    assert "query-secret" not in error.cause and "wrong-secret" not in error.cause


def test_an_answer_without_an_access_token(
    server: LocalServer, state: ServerState, client: httpx.Client
) -> None:
    error = failure(connection(f"{server.base}/echo"), client)
    assert error.cause == f"{PREFIX}{server.base}/echo: the answer has no access_token"


def test_an_unreachable_endpoint_is_named_by_its_exception_only(client: httpx.Client) -> None:
    error = failure(connection("http://127.0.0.1:1/token?secret=x"), client)
    assert error.cause == f"{PREFIX}http://127.0.0.1:1/token: ConnectError"
