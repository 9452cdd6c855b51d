"""A real HTTP server on 127.0.0.1 for the HTTP Task tests: records every request, answers by path.

/echo               200 JSON {"ok": true}, two Set-Cookie headers
/text               200 text/plain
/empty              204, no body
/status/<code>      <code> with a JSON body
/slow               answers after 2 s
/image              200 image/png
/latin1             200 text/plain; charset=latin-1 with a non-ASCII byte
/binary-text        200 text/plain with bytes that are not UTF-8
/redirect           302 to /echo
/redirect-to?to=URL 302 to URL
/mirror             200 JSON of the request's headers and query (an API that echoes secrets)
/token              OAuth client credentials: Basic id:secret -> {"access_token", "expires_in"}
/protected          200 with a current Bearer token, else 401
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

CLIENT_ID = "client-id-1"
CLIENT_SECRET = "client-secret-XYZ"


@dataclass
class Seen:
    method: str
    path: str
    query: list[tuple[str, str]]
    raw_query: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values[0] if values else None

    def header_names(self) -> set[str]:
        return {k.lower() for k, _ in self.headers}


@dataclass
class ServerState:
    seen: list[Seen] = field(default_factory=list)
    tokens_issued: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    token_lifetime: int | None = 3600
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.seen.clear()
            self.tokens_issued = 0
            self.valid_tokens.clear()
            self.token_lifetime = 3600

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]


def make_handler(state: ServerState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(
                self.command,
                parts.path,
                parse_qsl(parts.query, keep_blank_values=True),
                parts.query,
                list(self.headers.items()),
                body,
            )
            with state.lock:
                state.seen.append(seen)
            route = parts.path
            if route == "/echo":
                self._reply(200, {"ok": True}, extra=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
            elif route == "/text":
                self._raw(200, b"hello there", "text/plain")
            elif route == "/empty":
                self._raw(204, b"", None)
            elif route.startswith("/status/"):
                code = int(route.rsplit("/", 1)[1])
                self._reply(code, {"error": f"status {code}"})
            elif route == "/slow":
                time.sleep(2)
                self._reply(200, {"slow": True})
            elif route == "/image":
                self._raw(200, b"\x89PNG\r\n", "image/png")
            elif route == "/latin1":
                self._raw(200, "caf\u00e9".encode("latin-1"), "text/plain; charset=latin-1")
            elif route == "/binary-text":
                self._raw(200, b"\xff\xfe\xfa", "text/plain; charset=utf-8")
            elif route == "/redirect":
                self._raw(302, b"", None, extra=[("Location", "/echo")])
            elif route == "/redirect-to":
                self._raw(302, b"", None, extra=[("Location", dict(seen.query).get("to", "/echo"))])
            elif route == "/drop":  # hang up without an answer
                self.close_connection = True
                self.connection.shutdown(2)
            elif route == "/mirror":
                self._reply(200, {"headers": dict(self.headers.items()), "query": parts.query})
            elif route == "/token":
                self._token(seen)
            elif route == "/protected":
                auth = self.headers.get("Authorization", "")
                token = auth.removeprefix("Bearer ")
                with state.lock:
                    ok = auth.startswith("Bearer ") and token in state.valid_tokens
                self._reply(200 if ok else 401, {"authorized": ok})
            else:
                self._reply(404, {"error": "no such route"})

        def _token(self, seen: Seen) -> None:
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                self._reply(401, {"error": "invalid_client"})
                return
            with state.lock:
                state.tokens_issued += 1
                token = f"token-{state.tokens_issued}-abcdef"
                state.valid_tokens.add(token)
                lifetime = state.token_lifetime
            answer: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
            if lifetime is not None:
                answer["expires_in"] = lifetime
            self._reply(200, answer)

        def _reply(self, code: int, payload: Any, extra: Sequence[tuple[str, str]] = ()) -> None:
            self._raw(code, json.dumps(payload).encode(), "application/json", extra)

        def _raw(
            self, code: int, body: bytes, content_type: str | None, extra: Sequence[tuple[str, str]] = ()
        ) -> None:
            self.send_response(code)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in extra:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _handle

    return Handler


class LocalServer:
    """On 127.0.0.1, a free port; with ``tls``, HTTPS with that context's certificate."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.state = ServerState()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.state))
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def start(self) -> LocalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
