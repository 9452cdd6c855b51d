"""kill -9 the server in the middle of executions of every kind, restart it on the same database,
and check that each execution finishes as if nothing had happened: nothing lost, timers at their
original due time, tokens still valid, and a call that was in flight failed, never run twice.

Each test starts its own `stepwell serve` (a real process) on a fresh database.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError

from stepwell.runtime.batch import IN_FLIGHT_CAUSE, ON_TIME
from stepwell.runtime.runtime import Runtime
from tests.runtime.invokers.http_server import LocalServer
from tests.server.crash_helpers import (
    FUNCTIONS,
    Crash,
    Starter,
    assert_kept,
    at,
    calls,
    client,
    crash_at_random_moments,
    entered,
    lambda_arn,
    of_type,
    wait_until,
)
from tests.server.process import ServerProcess

# How late a timer may fire after its due time, or after the server is back when it was down at
# the due time: a timer re-armed from its restart time rather than its original due time fires a
# whole duration after the restart, and fails these bounds however long the restart took.
LATE = 0.4
ROUNDING = 0.002  # timestamps travel as epoch seconds: a difference may lose a microsecond or so
TASK_THREADS = Runtime.function_workers  # the server's threads for task calls: more calls queue
HTTP_CALLS = TASK_THREADS + 8


def assert_on_time(crash: Crash, began: float, fired: float, expected: float) -> None:
    """A timer set at ``began`` for ``expected`` seconds fired when it was due: not early, and not
    late, unless the server was down at the due time (a slow restart): then as soon as it was back."""
    due = began + expected
    latest = max(due, crash.back_at) + LATE
    assert due - ROUNDING <= fired < latest, (
        f"{fired - began:.6f}s, expected {expected}s (the server was back {crash.back_at - began:.3f}s in)"
    )


def wait_times(events: list[dict[str, Any]]) -> tuple[float, float]:
    """When the first Wait state was entered and when it was exited."""
    return at(of_type(events, "WaitStateEntered")[0]), at(of_type(events, "WaitStateExited")[0])


@pytest.fixture
def crash(tmp_path: Path) -> Iterator[Crash]:
    server = ServerProcess(tmp_path / "stepwell.db", functions=[str(FUNCTIONS)])
    server.start()
    yield Crash(server, tmp_path)
    server.kill()


def wait_then_pass(seconds: int) -> dict[str, Any]:
    return {
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Wait", "Seconds": seconds, "Next": "Done"},
            "Done": {"Type": "Pass", "Result": "done", "ResultPath": "$.result", "End": True},
        },
    }


def activity_machine(activity_arn: str, **timeouts: int) -> dict[str, Any]:
    return {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": activity_arn, "End": True, **timeouts}},
    }


# ---- Wait -------------------------------------------------------------------------------------
def test_wait_ends_at_its_original_due_time(crash: Crash) -> None:
    arn = crash.start(crash.machine(wait_then_pass(3)), {"k": 1})
    crash.wait_for_event(arn, "WaitStateEntered")
    time.sleep(0.5)
    before = crash.history(arn)

    crash.crash_and_restart()

    described, events = crash.finished(arn, "SUCCEEDED")
    assert json.loads(described["output"]) == {"k": 1, "result": "done"}
    assert_kept(before, events)
    assert_on_time(crash, *wait_times(events), 3.0)
    assert entered(events) == {"Wait": 1, "Done": 1}


def test_an_overdue_wait_ends_at_once_after_restart(crash: Crash) -> None:
    arn = crash.start(crash.machine(wait_then_pass(1)), {"k": 2})
    before = crash.wait_for_event(arn, "WaitStateEntered")
    due = at(before[-1]) + 1

    crash.kill()
    time.sleep(max(0.0, due + 1.0 - time.time()))  # down past the due time
    began, listening = crash.restart()

    _, events = crash.finished(arn, "SUCCEEDED")
    assert_kept(before, events)
    exited_at = at(of_type(events, "WaitStateExited")[0])
    assert began <= exited_at < listening + LATE
    assert entered(events) == {"Wait": 1, "Done": 1}


def test_a_wait_survives_two_crashes(crash: Crash) -> None:
    arn = crash.start(crash.machine(wait_then_pass(3)), {"k": 3})
    crash.wait_for_event(arn, "WaitStateEntered")
    crash.crash_and_restart()
    before = crash.history(arn)
    crash.crash_and_restart()

    _, events = crash.finished(arn, "SUCCEEDED")
    assert_kept(before, events)
    assert_on_time(crash, *wait_times(events), 3.0)


# ---- activities -------------------------------------------------------------------------------
def test_an_activity_scheduled_before_the_crash_is_handed_out_after_it(crash: Crash) -> None:
    activity = crash.activity()
    arn = crash.start(crash.machine(activity_machine(activity)), {"job": 1})
    before = crash.wait_for_event(arn, "ActivityScheduled")

    crash.crash_and_restart()

    task = crash.sfn.get_activity_task(activityArn=activity, workerName="after-restart")
    assert json.loads(task["input"]) == {"job": 1}
    crash.sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"done": 1}))
    described, events = crash.finished(arn, "SUCCEEDED")
    assert json.loads(described["output"]) == {"done": 1}
    assert_kept(before, events)
    assert [e["activityStartedEventDetails"]["workerName"] for e in of_type(events, "ActivityStarted")] == [
        "after-restart"
    ]
    assert len(of_type(events, "ActivityScheduled")) == 1


def test_a_token_taken_before_the_crash_still_works_and_is_not_handed_out_again(crash: Crash) -> None:
    activity = crash.activity()
    arn = crash.start(crash.machine(activity_machine(activity)), {"job": 2})
    task = crash.sfn.get_activity_task(activityArn=activity, workerName="before-crash")
    before = crash.wait_for_event(arn, "ActivityStarted")

    crash.crash_and_restart()

    # The task belongs to its worker: a poller after the restart gets nothing.
    impatient = client(crash.server.endpoint, read_timeout=1.0)
    with pytest.raises(Exception, match="Read timeout"):
        impatient.get_activity_task(activityArn=activity, workerName="thief")
    crash.sfn.send_task_heartbeat(taskToken=task["taskToken"])
    crash.sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"done": 2}))
    described, events = crash.finished(arn, "SUCCEEDED")
    assert json.loads(described["output"]) == {"done": 2}
    assert_kept(before, events)
    assert len(of_type(events, "ActivityStarted")) == 1


# ---- callbacks --------------------------------------------------------------------------------
def test_a_callback_token_survives_the_crash(crash: Crash) -> None:
    token_file = crash.folder / "token"
    definition = {
        "StartAt": "Callback",
        "States": {
            "Callback": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {
                    "FunctionName": "save_token",
                    "Payload": {"token.$": "$$.Task.Token", "file": str(token_file)},
                },
                "End": True,
            }
        },
    }
    arn = crash.start(crash.machine(definition), {})
    before = crash.wait_for_event(arn, "TaskSubmitted")
    token = token_file.read_text()

    crash.crash_and_restart()

    crash.sfn.send_task_success(taskToken=token, output=json.dumps({"answer": 42}))
    described, events = crash.finished(arn, "SUCCEEDED")
    assert json.loads(described["output"]) == {"answer": 42}
    assert_kept(before, events)
    types = [e["type"] for e in events]
    assert types.count("TaskScheduled") == types.count("TaskSubmitted") == types.count("TaskSucceeded") == 1


# ---- nested executions ------------------------------------------------------------------------
def test_a_sync_child_that_waits_and_its_parent_both_finish(crash: Crash) -> None:
    child_machine = crash.machine(wait_then_pass(2), name="child")
    parent_definition = {
        "StartAt": "Child",
        "States": {
            "Child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child_machine, "Input": {"from.$": "$.from"}},
                "OutputPath": "$.Output",
                "End": True,
            }
        },
    }
    parent = crash.start(crash.machine(parent_definition, name="parent"), {"from": "parent"})
    parent_before = crash.wait_for_event(parent, "TaskSubmitted")
    child = json.loads(of_type(parent_before, "TaskSubmitted")[0]["taskSubmittedEventDetails"]["output"])[
        "ExecutionArn"
    ]
    child_before = crash.wait_for_event(child, "WaitStateEntered")

    crash.crash_and_restart()

    described, parent_events = crash.finished(parent, "SUCCEEDED")
    assert json.loads(described["output"]) == {"from": "parent", "result": "done"}
    _, child_events = crash.finished(child, "SUCCEEDED")
    assert_kept(parent_before, parent_events)
    assert_kept(child_before, child_events)
    assert_on_time(crash, *wait_times(child_events), 2.0)
    children = crash.sfn.list_executions(stateMachineArn=child_machine)["executions"]
    assert [c["executionArn"] for c in children] == [child]  # started once, not again on recovery
    assert len(of_type(parent_events, "TaskSucceeded")) == 1


# ---- retry back-off -----------------------------------------------------------------------------
def test_a_retry_back_off_survives_the_crash(crash: Crash) -> None:
    counter = crash.counter()
    definition = {
        "StartAt": "Flaky",
        "States": {
            "Flaky": {
                "Type": "Task",
                "Resource": lambda_arn("fail_until"),
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 2}],
                "End": True,
            }
        },
    }
    arn = crash.start(crash.machine(definition), {"counter": str(counter), "failures": 1})
    before = crash.wait_for_event(arn, "LambdaFunctionFailed")
    failed_at = at(of_type(before, "LambdaFunctionFailed")[0])
    time.sleep(0.3)

    crash.crash_and_restart()

    described, events = crash.finished(arn, "SUCCEEDED")
    assert json.loads(described["output"]) == {"calls": 2}
    assert_kept(before, events)
    assert calls(counter) == 2
    retried_at = at(of_type(events, "LambdaFunctionScheduled")[1])
    assert_on_time(crash, failed_at, retried_at, 2.0)
    types = [e["type"] for e in events]
    assert types.count("LambdaFunctionScheduled") == 2 and types.count("LambdaFunctionSucceeded") == 1
    assert entered(events) == {"Flaky": 1}


# ---- a call in flight ---------------------------------------------------------------------------
def in_flight_machine(handler: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Slow",
        "States": {
            "Slow": {
                "Type": "Task",
                "Resource": lambda_arn("count_and_sleep"),
                **handler,
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
            **({"Caught": {"Type": "Pass", "End": True}} if "Catch" in handler else {}),
        },
    }


def test_a_call_in_flight_fails_with_the_recovery_cause_and_is_not_run_again(crash: Crash) -> None:
    counter = crash.counter()
    catch = {"Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Caught"}]}
    arn = crash.start(crash.machine(in_flight_machine(catch)), {"counter": str(counter), "seconds": 3})
    wait_until(lambda: calls(counter) == 1, 10, "the call to start")
    before = crash.history(arn)

    crash.crash_and_restart()

    described, events = crash.finished(arn, "SUCCEEDED")
    recovered = {"Error": "States.TaskFailed", "Cause": IN_FLIGHT_CAUSE}
    assert json.loads(described["output"])["error"] == recovered
    assert "in flight" in IN_FLIGHT_CAUSE and "not run again" in IN_FLIGHT_CAUSE
    assert_kept(before, events)
    [failed] = of_type(events, "LambdaFunctionFailed")
    assert failed["lambdaFunctionFailedEventDetails"] == {k.lower(): v for k, v in recovered.items()}
    assert entered(events) == {"Slow": 1, "Caught": 1}
    time.sleep(0.5)
    assert calls(counter) == 1  # the function was not called again


def test_a_call_in_flight_runs_again_only_because_its_retry_says_so(crash: Crash) -> None:
    counter = crash.counter()
    retry = {"Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 1}]}
    value = {"counter": str(counter), "seconds": 1}
    arn = crash.start(crash.machine(in_flight_machine(retry)), value)
    wait_until(lambda: calls(counter) == 1, 10, "the call to start")
    before = crash.history(arn)

    crash.crash_and_restart()

    described, events = crash.finished(arn, "SUCCEEDED")
    assert json.loads(described["output"]) == value
    assert_kept(before, events)
    assert calls(counter) == 2
    types = [e["type"] for e in events]
    assert types.count("LambdaFunctionScheduled") == 2
    assert types.count("LambdaFunctionFailed") == types.count("LambdaFunctionSucceeded") == 1
    assert entered(events) == {"Slow": 1, "Done": 1}


# ---- queued calls ---------------------------------------------------------------------------------
def test_only_the_calls_handed_to_a_worker_fail_and_the_queued_ones_run_once(tmp_path: Path) -> None:
    """20 executions of a 1.5 s function on 2 worker processes, kill -9 after 1 s: the 2 calls
    that had a worker fail as in flight; the 18 that waited for one run after the restart, once."""
    server = ServerProcess(
        tmp_path / "stepwell.db", functions=[str(FUNCTIONS)], extra=["--function-workers", "2"]
    )
    crash = Crash(server.start(), tmp_path)
    try:
        machine = crash.machine(
            {
                "StartAt": "Slow",
                "States": {"Slow": {"Type": "Task", "Resource": lambda_arn("count_and_sleep"), "End": True}},
            }
        )
        counters = {f"e{n}": crash.counter(f"e{n}") for n in range(20)}
        began = time.monotonic()
        arns = {
            name: crash.start(machine, {"counter": str(counter), "seconds": 1.5}, name=name)
            for name, counter in counters.items()
        }
        time.sleep(max(0.0, began + 1.0 - time.monotonic()))
        ran_before = {name for name, counter in counters.items() if calls(counter)}
        crash.crash_and_restart()

        assert 1 <= len(ran_before) <= 2, ran_before  # one call per worker had started
        failed = set()
        for name, arn in arns.items():
            described = crash.wait_done(arn, timeout=40)
            if described["status"] == "FAILED":
                assert (described["error"], described["cause"]) == ("States.TaskFailed", IN_FLIGHT_CAUSE)
                failed.add(name)
            else:
                crash.finished(arn, "SUCCEEDED")
        assert failed == ran_before  # only the calls handed over are in doubt
        for name, counter in counters.items():
            assert calls(counter) == 1, name  # every call ran, and none ran twice
    finally:
        server.kill()


def test_an_http_call_fails_only_if_its_request_was_sent(tmp_path: Path) -> None:
    """HTTP Tasks beyond the server's task threads wait in a queue: after a kill -9, the requests
    that were sent fail as in flight, the queued ones are sent after the restart, once each."""
    web = LocalServer().start()
    allow = ["--http-allow", "127.0.0.1"]
    server = ServerProcess(tmp_path / "stepwell.db", extra=allow).start()
    crash = Crash(server, tmp_path)
    try:
        call = {
            "Type": "Task",
            "Resource": "arn:aws:states:::http:invoke",
            "Parameters": {
                "ApiEndpoint": f"{web.base}/slow",
                "Method": "GET",
                "QueryParameters": {"n.$": "$.n"},
            },
            "End": True,
        }
        machine = crash.machine({"StartAt": "Call", "States": {"Call": call}})
        arns = {str(n): crash.start(machine, {"n": str(n)}) for n in range(HTTP_CALLS)}
        wait_until(lambda: len(web.state.seen) >= TASK_THREADS, 10, "every task thread to send its request")
        crash.kill()
        sent = [dict(seen.query)["n"] for seen in web.state.seen]
        crash.restart()

        failed = set()
        for n, arn in arns.items():
            described = crash.wait_done(arn, timeout=30)
            if described["status"] == "FAILED":
                assert (described["error"], described["cause"]) == ("States.TaskFailed", IN_FLIGHT_CAUSE)
                failed.add(n)
            else:
                crash.finished(arn, "SUCCEEDED")
        assert len(sent) == TASK_THREADS and failed == set(sent)
        every = sorted(dict(seen.query)["n"] for seen in web.state.seen)
        assert every == sorted(arns), "each request sent exactly once"
    finally:
        server.kill()
        web.stop()


# ---- timeouts -------------------------------------------------------------------------------------
def test_the_execution_timeout_survives_the_crash(crash: Crash) -> None:
    definition = wait_then_pass(30) | {"TimeoutSeconds": 3}
    arn = crash.start(crash.machine(definition), {})
    before = crash.wait_for_event(arn, "WaitStateEntered")
    time.sleep(0.5)

    crash.crash_and_restart()

    _, events = crash.finished(arn, "TIMED_OUT")
    assert_kept(before, events)
    assert_on_time(crash, at(events[0]), at(events[-1]), 3.0)
    assert events[-1]["executionTimedOutEventDetails"]["error"] == "States.Timeout"


def test_an_overdue_execution_timeout_ends_the_execution_at_once(crash: Crash) -> None:
    arn = crash.start(crash.machine(wait_then_pass(30) | {"TimeoutSeconds": 1}), {})
    before = crash.wait_for_event(arn, "WaitStateEntered")

    crash.kill()
    # Down until well past the due time: a timeout handled within ON_TIME of its due time is
    # recorded at the due time (AWS's exact stopDate), a later one when it really fires.
    due = at(before[0]) + 1
    time.sleep(max(0.0, due + ON_TIME + 0.2 - time.time()))
    began, listening = crash.restart()

    described, events = crash.finished(arn, "TIMED_OUT")
    assert_kept(before, events)
    assert began <= at(events[-1]) < listening + LATE
    assert described["stopDate"] == events[-1]["timestamp"]


def test_a_task_timeout_survives_the_crash(crash: Crash) -> None:
    activity = crash.activity()
    arn = crash.start(crash.machine(activity_machine(activity, TimeoutSeconds=3)), {})
    before = crash.wait_for_event(arn, "ActivityScheduled")
    time.sleep(0.5)

    crash.crash_and_restart()

    described, events = crash.finished(arn, "FAILED")
    assert described["error"] == "States.Timeout"
    assert_kept(before, events)
    [timed_out] = of_type(events, "ActivityTimedOut")
    assert timed_out["activityTimedOutEventDetails"]["error"] == "States.Timeout"
    assert_on_time(crash, at(of_type(events, "ActivityScheduled")[0]), at(timed_out), 3.0)


def test_a_heartbeat_timeout_survives_the_crash(crash: Crash) -> None:
    activity = crash.activity()
    definition = activity_machine(activity, TimeoutSeconds=60, HeartbeatSeconds=2)
    # Only a heartbeat timeout is caught: the history says States.Timeout either way.
    catch = [{"ErrorEquals": ["States.HeartbeatTimeout"], "ResultPath": "$.error", "Next": "Caught"}]
    definition["States"]["Work"]["Catch"] = catch
    definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    arn = crash.start(crash.machine(definition), {})
    task = crash.sfn.get_activity_task(activityArn=activity, workerName="worker")
    crash.wait_for_event(arn, "ActivityStarted")
    beat = time.time()
    crash.sfn.send_task_heartbeat(taskToken=task["taskToken"])
    time.sleep(0.3)
    before = crash.history(arn)

    crash.crash_and_restart()

    described, events = crash.finished(arn, "SUCCEEDED")
    assert json.loads(described["output"])["error"]["Error"] == "States.Timeout"
    assert_kept(before, events)
    [timed_out] = of_type(events, "ActivityTimedOut")
    assert timed_out["activityTimedOutEventDetails"] == {"error": "States.Timeout"}
    assert entered(events) == {"Work": 1, "Caught": 1}
    assert_on_time(crash, beat, at(timed_out), 2.0)  # from the last heartbeat, not the restart


def test_heartbeats_after_the_crash_keep_the_task_alive(crash: Crash) -> None:
    activity = crash.activity()
    # HeartbeatSeconds longer than a restart takes (two seconds on a slow machine): the first
    # heartbeat after it is in time.
    arn = crash.start(crash.machine(activity_machine(activity, TimeoutSeconds=60, HeartbeatSeconds=4)), {})
    task = crash.sfn.get_activity_task(activityArn=activity, workerName="worker")
    before = crash.wait_for_event(arn, "ActivityStarted")

    crash.crash_and_restart()

    for _ in range(5):  # 5 s in all: longer than HeartbeatSeconds, alive thanks to the heartbeats
        crash.sfn.send_task_heartbeat(taskToken=task["taskToken"])
        time.sleep(1.0)
    crash.sfn.send_task_success(taskToken=task["taskToken"], output='"alive"')
    described, events = crash.finished(arn, "SUCCEEDED")
    assert described["output"] == '"alive"'
    assert_kept(before, events)


# ---- a crash at a random moment -------------------------------------------------------------------
MIXED: dict[str, Any] = {
    "StartAt": "Pick",
    "States": {
        "Pick": {
            "Type": "Pass",
            "Parameters": {"n.$": "$.n", "items.$": "$.items", "counter.$": "$.counter", "seconds": 0.2},
            "Next": "Mark",
        },
        "Mark": {"Type": "Pass", "Result": "marked", "ResultPath": "$.mark", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Each"},
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Wrap",
                "States": {"Wrap": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": True}},
            },
            "ResultPath": "$.mapped",
            "Next": "Call",
        },
        "Call": {
            "Type": "Task",
            "Resource": lambda_arn("count_and_sleep"),
            "ResultSelector": {"slept.$": "$.seconds"},
            "ResultPath": "$.called",
            # A call in flight at the crash fails with States.TaskFailed: this Retry runs it again.
            "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def mixed_input(crash: Crash, n: int) -> dict[str, Any]:
    return {"n": n, "items": [1, 2, 3], "counter": str(crash.counter(f"e{n}"))}


def mixed_output(value: dict[str, Any]) -> dict[str, Any]:
    return value | {
        "seconds": 0.2,
        "mark": "marked",
        "mapped": [{"v": 1}, {"v": 2}, {"v": 3}],
        "called": {"slept": 0.2},
    }


def check_mixed(crash: Crash, arn: str, value: dict[str, Any], seen: list[dict[str, Any]], why: str) -> None:
    described, events = crash.finished(arn, "SUCCEEDED", timeout=20)
    assert json.loads(described["output"]) == mixed_output(value), why
    assert_kept(seen, events)
    assert entered(events) == {"Pick": 1, "Mark": 1, "Pause": 1, "Each": 1, "Wrap": 3, "Call": 1, "Done": 1}
    scheduled = of_type(events, "LambdaFunctionScheduled")
    failures = of_type(events, "LambdaFunctionFailed")
    assert len(of_type(events, "LambdaFunctionSucceeded")) == 1, why
    assert len(failures) == len(scheduled) - 1, why
    for failure in failures:  # only a crash makes this call fail
        assert failure["lambdaFunctionFailedEventDetails"]["cause"] == IN_FLIGHT_CAUSE, why
    # Never run twice silently: each run of the function follows a scheduling in the history.
    assert calls(Path(value["counter"])) <= len(scheduled), why


def test_a_crash_at_a_random_moment_loses_nothing(crash: Crash) -> None:
    seed = time.time_ns()
    why = f"random seed {seed}"
    machine = crash.machine(MIXED)
    values = {f"e{n}": mixed_input(crash, n) for n in range(40)}
    starter = Starter(crash.server.endpoint, machine, values, seed)
    seen = crash_at_random_moments(crash, starter, random.Random(seed))

    listed = crash.sfn.list_executions(stateMachineArn=machine, maxResults=1000)["executions"]
    assert sorted(e["executionArn"] for e in listed) == sorted(starter.started.values()), why
    for name, arn in starter.started.items():
        check_mixed(crash, arn, values[name], seen.get(name, []), f"{why}, execution {name}")


CALL: dict[str, Any] = MIXED["States"]["Call"]
CHILD = {
    "StartAt": "Pause",
    "States": {
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Call"},
        "Call": {key: value for key, value in CALL.items() if key != "Next"} | {"End": True},
    },
}


def parent_of(child_machine: str) -> dict[str, Any]:
    return {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Result": 0.2, "ResultPath": "$.seconds", "Next": "Child"},
            "Child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child_machine, "Input.$": "$"},
                "OutputPath": "$.Output",
                "End": True,
            },
        },
    }


def test_a_crash_at_a_random_moment_loses_no_nested_execution(crash: Crash) -> None:
    seed = time.time_ns()
    why = f"random seed {seed}"
    child_machine = crash.machine(CHILD, name="child")
    parent_machine = crash.machine(parent_of(child_machine), name="parent")
    values: dict[str, dict[str, Any]] = {
        f"p{n}": {"n": n, "counter": str(crash.counter(f"p{n}"))} for n in range(20)
    }
    starter = Starter(crash.server.endpoint, parent_machine, values, seed)
    seen = crash_at_random_moments(crash, starter, random.Random(seed))

    children = set()
    for name, arn in starter.started.items():
        described, events = crash.finished(arn, "SUCCEEDED", timeout=20)
        expected = values[name] | {"seconds": 0.2, "called": {"slept": 0.2}}
        assert json.loads(described["output"]) == expected, (why, name)
        assert_kept(seen.get(name, []), events)
        types = [e["type"] for e in events]
        for one in ("TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"):
            assert types.count(one) == 1, (why, name, types)
        [submitted] = of_type(events, "TaskSubmitted")
        child = json.loads(submitted["taskSubmittedEventDetails"]["output"])["ExecutionArn"]
        children.add(child)
        _, child_events = crash.finished(child, "SUCCEEDED", timeout=20)
        scheduled = of_type(child_events, "LambdaFunctionScheduled")
        assert calls(Path(values[name]["counter"])) <= len(scheduled), (why, name)
    listed = crash.sfn.list_executions(stateMachineArn=child_machine, maxResults=1000)["executions"]
    assert sorted(e["executionArn"] for e in listed) == sorted(children), why  # one child per parent


def test_a_child_whose_start_the_crash_cut_off_is_started_once_after_restart(crash: Crash) -> None:
    """The parent's TaskScheduled is committed, the child is started by the next transaction: a
    crash in between leaves a scheduled child row that recovery must start, exactly once. The
    window is short, so the server is flooded with parents and killed until a crash falls in it
    (most often within a few tries; the checks hold whether or not it did)."""
    child_machine = crash.machine(wait_then_pass(0), name="child")
    parent_machine = crash.machine(parent_of(child_machine), name="parent")
    rng = random.Random(time.time_ns())
    for _ in range(6):
        flood(crash, parent_machine, rng.uniform(0.3, 0.8))
        cut_off = scheduled_children(crash.server.db)
        crash.restart()

        parents = wait_until(lambda: all_done(crash, parent_machine), 20, "every parent to finish")
        assert {p["status"] for p in parents} == {"SUCCEEDED"}
        children = wait_until(lambda: all_done(crash, child_machine), 20, "every child to finish")
        assert {c["status"] for c in children} == {"SUCCEEDED"}
        assert len(children) == len(parents)  # one child each: none lost, none started twice
        for parent in cut_off:
            _, events = crash.finished(parent, "SUCCEEDED")
            [submitted] = of_type(events, "TaskSubmitted")
            child = json.loads(submitted["taskSubmittedEventDetails"]["output"])["ExecutionArn"]
            crash.finished(child, "SUCCEEDED")
        if cut_off:
            break


def flood(crash: Crash, machine: str, seconds: float) -> None:
    """Start executions from 8 threads for ``seconds``, then kill the server under them."""
    running = True

    def start() -> None:
        starter = client(crash.server.endpoint, read_timeout=5)
        while running:
            try:
                starter.start_execution(stateMachineArn=machine, input="{}")
            except BotoCoreError:  # the kill
                return

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    crash.kill()
    running = False
    for thread in threads:
        thread.join(10)


def scheduled_children(db: Path) -> list[str]:
    """The parents (read from the dead server's database) whose child start was not committed."""
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            "SELECT execution_arn FROM tasks WHERE kind = 'child' AND status = 'scheduled'"
        ).fetchall()
    finally:
        connection.close()
    return [row[0] for row in rows]


