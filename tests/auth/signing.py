"""Requests signed by botocore, the client side of SigV4: what the verifier must accept.

botocore reads the time from ``botocore.auth.get_current_datetime``; the tests sign at a moment of
their choosing by patching it (the client's clock, nothing of the server's).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from stepwell.auth.sigv4 import HttpRequest

KEY, SECRET = "AKIDEXAMPLE0000001", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
TARGET = "AWSStepFunctions.ListStateMachines"


class _UnsignedHost(SigV4Auth):
    """A signer that leaves ``host`` out of SignedHeaders (a broken client)."""

    def headers_to_sign(self, request: AWSRequest) -> object:
        headers = super().headers_to_sign(request)
        del headers["host"]
        return headers


def signed_headers(
    when: datetime,
    *,
    body: bytes = b"{}",
    url: str = "http://127.0.0.1:8083/",
    headers: Mapping[str, str] | None = None,
    key: str = KEY,
    secret: str = SECRET,
    region: str = REGION,
    service: str = "states",
    token: str | None = None,
    sign_host: bool = True,
) -> dict[str, str]:
    """The headers botocore sends for a POST of ``body`` to ``url`` signed at ``when`` (Host
    included, as the HTTP client would send it)."""
    sent = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": TARGET, **(headers or {})}
    request = AWSRequest(method="POST", url=url, data=body, headers=sent)
    signer = (SigV4Auth if sign_host else _UnsignedHost)(Credentials(key, secret, token), service, region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        signer.add_auth(request)
    out = {name: str(value) for name, value in request.headers.items()}
    out.setdefault("Host", urlsplit(url).netloc)
    return out


def presigned_url(
    when: datetime,
    *,
    url: str = "http://127.0.0.1:8083/",
    key: str = KEY,
    secret: str = SECRET,
    region: str = REGION,
    expires: int = 300,
    headers: Mapping[str, str] | None = None,
) -> str:
    """A query-string-signed URL for an empty-bodied POST (botocore moves a body into the query)."""
    request = AWSRequest(method="POST", url=url, data=b"", headers=dict(headers or {}))
    signer = SigV4QueryAuth(Credentials(key, secret), "states", region, expires=expires)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        signer.add_auth(request)
    return str(request.url)


def incoming(
    headers: Mapping[str, str], body: bytes = b"{}", url: str = "http://127.0.0.1:8083/"
) -> HttpRequest:
    """The request as the server sees it (ASGI: lower-case header names, bytes)."""
    parts = urlsplit(url)
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    if not any(name == b"host" for name, _ in raw):
        raw.append((b"host", parts.netloc.encode()))
    return HttpRequest("POST", parts.path or "/", parts.query, raw, body)
