"""Map Runs over HTTP on each store: a Distributed Map's items as child executions, DescribeMapRun,
ListMapRuns, UpdateMapRun, ListExecutions(mapRunArn), failures, stopping, a redrive, and kill -9."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.test_server import STORES, _server
from tests.server.conftest import FUNCTIONS
from tests.server.crash_helpers import Crash, lambda_arn, wait_until
from tests.server.process import ServerProcess
from tests.server.support import ACCOUNT_PREFIX, ROLE, aws_error, dumps, unique, wait_for


@pytest.fixture(scope="module", params=STORES)
def sfn(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    server = _server(request, tmp_path_factory.mktemp("map-runs"), functions=[str(FUNCTIONS)]).start()
    yield server.client()
    server.stop()


def distributed(processor: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {
        "Type": "Map",
        "Label": "Each",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            **processor,
        },
        "End": True,
        **fields,
    }
    return {"StartAt": "Fan", "States": {"Fan": body}}


def task(function: str) -> dict[str, Any]:
    return {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": lambda_arn(function), "End": True}},
    }


def start(sfn: Any, definition: dict[str, Any], value: Any) -> tuple[str, str]:
    name = unique("map-run")
    machine = sfn.create_state_machine(name=name, definition=dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    return machine, sfn.start_execution(stateMachineArn=machine, input=json.dumps(value))["executionArn"]


def the_map_run(sfn: Any, execution: str) -> str:
    runs = wait_until(lambda: sfn.list_map_runs(executionArn=execution)["mapRuns"], 10, "the Map Run")
    return str(runs[0]["mapRunArn"])


def history(sfn: Any, arn: str) -> list[str]:
    return [e["type"] for e in sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]]


def test_each_item_is_a_child_execution_listed_and_described(sfn: Any) -> None:
    machine, execution = start(
        sfn, distributed(task("double"), MaxConcurrency=2), [{"n": 1}, {"n": 2}, {"n": 3}]
    )
    done = wait_for(sfn, execution)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == [{"n": 2}, {"n": 4}, {"n": 6}]
    assert "MapIterationStarted" not in history(sfn, execution)
    assert history(sfn, execution)[-5:] == [
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    [run] = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    labelled = f"{machine}/Each"
    assert (run["executionArn"], run["stateMachineArn"]) == (execution, labelled)
    assert run["mapRunArn"].startswith(machine.replace(":stateMachine:", ":mapRun:") + "/Each:")
    described = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    counts = {
        "pending": 0,
        "running": 0,
        "succeeded": 3,
        "failed": 0,
        "timedOut": 0,
        "aborted": 0,
        "total": 3,
    }
    assert {k: described["itemCounts"][k] for k in counts} == counts
    assert described["executionCounts"] == described["itemCounts"]
    assert (described["status"], described["maxConcurrency"], described["toleratedFailureCount"]) == (
        "SUCCEEDED",
        2,
        0,
    )
    assert described["toleratedFailurePercentage"] == 0.0 and described["stopDate"] >= described["startDate"]

    children = sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]
    assert len(children) == 3 and {c["status"] for c in children} == {"SUCCEEDED"}
    child = children[0]
    assert (child["stateMachineArn"], child["mapRunArn"], child["itemCount"]) == (
        labelled,
        run["mapRunArn"],
        1,
    )
    assert child["executionArn"].startswith(f"{ACCOUNT_PREFIX}:execution:{machine.rsplit(':', 1)[1]}/Each:")
    one = sfn.describe_execution(executionArn=child["executionArn"])
    assert one["mapRunArn"] == run["mapRunArn"] and json.loads(one["input"]) in ({"n": 1}, {"n": 2}, {"n": 3})
    assert history(sfn, child["executionArn"])[-1] == "ExecutionSucceeded"
    for_child = sfn.describe_state_machine_for_execution(executionArn=child["executionArn"])
    assert (for_child["mapRunArn"], for_child["label"]) == (run["mapRunArn"], "Each")
    assert json.loads(for_child["definition"]) == task("double")
    paged = sfn.list_executions(mapRunArn=run["mapRunArn"], maxResults=2)
    assert len(paged["executions"]) == 2 and paged["nextToken"]


def test_update_map_run_changes_a_running_map_run(sfn: Any) -> None:
    slow = {"StartAt": "Work", "States": {"Work": {"Type": "Wait", "Seconds": 2, "End": True}}}
    _, execution = start(sfn, distributed(slow, MaxConcurrency=1), [1, 2, 3])
    run = the_map_run(sfn, execution)
    assert sfn.describe_map_run(mapRunArn=run)["itemCounts"]["running"] == 1
    sfn.update_map_run(mapRunArn=run, maxConcurrency=3, toleratedFailurePercentage=50)
    described = sfn.describe_map_run(mapRunArn=run)
    assert described["itemCounts"]["running"] == 3 and described["maxConcurrency"] == 3
    assert described["toleratedFailurePercentage"] == 50.0
    assert wait_for(sfn, execution)["status"] == "SUCCEEDED"
    with aws_error("ValidationException") as refused:
        sfn.update_map_run(mapRunArn=run, maxConcurrency=1)
    assert "CANNOT_UPDATE_COMPLETED_MAP_RUN" in refused.value.response["Error"]["Message"]


def test_a_failed_child_fails_the_map_run_and_a_redrive_runs_it_again(sfn: Any, tmp_path: Path) -> None:
    item = {"counter": str(tmp_path / "calls"), "failures": 1}
    _, execution = start(sfn, distributed(task("fail_until"), MaxConcurrency=1), [item, item])
    failed = wait_for(sfn, execution)
    assert (failed["status"], failed["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    run = the_map_run(sfn, execution)
    described = sfn.describe_map_run(mapRunArn=run)
    assert described["status"] == "FAILED"
    assert (described["itemCounts"]["failed"], described["itemCounts"]["pending"]) == (1, 1)
    [child] = sfn.list_executions(mapRunArn=run, statusFilter="FAILED")["executions"]
    assert sfn.describe_execution(executionArn=child["executionArn"])["error"] == "RuntimeError"

    sfn.redrive_execution(executionArn=execution)
    done = wait_for(sfn, execution)
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == [{"calls": 2}, {"calls": 3}]
    assert "MapRunRedriven" in history(sfn, execution)
    again = sfn.describe_map_run(mapRunArn=run)
    assert again["status"] == "SUCCEEDED" and again["itemCounts"]["succeeded"] == 2


def test_stopping_the_parent_stops_its_children(sfn: Any) -> None:
    parked = {"StartAt": "Park", "States": {"Park": {"Type": "Wait", "Seconds": 600, "End": True}}}
    _, execution = start(sfn, distributed(parked), [1, 2])
    run = the_map_run(sfn, execution)
    wait_until(lambda: len(sfn.list_executions(mapRunArn=run)["executions"]) == 2, 10, "two children")
    sfn.stop_execution(executionArn=execution)
    assert wait_for(sfn, execution)["status"] == "ABORTED"
    children = sfn.list_executions(mapRunArn=run)["executions"]
    assert {wait_for(sfn, c["executionArn"])["status"] for c in children} == {"ABORTED"}
    described = sfn.describe_map_run(mapRunArn=run)
    assert described["status"] == "ABORTED" and described["itemCounts"]["aborted"] == 2


def test_the_refusals(sfn: Any) -> None:
    missing = f"{ACCOUNT_PREFIX}:mapRun:m/Each:6f0a8c1e-0000-4000-8000-000000000000"
    with aws_error("ResourceNotFound"):
        sfn.describe_map_run(mapRunArn=missing)
    with aws_error("ResourceNotFound"):
        sfn.update_map_run(mapRunArn=missing, maxConcurrency=2)
    with aws_error("ResourceNotFound"):
        sfn.list_executions(mapRunArn=missing)
    with aws_error("InvalidArn"):
        sfn.describe_map_run(mapRunArn=f"{ACCOUNT_PREFIX}:execution:m:e")
    with aws_error("ExecutionDoesNotExist"):
        sfn.list_map_runs(executionArn=f"{ACCOUNT_PREFIX}:execution:m:e")


def test_a_map_run_survives_kill_9(tmp_path: Path) -> None:
    """The children start in the transaction that records their start: killed while they wait, the
    server goes on with them and with their parent when it starts again."""
    crash = Crash(ServerProcess(tmp_path / "stepwell.db", functions=[str(FUNCTIONS)]).start(), tmp_path)
    try:
        waiting = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 1, "End": True}}}
        execution = crash.start(crash.machine(distributed(waiting, MaxConcurrency=2)), [1, 2, 3])
        run = the_map_run(crash.sfn, execution)
        time.sleep(0.2)
        crash.crash_and_restart()
        described = crash.wait_done(execution)
        assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == [1, 2, 3]
        assert crash.sfn.describe_map_run(mapRunArn=run)["itemCounts"]["succeeded"] == 3
    finally:
        crash.kill()


def test_an_item_batcher_runs_each_batch_as_one_child_and_counts_items_apart(sfn: Any) -> None:
    echo = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    definition = distributed(echo, ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"run": "nightly"}})
    _, execution = start(sfn, definition, [1, 2, 3, 4, 5])
    done = wait_for(sfn, execution)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == [
        {"BatchInput": {"run": "nightly"}, "Items": [1, 2]},
        {"BatchInput": {"run": "nightly"}, "Items": [3, 4]},
        {"BatchInput": {"run": "nightly"}, "Items": [5]},
    ]
    run = the_map_run(sfn, execution)
    described = sfn.describe_map_run(mapRunArn=run)
    assert (described["itemCounts"]["total"], described["itemCounts"]["succeeded"]) == (5, 5)
    assert (described["executionCounts"]["total"], described["executionCounts"]["succeeded"]) == (3, 3)
    assert len(sfn.list_executions(mapRunArn=run)["executions"]) == 3
