"""stepwell.api.hosts: which Host headers a server answers."""

from __future__ import annotations

import pytest

from stepwell.api.hosts import HostPolicy, host_name


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("LocalHost:8083", "localhost"),
        ("[::1]:80", "::1"),
        ("127.0.0.1", "127.0.0.1"),
        ("a.example.", "a.example"),
    ],
)
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize("bind", ["127.0.0.1", "localhost", "::1", "127.0.0.5"])
def test_a_loopback_bound_server_answers_loopback_names_only(bind: str) -> None:
    policy = HostPolicy.for_server(bind, None)
    assert all(
        policy.allows(h) for h in ("localhost:1", "x.localhost", "127.9.9.9:5", "[::1]:2", "sync-localhost")
    )
    assert not any(
        policy.allows(h) for h in ("evil.example", "sync-evil.example", "sync-127.0.0.1", "0.0.0.0", "")
    )


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", "192.168.1.10", ""])
def test_a_server_bound_elsewhere_answers_any_host(bind: str) -> None:
    assert HostPolicy.for_server(bind, None).allows("evil.example")


def test_allowed_hosts() -> None:
    policy = HostPolicy.for_server("0.0.0.0", "Stepwell.Test, *.corp.example,10.1.2.3")
    assert all(policy.allows(h) for h in ("stepwell.test:9", "corp.example", "a.corp.example", "10.1.2.3:80"))
    assert policy.allows("sync-stepwell.test") and policy.allows("localhost")
    assert not any(policy.allows(h) for h in ("evil.example", "xcorp.example", "sync-10.1.2.3", "10.1.2.4"))
    assert HostPolicy.for_server("127.0.0.1", "*").allows("anything")
