"""The event types of an execution history, grouped by what they mean for the console (reference §6.2).

History events are dicts exactly as GetExecutionHistory returns them: ``timestamp``, ``type``, ``id``,
``previousEventId`` and one ``<x>EventDetails`` member.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from stepwell.engine.history import DETAILS_KEY

EXECUTION_END = frozenset({"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"})
CONTAINER_END = frozenset(
    {
        "ParallelStateSucceeded",
        "ParallelStateFailed",
        "ParallelStateAborted",
        "MapStateSucceeded",
        "MapStateFailed",
        "MapStateAborted",
    }
)
ITERATION_END = frozenset({"MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"})
# Events that start a new attempt of a state: "the latest attempt failed" is reset by them.
ATTEMPT_START = frozenset(
    {
        "TaskScheduled",
        "LambdaFunctionScheduled",
        "ActivityScheduled",
        "ParallelStateStarted",
        "MapStateStarted",
    }
)
ATTEMPT_SUCCESS = frozenset(
    {
        "TaskSucceeded",
        "LambdaFunctionSucceeded",
        "ActivitySucceeded",
        "ParallelStateSucceeded",
        "MapStateSucceeded",
    }
)
# The errors a state's attempt can end with (each carries {error, cause} except the container ones).
STATE_ERRORS = frozenset(
    {
        "TaskFailed",
        "TaskStartFailed",
        "TaskSubmitFailed",
        "TaskTimedOut",
        "LambdaFunctionFailed",
        "LambdaFunctionScheduleFailed",
        "LambdaFunctionStartFailed",
        "LambdaFunctionTimedOut",
        "ActivityFailed",
        "ActivityScheduleFailed",
        "ActivityTimedOut",
        "EvaluationFailed",
        "ParallelStateFailed",
        "MapStateFailed",
        "MapRunFailed",
    }
)
STATE_ABORTED = frozenset({"TaskStateAborted", "WaitStateAborted", "ParallelStateAborted", "MapStateAborted"})
# What AWS logs at level ERROR (reference §6.4), plus the activity and JSONata failures: the red rows.
FAILURE_EVENTS = (
    STATE_ERRORS
    | STATE_ABORTED
    | {"ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted", "FailStateEntered"}
    | {"MapIterationFailed", "MapIterationAborted", "MapRunAborted"}
)


def timestamp_of(event: Mapping[str, Any] | None) -> float | None:
    """The event's time in epoch seconds (GetExecutionHistory's JSON number; an ISO 8601 text, as the
    CLI prints it, is read too)."""
    value = event.get("timestamp") if event else None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return None


def details_of(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The event's one ``…EventDetails`` member ({} when it has none)."""
    key = DETAILS_KEY.get(str(event.get("type")))
    if key is not None:
        value = event.get(key)
        return value if isinstance(value, Mapping) else {}
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return value
    return {}


# How the index places each event type (``role_of``).
OTHER, EXECUTION, ENTERED, EXITED, ITERATION_STARTED, ITERATION_ENDED, CONTAINER_END_ROLE = range(7)
_ROLES: dict[str, int] = {}


def role_of(kind: str) -> int:
    role = _ROLES.get(kind)
    if role is None:
        role = _ROLES[kind] = _role(kind)
    return role


def _role(kind: str) -> int:
    if kind.startswith("Execution"):
        return EXECUTION
    if kind.endswith("StateEntered"):
        return ENTERED
    if kind.endswith("StateExited"):
        return EXITED
    if kind == "MapIterationStarted":
        return ITERATION_STARTED
    if kind in ITERATION_END:
        return ITERATION_ENDED
    if kind in CONTAINER_END:
        return CONTAINER_END_ROLE
    return OTHER
