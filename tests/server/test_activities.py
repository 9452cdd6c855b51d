"""Activities over HTTP: Create (idempotent), Describe, Delete, List, and the worker's side:
GetActivityTask (long poll), SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat, HeartbeatSeconds.

The server holds an empty poll for 60 s. No test waits for that: a poll is started in a thread
before the execution that feeds it; the one empty poll runs beside the whole session and is
checked when the session ends (fixture ``empty_poll``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import pytest

from tests.server.process import ServerProcess
from tests.server.support import (
    ACCOUNT_PREFIX,
    aws_error,
    create_machine,
    details,
    event_types,
    history,
    unique,
    wait_for,
    wait_for_event,
)

POLL_SECONDS = 60.0
TASK_TIMED_OUT = "Task Timed Out: 'Provided task does not exist anymore'"


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(2) as threads:
        yield threads


@pytest.fixture
def worker(server: ServerProcess) -> Any:
    """A client of its own for the polling thread."""
    return server.client()


def _activity(sfn: Any) -> str:
    return str(sfn.create_activity(name=unique("activity"))["activityArn"])


def _activity_machine(sfn: Any, activity: str, **task: Any) -> str:
    state = {"Type": "Task", "Resource": activity, "End": True, **task}
    return create_machine(sfn, {"StartAt": "Work", "States": {"Work": state}})


def _poll(pool: ThreadPoolExecutor, worker: Any, activity: str, name: str = "worker-1") -> Future[Any]:
    return pool.submit(worker.get_activity_task, activityArn=activity, workerName=name)


def _task(sfn: Any, activity: str, execution_input: Any, **task: Any) -> tuple[str, dict[str, Any]]:
    """Start an execution of a one-activity machine and take its task (already queued, so the
    poll answers at once): (execution ARN, GetActivityTask response)."""
    machine = _activity_machine(sfn, activity, **task)
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(execution_input))["executionArn"]
    wait_for_event(sfn, arn, "ActivityScheduled")
    return arn, sfn.get_activity_task(activityArn=activity, workerName="worker-1")


# ---- the empty poll ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def empty_poll(server: ServerProcess) -> Iterator[Future[Any]]:
    """A poll of an activity that never gets a task, started once and checked at the end of the
    session: "If no task is available within 60 seconds, the poll returns a taskToken with a null
    string" (GetActivityTask doc)."""
    client = server.client()
    activity = client.create_activity(name=unique("idle"))["activityArn"]
    threads = ThreadPoolExecutor(1)

    def poll_once() -> tuple[dict[str, Any], float]:
        began = time.monotonic()
        response = client.get_activity_task(activityArn=activity, workerName="idle-worker")
        return response, time.monotonic() - began

    poll = threads.submit(poll_once)
    yield poll
    response, held = poll.result(timeout=POLL_SECONDS + 15)
    threads.shutdown()
    assert not response.get("taskToken"), response
    assert not response.get("input"), response
    assert POLL_SECONDS - 5 <= held <= POLL_SECONDS + 10, held


def test_an_empty_poll_is_held_open(empty_poll: Future[Any]) -> None:
    done, _ = wait([empty_poll], timeout=1.0)
    assert not done  # and the fixture's teardown checks it ends empty after 60 s


# ---- the resource -------------------------------------------------------------------------------


def test_create_is_idempotent_describe_delete(sfn: Any) -> None:
    name = unique("activity")
    created = sfn.create_activity(name=name)
    arn = created["activityArn"]
    assert arn == f"{ACCOUNT_PREFIX}:activity:{name}"
    again = sfn.create_activity(name=name, tags=[{"key": "ignored", "value": "x"}])
    assert again["activityArn"] == arn
    assert again["creationDate"] == created["creationDate"]

    described = sfn.describe_activity(activityArn=arn)
    assert described["activityArn"] == arn
    assert described["name"] == name
    assert described["creationDate"] == created["creationDate"]

    sfn.delete_activity(activityArn=arn)
    with aws_error("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'"):
        sfn.describe_activity(activityArn=arn)


def test_invalid_name(sfn: Any) -> None:
    """Recorded against AWS (reference §1.4)."""
    with aws_error("InvalidName", "Invalid Name: 'TestActivity InvalidName$'"):
        sfn.create_activity(name="TestActivity InvalidName$")


def test_refusals(sfn: Any) -> None:
    missing = f"{ACCOUNT_PREFIX}:activity:{unique('missing')}"
    with aws_error("ActivityDoesNotExist", f"Activity Does Not Exist: '{missing}'"):
        sfn.describe_activity(activityArn=missing)
    with aws_error("ActivityDoesNotExist", f"Activity Does Not Exist: '{missing}'"):
        sfn.get_activity_task(activityArn=missing)
    with aws_error("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"):
        sfn.describe_activity(activityArn="not_a_valid_arn")
    machine = f"{ACCOUNT_PREFIX}:stateMachine:{unique('m')}"
    with aws_error("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: stateMachine'"):
        sfn.describe_activity(activityArn=machine)


