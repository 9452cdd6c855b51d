"""What the integrations that are HTTP calls (apigateway:invoke, eks:call) share: their parameters
``Headers`` and ``QueryParameters`` (name -> list of strings), ``RequestBody`` (JSON or a string),
and their output ``{ResponseBody, Headers, StatusCode, StatusText}`` (integrations.md §2.9, §2.10)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import httpx

from stepwell.runtime.invokers.base import TaskError
from stepwell.runtime.invokers.optimized.spec import Json


def runtime_error(cause: str) -> TaskError:
    return TaskError("States.Runtime", cause)


def _values(name: str, value: Any, field: str) -> list[str]:
    """A ``name -> list`` member's values as text (a lone string is taken as a list of one)."""
    items = value if isinstance(value, list) else [value]
    texts = []
    for item in items:
        if isinstance(item, int | float) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str):
            raise runtime_error(f"The values of '{name}' in '{field}' must be strings.")
        texts.append(item)
    return texts


def pairs(params: Json, field: str) -> list[tuple[str, str]]:
    """``{"a": ["1", "2"]}`` -> ``[("a", "1"), ("a", "2")]``."""
    raw = params.get(field)
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise runtime_error(f"The field '{field}' must be a JSON object of lists of strings.")
    return [(name, text) for name, value in raw.items() for text in _values(name, value, field)]


def body_bytes(body: Any) -> tuple[bytes | None, str | None]:
    """The request's content and its type: a string as is (text/plain), JSON as compact JSON."""
    if body is None:
        return None, None
    if isinstance(body, str):
        return body.encode(), "text/plain; charset=UTF-8"
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(), "application/json"


def without_nulls(value: Any) -> Any:
    """``value`` with every null member and item left out, nested ones too."""
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value if item is not None]
    return value


def response_output(response: httpx.Response) -> Json:
    """``{ResponseBody, Headers, StatusCode, StatusText}``: the body parsed when it is JSON, else
    its text; header names as the server sent them, each with the list of its values."""
    headers: dict[str, list[str]] = {}
    for raw_name, raw_value in response.headers.raw:
        headers.setdefault(raw_name.decode("latin-1"), []).append(raw_value.decode("latin-1"))
    text = response.content.decode(response.charset_encoding or "utf-8", errors="replace")
    body: Any = text
    if text:
        with contextlib.suppress(ValueError):
            body = json.loads(text)
    return {
        "ResponseBody": body,
        "Headers": headers,
        "StatusCode": response.status_code,
        "StatusText": response.reason_phrase,
    }
