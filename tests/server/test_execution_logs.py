"""Execution logs through `stepwell serve`: the records a state machine's loggingConfiguration asks
for, written to CloudWatch Logs (a real moto server over HTTP, read back with boto3) or to JSON
Lines files under --logs-dir; Standard and Express executions; levels; UpdateStateMachine and
versions deciding which executions log."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.runtime.invokers.moto_server import FAKE_CREDENTIALS, REGION
from tests.server.process import ServerProcess, free_port
from tests.server.support import PASS, ROLE, WAIT, history, run, unique

FAILING = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Pass", "Next": "Give up"},
        "Give up": {"Type": "Fail", "Error": "Declined", "Cause": "the card was declined"},
    },
}


@pytest.fixture(scope="module")
def logs(aws: str) -> Any:
    return boto3.client("logs", endpoint_url=aws, region_name=REGION, **FAKE_CREDENTIALS)


@pytest.fixture(scope="module")
def server(aws: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    environment = {
        "LOGS_ENDPOINT": aws,
        "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["aws_secret_access_key"],
    }
    process = ServerProcess(tmp_path_factory.mktemp("execution-logs") / "stepwell.db", env=environment)
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def sfn(server: ServerProcess) -> Any:
    return server.client()


def _group(logs: Any) -> tuple[str, str]:
    """A new log group: its name and the ARN a loggingConfiguration names it by."""
    name = f"/aws/vendedlogs/states/{unique('test')}"
    logs.create_log_group(logGroupName=name)
    return name, f"arn:aws:logs:{REGION}:123456789012:log-group:{name}:*"


def _logging(level: str, group_arn: str, include_execution_data: bool = True) -> dict[str, Any]:
    return {
        "level": level,
        "includeExecutionData": include_execution_data,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}],
    }


def _machine(sfn: Any, definition: dict[str, Any], logging: dict[str, Any] | None, **kwargs: Any) -> str:
    extra = {"loggingConfiguration": logging} if logging else {}
    created = sfn.create_state_machine(
        name=unique("logged"), definition=json.dumps(definition), roleArn=ROLE, **extra, **kwargs
    )
    return str(created["stateMachineArn"])


def _written(logs: Any, group: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group):
        events += page["events"]
    return events


def _records(logs: Any, group: str, execution_arn: str, last: str) -> list[dict[str, Any]]:
    """The execution's records (in event id order), once the one of type ``last`` is written:
    logs are written after the commit, from a thread of the server's own."""
    deadline = time.monotonic() + WAIT
    while True:
        records = [json.loads(e["message"]) for e in _written(logs, group)]
        mine = sorted((r for r in records if r["execution_arn"] == execution_arn), key=lambda r: int(r["id"]))
        if any(r["type"] == last for r in mine):
            return mine
        if time.monotonic() > deadline:
            raise AssertionError(f"no {last} record of {execution_arn} in {group} after {WAIT}s: {mine}")
        time.sleep(0.05)


def _history_details(event: dict[str, Any]) -> dict[str, Any]:
    return next((v for k, v in event.items() if k.endswith("EventDetails")), {})


def test_a_standard_execution_logs_its_whole_history_to_cloudwatch(sfn: Any, logs: Any) -> None:
    group, group_arn = _group(logs)
    machine = _machine(sfn, PASS, _logging("ALL", group_arn))
    described = run(sfn, machine, {"orderId": "42"})
    records = _records(logs, group, described["executionArn"], "ExecutionSucceeded")
    events = history(sfn, described["executionArn"])
    assert [(r["id"], r["type"]) for r in records] == [(str(e["id"]), e["type"]) for e in events]
    for written, event in zip(records, events, strict=True):
        assert written["details"] == _history_details(event)
        assert written["previous_event_id"] == str(event["previousEventId"])
        assert written["event_timestamp"] == str(round(event["timestamp"].timestamp() * 1000))
        assert written["redrive_count"] == "0"
    assert records[0]["details"]["input"] == '{"orderId": "42"}'  # the input as it was given
    name = machine.rsplit(":", 1)[1]
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert len(streams) == 1
    assert streams[0]["logStreamName"].startswith(f"states/{name}/")
    # Each CloudWatch event is timed as its history event.
    timed = {json.loads(e["message"])["id"]: e["timestamp"] for e in _written(logs, group)}
    assert timed == {r["id"]: int(r["event_timestamp"]) for r in records}


def test_express_executions_log_under_their_express_arns(sfn: Any, logs: Any) -> None:
    group, group_arn = _group(logs)
    machine = _machine(sfn, PASS, _logging("ALL", group_arn, include_execution_data=False), type="EXPRESS")
    started = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    synchronous = sfn.start_sync_execution(stateMachineArn=machine, input="{}")
    assert synchronous["status"] == "SUCCEEDED"
    for arn in (started, synchronous["executionArn"]):
        assert ":express:" in arn
        records = _records(logs, group, arn, "ExecutionSucceeded")
        assert [r["type"] for r in records] == [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded",
        ]
        assert [r["details"] for r in records] == [{"roleArn": ROLE}, {"name": "P"}, {"name": "P"}, {}]


