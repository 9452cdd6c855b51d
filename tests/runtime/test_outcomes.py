"""One rule for every driver: what a call, a mocked answer and a timer come to, in process and in
the server alike (each was written twice before, and the two had drifted)."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.parse import parse_definition
from stepwell.asl.resources import parse_task_resource
from stepwell.engine.commands import DEADLINE, RETRY, WAIT, StartTimer
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.base import TaskCall
from stepwell.runtime.invokers.router import Invokers
from stepwell.runtime.local import LocalRunner
from stepwell.runtime.mocks import MockedResponse, MockReturn
from stepwell.runtime.mocks import TestCase as MockTestCase
from stepwell.runtime.outcomes import MOCK_WORKER, call_outcome, mocked_events, timer_delay

ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:review"


class BrokenInvokers(Invokers):
    """An invoker with a bug: it raises something other than a TaskError."""

    def invoke(self, call: TaskCall) -> Any:
        raise KeyError("no such thing")


def _task(resource: str, **fields: Any) -> Any:
    return parse_definition(
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, **fields, "End": True}}}
    )


def test_an_invokers_bug_is_a_task_failure_in_process_as_in_the_server() -> None:
    """Before: States.Runtime in process, States.TaskFailed in the server (now both come here)."""
    machine = _task("arn:aws:lambda:us-east-1:123456789012:function:f")
    result = LocalRunner(invokers=BrokenInvokers(FunctionRegistry())).run(machine, {})
    assert (result.status, result.error, result.cause) == ("FAILED", "States.TaskFailed", "'no such thing'")
    event = call_outcome(
        BrokenInvokers(FunctionRegistry()),
        TaskCall(parse_task_resource("arn:aws:lambda:us-east-1:123456789012:function:f"), {}),
        "t1",
        lambda: 5.0,
        callbacks=True,
    )
    assert (type(event).__name__, event.error, event.cause) == (
        "TaskFailed",
        "States.TaskFailed",
        "'no such thing'",
    )


def test_a_mocked_activity_is_taken_by_a_worker_first_in_process_too() -> None:
    """Before: the server wrote ActivityStarted for a mocked activity, the in-process runner not."""
    case = MockTestCase("m", "Happy", {"T": MockedResponse("Done", (MockReturn({"ok": True}),))})
    result = LocalRunner(test_case=case).run(_task(ACTIVITY), {})
    assert result.status == "SUCCEEDED" and result.output == {"ok": True}
    types = [e["type"] for e in result.events]
    assert types[types.index("ActivityScheduled") :][:3] == [
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
    ]
    started = next(e for e in result.events if e["type"] == "ActivityStarted")
    assert started["activityStartedEventDetails"]["workerName"] == MOCK_WORKER


def test_mocked_events_of_a_function_have_no_started() -> None:
    events = mocked_events(
        parse_task_resource("arn:aws:states:::lambda:invoke"), "t1", MockReturn({"a": 1}), lambda: 1.0
    )
    assert [type(e).__name__ for e in events] == ["TaskSucceeded"]


@pytest.mark.parametrize(("purpose", "expected"), [(WAIT, 5.0), (RETRY, 5.0), (DEADLINE, 50.0)])
def test_waits_and_back_offs_are_scaled_deadlines_never(purpose: str, expected: float) -> None:
    command = StartTimer(timer_id="x", due=150.0, purpose=purpose)
    assert timer_delay(command, 100.0, 0.1) == pytest.approx(expected)


def test_a_callback_task_fails_in_process_unless_something_stands_in() -> None:
    resource = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    machine = _task(resource, Parameters={"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"})
    failed = LocalRunner().run(machine, {})
    assert failed.status == "FAILED" and "cannot receive" in (failed.cause or "")
    functions = FunctionRegistry()
    functions.register(resource, lambda event, context: {"stood": "in"})
    stood_in = LocalRunner(functions).run(machine, {})
    assert stood_in.status == "SUCCEEDED" and stood_in.output == {"stood": "in"}
