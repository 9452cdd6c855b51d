"""The execution page's model on real histories: statuses, the failure banner, iterations, events."""

from __future__ import annotations

import time
from typing import Any

from stepwell.asl.parse import parse_definition
from stepwell.console.execution_view import (
    count_by_status,
    event_rows,
    failure,
    index_history,
    iterations,
    state_statuses,
)
from stepwell.engine.advance import advance
from stepwell.engine.commands import InvokeTask
from stepwell.engine.events import ExecutionStarted, StopRequested, TaskSucceeded
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.local import LocalRunner, execution_info

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


def work(event: Any, context: Any) -> Any:
    if isinstance(event, dict) and event.get("fail"):
        raise ValueError(f"bad item {event.get('n')}")
    return {"done": event}


def run(definition: dict[str, Any], execution_input: Any, **functions: Any) -> list[dict[str, Any]]:
    registry = FunctionRegistry()
    registry.register("work", work)
    for name, function in functions.items():
        registry.register(name, function)
    result = LocalRunner(registry, wait_time_scale=0).run(parse_definition(definition), execution_input)
    return result.events


def task(next_state: str | None = None, **fields: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": LAMBDA + "work", **fields}
    if next_state is None:
        state["End"] = True
    else:
        state["Next"] = next_state
    return state


SUCCESS = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Do work"},
        "Do work": task("Check"),
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.done.n", "NumericEquals": 1, "Next": "Done"}],
            "Default": "Never",
        },
        "Never": {"Type": "Fail", "Error": "Nope"},
        "Done": {"Type": "Succeed"},
    },
}

CAUGHT = {
    "StartAt": "Do work",
    "States": {
        "Do work": task(
            "Done", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handle", "ResultPath": "$.error"}]
        ),
        "Handle": {"Type": "Pass", "End": True},
        "Done": {"Type": "Succeed"},
    },
}

MAP_WITH_PARALLEL = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 1,
            "ItemProcessor": {
                "StartAt": "Both",
                "States": {
                    "Both": {
                        "Type": "Parallel",
                        "Branches": [
                            {"StartAt": "Work", "States": {"Work": task()}},
                            {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}},
                        ],
                        "End": True,
                    }
                },
            },
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
            "Next": "Done",
        },
        "Handle": {"Type": "Pass", "End": True},
        "Done": {"Type": "Succeed"},
    },
}

ITEMS = {"items": [{"n": 0}, {"n": 1, "fail": True}, {"n": 2}]}


# ---- statuses -------------------------------------------------------------------------------------


def test_a_successful_run_colours_what_ran_and_leaves_the_rest_not_run() -> None:
    events = run(SUCCESS, {"n": 1})
    assert state_statuses(SUCCESS, events) == {
        "Prepare": "succeeded",
        "Do~20work": "succeeded",
        "Check": "succeeded",
        "Never": "not_run",
        "Done": "succeeded",
    }
    assert failure(events) is None


def test_an_error_a_catch_handled_is_a_caught_error() -> None:
    events = run(CAUGHT, {"n": 1, "fail": True})
    statuses = state_statuses(CAUGHT, events)
    assert statuses == {"Do~20work": "caught_error", "Handle": "succeeded", "Done": "not_run"}
    assert failure(events) is None


def test_an_uncaught_failure_names_its_state_and_event_in_the_banner() -> None:
    definition = {"StartAt": "Do work", "States": {"Do work": task()}}
    events = run(definition, {"n": 1, "fail": True})
    assert state_statuses(definition, events) == {"Do~20work": "failed"}
    banner = failure(events, definition)
    assert banner is not None
    failed_event = next(e for e in events if e["type"] == "LambdaFunctionFailed")
    assert (banner.type, banner.error, banner.state_id, banner.state_name) == (
        "ExecutionFailed",
        "ValueError",
        "Do~20work",
        "Do work",
    )
    assert banner.event_id == failed_event["id"]
    assert "bad item 1" in (banner.cause or "")


