"""Where status-change events go: webhooks (``--events-webhook URL``) and EventBridge (``EVENTS_ENDPOINT``).

A destination is told a run of events, oldest first, and answers which of them it accepted; it
never raises (a failure is an event not accepted, tried again later: delivery.py). Each is used
by one delivery thread only.

- A webhook gets one POST per event, its body the event (``Content-Type: application/json``); a 2xx
  answer accepts it. Anything else (another status, a redirect, no answer within ``timeout``)
  refuses it and the ones after it, which wait, so that the receiver sees them in order.
- EventBridge gets ``PutEvents`` of up to 10 entries (its limit per call) on the default bus:
  ``Source``, ``DetailType``, ``Detail``, ``Resources`` and ``Time`` from the event, the bus giving it
  its own ``id``. An entry the answer reports failed (``ErrorCode``) is not accepted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
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
    def __init__(self, url: str, timeout: float = TIMEOUT):
        self.name = url
        self.run = WEBHOOK_RUN
        self.shown = shown_url(url)
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)

    def send(self, events: list[bytes]) -> list[bool]:
        accepted: list[bool] = []
        for event in events:
            if not self._post(event):
                break
            accepted.append(True)
        return accepted + [False] * (len(events) - len(accepted))

    def _post(self, event: bytes) -> bool:
        try:
            response = self._client.post(
                self.name, content=event, headers={"Content-Type": "application/json"}
            )
        except httpx.HTTPError as failure:
            log.warning("events webhook %s: %s", self.shown, failure or type(failure).__name__)
            return False
        if not response.is_success:
            log.warning("events webhook %s answered %d", self.shown, response.status_code)
            return False
        return True

    def close(self) -> None:
        self._client.close()


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
