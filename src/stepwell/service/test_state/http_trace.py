"""TRACE's ``request`` and ``response`` for an HTTP Task (``arn:aws:states:::http:invoke``).

"TRACE: Shows the HTTP request and response for an HTTP Task" (TestStateInput.inspectionLevel).
The request is rebuilt from the Task's parameters with the HTTP invoker's own functions
(``runtime/invokers/http_request.py``: the URL with its query, the body as encoded, the headers),
without what a connection adds: "For HTTP Tasks, a secret includes the data that an EventBridge
connection adds to modify the HTTP request headers, query parameters, and body" (revealSecrets),
and the invoker does not hand back what it sent, so those data are never shown. The response is
the Task's result (``{Headers, ResponseBody, StatusCode, StatusText}``), or, for a response
outside 2xx, the same object the failure's cause holds.
"""

from __future__ import annotations

import json
from typing import Any

from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.http_request import merge_body, merge_headers, merge_query, parse_parameters


def http_request(payload: Any) -> dict[str, str] | None:
    """The request as InspectionDataRequest shows it, or None when the parameters are wrong."""
    try:
        request = parse_parameters(payload)
        url = merge_query(request, None)
        content, content_type = merge_body(request, None)
        headers = merge_headers(request, None)
    except TaskError:
        return None
    if content_type and not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", content_type))
    return {
        "protocol": url.scheme,
        "method": request.method,
        "url": str(url),
        "headers": _header_text(headers),
        "body": content.decode("utf-8", "replace") if content else "",
    }


def http_response(result: Any) -> dict[str, str] | None:
    """The response as InspectionDataResponse shows it, from the Task's result."""
    if not isinstance(result, dict) or "StatusCode" not in result:
        return None
    headers = result.get("Headers") or {}
    pairs = [(name, value) for name, values in headers.items() for value in _listed(values)]
    body = result.get("ResponseBody")
    return {
        "protocol": "https",
        "statusCode": str(result["StatusCode"]),
        "statusMessage": str(result.get("StatusText") or ""),
        "headers": _header_text(pairs),
        "body": body
        if isinstance(body, str)
        else json.dumps(body, separators=(",", ":"), ensure_ascii=False),
    }


def failed_response(cause: str | None) -> dict[str, str] | None:
    """A response outside 2xx fails the Task with that response, as JSON, for its cause."""
    try:
        return http_response(json.loads(cause or ""))
    except ValueError:
        return None


def _listed(values: Any) -> list[Any]:
    return values if isinstance(values, list) else [values]


def _header_text(headers: list[tuple[str, Any]]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers)