def test_a_state_that_fails_without_an_error_event_is_still_the_one_blamed() -> None:
    # A Pass whose InputPath matches nothing: only ExecutionFailed, pointing at PassStateEntered.
    definition = {
        "StartAt": "Pick",
        "States": {"Pick": {"Type": "Pass", "InputPath": "$.missing", "End": True}},
    }
    events = run(definition, {})
    assert state_statuses(definition, events) == {"Pick": "failed"}
    banner = failure(events, definition)
    assert banner is not None and banner.state_id == "Pick" and banner.error == "States.Runtime"
    assert banner.event_id == 2  # PassStateEntered


def test_map_with_a_failing_iteration_caught_by_the_map() -> None:
    events = run(MAP_WITH_PARALLEL, ITEMS)
    assert state_statuses(MAP_WITH_PARALLEL, events) == {
        "Each": "caught_error",
        "Each/0/Both": "failed",
        "Each/0/Both/0/Work": "failed",
        "Each/0/Both/1/Echo": "succeeded",
        "Handle": "succeeded",
        "Done": "not_run",
    }
    first = state_statuses(MAP_WITH_PARALLEL, events, iteration=("Each", 0))
    assert first["Each/0/Both"] == "succeeded" and first["Each/0/Both/0/Work"] == "succeeded"
    assert first["Each"] == "caught_error"  # states outside the Map keep their status
    second = state_statuses(MAP_WITH_PARALLEL, events, iteration=("Each", 1))
    assert second["Each/0/Both/0/Work"] == "failed" and second["Each/0/Both/1/Echo"] == "succeeded"

    picker = iterations(MAP_WITH_PARALLEL, events)
    assert [(i.index, i.status) for i in picker["Each"]] == [(0, "succeeded"), (1, "failed")]
    assert count_by_status(picker["Each"]) == {
        "succeeded": 1,
        "failed": 1,
        "caught_error": 0,
        "in_progress": 0,
        "cancelled": 0,
    }
    # The Parallel inside ran once per iteration: its branches are listed per run.
    branches = picker["Each/0/Both"]
    assert [(b.enclosing, b.index, b.status) for b in branches] == [
        ((("Each", 0),), 0, "succeeded"),
        ((("Each", 0),), 1, "succeeded"),
        ((("Each", 1),), 0, "failed"),
        ((("Each", 1),), 1, "succeeded"),
    ]
    by_id = {e["id"]: e for e in events}
    second_iteration = picker["Each"][1]
    assert by_id[second_iteration.first_event_id]["type"] == "MapIterationStarted"
    assert by_id[second_iteration.last_event_id]["type"] == "MapIterationFailed"


def test_an_uncaught_failure_inside_a_map_names_the_inner_state_and_iteration() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 1,
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": task()}},
                "End": True,
            }
        },
    }
    events = run(definition, ITEMS)
    banner = failure(events, definition)
    assert banner is not None
    failed_event = next(e for e in events if e["type"] == "LambdaFunctionFailed")
    assert (banner.state_id, banner.event_id, banner.iteration) == (
        "Each/0/Work",
        failed_event["id"],
        (("Each", 1),),
    )
    assert state_statuses(definition, events) == {"Each": "failed", "Each/0/Work": "failed"}


def test_a_parallel_branch_failure_cancels_its_running_sibling() -> None:
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Slow", "States": {"Slow": task(Resource=LAMBDA + "slow")}},
                    {
                        "StartAt": "Bad",
                        "States": {"Bad": {"Type": "Fail", "Error": "Broken", "Cause": "why"}},
                    },
                ],
                "End": True,
            }
        },
    }

    def slow(event: Any, context: Any) -> Any:
        time.sleep(0.2)
        return event

    events = run(definition, {}, slow=slow)
    assert state_statuses(definition, events) == {
        "Both": "failed",
        "Both/0/Slow": "cancelled",
        "Both/1/Bad": "failed",
    }
    banner = failure(events, definition)
    assert banner is not None and (banner.state_id, banner.error, banner.cause) == (
        "Both/1/Bad",
        "Broken",
        "why",
    )
    assert [(b.index, b.status) for b in iterations(definition, events)["Both"]] == [
        (0, "cancelled"),
        (1, "failed"),
    ]


