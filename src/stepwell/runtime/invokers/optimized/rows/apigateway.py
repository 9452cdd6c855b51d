"""``apigateway:invoke`` (RR and ``.waitForTaskToken``): an HTTPS request straight to an API
Gateway endpoint, which no SDK call makes (integrations.md §2.10).

Parameters: ``ApiEndpoint`` (``<api-id>.execute-api.<region>.amazonaws.com``) and ``Method``
required; ``Stage``, ``Path``, ``QueryParameters`` and ``Headers`` (name -> list of strings),
``RequestBody`` (JSON or a string, sent for PATCH, POST and PUT only), ``AllowNullValues`` and
``AuthType`` (NO_AUTH, the default; IAM_ROLE and RESOURCE_POLICY sign the request with Signature
Version 4 for ``execute-api`` with stepwell's AWS credentials; that RESOURCE_POLICY signs too is our
reading). The URL is ``https://<ApiEndpoint>/<Stage>/<Path>``.

Where it goes: ``APIGATEWAY_ENDPOINT`` (``AWS_ENDPOINT_URL_APIGATEWAY``; only that variable, not
``AWS_ENDPOINT_URL``), a base URL such as ``http://localhost:9000``, replaces
``https://<ApiEndpoint>`` for every API: a local stand-in in tests, called as configured. Without
it the request goes to the ApiEndpoint through http:invoke's transport and allow-list.

Output ``{ResponseBody, Headers, StatusCode, StatusText}``, without SdkHttpMetadata (§0); a status
outside 2xx fails with ``ApiGateway.<status>`` and the response body as the cause; no response at
all with ``ApiGateway.SdkClientException`` (the name for "no status" is unconfirmed: §2.10 says
``ApiGateway.<Exception>``).
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from stepwell.runtime.invokers.aws_errors import JavaV1Names
from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.optimized.rows.http_shapes import (
    body_bytes,
    pairs,
    response_output,
    runtime_error,
    without_nulls,
)
from stepwell.runtime.invokers.optimized.spec import WITH_CALLBACK, Calls, Integration, Json

API_GATEWAY = JavaV1Names("ApiGateway", "AmazonApiGateway", "AmazonApiGatewayException")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
WITH_BODY = ("PATCH", "POST", "PUT")
AUTH_TYPES = ("NO_AUTH", "IAM_ROLE", "RESOURCE_POLICY")
# "Step Functions doesn't support the following headers": anything starting X-Forwarded, X-Amz,
# X-Amzn, and these (§2.10, [DG23:connect-api-gateway]).
FORBIDDEN_HEADERS = frozenset(
    "authorization connection content-md5 expect host max-forwards proxy-authenticate server te "
    "trailer transfer-encoding upgrade via www-authenticate".split()
)
FORBIDDEN_PREFIXES = ("x-forwarded", "x-amz", "x-amzn")


def invoke_api(params: Json, calls: Calls) -> Json:
    method = params.get("Method")
    if method not in METHODS:
        raise runtime_error(f"The field 'Method' must be one of {', '.join(METHODS)}, not {method!r}.")
    auth_type = params.get("AuthType") or "NO_AUTH"
    if auth_type not in AUTH_TYPES:
        raise runtime_error(f"The field 'AuthType' must be one of {', '.join(AUTH_TYPES)}.")
    headers = pairs(params, "Headers")
    forbidden = sorted(
        {
            name
            for name, _ in headers
            if name.lower() in FORBIDDEN_HEADERS or name.lower().startswith(FORBIDDEN_PREFIXES)
        }
    )
    if forbidden:
        raise runtime_error(f"The 'Headers' field contains unsupported headers: [{', '.join(forbidden)}]")
    host = _host(params.get("ApiEndpoint"))
    configured = calls.endpoint_url("apigateway")
    base = configured.rstrip("/") if configured else f"https://{host}"
    path = "/".join(
        quote(part.strip("/"), safe="/%:@!$&'()*+,;=-._~")
        for part in (params.get("Stage") or "", params.get("Path") or "")
        if part and part.strip("/")
    )
    url = httpx.URL(f"{base}/{path}", params=pairs(params, "QueryParameters"))
    body = params.get("RequestBody") if method in WITH_BODY else None
    if not params.get("AllowNullValues"):
        body = without_nulls(body)  # what AllowNullValues: false means, in our reading
    content, content_type = body_bytes(body)
    sent: dict[str, str] = {}
    for name, value in headers:  # a header's list of values, sent as one comma-separated line
        sent[name] = f"{sent[name]},{value}" if name in sent else value
    if content_type and not any(name.lower() == "content-type" for name in sent):
        sent["Content-Type"] = content_type
    if auth_type != "NO_AUTH":
        sent = calls.signed("execute-api", _region(host), method, str(url), sent, content)
    try:
        response = calls.http(
            method, str(url), configured=configured is not None, headers=sent, content=content
        )
    except httpx.HTTPError as failed:
        raise TaskError(
            f"{API_GATEWAY.prefix}.SdkClientException",
            f"Unable to execute HTTP request: {type(failed).__name__}: {failed}",
        ) from None
    output = response_output(response)
    if not response.is_success:
        raise TaskError(f"{API_GATEWAY.prefix}.{response.status_code}", response.text)
    return output


def _host(endpoint: object) -> str:
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise runtime_error(
            "The field 'ApiEndpoint' is required: <api-id>.execute-api.<region>.amazonaws.com."
        )
    host = endpoint.strip().removeprefix("https://").rstrip("/")
    if "/" in host or "://" in host:
        raise runtime_error(f"The field 'ApiEndpoint' must be a host name, not {endpoint!r}.")
    return host


def _region(host: str) -> str:
    """The region of ``<api-id>.execute-api.<region>.amazonaws.com`` (us-east-1 otherwise)."""
    parts = host.split(".")
    return parts[2] if len(parts) > 3 and parts[1] == "execute-api" else "us-east-1"


API_GATEWAY_ROWS: dict[tuple[str, str], Integration] = {
    ("apigateway", "invoke"): Integration(
        "apigateway", "", API_GATEWAY, WITH_CALLBACK, call=invoke_api, with_http_metadata=False
    ),
}
