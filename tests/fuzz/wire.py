"""Raw HTTP to the server under test, and a JSON writer that can say what ``json.dumps`` cannot.

Requests are bytes we write ourselves: the model-driven groups use one keep-alive connection
(``Wire``), the protocol group writes whole requests on a socket (``exchange``), pipelined or
malformed ones included. The JSON writer emits ``Raw`` text verbatim (lone surrogate escapes,
integers beyond 64 bits, ``1e400``, nesting 10,000 deep) and ``Pairs`` objects with repeated keys.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TARGET_PREFIX = "AWSStepFunctions."
JSON_10 = "application/x-amz-json-1.0"


@dataclass(frozen=True)
class Raw:
    """JSON text written as is."""

    text: str


@dataclass(frozen=True)
class Pairs:
    """A JSON object whose keys may repeat (Python dicts cannot hold that)."""

    items: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Ref:
    """A real resource of the server (an ARN, a task token), looked up when the request is written.

    ``near`` names a way to turn the real value into an almost-right one (a wrong region, one
    segment too many: ``model.NEAR``), ``arg`` its parameter.
    """

    kind: str
    near: str | None = None
    arg: int = 0


@dataclass(frozen=True)
class Framed:
    """``value`` written between two texts: a byte-order mark before it, garbage after it."""

    before: str
    value: Any
    after: str = ""


Resolver = Callable[[Ref], str]


def _string(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(text)  # lone surrogates: only their \\uXXXX escapes can be sent
    return json.dumps(text, ensure_ascii=False)


def write_json(value: Any, resolve: Resolver | None = None) -> str:
    """JSON text of ``value`` (iterative over containers built by the strategies: they are shallow;
    deep nesting is always ``Raw`` text)."""
    out: list[str] = []

    def emit(item: Any) -> None:
        if isinstance(item, Raw):
            out.append(item.text)
        elif isinstance(item, Framed):
            out.append(item.before)
            emit(item.value)
            out.append(item.after)
        elif isinstance(item, Ref):
            if resolve is None:
                raise ValueError("a Ref needs a resolver")
            out.append(_string(resolve(item)))
        elif isinstance(item, str):
            out.append(_string(item))
        elif item is None or isinstance(item, (bool, int, float)):
            out.append(json.dumps(item))
        elif isinstance(item, (dict, Pairs)):
            pairs = item.items if isinstance(item, Pairs) else tuple(item.items())
            out.append("{")
            for index, (key, member) in enumerate(pairs):
                if index:
                    out.append(",")
                out.append(_string(key))
                out.append(":")
                emit(member)
            out.append("}")
        elif isinstance(item, (list, tuple)):
            out.append("[")
            for index, member in enumerate(item):
                if index:
                    out.append(",")
                emit(member)
            out.append("]")
        else:
            raise TypeError(f"cannot write {type(item).__name__} as JSON")

    emit(value)
    return "".join(out)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


class NoReply(Exception):
    """The server closed the connection or did not answer in time."""


def _read_line(stream: Any) -> bytes:
    line = stream.readline(65537)
    if not line:
        raise NoReply("connection closed")
    return line


def read_reply(stream: Any, head_only: bool = False) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.x response from a buffered socket file: status, lower-cased headers, body."""
    status_line = _read_line(stream).decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise NoReply(f"not an HTTP response: {status_line!r}")
    status = int(parts[1])
    headers: dict[str, str] = {}
    while True:
        line = _read_line(stream).decode("latin-1").rstrip("\r\n")
        if not line:
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if head_only or status in (204, 304) or 100 <= status < 200:
        return status, headers, b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(_read_line(stream).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while _read_line(stream) not in (b"\r\n", b"\n"):
                    pass
                break
            chunks.append(stream.read(size))
            stream.read(2)
        return status, headers, b"".join(chunks)
    if "content-length" in headers:
        return status, headers, stream.read(int(headers["content-length"]))
    return status, headers, stream.read()


def api_request(operation: str | None, body: bytes, *, content_type: str | None = JSON_10) -> bytes:
    """The bytes of a well-formed ``POST /`` carrying ``body``."""
    lines = ["POST / HTTP/1.1", "Host: 127.0.0.1"]
    if operation is not None:
        lines.append(f"X-Amz-Target: {TARGET_PREFIX}{operation}")
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Wire:
    """One keep-alive connection to the server, re-opened after the server closes it."""

    def __init__(self, port: int, timeout: float = 20.0):
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.stream: Any = None

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = self.stream = None

    def send(self, operation: str | None, body: bytes, timeout: float | None = None) -> Reply:
        """POST ``body`` as ``operation``; raises NoReply on a timeout or a closed connection."""
        data = api_request(operation, body)
        for attempt in (1, 2):
            if self.sock is None:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
                self.stream = self.sock.makefile("rb")
            assert self.sock is not None
            self.sock.settimeout(timeout or self.timeout)
            started = time.monotonic()
            try:
                self.sock.sendall(data)
                status, headers, body_out = read_reply(self.stream)
            except (NoReply, ConnectionError) as failure:
                self.close()
                # A keep-alive connection the server closed while idle: try once on a new one.
                if (
                    attempt == 1
                    and time.monotonic() - started < 0.5
                    and not isinstance(failure, TimeoutError)
                ):
                    continue
                raise NoReply(str(failure)) from None
            except TimeoutError:
                self.close()
                raise NoReply(f"no reply within {timeout or self.timeout:.0f}s") from None
            if headers.get("connection", "").lower() == "close":
                self.close()
            return Reply(status, headers, body_out, time.monotonic() - started)
        raise AssertionError("unreachable")


def exchange(
    port: int, data: bytes, *, replies: int = 1, timeout: float = 10.0, head: bool = False
) -> list[Reply]:
    """Write ``data`` on a new connection and read up to ``replies`` responses (fewer if the server
    closes first; none raises NoReply)."""
    out: list[Reply] = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        stream = sock.makefile("rb")
        started = time.monotonic()
        # The server may answer (413) and close before it has read everything.
        with contextlib.suppress(ConnectionError):
            sock.sendall(data)
        try:
            for _ in range(replies):
                status, headers, body = read_reply(stream, head_only=head)
                out.append(Reply(status, headers, body, time.monotonic() - started))
        except (NoReply, ConnectionError, TimeoutError) as failure:
            if not out:
                raise NoReply(str(failure) or type(failure).__name__) from None
    return out
