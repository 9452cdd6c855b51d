"""The request side of the HTTP Task: its parameters checked, then merged with a connection's.

``parse_parameters`` turns a Task's parameters into an ``HttpRequest`` (or fails with
``States.Runtime``); ``merge_query``, ``merge_headers`` and ``merge_body`` add the connection's
parameters as EventBridge does; ``form_encode`` writes URL_ENCODED bodies; ``redact`` masks secrets.
The invoker that sends the request is in http.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx

from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.connections import Connection, reveal

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")
FIELDS = {"ApiEndpoint", "Method", "Authentication", "InvocationConfig", "Headers", "QueryParameters"}
FIELDS |= {"RequestBody", "Transform"}
ARRAY_FORMATS = ("INDICES", "REPEAT", "COMMAS", "BRACKETS")
# "You can't use the following headers in your HTTP Task definition. If you use these headers, the
# HTTP Task fails with the States.Runtime error."
FORBIDDEN_HEADERS = frozenset(
    "a-im accept-charset accept-datetime accept-encoding authorization cache-control connection "
    "content-encoding content-md5 date expect forwarded from host http2-settings if-match "
    "if-modified-since if-none-match if-range if-unmodified-since max-forwards origin pragma "
    "proxy-authorization referer server te trailer transfer-encoding upgrade via warning".split()
)
FORBIDDEN_PREFIXES = ("x-forwarded-", "x-amz-", "x-amzn-")
# "Step Functions sets the User-Agent, Range, and Host headers"; httpx sets Host and Content-Length.
SET_BY_STEPWELL = frozenset({"user-agent", "range", "content-length"})
JSON_TYPE = "application/json; charset=UTF-8"
FORM_TYPE = "application/x-www-form-urlencoded"
MASK = "******"


def runtime_error(cause: str) -> TaskError:
    return TaskError("States.Runtime", cause)


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP Task's parameters, checked."""

    url: httpx.URL
    method: str
    connection_arn: str | None
    headers: list[tuple[str, str]]
    query: list[tuple[str, str]]
    body: Any
    has_body: bool
    url_encoded: bool
    array_format: str


