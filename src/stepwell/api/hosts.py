"""Which ``Host`` a request may name: protection against DNS rebinding.

A web page at ``http://evil.example`` can make its name resolve to 127.0.0.1 and then talk to a
server on the user's machine; the browser still sends ``Host: evil.example``. So a server bound
to a loopback address answers only requests whose Host is a loopback name or address
(``localhost``, ``*.localhost``, 127.0.0.0/8, ``[::1]``, any port), plus the hosts
``--allowed-hosts`` (``STEPWELL_ALLOWED_HOSTS``) names. A server bound to another address
(0.0.0.0, a LAN address) was exposed on purpose: it answers any Host unless ``--allowed-hosts``
names some, and then those and the loopback names only.

``--allowed-hosts`` entries: a host name (``stepwell.internal``), a domain and its subdomains
(``.example.com`` or ``*.example.com``), an IP address, or ``*`` (any). Ports are ignored.

botocore sends StartSyncExecution to the endpoint's host prefixed with ``sync-`` (the model's
``hostPrefix``; a client with ``inject_host_prefix=False`` does not). ``sync-`` + an allowed host
name is allowed too: it can only resolve where the allowed name's owner says, so a rebinding page
(which names its own domain) gains nothing from it.

A request without a Host header (HTTP/1.0 clients) is answered: a browser always sends one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from stepwell.api.protocol import CONTENT_TYPE, ApiError

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

SYNC_PREFIX = "sync-"  # botocore: StartSyncExecution's "endpoint": {"hostPrefix": "sync-"}


def host_name(header: str) -> str:
    """The name or address of a Host header, without port, brackets or trailing dot, lowercased."""
    text = header.strip().lower()
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text
    if text.count(":") == 1:
        text = text.split(":", 1)[0]
    return text.rstrip(".")


def is_loopback(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class HostPolicy:
    """The Hosts a server answers: ``any_host``, or loopback names plus ``names``/``domains``."""

    any_host: bool
    names: frozenset[str] = frozenset()
    domains: tuple[str, ...] = ()  # ".example.com": the domain and its subdomains

    @classmethod
    def for_server(cls, bind_host: str, allowed: str | None) -> HostPolicy:
        """The policy of a server bound to ``bind_host`` with ``--allowed-hosts allowed``."""
        entries = [e.strip().lower() for e in (allowed or "").split(",") if e.strip()]
        if "*" in entries or (not entries and not is_loopback(host_name(bind_host) or "")):
            return cls(any_host=True)
        names = set()
        domains = []
        for entry in entries:
            if entry.startswith("*."):
                entry = entry[1:]
            if entry.startswith("."):
                domains.append(entry)
            else:
                names.add(host_name(entry))
        return cls(any_host=False, names=frozenset(names), domains=tuple(domains))

    def allows(self, header: str | None) -> bool:
        if self.any_host or header is None:
            return True
        name = host_name(header)
        if self._allows_name(name):
            return True
        # botocore's StartSyncExecution prefix on an allowed *name* (sync-127.0.0.1 is no host).
        return name.startswith(SYNC_PREFIX) and self._allows_name(name[len(SYNC_PREFIX) :], names_only=True)

    def _allows_name(self, name: str, names_only: bool = False) -> bool:
        if not name:
            return False
        if names_only and _is_address(name):
            return False
        if is_loopback(name) or name in self.names:
            return True
        return any(name == domain[1:] or name.endswith(domain) for domain in self.domains)


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def refusal_message(header: str) -> str:
    name = host_name(header)
    return (
        f"Host '{header}' is not allowed: this server is bound to a loopback address and answers "
        f"requests for localhost, 127.0.0.1 or [::1] only (protection against DNS rebinding). "
        f"To allow this host, start it with --allowed-hosts {name or header} "
        f"(or STEPWELL_ALLOWED_HOSTS)."
    )


class HostGuard:
    """ASGI middleware: requests naming a Host the policy refuses get 403 and never reach the
    app — an AWS JSON error for the API (``POST /``), plain text for the console's pages."""

    def __init__(self, app: App, policy: HostPolicy):
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.policy.any_host:
            await self.app(scope, receive, send)
            return
        header = _header(scope, b"host")
        if self.policy.allows(header):
            await self.app(scope, receive, send)
            return
        assert header is not None
        message = refusal_message(header)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
            return
        if scope.get("method") == "POST" and scope.get("path") == "/":
            body = ApiError("AccessDeniedException", message, status=403).body()
            media_type = CONTENT_TYPE
        else:
            body = message.encode() + b"\n"
            media_type = "text/plain; charset=utf-8"
        headers = [
            (b"content-type", media_type.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),  # do not read a body nobody will use
        ]
        await send({"type": "http.response.start", "status": 403, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return bytes(value).decode("latin-1")
    return None
