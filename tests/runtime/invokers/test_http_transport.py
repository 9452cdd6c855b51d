"""The HTTP Task refuses what is not public unless ``--http-allow`` opens it: the invoker and its
transport (http_transport.py) against a real HTTP server on 127.0.0.1 (http_server.py)."""

from __future__ import annotations

import datetime
import re
import ssl
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.connections import Connections
from stepwell.runtime.invokers.http import AllowList, HttpInvoker
from stepwell.runtime.invokers.http_addresses import OwnAddresses
from stepwell.runtime.invokers.http_transport import CheckedBackend, EndpointRefused, PolicyTransport
from tests.runtime.invokers.http_server import CLIENT_ID, CLIENT_SECRET, LocalServer, ServerState

OAUTH_ARN = "arn:aws:events:us-east-1:111122223333:connection/oauth/0b5c9a2e-1111-2222-3333-444455556666"


@pytest.fixture
def port(server: LocalServer) -> int:
    return server.port


def invoke(allow: str | None, endpoint: str, connections: Connections | None = None, **extra: Any) -> Any:
    invoker = HttpInvoker(connections or Connections(), AllowList.parse(allow))
    try:
        payload = {"ApiEndpoint": endpoint, "Method": "GET", **extra}
        return invoker.invoke(TaskCall(parse_task_resource("arn:aws:states:::http:invoke"), payload))
    finally:
        invoker.close()


def refused(allow: str | None, endpoint: str, **extra: Any) -> TaskError:
    with pytest.raises(TaskError) as caught:
        invoke(allow, endpoint, **extra)
    assert caught.value.error == "States.Permissions"
    return caught.value


def test_loopback_is_refused_by_default_and_the_cause_says_which_flag_opens_it(
    server: LocalServer, state: ServerState
) -> None:
    error = refused(None, f"{server.base}/echo?token=secret")
    assert error.cause == (
        f"The endpoint {server.base}/echo is refused: 127.0.0.1 is a loopback address, which AWS's HTTP "
        "Task cannot reach either; --http-allow 127.0.0.1 (STEPWELL_HTTP_ALLOW) allows it. "
        "No request was sent."
    )
    assert state.seen == []
    assert invoke("127.0.0.1", f"{server.base}/echo")["ResponseBody"] == {"ok": True}


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "2130706433", "0x7f.1", "0x7f000001", "127.1", "[::ffff:127.0.0.1]", "0"],
)
def test_no_spelling_of_the_local_host_gets_through_and_the_named_flag_opens_each(
    state: ServerState, port: int, host: str
) -> None:
    endpoint = f"http://{host}:{port}/echo"
    error = refused(None, endpoint)
    assert re.search(r"(a loopback|an unspecified) address, which AWS's HTTP Task cannot reach", error.cause)
    assert state.seen == []
    flag = re.search(r"--http-allow (\S+) \(STEPWELL_HTTP_ALLOW\)", error.cause)
    assert flag is not None
    assert invoke(flag.group(1), endpoint)["StatusCode"] == 200  # the same address: the server answers
    assert state.paths() == ["/echo"]


@pytest.mark.parametrize(
    ("endpoint", "kind"),
    [
        ("http://169.254.169.254/latest/meta-data/", "a link-local"),
        ("http://[fe80::1]/", "a link-local"),
        ("http://10.0.0.1/", "a private"),
        ("https://172.16.5.4/", "a private"),
        ("http://192.168.1.1:8080/", "a private"),
        ("http://[fd00::1]/", "a private"),
        ("http://100.64.0.1/", "a shared (carrier-grade NAT)"),
        ("http://224.0.0.1/", "a multicast"),
        ("http://[::ffff:169.254.169.254]/", "a link-local"),
        ("http://[::1]/", "a loopback"),
    ],
)
def test_every_protected_class_fails_at_once_without_a_connect(endpoint: str, kind: str) -> None:
    started = time.monotonic()
    error = refused(None, endpoint)
    assert f"is {kind} address, which AWS's HTTP Task cannot reach either" in error.cause
    assert time.monotonic() - started < 1  # nothing was tried: 169.254.169.254 would hang until the timeout


