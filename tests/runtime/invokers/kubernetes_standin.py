"""A stand-in Kubernetes API server on 127.0.0.1 for eks:runJob: Jobs are created (POST), read
(GET; each Job ends, Complete or Failed as the test says, after a few reads), their pods listed
by ``job-name`` and each pod's log read. Every request is recorded, with its Authorization."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Kubernetes:
    outcome: str = "Complete"  # or "Failed"
    reads_to_end: int = 2  # GETs of a Job before its condition is set
    log: str = '{"pi": 3.14159}'
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=dict)
    seen: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path?query, auth
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Kubernetes:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                job = json.loads(self.rfile.read(length))
                api.seen.append(("POST", self.path, self.headers.get("Authorization")))
                metadata = job.setdefault("metadata", {})
                metadata.setdefault("name", metadata.get("generateName", "job-") + "x7k2p")
                job["status"] = {}
                api.jobs[metadata["name"]] = job
                self._json(201, job)

            def do_GET(self) -> None:
                api.seen.append(("GET", self.path, self.headers.get("Authorization")))
                parts = urlsplit(self.path)
                segments = parts.path.strip("/").split("/")
                if segments[:3] == ["apis", "batch", "v1"] and len(segments) == 7:
                    name = segments[6]
                    job = api.jobs.get(name)
                    if job is None:
                        self._json(404, {"kind": "Status", "reason": "NotFound"})
                        return
                    api.reads[name] = api.reads.get(name, 0) + 1
                    if api.reads[name] > api.reads_to_end:
                        job["status"] = {"conditions": [{"type": api.outcome, "status": "True"}]}
                    self._json(200, job)
                elif segments[-1] == "pods":
                    selector = parse_qs(parts.query).get("labelSelector", [""])[0]
                    name = selector.removeprefix("job-name=")
                    pod = {"metadata": {"name": f"{name}-pod"}, "spec": {"containers": [{"name": "main"}]}}
                    self._json(200, {"items": [pod]})
                elif segments[-1] == "log":
                    body = api.log.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self._json(404, {"kind": "Status", "reason": "NotFound"})

            def _json(self, status: int, value: Any) -> None:
                body = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
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
