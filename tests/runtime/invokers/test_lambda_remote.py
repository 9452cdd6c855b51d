"""Remote Lambda functions through boto3: API errors against a moto server, the Invoke response against a
small Lambda-speaking HTTP server written here (moto needs Docker to run functions), and the Lambdas
router in front of both."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.lambda_remote import RemoteLambda
from stepwell.runtime.invokers.lambda_workers import LambdaWorkers
from stepwell.runtime.invokers.lambdas import Lambdas

INVOKE = "arn:aws:states:::lambda:invoke"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
PYTHON_ERROR = (
    '{"errorMessage": "bad input", "errorType": "ValueError", "requestId": "r-1", '
    '"stackTrace": ["  File \\"/var/task/app.py\\", line 2, in handler\\n"]}'
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.skip("moto_server did not start")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


class FakeLambda(BaseHTTPRequestHandler):
    """Lambda's Invoke API, for a few fixed functions; remembers the requests it got."""

    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        url = urlparse(self.path)
        name = unquote(url.path.split("/")[3])
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.requests.append(
            {"name": name, "query": parse_qs(url.query), "headers": dict(self.headers), "body": body.decode()}
        )
        headers = {"X-Amz-Executed-Version": "7", "x-amzn-RequestId": "req-123"}
        status, payload = 200, b""
        short = name.rsplit(":function:", 1)[-1].split(":")[0]
        if short == "double":
            payload = json.dumps(json.loads(body)["n"] * 2).encode()
        elif short == "echo_raw":
            payload = body
        elif short == "fails":
            headers["X-Amz-Function-Error"] = "Unhandled"
            payload = PYTHON_ERROR.encode()
        elif short == "old_timeout":
            headers["X-Amz-Function-Error"] = "Unhandled"
            payload = b'{"errorMessage":"2024-01-01T00:00:00.000Z r-2 Task timed out after 3.00 seconds"}'
        elif short == "throttled":
            status = 429
            headers |= {"x-amzn-ErrorType": "TooManyRequestsException", "Content-Type": "application/json"}
            payload = b'{"Type":"User","message":"Rate Exceeded."}'
        if self.headers.get("X-Amz-Log-Type") == "Tail":
            headers["X-Amz-Log-Result"] = "U1RBUlQ="
        self.send_response(status)
        for header, value in headers.items():
            self.send_header(header, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_: Any) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def fake_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLambda)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def remote(fake_url: str) -> Iterator[RemoteLambda]:
    client = RemoteLambda(fake_url, aws_access_key_id="test", aws_secret_access_key="test")
    yield client
    client.close()


def call(invoker: Any, resource: str, payload: Any) -> Any:
    return invoker.invoke(TaskCall(parse_task_resource(resource), payload))


def failure(invoker: Any, resource: str, payload: Any) -> TaskError:
    with pytest.raises(TaskError) as raised:
        call(invoker, resource, payload)
    return raised.value


# --- against moto --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "payload"),
    [(INVOKE, {"FunctionName": "nope", "Payload": {}}), (ARN + "nope", {"a": 1})],
)
def test_an_unknown_function_is_lambdas_resource_not_found(
    moto_url: str, resource: str, payload: Any
) -> None:
    error = failure(RemoteLambda(moto_url), resource, payload)
    assert error.error == "Lambda.ResourceNotFoundException"
    assert error.cause.startswith(f"Function not found: {ARN}nope")
    assert re.fullmatch(
        r".* \(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
        r"Request ID: \S+; Proxy: null\)",
        error.cause,
    )


def test_no_endpoint_is_an_sdk_client_exception() -> None:
    error = failure(
        RemoteLambda(f"http://127.0.0.1:{free_port()}", connect_timeout=1), INVOKE, {"FunctionName": "f"}
    )
    assert error.error == "Lambda.SdkClientException"
    assert error.cause.startswith("Unable to execute HTTP request: ")


# --- against the fake Lambda ---------------------------------------------------------------------