def test_a_failing_execution_at_level_error_logs_only_its_error_events(sfn: Any, logs: Any) -> None:
    group, group_arn = _group(logs)
    machine = _machine(sfn, FAILING, _logging("ERROR", group_arn))
    described = run(sfn, machine, {})
    assert described["status"] == "FAILED"
    records = _records(logs, group, described["executionArn"], "ExecutionFailed")
    assert [(r["id"], r["type"]) for r in records] == [("4", "FailStateEntered"), ("5", "ExecutionFailed")]
    assert records[1]["details"] == {"error": "Declined", "cause": "the card was declined"}
    assert records[0]["details"]["name"] == "Give up"


def test_update_state_machine_turns_logging_on_and_off_for_the_next_execution(sfn: Any, logs: Any) -> None:
    group, group_arn = _group(logs)
    machine = _machine(sfn, PASS, None)
    before = run(sfn, machine)["executionArn"]
    sfn.update_state_machine(stateMachineArn=machine, loggingConfiguration=_logging("ALL", group_arn))
    on = run(sfn, machine)["executionArn"]
    sfn.update_state_machine(stateMachineArn=machine, loggingConfiguration={"level": "OFF"})
    off = run(sfn, machine)["executionArn"]
    sfn.update_state_machine(stateMachineArn=machine, loggingConfiguration=_logging("ALL", group_arn))
    again = run(sfn, machine)["executionArn"]
    _records(logs, group, again, "ExecutionSucceeded")
    # The server writes the steps in the order they committed: the earlier ones are written too.
    logged = {json.loads(e["message"])["execution_arn"] for e in _written(logs, group)}
    assert logged == {on, again}
    assert before not in logged and off not in logged


def test_an_execution_of_a_version_logs_by_the_versions_configuration(sfn: Any, logs: Any) -> None:
    group, group_arn = _group(logs)
    machine = _machine(sfn, PASS, _logging("ALL", group_arn), publish=True)
    sfn.update_state_machine(stateMachineArn=machine, loggingConfiguration={"level": "OFF"})
    unlogged = run(sfn, machine)["executionArn"]
    versioned = run(sfn, machine + ":1")["executionArn"]
    _records(logs, group, versioned, "ExecutionSucceeded")
    logged = {json.loads(e["message"])["execution_arn"] for e in _written(logs, group)}
    assert logged == {versioned}
    assert unlogged not in logged


def test_a_missing_log_group_is_said_once_and_executions_are_unaffected(
    server: ServerProcess, sfn: Any, logs: Any
) -> None:
    missing = f"/aws/vendedlogs/states/gone-{uuid.uuid4().hex}"
    machine = _machine(
        sfn, PASS, _logging("ALL", f"arn:aws:logs:{REGION}:123456789012:log-group:{missing}:*")
    )
    assert run(sfn, machine)["status"] == "SUCCEEDED"
    assert run(sfn, machine)["status"] == "SUCCEEDED"
    group, group_arn = _group(logs)
    after = run(sfn, _machine(sfn, PASS, _logging("ALL", group_arn)))["executionArn"]
    _records(logs, group, after, "ExecutionSucceeded")  # written after the two before it
    assert server.log.read_text().count(f"the log group {missing} does not exist") == 1


def test_logs_dir_writes_one_json_lines_file_per_log_group(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "stepwell.db", extra=["--logs-dir", str(tmp_path / "logs")])
    server.start()
    try:
        sfn = server.client()
        group_arn = f"arn:aws:logs:{REGION}:123456789012:log-group:/aws/vendedlogs/states/orders:*"
        standard = _machine(sfn, PASS, _logging("ALL", group_arn))
        express = _machine(sfn, FAILING, _logging("ERROR", group_arn), type="EXPRESS")
        standard_arn = run(sfn, standard, {"a": 1})["executionArn"]
        express_arn = sfn.start_sync_execution(stateMachineArn=express, input="{}")["executionArn"]
    finally:
        assert server.stop() == 0  # the server writes what is queued before it stops
    (written,) = (tmp_path / "logs").iterdir()
    assert written.name == "%2Faws%2Fvendedlogs%2Fstates%2Forders.jsonl"
    records = [json.loads(line) for line in written.read_text().splitlines()]
    standard_records = [r for r in records if r["execution_arn"] == standard_arn]
    assert [r["type"] for r in standard_records] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert standard_records[-1]["details"] == {"output": '{"a":1}', "outputDetails": {"truncated": False}}
    assert [r["type"] for r in records if r["execution_arn"] == express_arn] == [
        "FailStateEntered",
        "ExecutionFailed",
    ]
    assert {r["execution_arn"] for r in records} == {standard_arn, express_arn}


def test_serve_refuses_a_logs_dir_it_cannot_make(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    db = tmp_path / "stepwell.db"
    args = ["serve", "--port", str(free_port()), "--db", str(db), "--logs-dir", str(blocked / "logs")]
    done = subprocess.run(
        [sys.executable, "-m", "stepwell.cli", *args], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2
    assert done.stderr.endswith(
        f"stepwell: cannot write execution logs under {blocked / 'logs'}: Not a directory\n"
    )
    assert not db.exists()  # refused before the database opens
