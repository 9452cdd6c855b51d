"""Open activity tasks read from a history the engine wrote: state, iteration, input, worker."""

from __future__ import annotations

import json
from typing import Any

from stepwell.asl.parse import parse_definition
from stepwell.console.activity_tasks import open_tasks
from stepwell.engine.advance import advance
from stepwell.engine.commands import InvokeTask
from stepwell.engine.events import ExecutionStarted, TaskFailed, TaskStarted, TaskSucceeded
from stepwell.runtime.local import execution_info

ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:approvals"
OTHER = "arn:aws:states:us-east-1:123456789012:activity:other"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:approve:batch-7"
DEFINITION = {
    "StartAt": "Ask each",
    "States": {
        "Ask each": {
            "Type": "Map",
            "ItemsPath": "$.orders",
            "ItemProcessor": {
                "StartAt": "Approve order",
                "States": {
                    "Approve order": {
                        "Type": "Task",
                        "Resource": ACTIVITY,
                        "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 0, "MaxAttempts": 1}],
                        "Next": "Notify",
                    },
                    "Notify": {"Type": "Task", "Resource": OTHER, "End": True},
                },
            },
            "End": True,
        }
    },
}
ORDERS = {"orders": [{"order": 1}, {"order": 2}, {"order": 3}, {"order": 4}]}


def _history() -> list[dict[str, Any]]:
    """Order 1 taken by a worker, order 2 approved (now waiting on the other activity), order 3 failed
    once and retried (its new task waits), order 4 waiting."""
    machine = parse_definition(DEFINITION)
    info = execution_info("approve", "batch-7", start_time=1000.0)
    step = advance(machine, None, ExecutionStarted(now=1000.0, seed="s", input=ORDERS, execution=info))
    events = list(step.events)
    calls = {c.payload["order"]: c for c in step.commands if isinstance(c, InvokeTask)}
    for event in (
        TaskStarted(now=1001.0, seed="s", task_id=calls[1].task_id, worker_name="alice-laptop"),
        TaskSucceeded(now=1002.0, seed="s", task_id=calls[2].task_id, output={"ok": True}),
        TaskFailed(now=1003.0, seed="s", task_id=calls[3].task_id, error="Busy", cause="try later"),
    ):
        step = advance(machine, step.snapshot, event)
        events += step.events
    return events


def test_each_open_task_names_its_state_iteration_input_and_worker() -> None:
    events = _history()
    found = open_tasks(ACTIVITY, EXECUTION, events, DEFINITION)
    by_input = {json.loads(t.input or "null")["order"]: t for t in found}
    assert sorted(by_input) == [1, 3, 4]  # order 2's approval is done
    taken = by_input[1]
    assert (taken.state_name, taken.state_id) == ("Approve order", "Ask~20each/0/Approve~20order")
    assert taken.iteration == (("Ask~20each", 0),)
    assert (taken.worker, taken.started_at, taken.scheduled_at) == ("alice-laptop", 1001.0, 1000.0)
    assert by_input[4].worker is None and by_input[4].started_at is None
    assert by_input[3].iteration == (("Ask~20each", 2),)
    retried = [e["id"] for e in events if e["type"] == "ActivityScheduled"][-1]
    assert by_input[3].scheduled_event_id == retried  # the retry's task, not the failed one
    assert [t.scheduled_event_id for t in found] == sorted(t.scheduled_event_id for t in found)


def test_tasks_of_another_activity_are_not_listed() -> None:
    found = open_tasks(OTHER, EXECUTION, _history(), DEFINITION)
    assert [(t.state_name, json.loads(t.input or "null")) for t in found] == [("Notify", {"ok": True})]


def test_an_ended_execution_has_no_open_task() -> None:
    events = _history()
    ended = [*events, {"id": events[-1]["id"] + 1, "type": "ExecutionAborted", "previousEventId": 0}]
    assert open_tasks(ACTIVITY, EXECUTION, ended, DEFINITION) == []
