"""Ending open GET streams when the server stops: the app sees its client go away and the stream
gets its last, empty chunk; everything else passes through untouched."""

from __future__ import annotations

import asyncio
from typing import Any

from stepwell.stopping import DISCONNECT, DisconnectOnStop


def scope(method: str = "GET") -> dict[str, Any]:
    return {"type": "http", "method": method, "path": "/executions/m/e/stream", "headers": []}


async def streaming_until_disconnect(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A text/event-stream response that ends when its client goes away (Starlette's way)."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
    while (await receive())["type"] != "http.disconnect":
        pass


def test_stop_ends_an_open_stream_as_a_stream_ends() -> None:
    sent: list[dict[str, Any]] = []
    wrapped = DisconnectOnStop(streaming_until_disconnect)
    client_gone = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await client_gone.wait()  # the browser never leaves by itself
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def main() -> None:
        request = asyncio.ensure_future(wrapped(scope(), receive, send))
        while len(sent) < 2:
            await asyncio.sleep(0)
        wrapped.stop()
        await asyncio.wait_for(request, timeout=5)

    asyncio.run(main())
    assert sent == [
        {"type": "http.response.start", "status": 200, "headers": []},
        {"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True},
        {"type": "http.response.body", "body": b"", "more_body": False},
    ]


def test_a_request_arriving_after_stop_sees_the_disconnect_at_once() -> None:
    wrapped = DisconnectOnStop(streaming_until_disconnect)
    wrapped.stop()
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise AssertionError("not read: the server is stopping")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(wrapped(scope(), receive, send))
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
    assert DISCONNECT == {"type": "http.disconnect"}


def test_messages_pass_while_the_server_runs() -> None:
    received: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        received.append(await receive())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    wrapped = DisconnectOnStop(app)
    asyncio.run(wrapped(scope(), receive, send))
    assert received == [{"type": "http.request", "body": b"", "more_body": False}]
    assert [m.get("body") for m in sent] == [None, b"done"]  # a complete response is not amended


def test_a_completed_response_is_not_amended_after_stop() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})
        await receive()

    wrapped = DisconnectOnStop(app)
    wrapped.stop()
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(wrapped(scope(), None, send))
    assert [m.get("body") for m in sent] == [None, b"page"]


def test_posts_and_other_scopes_are_not_wrapped() -> None:
    seen: list[Any] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(receive)

    wrapped = DisconnectOnStop(app)
    wrapped.stop()
    marker = object()
    asyncio.run(wrapped(scope("POST"), marker, None))
    asyncio.run(wrapped({"type": "lifespan"}, marker, None))
    assert seen == [marker, marker]
