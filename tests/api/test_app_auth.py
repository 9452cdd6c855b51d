"""The API face with a guard, in process: what it leaves in ``request.state`` for the logs (the
request id of the reply, the principal who signed) and the wire shape of its refusals."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from stepwell.api.app import create_app
from stepwell.server import Options, Server, build
from tests.auth.signing import signed_headers

URL = "http://127.0.0.1:8083/"
ADMIN = {
    "name": "admin",
    "accessKeyId": "AKIDADMIN",
    "secretAccessKey": "secret-of-admin",
    "policy": {"Statement": {"Effect": "Allow", "Action": "states:List*", "Resource": "*"}},
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    identities = tmp_path / "identities.json"
    identities.write_text(json.dumps([ADMIN]), encoding="utf-8")
    built = build(Options(db=str(tmp_path / "stepwell.db"), auth=str(identities)))
    yield built
    built.close()


def call(app: Any, headers: dict[str, str], body: bytes = b"{}") -> tuple[httpx.Response, dict[str, Any]]:
    """POST / through the app; also what the request left in its ASGI state."""
    states: list[dict[str, Any]] = []

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        await app(scope, receive, send)
        states.append(scope.get("state", {}))

    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=recording)
        async with httpx.AsyncClient(transport=transport, base_url=URL) as client:
            return await client.post("/", headers=headers, content=body)

    response = asyncio.run(main())
    return response, states[0]


def sign(target: str = "AWSStepFunctions.ListStateMachines", body: bytes = b"{}") -> dict[str, str]:
    target_header = {"X-Amz-Target": target}
    return signed_headers(
        datetime.now(UTC),
        body=body,
        url=URL,
        key="AKIDADMIN",
        secret="secret-of-admin",
        headers=target_header,
    )


def test_a_signed_call_leaves_its_principal_and_request_id(server: Server) -> None:
    app = create_app(server.service, guard=server.guard)
    response, state = call(app, sign())
    assert response.status_code == 200, response.text
    assert state["request_id"] == response.headers["x-amzn-requestid"]
    assert state["principal"].name == "admin"
    assert state["principal"].arn == "arn:aws:iam::123456789012:user/admin"


def test_a_refused_signature_leaves_no_principal_and_the_request_id(server: Server) -> None:
    app = create_app(server.service, guard=server.guard)
    response, state = call(app, {"Content-Type": "application/x-amz-json-1.0"})
    assert (response.status_code, response.json()) == (
        400,
        {
            "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
            "message": "Request is missing Authentication Token",
        },
    )
    assert state["request_id"] == response.headers["x-amzn-requestid"]
    assert state["principal"] is None


def test_access_denied_is_corals_with_the_principal_known(server: Server) -> None:
    app = create_app(server.service, guard=server.guard)
    response, state = call(app, sign("AWSStepFunctions.CreateActivity", b'{"name": "a"}'), b'{"name": "a"}')
    assert response.status_code == 400
    assert response.json()["__type"] == "com.amazon.coral.service#AccessDeniedException"
    assert response.json()["message"].startswith(
        "User: arn:aws:iam::123456789012:user/admin is not authorized"
    )
    assert state["principal"].name == "admin" and state["operation"] == "CreateActivity"


def test_without_a_guard_nothing_is_checked_and_the_request_id_is_kept(server: Server) -> None:
    app = create_app(server.service)
    response, state = call(
        app, {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.ListActivities"}
    )
    assert response.status_code == 200
    assert state["request_id"] == response.headers["x-amzn-requestid"]
    assert state["principal"] is None
