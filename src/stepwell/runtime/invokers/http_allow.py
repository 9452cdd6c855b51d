"""The HTTP Task's allow-list: where ``http:invoke`` may call, from ``STEPWELL_HTTP_ALLOW``.

``AllowList`` matches hosts, URL prefixes and CIDRs; the HTTP invoker (http.py) refuses any endpoint
outside it with ``States.Permissions`` before a request is sent.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import httpx

ALLOW_ENV = "STEPWELL_HTTP_ALLOW"


class AllowList:
    """Where HTTP Tasks may call: ``*``, hosts (``api.example.com``, ``*.example.com``, with an
    optional ``:port``), URL prefixes (``https://api.example.com/v1/``) and CIDRs (``10.0.0.0/8``;
    a host name is resolved and every address must fall inside). ``None`` entries: allow all."""

    def __init__(
        self, entries: Iterable[str] | None = None, resolve: Callable[[str], list[str]] | None = None
    ):
        self.entries = None if entries is None else [e.strip() for e in entries if e.strip()]
        self.resolve = resolve or _resolve
        if self.entries is not None and "*" in self.entries:
            self.entries = None
        self._networks = [_network(e) for e in self.entries or () if _network(e) is not None]

    @classmethod
    def parse(cls, text: str | None) -> AllowList:
        """From ``STEPWELL_HTTP_ALLOW``'s comma-separated form; unset or blank allows everything."""
        return cls(None if text is None or not text.strip() else text.split(","))

    def allows(self, url: httpx.URL) -> bool:
        if self.entries is None:
            return True
        host, port = url.host.lower(), url.port or (443 if url.scheme == "https" else 80)
        for entry in self.entries:
            if "://" in entry:
                prefix = httpx.URL(entry)
                same_origin = (prefix.scheme, prefix.host.lower(), prefix.port) == (
                    url.scheme,
                    host,
                    url.port,
                )
                if same_origin and url.path.startswith(prefix.path or "/"):
                    return True
            elif _network(entry) is None and _host_matches(entry.lower(), host, port):
                return True
        return bool(self._networks) and _inside(self._networks, host, self.resolve)


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        return None


def _host_matches(pattern: str, host: str, port: int) -> bool:
    name, _, wanted_port = pattern.rpartition(":") if pattern.count(":") == 1 else (pattern, "", "")
    if wanted_port and wanted_port != str(port):
        return False
    return host.endswith(name[1:]) if name.startswith("*.") else host == name


def _inside(networks: Sequence[Any], host: str, resolve: Callable[[str], list[str]]) -> bool:
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a) for a in resolve(host)]
        except OSError:
            return False
    return bool(addresses) and all(any(a in n for n in networks) for a in addresses)


def _resolve(host: str) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
