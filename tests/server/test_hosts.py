"""DNS-rebinding protection (issue 9, point 6): a loopback-bound server answers loopback Hosts only,
unless --allowed-hosts names more; a server bound to 0.0.0.0 answers any Host."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stepwell.server import is_loopback
from tests.server.process import ServerProcess


def request(port: int, host: str | None, method: str = "POST", path: str = "/") -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest(method, path, skip_host=True)
    if host is not None:
        connection.putheader("Host", host)
    body = b"{}" if method == "POST" else b""
    if method == "POST":
        connection.putheader("Content-Type", "application/x-amz-json-1.0")
        connection.putheader("X-Amz-Target", "AWSStepFunctions.ListActivities")
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    answer = (response.status, response.getheader("content-type") or "", response.read())
    connection.close()
    return answer


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:{port}",
        "localhost:{port}",
        "LOCALHOST",
        "app.localhost:{port}",
        "127.1.2.3",
        "[::1]:{port}",
        None,
    ],
)
def test_loopback_hosts_are_answered(server: ServerProcess, host: str | None) -> None:
    status, _, body = request(server.port, host.format(port=server.port) if host else None)
    assert status == 200, body
    assert "activities" in json.loads(body)


def test_botocores_sync_prefix_on_a_loopback_name_is_answered(server: ServerProcess) -> None:
    assert request(server.port, f"sync-localhost:{server.port}")[0] == 200


@pytest.mark.parametrize(
    "host", ["evil.example:{port}", "evil.example", "sync-evil.example", "10.0.0.1", "0.0.0.0"]
)
def test_a_foreign_host_is_refused_with_an_aws_error(server: ServerProcess, host: str) -> None:
    header = host.format(port=server.port)
    status, content_type, body = request(server.port, header)
    assert status == 403
    assert content_type == "application/x-amz-json-1.0"
    error = json.loads(body)
    assert error["__type"] == "AccessDeniedException"
    assert error["Message"].startswith(f"Host '{header}' is not allowed: this server is bound to a loopback")
    assert "--allowed-hosts" in error["Message"]


def test_a_foreign_host_gets_no_console_page(server: ServerProcess) -> None:
    status, content_type, body = request(server.port, "evil.example", method="GET", path="/")
    assert status == 403
    assert content_type.startswith("text/plain")
    assert b"--allowed-hosts evil.example" in body
    assert request(server.port, f"localhost:{server.port}", method="GET", path="/")[0] == 200


@pytest.fixture(scope="module")
def allowing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(
        tmp_path_factory.mktemp("hosts") / "stepwell.db",
        extra=["--allowed-hosts", "stepwell.test, .corp.example"],
    )
    process.start()
    yield process
    process.stop()


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("stepwell.test:8083", 200),
        ("sync-stepwell.test", 200),
        ("corp.example", 200),
        ("a.b.corp.example:1", 200),
        ("localhost", 200),
        ("other.test", 403),
        ("xcorp.example", 403),
    ],
)
def test_allowed_hosts_adds_hosts(allowing: ServerProcess, host: str, status: int) -> None:
    assert request(allowing.port, host)[0] == status


def test_the_allowed_hosts_environment_variable(tmp_path: Path) -> None:
    process = ServerProcess(tmp_path / "stepwell.db", env={"STEPWELL_ALLOWED_HOSTS": "*"})
    process.start()
    try:
        assert request(process.port, "anything.example")[0] == 200
    finally:
        process.stop()


def test_a_server_bound_to_every_address_answers_any_host(tmp_path: Path) -> None:
    process = ServerProcess(tmp_path / "stepwell.db", extra=["--host", "0.0.0.0", "--insecure-no-auth"])
    process.start()
    try:
        assert request(process.port, "evil.example")[0] == 200
    finally:
        process.stop()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "stepwell.example"])
def test_a_reachable_address_without_identities_is_refused_at_start(tmp_path: Path, host: str) -> None:
    """Without --insecure-no-auth, a server that checks no identity listens on loopback only."""
    started = subprocess.run(
        [sys.executable, "-m", "stepwell.cli", "serve", "--db", str(tmp_path / "s.db"), "--host", host],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert f"refusing to listen on {host}: the server checks no identity" in started.stderr
    assert "--insecure-no-auth" in started.stderr
    assert not (tmp_path / "s.db").exists()  # refused before anything was opened


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_addresses_need_no_flag(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.1", "example.com", ""])
def test_other_addresses_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)