def all_done(crash: Crash, machine: str) -> list[dict[str, Any]] | None:
    """Every execution of ``machine`` once none is RUNNING (None until then)."""
    found: list[dict[str, Any]] = []
    for page in crash.sfn.get_paginator("list_executions").paginate(stateMachineArn=machine):
        found.extend(page["executions"])
    return None if any(e["status"] == "RUNNING" for e in found) else found


# ---- mocked test cases ------------------------------------------------------------------------------
def test_a_mocked_test_case_keeps_counting_invocations_across_the_crash(tmp_path: Path) -> None:
    """The invocation numbers of a mock file come from the outbox rows: a restart during a retry
    back-off goes on with the next numbered response, not from 0 again."""
    mocks = tmp_path / "mocks.json"
    mocks.write_text(
        json.dumps(
            {
                "StateMachines": {"machine": {"TestCases": {"Flaky": {"Call": "FailsOnce"}}}},
                "MockedResponses": {
                    "FailsOnce": {
                        "0": {"Throw": {"Error": "Busy", "Cause": "first call"}},
                        "1": {"Return": {"answer": 42}},
                    }
                },
            }
        )
    )
    server = ServerProcess(tmp_path / "stepwell.db", extra=["--mock-config", str(mocks)]).start()
    crash = Crash(server, tmp_path)
    try:
        definition = {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                    "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 1}],
                    "End": True,
                }
            },
        }
        machine = crash.machine(definition)
        arn = str(crash.sfn.start_execution(stateMachineArn=f"{machine}#Flaky", input="{}")["executionArn"])
        before = crash.wait_for_event(arn, "TaskFailed")
        crash.crash_and_restart()
        described, events = crash.finished(arn, "SUCCEEDED")
        assert json.loads(described["output"]) == {"answer": 42}
        assert_kept(before, events)
        assert [e["type"] for e in events].count("TaskScheduled") == 2
    finally:
        server.kill()
