"""Time: Task timeouts and heartbeats, Wait states, the execution's TimeoutSeconds, and stopping.

The engine reads no clock: it asks for ``StartTimer(id, due, purpose)`` and resumes on
``TimerFired(id)``. Deadlines (task, heartbeat, execution) have purpose ``deadline``; Wait states
``wait``; retry back-offs ``retry``.
"""

from __future__ import annotations

import pytest

from stepwell.engine.commands import Finish, StartTimer
from tests.engine.driver import (
    ACTIVITY_ARN,
    INVOKE_ARN,
    LAMBDA_ARN,
    SQS_TOKEN_ARN,
    START,
    Run,
    machine_of,
    task,
)

PASS_END = {"Type": "Pass", "End": True}


def deadline(run: Run, due: float) -> StartTimer:
    found = [t for t in run.timers() if t.purpose == "deadline" and t.due == due]
    assert len(found) == 1, run.timers()
    return found[0]


# ---- task TimeoutSeconds -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("resource", "timed_out", "details"),
    [
        # timeouts__test_fixed_timeout_lambda
        (LAMBDA_ARN, "LambdaFunctionTimedOut", {"error": "States.Timeout"}),
        # timeouts__test_fixed_timeout_service_lambda
        (
            INVOKE_ARN,
            "TaskTimedOut",
            {"resourceType": "lambda", "resource": "invoke", "error": "States.Timeout"},
        ),
        (ACTIVITY_ARN, "ActivityTimedOut", {"error": "States.Timeout"}),
    ],
)
def test_task_timeout_fails_with_states_timeout(
    resource: str, timed_out: str, details: dict[str, str]
) -> None:
    params = {"FunctionName": "f"} if resource == INVOKE_ARN else {"p": 1}
    run = Run(machine_of({"Start": task(resource, TimeoutSeconds=5, Parameters=params)}))
    timer = deadline(run, START + 5)
    task_id = run.open_task()
    step = run.fire(timer)
    assert [e["type"] for e in step.events] == [timed_out, "ExecutionFailed"]
    last = run.chain()[-3][0]
    assert run.chain()[-2:] == [(last + 1, last, timed_out), (last + 2, last + 1, "ExecutionFailed")]
    assert run.details(timed_out) == details
    assert run.details("ExecutionFailed") == {"error": "States.Timeout"}
    assert run.cancels(latest=True) == [task_id]
    assert run.finish == Finish("FAILED", error="States.Timeout")
    assert step.events[0]["timestamp"] == START + 5


def test_timeout_seconds_path_sets_the_deadline() -> None:
    # timeouts__test_fixed_timeout_service_lambda_with_path
    definition = machine_of(
        {
            "Start": task(
                INVOKE_ARN, TimeoutSecondsPath="$.TimeoutSecondsValue", Parameters={"FunctionName": "f"}
            )
        }
    )
    run = Run(definition, {"TimeoutSecondsValue": 7})
    assert run.details("TaskScheduled")["timeoutInSeconds"] == 7
    assert run.invocations()[0].timeout_seconds == 7
    run.fire(deadline(run, START + 7))
    assert run.types()[-2:] == ["TaskTimedOut", "ExecutionFailed"]


def test_jsonata_timeout_and_heartbeat_expressions() -> None:
    # evaluate_jsonata__test_base_task__HEARTBEAT_SECONDS records heartbeatInSeconds 1, no timeoutInSeconds
    definition = machine_of(
        {
            "Start": task(
                INVOKE_ARN,
                QueryLanguage="JSONata",
                Arguments={"FunctionName": "f"},
                HeartbeatSeconds="{% $variable := 1 %}",
            )
        }
    )
    run = Run(definition)
    details = run.details("TaskScheduled")
    assert details["heartbeatInSeconds"] == 1 and "timeoutInSeconds" not in details
    assert run.invocations()[0].heartbeat_seconds == 1
    definition = machine_of(
        {
            "Start": task(
                INVOKE_ARN,
                QueryLanguage="JSONata",
                Arguments={"FunctionName": "f"},
                TimeoutSeconds="{% $states.input.t * 2 %}",
            )
        }
    )
    run = Run(definition, {"t": 6})
    assert run.details("TaskScheduled")["timeoutInSeconds"] == 12
    deadline(run, START + 12)


def test_timeout_seconds_path_to_a_string_fails_the_state_not_the_engine() -> None:
    definition = machine_of(
        {"Start": task(INVOKE_ARN, TimeoutSecondsPath="$.t", Parameters={"FunctionName": "f"})}
    )
    run = Run(definition, {"t": "soon"})
    assert run.finish is not None and run.finish.status == "FAILED"
    assert run.finish.error == "States.Runtime"


