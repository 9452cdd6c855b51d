"""Signing in to the console when the server checks identities (``stepwell serve --auth FILE``).

A principal signs in with its access key id and secret access key, or with its name and the
console password the identities file may give it. The session is a cookie, ``stepwell_session``:

    <name, base64url> . <expiry, epoch seconds> . <HMAC-SHA256, hex>

HttpOnly, SameSite=Strict, for SESSION_SECONDS. The HMAC is keyed by the principal's own secrets
(its secret access key and console password), so no server key has to be shared between nodes
or kept across restarts, a cookie cannot be made without the secret, and changing a principal's
secret (or removing it from the file, then SIGHUP) ends its sessions at once. Signing out removes
the cookie; a copy taken before lasts until it expires, as a session token would.

While signed in, every action a page takes goes through ``Web.call``, which asks the principal's
policies first (``Guard``): a read-only principal is shown no Stop, Start or Redrive button
(``can`` in the templates) and gets 403 if it posts anyway.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from stepwell.auth.identities import Identities, Principal

SESSION_COOKIE = "stepwell_session"
SESSION_SECONDS = 8 * 3600
# Pages anyone may fetch: the sign-in page itself and what it is drawn with.
OPEN_PATHS = ("/sign-in", "/static/", "/favicon.ico", "/graph.css")


@dataclass(frozen=True)
class Caller:
    """Who drives the console in this request: the signed-in principal (None: no identities are
    checked), where it calls from and with what (for the audit log)."""

    principal: Principal | None
    source_ip: str
    user_agent: str


# The caller of the request being handled (set by the guard before the page runs; each request
# is its own task, so each has its own value). None: outside a console request.
caller: contextvars.ContextVar[Caller | None] = contextvars.ContextVar(
    "stepwell_console_caller", default=None
)


class Denied(Exception):
    """The signed-in principal's policies do not allow what a page was about to do (a 403 page)."""


class Sessions:
    """Sign-in and the session cookie, over the identities the server holds now (``current``)."""

    def __init__(self, current: Callable[[], Identities], clock: Callable[[], float] = time.time):
        self.current = current
        self.clock = clock

    def sign_in(self, identifier: str, secret: str) -> Principal | None:
        """The principal these credentials are: an access key id and its secret access key, or a
        name and its console password."""
        identities = self.current()
        by_key = identities.by_access_key(identifier)
        if by_key is not None and _same(secret, by_key.secret.reveal()):
            return by_key
        by_name = identities.by_name(identifier)
        password = by_name.console_password if by_name is not None else None
        if by_name is not None and password is not None and _same(secret, password.reveal()):
            return by_name
        return None

    def cookie(self, principal: Principal) -> str:
        expires = int(self.clock()) + SESSION_SECONDS
        name = base64.urlsafe_b64encode(principal.name.encode()).decode().rstrip("=")
        return f"{name}.{expires}.{_mac(principal, name, expires)}"

    def principal(self, cookie: str | None) -> Principal | None:
        """The principal a session cookie belongs to, if it is genuine, unexpired and its
        principal is still in the identities with the same secrets."""
        if not cookie or cookie.count(".") != 2:
            return None
        name, expires_text, mac = cookie.split(".")
        if not expires_text.isdigit() or int(expires_text) <= self.clock():
            return None
        try:
            decoded = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        principal = self.current().by_name(decoded)
        if principal is None or not _same(mac, _mac(principal, name, int(expires_text))):
            return None
        return principal


def _mac(principal: Principal, name: str, expires: int) -> str:
    password = principal.console_password.reveal() if principal.console_password is not None else ""
    key = f"{principal.secret.reveal()}\n{password}".encode()
    return hmac.new(key, f"console-session\n{name}\n{expires}".encode(), hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def is_open(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in OPEN_PATHS)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this console only (never another site). Browsers
    drop tabs and newlines from a URL and read a backslash as a slash, so any of them, as any
    character outside printable ASCII, makes the target "/"."""
    if not target or not all("!" <= c <= "~" for c in target) or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if not parts.path.startswith("/") or parts.path.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in_href(path: str, query: str) -> str:
    target = path + (f"?{query}" if query else "")
    return "/sign-in" + (f"?next={quote(target, safe='')}" if target != "/" else "")
