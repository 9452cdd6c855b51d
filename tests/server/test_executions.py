"""Executions over HTTP: StartExecution (idempotency, refusals), Express (async and sync),
StopExecution, DescribeExecution, DescribeStateMachineForExecution, ListExecutions,
GetExecutionHistory. Messages are AWS's, reference §1.3-§1.4."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from tests.server.process import ServerProcess
from tests.server.support import (
    ACCOUNT_PREFIX,
    PARKED,
    PASS,
    aws_error,
    create_machine,
    details,
    dumps,
    event_types,
    history,
    run,
    unique,
    wait_for,
)

EXPRESS_ARN = re.compile(
    r"arn:aws:states:us-east-1:123456789012:express:(?P<machine>[^:]+):(?P<name>[^:]+):"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
EXPRESS_NOT_VALID = "Invalid Arn: 'Resource type not valid in this context: express'"
NOT_SUPPORTED = "This operation is not supported by this type of state machine"

DOUBLE = {
    "StartAt": "Double",
    "States": {
        "Double": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
            "End": True,
        }
    },
}
FAIL = {
    "StartAt": "F",
    "States": {"F": {"Type": "Fail", "Error": "Custom.Error", "Cause": "it failed"}},
}
# Three Pass states: 8 events (Started, 3 x Entered/Exited, Succeeded).
THREE_PASSES = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Result": {"step": "a"}, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Pass", "Result": {"step": "b"}, "ResultPath": "$.b", "Next": "C"},
        "C": {"Type": "Pass", "End": True},
    },
}


def _stop(sfn: Any, execution_arn: str) -> None:
    sfn.stop_execution(executionArn=execution_arn)
    wait_for(sfn, execution_arn)


# ---- start + describe -------------------------------------------------------------------------


def test_start_and_describe(sfn: Any) -> None:
    machine = create_machine(sfn, DOUBLE)
    name = unique("run")
    started = sfn.start_execution(stateMachineArn=machine, name=name, input='{"n": 21}')
    machine_name = machine.rsplit(":", 1)[1]
    assert started["executionArn"] == f"{ACCOUNT_PREFIX}:execution:{machine_name}:{name}"

    described = wait_for(sfn, started["executionArn"])

    assert described["status"] == "SUCCEEDED"
    assert described["name"] == name
    assert described["stateMachineArn"] == machine
    assert described["input"] == '{"n": 21}'  # the text as given
    assert json.loads(described["output"]) == {"n": 42}
    assert described["startDate"] == started["startDate"]
    assert described["stopDate"] >= described["startDate"]
    assert described["inputDetails"] == {"included": True}
    assert described["outputDetails"] == {"included": True}


def test_start_without_name_or_input(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    started = sfn.start_execution(stateMachineArn=machine)
    described = wait_for(sfn, started["executionArn"])
    assert re.fullmatch(r"[0-9a-f-]{36}", described["name"])
    assert json.loads(described["input"]) == {}
    assert json.loads(described["output"]) == {}


def test_failed_execution_describes_error_and_cause(sfn: Any) -> None:
    described = run(sfn, create_machine(sfn, FAIL))
    assert described["status"] == "FAILED"
    assert described["error"] == "Custom.Error"
    assert described["cause"] == "it failed"
    assert "output" not in described


def test_names_may_be_unicode(sfn: Any) -> None:
    machine = create_machine(sfn, PASS, name=unique("máquina-ü"))
    name = unique("ejecución-名前")
    described = run(sfn, machine, name=name)
    assert described["name"] == name
    assert described["executionArn"].endswith(f":{name}")


def test_many_starts_at_once(sfn: Any, server: ServerProcess) -> None:
    """Group commit: concurrent StartExecution calls all land, each execution runs once."""
    machine = create_machine(sfn, DOUBLE)
    clients = [server.client() for _ in range(8)]

    def start(i: int) -> str:
        client = clients[i % len(clients)]
        return str(
            client.start_execution(stateMachineArn=machine, input=json.dumps({"n": i}))["executionArn"]
        )

    with ThreadPoolExecutor(8) as threads:
        arns = list(threads.map(start, range(40)))
    assert len(set(arns)) == 40
    outputs = [json.loads(wait_for(sfn, arn)["output"])["n"] for arn in arns]
    assert outputs == [2 * i for i in range(40)]
    pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=machine)
    assert sum(len(page["executions"]) for page in pages) == 40
    assert event_types(history(sfn, arns[0])) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_trace_header_is_kept(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    started = sfn.start_execution(stateMachineArn=machine, traceHeader="Root=1-abc-def")
    assert wait_for(sfn, started["executionArn"])["traceHeader"] == "Root=1-abc-def"


def test_start_is_idempotent_while_running(sfn: Any) -> None:
    """ "If you call StartExecution with the same name and input as a running execution, the call
    succeeds and returns the same response as the original request" (botocore doc)."""
    machine = create_machine(sfn, PARKED)
    name = unique("same")
    first = sfn.start_execution(stateMachineArn=machine, name=name, input='{"a": 1}')
    again = sfn.start_execution(stateMachineArn=machine, name=name, input='{"a": 1}')
    assert again["executionArn"] == first["executionArn"]
    assert again["startDate"] == first["startDate"]

    with aws_error("ExecutionAlreadyExists", f"Execution Already Exists: '{first['executionArn']}'"):
        sfn.start_execution(stateMachineArn=machine, name=name, input='{"a": 2}')
    _stop(sfn, first["executionArn"])


