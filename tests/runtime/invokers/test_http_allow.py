"""The HTTP Task's allow-list: which endpoints each setting opens, and which addresses a checked
endpoint may connect to. Host resolution is the list's own seam: a table stands in for DNS."""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from stepwell.runtime.invokers.http_allow import ALLOW_ENV, ALLOW_FLAG, OWN, AllowList, Reach, Refusal, hint

DNS = {
    "api.example.com": ["93.184.216.34"],
    "internal.example.com": ["10.1.2.3"],
    "mixed.example.com": ["93.184.216.34", "127.0.0.1"],
    "localhost": ["127.0.0.1", "::1"],
}


def resolve(host: str) -> list[str]:
    if host not in DNS:
        raise OSError(f"unknown host {host}")
    return DNS[host]


def allow(text: str | None) -> AllowList:
    parsed = AllowList.parse(text)
    return AllowList(parsed.entries, resolve)


def address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


def test_parse() -> None:
    assert AllowList.parse(None).entries is None
    assert AllowList.parse("  ").entries is None
    assert AllowList.parse(" a.example.com , ,10.0.0.0/8 ").entries == ["a.example.com", "10.0.0.0/8"]
    assert AllowList.parse("*").everywhere


@pytest.mark.parametrize(
    ("text", "url", "reach"),
    [
        (None, "https://api.example.com/", Reach.CHECKED),
        ("*", "http://127.0.0.1:9/", Reach.OPEN),
        ("api.example.com", "https://api.example.com/x", Reach.OPEN),
        ("api.example.com", "https://other.example.com/x", Reach.OUTSIDE),
        ("*.example.com", "https://deep.api.example.com/", Reach.OPEN),
        ("localhost:9000", "http://localhost:9000/", Reach.OPEN),
        ("localhost:9000", "http://localhost:9001/", Reach.OUTSIDE),
        ("api.example.com:443", "https://api.example.com/", Reach.OPEN),  # the scheme's port
        ("http://localhost:9000/v1/", "http://localhost:9000/v1/items", Reach.OPEN),
        ("http://localhost:9000/v1/", "http://localhost:9000/v2/items", Reach.OUTSIDE),
        ("http://localhost:9000/v1/", "https://localhost:9000/v1/items", Reach.OUTSIDE),
        ("10.0.0.0/8", "http://internal.example.com/", Reach.CHECKED),
        ("API.Example.com", "https://api.EXAMPLE.com/", Reach.OPEN),
    ],
)
def test_reach(text: str | None, url: str, reach: Reach) -> None:
    assert allow(text).reach(httpx.URL(url)) is reach


def test_by_default_only_public_addresses_that_are_not_our_own() -> None:
    default = allow(None)
    assert default.refusal(address("93.184.216.34")) is None
    assert default.refusal(address("127.0.0.1")) == Refusal(address("127.0.0.1"), "a loopback address")
    assert default.refusal(address("10.1.2.3")) == Refusal(address("10.1.2.3"), "a private address")
    own = {address("93.184.216.34")}
    assert default.refusal(address("93.184.216.34"), own) == Refusal(address("93.184.216.34"), OWN)


def test_a_cidr_opens_exactly_its_addresses_mapped_ones_included() -> None:
    cidr = allow("127.0.0.0/8,::1")
    assert cidr.refusal(address("127.0.0.5")) is None
    assert cidr.refusal(address("::ffff:127.0.0.1")) is None
    assert cidr.refusal(address("::1")) is None
    assert cidr.refusal(address("93.184.216.34")) == Refusal(address("93.184.216.34"), None)


def test_allows_resolves_the_host_and_needs_every_address_to_pass() -> None:
    default = allow(None)
    assert default.allows(httpx.URL("https://api.example.com/"))
    assert not default.allows(httpx.URL("https://internal.example.com/"))
    assert not default.allows(httpx.URL("https://mixed.example.com/"))  # one loopback address is enough
    assert not default.allows(httpx.URL("https://unknown.example.com/"))  # cannot resolve: refused
    assert not default.allows(httpx.URL("http://127.0.0.1:9/"))
    assert default.allows(httpx.URL("http://93.184.216.34/"))  # a literal is not resolved
    assert allow("10.0.0.0/8").allows(httpx.URL("https://internal.example.com/"))
    assert not allow("10.0.0.0/8").allows(httpx.URL("https://api.example.com/"))
    assert allow("localhost").allows(httpx.URL("http://localhost:8080/"))
    assert not allow("localhost").allows(httpx.URL("https://api.example.com/"))


def test_the_hint_names_the_flag_and_the_variable() -> None:
    assert hint("localhost") == f"{ALLOW_FLAG} localhost ({ALLOW_ENV})"
    assert (ALLOW_FLAG, ALLOW_ENV) == ("--http-allow", "STEPWELL_HTTP_ALLOW")
