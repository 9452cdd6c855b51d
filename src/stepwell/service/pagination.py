"""Opaque, tamper-evident ``nextToken``s for the paginated operations.

ListStateMachines, ListExecutions, ListActivities, GetExecutionHistory (and the other List*
operations) page with a ``nextToken``. AWS's contract (botocore doc of every such operation):
"Make the call again using the returned token to retrieve the next page. Keep all other
arguments unchanged. Each pagination token expires after 24 hours. Using an expired pagination
token will return an HTTP 400 InvalidToken error."

A token carries the position to resume after (any small JSON value, e.g. the last key
returned), the time it was issued, and a keyed tag of the request it belongs to (the operation
and the filters that must not change between pages, given by the caller as ``scope``). The
whole is signed with HMAC-SHA256 under a per-server secret and base64url-encoded::

    token = base64url( 0x01 || json([issued_at, scope_tag, position]) || mac[:16] )

so a client can neither forge a position nor reuse a token for another request, and the server
keeps no state per token. A token stays valid across restarts only if the secret does.

AWS's message for an InvalidToken is ``Invalid Token: 'Invalid token'``: recorded against AWS
for SendTaskHeartbeat with an unknown task token (wire body
``{"__type": "com.amazonaws.swf.service.v2.model#InvalidToken", "message": "Invalid Token:
'Invalid token'"}``), and what LocalStack answers for a bad ListStateMachineAliases nextToken.
No distinct AWS texts for an expired token or a token from another request were found, so all
three cases answer with that message; ``InvalidToken.reason`` tells them apart for logs/tests.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

INVALID_TOKEN_MESSAGE = "Invalid Token: 'Invalid token'"

# botocore's PageToken is 1-1024 characters (ListExecutionsPageToken 1-3096): a token we hand
# out must fit the smaller bound or the client could not send it back.
MAX_TOKEN_LENGTH = 1024
DEFAULT_TTL_SECONDS = 24 * 60 * 60

_VERSION = b"\x01"
_MAC_BYTES = 16
_SCOPE_TAG_BYTES = 9  # 12 base64 characters


class InvalidToken(Exception):
    """AWS's InvalidToken error. ``reason``: "malformed" | "other_request" | "expired"."""

    code = "InvalidToken"

    def __init__(self, reason: str, message: str = INVALID_TOKEN_MESSAGE):
        super().__init__(message)
        self.reason = reason
        self.message = message


class PageTokens:
    """Encodes and checks the nextTokens of one server (one secret)."""

    def __init__(
        self,
        secret: bytes,
        clock: Callable[[], float] = time.time,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
    ):
        if not secret:
            raise ValueError("PageTokens needs a non-empty secret")
        # Separate keys for the signature and the request tag, derived from the one secret.
        self._mac_key = hmac.new(secret, b"stepwell nextToken signature", hashlib.sha256).digest()
        self._scope_key = hmac.new(secret, b"stepwell nextToken request", hashlib.sha256).digest()
        self._clock = clock
        self._ttl_seconds = ttl_seconds

    def encode(self, operation: str, scope: str, position: Any) -> str:
        """The nextToken that resumes ``operation`` (with the same ``scope``) after ``position``.

        ``position`` must be JSON-serialisable and small: the token must stay within 1024
        characters (ValueError otherwise, since a client could not send such a token back).
        """
        issued_at = int(self._clock())
        tag = _b64encode(self._scope_tag(operation, scope))
        body = json.dumps([issued_at, tag, position], separators=(",", ":"))  # ASCII
        signed = _VERSION + body.encode("ascii")
        token = _b64encode(signed + self._mac(signed))
        if len(token) > MAX_TOKEN_LENGTH:
            raise ValueError(f"nextToken of {len(token)} characters: the position is too large")
        return token

    def decode(self, operation: str, scope: str, token: str) -> Any:
        """The position ``token`` resumes after, or InvalidToken if it was altered, belongs to
        another operation or scope, or is older than the time to live."""
        raw = _b64decode(token)
        if raw is None or len(raw) <= len(_VERSION) + _MAC_BYTES or raw[:1] != _VERSION:
            raise InvalidToken("malformed")
        signed, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        if not hmac.compare_digest(mac, self._mac(signed)):
            raise InvalidToken("malformed")
        # Signed by us, so well-formed unless the format changed: still checked, never trusted.
        try:
            issued_at, tag, position = json.loads(signed[len(_VERSION) :].decode("ascii"))
        except (ValueError, TypeError):
            raise InvalidToken("malformed") from None
        if not isinstance(issued_at, int) or not isinstance(tag, str) or not tag.isascii():
            raise InvalidToken("malformed")
        if not hmac.compare_digest(tag, _b64encode(self._scope_tag(operation, scope))):
            raise InvalidToken("other_request")
        if self._clock() - issued_at > self._ttl_seconds:
            raise InvalidToken("expired")
        return position

    def _mac(self, signed: bytes) -> bytes:
        return hmac.new(self._mac_key, signed, hashlib.sha256).digest()[:_MAC_BYTES]

    def _scope_tag(self, operation: str, scope: str) -> bytes:
        # NUL cannot occur in an operation name, so ("a", "b\0c") and ("a\0b", "c") differ.
        message = f"{operation}\0{scope}".encode("utf-8", "surrogatepass")
        return hmac.new(self._scope_key, message, hashlib.sha256).digest()[:_SCOPE_TAG_BYTES]


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes | None:
    """The bytes of unpadded base64url ``text``, or None if it is not that."""
    if not text.isascii():
        return None
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