def test_a_closed_execution_name_is_taken(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    name = unique("closed")
    first = run(sfn, machine, {"a": 1}, name=name)
    with aws_error("ExecutionAlreadyExists", f"Execution Already Exists: '{first['executionArn']}'"):
        sfn.start_execution(stateMachineArn=machine, name=name, input=json.dumps({"a": 1}))


def test_input_must_be_json(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    with aws_error("InvalidExecutionInput") as raised:
        sfn.start_execution(stateMachineArn=machine, input="{not json")
    assert raised.value.response["Error"]["Message"].startswith("Invalid State Machine Execution Input: '")


def test_input_over_256_kib(sfn: Any) -> None:
    """The model's constraint, checked before the service runs; AWS's answer as quoted in a client:
    "ValidationException: 1 validation error detected: Value at 'input' failed to satisfy
    constraint: Member must have size less than or equal to 262144 bytes in UTF-8 encoding"."""
    machine = create_machine(sfn, PASS)
    text = json.dumps({"big": "x" * 262_144})
    message = (
        "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        "Member must have size less than or equal to 262144 bytes in UTF-8 encoding"
    )
    with aws_error("ValidationException", message):
        sfn.start_execution(stateMachineArn=machine, input=text)


def test_input_of_exactly_256_kib_is_accepted(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    text = json.dumps("x" * (262_144 - 2))
    assert len(text.encode()) == 262_144
    assert run_text(sfn, machine, text)["status"] == "SUCCEEDED"


def run_text(sfn: Any, machine: str, text: str) -> dict[str, Any]:
    return wait_for(sfn, sfn.start_execution(stateMachineArn=machine, input=text)["executionArn"])


def test_start_refusals(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    with aws_error("InvalidName", "Invalid Name: 'a b'"):
        sfn.start_execution(stateMachineArn=machine, name="a b")
    missing = f"{ACCOUNT_PREFIX}:stateMachine:{unique('missing')}"
    with aws_error("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'"):
        sfn.start_execution(stateMachineArn=missing)
    with aws_error("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"):
        sfn.start_execution(stateMachineArn="not_a_valid_arn")
    execution = f"{ACCOUNT_PREFIX}:execution:{unique('m')}:{unique('e')}"
    with aws_error("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: execution'"):
        sfn.start_execution(stateMachineArn=execution)


def test_describe_refusals(sfn: Any) -> None:
    missing = f"{ACCOUNT_PREFIX}:execution:{unique('m')}:{unique('e')}"
    with aws_error("ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'"):
        sfn.describe_execution(executionArn=missing)
    with aws_error("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"):
        sfn.describe_execution(executionArn="not_a_valid_arn")
    machine = f"{ACCOUNT_PREFIX}:stateMachine:{unique('m')}"
    with aws_error("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: stateMachine'"):
        sfn.describe_execution(executionArn=machine)


# ---- Express ------------------------------------------------------------------------------------


def test_start_sync_execution(sfn: Any) -> None:
    machine = create_machine(sfn, DOUBLE, machine_type="EXPRESS")
    name = unique("sync")
    result = sfn.start_sync_execution(stateMachineArn=machine, name=name, input='{"n": 4}')

    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"n": 8}
    assert result["input"] == '{"n": 4}'
    assert result["name"] == name
    assert result["stateMachineArn"] == machine
    found = EXPRESS_ARN.fullmatch(result["executionArn"])
    assert found is not None, result["executionArn"]
    assert found["machine"] == machine.rsplit(":", 1)[1]
    assert found["name"] == name
    assert result["stopDate"] >= result["startDate"]
    assert result["billingDetails"]["billedDurationInMilliseconds"] >= 100


def test_express_executions_leave_nothing_in_the_servers_store(server: ServerProcess, sfn: Any) -> None:
    """An Express execution runs on a store of its own (runtime/local.py): none of its rows,
    history, tasks or timers reach the server's database, whichever way it was started."""
    machine = create_machine(sfn, DOUBLE, machine_type="EXPRESS")
    synced = sfn.start_sync_execution(stateMachineArn=machine, input='{"n": 2}')
    started = sfn.start_execution(stateMachineArn=machine, input='{"n": 3}')
    assert synced["status"] == "SUCCEEDED"
    arns = (synced["executionArn"], started["executionArn"])
    with contextlib.closing(sqlite3.connect(f"file:{server.db}?mode=ro", uri=True)) as db:
        for table, column in (("executions", "arn"), ("tasks", "execution_arn"), ("timers", "execution_arn")):
            rows = db.execute(f"SELECT count(*) FROM {table} WHERE {column} IN (?, ?)", arns).fetchone()
            assert rows == (0,), table
        assert db.execute("SELECT count(*) FROM executions WHERE arn LIKE '%:express:%'").fetchone() == (0,)
        # history refers to its execution's row by number: none without one
        orphans = "SELECT count(*) FROM history WHERE execution NOT IN (SELECT seq FROM executions)"
        assert db.execute(orphans).fetchone() == (0,)


def test_start_sync_execution_that_fails(sfn: Any) -> None:
    """StartSyncExecution answers HTTP 200 with the failure in the body."""
    machine = create_machine(sfn, FAIL, machine_type="EXPRESS")
    result = sfn.start_sync_execution(stateMachineArn=machine)
    assert result["status"] == "FAILED"
    assert result["error"] == "Custom.Error"
    assert result["cause"] == "it failed"
    assert "output" not in result


def test_start_sync_execution_on_standard(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    with aws_error("StateMachineTypeNotSupported", NOT_SUPPORTED):
        sfn.start_sync_execution(stateMachineArn=machine)


def test_start_sync_execution_bad_input(sfn: Any) -> None:
    machine = create_machine(sfn, PASS, machine_type="EXPRESS")
    with aws_error("InvalidExecutionInput"):
        sfn.start_sync_execution(stateMachineArn=machine, input="[")


def test_express_start_execution(sfn: Any) -> None:
    """Asynchronous Express: an ARN ``...:express:<machine>:<name>:<uuid>``; names may repeat; the
    execution APIs refuse it (reference §1.4, §8.1)."""
    machine = create_machine(sfn, PASS, machine_type="EXPRESS")
    name = unique("async")
    first = sfn.start_execution(stateMachineArn=machine, name=name, input="{}")
    again = sfn.start_execution(stateMachineArn=machine, name=name, input="{}")
    for started in (first, again):
        found = EXPRESS_ARN.fullmatch(started["executionArn"])
        assert found is not None, started["executionArn"]
        assert found["name"] == name
    assert first["executionArn"] != again["executionArn"]

    arn = first["executionArn"]
    with aws_error("InvalidArn", EXPRESS_NOT_VALID):
        sfn.describe_execution(executionArn=arn)
    with aws_error("InvalidArn", EXPRESS_NOT_VALID):
        sfn.get_execution_history(executionArn=arn)
    with aws_error("InvalidArn", EXPRESS_NOT_VALID):
        sfn.stop_execution(executionArn=arn)
    with aws_error("StateMachineTypeNotSupported", NOT_SUPPORTED):
        sfn.list_executions(stateMachineArn=machine)


# ---- stop ---------------------------------------------------------------------------------------


def test_stop_a_running_wait(sfn: Any) -> None:
    machine = create_machine(sfn, PARKED)
    started = sfn.start_execution(stateMachineArn=machine)
    arn = started["executionArn"]
    wait_for(sfn, arn, ("RUNNING",))

    stopped = sfn.stop_execution(executionArn=arn, error="Operator.Stop", cause="no longer needed")

    described = wait_for(sfn, arn)
    assert described["status"] == "ABORTED"
    assert abs((described["stopDate"] - stopped["stopDate"]).total_seconds()) < 1
    assert described["error"] == "Operator.Stop"
    assert described["cause"] == "no longer needed"
    events = history(sfn, arn)
    assert event_types(events)[:2] == ["ExecutionStarted", "WaitStateEntered"]
    assert events[-1]["type"] == "ExecutionAborted"
    assert details(events[-1]) == {"error": "Operator.Stop", "cause": "no longer needed"}


def test_stop_date_is_the_date_the_execution_stopped(sfn: Any) -> None:
    """StopExecution's stopDate is "the date the execution is stopped" (botocore doc): the
    execution's stopDate and its ExecutionAborted event carry the same instant."""
    machine = create_machine(sfn, PARKED)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    stopped = sfn.stop_execution(executionArn=arn)
    described = wait_for(sfn, arn)
    last = history(sfn, arn, reverseOrder=True, maxResults=1)[0]
    assert described["stopDate"] == stopped["stopDate"] == last["timestamp"]


def test_stop_without_error_or_cause(sfn: Any) -> None:
    machine = create_machine(sfn, PARKED)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    sfn.stop_execution(executionArn=arn)
    assert wait_for(sfn, arn)["status"] == "ABORTED"
    described = sfn.describe_execution(executionArn=arn)
    assert "error" not in described
    assert "cause" not in described
    last = history(sfn, arn, reverseOrder=True, maxResults=1)[0]
    # Measured against AWS (floci-io/floci#2965): the details object is there, empty.
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {}


def test_stop_refusals(sfn: Any) -> None:
    missing = f"{ACCOUNT_PREFIX}:execution:{unique('m')}:{unique('e')}"
    with aws_error("ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'"):
        sfn.stop_execution(executionArn=missing)
    with aws_error("InvalidArn"):
        sfn.stop_execution(executionArn="not_a_valid_arn")


# ---- the execution's TimeoutSeconds ------------------------------------------------------------
# Measured against AWS (floci-io/floci#2733, DescribeExecution quoted verbatim; #2782): with
# {"TimeoutSeconds": 3, Wait 25 s} the execution is TIMED_OUT at startDate + 3.000 s, "error and
# cause are absent keys", States.Timeout only in the one ExecutionTimedOut event, whose
# previousEventId is 0.
TIMES_OUT = {
    "StartAt": "W",
    "TimeoutSeconds": 1,
    "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}},
}


def test_execution_timeout(sfn: Any) -> None:
    described = run(sfn, create_machine(sfn, TIMES_OUT))
    assert described["status"] == "TIMED_OUT"
    assert "output" not in described
    events = history(sfn, described["executionArn"])
    assert event_types(events) == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]
    assert events[-1]["executionTimedOutEventDetails"] == {"error": "States.Timeout"}


def test_execution_timeout_describes_no_error(sfn: Any) -> None:
    described = run(sfn, create_machine(sfn, TIMES_OUT))
    assert described["status"] == "TIMED_OUT"
    assert "error" not in described
    assert "cause" not in described


def test_execution_timed_out_event_follows_nothing(sfn: Any) -> None:
    described = run(sfn, create_machine(sfn, TIMES_OUT))
    last = history(sfn, described["executionArn"])[-1]
    assert last["type"] == "ExecutionTimedOut"
    assert last["previousEventId"] == 0


def test_execution_timeout_stop_date_is_exact(sfn: Any) -> None:
    described = run(sfn, create_machine(sfn, TIMES_OUT))
    assert described["stopDate"] - described["startDate"] == timedelta(seconds=1)


# ---- the definition an execution used -----------------------------------------------------------


def test_describe_state_machine_for_execution_after_an_update(sfn: Any) -> None:
    """ "Running executions keep the definition they started with" (UpdateStateMachine doc)."""
    machine = create_machine(sfn, PASS)
    first = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    revision = sfn.update_state_machine(stateMachineArn=machine, definition=dumps(PARKED))["revisionId"]
    original = sfn.describe_state_machine(stateMachineArn=machine)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=dumps(PASS))

    used = sfn.describe_state_machine_for_execution(executionArn=arn)

    assert used["definition"] == dumps(PARKED)
    assert used["revisionId"] == original["revisionId"] == revision
    assert "revisionId" not in sfn.describe_state_machine_for_execution(executionArn=first)  # the first
    assert used["stateMachineArn"] == machine
    assert used["name"] == machine.rsplit(":", 1)[1]
    assert used["roleArn"] == original["roleArn"]
    assert sfn.describe_state_machine(stateMachineArn=machine)["definition"] == dumps(PASS)
    # A new execution takes the new definition; the old one is still parked.
    assert run(sfn, machine)["status"] == "SUCCEEDED"
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    _stop(sfn, arn)


def test_describe_state_machine_for_execution_refusals(sfn: Any) -> None:
    express = f"{ACCOUNT_PREFIX}:express:{unique('m')}:{unique('e')}:0d7b3a5c-1b7e-4d3c-9e51-2f1d8e6a9b10"
    with aws_error("InvalidArn", EXPRESS_NOT_VALID):
        sfn.describe_state_machine_for_execution(executionArn=express)
    missing = f"{ACCOUNT_PREFIX}:execution:{unique('m')}:{unique('e')}"
    with aws_error("ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'"):
        sfn.describe_state_machine_for_execution(executionArn=missing)


# ---- list ---------------------------------------------------------------------------------------


def test_list_executions_newest_first_with_status_filter(sfn: Any) -> None:
    definition = {
        "StartAt": "Choose",
        "States": {
            "Choose": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.outcome", "StringEquals": "fail", "Next": "Fail"},
                    {"Variable": "$.outcome", "StringEquals": "park", "Next": "Park"},
                ],
                "Default": "Done",
            },
            "Fail": {"Type": "Fail", "Error": "E"},
            "Park": {"Type": "Wait", "Seconds": 600, "End": True},
            "Done": {"Type": "Pass", "End": True},
        },
    }
    machine = create_machine(sfn, definition)
    outcomes = ["ok", "fail", "ok", "park", "fail", "ok"]
    arns = []
    for outcome in outcomes:
        started = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"outcome": outcome}))
        arns.append(started["executionArn"])
    for arn, outcome in zip(arns, outcomes, strict=True):
        wait_for(sfn, arn, ("RUNNING",) if outcome == "park" else ("SUCCEEDED", "FAILED"))

    listed = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert [e["executionArn"] for e in listed] == arns[::-1]
    expected = {"ok": "SUCCEEDED", "fail": "FAILED", "park": "RUNNING"}
    assert [e["status"] for e in listed] == [expected[o] for o in outcomes[::-1]]
    running = listed[outcomes[::-1].index("park")]
    assert "stopDate" not in running
    assert all(e["stateMachineArn"] == machine for e in listed)

    failed = sfn.list_executions(stateMachineArn=machine, statusFilter="FAILED")["executions"]
    assert [e["executionArn"] for e in failed] == [arns[4], arns[1]]
    assert [e["executionArn"] for e in _list(sfn, machine, "RUNNING")] == [arns[3]]
    assert _list(sfn, machine, "ABORTED") == []

    _stop(sfn, arns[3])
    assert [e["executionArn"] for e in _list(sfn, machine, "ABORTED")] == [arns[3]]


