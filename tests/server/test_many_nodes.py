"""Several ``stepwell serve`` nodes on one PostgreSQL database are one service, as AWS is one
service: any node answers any call and may advance any execution; activities, callbacks and
function calls work across nodes; when a node dies (kill -9) the survivors adopt its timers and
calls once its lease expires, and every execution completes, exactly once, with a consistent
history."""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.postgres import empty
from tests.server.crash_helpers import (
    FUNCTIONS,
    ROLE,
    Event,
    assert_consistent,
    calls,
    client,
    entered,
    lambda_arn,
    wait_until,
)
from tests.server.process import ServerProcess

LEASE = 2.0  # seconds: a dead node's work is adopted within about this long


class Cluster:
    """Three nodes on one database; each test starts with an empty one."""

    def __init__(self, url: str, folder: Path, size: int = 3):
        self.folder = folder
        self.nodes = [
            ServerProcess(
                url,
                functions=[str(FUNCTIONS)],
                extra=["--node-lease", str(LEASE), "--wait-time-scale", "1"],
                log=folder / f"node{i}.log",
            )
            for i in range(size)
        ]

    def start(self) -> Cluster:
        for node in self.nodes:
            node.start()
        return self

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def client(self, i: int) -> Any:
        return client(self.nodes[i].endpoint)

    def alive(self) -> list[int]:
        return [i for i, n in enumerate(self.nodes) if n.process is not None and n.process.poll() is None]

    def history(self, arn: str, i: int | None = None) -> list[Event]:
        sfn = self.client(self.alive()[0] if i is None else i)
        events: list[Event] = []
        token = None
        while True:
            page = sfn.get_execution_history(
                executionArn=arn, maxResults=1000, **({"nextToken": token} if token else {})
            )
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                return events

    def wait_done(self, arn: str, timeout: float = 40.0) -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            described = self.client(self.alive()[0]).describe_execution(executionArn=arn)
            return described if described["status"] != "RUNNING" else None

        return wait_until(done, timeout, f"{arn} to end", every=0.1)


@pytest.fixture
def cluster(postgres_database: str, tmp_path: Path) -> Iterator[Cluster]:
    empty(postgres_database)
    nodes = Cluster(postgres_database, tmp_path).start()
    yield nodes
    nodes.stop()


def _machine(sfn: Any, definition: dict[str, Any], name: str = "m") -> str:
    return str(
        sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
            "stateMachineArn"
        ]
    )


def test_any_node_answers_any_call(cluster: Cluster) -> None:
    a, b, c = (cluster.client(i) for i in range(3))
    machine = _machine(a, {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": True}}})
    assert b.describe_state_machine(stateMachineArn=machine)["status"] == "ACTIVE"
    started = [c.start_execution(stateMachineArn=machine)["executionArn"] for _ in range(5)]
    for arn in started:
        assert cluster.wait_done(arn)["status"] == "SUCCEEDED"
    listed = {e["executionArn"] for e in a.list_executions(stateMachineArn=machine)["executions"]}
    assert listed == set(started)
    assert [e["type"] for e in cluster.history(started[0], 1)][-1] == "ExecutionSucceeded"


def test_an_activity_scheduled_by_one_node_goes_to_a_worker_polling_another(cluster: Cluster) -> None:
    a, b, c = (cluster.client(i) for i in range(3))
    activity = a.create_activity(name="review")["activityArn"]
    machine = _machine(
        a,
        {
            "StartAt": "A",
            "States": {"A": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 30, "End": True}},
        },
    )
    polled: dict[str, Any] = {}
    poller = threading.Thread(
        target=lambda: polled.update(c.get_activity_task(activityArn=activity, workerName="w"))
    )
    poller.start()
    time.sleep(0.3)  # the poll is open on node C before node A schedules the task
    arn = a.start_execution(stateMachineArn=machine, input='{"doc": 7}')["executionArn"]
    poller.join(10)
    assert json.loads(polled["input"]) == {"doc": 7}, polled
    b.send_task_heartbeat(taskToken=polled["taskToken"])
    b.send_task_success(taskToken=polled["taskToken"], output='{"ok": true}')
    described = cluster.wait_done(arn)
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"ok": True}
    assert_consistent(cluster.history(arn), "SUCCEEDED")


def test_a_callback_sent_to_another_node_resumes_the_task(cluster: Cluster, tmp_path: Path) -> None:
    a, b = cluster.client(0), cluster.client(1)
    token_file = tmp_path / "token"
    machine = _machine(
        a,
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {
                        "FunctionName": lambda_arn("save_token"),
                        "Payload": {"token.$": "$$.Task.Token", "file": str(token_file)},
                    },
                    "End": True,
                }
            },
        },
    )
    arn = a.start_execution(stateMachineArn=machine)["executionArn"]
    token = wait_until(lambda: token_file.exists() and token_file.read_text(), 10, "the token")
    b.send_task_success(taskToken=token, output='{"approved": true}')
    assert cluster.wait_done(arn)["status"] == "SUCCEEDED"


