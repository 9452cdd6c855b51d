"""The access log: one line per HTTP request with client, principal, method, path as sent,
operation, status, time and request id; nothing that could carry a secret; batched writes."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest

from stepwell.access_log import (
    FLUSH_SECONDS,
    LONGEST_PATH,
    AccessLog,
    BatchedStreamHandler,
    batch_into_root_stream,
    log,
)


async def respond(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def explode(scope: dict[str, Any], receive: Any, send: Any) -> None:
    raise RuntimeError("boom")


def http(
    path: str = "/",
    method: str = "POST",
    target: bytes | None = None,
    raw_path: bytes | None = None,
    **extra: Any,
) -> dict[str, Any]:
    headers = [(b"content-type", b"application/x-amz-json-1.0")]
    if target is not None:
        headers.append((b"x-amz-target", target))
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": headers,
        "client": ("127.0.0.1", 5555),
    }
    if raw_path is not None:
        scope["raw_path"] = raw_path
    scope.update(extra)
    return scope


def serve(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(AccessLog(app)(scope, receive, send))
    return sent


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.INFO, logger="stepwell.access")
    yield


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "stepwell.access"]


LINE = re.compile(r"^(\S+) (\S+) (\S+) (\S+) (\S+) (\d+) (\d+\.\d\d) ms (\S+)$")


def fields(line: str) -> tuple[str, ...]:
    """Client, method, path, operation and status (the principal and request id: ``who``)."""
    match = LINE.fullmatch(line)
    assert match is not None, line
    client, _, method, path, operation, status = match.groups()[:6]
    return client, method, path, operation, status


def who(line: str) -> tuple[str, str]:
    """The principal and the request id."""
    match = LINE.fullmatch(line)
    assert match is not None, line
    return match.group(2), match.group(8)


def test_an_api_request(caplog: pytest.LogCaptureFixture, access: None) -> None:
    sent = serve(respond, http(target=b"AWSStepFunctions.StartExecution"))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    [line] = logged(caplog)
    assert fields(line) == ("127.0.0.1", "POST", "/", "StartExecution", "201")


class Alice:
    name = "alice"
    secret_access_key = "never logged"


async def signed(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An app that, as the API face does, leaves the principal and the request id in the state."""
    scope.setdefault("state", {}).update(principal=Alice(), request_id="5f0c1a9e-2b7d")
    await respond(scope, receive, send)


def test_the_principal_and_the_request_id_the_face_left(
    caplog: pytest.LogCaptureFixture, access: None
) -> None:
    serve(signed, http(target=b"AWSStepFunctions.ListStateMachines"))
    [line] = logged(caplog)
    assert who(line) == ("alice", "5f0c1a9e-2b7d")
    assert "never logged" not in line


def test_without_them_both_are_dashes(caplog: pytest.LogCaptureFixture, access: None) -> None:
    serve(respond, http("/state-machines", "GET"))
    [line] = logged(caplog)
    assert who(line) == ("-", "-")


def test_a_console_page_has_no_operation_and_keeps_its_escapes(
    caplog: pytest.LogCaptureFixture, access: None
) -> None:
    # The path as sent: a decoded "%0a" would start a forged line.
    serve(respond, http("/executions/m/a\nb", "GET", raw_path=b"/executions/m/a%0ab"))
    [line] = logged(caplog)
    assert fields(line) == ("127.0.0.1", "GET", "/executions/m/a%0ab", "-", "201")


def test_the_query_string_is_never_logged(caplog: pytest.LogCaptureFixture, access: None) -> None:
    serve(respond, http("/executions", "GET", raw_path=b"/executions", query_string=b"taskToken=secret"))
    [line] = logged(caplog)
    assert "secret" not in line
    assert fields(line)[2] == "/executions"


def test_fields_that_would_break_the_line_are_escaped(caplog: pytest.LogCaptureFixture, access: None) -> None:
    serve(respond, http("/a b\nc", "GET"))
    serve(respond, http(target=b"AWSStepFunctions.Start Execution\r\nX"))
    first, second = logged(caplog)
    assert fields(first)[2] == "/a\\x20b\\nc"
    assert fields(second)[3] == "Start\\x20Execution\\r\\nX"


def test_long_fields_are_cut(caplog: pytest.LogCaptureFixture, access: None) -> None:
    serve(respond, http(target=b"AWSStepFunctions." + b"X" * 200))
    serve(respond, http("/" + "p" * 2000, "GET"))
    target_line, path_line = logged(caplog)
    assert fields(target_line)[3] == ("AWSStepFunctions." + "X" * 200)[:80].removeprefix("AWSStepFunctions.")
    assert len(fields(path_line)[2]) == LONGEST_PATH


def test_a_failed_request_is_logged_with_status_zero(caplog: pytest.LogCaptureFixture, access: None) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        serve(explode, http(target=b"AWSStepFunctions.ListActivities"))
    [line] = logged(caplog)
    assert fields(line)[3:] == ("ListActivities", "0")


def test_an_unknown_client_and_an_empty_path(caplog: pytest.LogCaptureFixture, access: None) -> None:
    serve(respond, http("", "GET", client=None))
    [line] = logged(caplog)
    assert fields(line)[:3] == ("-", "GET", "''")


def test_other_scopes_pass_through_unlogged(caplog: pytest.LogCaptureFixture, access: None) -> None:
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    asyncio.run(AccessLog(app)({"type": "lifespan"}, None, None))
    assert seen == ["lifespan"]
    assert logged(caplog) == []


def test_nothing_is_formatted_when_the_log_is_off(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="stepwell.access")
    serve(respond, http(target=b"AWSStepFunctions.StartExecution"))
    assert logged(caplog) == []


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("stepwell.access", logging.INFO, __file__, 0, message, None, None)


def test_lines_are_at_most_a_tenth_of_a_second_late() -> None:
    assert FLUSH_SECONDS == 0.1


def test_outside_an_event_loop_each_line_is_written_at_once() -> None:
    stream = io.StringIO()
    handler = BatchedStreamHandler(stream)
    handler.emit(record("one"))
    assert stream.getvalue() == "one\n"


def test_in_the_event_loop_lines_are_written_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stepwell.access_log.FLUSH_SECONDS", 0.0)  # due at once: no waiting here
    stream = io.StringIO()
    handler = BatchedStreamHandler(stream)
    seen: list[str] = []

    async def main() -> None:
        handler.emit(record("one"))
        handler.emit(record("two"))
        seen.append(stream.getvalue())
        for _ in range(3):  # let the loop run the scheduled flush
            await asyncio.sleep(0)
        seen.append(stream.getvalue())
        handler.emit(record("three"))
        handler.flush()  # close() at exit writes what is left
        seen.append(stream.getvalue())

    asyncio.run(main())
    assert seen == ["", "one\ntwo\n", "one\ntwo\nthree\n"]


def test_batch_into_root_stream_takes_the_root_handlers_stream_and_format() -> None:
    root = logging.getLogger()
    saved_handlers, saved_propagate, saved_log_handlers = root.handlers[:], log.propagate, log.handlers[:]
    stream = io.StringIO()
    plain = logging.StreamHandler(stream)
    plain.setFormatter(logging.Formatter("[%(name)s] %(message)s"))
    try:
        root.handlers = []
        assert batch_into_root_stream() is None
        root.handlers = [plain]
        handler = batch_into_root_stream()
        assert handler is not None and handler.stream is stream
        assert log.propagate is False
        handler.emit(record("line"))
        assert stream.getvalue() == "[stepwell.access] line\n"
    finally:
        root.handlers = saved_handlers
        log.handlers = saved_log_handlers
        log.propagate = saved_propagate
