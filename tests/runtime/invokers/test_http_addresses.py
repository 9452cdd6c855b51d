"""The HTTP Task's address policy: which addresses are refused by default, which entries of
``--http-allow`` open what (http_addresses.py, http_allow.py), and how hosts resolve (http_transport.py)."""

from __future__ import annotations

import socket

import httpx
import pytest

from stepwell.runtime.invokers.http_addresses import Address, OwnAddresses, address_class, parse_address
from stepwell.runtime.invokers.http_allow import OWN, AllowList, Reach, Refusal
from stepwell.runtime.invokers.http_transport import refusal_cause, resolve


def address(text: str) -> Address:
    parsed = parse_address(text)
    assert parsed is not None, text
    return parsed


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("127.0.0.1", "a loopback"),
        ("127.255.255.254", "a loopback"),
        ("::1", "a loopback"),
        ("0.0.0.0", "an unspecified"),  # Linux connects it to the local host
        ("::", "an unspecified"),
        ("169.254.169.254", "a link-local"),  # the cloud metadata service
        ("169.254.0.1", "a link-local"),
        ("fe80::1", "a link-local"),
        ("fe80::1%eth0", "a link-local"),
        ("10.0.0.1", "a private"),
        ("10.255.255.255", "a private"),
        ("172.16.0.1", "a private"),
        ("172.31.255.255", "a private"),
        ("192.168.1.1", "a private"),
        ("fc00::1", "a private"),
        ("fd12:3456::1", "a private"),
        ("100.64.0.1", "a shared (carrier-grade NAT)"),
        ("100.127.255.255", "a shared (carrier-grade NAT)"),
        ("fec0::1", "a site-local"),
        ("224.0.0.1", "a multicast"),
        ("239.255.255.250", "a multicast"),
        ("ff02::1", "a multicast"),
        ("240.0.0.1", "a reserved"),
        ("255.255.255.255", "a reserved"),
        ("0.1.2.3", "a reserved"),
        ("192.0.2.1", "a reserved"),  # documentation
        ("198.18.0.1", "a reserved"),  # benchmarking
        ("2001:db8::1", "a reserved"),
        ("::7f00:1", "a reserved"),  # IPv4-compatible, deprecated
        # IPv6 forms that carry an IPv4 address are judged by it
        ("::ffff:127.0.0.1", "a loopback"),
        ("::ffff:169.254.169.254", "a link-local"),
        ("::ffff:10.0.0.1", "a private"),
        ("::ffff:0.0.0.0", "an unspecified"),
        ("64:ff9b::7f00:1", "a loopback"),  # NAT64
        ("64:ff9b::a9fe:a9fe", "a link-local"),
        ("2002:7f00:1::", "a loopback"),  # 6to4
        ("2002:c0a8:101::1", "a private"),
    ],
)
def test_addresses_refused_by_default_and_their_class(text: str, kind: str) -> None:
    assert address_class(address(text)) == kind
    refusal = AllowList().refusal(address(text))
    assert refusal == Refusal(address(text), f"{kind} address")


@pytest.mark.parametrize(
    "text",
    [
        "8.8.8.8",
        "1.1.1.1",
        "11.0.0.1",
        "172.32.0.1",  # just past 172.16.0.0/12
        "100.128.0.1",  # just past 100.64.0.0/10
        "169.255.0.1",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::",
    ],
)
def test_public_addresses_are_allowed_by_default(text: str) -> None:
    assert address_class(address(text)) is None
    assert AllowList().refusal(address(text)) is None


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("2130706433", "127.0.0.1"),  # decimal
        ("0x7f.1", "127.0.0.1"),  # hex
        ("0x7f000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),  # short form
        ("0", "0.0.0.0"),
        ("localhost", "127.0.0.1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("[::1]", "::1"),
    ],
)
def test_every_spelling_resolves_to_the_address_that_is_checked(spelling: str, expected: str) -> None:
    resolved = resolve(spelling, 80)
    assert address(expected) in resolved
    assert all(address_class(a) is not None for a in resolved)


def test_an_unknown_host_fails_like_a_connect() -> None:
    import httpcore

    with pytest.raises(httpcore.ConnectError):
        resolve("no-such-host.invalid", 80)


def test_the_servers_own_addresses() -> None:
    public = address("8.8.8.8")
    assert public in OwnAddresses("8.8.8.8")  # bound to one address: that one
    assert public not in OwnAddresses("127.0.0.1") and public not in OwnAddresses(None)
    # bound to every interface: every address of this machine, none other
    everywhere = OwnAddresses("0.0.0.0")
    assert address("127.0.0.1") in everywhere and public not in everywhere
    assert AllowList().refusal(public, OwnAddresses("8.8.8.8")) == Refusal(public, OWN)
    assert AllowList().refusal(public, OwnAddresses("0.0.0.0")) is None
    assert AllowList(["8.8.8.8"]).refusal(public, OwnAddresses("8.8.8.8")) is None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # UDP: sends nothing, picks the interface the route uses
        except OSError:
            pytest.skip("no IPv4 route: no interface address to look for")
        assert address(str(probe.getsockname()[0])) in everywhere


