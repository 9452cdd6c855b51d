"""A webhook receiver for the status-change event tests: a small http.server on a thread of the test.

It keeps every event it accepted (parsed), answers the first ``refuse`` requests 503, keeps its
connections alive (HTTP/1.1), and can be stopped, its connections closed, and started again on the
same port (the port then refuses connections, as a webhook that is down does).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.server.process import free_port


class Receiver:
    def __init__(self, refuse: int = 0):
        self.port = free_port()
        self.refuse = refuse  # requests to answer 503 before accepting any
        self.requests = 0  # POSTs received, accepted or not
        self.events: list[dict[str, Any]] = []
        self.content_types: set[str] = set()
        self.authorizations: set[str | None] = set()
        self.paths: set[str] = set()
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/events?token=secret"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with receiver._lock:
                    receiver._connections.append(self.connection)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.requests += 1
                    refused = receiver.refuse > 0
                    if refused:
                        receiver.refuse -= 1
                    else:
                        receiver.events.append(json.loads(body))
                        receiver.content_types.add(self.headers.get("Content-Type", ""))
                        receiver.authorizations.add(self.headers.get("Authorization"))
                        receiver.paths.add(self.path)
                self.send_response(503 if refused else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:  # kept-alive ones too: the receiver is down
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.events)

    def of(self, execution_arn: str) -> list[dict[str, Any]]:
        """The events about one execution, as received."""
        return [e for e in self.received() if e["detail"]["executionArn"] == execution_arn]

    def statuses(self, execution_arn: str) -> list[str]:
        return [e["detail"]["status"] for e in self.of(execution_arn)]


@contextmanager
def receiving(refuse: int = 0) -> Iterator[Receiver]:
    receiver = Receiver(refuse).start()
    try:
        yield receiver
    finally:
        receiver.stop()