def test_an_aborted_execution_cancels_the_states_it_was_in() -> None:
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Quick", "States": {"Quick": task()}},
                    {"StartAt": "Long", "States": {"Long": task()}},
                ],
                "Next": "After",
            },
            "After": {"Type": "Pass", "End": True},
        },
    }
    machine = parse_definition(definition)
    info = execution_info("M", "aborted", start_time=1000.0)
    step = advance(machine, None, ExecutionStarted(now=1000.0, seed="s", input={}, execution=info))
    events = list(step.events)
    quick = next(c for c in step.commands if isinstance(c, InvokeTask) and c.state_name == "Quick")
    step = advance(
        machine, step.snapshot, TaskSucceeded(now=1001.0, seed="s", task_id=quick.task_id, output={})
    )
    events += step.events
    step = advance(
        machine, step.snapshot, StopRequested(now=1002.0, seed="s", error="Stopped", cause="by hand")
    )
    events += step.events
    assert events[-1]["type"] == "ExecutionAborted"

    assert state_statuses(definition, events) == {
        "Both": "cancelled",
        "Both/0/Quick": "succeeded",
        "Both/1/Long": "cancelled",
        "After": "not_run",
    }
    banner = failure(events, definition)
    assert banner is not None
    assert (banner.type, banner.error, banner.cause, banner.state_id) == (
        "ExecutionAborted",
        "Stopped",
        "by hand",
        "Both/1/Long",
    )
    # Still running: the same history without its last event.
    assert state_statuses(definition, events[:-1])["Both/1/Long"] == "in_progress"
    assert state_statuses(definition, events[:-1])["Both"] == "in_progress"
    assert failure(events[:-1]) is None


# ---- the event table ------------------------------------------------------------------------------


def test_event_rows_attribute_steps_and_filter() -> None:
    events = run(MAP_WITH_PARALLEL, ITEMS)
    rows, cursor = event_rows(events, limit=1000)
    assert cursor is None and [r.id for r in rows] == [e["id"] for e in events]
    steps = {r.type: r.step for r in rows}
    assert steps["ExecutionStarted"] is None
    assert steps["MapIterationStarted"] == "Each"
    assert steps["LambdaFunctionFailed"] == "Work"
    assert steps["ParallelStateFailed"] == "Both"
    assert steps["MapStateFailed"] == "Each"
    assert rows[0].elapsed_ms == 0 and all(r.elapsed_ms >= 0 for r in rows)

    failures, _ = event_rows(events, failures_only=True)
    assert [r.type for r in failures] == [
        "LambdaFunctionFailed",
        "ParallelStateFailed",
        "MapIterationFailed",
        "MapStateFailed",
    ]
    assert all(r.is_failure for r in failures)

    work_rows, _ = event_rows(events, step="Work")
    # Iteration 0: Entered, Scheduled, Started, Succeeded, Exited; iteration 1 fails before exiting.
    assert {r.step for r in work_rows} == {"Work"} and len(work_rows) == 5 + 4
    by_id, _ = event_rows(events, step="Each/0/Both/0/Work", definition=MAP_WITH_PARALLEL)
    assert [r.id for r in by_id] == [r.id for r in work_rows]
    assert {r.iteration for r in work_rows} == {
        (("Each", 0), ("Each/0/Both", 0)),
        (("Each", 1), ("Each/0/Both", 0)),
    }

    entered, _ = event_rows(events, types={"TaskStateEntered", "PassStateEntered"})
    assert [r.step for r in entered] == ["Work", "Echo", "Work", "Echo", "Handle"]