@pytest.mark.parametrize(
    ("entries", "url", "reach"),
    [
        (None, "https://api.example.com/", Reach.CHECKED),  # unset: public addresses only
        (None, "http://127.0.0.1/", Reach.CHECKED),
        (["*"], "http://127.0.0.1/", Reach.OPEN),
        (["localhost"], "http://localhost:9000/x", Reach.OPEN),  # a host, any port
        (["localhost:9000"], "http://localhost:9000/x", Reach.OPEN),
        (["localhost:9000"], "http://localhost:9001/x", Reach.OUTSIDE),
        (["*.corp.test"], "https://svc.corp.test/", Reach.OPEN),
        (["http://localhost:9000/v1/"], "http://localhost:9000/v1/jobs", Reach.OPEN),
        (["http://localhost:9000/v1/"], "http://localhost:9000/v2/jobs", Reach.OUTSIDE),
        (["127.0.0.1"], "http://127.0.0.1:9000/", Reach.CHECKED),  # an address: checked on addresses
        (["10.0.0.0/8"], "http://svc.internal/", Reach.CHECKED),
        (["api.example.com"], "https://other.example.com/", Reach.OUTSIDE),  # a list: only what it names
    ],
)
def test_what_an_allow_list_opens(entries: list[str] | None, url: str, reach: Reach) -> None:
    assert AllowList(entries).reach(httpx.URL(url)) is reach


def test_an_address_or_cidr_in_the_list_opens_exactly_those_addresses() -> None:
    rules = AllowList(["127.0.0.1", "10.0.0.0/8", "::1"])
    for opened in ("127.0.0.1", "10.1.2.3", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"):
        assert rules.refusal(address(opened)) is None
    for closed in ("127.0.0.2", "8.8.8.8", "169.254.169.254", "::ffff:127.0.0.2"):
        assert rules.refusal(address(closed)) == Refusal(address(closed), None)


def test_allow_list_hosts_ports_wildcards_and_resolution() -> None:
    rules = AllowList(
        ["api.example.com", "*.corp.test", "svc.local:8443", "192.168.0.0/16"],
        resolve=lambda host: ["192.168.1.5"] if host == "lan.box" else ["8.8.8.8"],
    )
    assert rules.allows(httpx.URL("https://API.example.com/x"))
    assert not rules.allows(httpx.URL("https://api.example.com.evil.org/x"))
    assert rules.allows(httpx.URL("https://a.b.corp.test/"))
    assert rules.allows(httpx.URL("https://svc.local:8443/")) and not rules.allows(
        httpx.URL("https://svc.local/")
    )
    assert rules.allows(httpx.URL("http://lan.box/")) and not rules.allows(httpx.URL("http://far.box/"))
    assert not AllowList(["https://api.example.com"]).allows(httpx.URL("https://api.example.com.evil.org/"))
    by_default = AllowList(
        resolve=lambda host: ["10.0.0.7"] if host == "intranet" else ["8.8.8.8", "10.0.0.7"]
    )
    assert not by_default.allows(httpx.URL("http://intranet/"))
    assert not by_default.allows(httpx.URL("http://mixed/"))  # every address must be public
    assert AllowList(resolve=lambda host: ["8.8.8.8"]).allows(httpx.URL("https://dns.example/"))


def test_the_causes_name_the_address_its_class_and_the_flag() -> None:
    where = "http://localhost:9000/x"
    loopback = Refusal(address("127.0.0.1"), "a loopback address")
    assert refusal_cause(where, "localhost", loopback) == (
        "The endpoint http://localhost:9000/x is refused: localhost resolves to 127.0.0.1, a loopback "
        "address, which AWS's HTTP Task cannot reach either; --http-allow localhost (STEPWELL_HTTP_ALLOW) "
        "allows it. No request was sent."
    )
    mapped = Refusal(address("::ffff:127.0.0.1"), "a loopback address")
    assert refusal_cause("http://[::ffff:7f00:1]/", "::ffff:7f00:1", mapped).startswith(
        "The endpoint http://[::ffff:7f00:1]/ is refused: ::ffff:7f00:1 (127.0.0.1) is a loopback address,"
    )
    own = Refusal(address("8.8.8.8"), OWN)
    assert refusal_cause("http://8.8.8.8/", "8.8.8.8", own) == (
        "The endpoint http://8.8.8.8/ is refused: 8.8.8.8 is this server's own address; "
        "--http-allow 8.8.8.8 (STEPWELL_HTTP_ALLOW) allows it. No request was sent."
    )
    outside = Refusal(address("8.8.8.8"), None)
    assert refusal_cause("http://8.8.8.8/", "8.8.8.8", outside) == (
        "The endpoint http://8.8.8.8/ is outside stepwell's HTTP allow-list; adding 8.8.8.8 to "
        "--http-allow (STEPWELL_HTTP_ALLOW) allows it. No request was sent."
    )