def _list(sfn: Any, machine: str, status: str) -> list[dict[str, Any]]:
    return list(sfn.list_executions(stateMachineArn=machine, statusFilter=status)["executions"])


def test_list_executions_pages(sfn: Any) -> None:
    machine = create_machine(sfn, PASS)
    arns = [sfn.start_execution(stateMachineArn=machine)["executionArn"] for _ in range(5)]
    for arn in arns:
        wait_for(sfn, arn)
    paginator = sfn.get_paginator("list_executions")
    pages = list(paginator.paginate(stateMachineArn=machine, PaginationConfig={"PageSize": 2}))
    assert [len(p["executions"]) for p in pages] == [2, 2, 1]
    assert [e["executionArn"] for p in pages for e in p["executions"]] == arns[::-1]

    filtered = list(
        paginator.paginate(
            stateMachineArn=machine, statusFilter="SUCCEEDED", PaginationConfig={"PageSize": 3}
        )
    )
    assert [e["executionArn"] for p in filtered for e in p["executions"]] == arns[::-1]


def test_list_executions_token_belongs_to_its_filter(sfn: Any) -> None:
    """ "Keep all other arguments unchanged": a token used with another filter is refused."""
    machine = create_machine(sfn, PASS)
    for _ in range(2):
        run(sfn, machine)
    token = sfn.list_executions(stateMachineArn=machine, maxResults=1)["nextToken"]
    with aws_error("InvalidToken", "Invalid Token: 'Invalid token'"):
        sfn.list_executions(stateMachineArn=machine, statusFilter="SUCCEEDED", nextToken=token)
    with aws_error("InvalidToken", "Invalid Token: 'Invalid token'"):
        sfn.list_executions(stateMachineArn=machine, nextToken="garbage")