# ---- nodes that die ----------------------------------------------------------------------------
MIXED = {
    "StartAt": "Wait",
    "States": {
        "Wait": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Call"},
        "Call": {
            "Type": "Task",
            "Resource": lambda_arn("count_and_sleep"),
            "Parameters": {"counter.$": "$.counter", "seconds.$": "$.sleep"},
            "ResultPath": "$.called",
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            "Next": "Review",
        },
        # A worker's answer lost with the node that held its poll is a task nobody works on: the
        # heartbeat timeout and a retry schedule it again, as they would on AWS.
        "Review": {
            "Type": "Task",
            "Resource": "ACTIVITY",
            "HeartbeatSeconds": 5,
            "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 3}],
            "ResultPath": "$.review",
            "Next": "Approve",
        },
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {
                "FunctionName": lambda_arn("save_token"),
                "Payload": {"token.$": "$$.Task.Token", "file.$": "$.token_file"},
            },
            "ResultPath": "$.approval",
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


class Workers(threading.Thread):
    """An activity worker and a callback sender that keep going while nodes die: each call goes to
    a living node, and one the death of its node cut short is made again on another."""

    def __init__(self, cluster: Cluster, activity: str, folder: Path):
        super().__init__(daemon=True)
        self.cluster, self.activity, self.folder = cluster, activity, folder
        self.stopping = threading.Event()
        self.answered: set[str] = set()

    def _call(self, operation: str, **kwargs: Any) -> Any:
        read_timeout = 70 if operation == "get_activity_task" else 5
        for _ in range(40):
            node = random.choice(self.cluster.alive())
            try:
                sfn = client(self.cluster.nodes[node].endpoint, read_timeout=read_timeout)
                return getattr(sfn, operation)(**kwargs)
            except Exception as failed:  # the node died under the call: another one answers
                if "TaskTimedOut" in str(failed) or "InvalidToken" in str(failed):
                    return None
                time.sleep(0.1)
        raise AssertionError(f"{operation} failed on every node")

    def run(self) -> None:
        callbacks = threading.Thread(target=self._send_callbacks, daemon=True)
        callbacks.start()
        while not self.stopping.is_set():
            task = self._call("get_activity_task", activityArn=self.activity, workerName="w")
            if task and task.get("taskToken"):
                self._call("send_task_success", taskToken=task["taskToken"], output='{"reviewed": true}')

    def _send_callbacks(self) -> None:
        while not self.stopping.is_set():
            for token_file in self.folder.glob("token-*"):
                token = token_file.read_text()
                if token_file.name not in self.answered and token:
                    self._call("send_task_success", taskToken=token, output='{"approved": true}')
                    self.answered.add(token_file.name)
            time.sleep(0.1)


def test_executions_complete_on_the_survivors_when_nodes_die(cluster: Cluster, tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("STEPWELL_CRASH_SEED", "7")))  # a loop of runs varies it
    a = cluster.client(0)
    activity = a.create_activity(name="review")["activityArn"]
    machine = _machine(a, json.loads(json.dumps(MIXED).replace('"ACTIVITY"', json.dumps(activity))))
    workers = Workers(cluster, activity, tmp_path)
    workers.start()
    started: dict[str, str] = {}
    for n in range(12):
        value = {
            "wait": rng.choice([0, 1, 2]),
            "sleep": rng.choice([0.1, 0.5]),
            "counter": str(tmp_path / f"calls-{n}"),
            "token_file": str(tmp_path / f"token-{n}"),
        }
        node = cluster.client(n % 3)
        started[f"e{n}"] = node.start_execution(
            stateMachineArn=machine, name=f"e{n}", input=json.dumps(value)
        )["executionArn"]
    time.sleep(rng.uniform(0.5, 1.5))
    cluster.nodes[0].kill()
    time.sleep(rng.uniform(0.5, 1.5))
    cluster.nodes[1].kill()
    try:
        for name, arn in started.items():
            described = cluster.wait_done(arn, timeout=60)
            events = cluster.history(arn)
            assert described["status"] == "SUCCEEDED", (name, described, [e["type"] for e in events])
            assert_consistent(events, "SUCCEEDED")
            assert all(count == 1 for count in entered(events).values()), entered(events)
    finally:
        workers.stopping.set()
    # A call in flight when its node died may have run (it fails as interrupted and is retried):
    # never more than once per attempt the history shows.
    for n in range(12):
        attempts = sum(1 for e in cluster.history(started[f"e{n}"]) if e["type"] == "LambdaFunctionScheduled")
        assert calls(tmp_path / f"calls-{n}") <= attempts
