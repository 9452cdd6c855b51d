"""The iteration picker's data: every Map iteration and Parallel branch with its status, on
histories recorded against AWS."""

from __future__ import annotations

from typing import Any

from stepwell.console.iterations import IterationSummary, count_by_status, iterations
from tests.console.recorded import MAP_BREAK, MAP_CATCH, MAP_RETRY, PARALLEL_CATCH, recorded


def summaries(name: str) -> dict[str, list[IterationSummary]]:
    definition, events = recorded(name)
    return iterations(definition, events)


def test_map_iterations_take_their_status_from_their_own_event() -> None:
    found = summaries(MAP_BREAK)
    assert list(found) == ["MapState"]
    rows = found["MapState"]
    assert [(row.index, row.status) for row in rows] == [
        (0, "succeeded"),
        (1, "succeeded"),
        (2, "succeeded"),
        (3, "succeeded"),
        (4, "failed"),
    ]
    assert rows[0] == IterationSummary("MapState", 0, "succeeded", 6, 11, 4, ())
    assert (rows[4].first_event_id, rows[4].last_event_id) == (30, 34)
    assert count_by_status(rows) == {
        "succeeded": 4,
        "failed": 1,
        "caught_error": 0,
        "in_progress": 0,
        "cancelled": 0,
    }


def test_a_retried_map_lists_the_iterations_of_every_run() -> None:
    rows = summaries(MAP_RETRY)["MapState"]
    assert [(row.index, row.status, row.first_event_id) for row in rows] == [
        (0, "failed", 6),
        (0, "failed", 10),
        (0, "failed", 14),
    ]
    assert {row.visit_event_id for row in rows} == {4}


def test_a_parallel_branch_is_failed_by_its_fail_state() -> None:
    [branch] = summaries(PARALLEL_CATCH)["ParallelState"]
    assert (branch.index, branch.status, branch.first_event_id) == (0, "failed", 4)


def test_a_caught_map_iteration_still_failed() -> None:
    [row] = summaries(MAP_CATCH)["MapState"]
    assert row.status == "failed"


def event(event_id: int, previous: int, kind: str, **details: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": event_id, "previousEventId": previous, "type": kind}
    if kind.endswith("StateEntered"):
        out["stateEnteredEventDetails"] = details
    elif kind.endswith("StateExited"):
        out["stateExitedEventDetails"] = details
    elif details:
        out[kind[0].lower() + kind[1:] + "EventDetails"] = details
    return out


MAP = {
    "StartAt": "M",
    "States": {
        "M": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "T",
                "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}},
            },
            "End": True,
        }
    },
}
RUNNING = [
    event(1, 0, "ExecutionStarted"),
    event(2, 1, "MapStateEntered", name="M"),
    event(3, 2, "MapStateStarted"),
    event(4, 3, "MapIterationStarted", name="M", index=0),
    event(5, 4, "TaskStateEntered", name="T"),
]


def test_an_open_iteration_is_in_progress_until_the_execution_ends() -> None:
    [row] = iterations(MAP, RUNNING)["M"]
    assert row.status == "in_progress"
    [row] = iterations(MAP, [*RUNNING, event(6, 0, "ExecutionAborted")])["M"]
    assert row.status == "cancelled"


def test_an_aborted_iteration_is_cancelled() -> None:
    history = [*RUNNING, event(6, 5, "MapIterationAborted", name="M", index=0)]
    [row] = iterations(MAP, history)["M"]
    assert row.status == "cancelled"


def test_no_container_no_iterations() -> None:
    assert (
        iterations(
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            [event(1, 0, "ExecutionStarted")],
        )
        == {}
    )
    assert count_by_status([]) == {
        "succeeded": 0,
        "failed": 0,
        "caught_error": 0,
        "in_progress": 0,
        "cancelled": 0,
    }