def test_list_through_a_paginator(sfn: Any) -> None:
    prefix = unique("listed")
    arns = [sfn.create_activity(name=f"{prefix}-{i}")["activityArn"] for i in range(3)]
    pages = list(sfn.get_paginator("list_activities").paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) >= 2
    assert all(len(p["activities"]) <= 2 for p in pages)
    listed = [a for p in pages for a in p["activities"]]
    mine = [a for a in listed if a["name"].startswith(prefix)]
    assert sorted(a["activityArn"] for a in mine) == sorted(arns)
    assert all(a["creationDate"] for a in mine)
    with aws_error("InvalidToken", "Invalid Token: 'Invalid token'"):
        sfn.list_activities(nextToken="garbage")


# ---- workers ------------------------------------------------------------------------------------


def test_a_long_poll_receives_a_task_started_after_it(
    sfn: Any, worker: Any, pool: ThreadPoolExecutor
) -> None:
    activity = _activity(sfn)
    machine = _activity_machine(sfn, activity)
    poll = _poll(pool, worker, activity, name="long-poller")
    time.sleep(0.2)  # the poll is waiting before the task exists
    assert not poll.done()

    arn = sfn.start_execution(stateMachineArn=machine, input='{"job": 7}')["executionArn"]
    task = poll.result(timeout=10)

    assert task["taskToken"]
    assert json.loads(task["input"]) == {"job": 7}
    started = wait_for_event(sfn, arn, "ActivityStarted")
    assert details(started) == {"workerName": "long-poller"}

    sfn.send_task_success(taskToken=task["taskToken"], output='{"done": true}')

    described = wait_for(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"done": True}
    events = history(sfn, arn)
    assert event_types(events) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = details(events[2])
    assert scheduled["resource"] == activity
    assert json.loads(scheduled["input"]) == {"job": 7}
    assert json.loads(details(events[4])["output"]) == {"done": True}


def test_a_poll_takes_a_task_queued_before_it(sfn: Any) -> None:
    activity = _activity(sfn)
    arn, task = _task(sfn, activity, {"queued": True})
    assert json.loads(task["input"]) == {"queued": True}
    sfn.send_task_success(taskToken=task["taskToken"], output="[1, 2]")
    assert json.loads(wait_for(sfn, arn)["output"]) == [1, 2]


def test_each_task_goes_to_one_worker(sfn: Any) -> None:
    activity = _activity(sfn)
    machine = _activity_machine(sfn, activity)
    arns = [
        sfn.start_execution(stateMachineArn=machine, input=json.dumps({"i": i}))["executionArn"]
        for i in range(3)
    ]
    for arn in arns:
        wait_for_event(sfn, arn, "ActivityScheduled")
    tasks = [sfn.get_activity_task(activityArn=activity) for _ in arns]
    assert sorted(json.loads(t["input"])["i"] for t in tasks) == [0, 1, 2]
    assert len({t["taskToken"] for t in tasks}) == 3
    for t in tasks:
        sfn.send_task_success(taskToken=t["taskToken"], output=t["input"])
    assert [json.loads(wait_for(sfn, arn)["output"])["i"] for arn in arns] == [0, 1, 2]


def test_two_waiting_pollers_one_task(sfn: Any, server: ServerProcess, pool: ThreadPoolExecutor) -> None:
    """Of two polls waiting on the same activity, one gets the task; the other keeps waiting
    and gets the next one."""
    activity = _activity(sfn)
    machine = _activity_machine(sfn, activity)
    polls = [_poll(pool, server.client(), activity, name=f"w{i}") for i in range(2)]
    time.sleep(0.2)
    first = sfn.start_execution(stateMachineArn=machine, input='{"n": 1}')["executionArn"]
    done, waiting = wait(polls, timeout=10, return_when=FIRST_COMPLETED)
    assert len(done) == 1
    time.sleep(0.3)
    assert len(waiting) == 1 and not next(iter(waiting)).done()
    second = sfn.start_execution(stateMachineArn=machine, input='{"n": 2}')["executionArn"]
    tasks = [poll.result(timeout=10) for poll in polls]
    assert sorted(json.loads(t["input"])["n"] for t in tasks) == [1, 2]
    for task in tasks:
        sfn.send_task_success(taskToken=task["taskToken"], output=task["input"])
    assert json.loads(wait_for(sfn, first)["output"]) == {"n": 1}
    assert json.loads(wait_for(sfn, second)["output"]) == {"n": 2}


def test_send_task_failure(sfn: Any) -> None:
    activity = _activity(sfn)
    arn, task = _task(sfn, activity, {})
    sfn.send_task_failure(taskToken=task["taskToken"], error="Worker.Broken", cause="disk full")

    described = wait_for(sfn, arn)
    assert described["status"] == "FAILED"
    assert described["error"] == "Worker.Broken"
    assert described["cause"] == "disk full"
    failed = [e for e in history(sfn, arn) if e["type"] == "ActivityFailed"]
    assert [details(e) for e in failed] == [{"error": "Worker.Broken", "cause": "disk full"}]


