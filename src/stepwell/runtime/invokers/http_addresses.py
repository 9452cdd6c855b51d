"""Which addresses ``http:invoke`` refuses by default: every one that is not a public unicast address.

AWS's HTTP Task runs on AWS's network: it "currently only supports public domain names" (the Step
Functions guide, "Call HTTPS APIs"), and reaches a private API only through an EventBridge
connection's VPC resource. So stepwell, by default, refuses what AWS cannot reach and what a
definition must not reach from the machine stepwell runs on: the machine itself (loopback, the
unspecified address, which Linux connects to the local host, and this server's own addresses),
link-local addresses (169.254.169.254 is the cloud metadata service), private and shared (CGNAT)
networks, multicast, and every reserved or special-purpose range. ``--http-allow`` opens them
(http_allow.py).

The check is on addresses, never on spellings: the HTTP transport (http_transport.py) resolves the
host and checks every address it got before it connects to one of them, so ``2130706433``,
``0x7f.1``, ``127.1``, a name that resolves to 127.0.0.1 and ``[::ffff:127.0.0.1]`` are all
127.0.0.1 here. An IPv6 address that carries an IPv4 one (IPv4-mapped ``::ffff:0:0/96``, NAT64
``64:ff9b::/96``, 6to4 ``2002::/16``) is judged by the IPv4 address it carries.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

PRIVATE = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
SHARED = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598, carrier-grade NAT
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052's well-known prefix
WILDCARDS = frozenset({"", "0.0.0.0", "::"})

# Checked in this order; the first that holds names the address in the refusal.
CLASSES: tuple[tuple[str, Callable[[Address], bool]], ...] = (
    ("an unspecified", lambda a: a.is_unspecified),
    ("a loopback", lambda a: a.is_loopback),
    ("a link-local", lambda a: a.is_link_local),
    ("a private", lambda a: any(a in n for n in PRIVATE if n.version == a.version)),
    ("a shared (carrier-grade NAT)", lambda a: a in SHARED if a.version == 4 else False),
    ("a site-local", lambda a: a.version == 6 and a.is_site_local),
    ("a multicast", lambda a: a.is_multicast),
    ("a reserved", lambda a: a.is_reserved or not a.is_global),
)


def parse_address(text: str) -> Address | None:
    """An IP address as ``getaddrinfo`` or a URL writes it (IPv6 with or without brackets)."""
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries, when connecting to it reaches that IPv4 address."""
    if address.version == 4:
        return None
    assert isinstance(address, ipaddress.IPv6Address)
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def address_class(address: Address) -> str | None:
    """``"a loopback"``, ``"a private"``, ... for an address ``http:invoke`` refuses by default;
    None for a public unicast address."""
    carried = embedded_ipv4(address)
    if carried is not None:
        return address_class(carried)
    for name, holds in CLASSES:
        if holds(address):
            return name
    return None


class OwnAddresses:
    """The addresses of this server: the one it listens on, or, listening on every interface
    (``0.0.0.0``, ``::``), every address of this machine. An address is the machine's own when a
    socket can be bound to it, which follows interfaces as they come and go without listing them."""

    def __init__(self, host: str | None, resolve: Callable[[str], Iterable[str]] | None = None):
        self.everywhere = host is not None and host.strip("[]") in WILDCARDS
        self.addresses: frozenset[Address] = frozenset()
        if host is not None and not self.everywhere:
            literal = parse_address(host)
            if literal is not None:
                self.addresses = frozenset({literal})
            else:
                found = (parse_address(a) for a in (resolve or _resolve_all)(host))
                self.addresses = frozenset(a for a in found if a is not None)

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address):
            return False
        return address in self.addresses or (self.everywhere and _is_bindable(address))


def _is_bindable(address: Address) -> bool:
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((str(address), 0))
        except OSError:
            return False
    return True


def _resolve_all(host: str) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]
    except OSError:
        return []
