"""RedriveExecution over HTTP on each store: the execution goes on from the state that failed,
timed out or was stopped, with AWS's redrive fields and refusals; a redrive survives kill -9."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.test_server import STORES, _server
from tests.server.conftest import FUNCTIONS
from tests.server.crash_helpers import Crash, calls, lambda_arn, wait_until
from tests.server.process import ServerProcess
from tests.server.support import PARKED, ROLE, aws_error, dumps, unique, wait_for


@pytest.fixture(scope="module", params=STORES)
def sfn(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    server = _server(request, tmp_path_factory.mktemp("redrive"), functions=[str(FUNCTIONS)]).start()
    yield server.client()
    server.stop()


def machine(sfn: Any, definition: dict[str, Any]) -> str:
    made = sfn.create_state_machine(name=unique("redrive"), definition=dumps(definition), roleArn=ROLE)
    return str(made["stateMachineArn"])


def history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    return list(sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"])


def entered(events: list[dict[str, Any]]) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]


FLAKY = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"counter.$": "$.counter", "failures": 1}, "Next": "Work"},
        "Work": {"Type": "Task", "Resource": lambda_arn("fail_until"), "End": True},
    },
}


def test_a_failed_execution_goes_on_from_its_failed_state(sfn: Any, tmp_path: Path) -> None:
    counter = tmp_path / "calls"
    arn = sfn.start_execution(
        stateMachineArn=machine(sfn, FLAKY), input=json.dumps({"counter": str(counter)})
    )["executionArn"]
    failed = wait_for(sfn, arn)
    assert failed["status"] == "FAILED" and failed["error"] == "RuntimeError"
    assert (failed["redriveCount"], failed["redriveStatus"]) == (0, "REDRIVABLE")
    assert "redriveStatusReason" not in failed and "redriveDate" not in failed

    first = sfn.redrive_execution(executionArn=arn, clientToken="fix-1")["redriveDate"]
    again = sfn.redrive_execution(executionArn=arn, clientToken="fix-1")["redriveDate"]
    assert again == first, "the same clientToken redrives once"
    done = wait_for(sfn, arn)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"calls": 2}
    assert calls(counter) == 2, "one call before the redrive, one after"
    assert (done["redriveCount"], done["redriveDate"]) == (1, first)
    assert done["redriveStatus"] == "NOT_REDRIVABLE"
    assert done["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert "error" not in done and "cause" not in done and done["stopDate"] >= first

    events = history(sfn, arn)
    [redriven] = [e for e in events if e["type"] == "ExecutionRedriven"]
    assert redriven["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert events[redriven["id"] - 2]["type"] == "ExecutionFailed"
    assert entered(events) == ["Prepare", "Work", "Work"], "the Pass state is not run again"
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))

    machine_arn = done["stateMachineArn"]
    listed = sfn.list_executions(stateMachineArn=machine_arn, redriveFilter="REDRIVEN")["executions"]
    assert [(e["executionArn"], e["redriveCount"], e["redriveDate"]) for e in listed] == [(arn, 1, first)]
    assert sfn.list_executions(stateMachineArn=machine_arn, redriveFilter="NOT_REDRIVEN")["executions"] == []
    with aws_error("ExecutionNotRedrivable", "Execution is SUCCEEDED and cannot be redriven"):
        sfn.redrive_execution(executionArn=arn)


def test_a_stopped_execution_runs_again_and_can_be_stopped_again(sfn: Any) -> None:
    arn = sfn.start_execution(stateMachineArn=machine(sfn, PARKED))["executionArn"]
    wait_for(sfn, arn, ("RUNNING",))
    with aws_error("ExecutionNotRedrivable", "Execution is RUNNING and cannot be redriven"):
        sfn.redrive_execution(executionArn=arn)
    sfn.stop_execution(executionArn=arn, error="Operator", cause="by hand")
    assert wait_for(sfn, arn)["status"] == "ABORTED"
    sfn.redrive_execution(executionArn=arn)
    running = sfn.describe_execution(executionArn=arn)
    assert (running["status"], running["redriveCount"]) == ("RUNNING", 1)
    assert running["redriveStatusReason"] == "Execution is RUNNING and cannot be redriven"
    assert "stopDate" not in running and "error" not in running
    assert entered(history(sfn, arn)) == ["Park", "Park"]
    sfn.stop_execution(executionArn=arn)
    assert wait_for(sfn, arn)["status"] == "ABORTED"
    sfn.redrive_execution(executionArn=arn)
    assert sfn.describe_execution(executionArn=arn)["redriveCount"] == 2
    sfn.stop_execution(executionArn=arn)


def test_a_timed_out_execution_runs_its_state_again_with_a_new_timeout(sfn: Any, tmp_path: Path) -> None:
    slow = {
        "StartAt": "Slow",
        "TimeoutSeconds": 1,
        "States": {"Slow": {"Type": "Task", "Resource": lambda_arn("slow_first"), "End": True}},
    }
    value = {"counter": str(tmp_path / "calls"), "seconds": 3}
    arn = sfn.start_execution(stateMachineArn=machine(sfn, slow), input=json.dumps(value))["executionArn"]
    timed_out = wait_for(sfn, arn)
    assert timed_out["status"] == "TIMED_OUT" and timed_out["redriveStatus"] == "REDRIVABLE"
    sfn.redrive_execution(executionArn=arn)
    done = wait_for(sfn, arn)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"slept": True}
    assert entered(history(sfn, arn)) == ["Slow", "Slow"]


def test_the_refusals_are_aws_errors(sfn: Any) -> None:
    arn = sfn.start_execution(stateMachineArn=machine(sfn, PARKED))["executionArn"]
    gone = arn.rsplit(":", 1)[0] + ":no-such-execution"
    with aws_error("ExecutionDoesNotExist", f"Execution Does Not Exist: '{gone}'"):
        sfn.redrive_execution(executionArn=gone)
    with aws_error("InvalidArn"):
        sfn.redrive_execution(executionArn="arn:aws:states:us-east-1:123456789012:stateMachine:x")
    with aws_error("ValidationException") as refused:
        sfn.redrive_execution(executionArn=arn, clientToken="x" * 65)
    assert refused.value.response["Error"]["Message"] == (
        f"1 validation error detected: Value '{'x' * 65}' at 'clientToken' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )
    sfn.stop_execution(executionArn=arn)


def test_a_redrive_survives_kill_9(tmp_path: Path) -> None:
    """The redrive is committed before it is answered: killed at once after it, the server goes
    on with the redriven execution when it starts again (its call was queued or in flight: it
    runs, or fails with the recovery cause and the execution can be redriven once more)."""
    crash = Crash(ServerProcess(tmp_path / "stepwell.db", functions=[str(FUNCTIONS)]).start(), tmp_path)
    try:
        counter = crash.counter()
        arn = crash.start(crash.machine(FLAKY), {"counter": str(counter)})
        assert crash.wait_done(arn)["status"] == "FAILED"
        crash.sfn.redrive_execution(executionArn=arn)
        crash.crash_and_restart()
        described = crash.wait_done(arn)
        if described["status"] == "FAILED":  # the call was in flight at the kill
            assert described["redriveCount"] == 1 and described["redriveStatus"] == "REDRIVABLE"
            crash.sfn.redrive_execution(executionArn=arn)
            described = crash.wait_done(arn)
        assert described["status"] == "SUCCEEDED", described
        wait_until(lambda: calls(counter) >= 2, 5, "the second call")
    finally:
        crash.kill()
