"""The HTTP Task, ``arn:aws:states:::http:invoke[.waitForTaskToken]``, through httpx.

Parameters, as the Step Functions guide ("Call HTTPS APIs in Step Functions workflows") lists them:
``ApiEndpoint`` and ``Method`` (GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD) required;
``Authentication`` or ``InvocationConfig`` ``{ConnectionArn}`` naming an EventBridge connection;
``Headers``, ``QueryParameters``, ``RequestBody``, and ``Transform`` ``{RequestBodyEncoding NONE |
URL_ENCODED, RequestEncodingOptions {ArrayFormat INDICES | REPEAT | COMMAS | BRACKETS}}``. The result
is ``{Headers, ResponseBody, StatusCode, StatusText}``: header names in lower case, each with the list
of its values; ``ResponseBody`` parsed when the response is JSON, else its text; ``StatusCode`` a
number. For ``.waitForTaskToken`` the call is the same; the runtime does the waiting.

Failures:
    States.Http.StatusCode.<code>   a response outside 2xx; the cause is the result above, as JSON
    States.Http.Socket              no response: refused, reset, or the timeout (60 s on AWS) passed
    States.Runtime                  bad parameters, a header the guide forbids, a string RequestBody
                                    with connection body parameters, a binary response
    States.Permissions              the endpoint is outside stepwell's allow-list, by default any
                                    address that is not public (no request is sent; the cause says
                                    which --http-allow entry opens it)
    Events.ConnectionResource.*     an unknown connection (connections.py), or no OAuth token
                                    (connections_oauth.py)

AWS requires a connection; stepwell calls without one when the definition names none, because that
rule is checked when a definition is created (the validator's business) and a local endpoint often
needs no credentials. Pass ``require_connection=True`` to refuse such calls at run time as well.

The invoker lives here with the response side (``shape_response``); the request side (parameter
checks, merging a connection's headers, query and body, ``redact``) is in http_request.py, the
allow-list (``AllowList``, ``STEPWELL_HTTP_ALLOW``) in http_allow.py, and the transport that enforces
it on the address actually connected to, for the OAuth token request too, in http_transport.py.

Secrets never leave the invoker: every secret of the connection (and its OAuth token) is replaced by
``******`` wherever it would appear in a result or a cause, for instance in an API that echoes the
request, and no exception chains to httpx's (whose request repr would show the URL). httpx's own
INFO log line ("HTTP Request: GET <url>") loses its query string.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Sequence
from typing import Any

import httpx

from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.connections import (
    DEFAULT_REGION,
    ApiKeyAuth,
    BasicAuth,
    Connection,
    Connections,
    OAuthClientCredentials,
)
from stepwell.runtime.invokers.connections_oauth import TokenCache
from stepwell.runtime.invokers.http_addresses import OwnAddresses
from stepwell.runtime.invokers.http_allow import ALLOW_ENV, AllowList
from stepwell.runtime.invokers.http_request import (
    HttpRequest,
    merge_body,
    merge_headers,
    merge_query,
    parse_parameters,
    redact,
    runtime_error,
)
from stepwell.runtime.invokers.http_transport import EndpointRefused, PolicyTransport

__all__ = ["ALLOW_ENV", "AllowList", "HttpInvoker", "shape_response"]

RANGE = "bytes=0-262144"
BINARY_TYPES = ("application/octet-stream", "image/", "video/", "audio/")


class _QuerylessRequestLog(logging.Filter):
    """httpx logs every request's URL at INFO; a connection's query parameters may be secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > 1 and isinstance(args[1], httpx.URL):
            record.args = (args[0], args[1].copy_with(query=None), *args[2:])
        return True


QUERYLESS_LOG = _QuerylessRequestLog()