def test_a_failure_can_be_caught(sfn: Any) -> None:
    activity = _activity(sfn)
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": activity,
                "Catch": [{"ErrorEquals": ["Worker.Broken"], "ResultPath": "$.error", "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Pass", "End": True},
        },
    }
    machine = create_machine(sfn, definition)
    arn = sfn.start_execution(stateMachineArn=machine, input='{"x": 1}')["executionArn"]
    wait_for_event(sfn, arn, "ActivityScheduled")
    task = sfn.get_activity_task(activityArn=activity)
    sfn.send_task_failure(taskToken=task["taskToken"], error="Worker.Broken", cause="why")
    described = wait_for(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"x": 1, "error": {"Error": "Worker.Broken", "Cause": "why"}}


def test_heartbeats_keep_a_task_alive(sfn: Any) -> None:
    activity = _activity(sfn)
    arn, task = _task(sfn, activity, {}, HeartbeatSeconds=1, TimeoutSeconds=30)
    for _ in range(5):  # 1.5 s in all, more than HeartbeatSeconds
        time.sleep(0.3)
        sfn.send_task_heartbeat(taskToken=task["taskToken"])
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=task["taskToken"], output='"alive"')
    described = wait_for(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == "alive"
    # "SendTaskHeartbeat ... does not cause any history event" (botocore doc).
    assert "ActivityHeartbeat" not in event_types(history(sfn, arn))


def test_a_missed_heartbeat_times_the_task_out(sfn: Any) -> None:
    activity = _activity(sfn)
    arn, task = _task(sfn, activity, {}, HeartbeatSeconds=1, TimeoutSeconds=30)

    described = wait_for(sfn, arn)

    assert described["status"] == "FAILED"
    assert described["error"] == "States.Timeout"
    events = history(sfn, arn)
    assert event_types(events)[-2:] == ["ActivityTimedOut", "ExecutionFailed"]
    assert details(events[-2])["error"] == "States.Timeout"
    with aws_error("TaskTimedOut", TASK_TIMED_OUT):
        sfn.send_task_heartbeat(taskToken=task["taskToken"])
    with aws_error("TaskTimedOut", TASK_TIMED_OUT):
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")


def test_timeout_seconds_times_an_unclaimed_task_out(sfn: Any) -> None:
    """TimeoutSeconds counts from ActivityScheduled: no worker ever polls here."""
    activity = _activity(sfn)
    machine = _activity_machine(sfn, activity, TimeoutSeconds=1)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    described = wait_for(sfn, arn)
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Timeout"
    assert "cause" not in described  # measured against AWS: floci-io/floci#2733
    assert "ActivityTimedOut" in event_types(history(sfn, arn))
    assert "ActivityStarted" not in event_types(history(sfn, arn))


def test_a_used_token_is_closed(sfn: Any) -> None:
    activity = _activity(sfn)
    arn, task = _task(sfn, activity, {})
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    wait_for(sfn, arn)
    with aws_error("TaskTimedOut", TASK_TIMED_OUT):
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    with aws_error("TaskTimedOut", TASK_TIMED_OUT):
        sfn.send_task_failure(taskToken=task["taskToken"], error="late")


def test_output_must_be_json(sfn: Any) -> None:
    activity = _activity(sfn)
    arn, task = _task(sfn, activity, {})
    with aws_error("InvalidOutput"):
        sfn.send_task_success(taskToken=task["taskToken"], output="{not json")
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    assert wait_for(sfn, arn)["status"] == "SUCCEEDED"


def test_the_task_of_a_stopped_execution_is_not_handed_out(
    sfn: Any, worker: Any, pool: ThreadPoolExecutor
) -> None:
    activity = _activity(sfn)
    machine = _activity_machine(sfn, activity)
    stopped = sfn.start_execution(stateMachineArn=machine, input='{"which": "stopped"}')["executionArn"]
    wait_for_event(sfn, stopped, "ActivityScheduled")
    sfn.stop_execution(executionArn=stopped)
    wait_for(sfn, stopped)

    poll = _poll(pool, worker, activity)
    assert not wait([poll], timeout=0.5).done  # nothing to hand out
    live = sfn.start_execution(stateMachineArn=machine, input='{"which": "live"}')["executionArn"]
    task = poll.result(timeout=10)
    assert json.loads(task["input"]) == {"which": "live"}
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    assert wait_for(sfn, live)["status"] == "SUCCEEDED"


def test_stopping_the_execution_closes_the_token(sfn: Any) -> None:
    activity = _activity(sfn)
    arn, task = _task(sfn, activity, {})
    sfn.stop_execution(executionArn=arn)
    assert wait_for(sfn, arn)["status"] == "ABORTED"
    with aws_error("TaskTimedOut", TASK_TIMED_OUT):
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")