@pytest.mark.parametrize(
    "allow",
    [
        "127.0.0.1",
        "127.0.0.0/8",
        "localhost",
        "localhost:{port}",
        "http://localhost:{port}/",
        "*",
        "api.test, ::1, 127.0.0.1",
    ],
)
def test_the_allow_list_opens_what_it_names(state: ServerState, port: int, allow: str) -> None:
    host = "localhost" if "localhost" in allow else "127.0.0.1"
    assert invoke(allow.format(port=port), f"http://{host}:{port}/echo")["StatusCode"] == 200
    assert state.paths() == ["/echo"]


def test_a_list_refuses_what_it_does_not_name(state: ServerState, port: int) -> None:
    error = refused(f"http://localhost:{port}/echo", f"http://localhost:{port}/text")
    assert error.cause == (
        f"The endpoint http://localhost:{port}/text is outside stepwell's HTTP allow-list; adding localhost "
        "to --http-allow (STEPWELL_HTTP_ALLOW) allows it. No request was sent."
    )
    assert (
        "outside stepwell's HTTP allow-list" in refused("10.0.0.0/8", f"http://127.0.0.1:{port}/echo").cause
    )
    assert state.seen == []


def test_the_oauth_token_endpoint_goes_through_the_same_check(
    server: LocalServer, state: ServerState
) -> None:
    connections = Connections.from_json(
        {
            "oauth": {
                "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
                "AuthParameters": {
                    "OAuthParameters": {
                        "ClientParameters": {"ClientID": CLIENT_ID, "ClientSecret": CLIENT_SECRET},
                        "AuthorizationEndpoint": f"{server.base}/token?audience=x",
                    }
                },
            }
        }
    )
    auth = {"Authentication": {"ConnectionArn": OAUTH_ARN}}
    with pytest.raises(TaskError) as caught:  # the API is named, its token endpoint is not
        invoke(f"{server.base}/protected", f"{server.base}/protected", connections, **auth)
    assert caught.value.error == "States.Permissions"
    assert caught.value.cause.startswith(
        f"The endpoint {server.base}/token is outside stepwell's HTTP allow-list"
    )
    assert CLIENT_SECRET not in caught.value.cause and state.seen == []
    allowed = invoke(
        f"{server.base}/protected,{server.base}/token", f"{server.base}/protected", connections, **auth
    )
    assert allowed["ResponseBody"] == {"authorized": True}
    assert state.paths() == ["/token", "/protected"]


def test_every_redirect_hop_is_checked(server: LocalServer, state: ServerState) -> None:
    # The invoker follows no redirect (a 3xx fails the Task, test_http.py); its transport would still
    # refuse a hop to a protected address.
    rules = AllowList.parse(f"{server.base}/redirect-to")
    client = httpx.Client(transport=PolicyTransport(rules), follow_redirects=True)
    with client, pytest.raises(EndpointRefused) as caught:
        client.get(f"{server.base}/redirect-to", params={"to": "http://169.254.169.254/latest/meta-data/"})
    assert caught.value.cause.startswith("The endpoint http://169.254.169.254/latest/meta-data/ is outside")
    assert state.paths() == ["/redirect-to"]


def test_the_connection_goes_to_the_address_that_was_checked(port: int) -> None:
    backend = CheckedBackend(AllowList.parse("127.0.0.0/8"), OwnAddresses(None))
    stream = backend.connect_tcp("localhost", port, timeout=5)
    try:
        assert stream.get_extra_info("socket").getpeername() == ("127.0.0.1", port)
    finally:
        stream.close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for the name ``localhost`` only (not for 127.0.0.1), and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


def test_https_through_the_checked_connection_still_verifies_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("cryptography")
    cert_file, key_file = self_signed(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)
    secure = LocalServer(tls).start()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # the client trusts this certificate only
    try:
        # Connected to the checked address 127.0.0.1, TLS still sends and verifies the name.
        answer = invoke("127.0.0.0/8", f"https://localhost:{secure.port}/echo")
        assert answer["ResponseBody"] == {"ok": True}
        with pytest.raises(TaskError) as caught:  # the certificate does not name 127.0.0.1
            invoke("127.0.0.0/8", f"https://127.0.0.1:{secure.port}/echo")
        assert (
            caught.value.error == "States.Http.Socket" and "CERTIFICATE_VERIFY_FAILED" in caught.value.cause
        )
    finally:
        secure.stop()
