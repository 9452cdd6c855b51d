"""Ending open streams when the server stops.

uvicorn's graceful shutdown waits for every open response, then (after its grace period) cancels
what is left with a traceback. A console page following a running execution holds a
``text/event-stream`` response open until the execution ends, which may be days. That response
only waits for its client to go away (Starlette's StreamingResponse listens for
``http.disconnect``), so when the server stops this middleware tells it that the client went away,
then ends the stream properly (the last, empty chunk): the browser's EventSource reconnects with
``Last-Event-ID`` once the server is back.

Only GET requests are wrapped: the API is POST only, and stays on the hot path untouched.
"""

from __future__ import annotations

import asyncio
from typing import Any

DISCONNECT = {"type": "http.disconnect"}


class DisconnectOnStop:
    """ASGI middleware; ``stop()`` (from the event loop) ends the GET responses still open."""

    def __init__(self, app: Any):
        self.app = app
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        stopped = False
        started = completed = False

        async def receive_or_stop() -> dict[str, Any]:
            nonlocal stopped
            if not self._stopping.is_set():
                message = asyncio.ensure_future(receive())
                stopping = asyncio.ensure_future(self._stopping.wait())
                await asyncio.wait((message, stopping), return_when=asyncio.FIRST_COMPLETED)
                stopping.cancel()
                if message.done():
                    return dict(message.result())
                message.cancel()
            stopped = True
            return DISCONNECT

        async def send_and_note(message: dict[str, Any]) -> None:
            nonlocal started, completed
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                completed = True
            await send(message)

        await self.app(scope, receive_or_stop, send_and_note)
        if stopped and started and not completed:  # a stream cut short: end it as a stream ends
            await send({"type": "http.response.body", "body": b"", "more_body": False})
