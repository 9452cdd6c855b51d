"""History events in AWS's shape (reference §6), numbered as AWS numbers them.

An event is a plain dict exactly as GetExecutionHistory returns it, except that ``timestamp`` is
epoch seconds (the faces format it). Payloads are JSON text, as on the wire.
"""

from __future__ import annotations

from typing import Any

from stepwell.asl import jsoncodec
from stepwell.engine.snapshot import Frame, Snapshot

MAX_EVENTS = 25_000
# The "…Details": {"truncated": false} member of every payload. One shared object: events are
# values that nothing mutates, and a Map of 10,000 items writes 100,000 events.
NOT_TRUNCATED: dict[str, bool] = {"truncated": False}
PAYLOAD_LIMIT = 262_144  # bytes of UTF-8, for inputs, outputs and results


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
    "ActivityScheduleFailed ActivityTimedOut EvaluationFailed ExecutionRedriven MapRunRedriven"
).split()
for _t in _OWN_DETAILS:
    DETAILS_KEY[_t] = _t[0].lower() + _t[1:] + "EventDetails"
for _t in ("MapIterationStarted", "MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"):
    DETAILS_KEY[_t] = _t[0].lower() + _t[1:] + "EventDetails"


# Payloads are compact JSON as ``jsoncodec`` writes it (its one writer, byte for byte what the
# recordings hold). The name stays for the engine modules and the console that import it from
# here; new code calls ``jsoncodec.dumps_text``.
to_json = jsoncodec.dumps_text


def exceeds_payload_limit(text: str) -> bool:
    # A code point is at most 4 UTF-8 bytes: short texts need no encoding to be judged.
    return len(text) * 4 > PAYLOAD_LIMIT and len(text.encode("utf-8")) > PAYLOAD_LIMIT


TERMINAL_EVENTS = frozenset(
    {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
)


class HistoryFull(Exception):
    """The next event would be the last one the history may hold and it does not end the
    execution: AWS writes ExecutionFailed as that event instead."""


class ChildHistoryFull(Exception):
    """A Distributed Map's child execution reached the history limit: AWS fails that child
    execution (its own 25,000 events), not the parent, whose history holds none of them."""

    def __init__(self, frame_id: str):
        super().__init__(frame_id)
        self.frame_id = frame_id


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
        snap = self.snapshot
        if frame is not None and not frame.record:
            if frame.child_execution is not None and snap.history_limit is not None:
                self._count_child_event(frame.child_execution, event_type)
            return 0
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

    def _count_child_event(self, child_execution: str, event_type: str) -> None:
        """One event of a Distributed Map child execution's own history (kept only as a count)."""
        snap = self.snapshot
        root = snap.frames.get(child_execution)
        if root is None:
            return
        event_id = root.child_events + 1
        if (
            snap.history_limit is not None
            and event_id >= snap.history_limit
            and event_type not in TERMINAL_EVENTS
        ):
            raise ChildHistoryFull(child_execution)
        root.child_events = event_id