def test_list_executions_refusals(sfn: Any) -> None:
    missing = f"{ACCOUNT_PREFIX}:stateMachine:{unique('missing')}"
    with aws_error("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'"):
        sfn.list_executions(stateMachineArn=missing)
    with aws_error("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"):
        sfn.list_executions(stateMachineArn="not_a_valid_arn")


# ---- history ------------------------------------------------------------------------------------


@pytest.fixture
def three_passes(sfn: Any) -> str:
    described = run(sfn, create_machine(sfn, THREE_PASSES), {"in": 1})
    assert described["status"] == "SUCCEEDED"
    return str(described["executionArn"])


def test_history_in_order(sfn: Any, three_passes: str) -> None:
    events = sfn.get_execution_history(executionArn=three_passes)["events"]
    assert event_types(events) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert [e["id"] for e in events] == list(range(1, 9))
    assert [e["previousEventId"] for e in events] == [0, 0, 2, 3, 4, 5, 6, 7]
    assert json.loads(details(events[0])["input"]) == {"in": 1}
    assert json.loads(details(events[-1])["output"]) == {"in": 1, "a": {"step": "a"}, "b": {"step": "b"}}
    assert "nextToken" not in sfn.get_execution_history(executionArn=three_passes)


def test_history_pages(sfn: Any, three_passes: str) -> None:
    first = sfn.get_execution_history(executionArn=three_passes, maxResults=3)
    assert [e["id"] for e in first["events"]] == [1, 2, 3]
    second = sfn.get_execution_history(executionArn=three_passes, maxResults=3, nextToken=first["nextToken"])
    assert [e["id"] for e in second["events"]] == [4, 5, 6]
    third = sfn.get_execution_history(executionArn=three_passes, maxResults=3, nextToken=second["nextToken"])
    assert [e["id"] for e in third["events"]] == [7, 8]
    assert "nextToken" not in third

    paged = history(sfn, three_passes, PaginationConfig={"PageSize": 2})
    assert [e["id"] for e in paged] == list(range(1, 9))


