"""Determinism: ``advance`` reads no clock and draws no random number of its own, so the same
events (same ``now`` and ``seed``) give the same history, commands and snapshot."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from stepwell.engine.advance import advance
from stepwell.engine.events import ExecutionStarted, TaskSucceeded
from tests.engine.driver import START, Run, info, machine_of, task

TOKEN_TASK = task(
    "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    Parameters={"item.$": "$", "token.$": "$$.Task.Token"},
    Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 4, "MaxAttempts": 2, "JitterStrategy": "FULL"}],
    TimeoutSeconds=300,
)

DEFINITION = machine_of(
    {
        "Ids": {
            "Type": "Pass",
            "Parameters": {"id.$": "States.UUID()", "items.$": "$.items"},
            "Next": "Fan",
        },
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Each",
                    "States": {
                        "Each": {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "MaxConcurrency": 2,
                            "ItemProcessor": {"StartAt": "Ask", "States": {"Ask": TOKEN_TASK}},
                            "End": True,
                        }
                    },
                },
                {
                    "StartAt": "Nap",
                    "States": {
                        "Nap": {"Type": "Wait", "Seconds": 30, "Next": "Roll"},
                        "Roll": {
                            "Type": "Pass",
                            "QueryLanguage": "JSONata",
                            "Output": {"r": "{% $random() %}", "u": "{% $uuid() %}"},
                            "End": True,
                        },
                    },
                },
            ],
            "End": True,
        },
    }
)


def script(run: Run) -> None:
    """Drive one execution: fail one token task (jittered retry), answer the rest, fire the timers."""
    first = run.invocations()[0]
    run.tick(3).fail(first.task_id, error="Busy")
    retry = next(t for t in run.timers(latest=True) if t.purpose == "retry")
    wait = next(t for t in run.timers() if t.purpose == "wait")
    run.fire(wait)
    run.fire(retry)
    while run.status == "RUNNING":
        open_calls = [c for c in run.invocations() if c.task_id in run.snap.open_tasks]
        call = open_calls[0]
        run.tick(1).submitted(call.task_id, output={"MessageId": str(call.payload["item"])})
        run.tick(1).succeed(call.task_id, output={"done": call.payload["item"]})


def run_once(seed: str | None = None) -> Run:
    run = Run(DEFINITION, {"items": [1, 2, 3, 4]}, seed=seed)
    script(run)
    return run


def test_same_events_give_identical_histories_commands_and_snapshots() -> None:
    first, second = run_once(), run_once()
    assert first.status == "SUCCEEDED"
    assert first.history == second.history
    assert first.commands == second.commands
    assert first.snap == second.snap
    assert first.finish == second.finish


def test_the_seed_is_the_only_source_of_randomness() -> None:
    a, b = run_once("seed-A"), run_once("seed-B")
    assert a.finish is not None and b.finish is not None
    tokens_a = [c.task_token for c in a.invocations()]
    tokens_b = [c.task_token for c in b.invocations()]
    assert tokens_a != tokens_b, "different seeds give different task tokens"
    assert [e["type"] for e in a.history] == [e["type"] for e in b.history]
    assert (
        a.event("PassStateExited")["stateExitedEventDetails"]
        != b.event("PassStateExited")["stateExitedEventDetails"]
    )


def test_outputs_derived_from_randomness_are_reproducible() -> None:
    run = run_once("fixed")
    again = run_once("fixed")
    assert run.finish == again.finish
    assert run.finish is not None
    roll = run.finish.output[1]
    assert 0 <= roll["r"] < 1 and len(roll["u"]) == 36


def test_replaying_from_a_copied_snapshot_gives_the_same_step() -> None:
    run = Run(DEFINITION, {"items": [1, 2]})
    saved = copy.deepcopy(run.snap)
    call = run.invocations()[0]
    event = TaskSucceeded(now=START + 9, seed="s", task_id=call.task_id, output={"ok": 1})
    original = run.deliver(event)
    replayed = advance(run.machine, saved, event)
    assert replayed.events == original.events
    assert replayed.commands == original.commands
    assert replayed.snapshot == original.snapshot


def test_the_event_now_is_the_only_clock() -> None:
    def start_at(now: float) -> Callable[[], Any]:
        def go() -> Any:
            return advance(
                Run(DEFINITION, start=False).machine,
                None,
                ExecutionStarted(now=now, seed="x", input={"items": [1]}, execution=info()),
            )

        return go

    early, late = start_at(START)(), start_at(START + 100)()
    assert {e["timestamp"] for e in early.events} == {START}
    assert {e["timestamp"] for e in late.events} == {START + 100}
    strip = [{k: v for k, v in e.items() if k != "timestamp"} for e in early.events]
    assert strip == [{k: v for k, v in e.items() if k != "timestamp"} for e in late.events]
