"""`stepwell run` and `stepwell validate` as a user runs them (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "order"


def stepwell(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stepwell.cli", *args], capture_output=True, text=True, timeout=60, check=False
    )


def write(tmp_path: Path, definition: dict[str, Any]) -> str:
    path = tmp_path / "machine.asl.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    return str(path)


def test_run_succeeds_and_prints_history_as_json() -> None:
    done = stepwell(
        "run",
        str(EXAMPLE / "order.asl.json"),
        "--input-file",
        str(EXAMPLE / "input.json"),
        "--functions",
        str(EXAMPLE / "functions.py"),
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "SUCCEEDED"
    assert result["output"] == {"status": "ACCEPTED", "customer": "ada", "total": 43.75}
    events = result["events"]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded"
    assert events[0]["timestamp"].endswith("+00:00")  # ISO-8601, as the AWS CLI prints them
    assert json.loads(events[0]["executionStartedEventDetails"]["input"])["customer"] == "ada"
    assert result["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:execution:order:")


def test_run_failure_exits_1_with_error_and_cause() -> None:
    done = stepwell(
        "run",
        str(EXAMPLE / "order.asl.json"),
        "--input",
        '{"customer": "x", "lines": [{"sku": "gin", "qty": 1}]}',
        "--functions",
        str(EXAMPLE / "functions.py"),
    )
    assert done.returncode == 1
    assert "status: FAILED" in done.stdout
    assert "error:  OrderRejected" in done.stdout
    assert "unknown products: gin" in done.stdout
    assert "FailStateEntered" in done.stdout


def test_run_invalid_definition_exits_2_with_aws_message(tmp_path: Path) -> None:
    path = write(tmp_path, {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    done = stepwell("run", path)
    assert done.returncode == 2
    assert done.stderr.startswith("Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: ")
    assert "at /States/A/Next'" in done.stderr


def test_run_invalid_input_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    done = stepwell("run", path, "--input", "{not json")
    assert done.returncode == 2
    assert done.stderr.startswith("Invalid State Machine Execution Input:")


def test_run_scales_waits(tmp_path: Path) -> None:
    path = write(tmp_path, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
    done = stepwell("run", path, "--wait-time-scale", "0", "--input", '{"a": 1}', "--format", "json")
    assert done.returncode == 0, done.stderr
    types = [e["type"] for e in json.loads(done.stdout)["events"]]
    assert types == ["ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"]


def test_validate_reports_diagnostics(tmp_path: Path) -> None:
    path = write(tmp_path, {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    done = stepwell("validate", path, "--format", "json")
    assert done.returncode == 2
    result = json.loads(done.stdout)
    assert result["result"] == "FAIL"
    assert {d["code"] for d in result["diagnostics"]} == {"MISSING_TRANSITION_TARGET", "MISSING_END_STATE"}


def test_validate_ok(tmp_path: Path) -> None:
    done = stepwell("validate", str(EXAMPLE / "order.asl.json"))
    assert done.returncode == 0
    assert done.stdout.strip() == "OK"


MOCKED = {
    "StartAt": "Call",
    "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True},
    },
}


def test_run_plays_a_mocked_test_case_keyed_by_the_machine_name(tmp_path: Path) -> None:
    mocks = tmp_path / "mocks.json"
    mocks.write_text(
        json.dumps(
            {
                "StateMachines": {"Notifier": {"TestCases": {"Sent": {"Call": "Published"}}}},
                "MockedResponses": {"Published": {"0": {"Return": {"MessageId": "m-7"}}}},
            }
        )
    )
    machine = write(tmp_path, MOCKED)
    args = ("run", machine, "--mock-config", str(mocks), "--test-case", "Sent", "--format", "json")
    done = stepwell(*args, "--name", "Notifier")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["output"] == {"MessageId": "m-7"}
    # Without --name the machine is the file's stem ("machine"), which the file does not know.
    refused = stepwell(*args)
    assert refused.returncode == 2
    assert "The test case 'Sent' is not defined for the state machine 'machine'" in refused.stderr
    missing = stepwell("run", machine, "--test-case", "Sent")
    assert missing.returncode == 2 and "needs a mock configuration" in missing.stderr


def test_run_says_plainly_that_a_functions_path_does_not_exist(tmp_path: Path) -> None:
    path = write(tmp_path, {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    missing = tmp_path / "nowhere" / "functions.py"
    done = stepwell("run", path, "--functions", str(missing))
    assert done.returncode == 2
    assert done.stderr == f"stepwell: cannot load functions from {missing}: no such file or folder\n"


FAILING = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "on purpose"}}}
LONG_FAILING = {  # enough history to fill a pipe's buffer: the write itself breaks, not the exit's flush
    "StartAt": "P0",
    "States": {
        **{f"P{n}": {"Type": "Pass", "Next": f"P{n + 1}"} for n in range(2000)},
        "P2000": {"Type": "Fail", "Error": "Boom"},
    },
}


def test_run_exit_status_is_the_runs_whatever_becomes_of_its_output(tmp_path: Path) -> None:
    """`stepwell run m.json | head`: the reader may go away; the status still says FAILED."""
    for definition in (FAILING, LONG_FAILING):
        path = write(tmp_path, definition)
        for output in ("text", "json"):
            args = [sys.executable, "-m", "stepwell.cli", "run", path, "--format", output]
            # The reader reads everything (`| cat`) ...
            read = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
            assert read.returncode == 1, read.stderr
            # ... or nothing: the pipe is closed before the run writes a byte (`| head -0`).
            child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            assert child.stdout is not None and child.stderr is not None
            child.stdout.close()
            errors = child.stderr.read().decode()
            assert child.wait(60) == 1, errors
            assert errors == ""  # no "Exception ignored ... BrokenPipeError"
            child.stderr.close()
