"""History events in AWS's shape (reference §6), numbered as AWS numbers them.

An event is a plain dict exactly as GetExecutionHistory returns it, except that ``timestamp`` is
epoch seconds (the faces format it). Payloads are JSON text, as on the wire.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from stepwell.engine.snapshot import Frame, Snapshot

MAX_EVENTS = 25_000
# The "…Details": {"truncated": false} member of every payload. One shared object: events are
# values that nothing mutates, and a Map of 10,000 items writes 100,000 events.
NOT_TRUNCATED: dict[str, bool] = {"truncated": False}
PAYLOAD_LIMIT = 262_144  # bytes of UTF-8, for inputs, outputs and results

_slow_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode

# The details member of each event type (reference §6.2).
_STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
DETAILS_KEY: dict[str, str] = {
    **{f"{t}StateEntered": "stateEnteredEventDetails" for t in _STATE_TYPES},
    **{f"{t}StateExited": "stateExitedEventDetails" for t in _STATE_TYPES},
}
_OWN_DETAILS = (
    "ExecutionStarted ExecutionSucceeded ExecutionFailed ExecutionAborted ExecutionTimedOut "
    "MapStateStarted MapRunStarted MapRunFailed TaskScheduled TaskStarted TaskSubmitted TaskSucceeded "
    "TaskFailed TaskStartFailed TaskSubmitFailed TaskTimedOut LambdaFunctionScheduled "
    "LambdaFunctionSucceeded LambdaFunctionFailed LambdaFunctionScheduleFailed LambdaFunctionStartFailed "
    "LambdaFunctionTimedOut ActivityScheduled ActivityStarted ActivitySucceeded ActivityFailed "
    "ActivityScheduleFailed ActivityTimedOut EvaluationFailed"
).split()
for _t in _OWN_DETAILS:
    DETAILS_KEY[_t] = _t[0].lower() + _t[1:] + "EventDetails"
for _t in ("MapIterationStarted", "MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"):
    DETAILS_KEY[_t] = _t[0].lower() + _t[1:] + "EventDetails"


def to_json(value: Any) -> str:
    """Compact JSON text, as AWS writes payloads. orjson is ten times faster than the standard
    library here (this runs once per state transition); the library handles what orjson refuses
    (integers beyond 64 bits)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return _slow_encode(value)


def exceeds_payload_limit(text: str) -> bool:
    # A code point is at most 4 UTF-8 bytes: short texts need no encoding to be judged.
    return len(text) * 4 > PAYLOAD_LIMIT and len(text.encode("utf-8")) > PAYLOAD_LIMIT


TERMINAL_EVENTS = frozenset(
    {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
)


class HistoryFull(Exception):
    """The next event would be the last one the history may hold and it does not end the
    execution: AWS writes ExecutionFailed as that event instead."""


class HistoryWriter:
    """Appends events for one ``advance`` call, chaining ``previousEventId`` per frame."""

    __slots__ = ("events", "now", "snapshot")

    def __init__(self, snapshot: Snapshot, now: float):
        self.snapshot = snapshot
        self.now = now
        self.events: list[dict[str, Any]] = []

    def add(
        self,
        event_type: str,
        frame: Frame | None,
        details: dict[str, Any] | None = None,
        previous: int | None = None,
    ) -> int:
        """Write one event in ``frame``'s chain (or the execution's when frame is None)."""
        if frame is not None and not frame.record:
            return 0
        snap = self.snapshot
        event_id = snap.next_event_id
        if (
            snap.history_limit is not None
            and event_id >= snap.history_limit
            and event_type not in TERMINAL_EVENTS
        ):
            raise HistoryFull
        snap.next_event_id = event_id + 1
        if previous is None:
            previous = frame.last_event_id if frame is not None else 0
        event: dict[str, Any] = {
            "timestamp": self.now,
            "type": event_type,
            "id": event_id,
            "previousEventId": previous,
        }
        if details is not None:
            event[DETAILS_KEY[event_type]] = details
        self.events.append(event)
        if frame is not None:
            frame.last_event_id = event_id
        return event_id
