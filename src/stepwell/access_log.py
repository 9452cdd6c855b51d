"""The server's access log: one line per request, written when its response has been sent.

    127.0.0.1 alice POST / StartExecution 200 0.91 ms 5f0c1a9e-2b7d-4c3a-9e11-8d2f6a4b7c90
    127.0.0.1 - GET /executions/m/e - 200 4.20 ms -

The client's address, the principal (the identity that signed the request or signed in to the
console; ``-`` without one), method, path, the API operation (``X-Amz-Target`` without its
``AWSStepFunctions.`` prefix, ``-`` for the console's pages), status, the time to the end of the
response, and the request id the reply carried (``x-amzn-RequestId``; ``-`` for pages). The face
leaves the principal and the request id in the request's state (``request.state``). Never the query
string, a header's value other than the target, or a body: those may carry task tokens, inputs and
secrets.
The line is formatted only when the ``stepwell.access`` logger is enabled; serve() does not wrap the
app at all when the access log is off, so it then costs nothing.

The lines are written in batches (``batch_into_root_stream``), at most FLUSH_SECONDS late: one
write per request would cost the event loop the GIL on every request (the executor thread takes it
during the system call, for up to the switch interval), about a fifth of the server's throughput.
"""

from __future__ import annotations

import asyncio
import logging
from time import perf_counter
from typing import Any, TextIO

log = logging.getLogger("stepwell.access")

TARGET = b"x-amz-target"
TARGET_PREFIX = "AWSStepFunctions."
# An operation name or a console path is far shorter: a client's garbage is cut, not logged whole.
LONGEST_TARGET, LONGEST_PATH = 80, 512
# client, principal, method, path, operation, status, duration, request id
LINE = "%s %s %s %s %s %d %.2f ms %s"
FLUSH_SECONDS = 0.1

Scope = dict[str, Any]
Receive = Any
Send = Any


class AccessLog:
    """ASGI middleware around the app: HTTP requests are timed and logged, the rest passes through."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = perf_counter()
        status = 0

        async def send_and_note(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:  # a request cancelled or failed is logged too (status 0: no response was started)
            if log.isEnabledFor(logging.INFO):
                state = scope.get("state") or {}
                fields = (
                    _client(scope),
                    _principal(state),
                    scope["method"],
                    _path(scope),
                    _operation(scope),
                    status,
                    (perf_counter() - began) * 1000,
                    state.get("request_id") or "-",
                )
                # makeRecord + handle is log.info without the search for the caller's source line
                # (a walk up the stack on every request, for a field the format does not show).
                log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, LINE, fields, None))


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "-"


def _principal(state: dict[str, Any]) -> str:
    principal = state.get("principal")
    return _one_field(principal.name) if principal is not None else "-"


def _path(scope: Scope) -> str:
    # As sent (percent-escapes kept): a decoded "%0a" would start a forged line.
    raw = scope.get("raw_path")
    path = raw[:LONGEST_PATH].decode("latin-1") if raw else scope["path"][:LONGEST_PATH]
    return _one_field(path)


def _operation(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == TARGET:
            return _one_field(value[:LONGEST_TARGET].decode("latin-1").removeprefix(TARGET_PREFIX))
    return "-"


def _one_field(text: str) -> str:
    """The text itself, or escaped so that one request stays one line of space-separated fields."""
    if text and text.isprintable() and " " not in text:
        return text
    return repr(text)[1:-1].replace(" ", "\\x20") or "''"


class BatchedStreamHandler(logging.StreamHandler):
    """Formats each record at once and writes what accumulated in one go, FLUSH_SECONDS after the
    first of them (from the event loop), or at once when emitted outside one; flush() and close()
    (logging's shutdown at exit) write the rest."""

    def __init__(self, stream: TextIO):
        super().__init__(stream)
        self._lines: list[str] = []
        self._scheduled = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._lines.append(self.format(record) + self.terminator)
        except Exception:
            self.handleError(record)
            return
        if self._scheduled:
            return
        try:
            asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)
            self._scheduled = True
        except RuntimeError:  # not in the event loop: no batching
            self.flush()

    def flush(self) -> None:
        self.acquire()
        try:
            self._scheduled = False
            if self._lines:
                text, self._lines = "".join(self._lines), []
                self.stream.write(text)
            super().flush()
        finally:
            self.release()


def batch_into_root_stream() -> BatchedStreamHandler | None:
    """Send the access log to the stream the root logger writes to, with its format, in batches
    (None when the root logger has no stream handler: then the records propagate as others do)."""
    root = next((h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler), None)
    if root is None:
        return None
    handler = BatchedStreamHandler(root.stream)
    handler.setFormatter(root.formatter)
    handler.setLevel(root.level)
    log.addHandler(handler)
    log.propagate = False
    return handler
