"""Where status-change events go: webhooks (``--events-webhook URL``) and EventBridge (``EVENTS_ENDPOINT``).

A destination is told a run of events, oldest first, and answers which of them it accepted; it
never raises (a failure is an event not accepted, tried again later: delivery.py). Each is used
by one delivery thread only.

- A webhook gets one POST per event, its body the event (``Content-Type: application/json``); a 2xx
  answer accepts it. Anything else (another status, a redirect, no answer within ``TIMEOUT``)
  refuses it and the ones after it, which wait, so that the receiver sees them in order.
- EventBridge gets ``PutEvents`` of up to 10 entries (its limit per call) on the default bus:
  ``Source``, ``DetailType``, ``Detail``, ``Resources`` and ``Time`` from the event, the bus giving it
  its own ``id``. An entry the answer reports failed (``ErrorCode``) is not accepted.
"""

from __future__ import annotations

import base64
import http.client
import logging
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

from botocore.config import Config

from stepwell.asl import jsoncodec
from stepwell.runtime.invokers.aws_clients import AwsClients

log = logging.getLogger("stepwell.events")

EVENTBRIDGE = "eventbridge"  # the outbox's name for the EventBridge destination
EVENTBRIDGE_SWITCH = "EVENTS_ENDPOINT"  # set: events go to PutEvents at that endpoint
PUT_EVENTS_LIMIT = 10  # entries per PutEvents call
WEBHOOK_RUN = 10  # events claimed at once for a webhook (each is its own POST)
TIMEOUT = 5.0  # seconds a destination has to answer one request


class DestinationError(Exception):
    """A destination the options name that cannot be one (said at start-up)."""


class Destination(Protocol):
    name: str  # the outbox rows' destination
    run: int  # how many events to hand it at once

    def send(self, events: list[bytes]) -> list[bool]:
        """Whether each event was accepted, in order."""

    def close(self) -> None: ...


class Webhook:
    """POSTs over one kept-alive connection (http.client: a quarter of httpx's CPU per request,
    which counts at one request per event). The URL's user and password, if any, go as Basic
    authentication; redirects are not followed; proxies from the environment are not used."""

    def __init__(self, url: str, timeout: float = TIMEOUT):
        parts = urlsplit(url)
        self.name = url
        self.run = WEBHOOK_RUN
        self.shown = shown_url(url)
        self._timeout = timeout
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname or "", parts.port
        self._target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        self._headers = {"Content-Type": "application/json"}
        if parts.username is not None:
            user = unquote(parts.username)
            password = unquote(parts.password or "")
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            self._headers["Authorization"] = f"Basic {token}"
        self._connection: http.client.HTTPConnection | None = None

    def send(self, events: list[bytes]) -> list[bool]:
        accepted: list[bool] = []
        for event in events:
            if not self._post(event):
                break
            accepted.append(True)
        return accepted + [False] * (len(events) - len(accepted))

    def _post(self, event: bytes) -> bool:
        while True:
            kept = self._connection is not None
            connection = self._connection or self._connect()
            try:
                connection.request("POST", self._target, body=event, headers=self._headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as failure:
                self.close()
                if kept:  # the receiver closed the kept-alive connection: once more, on a new one
                    continue
                log.warning("events webhook %s: %s", self.shown, failure or type(failure).__name__)
                return False
            if response.will_close:
                self.close()
            if 200 <= response.status < 300:
                return True
            log.warning("events webhook %s answered %d", self.shown, response.status)
            return False

    def _connect(self) -> http.client.HTTPConnection:
        if self._https:
            context = ssl.create_default_context()
            self._connection = http.client.HTTPSConnection(
                self._host, self._port, timeout=self._timeout, context=context
            )
        else:
            self._connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class EventBridge:
    def __init__(self, client: Any):
        self.name = EVENTBRIDGE
        self.run = PUT_EVENTS_LIMIT
        self._client = client

    @classmethod
    def from_environment(cls, region: str, environ: Mapping[str, str]) -> EventBridge:
        """The client stepwell's AWS integrations would use for ``events`` (aws_clients.py reads
        EVENTS_ENDPOINT), answering within TIMEOUT; one attempt per call: delivery.py retries."""
        config = Config(
            connect_timeout=TIMEOUT,
            read_timeout=TIMEOUT,
            retries={"total_max_attempts": 1, "mode": "standard"},
        )
        return cls(AwsClients.from_environment(region, environ, config=config).client("events"))

    def send(self, events: list[bytes]) -> list[bool]:
        entries = [_entry(event) for event in events]
        try:
            answer = self._client.put_events(Entries=entries)
        except Exception as failure:  # botocore's errors, and the network's under them
            log.warning("events to EventBridge: PutEvents failed: %s", failure)
            return [False] * len(events)
        results = answer.get("Entries") or []
        accepted = [bool(result.get("EventId")) and not result.get("ErrorCode") for result in results]
        for result in results:
            if result.get("ErrorCode"):
                log.warning(
                    "events to EventBridge: an entry failed: %s %s",
                    result.get("ErrorCode"),
                    result.get("ErrorMessage", ""),
                )
        return (accepted + [False] * len(events))[: len(events)]

    def close(self) -> None:
        pass


def _entry(event: bytes) -> dict[str, Any]:
    """A PutEvents entry for the event (the bus assigns the id, the account and the region)."""
    parsed = jsoncodec.loads(event, limits=False)
    return {
        "Source": parsed["source"],
        "DetailType": parsed["detail-type"],
        "Detail": jsoncodec.dumps_text(parsed["detail"]),
        "Resources": parsed["resources"],
        "Time": datetime.strptime(parsed["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
    }


def shown_url(url: str) -> str:
    """The URL as logs show it: no user, password or query (where a token would be)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def configured(webhooks: list[str], region: str, environ: Mapping[str, str]) -> list[Destination]:
    """The destinations the options name: each webhook, and EventBridge when EVENTS_ENDPOINT is set."""
    for url in webhooks:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DestinationError(f"--events-webhook {url!r}: not an http:// or https:// URL")
    found: list[Destination] = [Webhook(url) for url in dict.fromkeys(webhooks)]
    if environ.get(EVENTBRIDGE_SWITCH):
        found.append(EventBridge.from_environment(region, environ))
    return found
