"""The AWS CLI (awscli, a dev dependency) against the server: what a user types from a shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.server.process import ServerProcess
from tests.server.support import DISTRIBUTED_PASS, PASS, ROLE, WAIT, unique

AWS = Path(sys.executable).with_name("aws")


def _aws(server: ServerProcess, tmp_path: Path, *args: str, check: bool = True) -> Any:
    """Run ``aws stepfunctions <args>`` with test credentials and no user configuration."""
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_PAGER": "",
        # StartSyncExecution's "sync-" host prefix would send the call to sync-127.0.0.1 (reference §0).
        "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
    }
    command = [str(AWS), "--endpoint-url", server.endpoint, "--output", "json", "stepfunctions", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    if not check:
        return done
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def _settled(server: ServerProcess, tmp_path: Path, arn: str) -> dict[str, Any]:
    """describe-execution once the execution is no longer RUNNING (or the wait is over)."""
    deadline = time.monotonic() + WAIT
    while True:
        described: dict[str, Any] = _aws(server, tmp_path, "describe-execution", "--execution-arn", arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.1)


@pytest.mark.skipif(not AWS.exists(), reason="awscli is not installed (pip install -e '.[dev]')")
def test_the_aws_cli(server: ServerProcess, tmp_path: Path) -> None:
    name = unique("cli")
    created = _aws(
        server, tmp_path, "create-state-machine", "--name", name, "--definition", json.dumps(PASS),
        "--role-arn", ROLE,
    )  # fmt: skip
    machine = created["stateMachineArn"]
    assert machine.endswith(f":stateMachine:{name}")

    listed = _aws(server, tmp_path, "list-state-machines")
    assert machine in [m["stateMachineArn"] for m in listed["stateMachines"]]

    started = _aws(server, tmp_path, "start-execution", "--state-machine-arn", machine, "--input", '{"a": 1}')
    described = _settled(server, tmp_path, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"a": 1}

    events = _aws(server, tmp_path, "get-execution-history", "--execution-arn", started["executionArn"])
    assert [e["type"] for e in events["events"]][-1] == "ExecutionSucceeded"

    express = _aws(
        server, tmp_path, "create-state-machine", "--name", unique("cli-express"), "--type", "EXPRESS",
        "--definition", json.dumps(PASS), "--role-arn", ROLE,
    )  # fmt: skip
    result = _aws(
        server, tmp_path, "start-sync-execution", "--state-machine-arn", express["stateMachineArn"],
        "--input", '{"b": 2}',
    )  # fmt: skip
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"b": 2}

    refused = _aws(
        server, tmp_path, "describe-state-machine", "--state-machine-arn", machine + "-gone", check=False
    )
    assert refused.returncode != 0
    assert "StateMachineDoesNotExist" in refused.stderr
    assert f"State Machine Does Not Exist: '{machine}-gone'" in refused.stderr


@pytest.mark.skipif(not AWS.exists(), reason="awscli is not installed (pip install -e '.[dev]')")
def test_redrive_from_the_aws_cli(server: ServerProcess, tmp_path: Path) -> None:
    flaky = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:fail_until",
                "End": True,
            }
        },
    }
    created = _aws(
        server, tmp_path, "create-state-machine", "--name", unique("cli-redrive"),
        "--definition", json.dumps(flaky), "--role-arn", ROLE,
    )  # fmt: skip
    value = json.dumps({"counter": str(tmp_path / "calls"), "failures": 1})
    started = _aws(
        server,
        tmp_path,
        "start-execution",
        "--state-machine-arn",
        created["stateMachineArn"],
        "--input",
        value,
    )
    arn = started["executionArn"]

    assert _settled(server, tmp_path, arn)["redriveStatus"] == "REDRIVABLE"
    redriven = _aws(server, tmp_path, "redrive-execution", "--execution-arn", arn)
    assert "redriveDate" in redriven
    described = _settled(server, tmp_path, arn)
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    listed = _aws(
        server, tmp_path, "list-executions", "--state-machine-arn", created["stateMachineArn"],
        "--redrive-filter", "REDRIVEN",
    )  # fmt: skip
    assert [e["executionArn"] for e in listed["executions"]] == [arn]


@pytest.mark.skipif(not AWS.exists(), reason="awscli is not installed (pip install -e '.[dev]')")
def test_test_state_and_map_runs_from_the_aws_cli(server: ServerProcess, tmp_path: Path) -> None:
    state = json.dumps({"Type": "Pass", "Result": 7, "End": True})
    tested = _aws(
        server,
        tmp_path,
        "test-state",
        "--definition",
        state,
        "--input",
        '{"a": 1}',
        "--inspection-level",
        "DEBUG",
    )
    assert (tested["status"], json.loads(tested["output"])) == ("SUCCEEDED", 7)
    assert json.loads(tested["inspectionData"]["input"]) == {"a": 1}

    fan_out = DISTRIBUTED_PASS
    created = _aws(
        server, tmp_path, "create-state-machine", "--name", unique("cli-map-run"),
        "--definition", json.dumps(fan_out), "--role-arn", ROLE,
    )  # fmt: skip
    started = _aws(
        server,
        tmp_path,
        "start-execution",
        "--state-machine-arn",
        created["stateMachineArn"],
        "--input",
        "[1, 2]",
    )
    _settled(server, tmp_path, started["executionArn"])
    [run] = _aws(server, tmp_path, "list-map-runs", "--execution-arn", started["executionArn"])["mapRuns"]
    described = _aws(server, tmp_path, "describe-map-run", "--map-run-arn", run["mapRunArn"])
    assert (described["status"], described["itemCounts"]["succeeded"]) == ("SUCCEEDED", 2)
    children = _aws(server, tmp_path, "list-executions", "--map-run-arn", run["mapRunArn"])["executions"]
    assert len(children) == 2
    refused = _aws(
        server,
        tmp_path,
        "update-map-run",
        "--map-run-arn",
        run["mapRunArn"],
        "--max-concurrency",
        "3",
        check=False,
    )
    assert refused.returncode != 0 and "ValidationException" in refused.stderr