def test_history_reverse_order(sfn: Any, three_passes: str) -> None:
    newest = sfn.get_execution_history(executionArn=three_passes, reverseOrder=True, maxResults=3)
    assert [e["id"] for e in newest["events"]] == [8, 7, 6]
    assert newest["events"][0]["type"] == "ExecutionSucceeded"
    everything = history(sfn, three_passes, reverseOrder=True, PaginationConfig={"PageSize": 3})
    assert [e["id"] for e in everything] == list(range(8, 0, -1))


def test_history_token_of_the_other_direction_is_refused(sfn: Any, three_passes: str) -> None:
    token = sfn.get_execution_history(executionArn=three_passes, maxResults=2)["nextToken"]
    with aws_error("InvalidToken", "Invalid Token: 'Invalid token'"):
        sfn.get_execution_history(executionArn=three_passes, maxResults=2, reverseOrder=True, nextToken=token)
    with aws_error("InvalidToken", "Invalid Token: 'Invalid token'"):
        sfn.get_execution_history(executionArn=three_passes, nextToken="garbage")


def test_history_without_execution_data(sfn: Any, three_passes: str) -> None:
    events = sfn.get_execution_history(executionArn=three_passes, includeExecutionData=False)["events"]
    assert len(events) == 8
    for event in events:
        for key in ("input", "output"):
            assert key not in details(event), event
    assert details(events[1])["name"] == "A"
    assert "roleArn" in details(events[0])


def test_history_default_page_is_100(sfn: Any) -> None:
    """ "maxResults ... If no number is specified, the default is 100" (0 too: reference §0)."""
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "One",
                    "States": {"One": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    described = run(sfn, create_machine(sfn, definition), list(range(40)))  # 4 events per item
    arn = described["executionArn"]
    first = sfn.get_execution_history(executionArn=arn)
    assert len(first["events"]) == 100
    assert "nextToken" in first
    assert len(sfn.get_execution_history(executionArn=arn, maxResults=0)["events"]) == 100
    rest = sfn.get_execution_history(executionArn=arn, nextToken=first["nextToken"])["events"]
    assert [e["id"] for e in first["events"] + rest] == list(range(1, len(first["events"]) + len(rest) + 1))
    assert rest[-1]["type"] == "ExecutionSucceeded"
    assert len(sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]) > 160


def test_history_refusals(sfn: Any) -> None:
    missing = f"{ACCOUNT_PREFIX}:execution:{unique('m')}:{unique('e')}"
    with aws_error("ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'"):
        sfn.get_execution_history(executionArn=missing)
    with aws_error("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"):
        sfn.get_execution_history(executionArn="not_a_valid_arn")