class HttpInvoker:
    """Carries out ``http:invoke`` Tasks; one httpx client, shared by the runtime's threads."""

    def __init__(
        self,
        connections: Connections,
        allow: AllowList | None = None,
        timeout: float = 60.0,
        *,
        region: str = DEFAULT_REGION,
        require_connection: bool = False,
        tokens: TokenCache | None = None,
        server_host: str | None = None,
    ):
        """``server_host``: the address this server listens on, whose addresses are refused too."""
        self.connections = connections
        self.allow = allow or AllowList()
        self.timeout = timeout
        self.region = region
        self.require_connection = require_connection
        self.tokens = tokens or TokenCache()
        # Redirects are not followed: the guide documents none, and "a response outside 2xx" fails
        # with States.Http.StatusCode.<code>; the next hop would get the connection's credentials.
        # The transport would check that hop like any request.
        transport = PolicyTransport(self.allow, OwnAddresses(server_host))
        self.client = httpx.Client(transport=transport, timeout=timeout, follow_redirects=False)
        if QUERYLESS_LOG not in logging.getLogger("httpx").filters:
            logging.getLogger("httpx").addFilter(QUERYLESS_LOG)

    def close(self) -> None:
        self.client.close()

    def invoke(self, call: TaskCall) -> Any:
        request = parse_parameters(call.payload)
        connection = self._connection(request)
        secrets = connection.secrets() if connection else []
        try:
            return self._call(request, connection, call, secrets)
        except EndpointRefused as refused:  # the Task's endpoint or its connection's OAuth endpoint
            raise TaskError("States.Permissions", redact(refused.cause, _long(secrets))) from None
        except TaskError as failure:  # a last pass, whatever raised it
            raise TaskError(failure.error, redact(failure.cause, _long(secrets))) from None

    def _connection(self, request: HttpRequest) -> Connection | None:
        if request.connection_arn is None:
            if self.require_connection:
                raise runtime_error(
                    "The HTTP Task needs 'Authentication' or 'InvocationConfig' with a ConnectionArn."
                )
            return None
        return self.connections.get(request.connection_arn)

    def _call(
        self, request: HttpRequest, connection: Connection | None, call: TaskCall, secrets: list[str]
    ) -> Any:
        url = merge_query(request, connection)
        where = f"{url.scheme}://{url.netloc.decode()}{url.path}"  # never the query: it may hold secrets
        content, content_type = merge_body(request, connection)
        headers = merge_headers(request, connection)
        if content_type and not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("Content-Type", content_type))
        region = connection.region if connection else self.region
        headers += [("User-Agent", f"Amazon|StepFunctions|HttpInvoke|{region}"), ("Range", RANGE)]
        timeout = min(self.timeout, call.timeout_seconds or self.timeout)
        oauth = connection is not None and isinstance(connection.auth, OAuthClientCredentials)
        for attempt in (1, 2):
            auth = self._authorization(connection, secrets)  # the connection's credentials win too
            named = {name.lower() for name, _ in auth}
            sent = [header for header in headers if header[0].lower() not in named] + auth
            response = self._send(request.method, url, sent, content, timeout, where)
            # EventBridge "refreshes OAuth tokens when a 401 or 407 response is returned": once.
            if not (oauth and attempt == 1 and response.status_code in (401, 407)):
                break
            assert connection is not None
            self.tokens.invalidate(connection)
        result = redact(shape_response(response), _long(secrets))
        if not response.is_success:
            raise TaskError(
                f"States.Http.StatusCode.{response.status_code}", json.dumps(result, ensure_ascii=False)
            )
        return result

    def _authorization(self, connection: Connection | None, secrets: list[str]) -> list[tuple[str, str]]:
        if connection is None:
            return []
        auth = connection.auth
        if isinstance(auth, ApiKeyAuth):
            return [(auth.name, auth.value.reveal())]
        if isinstance(auth, BasicAuth):
            encoded = base64.b64encode(f"{auth.username}:{auth.password.reveal()}".encode()).decode()
            secrets.append(encoded)  # an API that echoes the Authorization header shows this form
            return [("Authorization", f"Basic {encoded}")]
        token = self.tokens.token(connection, self.client).reveal()
        secrets.append(token)
        return [("Authorization", f"Bearer {token}")]

    def _send(
        self,
        method: str,
        url: httpx.URL,
        headers: list[tuple[str, str]],
        content: bytes | None,
        timeout: float,
        where: str,
    ) -> httpx.Response:
        try:
            return self.client.request(method, url, headers=headers, content=content, timeout=timeout)
        except httpx.TimeoutException:
            failure = TaskError(
                "States.Http.Socket", f"The request to {where} timed out after {timeout:g} seconds."
            )
        except httpx.UnsupportedProtocol:
            failure = runtime_error(f"The ApiEndpoint {where} has a scheme stepwell cannot call.")
        except httpx.DecodingError:
            failure = runtime_error(f"The response from {where} cannot be decoded (its Content-Encoding).")
        except httpx.HTTPError as exc:  # refused, reset, a broken answer: no response to return
            failure = TaskError(
                "States.Http.Socket", f"The request to {where} failed: {type(exc).__name__}: {exc}"
            )
        raise failure  # outside the except blocks, so nothing chains to httpx's exception


def shape_response(response: httpx.Response) -> dict[str, Any]:
    """``{Headers, ResponseBody, StatusCode, StatusText}`` as the HTTP Task returns it."""
    headers: dict[str, list[str]] = {}
    for name, value in response.headers.multi_items():
        headers.setdefault(name.lower(), []).append(value)
    return {
        "Headers": headers,
        "ResponseBody": _response_body(response),
        "StatusCode": response.status_code,
        "StatusText": response.reason_phrase,
    }


def _response_body(response: httpx.Response) -> Any:
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    # "An HTTP Task fails with the States.Runtime error if ... The response contains a content-type
    # header of application/octet-stream, image/*, video/*, or audio/* [or] can't be read as a valid
    # string."
    if media.startswith(BINARY_TYPES):
        raise runtime_error(f"The HTTP Task does not support responses of content-type '{media}'.")
    try:
        text = response.content.decode(response.charset_encoding or "utf-8")
    except (UnicodeDecodeError, LookupError):
        raise runtime_error("The HTTP response body cannot be read as a string.") from None
    if media == "application/json" or media.endswith("+json"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _long(secrets: Sequence[str]) -> list[str]:
    """Secrets worth masking: shorter strings would mask ordinary text; longest first."""
    return sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)
