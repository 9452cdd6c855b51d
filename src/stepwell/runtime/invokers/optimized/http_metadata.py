"""``SdkHttpMetadata`` and ``SdkResponseMetadata``, which the AWS SDK for Java 1.x adds to an
optimized integration's result (integrations.md §0): the HTTP status, the headers as the service
sent them, and the request id."""

from __future__ import annotations

import threading
from typing import Any


class LastHttpResponse:
    """The HTTP response of the calling thread's last call, for ``SdkHttpMetadata``: botocore's
    ``ResponseMetadata`` lower-cases header names, AWS shows them as the service sent them."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._watched: set[int] = set()
        self._lock = threading.Lock()

    def watch(self, client: Any) -> None:
        with self._lock:
            if id(client) in self._watched:
                return
            self._watched.add(id(client))
        client.meta.events.register("after-call", self._record)

    def _record(self, http_response: Any = None, **_: Any) -> None:
        self._local.response = http_response

    def metadata(self, meta: dict[str, Any]) -> dict[str, Any]:
        """SdkHttpMetadata and SdkResponseMetadata for botocore's ResponseMetadata ``meta``."""
        response = getattr(self._local, "response", None)
        raw = getattr(getattr(response, "raw", None), "headers", None)
        pairs: list[tuple[str, str]] = (
            list(raw.items()) if raw is not None else list((meta.get("HTTPHeaders") or {}).items())
        )
        all_headers: dict[str, list[str]] = {}
        for name, value in pairs:
            all_headers.setdefault(name, []).append(value)
        return {
            "SdkHttpMetadata": {
                "AllHttpHeaders": all_headers,
                "HttpHeaders": {name: ",".join(values) for name, values in all_headers.items()},
                "HttpStatusCode": meta.get("HTTPStatusCode", 200),
            },
            "SdkResponseMetadata": {"RequestId": meta.get("RequestId", "")},
        }
