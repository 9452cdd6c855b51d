"""Bounded steps: no execution runs unbounded inside one ``advance`` call.

A step runs at most STEP_BUDGET states, then asks to be resumed (a RESUME timer due at once);
a Distributed Map's child execution fails alone at its own history limit; an Express execution
ends after five minutes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from stepwell.engine.advance import EXPRESS_MAX_SECONDS, RESUME_TIMER, STEP_BUDGET, advance
from stepwell.engine.commands import RESUME, StartTimer
from stepwell.engine.events import ExecutionStarted, StopRequested, TimerFired
from tests.engine.driver import START, Run, info, machine_of

COUNT_TO = {
    "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
    "Check": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 3000, "Next": "Done"}],
        "Default": "Count",
    },
    "Done": {"Type": "Succeed"},
}

ENDLESS_PROCESSOR = {
    "StartAt": "L",
    "States": {
        "L": {"Type": "Pass", "Next": "C"},
        "C": {
            "Type": "Choice",
            "Choices": [{"Variable": "$$.State.Name", "IsPresent": True, "Next": "L"}],
            "Default": "D",
        },
        "D": {"Type": "Succeed"},
    },
}


def _distributed(processor: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return machine_of(
        {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    **processor,
                },
                "End": True,
                **fields,
            }
        }
    )


def _resume_timers(step: Any) -> list[StartTimer]:
    return [c for c in step.commands if isinstance(c, StartTimer) and c.purpose == RESUME]


def test_a_long_run_of_states_yields_and_resumes_to_the_same_end() -> None:
    run = Run(machine_of(COUNT_TO), {"n": 0}, history_limit=None)
    assert run.finish is not None and run.finish.output == {"n": 3000}
    # 6,001 states: one step could run them all; the budget splits them.
    assert run.resumes == 6001 // STEP_BUDGET
    run.check_ids()


def test_a_step_runs_at_most_the_budget_of_states() -> None:
    machine = Run(machine_of(COUNT_TO), {"n": 0}, start=False).machine
    started = ExecutionStarted(now=START, seed="s", input={"n": 0}, execution=info(), history_limit=None)
    step = advance(machine, None, started)
    entered = [e for e in step.events if e["type"].endswith("StateEntered")]
    assert len(entered) == STEP_BUDGET
    assert _resume_timers(step) == [StartTimer(RESUME_TIMER, START, RESUME)]
    assert step.snapshot.runnable == ["f0"]
    assert step.snapshot.status == "RUNNING"
    resumed = advance(machine, step.snapshot, TimerFired(now=START + 1, seed="t", timer_id=RESUME_TIMER))
    assert resumed.events[0]["type"] in ("PassStateEntered", "ChoiceStateEntered")
    assert resumed.events[0]["id"] == step.events[-1]["id"] + 1
    assert resumed.snapshot.runnable == ["f0"]  # and yields again: 6,001 states need many steps


def test_a_stop_between_steps_ends_the_execution_and_the_resume_timer_is_void() -> None:
    run = Run(machine_of(COUNT_TO), {"n": 0}, start=False)
    started = ExecutionStarted(now=START, seed="s", input={"n": 0}, execution=info(), history_limit=None)
    run._apply(started)
    assert run.snap.open_timers == {RESUME_TIMER: ""}
    run.stop()
    assert run.status == "ABORTED"
    late = run._apply(TimerFired(now=START, seed="x", timer_id=RESUME_TIMER))
    assert late.events == [] and late.commands == []


def test_a_map_of_many_items_yields_between_iterations() -> None:
    definition = machine_of({"M": {"Type": "Map", "ItemProcessor": _pass_processor(), "End": True}})
    run = Run(definition, list(range(1500)), history_limit=None)
    assert run.finish is not None and run.finish.output == list(range(1500))
    assert run.resumes == 1500 // STEP_BUDGET
    run.check_ids()


def _pass_processor() -> dict[str, Any]:
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def test_a_distributed_child_that_never_ends_fails_at_its_own_history_limit() -> None:
    run = Run(_distributed(ENDLESS_PROCESSOR), {"items": [1, 2]}, history_limit=1000)
    assert run.status == "FAILED"
    failed = run.details("ExecutionFailed")
    # The child execution failed (States.Runtime, history full); the Map Run tolerates no failure.
    assert failed == {
        "error": "States.ExceedToleratedFailureThreshold",
        "cause": "The specified tolerated failure threshold was exceeded",
    }
    assert run.details("MapRunFailed") == failed
    # The parent's own history holds the Map Run's events, not the children's.
    assert run.types() == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    run.check_ids()


def test_tolerated_failures_let_the_map_run_go_on_past_a_child_that_fills_its_history() -> None:
    definition = _distributed(
        {
            "StartAt": "Which",
            "States": {
                "Which": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "L"}],
                    "Default": "D",
                },
                **{k: v for k, v in ENDLESS_PROCESSOR["States"].items()},
            },
        },
        ToleratedFailureCount=1,
    )
    run = Run(definition, {"items": [1, 2, 3]}, history_limit=500)
    assert run.status == "SUCCEEDED"
    output = run.finish.output if run.finish else None
    assert output[1:] == [2, 3]
    assert output[0]["Error"] == "States.Runtime"


def test_an_express_execution_ends_after_five_minutes() -> None:
    definition = machine_of({"W": {"Type": "Wait", "Seconds": 3600, "End": True}})
    run = Run(definition, start=False)
    express = replace(info(), machine_type="EXPRESS")
    run.deliver(ExecutionStarted(now=START, seed="s", input={}, execution=express, history_limit=None))
    deadline = [t for t in run.timers() if t.timer_id == "execution-timeout"]
    assert [t.due for t in deadline] == [START + EXPRESS_MAX_SECONDS]
    run.fire(deadline[0])
    assert run.status == "TIMED_OUT"


def test_an_express_timeout_below_five_minutes_is_kept() -> None:
    definition = machine_of({"W": {"Type": "Wait", "Seconds": 3600, "End": True}}, TimeoutSeconds=10)
    run = Run(definition, start=False)
    express = replace(info(), machine_type="EXPRESS")
    run.deliver(ExecutionStarted(now=START, seed="s", input={}, execution=express, history_limit=None))
    assert [t.due for t in run.timers() if t.timer_id == "execution-timeout"] == [START + 10]


def test_stop_requested_while_paused() -> None:
    run = Run(machine_of(COUNT_TO), {"n": 0}, start=False)
    started = ExecutionStarted(now=START, seed="s", input={"n": 0}, execution=info(), history_limit=None)
    run._apply(started)
    step = run._apply(StopRequested(now=START, seed="y"))
    assert step.events[-1]["type"] == "ExecutionAborted"
    assert run.snap.open_timers == {}