def test_a_result_before_the_deadline_disarms_it() -> None:
    run = Run(
        machine_of(
            {
                "T": task(LAMBDA_ARN, TimeoutSeconds=5, Next="W"),
                "W": {"Type": "Wait", "Seconds": 60, "End": True},
            }
        )
    )
    timer = deadline(run, START + 5)
    run.succeed(output=1, now=START + 1)
    assert timer.timer_id not in run.snap.open_timers
    step = run.fire(timer)
    assert step.events == [] and step.commands == []
    assert run.status == "RUNNING"


def test_a_result_after_the_timeout_is_ignored() -> None:
    definition = machine_of(
        {
            "T": task(LAMBDA_ARN, TimeoutSeconds=5, Catch=[{"ErrorEquals": ["States.Timeout"], "Next": "W"}]),
            "W": {"Type": "Wait", "Seconds": 100, "End": True},
        }
    )
    run = Run(definition)
    task_id = run.open_task()
    run.fire(deadline(run, START + 5))
    assert run.types()[-3:] == ["LambdaFunctionTimedOut", "TaskStateExited", "WaitStateEntered"]
    for late in (run.succeed(task_id, output="late"), run.fail(task_id), run.heartbeat(task_id)):
        assert late.events == [] and late.commands == []
    assert '"Error":"States.Timeout"' in run.details("WaitStateEntered")["input"]


# ---- heartbeats ----------------------------------------------------------------------------
def test_heartbeat_restarts_the_heartbeat_timer() -> None:
    definition = machine_of(
        {
            "T": task(
                SQS_TOKEN_ARN, HeartbeatSeconds=3, TimeoutSeconds=100, Parameters={"t.$": "$$.Task.Token"}
            )
        }
    )
    run = Run(definition)
    first = deadline(run, START + 3)
    step = run.heartbeat(now=START + 2)
    assert step.events == [], "SendTaskHeartbeat writes no history event"
    (second,) = step.commands
    assert isinstance(second, StartTimer) and second.due == START + 5 and second.purpose == "deadline"
    assert second.timer_id != first.timer_id
    # the superseded timer fires at its old due time: nothing happens
    stale = run.fire(first)
    assert stale.events == [] and stale.commands == [] and run.status == "RUNNING"
    run.heartbeat(now=START + 4.5)
    third = run.timers(latest=True)[0]
    assert third.due == START + 7.5
    assert run.fire(second).events == []
    step = run.fire(third)
    assert [e["type"] for e in step.events] == ["TaskTimedOut", "ExecutionFailed"]
    assert run.finish == Finish("FAILED", error="States.Timeout")


def test_heartbeat_on_a_task_without_heartbeat_seconds_does_nothing() -> None:
    run = Run(machine_of({"T": task(SQS_TOKEN_ARN, Parameters={"t.$": "$$.Task.Token"})}))
    step = run.heartbeat()
    assert step.events == [] and step.commands == []


