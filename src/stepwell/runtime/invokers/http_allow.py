"""The HTTP Task's allow-list: where ``http:invoke`` may call (``--http-allow``, ``STEPWELL_HTTP_ALLOW``).

The rules (the README's table says the same):

- unset or blank: public addresses only. Every address the endpoint's host resolves to must be a
  public unicast address and not one of this server's own (http_addresses.py); AWS's HTTP Task
  cannot reach the others either.
- ``*``: anywhere, private and loopback addresses included.
- a list (comma-separated): only what it names, whatever the address. A host (``api.example.com``,
  ``*.example.com``, ``localhost``, with an optional ``:port``) or a URL prefix
  (``http://localhost:9000/v1/``) opens the endpoints it names, wherever their host resolves; a
  CIDR or an IP address (``10.0.0.0/8``, ``127.0.0.1``, ``::1``) opens the addresses inside it, and an
  endpoint whose host resolves only to such addresses. Public endpoints the list does not name are
  refused too.

``AllowList.reach(url)`` says which of the three an endpoint gets; for ``CHECKED`` the HTTP transport
(http_transport.py) asks ``AllowList.refusal(address)`` for every address it resolved, at connect
time, and connects only to an address that passed.
"""

from __future__ import annotations

import enum
import ipaddress
import socket
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass

import httpx

from stepwell.runtime.invokers.http_addresses import Address, address_class, embedded_ipv4, parse_address

ALLOW_ENV = "STEPWELL_HTTP_ALLOW"
ALLOW_FLAG = "--http-allow"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Reach(enum.Enum):
    OPEN = "named by the allow-list: connect wherever the host resolves"
    CHECKED = "connect only to an address that passes AllowList.refusal"
    OUTSIDE = "refused before anything is resolved"


OWN = "this server's own address"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why ``address`` may not be connected to: what it is (``"a loopback address"``, ``OWN``), or
    None when it is simply outside an explicit allow-list."""

    address: Address
    kind: str | None


class AllowList:
    """Where HTTP Tasks may call: ``*``, hosts (``api.example.com``, ``*.example.com``, with an
    optional ``:port``), URL prefixes (``https://api.example.com/v1/``) and CIDRs (``10.0.0.0/8``).
    ``None`` entries: public addresses only (the default)."""

    def __init__(
        self, entries: Iterable[str] | None = None, resolve: Callable[[str], list[str]] | None = None
    ):
        self.entries = None if entries is None else [e.strip() for e in entries if e.strip()]
        self.everywhere = self.entries is not None and "*" in self.entries
        self.resolve = resolve or _resolve
        self._networks = [n for n in map(_network, self.entries or ()) if n is not None]

    @classmethod
    def parse(cls, text: str | None) -> AllowList:
        """From ``STEPWELL_HTTP_ALLOW``'s comma-separated form; unset or blank: public addresses only."""
        return cls(None if text is None or not text.strip() else text.split(","))

    def reach(self, url: httpx.URL) -> Reach:
        if self.everywhere:
            return Reach.OPEN
        if self.entries is None:
            return Reach.CHECKED
        if any(_names(entry, url) for entry in self.entries):
            return Reach.OPEN
        return Reach.CHECKED if self._networks else Reach.OUTSIDE

    def refusal(self, address: Address, own: Container[Address] = ()) -> Refusal | None:
        """None when a CHECKED endpoint may connect to ``address``; ``own``: this server's addresses."""
        if self.entries is not None:  # ::ffff:127.0.0.1 is inside 127.0.0.0/8 too
            forms = [a for a in (address, embedded_ipv4(address)) if a is not None]
            inside = any(a.version == n.version and a in n for a in forms for n in self._networks)
            return None if inside else Refusal(address, None)
        kind = address_class(address)
        if kind is not None:
            return Refusal(address, f"{kind} address")
        if address in own:
            return Refusal(address, OWN)
        return None

    def allows(self, url: httpx.URL, own: Container[Address] = ()) -> bool:
        """Whether a call to ``url`` would go out, resolving its host with ``self.resolve``."""
        reach = self.reach(url)
        if reach is not Reach.CHECKED:
            return reach is Reach.OPEN
        literal = parse_address(url.host)
        try:
            addresses = [literal] if literal else [parse_address(a) for a in self.resolve(url.host)]
        except OSError:
            return False
        return bool(addresses) and all(a is not None and self.refusal(a, own) is None for a in addresses)


def _network(entry: str) -> Network | None:
    try:
        return ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        return None


def _names(entry: str, url: httpx.URL) -> bool:
    """Whether a host or URL-prefix entry names ``url`` (CIDRs are matched on addresses instead)."""
    host = url.host.lower()
    if "://" in entry:
        prefix = httpx.URL(entry)
        same_origin = (prefix.scheme, prefix.host.lower(), prefix.port) == (url.scheme, host, url.port)
        return same_origin and url.path.startswith(prefix.path or "/")
    if _network(entry) is not None:
        return False
    port = url.port or (443 if url.scheme == "https" else 80)
    return _host_matches(entry.lower(), host, port)


def _host_matches(pattern: str, host: str, port: int) -> bool:
    name, _, wanted_port = pattern.rpartition(":") if pattern.count(":") == 1 else (pattern, "", "")
    if wanted_port and wanted_port != str(port):
        return False
    return host.endswith(name[1:]) if name.startswith("*.") else host == name


def _resolve(host: str) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})


def hint(host: str) -> str:
    """The flag that opens ``host``: naming the host as the URL writes it always matches it."""
    return f"{ALLOW_FLAG} {host} ({ALLOW_ENV})"
