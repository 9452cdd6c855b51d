"""What the crash-recovery tests share: a server they kill -9 and restart on the same database,
polling helpers, and the checks that a history is consistent and lost nothing across a crash."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.server.process import ServerProcess

ROLE = "arn:aws:iam::123456789012:role/stepwell-crash-tests"
FUNCTIONS = Path(__file__).with_name("functions.py")
TERMINAL = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}

Event = dict[str, Any]


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


def client(endpoint: str, read_timeout: float = 70.0) -> Any:
    """A fresh client: one made before a kill may hold pooled connections to the dead process."""
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(
            inject_host_prefix=False,
            retries={"total_max_attempts": 1},
            read_timeout=read_timeout,
            connect_timeout=5,
        ),
    )


def wait_until(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.02) -> Any:
    """Poll ``condition`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


class Crash:
    """A stepwell server to crash: ``crash_and_restart`` is kill -9, then a start on the same
    database and port (the same ServerProcess object)."""

    def __init__(self, server: ServerProcess, folder: Path):
        self.server = server
        self.folder = folder
        self.sfn = client(server.endpoint)
        self.back_at = 0.0  # epoch when the last restart listened (0: never restarted)

    # ---- the process -------------------------------------------------------------------------
    def kill(self) -> None:
        self.server.kill()

    def restart(self) -> tuple[float, float]:
        """Start again after a kill; returns (epoch when the start began, epoch when it listens)."""
        began = time.time()
        self.server.start()
        self.sfn = client(self.server.endpoint)
        self.back_at = time.time()
        return began, self.back_at

    def crash_and_restart(self, down_for: float = 0.0) -> tuple[float, float]:
        self.kill()
        if down_for:
            time.sleep(down_for)
        return self.restart()

    # ---- resources ---------------------------------------------------------------------------
    def machine(self, definition: dict[str, Any], name: str = "machine") -> str:
        made = self.sfn.create_state_machine(name=name, roleArn=ROLE, definition=json.dumps(definition))
        return str(made["stateMachineArn"])

    def activity(self, name: str = "work") -> str:
        return str(self.sfn.create_activity(name=name)["activityArn"])

    def start(self, machine_arn: str, value: Any, name: str | None = None) -> str:
        args = {"stateMachineArn": machine_arn, "input": json.dumps(value)}
        if name is not None:
            args["name"] = name
        return str(self.sfn.start_execution(**args)["executionArn"])

    def counter(self, name: str = "calls") -> Path:
        """A file the test functions append one line to per call."""
        return self.folder / f"{name}.count"

    # ---- reading -----------------------------------------------------------------------------
    def describe(self, arn: str) -> dict[str, Any]:
        return dict(self.sfn.describe_execution(executionArn=arn))

    def history(self, arn: str) -> list[Event]:
        events: list[Event] = []
        args: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
        while True:
            page = self.sfn.get_execution_history(**args)
            events.extend(page["events"])
            if not page.get("nextToken"):
                return events
            args["nextToken"] = page["nextToken"]

    def wait_for_event(self, arn: str, event_type: str, count: int = 1, timeout: float = 10.0) -> list[Event]:
        """The history once it holds ``count`` events of ``event_type``."""

        def seen() -> list[Event] | None:
            events = self.history(arn)
            return events if sum(e["type"] == event_type for e in events) >= count else None

        return list(wait_until(seen, timeout, f"{count} x {event_type} in {arn}"))

    def wait_done(self, arn: str, timeout: float = 15.0) -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            described = self.describe(arn)
            return described if described["status"] != "RUNNING" else None

        return dict(wait_until(done, timeout, f"the end of {arn}", every=0.05))

    def finished(self, arn: str, status: str, timeout: float = 15.0) -> tuple[dict[str, Any], list[Event]]:
        """Wait for the end; check the status and that the history is consistent and agrees."""
        described = self.wait_done(arn, timeout)
        assert described["status"] == status, described
        events = self.history(arn)
        assert_consistent(events, status)
        last = events[-1]
        if status == "SUCCEEDED":
            assert last["executionSucceededEventDetails"]["output"] == described["output"]
        return described, events


def calls(counter: Path) -> int:
    return len(counter.read_text().splitlines()) if counter.exists() else 0


def at(event: Event) -> float:
    """An event's timestamp in epoch seconds."""
    return float(event["timestamp"].timestamp())


def of_type(events: list[Event], event_type: str) -> list[Event]:
    return [e for e in events if e["type"] == event_type]


def assert_consistent(events: list[Event], status: str) -> None:
    """ids 1..N without a gap, each previousEventId before its event, exactly one ExecutionStarted
    (first) and one terminal event (last, matching ``status``), every state exited as often as it
    was entered (the failing one excepted when the execution did not succeed)."""
    assert events, "empty history"
    ids = [e["id"] for e in events]
    assert ids == list(range(1, len(events) + 1)), f"ids not contiguous: {ids}"
    for event in events:
        assert 0 <= event["previousEventId"] < event["id"], event
    types = [e["type"] for e in events]
    assert types[0] == "ExecutionStarted" and types.count("ExecutionStarted") == 1, types
    terminal = [t for t in types if t in TERMINAL]
    assert terminal == [types[-1]], f"terminal events {terminal}, last {types[-1]}"
    assert TERMINAL[types[-1]] == status, (types[-1], status)
    if status == "SUCCEEDED":
        assert entered(events) == exited(events), (entered(events), exited(events))


def entered(events: list[Event]) -> Counter[str]:
    """How often each state was entered."""
    names = (e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered"))
    return Counter(names)


def exited(events: list[Event]) -> Counter[str]:
    return Counter(e["stateExitedEventDetails"]["name"] for e in events if e["type"].endswith("StateExited"))


def assert_kept(before: list[Event], after: list[Event]) -> None:
    """Every event seen before the crash is still there, identical, at the same place."""
    assert len(after) >= len(before), (len(before), len(after))
    for old, new in zip(before, after, strict=False):
        assert old == new, f"event {old['id']} changed across the crash:\n{old}\n{new}"


class Starter(threading.Thread):
    """Starts executions, spread over about a second, while the test crashes the server. A start
    the crash cut short is sent again: StartExecution with the same name and input is idempotent
    (a running execution answers with its ARN), so every execution ends up started exactly once."""

    def __init__(self, endpoint: str, machine: str, values: dict[str, Any], seed: int):
        super().__init__(name="crash-test-starter", daemon=True)
        self.endpoint = endpoint
        self.machine = machine
        self.values = values
        self.pauses = random.Random(seed + 1)
        self.started: dict[str, str] = {}  # name -> execution ARN, once the server answered
        self.errors: list[BaseException] = []

    def run(self) -> None:
        try:
            for name, value in self.values.items():
                self._start(name, json.dumps(value))
                time.sleep(self.pauses.uniform(0, 0.05))
        except BaseException as broken:
            self.errors.append(broken)

    def _start(self, name: str, text: str) -> None:
        starter = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            starter = starter or client(self.endpoint, read_timeout=5)
            try:
                answer = starter.start_execution(stateMachineArn=self.machine, name=name, input=text)
                self.started[name] = answer["executionArn"]
                return
            except ClientError as refused:  # started before the crash, and over already
                assert refused.response["Error"]["Code"] == "ExecutionAlreadyExists", refused
                self.started[name] = self.machine.replace(":stateMachine:", ":execution:") + ":" + name
                return
            except BotoCoreError:  # the server died under this call, or is down
                starter = None
                time.sleep(0.05)
        raise AssertionError(f"could not start {name} within 20s")


def crash_at_random_moments(
    crash: Crash, starter: Starter, rng: random.Random, times: int = 2
) -> dict[str, list[Event]]:
    """Run ``starter`` and crash the server ``times`` times at random moments meanwhile; returns
    the histories read just before each crash (committed: they must survive it)."""
    starter.start()
    seen: dict[str, list[Event]] = {}
    for _ in range(times):
        time.sleep(rng.uniform(0.05, 1.5))
        for name, arn in list(starter.started.items())[:: rng.randint(2, 5)]:
            seen[name] = crash.history(arn)
        crash.crash_and_restart()
    starter.join(30)
    assert not starter.errors, starter.errors
    assert sorted(starter.started) == sorted(starter.values)
    return seen
