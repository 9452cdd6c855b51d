"""Recorded definitions, mutated, through ValidateStateMachineDefinition, CreateStateMachine,
TestState and, for the machines created, StartExecution (STANDARD) or StartSyncExecution
(EXPRESS) with the case's input, then DescribeExecution and GetExecutionHistory.

Beyond the per-request oracle: every Standard execution ends, or waits for something that can
resume it (an activity, a task, a timer), within a bound; the server keeps answering writes.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import cases
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.definitions import mutated_definition
from tests.fuzz.model import ROLE
from tests.fuzz.oracle import COUNTS, Findings, probe, send_checked
from tests.fuzz.wire import Raw, Wire, write_json
from tests.server.process import ServerProcess

pytestmark = pytest.mark.skipif(not cases.seed_cases(), reason="../shared/conformance is not present")

RUN_SECONDS = 15.0  # a Standard execution has this long to end or to wait on something
SYNC_SECONDS = 40.0  # StartSyncExecution of a machine given TimeoutSeconds 5
# The last history event of an execution that is rightly waiting: on a worker, a task, a timer.
WAITING = frozenset(
    {
        "ActivityScheduled",
        "ActivityStarted",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "WaitStateEntered",
        "MapRunStarted",
    }
)
NAMES = itertools.count()


def _definition(case: dict[str, Any]) -> Any:
    return case["definition"] if isinstance(case.get("definition"), dict) else Raw(case["definition_string"])


def _input(case: dict[str, Any]) -> str:
    return json.dumps(case.get("input", {}))


class Runner:
    def __init__(self, wire: Wire, findings: Findings):
        self.wire = wire
        self.findings = findings

    def call(self, operation: str, request: dict[str, Any], note: str, timeout: float | None = None) -> Any:
        body = write_json(request).encode("utf-8")
        COUNTS[f"definitions:{operation}"] += 1
        reply = send_checked(self.wire, self.findings, operation, body, note=note, timeout=timeout)
        if reply is None or reply.status != 200:
            return None
        return reply.json()

    def run_standard(self, machine_arn: str, text_input: str, note: str) -> None:
        started = self.call("StartExecution", {"stateMachineArn": machine_arn, "input": text_input}, note)
        if not started:
            return
        arn = started["executionArn"]
        deadline = time.monotonic() + RUN_SECONDS
        status = "RUNNING"
        while time.monotonic() < deadline:
            described = self.call("DescribeExecution", {"executionArn": arn}, note)
            if described is None:
                return
            status = described["status"]
            if status != "RUNNING":
                break
            time.sleep(0.02)
        history = self.call(
            "GetExecutionHistory", {"executionArn": arn, "reverseOrder": True, "maxResults": 5}, note
        )
        if status == "RUNNING":
            last = history["events"][0]["type"] if history and history.get("events") else None
            if last not in WAITING:
                self.findings.problem(
                    "StartExecution",
                    f"execution still RUNNING after {RUN_SECONDS:.0f}s, last event {last}",
                    json.dumps({"executionArn": arn}).encode(),
                    note=note,
                )
            self.call("StopExecution", {"executionArn": arn}, note)

    def run_express(self, machine_arn: str, text_input: str, note: str) -> None:
        self.call(
            "StartSyncExecution", {"stateMachineArn": machine_arn, "input": text_input}, note, SYNC_SECONDS
        )


def _bounded(tree: Any, kind: str) -> Any:
    """An Express machine that may loop gets TimeoutSeconds 5 (else it runs its 5 minutes)."""
    if kind == "EXPRESS" and isinstance(tree, dict) and "TimeoutSeconds" not in tree:
        return {**tree, "TimeoutSeconds": 5}
    return tree


def _a_state(tree: Any) -> Any:
    if isinstance(tree, dict) and isinstance(tree.get("States"), dict) and tree["States"]:
        return next(iter(tree["States"].values()))
    return tree


def test_mutated_definitions(
    fuzz_server: ServerProcess, wire: Wire, findings_for: Callable[[str], Findings]
) -> None:
    findings = findings_for("definitions")
    runner = Runner(wire, findings)
    seeds = cases.seed_cases()

    @fuzz_settings(10.0)
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        case = data.draw(st.sampled_from(seeds), label="case")
        tree, how = data.draw(mutated_definition(_definition(case)), label="mutation")
        kind = data.draw(st.sampled_from((case.get("type", "STANDARD"), "STANDARD", "EXPRESS")), label="type")
        note = f"{case['id']} ({kind}): {how}"
        tree = _bounded(tree, kind)
        text = write_json(tree)
        runner.call("ValidateStateMachineDefinition", {"definition": text, "type": kind}, note)
        if data.draw(st.booleans(), label="test state"):
            state = write_json(_a_state(tree))
            runner.call("TestState", {"definition": state, "roleArn": ROLE, "input": _input(case)}, note, 30)
        name = f"fz-{next(NAMES)}"
        created = runner.call(
            "CreateStateMachine", {"name": name, "definition": text, "roleArn": ROLE, "type": kind}, note
        )
        if not created:
            return
        arn = created["stateMachineArn"]
        if kind == "EXPRESS":
            runner.run_express(arn, _input(case), note)
        else:
            runner.run_standard(arn, _input(case), note)
        runner.call("DeleteStateMachine", {"stateMachineArn": arn}, note)

    fuzz()
    probe(fuzz_server.port, findings, "the definitions")
    # A write, too: a stuck executor answers reads but not this.
    runner.call("CreateActivity", {"name": "fz-after-definitions"}, "a write after the definitions", 5)
    findings.check_log("definitions", b"", "after the batch")
    findings.assert_none()
