"""History event types grouped by what they mean for the console, and reading an event's time and
details."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stepwell.console.history_events import (
    ATTEMPT_START,
    CONTAINER_END,
    CONTAINER_END_ROLE,
    ENTERED,
    EXECUTION,
    EXITED,
    FAILURE_EVENTS,
    ITERATION_ENDED,
    ITERATION_STARTED,
    OTHER,
    STATE_ERRORS,
    details_of,
    role_of,
    timestamp_of,
)


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        ("ExecutionStarted", EXECUTION),
        ("ExecutionFailed", EXECUTION),
        ("TaskStateEntered", ENTERED),
        ("MapStateEntered", ENTERED),
        ("PassStateExited", EXITED),
        ("MapIterationStarted", ITERATION_STARTED),
        ("MapIterationFailed", ITERATION_ENDED),
        ("MapIterationAborted", ITERATION_ENDED),
        ("ParallelStateSucceeded", CONTAINER_END_ROLE),
        ("MapStateAborted", CONTAINER_END_ROLE),
        ("TaskScheduled", OTHER),
        ("MapStateStarted", OTHER),
        ("EvaluationFailed", OTHER),
        ("SomethingNew", OTHER),
    ],
)
def test_roles(kind: str, role: int) -> None:
    assert role_of(kind) == role
    assert role_of(kind) == role  # memoised, same answer


def test_groups() -> None:
    assert "EvaluationFailed" in STATE_ERRORS and "MapStateFailed" in STATE_ERRORS
    assert "TaskSucceeded" not in STATE_ERRORS
    assert {"TaskScheduled", "ParallelStateStarted", "MapStateStarted"} <= ATTEMPT_START
    expected = {
        f"{kind}State{end}" for kind in ("Parallel", "Map") for end in ("Succeeded", "Failed", "Aborted")
    }
    assert expected == CONTAINER_END
    # The red rows: AWS's ERROR level plus Fail states and iteration failures.
    assert {
        "FailStateEntered",
        "ExecutionTimedOut",
        "MapIterationFailed",
        "TaskStateAborted",
    } <= FAILURE_EVENTS
    assert "TaskStateExited" not in FAILURE_EVENTS


def test_timestamps() -> None:
    assert timestamp_of({"timestamp": 1700000000.5}) == 1700000000.5
    assert timestamp_of({"timestamp": 1700000000}) == 1700000000.0
    iso = "2024-05-01T12:00:00.250000+00:00"
    assert timestamp_of({"timestamp": iso}) == datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=UTC).timestamp()
    assert timestamp_of({"timestamp": "timestamp"}) is None  # the recordings' placeholder
    assert timestamp_of({}) is None
    assert timestamp_of(None) is None


def test_details_by_the_type_key() -> None:
    entered = {"type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "A"}}
    assert details_of(entered) == {"name": "A"}
    failed = {"type": "ExecutionFailed", "executionFailedEventDetails": {"error": "E"}}
    assert details_of(failed) == {"error": "E"}
    iteration = {"type": "MapIterationStarted", "mapIterationStartedEventDetails": {"name": "M", "index": 2}}
    assert details_of(iteration) == {"name": "M", "index": 2}


def test_details_of_other_events() -> None:
    assert details_of({"type": "MapStateStarted"}) == {}
    assert details_of({"type": "Custom", "customEventDetails": {"x": 1}}) == {"x": 1}
    assert details_of({"type": "TaskStateEntered", "stateEnteredEventDetails": "not an object"}) == {}