def test_event_rows_page_by_cursor_both_ways() -> None:
    events = run(MAP_WITH_PARALLEL, ITEMS)
    seen: list[int] = []
    cursor: int | None = None
    while True:
        page, cursor = event_rows(events, after=cursor, limit=7)
        seen += [r.id for r in page]
        assert len(page) <= 7
        if cursor is None:
            break
    assert seen == [e["id"] for e in events]
    backwards, next_cursor = event_rows(events, reverse=True, limit=5)
    assert [r.id for r in backwards] == [e["id"] for e in reversed(events)][:5]
    more, _ = event_rows(events, reverse=True, after=next_cursor, limit=5)
    assert [r.id for r in more] == [e["id"] for e in reversed(events)][5:10]


def test_a_history_of_25000_events() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "Touch", "States": {"Touch": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    events = run(definition, {"items": list(range(6300))})
    assert len(events) == 25_000 and events[-1]["type"] == "ExecutionFailed"  # the history limit
    index = index_history(events, definition)
    statuses = state_statuses(definition, index)
    # The limit struck between two iterations: every Touch that ran finished.
    assert statuses == {"Each": "failed", "Each/0/Touch": "succeeded"}
    picker = iterations(definition, index)["Each"]
    counts = count_by_status(picker)
    assert counts["succeeded"] + counts["cancelled"] + counts["in_progress"] == len(picker)
    assert counts["succeeded"] > 6000
    banner = failure(index)
    assert banner is not None and (banner.error, banner.state_id) == ("States.Runtime", "Each")
    page, cursor = event_rows(index, after=20_000, limit=25)
    assert [r.id for r in page] == list(range(20_001, 20_026)) and cursor == 20_025
    assert {r.step for r in page} <= {"Each", "Touch"}
    failures, _ = event_rows(index, failures_only=True)
    assert failures[-1].type == "ExecutionFailed"


def test_histories_recorded_against_aws_chain_branch_starts_and_evaluation_failures_to_zero() -> None:
    # AWS writes previousEventId 0 on the first event of a Parallel branch and on EvaluationFailed.
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                    {
                        "StartAt": "B",
                        "States": {"B": {"Type": "Pass", "QueryLanguage": "JSONata", "End": True}},
                    },
                ],
                "End": True,
            }
        },
    }

    def event(event_id: int, previous: int, kind: str, **details: Any) -> dict[str, Any]:
        at = f"2026-11-22T19:00:0{event_id}+00:00"  # as the CLI prints them; the API gives epoch seconds
        made: dict[str, Any] = {"id": event_id, "previousEventId": previous, "type": kind, "timestamp": at}
        if details:
            key = {"Entered": "stateEnteredEventDetails", "Exited": "stateExitedEventDetails"}
            made[key.get(kind[-7:], kind[0].lower() + kind[1:] + "EventDetails")] = details
        return made

    events = [
        event(1, 0, "ExecutionStarted", input="{}"),
        event(2, 0, "ParallelStateEntered", name="Both", input="{}"),
        event(3, 2, "ParallelStateStarted"),
        event(4, 0, "PassStateEntered", name="A", input="{}"),
        event(5, 0, "PassStateEntered", name="B", input="{}"),
        event(6, 4, "PassStateExited", name="A", output="{}"),
        event(7, 0, "EvaluationFailed", error="States.QueryEvaluationError", cause="oops", state="B"),
        event(8, 7, "ParallelStateFailed"),
        event(9, 8, "ExecutionFailed", error="States.QueryEvaluationError", cause="oops"),
    ]
    assert state_statuses(definition, events) == {
        "Both": "failed",
        "Both/0/A": "succeeded",
        "Both/1/B": "failed",
    }
    banner = failure(events, definition)
    assert banner is not None and (banner.state_id, banner.event_id) == ("Both/1/B", 7)
    rows, _ = event_rows(events, definition=definition)
    assert rows[-1].elapsed_ms == 8000
    assert [r.state_id for r in rows] == [
        None,
        "Both",
        "Both",
        "Both/0/A",
        "Both/1/B",
        "Both/0/A",
        "Both/1/B",
        "Both",
        None,
    ]
