"""The HTTP Task's transport: every request goes where the allow-list (http_allow.py) lets it.

``PolicyTransport`` is the httpx transport of the HTTP invoker's client, so every request that
client makes passes here: the Task's call, the OAuth token request of its connection
(connections_oauth.py), and every hop of a redirect if one were ever followed (none is: a 3xx
fails the Task with ``States.Http.StatusCode.3xx``, see http.py). An endpoint the allow-list names
(``Reach.OPEN``) is called as is; a ``Reach.CHECKED`` one goes through a connection pool whose
network backend resolves the host once, checks every address it got, and connects to a checked
address itself, by its number: no second lookup, so no DNS-rebinding window between the check and
the connect, and TLS still sends the name (SNI) and verifies the certificate against it, because the
pool still knows the connection by its name. Connections are pooled by name in the checked pool and
the open one separately, so a connection opened for a named URL never serves a checked one.

httpx (pinned, 0.28.1) takes no network backend in ``HTTPTransport``; httpcore's ``ConnectionPool``
does, so the checked transport gets a pool built with it (``_with_backend``). Environment proxies
(``HTTP_PROXY``, ...) are not used: behind a proxy the address connected to could not be checked.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Container, Iterable

import httpcore
import httpx

from stepwell.runtime.invokers.http_addresses import Address, embedded_ipv4, parse_address
from stepwell.runtime.invokers.http_allow import (
    ALLOW_ENV,
    ALLOW_FLAG,
    OWN,
    AllowList,
    Reach,
    Refusal,
    hint,
)

LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


class EndpointRefused(Exception):
    """Nothing was sent: the endpoint is outside the allow-list. ``cause`` is the Task's cause."""

    def __init__(self, cause: str):
        super().__init__(cause)
        self.cause = cause


class _RefusedAddress(Exception):
    """Raised inside httpcore by the checked backend; PolicyTransport turns it into EndpointRefused."""

    def __init__(self, refusal: Refusal):
        super().__init__(str(refusal.address))
        self.refusal = refusal


class CheckedBackend(httpcore.SyncBackend):
    """Connects only to addresses the allow-list lets a CHECKED endpoint reach (all of the host's)."""

    def __init__(self, allow: AllowList, own: Container[Address]):
        self.allow = allow
        self.own = own

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        for address in addresses:
            refused = self.allow.refusal(address, self.own)
            if refused is not None:
                raise _RefusedAddress(refused)
        failure: httpcore.ConnectError | None = None
        for address in addresses:  # as socket.create_connection does: the next one if refused
            try:
                return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None
        raise failure


def resolve(host: str, port: int) -> list[Address]:
    """Every address of ``host`` (an address itself, in any spelling getaddrinfo reads), in
    getaddrinfo's order; httpcore.ConnectError when it has none, as a failed connect gives."""
    literal = parse_address(host)
    if literal is not None:
        return [literal]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:  # socket.gaierror: httpx reports it as ConnectError too
        raise httpcore.ConnectError(str(exc)) from None
    addresses: list[Address] = []
    for info in found:
        address = parse_address(str(info[4][0]))
        if address is not None and address not in addresses:
            addresses.append(address)
    if not addresses:
        raise httpcore.ConnectError(f"{host} has no address")
    return addresses


class PolicyTransport(httpx.BaseTransport):
    def __init__(self, allow: AllowList, own: Container[Address] = (), tls: ssl.SSLContext | None = None):
        """``tls``: the certificates to trust (default: the system's CA bundle)."""
        self.allow = allow
        tls = tls or httpx.create_ssl_context()  # one for both pools: loading the bundle takes ~40 ms
        self.open = httpx.HTTPTransport(verify=tls, limits=LIMITS)
        self.checked = _with_backend(
            httpx.HTTPTransport(verify=tls, limits=LIMITS), tls, CheckedBackend(allow, own)
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        where = f"{url.scheme}://{url.netloc.decode()}{url.path}"  # never the query: it may hold secrets
        reach = self.allow.reach(url)
        if reach is Reach.OPEN:
            return self.open.handle_request(request)
        if reach is Reach.CHECKED:
            try:
                return self.checked.handle_request(request)
            except _RefusedAddress as refused:
                raise EndpointRefused(refusal_cause(where, url.host, refused.refusal)) from None
        raise EndpointRefused(outside_cause(where, url.host))

    def close(self) -> None:
        self.open.close()
        self.checked.close()


def refusal_cause(where: str, host: str, refusal: Refusal) -> str:
    if refusal.kind is None:
        return outside_cause(where, host)
    address = refusal.address
    if parse_address(host) == address:
        carried = embedded_ipv4(address)
        subject = f"{address} ({carried}) is" if carried else f"{address} is"
    else:
        subject = f"{host} resolves to {address},"
    unreachable = "" if refusal.kind == OWN else ", which AWS's HTTP Task cannot reach either"
    return (
        f"The endpoint {where} is refused: {subject} {refusal.kind}{unreachable}; "
        f"{hint(host)} allows it. No request was sent."
    )


def outside_cause(where: str, host: str) -> str:
    return (
        f"The endpoint {where} is outside stepwell's HTTP allow-list; adding {host} to {ALLOW_FLAG} "
        f"({ALLOW_ENV}) allows it. No request was sent."
    )


def _with_backend(
    transport: httpx.HTTPTransport, tls: ssl.SSLContext, backend: httpcore.NetworkBackend
) -> httpx.HTTPTransport:
    """``transport`` with a pool that connects through ``backend`` (the options of its own pool)."""
    if not isinstance(getattr(transport, "_pool", None), httpcore.ConnectionPool):
        raise RuntimeError("httpx.HTTPTransport no longer keeps its httpcore pool in _pool")
    transport._pool = httpcore.ConnectionPool(
        ssl_context=tls,
        max_connections=LIMITS.max_connections,
        max_keepalive_connections=LIMITS.max_keepalive_connections,
        keepalive_expiry=LIMITS.keepalive_expiry,
        network_backend=backend,
    )
    return transport