def test_a_function_arn_returns_the_payload(remote: RemoteLambda) -> None:
    assert call(remote, ARN + "double:prod", {"n": 21}) == 42
    assert FakeLambda.requests[-1]["name"] == ARN + "double:prod"


def test_lambda_invoke_wraps_the_real_response(remote: RemoteLambda) -> None:
    out = call(
        remote, INVOKE, {"FunctionName": "double", "Payload": {"n": 2}, "Qualifier": "7", "LogType": "Tail"}
    )
    sent = FakeLambda.requests[-1]
    assert sent["query"] == {"Qualifier": ["7"]}
    assert sent["headers"]["X-Amz-Log-Type"] == "Tail"
    assert out["Payload"] == 4
    assert out["ExecutedVersion"] == "7"
    assert out["LogResult"] == "U1RBUlQ="
    assert out["StatusCode"] == 200
    assert out["SdkResponseMetadata"] == {"RequestId": "req-123"}
    metadata = out["SdkHttpMetadata"]
    assert metadata["HttpStatusCode"] == 200
    assert metadata["HttpHeaders"]["X-Amz-Executed-Version"] == "7"  # as the server cased it
    assert metadata["HttpHeaders"]["x-amzn-RequestId"] == "req-123"
    assert metadata["AllHttpHeaders"]["x-amzn-RequestId"] == ["req-123"]


def test_lambda_invoke_sends_a_string_payload_as_it_is(remote: RemoteLambda) -> None:
    assert call(remote, INVOKE, {"FunctionName": "echo_raw", "Payload": "0.50"})["Payload"] == 0.5
    assert FakeLambda.requests[-1]["body"] == "0.50"
    assert call(remote, INVOKE, {"FunctionName": "echo_raw"})["Payload"] == {}


def test_a_function_error_keeps_its_type_and_payload(remote: RemoteLambda) -> None:
    plain = failure(remote, ARN + "fails", {})
    assert (plain.error, plain.cause) == ("ValueError", PYTHON_ERROR)
    wrapped = failure(remote, INVOKE, {"FunctionName": "fails"})
    assert wrapped.error == "ValueError"
    assert wrapped.cause == json.dumps(json.loads(PYTHON_ERROR), separators=(",", ":"))


def test_a_function_error_without_a_type_is_lambda_unknown(remote: RemoteLambda) -> None:
    error = failure(remote, ARN + "old_timeout", {})
    assert error.error == "Lambda.Unknown"
    assert "Task timed out after 3.00 seconds" in error.cause


def test_throttling_is_too_many_requests(remote: RemoteLambda) -> None:
    error = failure(remote, INVOKE, {"FunctionName": "throttled"})
    assert error.error == "Lambda.TooManyRequestsException"
    assert error.cause.startswith("Rate Exceeded. (Service: AWSLambda; Status Code: 429; ")


# --- local first, then remote --------------------------------------------------------------------


def test_lambdas_prefers_local_functions(tmp_path: Path, remote: RemoteLambda) -> None:
    module = tmp_path / "local.py"
    module.write_text("def double(event, context):\n    return -1\n")
    with LambdaWorkers([module], size=1) as local:
        lambdas = Lambdas(local, remote)
        assert call(lambdas, ARN + "double", {"n": 5}) == -1
        assert call(lambdas, INVOKE, {"FunctionName": "echo_raw", "Payload": {"a": 1}})["Payload"] == {"a": 1}
        assert failure(Lambdas(local, None), ARN + "echo_raw", {}).error == "Lambda.ResourceNotFoundException"


def test_lambdas_without_any_backend_is_not_found() -> None:
    error = failure(Lambdas(None, None, account="111111111111"), INVOKE, {"FunctionName": "f"})
    assert error.error == "Lambda.ResourceNotFoundException"
    assert error.cause.startswith(
        "Function not found: arn:aws:lambda:us-east-1:111111111111:function:f:$LATEST"
    )
