"""A stand-in AWS endpoint for the states moto never reaches by itself (a Batch job that FAILED,
a SageMaker job that Failed, ...): a real HTTP server on 127.0.0.1 that answers every request
with the JSON body a test gives, and records what it was asked (the operation, from X-Amz-Target
or the path, and the body). botocore parses the answer as the service's own."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Asked:
    target: str  # "AWSGlue.GetJobRun", or the path of a REST call: "/v1/describejobs"
    body: Any


@dataclass
class StandIn:
    answer: dict[str, Any] = field(default_factory=dict)
    # Answers by operation ("/v1/submitjob", "AWSGlue.StartJobRun"); any other gets ``answer``.
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    asked: list[Asked] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> StandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._answer()

            def do_GET(self) -> None:
                self._answer()

            def do_PUT(self) -> None:
                self._answer()

            def do_DELETE(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                target = self.headers.get("X-Amz-Target") or self.path
                stand_in.asked.append(Asked(target, json.loads(raw) if raw else None))
                body = json.dumps(stand_in.answers.get(target, stand_in.answer)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("x-amzn-RequestId", "stand-in-request")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
