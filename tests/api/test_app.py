"""The API over HTTP, on a real `stepwell serve`: every reply's type and request id, the 1 MiB body
limit on both sides of it, a refused body drained on a connection kept open, and the routes."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator

import botocore.session
import httpx
import pytest

from stepwell.api.app import CONTENT_TYPE, DRAIN_LIMIT
from stepwell.api.protocol import MAX_REQUEST_BYTES
from tests.server.process import ServerProcess

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
LIST = {"X-Amz-Target": "AWSStepFunctions.ListActivities", "Content-Type": CONTENT_TYPE}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("api-app") / "stepwell.db").start()
    yield process
    process.stop()


@pytest.fixture
def http(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.endpoint) as client:
        yield client


def test_a_reply_is_aws_json_with_a_fresh_request_id(http: httpx.Client) -> None:
    first = http.post("/", headers=LIST, content=b"{}")
    second = http.post("/", headers=LIST, content=b"{}")
    assert (first.status_code, first.json()) == (200, {"activities": []})
    assert first.headers["content-type"] == CONTENT_TYPE
    ids = {first.headers["x-amzn-requestid"], second.headers["x-amzn-requestid"]}
    assert len(ids) == 2 and all(UUID.match(i) for i in ids)


def test_a_refusal_is_aws_json_with_a_request_id_too(http: httpx.Client) -> None:
    answer = http.post("/", headers={**LIST, "X-Amz-Target": "AWSStepFunctions.NoSuchThing"}, content=b"{}")
    assert answer.status_code == 400
    assert answer.headers["content-type"] == CONTENT_TYPE
    assert UUID.match(answer.headers["x-amzn-requestid"])
    assert "__type" in answer.json()


def test_every_operation_of_the_model_is_carried_out(http: httpx.Client) -> None:
    """All 37 operations of botocore's model answer as the service (a result, or a refusal of the
    empty request in AWS's words), none as an operation stepwell lacks."""
    model = botocore.session.get_session().get_service_model("stepfunctions")
    assert len(model.operation_names) == 37
    for operation in model.operation_names:
        answer = http.post(
            "/", headers={**LIST, "X-Amz-Target": f"AWSStepFunctions.{operation}"}, content=b"{}"
        )
        assert answer.status_code in (200, 400), (operation, answer.text)
        assert answer.status_code == 200 or answer.json()["__type"] != "UnsupportedOperation", operation


def test_a_body_of_exactly_1_mib_is_read_and_one_byte_more_is_refused(http: httpx.Client) -> None:
    body = b"{}" + b" " * (MAX_REQUEST_BYTES - 2)
    assert http.post("/", headers=LIST, content=body).status_code == 200
    refused = http.post("/", headers=LIST, content=body + b" ")
    assert refused.status_code == 413
    assert refused.json()["__type"] == "RequestEntityTooLargeException"
    assert refused.headers.get("connection") != "close"  # drained: the connection stays usable


def read_answer(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head.lower()).group(1))  # type: ignore[union-attr]
    while len(rest) < length:
        rest += sock.recv(65536)
    return head + b"\r\n\r\n" + rest


def test_a_refused_body_within_the_drain_limit_keeps_the_connection(server: ServerProcess) -> None:
    assert DRAIN_LIMIT == 16 * MAX_REQUEST_BYTES
    size = 2 * MAX_REQUEST_BYTES
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: {CONTENT_TYPE}\r\n"
        f"X-Amz-Target: AWSStepFunctions.ListActivities\r\nContent-Length: {{}}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head.format(size).encode() + b" " * size)
        refused = read_answer(sock)
        assert refused.startswith(b"HTTP/1.1 413 ")
        assert b"connection: close" not in refused.lower()
        sock.sendall(head.format(2).encode() + b"{}")  # the same connection answers the next request
        assert read_answer(sock).startswith(b"HTTP/1.1 200 ")


def test_the_console_shares_the_address(http: httpx.Client) -> None:
    page = http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert http.put("/").status_code == 405