def parse_parameters(payload: Any) -> HttpRequest:
    """Check the HTTP Task's parameters; TaskError ``States.Runtime`` says what is wrong."""
    if not isinstance(payload, dict):
        raise runtime_error("The HTTP Task's parameters must be a JSON object.")
    unknown = sorted(set(payload) - FIELDS)
    if unknown:
        raise runtime_error(f"The field '{unknown[0]}' is not supported by the HTTP Task.")
    endpoint = payload.get("ApiEndpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise runtime_error("The field 'ApiEndpoint' is required and must be a URL string.")
    try:
        url = httpx.URL(endpoint)
    except httpx.InvalidURL:
        url = httpx.URL()
    if url.scheme not in ("http", "https") or not url.host:
        raise runtime_error(f"The ApiEndpoint '{endpoint}' is not an http(s) URL.")
    method = payload.get("Method")
    if method not in METHODS:
        raise runtime_error(f"The field 'Method' must be one of {', '.join(METHODS)}; got {method!r}.")
    transform = payload.get("Transform", {})
    encoding = transform.get("RequestBodyEncoding", "NONE") if isinstance(transform, dict) else None
    options = transform.get("RequestEncodingOptions", {}) if isinstance(transform, dict) else None
    array_format = options.get("ArrayFormat", "INDICES") if isinstance(options, dict) else None
    if encoding not in ("NONE", "URL_ENCODED") or array_format not in ARRAY_FORMATS:
        raise runtime_error(
            "The field 'Transform' must read {RequestBodyEncoding: NONE|URL_ENCODED, "
            "RequestEncodingOptions: {ArrayFormat: INDICES|REPEAT|COMMAS|BRACKETS}}."
        )
    return HttpRequest(
        url=url,
        method=method,
        connection_arn=_connection_arn(payload),
        headers=_task_headers(payload.get("Headers", {})),
        query=_query_pairs(payload.get("QueryParameters", {})),
        body=payload.get("RequestBody"),
        has_body="RequestBody" in payload,
        url_encoded=encoding == "URL_ENCODED",
        array_format=array_format,
    )


def _connection_arn(payload: dict[str, Any]) -> str | None:
    given = [f for f in ("Authentication", "InvocationConfig") if f in payload]
    if len(given) > 1:
        raise runtime_error("Specify the connection in 'Authentication' or in 'InvocationConfig', not both.")
    if not given:
        return None
    block = payload[given[0]]
    arn = block.get("ConnectionArn") if isinstance(block, dict) else None
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        raise runtime_error(f"The field '{given[0]}' must hold a 'ConnectionArn'.")
    return arn


def _task_headers(raw: Any) -> list[tuple[str, str]]:
    if not isinstance(raw, dict):
        raise runtime_error("The field 'Headers' must be a JSON object.")
    forbidden = sorted(
        name.lower()
        for name in raw
        if name.lower() in FORBIDDEN_HEADERS or name.lower().startswith(FORBIDDEN_PREFIXES)
    )
    if forbidden:  # the text AWS gives when it refuses such a definition
        raise runtime_error(f"The 'Headers' field contains unsupported values: [{', '.join(forbidden)}]")
    headers = []
    for name, value in raw.items():
        for item in value if isinstance(value, list) else [value]:
            text = _scalar_text(item, f"the header '{name}'")
            if not _is_token(name) or "\r" in text or "\n" in text:
                raise runtime_error(f"The header '{name}' is not a valid HTTP header.")
            if name.lower() not in SET_BY_STEPWELL:
                headers.append((name, text))
    return headers


def _is_token(name: str) -> bool:
    return bool(name) and all(c.isalnum() or c in "!#$%&'*+-.^_`|~" for c in name) and name.isascii()


def _query_pairs(raw: Any) -> list[tuple[str, str]]:
    if isinstance(raw, str):  # a query string as written
        return parse_qsl(raw.lstrip("?"), keep_blank_values=True)
    if not isinstance(raw, dict):
        raise runtime_error("The field 'QueryParameters' must be a JSON object or a query string.")
    # Arrays repeat their key (?tag=a&tag=b); the guide leaves this open, and it is what APIs expect.
    return [(key, ",".join(values)) for key, values in _form_pairs(raw, "REPEAT", "")]


def _scalar_text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    if value is None:
        return ""
    raise runtime_error(f"The value of {what} must be a string, a number or a boolean.")


def _form_pairs(value: Any, array_format: str, prefix: str) -> list[tuple[str, list[str]]]:
    """Flatten JSON into form keys: ``{"a": {"b": 1}}`` -> ``a[b]``; arrays as ``array_format`` says."""
    if isinstance(value, dict):
        return [
            pair
            for key, item in value.items()
            for pair in _form_pairs(item, array_format, f"{prefix}[{key}]" if prefix else str(key))
        ]
    if isinstance(value, list):
        if array_format == "COMMAS" and not any(isinstance(item, dict | list) for item in value):
            return [(prefix, [_scalar_text(item, f"'{prefix}'") for item in value])]
        keys = {"INDICES": "{}[{}]", "BRACKETS": "{}[]", "REPEAT": "{}", "COMMAS": "{}[{}]"}[array_format]
        return [
            pair
            for i, item in enumerate(value)
            for pair in _form_pairs(item, array_format, keys.format(prefix, i))
        ]
    return [(prefix, [_scalar_text(value, f"'{prefix}'")])]


def form_encode(body: dict[str, Any], array_format: str) -> str:
    """``application/x-www-form-urlencoded`` text, spaces as %20 as the guide's example shows."""
    return "&".join(
        quote(key, safe="") + "=" + ",".join(quote(v, safe="") for v in values)
        for key, values in _form_pairs(body, array_format, "")
    )


def merge_body(request: HttpRequest, connection: Connection | None) -> tuple[bytes | None, str | None]:
    """The request body and its default content type, after the connection's BodyParameters.

    "Step Functions merges the request body with the connection body parameters in all cases except
    if your request body is a string and the connection body parameters is non-empty. In this case,
    the HTTP Task fails with the States.Runtime error." Then it "applies all transformations"."""
    extra = {p.key: reveal(p.value) for p in connection.invocation.body} if connection else {}
    body, present = request.body, request.has_body
    if extra:
        if present and not isinstance(body, dict):
            raise runtime_error(
                "The RequestBody is not a JSON object, so it cannot take the connection's body parameters."
            )
        body, present = {**(body if isinstance(body, dict) else {}), **extra}, True
    if not present:
        return None, None
    if isinstance(body, str):  # already encoded by the definition; sent as written
        return body.encode(), FORM_TYPE if request.url_encoded else JSON_TYPE
    if request.url_encoded:
        if not isinstance(body, dict):
            raise runtime_error("Only a JSON object RequestBody can be URL-encoded.")
        return form_encode(body, request.array_format).encode(), FORM_TYPE
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(), JSON_TYPE


def merge_headers(request: HttpRequest, connection: Connection | None) -> list[tuple[str, str]]:
    """The definition's headers, then the connection's, which win on the same (case-blind) name."""
    extra = [(p.key, reveal(p.value)) for p in connection.invocation.headers] if connection else []
    replaced = {name.lower() for name, _ in extra}
    return [h for h in request.headers if h[0].lower() not in replaced] + extra


def merge_query(request: HttpRequest, connection: Connection | None) -> httpx.URL:
    extra = [(p.key, reveal(p.value)) for p in connection.invocation.query] if connection else []
    replaced = {key for key, _ in extra}
    pairs = [q for q in request.query if q[0] not in replaced] + extra
    if not pairs:
        return request.url
    text = "&".join(quote(k, safe="") + "=" + quote(v, safe=",") for k, v in pairs).encode()
    given = request.url.query  # the ApiEndpoint's own query string stays first
    return request.url.copy_with(query=given + b"&" + text if given else text)


def redact(value: Any, secrets: Sequence[str]) -> Any:
    """``value`` with every secret (4 characters or more) replaced by ``******``, keys included."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {redact(k, secrets): redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item, secrets) for item in value]
    return value