def test_task_result_after_heartbeats_succeeds_and_disarms_every_timer() -> None:
    definition = machine_of({"T": task(ACTIVITY_ARN, HeartbeatSeconds=3, TimeoutSeconds=100)})
    run = Run(definition)
    run.started(worker_name="w", now=START + 1)
    run.heartbeat(now=START + 2)
    run.succeed(output="ok", now=START + 4)
    assert run.status == "SUCCEEDED" and run.snap.open_timers == {}
    assert run.types()[-4:] == [
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


# ---- Wait ----------------------------------------------------------------------------------
WAIT_CASES = [
    ({"Seconds": 10}, {}, START + 10),
    ({"SecondsPath": "$.s"}, {"s": 25}, START + 25),
    ({"Timestamp": "2023-11-14T22:15:00Z"}, {}, START + 100),
    ({"TimestampPath": "$.ts"}, {"ts": "2023-11-14T23:13:20Z"}, START + 3600),
    ({"TimestampPath": "$.ts"}, {"ts": "2023-11-14T22:13:20.500Z"}, START + 0.5),
]


@pytest.mark.parametrize(("fields", "execution_input", "due"), WAIT_CASES)
def test_wait_due_times(fields: dict[str, object], execution_input: dict[str, object], due: float) -> None:
    run = Run(machine_of({"W": {"Type": "Wait", **fields, "Next": "P"}, "P": PASS_END}), execution_input)
    (timer,) = run.timers()
    assert timer.due == due and timer.purpose == "wait"
    assert run.chain() == [(1, 0, "ExecutionStarted"), (2, 0, "WaitStateEntered")]
    step = run.fire(timer)
    # test_wait_timestamp_path: WaitStateEntered · 3←2 WaitStateExited · …
    assert run.chain()[2:] == [
        (3, 2, "WaitStateExited"),
        (4, 3, "PassStateEntered"),
        (5, 4, "PassStateExited"),
        (6, 5, "ExecutionSucceeded"),
    ]
    assert {e["timestamp"] for e in step.events} == {due}
    assert run.finish == Finish("SUCCEEDED", output=execution_input)


def test_jsonata_wait_seconds() -> None:
    definition = machine_of(
        {
            "W": {
                "Type": "Wait",
                "QueryLanguage": "JSONata",
                "Seconds": "{% $states.input.n + 1 %}",
                "End": True,
            }
        }
    )
    (timer,) = Run(definition, {"n": 4}).timers()
    assert timer.due == START + 5


@pytest.mark.parametrize(
    "fields", [{"Seconds": 0}, {"Timestamp": "2020-01-01T00:00:00Z"}, {"TimestampPath": "$.ts"}]
)
def test_wait_for_nothing_completes_without_a_timer(fields: dict[str, object]) -> None:
    run = Run(machine_of({"W": {"Type": "Wait", **fields, "End": True}}), {"ts": "2023-11-14T22:13:20Z"})
    assert run.timers() == []
    assert run.types() == ["ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"]


def test_a_wait_timer_fired_twice_or_unknown_does_nothing() -> None:
    run = Run(
        machine_of(
            {
                "W": {"Type": "Wait", "Seconds": 5, "Next": "W2"},
                "W2": {"Type": "Wait", "Seconds": 5, "End": True},
            }
        )
    )
    first = run.timers()[0]
    run.fire(first)
    assert run.types()[-1] == "WaitStateEntered"
    again = run.fire(first)
    assert again.events == [] and again.commands == []
    assert run.fire("no-such-timer").events == []
    run.fire(run.timers()[-1])
    assert run.status == "SUCCEEDED"


# ---- execution TimeoutSeconds --------------------------------------------------------------
def test_execution_timeout_times_out_and_cancels_open_tasks() -> None:
    run = Run(machine_of({"T": task(LAMBDA_ARN)}, TimeoutSeconds=30))
    timer = deadline(run, START + 30)
    task_id = run.open_task()
    step = run.fire(timer)
    assert [e["type"] for e in step.events] == ["ExecutionTimedOut"]
    # Measured against AWS (floci-io/floci#2782): ExecutionTimedOut's previousEventId is 0.
    assert run.chain()[-1] == (5, 0, "ExecutionTimedOut")
    assert run.cancels(latest=True) == [task_id]
    assert run.finish is not None and run.finish.status == "TIMED_OUT"
    assert run.finish.error == "States.Timeout"
    assert run.snap.open_tasks == {} and run.snap.open_timers == {}
    late = run.succeed(task_id, output=1)
    assert late.events == [] and late.commands == []


def test_execution_timeout_during_a_wait() -> None:
    run = Run(machine_of({"W": {"Type": "Wait", "Seconds": 100, "End": True}}, TimeoutSeconds=5))
    wait = next(t for t in run.timers() if t.purpose == "wait")
    run.fire(deadline(run, START + 5))
    assert run.types() == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]
    assert run.fire(wait).events == []
    assert run.status == "TIMED_OUT"


def test_execution_timeout_after_success_does_nothing() -> None:
    run = Run(machine_of({"P": PASS_END}, TimeoutSeconds=5))
    timer = deadline(run, START + 5)
    assert run.status == "SUCCEEDED"
    step = run.fire(timer)
    assert step.events == [] and step.commands == []


# ---- StopExecution -------------------------------------------------------------------------
def test_stop_during_a_wait_aborts_with_previous_event_zero() -> None:
    # test_stop_execution: 1 ExecutionStarted · 2 WaitStateEntered · 3←0 ExecutionAborted
    run = Run(machine_of({"W": {"Type": "Wait", "Seconds": 100, "End": True}}))
    step = run.stop(error="Stopped", cause="by test", now=START + 3)
    assert run.chain() == [(1, 0, "ExecutionStarted"), (2, 0, "WaitStateEntered"), (3, 0, "ExecutionAborted")]
    assert run.details("ExecutionAborted") == {"error": "Stopped", "cause": "by test"}
    assert step.commands == [Finish("ABORTED", error="Stopped", cause="by test")]
    assert run.fire(run.timers()[0]).events == []


def test_stop_without_error_or_cause() -> None:
    run = Run(machine_of({"W": {"Type": "Wait", "Seconds": 100, "End": True}}))
    run.stop()
    assert "executionAbortedEventDetails" not in run.history[-1] or run.details("ExecutionAborted") == {}
    assert run.finish == Finish("ABORTED")


def test_stop_cancels_every_open_task() -> None:
    definition = machine_of(
        {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "T", "States": {"T": task(LAMBDA_ARN)}},
                "End": True,
            }
        }
    )
    run = Run(definition, [1, 2, 3])
    task_ids = [call.task_id for call in run.invocations()]
    step = run.stop()
    assert sorted(run.cancels(latest=True)) == sorted(task_ids)
    assert [e["type"] for e in step.events] == ["ExecutionAborted"]
    assert run.snap.open_tasks == {}
    for task_id in task_ids:
        assert run.succeed(task_id, output=0).events == []


def test_stop_after_the_end_does_nothing() -> None:
    run = Run(machine_of({"P": PASS_END}))
    step = run.stop()
    assert step.events == [] and step.commands == []
    assert run.status == "SUCCEEDED"
