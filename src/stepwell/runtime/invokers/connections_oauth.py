"""OAuth client-credentials tokens for the HTTP Task's connections (see connections.py).

``TokenCache`` fetches a token per connection on first use (RFC 6749 §4.4) and again when it is about
to expire; the HTTP invoker drops it on a 401 or 407 and asks once more, as EventBridge does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.connections import (
    INVALID_STATE,
    Connection,
    OAuthClientCredentials,
    Secret,
    reveal,
)

REFRESH_MARGIN = 60.0  # EventBridge refreshes a token that expires within 60 seconds


@dataclass(slots=True)
class _Token:
    value: Secret
    expires_at: float | None


class TokenCache:
    """OAuth client-credentials tokens by connection ARN, fetched on first use and when expiring."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()

    def token(self, connection: Connection, client: httpx.Client) -> Secret:
        with self._lock:  # one fetch per connection at a time; tokens are shared by every call
            held = self._tokens.get(connection.arn)
            if held is None or (
                held.expires_at is not None and held.expires_at - self.clock() <= REFRESH_MARGIN
            ):
                held = self._tokens[connection.arn] = self._fetch(connection, client)
            return held.value

    def invalidate(self, connection: Connection) -> None:
        with self._lock:
            self._tokens.pop(connection.arn, None)

    def _fetch(self, connection: Connection, client: httpx.Client) -> _Token:
        oauth = connection.auth
        assert isinstance(oauth, OAuthClientCredentials)
        extra = oauth.parameters
        # RFC 6749 §4.4: client credentials by HTTP Basic, grant_type in a form body.
        form = {"grant_type": "client_credentials"} | {p.key: reveal(p.value) for p in extra.body}
        query = [(p.key, reveal(p.value)) for p in extra.query]
        if oauth.method == "GET":
            query, form = [*query, *form.items()], {}
        failure = f"stepwell could not obtain an OAuth token for the connection '{connection.name}' from "
        try:
            response = client.request(
                oauth.method,
                oauth.endpoint,
                params=urlencode(query),
                headers=[(p.key, reveal(p.value)) for p in extra.headers],
                data=form or None,
                auth=(oauth.client_id, oauth.client_secret.reveal()),
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # named only: its message could hold a URL
            raise TaskError(
                INVALID_STATE, f"{failure}{_origin(oauth.endpoint)}: {type(exc).__name__}"
            ) from None
        if not response.is_success:
            raise TaskError(
                INVALID_STATE,
                f"{failure}{_origin(oauth.endpoint)}: HTTP {response.status_code} {response.reason_phrase}",
            )
        try:
            body = response.json()
            access = body["access_token"]
            assert isinstance(access, str) and access
        except (ValueError, KeyError, TypeError, AssertionError):
            raise TaskError(
                INVALID_STATE, f"{failure}{_origin(oauth.endpoint)}: the answer has no access_token"
            ) from None
        lifetime = body.get("expires_in")
        expires_at = self.clock() + float(lifetime) if isinstance(lifetime, int | float) else None
        return _Token(Secret(access), expires_at)


def _origin(url: str) -> str:
    """The URL without its query string, which could carry secrets."""
    return url.split("?", 1)[0]
