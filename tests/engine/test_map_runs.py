"""A Distributed Map whose STANDARD iterations run as child executions (StartChildExecution): what
the engine asks for, how their ends come back, the Map Run's reports (MapRunChanged), UpdateMapRun
and a redrive."""

from __future__ import annotations

import dataclasses
from typing import Any

from stepwell.engine.commands import Finish, MapRunChanged, StartChildExecution
from stepwell.engine.events import ExecutionStarted, MapRunUpdated, TaskFailed, TaskSucceeded
from tests.engine.driver import START, Run, info, machine_of

PASS_END = {"Type": "Pass", "End": True}


def distributed(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": PASS_END},
        },
        "Label": "Each",
        "End": True,
        **fields,
    }
    return machine_of({"Fan": body})


def started(definition: dict[str, Any], value: Any) -> Run:
    run = Run(definition, start=False)
    run.deliver(
        ExecutionStarted(
            now=START, seed="s", input=value, execution=dataclasses.replace(info(), child_executions=True)
        )
    )
    return run


def children(run: Run, latest: bool = False) -> list[StartChildExecution]:
    source = run.last.commands if latest and run.last is not None else run.commands
    return [c for c in source if isinstance(c, StartChildExecution)]


def reports(run: Run) -> list[MapRunChanged]:
    return [c for c in run.commands if isinstance(c, MapRunChanged)]


def end(run: Run, child: StartChildExecution, output: Any = None, error: str | None = None) -> None:
    common = {"now": run.now, "seed": "s", "task_id": child.task_id}
    if error is None:
        run.deliver(TaskSucceeded(output=output, **common))
    else:
        run.deliver(TaskFailed(error=error, cause=f"{error}!", **common))


def test_each_item_runs_as_a_child_execution_of_the_item_processor() -> None:
    definition = distributed(MaxConcurrency=2, ItemSelector={"value.$": "$$.Map.Item.Value"})
    run = started(definition, ["a", "b", "c"])
    first, second = children(run)
    assert (first.label, first.input, second.input) == ("Each", {"value": "a"}, {"value": "b"})
    assert first.definition == {"StartAt": "Work", "States": {"Work": PASS_END}}
    assert first.map_run_arn.startswith("arn:aws:states:eu-west-3:111122223333:mapRun:Machine/Each:")
    assert first.name != second.name and len(first.name) == 36
    report = reports(run)[-1]
    assert (report.status, report.total, report.running, report.pending, report.max_concurrency) == (
        "RUNNING",
        3,
        2,
        1,
        2,
    )
    end(run, second, "B")
    [third] = children(run, latest=True)
    assert third.input == {"value": "c"}
    end(run, first, "A")
    end(run, third, "C")
    assert run.finish == Finish("SUCCEEDED", output=["A", "B", "C"])
    assert run.types() == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    final = reports(run)[-1]
    assert (final.status, final.succeeded, final.running, final.pending) == ("SUCCEEDED", 3, 0, 0)


def test_a_failure_beyond_the_tolerance_stops_the_other_children() -> None:
    run = started(distributed(MaxConcurrency=2), [1, 2, 3])
    first, second = children(run)
    end(run, first, error="Broken")
    assert run.cancels() == [second.task_id]
    assert run.finish == Finish(
        "FAILED",
        error="States.ExceedToleratedFailureThreshold",
        cause="The specified tolerated failure threshold was exceeded",
    )
    assert run.details("MapRunFailed")["error"] == "States.ExceedToleratedFailureThreshold"
    final = reports(run)[-1]
    assert (final.status, final.failed, final.aborted, final.pending, final.running) == ("FAILED", 1, 1, 1, 0)


def test_tolerated_failures_and_timeouts_are_counted() -> None:
    run = started(distributed(ToleratedFailureCount=2), [1, 2, 3])
    a, b, c = children(run)
    end(run, a, error="States.Timeout")
    end(run, b, error="Broken")
    end(run, c, "ok")
    assert run.finish is not None and run.finish.status == "SUCCEEDED"
    assert run.finish.output[0] == {"Error": "States.Timeout", "Cause": "States.Timeout!"}
    final = reports(run)[-1]
    assert (final.succeeded, final.failed, final.timed_out, final.tolerated_failure_count) == (1, 1, 1, 2)


def test_stopping_the_parent_stops_its_children_and_aborts_the_map_run() -> None:
    run = started(distributed(), [1, 2])
    running = {c.task_id for c in children(run)}
    run.stop()
    assert set(run.cancels()) == running and run.status == "ABORTED"
    assert reports(run)[-1].status == "ABORTED" and reports(run)[-1].aborted == 2


def test_update_map_run_raises_the_concurrency_of_a_running_map_run() -> None:
    run = started(distributed(MaxConcurrency=1), [1, 2, 3, 4])
    assert len(children(run)) == 1
    arn = children(run)[0].map_run_arn
    run.deliver(
        MapRunUpdated(now=run.now, seed="s", map_run_arn=arn, max_concurrency=3, tolerated_failure_count=1)
    )
    assert [c.input for c in children(run, latest=True)] == [2, 3]
    report = reports(run)[-1]
    assert (report.max_concurrency, report.tolerated_failure_count, report.running) == (3, 1, 3)
    run.deliver(MapRunUpdated(now=run.now, seed="s", map_run_arn="arn:nope", max_concurrency=9))
    assert children(run, latest=True) == []


def test_a_redrive_runs_the_failed_and_aborted_items_again_as_new_children() -> None:
    run = started(distributed(MaxConcurrency=2), ["a", "b", "c"])
    first, second = children(run)
    end(run, first, "A")
    [third] = children(run, latest=True)
    end(run, third, error="Broken")  # second is aborted
    assert run.status == "FAILED"
    run.redrive()
    again = children(run, latest=True)
    assert sorted(c.input for c in again) == ["b", "c"]
    assert {c.name for c in again}.isdisjoint({first.name, second.name, third.name})
    assert run.details("MapRunRedriven") == {"mapRunArn": first.map_run_arn, "redriveCount": 1}
    assert reports(run)[-1].status == "RUNNING"
    for child in again:
        end(run, child, child.input.upper())
    assert run.finishes[-1] == Finish("SUCCEEDED", output=["A", "B", "C"])
    assert reports(run)[-1].status == "SUCCEEDED"


def test_without_child_executions_the_iterations_run_inside_the_parent() -> None:
    run = Run(distributed(), [1, 2])  # the in-process runner: no StartChildExecution
    assert children(run) == [] and run.finish == Finish("SUCCEEDED", output=[1, 2])
    assert reports(run)[-1].status == "SUCCEEDED" and reports(run)[-1].succeeded == 2
